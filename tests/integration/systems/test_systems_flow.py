"""A whole flow across real systems, run by FlowRunner on the real engine:

    Generate records (GenerateFlowFile, swapped for an in-memory source) -> PublishMQTT  ==mosquitto==>
    ConsumeMQTT -> ExtractText -> UpdateAttribute (sql.args) -> PutSQL (PostgreSQL) -> ExecuteSQL -> Rows

Every record must come out of ExecuteSQL exactly once, and be in the table exactly once.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import psycopg

from nifi_like.testing import FlowRunner
from tests.support.flows import connection, flow, processor, uid
from tests.support.servers import Server

RECORDS = 200


def systems_flow(mosquitto: Server, postgres: Server, topic: str, table: str) -> dict[str, Any]:
    pool = {"identifier": uid(), "name": "PostgreSQL", "type": "org.apache.nifi.dbcp.DBCPConnectionPool",
            "scheduledState": "ENABLED", "properties": {
                "Database Connection URL": f"jdbc:postgresql://127.0.0.1:{postgres.port}/postgres",
                "Database Driver Class Name": "org.postgresql.Driver", "Database User": "postgres",
                "Password": postgres.extra["password"], "Max Total Connections": "4"}}
    broker = f"tcp://127.0.0.1:{mosquitto.port}"
    generate = processor("Generate records", "org.apache.nifi.processors.standard.GenerateFlowFile")
    publish = processor("Publish", "org.apache.nifi.processors.mqtt.PublishMQTT", {
        "Broker URI": broker, "Topic": topic, "Quality of Service(QoS)": "1", "Retain Message": "false"},
        auto_terminate=("success",))
    consume = processor("Consume", "org.apache.nifi.processors.mqtt.ConsumeMQTT", {
        "Broker URI": broker, "Topic Filter": topic, "Quality of Service(QoS)": "1", "Max Queue Size": "1000"})
    extract = processor("Extract id", "org.apache.nifi.processors.standard.ExtractText", {"id": r"record (\d+)"})
    args = processor("SQL args", "org.apache.nifi.processors.attributes.UpdateAttribute", {
        "sql.args.1.type": "4", "sql.args.1.value": "${id}",
        "sql.args.2.type": "12", "sql.args.2.value": "${mqtt.topic}"})
    put = processor("Insert", "org.apache.nifi.processors.standard.PutSQL", {
        "JDBC Connection Pool": pool["identifier"],
        "putsql-sql-statement": f"INSERT INTO {table} (id, topic) VALUES (?, ?)"})
    select = processor("Read back", "org.apache.nifi.processors.standard.ExecuteSQL", {
        "Database Connection Pooling Service": pool["identifier"],
        # the sql.args attributes PutSQL used are this query's parameters too
        "SQL select query": f"SELECT id, topic FROM {table} WHERE id = ? AND topic = ?"})
    rows = processor("Rows", "org.apache.nifi.processors.standard.LogAttribute", auto_terminate=("success",))
    failures = processor("Failures", "org.apache.nifi.processors.standard.LogAttribute", auto_terminate=("success",))
    links = [connection(generate, publish, ["success"]), connection(publish, failures, ["failure"]),
             connection(consume, extract, ["Message"]), connection(extract, args, ["matched"]),
             connection(extract, failures, ["unmatched"]), connection(args, put, ["success"]),
             connection(put, select, ["success"]), connection(put, failures, ["failure", "retry"]),
             connection(select, rows, ["success"]), connection(select, failures, ["failure"])]
    return flow([generate, publish, consume, extract, args, put, select, rows, failures], links,
                controllerServices=[pool])


def test_mqtt_to_postgres_flow_delivers_every_record_once(mosquitto: Server, postgres: Server) -> None:
    topic = f"nifi/flow/{uuid.uuid4().hex}"
    table = f"flow_{uuid.uuid4().hex[:12]}"
    dsn = dict(host="127.0.0.1", port=postgres.port, user="postgres", password=postgres.extra["password"],
               dbname="postgres", autocommit=True)
    with psycopg.connect(**dsn) as conn:  # type: ignore[arg-type]
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, topic TEXT NOT NULL)")
    try:
        with FlowRunner(systems_flow(mosquitto, postgres, topic, table), inputs=["Generate records"],
                        outputs=["Rows", "Failures"]) as runner:
            time.sleep(0.5)  # ConsumeMQTT subscribes on its first trigger; QoS 1 needs the subscription first
            for n in range(RECORDS):
                runner.enqueue("Generate records", f"record {n}")
            deadline = time.monotonic() + 30
            while len(runner.outputs("Rows")) < RECORDS and time.monotonic() < deadline:
                time.sleep(0.05)
            runner.run_until_idle(timeout=15)
            assert runner.outputs("Failures") == [], [ff.attributes for ff in runner.outputs("Failures")]
            rows = [row for ff in runner.outputs("Rows") for row in json.loads(ff.content)]
            assert sorted(row["id"] for row in rows) == list(range(RECORDS))  # each exactly once
            assert {row["topic"] for row in rows} == {topic}
            received = [e for e in runner.provenance_events() if e["event_type"] == "RECEIVE"]
            assert len(received) == RECORDS
        with psycopg.connect(**dsn) as conn:  # type: ignore[arg-type]
            assert conn.execute(f"SELECT count(*), count(DISTINCT id) FROM {table}").fetchone() == (RECORDS, RECORDS)
    finally:
        with psycopg.connect(**dsn) as conn:  # type: ignore[arg-type]
            conn.execute(f"DROP TABLE {table}")
