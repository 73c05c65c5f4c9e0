"""Where a processor runs: on every node, on the primary only, or as N instances placed on nodes.

The execution is kept in the processor's flow JSON, in NiFi's shape: ``executionNode`` is "ALL"
(NiFi's default) or "PRIMARY", as in NiFi's VersionedProcessor; N instances is the extra field
``nifiLikeInstances`` (an integer >= 1) beside ``executionNode: "ALL"``. NiFi ignores a field it
does not know, so a flow stays loadable by NiFi (where the processor runs on all nodes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cluster.view import CONNECTED, NodeInfo
from cluster.view import PRIMARY as PRIMARY_ROLE

INSTANCES_FIELD = "nifiLikeInstances"
ALL = "ALL"
PRIMARY = "PRIMARY"
Execution = str | int  # ALL, PRIMARY or a number of instances


def execution_of(component: Mapping[str, Any], primary_node_only: bool = False) -> Execution:
    if primary_node_only or component.get("executionNode") == PRIMARY:
        return PRIMARY
    instances = component.get(INSTANCES_FIELD)
    if isinstance(instances, int) and not isinstance(instances, bool) and instances >= 1:
        return instances
    return ALL


def instances_wanted(processors: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Processor id -> instance count, for the processors that run as N instances."""
    out: dict[str, int] = {}
    for component in processors:
        execution = execution_of(component)
        if isinstance(execution, int):
            out[str(component["identifier"])] = execution
    return out


def place(wanted: Mapping[str, int], nodes: Iterable[str],
          current: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Place each processor's instances on distinct nodes, least-loaded first (load = instances
    placed on a node), keeping current placements on nodes still available, then move instances
    from the most to the least loaded node until the loads differ by at most one (a node that
    joins takes its share). Deterministic: ties go to the smaller node id."""
    available = sorted(set(nodes))
    if not available:
        return {pid: [] for pid in sorted(wanted)}
    placed: dict[str, list[str]] = {}
    load = {node: 0 for node in available}
    for pid in sorted(wanted):
        count = min(wanted[pid], len(available))
        kept = [n for n in dict.fromkeys(current.get(pid, [])) if n in load][:count]
        placed[pid] = kept
        for node in kept:
            load[node] += 1
    for pid in sorted(wanted):
        count = min(wanted[pid], len(available))
        while len(placed[pid]) < count:
            node = min((n for n in available if n not in placed[pid]), key=lambda n: (load[n], n))
            placed[pid].append(node)
            load[node] += 1
    for _ in range(sum(load.values())):
        busiest = max(available, key=lambda n: (load[n], n))
        idlest = min(available, key=lambda n: (load[n], n))
        if load[busiest] - load[idlest] <= 1:
            break
        movable = next((pid for pid in sorted(placed) if busiest in placed[pid] and idlest not in placed[pid]), None)
        if movable is None:
            break
        placed[movable] = [idlest if n == busiest else n for n in placed[movable]]
        load[busiest] -= 1
        load[idlest] += 1
    return {pid: sorted(nodes_) for pid, nodes_ in placed.items()}


def placed_nodes(component: Mapping[str, Any], primary_node_only: bool, members: Iterable[NodeInfo],
                 placement: Mapping[str, list[str]]) -> list[str]:
    """The node ids a processor runs on now: every connected node, the primary, or its placement."""
    execution = execution_of(component, primary_node_only)
    if execution == ALL:
        return [m.node_id for m in members if m.status == CONNECTED]
    if execution == PRIMARY:
        return [m.node_id for m in members if PRIMARY_ROLE in m.roles]
    return list(placement.get(str(component["identifier"]), []))
