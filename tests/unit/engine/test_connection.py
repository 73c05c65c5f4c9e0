"""Connection queues: FIFO over disk and window, prioritizers, penalties, expiration."""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgpack

from nifi_like.api.flowfile import FlowFile
from nifi_like.engine.connection import Connection, now_ms
from nifi_like.repository import Repository, keys


def _ff(n: int, **extra: str) -> FlowFile:
    now = now_ms()
    return FlowFile({"uuid": str(uuid.uuid4()), "n": str(n), **extra}, 1, None, now - n, now - n)


def _append(repo: Repository, conn: Connection, flowfiles: list[FlowFile]) -> None:
    def write(txn: Any, batch: Any) -> list[tuple[int, FlowFile]]:
        out = []
        for ff in flowfiles:
            seq = batch.allocate_seqs(conn.key)
            txn.put(keys.queue_key(conn.key, seq), msgpack.packb(ff.pack()), db=repo.env.dbs["queues"])
            batch.adjust_queue(conn.key, 1, ff.size)
            out.append((seq, ff))
        return out
    conn.reserve(len(flowfiles), sum(ff.size for ff in flowfiles))  # as a session's commit does
    conn.append_committed(repo.writer.call(write))


def test_fifo_order_survives_the_window_spilling_to_disk(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, str(uuid.uuid4()), window_max=10)
    _append(repo, conn, [_ff(n) for n in range(35)])
    assert conn.count == 35
    order = []
    while True:
        taken, _ = conn.poll(7, now_ms())
        if not taken:
            break
        order += [int(ff.attributes["n"]) for _, ff in taken]
    assert order == list(range(35))
    repo.close()


def test_queue_reloads_from_disk_after_restart(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn_id = str(uuid.uuid4())
    _append(repo, Connection(repo, conn_id), [_ff(n) for n in range(5)])
    repo.close()
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, conn_id)
    assert (conn.count, conn.bytes) == (5, 5)
    taken, _ = conn.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["0", "1", "2", "3", "4"]
    repo.close()


def test_priority_attribute_prioritizer(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, str(uuid.uuid4()),
                      prioritizers=["org.apache.nifi.prioritizer.PriorityAttributePrioritizer"])
    _append(repo, conn, [_ff(0, priority="5"), _ff(1), _ff(2, priority="1"), _ff(3, priority="b"),
                         _ff(4, priority="a")])
    taken, _ = conn.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["2", "0", "4", "3", "1"]
    repo.close()


def test_oldest_and_newest_first(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    newest = Connection(repo, str(uuid.uuid4()), prioritizers=["NewestFlowFileFirstPrioritizer"])
    _append(repo, newest, [_ff(n) for n in (3, 1, 2)])  # entry date = now - n
    taken, _ = newest.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["1", "2", "3"]
    oldest = Connection(repo, str(uuid.uuid4()), prioritizers=["OldestFlowFileFirstPrioritizer"])
    _append(repo, oldest, [_ff(n) for n in (3, 1, 2)])
    taken, _ = oldest.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["3", "2", "1"]
    repo.close()


def test_penalized_flowfiles_wait_their_turn(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, str(uuid.uuid4()))
    penalized = _ff(0).evolve(penalized_until=now_ms() + 200)
    _append(repo, conn, [penalized, _ff(1)])
    taken, _ = conn.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["1"]
    assert conn.next_penalty_expiry() is not None
    time.sleep(0.25)
    taken, _ = conn.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["0"]
    repo.close()


def test_expired_flowfiles_are_handed_back_as_expired(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, str(uuid.uuid4()), expiration_ms=1000)
    old = _ff(0).evolve(entry_date=now_ms() - 5000)
    _append(repo, conn, [old, _ff(1)])
    taken, expired = conn.poll(10, now_ms())
    assert [ff.attributes["n"] for _, ff in taken] == ["1"]
    assert [ff.attributes["n"] for _, ff in expired] == ["0"]
    repo.close()


def test_back_pressure_by_count_and_size(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    conn = Connection(repo, str(uuid.uuid4()), object_threshold=3, size_threshold=100)
    _append(repo, conn, [_ff(n) for n in range(2)])
    assert not conn.is_full()
    _append(repo, conn, [_ff(2)])
    assert conn.is_full()
    taken, _ = conn.poll(1, now_ms())
    conn.acknowledge(1, 1)
    assert not conn.is_full()
    big = FlowFile({"uuid": str(uuid.uuid4())}, 100, None, now_ms(), now_ms())
    _append(repo, conn, [big])
    assert conn.is_full(), "size threshold reached"
    repo.close()
