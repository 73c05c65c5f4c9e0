"""Placement of N-instance processors and the in-memory coordinator (one process, no etcd)."""

from __future__ import annotations

import asyncio

import pytest

from cluster.memory import InMemoryCoordinator, InMemoryHub
from cluster.placement import ALL, PRIMARY, execution_of, place
from cluster.view import DISCONNECTED, OFFLOADING
from nifi_like.flow.errors import FlowConflict


def test_execution_is_read_from_nifis_fields_and_the_instances_field() -> None:
    assert execution_of({}) == ALL
    assert execution_of({"executionNode": "PRIMARY", "nifiLikeInstances": 2}) == PRIMARY
    assert execution_of({"executionNode": "ALL", "nifiLikeInstances": 2}) == 2
    assert execution_of({"nifiLikeInstances": 0}) == ALL
    assert execution_of({}, primary_node_only=True) == PRIMARY


def test_instances_go_to_the_least_loaded_nodes_and_stay_put() -> None:
    placed = place({"a": 2, "b": 1, "c": 1}, ["n1", "n2", "n3"], {})
    loads = [sum(node in nodes for nodes in placed.values()) for node in ("n1", "n2", "n3")]
    assert sorted(loads) == [1, 1, 2] and all(len(set(v)) == len(v) for v in placed.values())
    assert place({"a": 2, "b": 1, "c": 1}, ["n1", "n2", "n3"], placed) == placed


def test_instances_leave_a_lost_node_and_a_joining_node_takes_its_share() -> None:
    placed = place({"a": 1, "b": 1, "c": 1, "d": 1}, ["n1", "n2"], {})
    without = place({"a": 1, "b": 1, "c": 1, "d": 1}, ["n1"], placed)
    assert all(nodes == ["n1"] for nodes in without.values())
    joined = place({"a": 1, "b": 1, "c": 1, "d": 1}, ["n1", "n2"], without)
    assert sorted(sum(n in v for v in joined.values()) for n in ("n1", "n2")) == [2, 2]


def test_more_instances_than_nodes_places_one_per_node() -> None:
    assert place({"a": 5}, ["n1", "n2"], {}) == {"a": ["n1", "n2"]}
    assert place({"a": 1}, [], {}) == {"a": []}


def test_in_memory_nodes_elect_one_primary_and_fail_over() -> None:
    async def run() -> None:
        hub = InMemoryHub()
        a, b = InMemoryCoordinator("a", hub=hub), InMemoryCoordinator("b", hub=hub)
        await a.start()
        await b.start()
        assert a.fencing_token() is not None and b.fencing_token() is None
        first = a.fencing_token()
        a.expire()
        assert a.fencing_token() is None
        second = b.fencing_token()
        assert second is not None and first is not None and second > first
        b.request_status("b", DISCONNECTED)
        assert b.fencing_token() is None
        b.request_status("b", OFFLOADING)
        assert [m.status for m in b.members() if m.node_id == "b"] == [OFFLOADING]
    asyncio.run(run())


def test_in_memory_flow_publish_is_compare_and_swap() -> None:
    async def run() -> None:
        hub = InMemoryHub()
        a, b = InMemoryCoordinator("a", hub=hub), InMemoryCoordinator("b", hub=hub)
        await a.start()
        await b.start()
        revision = a.publish_flow({"flowContents": {}}, 0)
        with pytest.raises(FlowConflict):
            b.publish_flow({"flowContents": {"x": 1}}, 0)
        assert b.publish_flow({"flowContents": {"x": 1}}, revision) > revision
    asyncio.run(run())
