"""Reference loops measured in the same run as the engine.

- ``bare_lmdb_chain``: the durability floor. The queue moves of an N-hop flow done by hand
  with LMDB + msgpack, one synced transaction per hop and batch, no engine at all.
- ``asyncio_queue_chain``: the no-durability ceiling. The same hops through asyncio.Queue.
"""

from __future__ import annotations

import asyncio
import os
import struct
import tempfile
import time
import uuid
from typing import Any

import lmdb
import msgpack

_KEY = struct.Struct(">16sQ")


def bare_lmdb_chain(count: int, *, batch: int = 100, hops: int = 3, size: int = 1024, sync: bool = True) -> float:
    """FlowFiles/s moved through ``hops`` durable stages: create, (hops - 2) moves, drop."""
    with tempfile.TemporaryDirectory() as directory:
        env = lmdb.open(directory, map_size=1 << 31, max_dbs=4, sync=sync, metasync=sync, writemap=False)
        queues = env.open_db(b"queues")
        content = env.open_db(b"content")
        prefixes = [uuid.uuid4().bytes for _ in range(hops)]
        seqs = [0] * hops
        payload = os.urandom(size)
        started = time.perf_counter()
        done = 0
        while done < count:
            n = min(batch, count - done)
            with env.begin(write=True) as txn:  # hop 1: create
                for _ in range(n):
                    ff_id = uuid.uuid4().hex
                    txn.put(ff_id.encode(), payload, db=content)
                    record = [{"uuid": ff_id, "filename": ff_id, "path": "./"}, size, ff_id, 0, 0, 0]
                    txn.put(_KEY.pack(prefixes[0], seqs[0]), msgpack.packb(record), db=queues)
                    seqs[0] += 1
            for hop in range(1, hops):  # each hop: take the batch from the previous queue
                with env.begin(write=True) as txn:
                    cursor = txn.cursor(db=queues)
                    cursor.set_range(_KEY.pack(prefixes[hop - 1], 0))
                    taken: list[tuple[bytes, Any]] = []
                    for key, value in cursor:
                        if key[:16] != prefixes[hop - 1] or len(taken) >= n:
                            break
                        taken.append((key, msgpack.unpackb(value)))
                    for key, record in taken:
                        txn.delete(key, db=queues)
                        if hop == hops - 1:
                            txn.delete(record[2].encode(), db=content)  # dropped at the end
                        else:
                            record[0][f"hop{hop}"] = "yes"
                            txn.put(_KEY.pack(prefixes[hop], seqs[hop]), msgpack.packb(record), db=queues)
                            seqs[hop] += 1
            done += n
        elapsed = time.perf_counter() - started
        env.close()
    return count / elapsed


def asyncio_queue_chain(count: int, *, hops: int = 3, size: int = 1024) -> float:
    """FlowFiles/s through ``hops`` asyncio stages with nothing written anywhere."""
    async def run() -> float:
        queues: list[asyncio.Queue[dict[str, str] | None]] = [asyncio.Queue(10_000) for _ in range(hops)]
        payload = os.urandom(size)

        async def source() -> None:
            for _ in range(count):
                ff_id = uuid.uuid4().hex
                await queues[0].put({"uuid": ff_id, "filename": ff_id, "content": payload.hex()[:8]})
            await queues[0].put(None)

        async def stage(index: int) -> None:
            while (item := await queues[index].get()) is not None:
                item = {**item, f"hop{index}": "yes"}
                if index + 1 < hops:
                    await queues[index + 1].put(item)
            if index + 1 < hops:
                await queues[index + 1].put(None)

        started = time.perf_counter()
        await asyncio.gather(source(), *(stage(i) for i in range(hops)))
        return count / (time.perf_counter() - started)
    return asyncio.run(run())
