"""MQTT processors: PublishMQTT, ConsumeMQTT (paho-mqtt 2.x)."""
