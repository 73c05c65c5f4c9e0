"""Which node a FlowFile goes to, and how a static cluster is written."""

from __future__ import annotations

from typing import Any

import pytest

from cluster.load_balance.router import ClusterRouter, rendezvous
from cluster.static import parse_static_nodes, static_view
from cluster.view import DISCONNECTED, NodeInfo, StaticClusterView
from nifi_like.api.flowfile import FlowFile

URL = "static://n1@127.0.0.1:8081:6342,n2@127.0.0.1:8082:6343,n3@127.0.0.1:8083:6344"


class _Conn:
    def __init__(self, strategy: str, attribute: str = "") -> None:
        self.id = "c"
        self.load_balance = (strategy, attribute, "DO_NOT_COMPRESS")


def _ff(**attributes: str) -> FlowFile:
    return FlowFile({"uuid": "u", **attributes}, 0, None, 0, 0)


def _route(router: ClusterRouter, conn: Any, flowfile: FlowFile) -> str | None:
    return router.route(conn, flowfile)


def test_static_address_lists_every_node() -> None:
    nodes = parse_static_nodes(URL)
    assert [(n.node_id, n.address, n.api_port, n.load_balance_port) for n in nodes] == [
        ("n1", "127.0.0.1", 8081, 6342), ("n2", "127.0.0.1", 8082, 6343), ("n3", "127.0.0.1", 8083, 6344)]
    assert static_view(URL, "n2").local_node_id == "n2"


@pytest.mark.parametrize(("url", "message"), [
    ("etcd://x", "does not start with static://"),
    ("static://n1@127.0.0.1:80", "node 1 'n1@127.0.0.1:80' is not NODE_ID@ADDRESS:API_PORT:LOAD_BALANCE_PORT"),
    ("static://n1@h:1:2,n1@h:3:4", "node id 'n1' is listed twice"),
])
def test_bad_static_address_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_static_nodes(url)


def test_round_robin_cycles_over_connected_nodes_local_staying_local() -> None:
    router = ClusterRouter(static_view(URL, "n2"))
    conn = _Conn("ROUND_ROBIN")
    assert [_route(router, conn, _ff()) for _ in range(6)] == ["n1", None, "n3", "n1", None, "n3"]


def test_single_node_is_the_lowest_connected_id_and_a_lone_node_keeps_everything() -> None:
    view = static_view(URL, "n3")
    router = ClusterRouter(view)
    assert _route(router, _Conn("SINGLE_NODE"), _ff()) == "n1"
    view.update(NodeInfo("n1", "127.0.0.1", 8081, 6342, DISCONNECTED))
    assert _route(router, _Conn("SINGLE_NODE"), _ff()) == "n2"
    view.update(NodeInfo("n3", "127.0.0.1", 8083, 6344, DISCONNECTED))
    assert _route(router, _Conn("ROUND_ROBIN"), _ff()) is None, "this node is not connected: it keeps its data"
    alone = ClusterRouter(StaticClusterView("n1", [NodeInfo("n1", "127.0.0.1", 1, 2)]))
    assert _route(alone, _Conn("ROUND_ROBIN"), _ff()) is None


def test_partition_by_attribute_moves_only_the_values_of_a_node_that_leaves() -> None:
    values = [f"customer-{i}" for i in range(300)]
    before = {v: rendezvous(v, ["n1", "n2", "n3"]) for v in values}
    after = {v: rendezvous(v, ["n1", "n3"]) for v in values}
    assert {v for v in values if before[v] != after[v]} == {v for v in values if before[v] == "n2"}
    assert len(set(before.values())) == 3
    router = ClusterRouter(static_view(URL, "n1"))
    conn = _Conn("PARTITION_BY_ATTRIBUTE", "customer")
    for value in values[:20]:
        expected = None if before[value] == "n1" else before[value]
        assert _route(router, conn, _ff(customer=value)) == expected
