"""Retention removes whole commit records, oldest first, with their index keys."""

from __future__ import annotations

from typing import Any

from nifi_like.provenance.index import Indexer
from nifi_like.provenance.retention import Retention
from nifi_like.provenance.store import ProvenanceStore
from nifi_like.repository import Repository
from tests.unit.provenance.helpers import commit, event

T0 = 1_700_000_000_000


def _index_keys(repo: Repository) -> list[bytes]:
    with repo.env.read() as txn:
        return [bytes(k) for k, _ in txn.cursor(db=repo.env.dbs["prov_index"])]


def test_age_retention_keeps_young_events_and_their_index(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    try:
        for minute in range(10):  # "shared" has an event every minute; its filename entry must survive
            commit(repo, event("ROUTE", "shared", T0 + minute * 60_000),
                   event("CREATE", f"only-{minute}", T0 + minute * 60_000))
        Indexer(repo.env, repo.writer).step()
        commit(repo, event("CREATE", "unindexed", T0))  # old, but not indexed yet: retention waits for it
        commit(repo, event("CREATE", "late", T0 + 20 * 60_000))
        clock = (T0 + 24 * 3600_000 + 5 * 60_000 - 1) / 1000  # minutes 0-4 are older than a day
        retention = Retention(repo.env, repo.writer, repo.content, batch_size=4, clock=lambda: clock)
        removed = []
        while count := retention.step():
            removed.append(count)
        assert removed == [4, 4, 2]
        store = ProvenanceStore(repo.env)
        assert store.query(flowfile_uuid="only-4").total == 0 and store.query(flowfile_uuid="only-5").total == 1
        assert store.query(filename="shared.txt").total == 5, "the filename entry stays while events remain"
        assert store.query(filename="only-2.txt").total == 0
        assert not any(k[:1] == b"n" and b"only-2" in k for k in _index_keys(repo))
        minutes = [e.timestamp_ms for e in store.query(start_ms=T0, end_ms=T0 + 9 * 60_000).events
                   if e.flowfile_uuid != "unindexed"]
        assert sorted(set(minutes)) == [T0 + m * 60_000 for m in range(5, 10)]
        times = [k for k in _index_keys(repo) if k[:1] == b"t"]
        assert len(times) == 5, "the seconds of removed events are gone, the five kept minutes stay"
        assert store.query(flowfile_uuid="unindexed").total == 1
    finally:
        repo.close()
