"""The LMDB repository: group commit, content claims, state, schema version, map growth."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from nifi_like.repository import Repository, SchemaVersionError
from nifi_like.repository.content import FILE, INLINE
from nifi_like.repository.environment import Environment


def test_concurrent_writes_are_folded_into_fewer_transactions(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="sync")
    futures = []
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        barrier.wait()
        for n in range(50):
            futures.append(repo.writer.submit(lambda txn, _b, k=f"{index}-{n}": txn.put(
                k.encode(), b"v", db=repo.env.dbs["meta"])))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in futures:
        f.result()
    assert repo.writer.commits == 400
    assert repo.writer.batches < 400, "several sessions share one transaction and one fsync"
    repo.close()


def test_a_failing_write_fails_alone(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path))
    good = repo.writer.submit(lambda txn, _b: txn.put(b"good", b"1", db=repo.env.dbs["meta"]))
    bad = repo.writer.submit(lambda txn, _b: 1 / 0)
    assert good.result() is True
    with pytest.raises(Exception, match="division by zero"):
        bad.result()
    with repo.env.read() as txn:
        assert txn.get(b"good", db=repo.env.dbs["meta"]) == b"1"
    repo.close()


def test_map_grows_when_full(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), map_size=1 << 20)
    blob = os.urandom(200_000)
    for n in range(20):
        repo.writer.call(lambda txn, _b, n=n: txn.put(f"k{n}".encode(), blob, db=repo.env.dbs["meta"]))
    assert repo.env.env.info()["map_size"] > 1 << 20
    with repo.env.read() as txn:
        assert txn.get(b"k19", db=repo.env.dbs["meta"]) == blob
    repo.close()


def test_schema_version_mismatch_is_a_clear_error(tmp_path: Any) -> None:
    env = Environment(str(tmp_path / "repository"))
    with env.env.begin(write=True, db=env.dbs["meta"]) as txn:
        txn.put(b"schema_version", b"99")
    env.close()
    with pytest.raises(SchemaVersionError, match="schema version 99, but this nifi_like reads schema version 1"):
        Repository(str(tmp_path))


def _commit_claim(repo: Repository, claim: Any, data: bytes | None, delta: int) -> None:
    inline = {claim[1]: data} if claim[0] == INLINE and data is not None else {}
    counts = repo.writer.call(lambda txn, _b: repo.content.apply_refs(txn, inline, {claim[1]: delta}))
    repo.content.refs_committed(counts)


def test_small_content_is_inline_and_large_content_goes_to_a_claim_file(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), inline_max=1024)
    small = repo.content.writer()
    small.write(b"tiny")
    pending = small.finish()
    assert pending.claim is not None and pending.claim[0] == INLINE
    _commit_claim(repo, pending.claim, pending.data, +1)
    assert repo.content.read_bytes(pending.claim) == b"tiny"

    big = repo.content.writer()
    payload = os.urandom(5000)
    big.write(payload[:100])
    big.write(payload[100:])
    result = big.finish()
    assert result.claim is not None and result.claim[0] == FILE
    repo.content.sync_files([result.claim[1]])
    _commit_claim(repo, result.claim, None, +1)
    repo.content.release_pending([result.claim[1]])
    assert repo.content.read_bytes(result.claim) == payload
    repo.close()


def test_unreferenced_claim_files_are_collected(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), inline_max=10, claim_file_max=100)
    writer = repo.content.writer()
    writer.write(b"x" * 150)  # past claim_file_max: the file is sealed once released
    pending = writer.finish()
    assert pending.claim is not None
    path = repo.content.file_path(pending.claim[1])
    _commit_claim(repo, pending.claim, None, +1)
    repo.content.release_pending([pending.claim[1]])
    assert os.path.exists(path), "referenced: kept"
    _commit_claim(repo, pending.claim, None, -1)
    assert not os.path.exists(path), "no FlowFile references it and it is sealed: deleted"
    # garbage left by a crash before the commit that would have referenced it: removed at start
    orphan = repo.content.writer()
    orphan.write(b"y" * 150)
    orphan_claim = orphan.finish().claim
    assert orphan_claim is not None
    orphan_path = repo.content.file_path(orphan_claim[1])
    repo.close()
    assert os.path.exists(orphan_path)
    Repository(str(tmp_path)).close()
    assert not os.path.exists(orphan_path)


def test_inline_content_is_reference_counted(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path))
    writer = repo.content.writer()
    writer.write(b"shared")
    pending = writer.finish()
    _commit_claim(repo, pending.claim, pending.data, +2)
    _commit_claim(repo, pending.claim, None, -1)
    assert repo.content.read_bytes(pending.claim) == b"shared"
    _commit_claim(repo, pending.claim, None, -1)
    with pytest.raises(Exception, match="missing"):
        repo.content.read_bytes(pending.claim)
    repo.close()


def test_state_is_versioned_and_compare_and_set(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path))
    state = repo.state_manager("c1")
    assert state.get_state().version == -1
    state.set_state({"a": "1"})
    snap = state.get_state()
    assert snap.values == {"a": "1"} and snap.version == 0
    assert state.replace(snap, {"a": "2"})
    assert not state.replace(snap, {"a": "3"}), "stale version is refused"
    assert state.get_state().values == {"a": "2"}
    state.clear()
    assert state.get_state().version == -1
    repo.close()


def test_released_pages_read_back_intact(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    blob = os.urandom(50_000)
    for n in range(40):
        repo.writer.call(lambda txn, _b, n=n: txn.put(f"k{n}".encode(), blob, db=repo.env.dbs["meta"]))
    with repo.env.read() as txn:
        assert all(txn.get(f"k{n}".encode(), db=repo.env.dbs["meta"]) == blob for n in range(40))
    assert repo.env.release_pages() > 0, "the mapping of data.mdb was found and advised"
    with repo.env.read() as txn:
        assert all(txn.get(f"k{n}".encode(), db=repo.env.dbs["meta"]) == blob for n in range(40))
    repo.close()
