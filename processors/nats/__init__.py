"""NATS processors: PublishNATS, ConsumeNATS (core NATS through nats-py)."""
