"""Quarantine: FlowFiles whose content cannot be read back intact, kept out of the flow but not lost.

When a session finds a FlowFile's content damaged (its claim file missing, truncated or altered),
retrying cannot help and delivering it would pass on wrong data. The FlowFile leaves its queue in
one transaction that records it here, with the reason and the queue it came from; its content
reference is kept, so the damaged claim file stays on disk for inspection. A bulletin names the
FlowFile and the file; ``nifi-like quarantine --data DIR`` lists them all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack

from nifi_like.api.flowfile import FlowFile
from nifi_like.repository import keys

if TYPE_CHECKING:
    from nifi_like.engine.connection import Connection
    from nifi_like.repository import Batch, Repository
    from nifi_like.repository.environment import Environment

PREFIX = b"quarantine:"  # records live in the meta database, keyed by FlowFile id


@dataclass(frozen=True)
class Quarantined:
    flowfile: FlowFile
    connection_id: str
    connection_name: str
    component: str  # the processor that found the damage
    reason: str
    at: float

    def row(self) -> dict[str, Any]:
        return {"uuid": self.flowfile.id, "filename": self.flowfile.attributes.get("filename"),
                "size": self.flowfile.size, "connection": self.connection_id,
                "connectionName": self.connection_name, "component": self.component, "reason": self.reason,
                "quarantinedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at)),
                "attributes": self.flowfile.attributes}


def move(repo: Repository, component: str, entries: list[tuple[Connection, int, FlowFile, str]]) -> None:
    """Take these queue entries out of their queues and record them in quarantine, durably."""
    now = time.time()
    records = [(keys.queue_key(conn.key, seq), conn, ff,
                msgpack.packb({"flowfile": ff.pack(), "connection": conn.id, "connectionName": conn.name,
                               "component": component, "reason": reason, "at": now}))
               for conn, seq, ff, reason in entries]

    def apply(txn: Any, batch: Batch) -> None:
        queues, meta = repo.env.dbs["queues"], repo.env.dbs["meta"]
        for queue_key, conn, ff, record in records:
            txn.delete(queue_key, db=queues)
            batch.adjust_queue(conn.key, -1, -ff.size)
            txn.put(PREFIX + ff.id.encode(), record, db=meta)

    def after(_: Any) -> None:
        for _, conn, ff, _ in records:
            conn.acknowledge(1, ff.size)

    repo.writer.submit(apply, after).result()


def listing(env: Environment) -> list[Quarantined]:
    """Every quarantined FlowFile, by id."""
    found: list[Quarantined] = []
    with env.read() as txn:
        cursor = txn.cursor(db=env.dbs["meta"])
        if not cursor.set_range(PREFIX):
            return found
        for key, value in cursor:
            if not bytes(key).startswith(PREFIX):
                break
            record = msgpack.unpackb(value)
            found.append(Quarantined(FlowFile.unpack(record["flowfile"]), record["connection"],
                                     record["connectionName"], record["component"], record["reason"], record["at"]))
    return found
