"""Searching stored events: index and unindexed tail, paging, time ranges, counting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nifi_like.provenance.index import TIME_SLACK_S, Indexer
from nifi_like.provenance.store import ProvenanceQuery, ProvenanceStore
from nifi_like.repository import Repository
from tests.unit.provenance.helpers import commit, event

T0 = 1_700_000_000_000


@pytest.fixture
def repo(tmp_path: Any) -> Iterator[Repository]:
    repository = Repository(str(tmp_path), durability="nosync")
    yield repository
    repository.close()


def _fill(repo: Repository, flowfiles: int) -> list[str]:
    """Each FlowFile: CREATE by proc-a, then ROUTE by proc-b a minute later; a record per minute."""
    uuids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(flowfiles)]
    for i, uuid in enumerate(uuids):
        ts = T0 + i * 60_000
        commit(repo, event("CREATE", uuid, ts, component="proc-a"),
               event("ROUTE", uuids[i - 1] if i else uuid, ts, component="proc-b"))
    return uuids


def test_search_by_each_term_newest_first_with_paging(repo: Repository) -> None:
    uuids = _fill(repo, 50)
    Indexer(repo.env, repo.writer, batch_size=7).step()  # part indexed, the rest is the tail
    store = ProvenanceStore(repo.env)
    assert 0 < store.lag() < 100
    creates = store.query(component_id="proc-a")
    assert [e.flowfile_uuid for e in creates.events] == uuids[::-1] and creates.total == 50
    assert [e.event_type for e in store.query(flowfile_uuid=uuids[10]).events] == ["ROUTE", "CREATE"]
    assert store.query(event_type="route").total == 50
    assert store.query(filename=f"{uuids[3]}.txt").total == 2
    page = store.query(ProvenanceQuery(component_id="proc-a", max_results=5, offset=10))
    assert [e.flowfile_uuid for e in page.events] == uuids[::-1][10:15] and page.total == 50
    with pytest.raises(ValueError, match="must not be negative"):
        ProvenanceQuery(offset=-1)


def test_index_and_tail_give_the_same_answers(repo: Repository) -> None:
    uuids = _fill(repo, 40)
    store = ProvenanceStore(repo.env)
    queries = [ProvenanceQuery(component_id="proc-b"), ProvenanceQuery(flowfile_uuid=uuids[7]),
               ProvenanceQuery(filename=f"{uuids[5]}.txt"), ProvenanceQuery(event_type="CREATE", max_results=3),
               ProvenanceQuery(start_ms=T0 + 10 * 60_000, end_ms=T0 + 20 * 60_000 - 1)]
    queries += [ProvenanceQuery(component_id="proc-a", max_results=2, offset=3),
                ProvenanceQuery(event_type="ROUTE", max_results=1), ProvenanceQuery(flowfile_uuid=uuids[3], max_results=1)]

    def answers() -> list[tuple[list[int], int]]:
        return [([e.event_id for e in result.events], result.total) for result in map(store.query, queries)]
    before = answers()
    indexer = Indexer(repo.env, repo.writer)
    while indexer.step():
        pass
    assert store.lag() == 0
    assert answers() == before, "counted from the index (past the page) as from the events"
    assert [total for _, total in before[-3:]] == [40, 40, 2]
    assert len(before[4][0]) == 20, "ten minutes of two events a minute"


def test_time_range_uses_the_time_index_and_stays_exact(repo: Repository) -> None:
    _fill(repo, 30)
    Indexer(repo.env, repo.writer).step()
    store = ProvenanceStore(repo.env)
    start, end = T0 + 5 * 60_000, T0 + 9 * 60_000
    found = store.query(start_ms=start, end_ms=end).events
    assert {e.timestamp_ms for e in found} == {T0 + i * 60_000 for i in range(5, 10)}
    late = T0 + 29 * 60_000 + TIME_SLACK_S * 1000 * 3
    assert store.query(start_ms=late).total == 0


def test_counting_stops_at_the_limit(repo: Repository) -> None:
    _fill(repo, 30)
    Indexer(repo.env, repo.writer).step()
    store = ProvenanceStore(repo.env, count_limit=10)
    result = store.query(component_id="proc-a", max_results=3)
    assert len(result.events) == 3 and result.total == 10 and not result.total_exact
    exact = ProvenanceStore(repo.env).query(component_id="proc-a", max_results=3)
    assert exact.total == 30 and exact.total_exact


def test_event_lookup_inside_a_record(repo: Repository) -> None:
    first = commit(repo, event("CREATE", "a", T0), event("CREATE", "b", T0), event("CREATE", "c", T0))
    store = ProvenanceStore(repo.env)
    assert [store.event(first + i).flowfile_uuid for i in range(3)] == ["a", "b", "c"]  # type: ignore[union-attr]
    assert store.event(first + 3) is None and store.event(0) is None
