"""Lineage graphs laid out as NiFi lays them out."""

from __future__ import annotations

from typing import Any

import pytest

from nifi_like.provenance.events import ProvenanceEvent
from nifi_like.provenance.lineage import LineageError, build_graph, compute_lineage
from nifi_like.provenance.store import ProvenanceStore
from nifi_like.repository import Repository
from tests.unit.provenance.helpers import commit, event


def _events(*records: tuple[Any, ...]) -> list[ProvenanceEvent]:
    return [ProvenanceEvent.from_record(i, list(r)) for i, r in enumerate(records, 1)]


def test_clone_and_replay_make_flowfile_nodes_linked_from_the_event() -> None:
    graph = build_graph(_events(event("CREATE", "a", 1), event("CLONE", "a", 2, children=("b",)),
                                event("REPLAY", "a", 3, parents=("a",), children=("c",)),
                                event("DROP", "b", 4)))
    assert graph.nodes["a"]["type"] == graph.nodes["b"]["type"] == graph.nodes["c"]["type"] == "FLOWFILE"
    assert graph.has_edge("event:2", "b") and graph.has_edge("event:3", "c")
    assert graph.has_edge("a", "event:2") and graph.has_edge("event:2", "event:3")
    assert graph.has_edge("b", "event:4") and graph.edges["b", "event:4"]["flowFileUuid"] == "b"


def test_lineage_follows_parents_and_children_from_any_member(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    try:
        commit(repo, event("CREATE", "p", 1), event("CREATE", "q", 1), event("CREATE", "unrelated", 1))
        commit(repo, event("FORK", "p", 2, children=("c1", "c2")))
        commit(repo, event("JOIN", "m", 3, parents=("c2", "q")))
        store = ProvenanceStore(repo.env)
        for start in ("p", "c1", "m", "q"):
            lineage = compute_lineage(store, start)
            assert {e.flowfile_uuid for e in lineage.events} == {"p", "q", "m"}
            assert lineage.descendants("q") == {"m"} and lineage.ancestors("m") == {"p", "c2", "q"}
            assert lineage.ancestors("c1") == {"p"}
        truncated = compute_lineage(store, "p", max_events=2)
        assert truncated.truncated and len(truncated.events) == 2
        with pytest.raises(LineageError, match="no provenance events"):
            compute_lineage(store, "nobody")
    finally:
        repo.close()
