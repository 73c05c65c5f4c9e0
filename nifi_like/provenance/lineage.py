"""Lineage of a FlowFile: its ancestors and descendants as a networkx graph and as NiFi's LineageDTO.

The events are gathered by following parent and child uuids both ways from the FlowFile
(as NiFi's lineage query does), then laid out as NiFi lays them out: a FlowFile node where a
FlowFile is born (CREATE, RECEIVE, or as the child of FORK, JOIN, CLONE, REPLAY), an event
node per event, and links along each FlowFile's history in time order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from nifi_like.provenance.events import SPAWN_TYPES, ProvenanceEvent, format_time
from nifi_like.provenance.index import flowfile_uuids
from nifi_like.provenance.store import ProvenanceReader, ProvenanceStore

DEFAULT_MAX_EVENTS = 10_000
_TERMINAL = frozenset({"DROP", "EXPIRE"})


class LineageError(Exception):
    """The lineage cannot be computed (unknown FlowFile, or too large)."""


@dataclass
class Lineage:
    flowfile_uuid: str
    graph: Any  # nx.DiGraph: node ids are FlowFile uuids and "event:<id>"
    events: list[ProvenanceEvent]
    truncated: bool

    def parents_of(self, uuid: str) -> set[str]:
        """uuids of the FlowFiles this one was made from (FORK, CLONE, REPLAY parent; JOIN inputs)."""
        return {p for e in self.events if e.event_type in SPAWN_TYPES and uuid in e.child_uuids
                for p in e.parent_uuids} - {uuid}

    def children_of(self, uuid: str) -> set[str]:
        return {c for e in self.events if e.event_type in SPAWN_TYPES and uuid in e.parent_uuids
                for c in e.child_uuids} - {uuid}

    def ancestors(self, uuid: str) -> set[str]:
        """FlowFile uuids upstream of a FlowFile in the graph."""
        if uuid not in self.graph:
            return set()
        return {n for n in nx.ancestors(self.graph, uuid) if self.graph.nodes[n]["type"] == "FLOWFILE"}

    def descendants(self, uuid: str) -> set[str]:
        if uuid not in self.graph:
            return set()
        return {n for n in nx.descendants(self.graph, uuid) if self.graph.nodes[n]["type"] == "FLOWFILE"}

    def events_of(self, uuid: str) -> list[ProvenanceEvent]:
        return [e for e in self.events if e.flowfile_uuid == uuid]

    def to_dto(self) -> dict[str, Any]:
        """NiFi's LineageDTO results: ``{"nodes": [...], "links": [...]}``."""
        nodes = []
        for node_id, data in self.graph.nodes(data=True):
            nodes.append({key: value for key, value in data.items() if key != "order"} | {"id": node_id})
        nodes.sort(key=lambda node: (node["millis"], node["id"]))
        links = [{"sourceId": source, "targetId": target, "flowFileUuid": data["flowFileUuid"],
                  "millis": data["millis"], "timestamp": format_time(data["millis"])}
                 for source, target, data in self.graph.edges(data=True)]
        links.sort(key=lambda link: (link["millis"], link["sourceId"], link["targetId"]))
        return {"nodes": nodes, "links": links, "truncated": self.truncated}


def collect_events(reader: ProvenanceReader, uuid: str, max_events: int) -> tuple[list[ProvenanceEvent], bool]:
    """Every event linked to the FlowFile through parent/child uuids, both ways."""
    seen_uuids = {uuid}
    frontier = [uuid]
    events: dict[int, ProvenanceEvent] = {}
    while frontier:
        current = frontier.pop()
        for event in reader.events_for_flowfile(current):
            if event.event_id in events:
                continue
            events[event.event_id] = event
            if len(events) >= max_events:
                return sorted(events.values(), key=_order), True
            for other in flowfile_uuids(event):
                if other not in seen_uuids:
                    seen_uuids.add(other)
                    frontier.append(other)
    return sorted(events.values(), key=_order), False


def _order(event: ProvenanceEvent) -> tuple[int, bool, int]:
    # a session stamps its events alike; what ends a FlowFile comes after what it spawned
    return event.timestamp_ms, event.event_type in _TERMINAL, event.event_id


def build_graph(events: list[ProvenanceEvent]) -> Any:
    """NiFi's lineage layout (StandardLineageResult) of events sorted by time."""
    graph = nx.DiGraph()
    uuids = {u for event in events for u in flowfile_uuids(event)}
    last: dict[str, str] = {}  # FlowFile uuid -> the last node on its history

    def link(source: str, target: str, uuid: str, millis: int) -> None:
        graph.add_edge(source, target, flowFileUuid=uuid, millis=millis)

    def flowfile_node(uuid: str, event: ProvenanceEvent) -> str:
        graph.add_node(uuid, type="FLOWFILE", flowFileUuid=uuid, millis=event.timestamp_ms,
                       timestamp=format_time(event.timestamp_ms), parentUuids=[], childUuids=[],
                       eventType=None, clusterNodeIdentifier=None)
        return uuid

    for event in events:
        node = f"event:{event.event_id}"
        graph.add_node(node, type="EVENT", eventType=event.event_type, flowFileUuid=event.flowfile_uuid,
                       millis=event.timestamp_ms, timestamp=format_time(event.timestamp_ms),
                       parentUuids=list(event.parent_uuids), childUuids=list(event.child_uuids),
                       clusterNodeIdentifier=None)
        previous = last.get(event.flowfile_uuid)
        if previous is not None:
            via = previous_uuid(graph, previous) if event.event_type in ("JOIN", "CLONE", "REPLAY") \
                else event.flowfile_uuid
            link(previous, node, via, event.timestamp_ms)
        last[event.flowfile_uuid] = node
        if event.event_type in SPAWN_TYPES:
            for child in event.child_uuids:
                if child in uuids and child not in graph:
                    link(node, flowfile_node(child, event), child, event.timestamp_ms)
                    last[child] = child
            for parent in event.parent_uuids:
                before = last.get(parent)
                if before is not None and before != node:
                    link(before, node, parent, event.timestamp_ms)
                last[parent] = node
        elif event.event_type in ("CREATE", "RECEIVE") and event.flowfile_uuid not in graph:
            link(node, flowfile_node(event.flowfile_uuid, event), event.flowfile_uuid, event.timestamp_ms)
            last[event.flowfile_uuid] = event.flowfile_uuid
    return graph


def previous_uuid(graph: Any, node: str) -> str:
    return str(graph.nodes[node]["flowFileUuid"])


def compute_lineage(store: ProvenanceStore, uuid: str, *, max_events: int = DEFAULT_MAX_EVENTS) -> Lineage:
    with store.read() as reader:
        events, truncated = collect_events(reader, uuid, max_events)
    if not events:
        raise LineageError(f"no provenance events are stored for FlowFile {uuid}")
    return Lineage(uuid, build_graph(events), events, truncated)
