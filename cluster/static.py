"""``static://`` cluster addresses: a fixed list of nodes, for tests and hand-made clusters.

    static://n1@127.0.0.1:8081:6342,n2@127.0.0.1:8082:6343,n3@127.0.0.1:8083:6344

Each node is ``NODE_ID@ADDRESS:API_PORT:LOAD_BALANCE_PORT``; every node is CONNECTED. The
coordination layer (etcd) adds its own address scheme beside this one.
"""

from __future__ import annotations

from cluster.view import NodeInfo, StaticClusterView

SCHEME = "static://"


def parse_static_nodes(url: str) -> list[NodeInfo]:
    if not url.startswith(SCHEME):
        raise ValueError(f"cluster address '{url}' does not start with {SCHEME}")
    nodes: list[NodeInfo] = []
    for index, item in enumerate(url[len(SCHEME):].split(",")):
        node_id, at, rest = item.strip().partition("@")
        address, _, ports = rest.partition(":")
        api, _, load_balance = ports.partition(":")
        if not (at and node_id and address and api.isdigit() and load_balance.isdigit()):
            raise ValueError(f"cluster address '{url}': node {index + 1} '{item}' is not "
                             "NODE_ID@ADDRESS:API_PORT:LOAD_BALANCE_PORT")
        if any(n.node_id == node_id for n in nodes):
            raise ValueError(f"cluster address '{url}': node id '{node_id}' is listed twice")
        nodes.append(NodeInfo(node_id, address, int(api), int(load_balance)))
    return nodes


def static_view(url: str, local_node_id: str) -> StaticClusterView:
    return StaticClusterView(local_node_id, parse_static_nodes(url))
