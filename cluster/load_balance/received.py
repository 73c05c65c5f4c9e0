"""The durable record of FlowFile ids a node received by load balancing, to filter duplicates.

A sender that lost an acknowledgement (the receiver was killed after its commit, or the sender
was killed before deleting what was acknowledged) sends the same FlowFiles again; the receiver
finds their ids here and acknowledges them without queueing them twice. The record lives in
the ``meta`` database and is written in the same transaction as the queue records, so it is
exactly as durable as they are. An id is the FlowFile's uuid with the sender and the place it
held in the sender's partition: a FlowFile that comes round again through a loop of the flow
is not mistaken for a resend. It keeps the most recent ``limit`` ids (a resend concerns only
the last unacknowledged batch of each sender, far fewer).
"""

from __future__ import annotations

import struct
from typing import Any

_IDS = b"lbreceived/id/"  # + connection key + FlowFile id -> sequence
_ORDER = b"lbreceived/seq/"  # + 8-byte sequence -> the id key
_BOUNDS = b"lbreceived/bounds"  # [oldest, next]
_TWO = struct.Struct(">QQ")
_SEQ = struct.Struct(">Q")
DEFAULT_LIMIT = 200_000


class ReceivedIds:
    def __init__(self, meta_db: Any, limit: int = DEFAULT_LIMIT) -> None:
        self.db = meta_db
        self.limit = limit

    @staticmethod
    def _id_key(conn_key: bytes, transfer_id: str) -> bytes:
        return _IDS + conn_key + transfer_id.encode()

    def seen(self, txn: Any, conn_key: bytes, transfer_id: str) -> bool:
        return txn.get(self._id_key(conn_key, transfer_id), db=self.db) is not None

    def add(self, txn: Any, conn_key: bytes, transfer_ids: list[str]) -> None:
        """Record ids (inside the committing transaction) and forget the oldest past the limit."""
        raw = txn.get(_BOUNDS, db=self.db)
        oldest, nxt = _TWO.unpack(raw) if raw else (0, 0)
        for transfer_id in transfer_ids:
            key = self._id_key(conn_key, transfer_id)
            txn.put(key, _SEQ.pack(nxt), db=self.db)
            txn.put(_ORDER + _SEQ.pack(nxt), key, db=self.db)
            nxt += 1
        while nxt - oldest > self.limit:
            order_key = _ORDER + _SEQ.pack(oldest)
            id_key = txn.get(order_key, db=self.db)
            if id_key is not None:
                txn.delete(id_key, db=self.db)
                txn.delete(order_key, db=self.db)
            oldest += 1
        txn.put(_BOUNDS, _TWO.pack(oldest, nxt), db=self.db)
