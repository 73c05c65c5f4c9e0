"""The LMDB repository: queues, content, state and provenance records, one writer thread."""

from __future__ import annotations

import os

import msgpack

from nifi_like.api.flowfile import FlowFile
from nifi_like.repository import keys
from nifi_like.repository.content import ContentRepository
from nifi_like.repository.environment import Environment
from nifi_like.repository.errors import RepositoryError, SchemaVersionError
from nifi_like.repository.state import StoredStateManager
from nifi_like.repository.writer import Batch, Writer

__all__ = ["Batch", "Repository", "RepositoryError", "SchemaVersionError"]
_PARTITIONS = b"lbpartition/"  # meta records: partition key -> [connection key, node id]


class Repository:
    """Everything durable about FlowFiles under one data directory."""

    def __init__(self, data_dir: str, *, durability: str = "sync", map_size: int = 1 << 30,
                 inline_max: int = 64 * 1024, claim_file_max: int = 128 * 1024 * 1024) -> None:
        self.data_dir = data_dir
        self.env = Environment(os.path.join(data_dir, "repository"), durability=durability, map_size=map_size)
        self.content = ContentRepository(self.env, os.path.join(data_dir, "content"),
                                         inline_max=inline_max, claim_file_max=claim_file_max)
        self.writer = Writer(self.env)

    def queue_stats(self, conn_key: bytes) -> tuple[int, int]:
        with self.env.read() as txn:
            raw = txn.get(conn_key, db=self.env.dbs["qstats"])
        if not raw:
            return 0, 0
        count, size = msgpack.unpackb(raw)
        return int(count), int(size)

    def load_queue(self, conn_key: bytes, after_seq: int, limit: int) -> list[tuple[int, FlowFile]]:
        """Up to ``limit`` records of a connection with a sequence number above ``after_seq``."""
        out: list[tuple[int, FlowFile]] = []
        unpack = msgpack.unpackb
        with self.env.read() as txn:
            cursor = txn.cursor(db=self.env.dbs["queues"])
            if not cursor.set_range(keys.queue_key(conn_key, after_seq + 1)):
                return out
            for key, value in cursor:
                if key[:16] != conn_key or len(out) >= limit:
                    break
                out.append((keys.queue_seq(key), FlowFile.unpack(unpack(value))))
        return out

    def queued_connection_keys(self) -> dict[bytes, tuple[int, int]]:
        """Connections that hold FlowFiles, with their counts and sizes (what waits in a
        connection's partitions for other nodes counts as queued in that connection)."""
        owners = {key: conn_key for key, (conn_key, _) in self.registered_partitions().items()}
        out: dict[bytes, tuple[int, int]] = {}
        with self.env.read() as txn:
            for key, value in txn.cursor(db=self.env.dbs["qstats"]):
                count, size = msgpack.unpackb(value)
                if count > 0:
                    conn_key = owners.get(bytes(key), bytes(key))
                    total = out.get(conn_key, (0, 0))
                    out[conn_key] = (total[0] + int(count), total[1] + int(size))
        return out

    def registered_partitions(self) -> dict[bytes, tuple[bytes, str]]:
        """Queues of load-balanced connections held for other nodes: key -> (connection key, node id)."""
        out: dict[bytes, tuple[bytes, str]] = {}
        with self.env.read() as txn:
            cursor = txn.cursor(db=self.env.dbs["meta"])
            if cursor.set_range(_PARTITIONS):
                for key, value in cursor:
                    if not key.startswith(_PARTITIONS):
                        break
                    conn_key, node_id = msgpack.unpackb(value)
                    out[bytes(key[len(_PARTITIONS):])] = (bytes(conn_key), str(node_id))
        return out

    def register_partition(self, key: bytes, conn_key: bytes, node_id: str) -> None:
        record = msgpack.packb([conn_key, node_id])
        meta = self.env.dbs["meta"]
        self.writer.call(lambda txn, _batch: txn.put(_PARTITIONS + key, record, db=meta))

    def state_manager(self, component_id: str) -> StoredStateManager:
        return StoredStateManager(self.env, self.writer, component_id)

    def close(self) -> None:
        self.writer.close()
        self.content.close()
        self.env.close()
