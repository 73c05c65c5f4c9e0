"""The flow controller: the flow model, its run-time nodes and connections, and their lifecycle."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from nifi_like.api.files import FileRoots
from nifi_like.api.units import parse_data_size, parse_time_period
from nifi_like.config import Settings, engine_directories
from nifi_like.engine.connection import Connection, PartitionRouter
from nifi_like.engine.node import Node
from nifi_like.engine.partition import stored_partitions
from nifi_like.engine.passthrough import PassThrough
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.engine.scheduler import Scheduler
from nifi_like.engine.services import ServiceContext, ServiceDirectory, ServiceNode
from nifi_like.flow.cipher import PropertyCipher
from nifi_like.flow.errors import FlowError
from nifi_like.flow.migration import migrate_document
from nifi_like.flow.model import Flow, Located, empty_flow
from nifi_like.flow.sensitive import Sensitivity
from nifi_like.flow.store import FlowStore
from nifi_like.flow.validation import (
    flow_problems,
    label,
    property_problems,
    readiness_problems,
    service_reference_problems,
)
from nifi_like.monitoring.bulletins import BulletinBoard
from nifi_like.monitoring.history import HistoryRecorder
from nifi_like.provenance.service import ProvenanceRepository
from nifi_like.repository import Repository, keys

if TYPE_CHECKING:
    from cluster.view import ClusterView

log = logging.getLogger(__name__)
PORT_KINDS = ("INPUT_PORT", "OUTPUT_PORT", "FUNNEL")
PROVENANCE_SOURCE = "provenance-repository"  # the source id of the provenance repository's bulletins
CONTENT_SOURCE = "content-repository"  # and of the content repository's


class ComponentStateError(Exception):
    """A request conflicts with a component's state (NiFi answers these with 409)."""


class FlowController:
    def __init__(self, settings: Settings, *, registry: ProcessorRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or ProcessorRegistry()
        self.registry.allow_execute_code = settings.allow_execute_code
        self.sensitivity = Sensitivity(self.registry)
        cipher = PropertyCipher(settings.sensitive_props_key_file, settings.data_dir)  # refuses a misplaced key first
        self.repo = Repository(settings.data_dir, durability=settings.durability, map_size=settings.map_size,
                               inline_max=settings.inline_content_max, claim_file_max=settings.claim_file_max)
        self.bulletins = BulletinBoard(settings.bulletins_per_component)
        for number, references in self.repo.content.missing.items():
            message = (f"claim file {self.repo.content.file_path(number)} is missing, but {references} stored "
                       "reference(s) to it remain; the FlowFiles that need it are quarantined when read")
            log.error(message)
            self.bulletins.add("ERROR", CONTENT_SOURCE, "Content Repository", message)
        self.provenance = ProvenanceRepository(self.repo, max_age_s=settings.provenance_max_storage_time,
                                               max_bytes=settings.provenance_max_storage_size,
                                               report=self._provenance_bulletin)
        self.provenance.start()
        self.history = HistoryRecorder(self)
        self.history.start()
        self.file_roots = FileRoots.of(settings.file_roots, denied=engine_directories(settings))
        self.scheduler = Scheduler(self.repo, self.bulletins, self.file_roots, max_threads=settings.max_threads,
                                   administrative_yield=settings.administrative_yield,
                                   provenance=settings.provenance_enabled)
        self.store = FlowStore(settings.data_dir, (self.sensitivity, cipher))
        self.flow = Flow(empty_flow())
        self.nodes: dict[str, Node] = {}
        self.connections: dict[str, Connection] = {}
        self.services = ServiceDirectory()
        self._lock = asyncio.Lock()
        self.closed = False
        #: The cluster this node belongs to; None for a standalone node.
        self.cluster: ClusterView | None = None
        #: Called with the flow before each save; raising (FlowConflict) refuses the change.
        self.flow_publisher: Callable[[dict[str, Any]], None] | None = None
        #: Called with the ids of the components that a flow from the cluster changed.
        self.flow_listeners: list[Callable[[set[str]], None]] = []
        self.partition_router: PartitionRouter | None = None  # set by the cluster's load balancing

    def _provenance_bulletin(self, level: str, message: str) -> None:
        self.bulletins.add(level, PROVENANCE_SOURCE, "Provenance Repository", message)

    # -- loading -------------------------------------------------------------------------
    def check(self, document: dict[str, Any], source: str) -> Flow:
        """Validate a flow definition against this engine, without changing anything."""
        document = copy.deepcopy(document)
        migrate_document(document, self.registry)
        flow = Flow(document)
        problems = flow_problems(flow, self.registry)
        kept = {loc.component["identifier"] for loc in flow.of_kind("CONNECTION")}
        for conn_key, (count, size) in self.repo.queued_connection_keys().items():
            if not any(keys.component_key(cid) == conn_key for cid in kept):
                current = next((c for c in self.connections.values() if c.key == conn_key), None)
                name = f"'{current.name or current.id}'" if current else f"with key {conn_key.hex()}"
                problems.append(f"connection {name} holds {count} queued FlowFile(s) ({size} bytes) and is "
                                "missing from the new flow; empty it first")
        if problems:
            raise FlowError(problems, source)
        return flow

    async def load(self, document: dict[str, Any] | None, source: str = "flow") -> None:
        """Load a new flow (replacing and archiving the stored one), or the stored flow if None."""
        async with self._lock:
            if document is None:
                document = self.store.load() if self.store.exists() else empty_flow()
                source = self.store.path if self.store.exists() else source
                flow = self.check(document, source)
            else:
                flow = self.check(document, source)
                self.store.archive()
                self.store.save(flow.document)
            await self._stop_all()
            self.flow = flow
            self.sync_runtime()
            await self._resume()

    async def _resume(self) -> None:
        """Enable the services and start the components the flow records as ENABLED / RUNNING, as
        NiFi's auto-resume does."""
        for service in list(self.services.nodes.values()):
            loc = self.flow.find(service.id)
            if loc is not None and loc.component.get("scheduledState") == "ENABLED":
                try:
                    await self.enable_service(service.id, save=False)
                except ComponentStateError as exc:
                    self.bulletins.add("WARNING", service.id, service.name, f"not enabled: {exc}",
                                       service.group_id)
        for node in self.nodes.values():
            loc = self.flow.find(node.id)
            if loc is None:
                continue
            wanted = "RUNNING" if node.kind == "FUNNEL" else loc.component.get("scheduledState")
            if wanted == "DISABLED":
                node.run_state = "DISABLED"
            elif wanted == "RUNNING":
                problems = self._readiness(node)
                if problems:
                    for problem in problems:
                        self.bulletins.add("WARNING", node.id, node.name, f"not started: {problem}", node.group_id)
                    continue
                if not self.scheduler.permits(node):
                    continue  # runs elsewhere in the cluster (primary only, or placed on other nodes)
                try:
                    await self.scheduler.start(node)
                except Exception as exc:  # one processor failing on_scheduled must not stop the flow
                    self.bulletins.add("ERROR", node.id, node.name, f"not started: on_scheduled failed: {exc}",
                                       node.group_id)

    def save(self) -> None:
        if self.flow_publisher is not None:
            self.flow_publisher(self.flow.document)
        self.store.save(self.flow.document)

    # -- run-time model ------------------------------------------------------------------
    def sync_runtime(self) -> None:
        """Create, update and rewire nodes and connections so they match the flow model."""
        self.flow.reindex()
        wanted: dict[str, Located] = {loc.component["identifier"]: loc for kind in ("PROCESSOR", *PORT_KINDS)
                                      for loc in self.flow.of_kind(kind)}
        for node_id in list(self.nodes):
            if node_id not in wanted:
                del self.nodes[node_id]
        for node_id, loc in wanted.items():
            node = self.nodes.get(node_id)
            if node is None or node.run_state != "RUNNING":
                self.nodes[node_id] = self._make_node(loc, node)
        self._sync_services()
        conns = {loc.component["identifier"]: loc for loc in self.flow.of_kind("CONNECTION")}
        for conn_id in list(self.connections):
            if conn_id not in conns:
                del self.connections[conn_id]
        for conn_id, loc in conns.items():
            self._sync_connection(conn_id, loc.component)
        self._wire()

    def _sync_services(self) -> None:
        wanted = {loc.component["identifier"]: loc for loc in self.flow.of_kind("CONTROLLER_SERVICE")}
        nodes = self.services.nodes
        for service_id in list(nodes):
            if service_id not in wanted:
                if nodes[service_id].state == "ENABLED":
                    nodes[service_id].service.on_disabled()
                del nodes[service_id]
        for service_id, loc in wanted.items():
            current = nodes.get(service_id)
            if current is not None and current.state == "ENABLED":
                continue
            comp = loc.component
            cls = self.registry.resolve_service(str(comp["type"]))
            if cls is None:
                raise FlowError([f"{label(comp)}: unknown controller service type '{comp['type']}'"])
            nodes[service_id] = ServiceNode(service_id, comp.get("name") or cls.__name__, loc.group["identifier"],
                                            str(comp["type"]), cls(), comp.get("properties") or {},
                                            self.flow.parameters_for(loc.group))

    def _make_node(self, loc: Located, previous: Node | None) -> Node:
        comp = loc.component
        parameters = self.flow.parameters_for(loc.group)
        if loc.kind == "PROCESSOR":
            cls = self.registry.resolve(str(comp["type"]))
            if cls is None:
                raise FlowError([f"{label(comp)}: unknown processor type '{comp['type']}'"])
            node = Node(comp["identifier"], comp.get("name") or cls.__name__, "PROCESSOR", cls(),
                        group_id=loc.group["identifier"], type_name=str(comp["type"]),
                        properties=comp.get("properties") or {},
                        auto_terminated=frozenset(comp.get("autoTerminatedRelationships") or []),
                        penalty_ms=int(parse_time_period(comp["penaltyDuration"]) * 1000),
                        yield_ms=int(parse_time_period(comp["yieldDuration"]) * 1000),
                        scheduling_strategy=comp["schedulingStrategy"],
                        scheduling_period=str(comp["schedulingPeriod"]),
                        concurrent_tasks=int(comp["concurrentlySchedulableTaskCount"]),
                        run_duration_ms=int(comp.get("runDurationMillis") or 0), parameters=parameters)
            node.retried = frozenset(comp.get("retriedRelationships") or [])
            node.retry_count = int(comp.get("retryCount") or 0)
            node.backoff_mechanism = str(comp.get("backoffMechanism") or "PENALIZE_FLOWFILE")
            node.max_backoff_ms = int(parse_time_period(str(comp.get("maxBackoffPeriod") or "10 mins")) * 1000)
        else:
            node = Node(comp["identifier"], comp.get("name") or loc.kind.title(), loc.kind, PassThrough(loc.kind),
                        group_id=loc.group["identifier"], type_name=loc.kind,
                        concurrent_tasks=int(comp.get("concurrentlySchedulableTaskCount") or 1))
        node.service_lookup = self.services.instance
        if previous is not None:
            node.stats = previous.stats
            node.run_state = previous.run_state
        if loc.component.get("scheduledState") == "DISABLED":
            node.run_state = "DISABLED"
        return node

    def _sync_connection(self, conn_id: str, comp: dict[str, Any]) -> None:
        options = {
            "object_threshold": int(comp["backPressureObjectThreshold"]),
            "size_threshold": parse_data_size(str(comp["backPressureDataSizeThreshold"])),
            "expiration_ms": int(parse_time_period(str(comp["flowFileExpiration"])) * 1000),
            "prioritizers": list(comp.get("prioritizers") or []),
        }
        conn = self.connections.get(conn_id)
        if conn is None:
            conn = self.connections[conn_id] = Connection(
                self.repo, conn_id, name=comp.get("name") or "", window_max=self.settings.queue_window,
                **options)  # type: ignore[arg-type]
            conn.partitions = stored_partitions(self.repo, conn)
        else:
            conn.configure(**options)  # type: ignore[arg-type]
        conn.load_balance = (str(comp.get("loadBalanceStrategy") or "DO_NOT_LOAD_BALANCE"),
                             str(comp.get("partitioningAttribute") or ""),
                             str(comp.get("loadBalanceCompression") or "DO_NOT_COMPRESS"))
        conn.router = self.partition_router
        conn.name = comp.get("name") or ""
        conn.source_id = comp["source"]["id"]
        conn.destination_id = comp["destination"]["id"]
        conn.relationships = tuple(comp.get("selectedRelationships") or [])

    def _wire(self) -> None:
        incoming: dict[str, list[Connection]] = {node_id: [] for node_id in self.nodes}
        outgoing: dict[str, dict[str, list[Connection]]] = {node_id: {} for node_id in self.nodes}
        for conn in self.connections.values():
            source, destination = self.nodes.get(conn.source_id), self.nodes.get(conn.destination_id)
            if source is None or destination is None:
                continue
            incoming[destination.id].append(conn)
            for rel in conn.relationships if source.kind == "PROCESSOR" else ("",):
                outgoing[source.id].setdefault(rel, []).append(conn)
            conn.on_data = [destination.wake]
            conn.on_space = [source.wake]
        for node_id, node in self.nodes.items():
            node.incoming = incoming[node_id]
            node.outgoing = outgoing[node_id]

    # -- lifecycle -----------------------------------------------------------------------
    def node(self, component_id: str) -> Node:
        node = self.nodes.get(component_id)
        if node is None:
            raise KeyError(component_id)
        return node

    def _readiness(self, node: Node) -> list[str]:
        if node.kind == "PROCESSOR":
            return (readiness_problems(self.flow, self.registry, node.id, self.file_roots,
                                       allow_execute_code=self.settings.allow_execute_code)
                    + self._disabled_services(node))
        if not node.outgoing:
            return [f"{node.kind.replace('_', ' ').title()} '{node.name}' has no outgoing connection"]
        return []

    def _disabled_services(self, node: Node) -> list[str]:
        problems = []
        for descriptor in type(node.processor).property_descriptors():
            service_id = node.properties.get(descriptor.name) or descriptor.default
            service = self.services.nodes.get(service_id or "") if descriptor.controller_service else None
            if service is not None and service.state != "ENABLED":
                problems.append(f"{node.name}[{node.id}]: controller service {service.name}[{service.id}] "
                                "is not enabled")
        return problems

    # -- controller services --------------------------------------------------------------
    def service_problems(self, service_id: str) -> list[str]:
        service = self.services.nodes[service_id]
        loc = self.flow.find(service_id)
        assert loc is not None
        cls = type(service.service)
        where = label(loc.component)
        problems = property_problems(cls, service.properties, where, require=True)
        problems += service_reference_problems(self.flow, self.registry, loc.group, cls, service.properties, where)
        try:
            problems += [f"{where}: {p}" for p in service.service.custom_validate(service.properties)]
        except Exception as exc:
            problems.append(f"{where}: validation failed: {exc!r}")
        return problems

    async def enable_service(self, service_id: str, *, save: bool = True) -> None:
        service = self.services.nodes.get(service_id)
        if service is None:
            raise KeyError(service_id)
        if service.state == "ENABLED":
            return
        problems = self.service_problems(service_id)
        if problems:
            raise ComponentStateError(f"{service.name}[{service.id}] is not valid: " + "; ".join(problems))
        context = ServiceContext(service, self.services.instance)
        try:
            await asyncio.get_running_loop().run_in_executor(self.scheduler.executor, service.service.on_enabled,
                                                             context)
        except Exception as exc:
            raise ComponentStateError(f"{service.name}[{service.id}] failed to enable: {exc}") from exc
        service.state = "ENABLED"
        self._record_state(service_id, "ENABLED")
        if save:
            self.save()

    def referencing(self, service_id: str) -> list[Node]:
        """Processors whose properties name this service."""
        return [node for node in self.nodes.values() if node.kind == "PROCESSOR" and any(
            d.controller_service is not None and (node.properties.get(d.name) or d.default) == service_id
            for d in type(node.processor).property_descriptors())]

    async def disable_service(self, service_id: str) -> None:
        service = self.services.nodes.get(service_id)
        if service is None:
            raise KeyError(service_id)
        running = [n for n in self.referencing(service_id) if self.scheduler.is_scheduled(n)]
        if running:
            names = ", ".join(f"{n.name}[{n.id}]" for n in running)
            raise ComponentStateError(f"{service.name}[{service.id}] is referenced by running components: {names}; "
                                      "stop them first")
        if service.state == "ENABLED":
            await asyncio.get_running_loop().run_in_executor(self.scheduler.executor, service.service.on_disabled)
        service.state = "DISABLED"
        self._record_state(service_id, "DISABLED")
        self.save()

    def validation_errors(self, component_id: str) -> list[str]:
        return self._readiness(self.node(component_id))

    def _record_state(self, component_id: str, state: str) -> None:
        loc = self.flow.find(component_id)
        if loc is not None and loc.kind != "FUNNEL":
            loc.component["scheduledState"] = state

    async def start(self, component_id: str, *, save: bool = True) -> None:
        node = self.node(component_id)
        if node.run_state == "DISABLED":
            raise ComponentStateError(f"{node.name}[{node.id}] is disabled; enable it before starting it")
        if self.scheduler.is_scheduled(node):
            return
        problems = self._readiness(node)
        if problems:
            raise ComponentStateError(f"{node.name}[{node.id}] is not valid: " + "; ".join(problems))
        if not self.scheduler.permits(node):  # recorded as RUNNING; the nodes it is placed on run it
            self._record_state(component_id, "RUNNING")
            if save:
                self.save()
            return
        try:
            await self.scheduler.start(node)
        except Exception as exc:
            self.bulletins.add("ERROR", node.id, node.name, f"on_scheduled failed: {exc}", node.group_id)
            raise ComponentStateError(f"{node.name}[{node.id}] could not start: on_scheduled failed: {exc}") from exc
        self._record_state(component_id, "RUNNING")
        if save:
            self.save()

    async def run_once(self, component_id: str) -> None:
        """NiFi's Run Once: a stopped, valid processor is scheduled, triggered once and stopped again."""
        node = self.node(component_id)
        if node.run_state == "DISABLED":
            raise ComponentStateError(f"{node.name}[{node.id}] is disabled; enable it before running it once")
        if self.scheduler.is_scheduled(node):
            raise ComponentStateError(f"{node.name}[{node.id}] is running; stop it before running it once")
        if node.kind != "PROCESSOR":
            raise ComponentStateError(f"{node.name}[{node.id}] is not a processor; only processors run once")
        problems = self._readiness(node)
        if problems:
            raise ComponentStateError(f"{node.name}[{node.id}] is not valid: " + "; ".join(problems))
        try:
            await self.scheduler.run_once(node)
        except Exception as exc:
            self.bulletins.add("ERROR", node.id, node.name, f"on_scheduled failed: {exc}", node.group_id)
            raise ComponentStateError(f"{node.name}[{node.id}] could not run: on_scheduled failed: {exc}") from exc

    async def stop(self, component_id: str, *, save: bool = True) -> None:
        node = self.node(component_id)
        await self.scheduler.stop(node)
        if node.run_state != "DISABLED":
            self._record_state(component_id, "ENABLED")
        if save:
            self.save()

    async def disable(self, component_id: str) -> None:
        node = self.node(component_id)
        if self.scheduler.is_scheduled(node):
            raise ComponentStateError(f"{node.name}[{node.id}] is running; stop it before disabling it")
        node.run_state = "DISABLED"
        self._record_state(component_id, "DISABLED")
        self.save()

    async def enable(self, component_id: str) -> None:
        node = self.node(component_id)
        if node.run_state == "DISABLED":
            node.run_state = "STOPPED"
        self._record_state(component_id, "ENABLED")
        self.save()

    def _in_group(self, group_id: str) -> Iterable[Node]:
        ids = set()
        pending = [group_id]
        while pending:
            gid = pending.pop()
            ids.add(gid)
            loc = self.flow.find(gid)
            if loc is not None:
                pending += [g["identifier"] for g in loc.component.get("processGroups", [])]
        return [n for n in self.nodes.values() if n.group_id in ids]

    async def schedule_group(self, group_id: str, state: str) -> list[str]:
        """Start or stop every component of a group and its descendants; returns what was skipped."""
        skipped: list[str] = []
        for node in self._in_group(group_id):
            if node.run_state == "DISABLED":
                continue
            if state == "RUNNING":
                problems = self._readiness(node)
                if problems:
                    skipped += problems
                    continue
                await self.start(node.id, save=False)
            else:
                await self.stop(node.id, save=False)
        self.save()
        return skipped

    async def _stop_all(self) -> None:
        """Stop every component, then release every enabled service (their recorded states stay)."""
        await asyncio.gather(*(self.scheduler.stop(node) for node in self.nodes.values()))
        loop = asyncio.get_running_loop()
        for service in self.services.nodes.values():
            if service.state == "ENABLED":
                service.state = "DISABLED"
                try:
                    await loop.run_in_executor(self.scheduler.executor, service.service.on_disabled)
                except Exception as exc:
                    self.bulletins.add("ERROR", service.id, service.name, f"on_disabled failed: {exc!r}")

    async def shutdown(self) -> None:
        """Graceful stop: in-flight sessions finish and commit; the flow keeps its run states."""
        if self.closed:
            return
        self.closed = True
        async with self._lock:
            await self._stop_all()
        self.scheduler.shutdown()
        self.history.close()
        self.provenance.close()
        self.repo.close()

    # -- status --------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        connections = []
        for conn in self.connections.values():
            entry = {"id": conn.id, "name": conn.name, "source": conn.source_id,
                     "destination": conn.destination_id, "queued_count": conn.count,
                     "queued_bytes": conn.bytes, "object_threshold": conn.object_threshold,
                     "size_threshold": conn.size_threshold}
            if conn.partitions:  # FlowFiles waiting to go to other nodes, by node id
                entry["local_count"] = conn.local_count
                entry["partitions"] = {node_id: p.count for node_id, p in sorted(conn.partitions.items())}
            connections.append(entry)
        processors = []
        for node in self.nodes.values():
            if node.kind != "PROCESSOR":
                continue
            stats = node.stats.snapshot()
            run_status = node.run_state.title()
            if node.run_state == "STOPPED" and self._readiness(node):
                run_status = "Invalid"
            processors.append({"id": node.id, "name": node.name, "type": node.type_name, "run_status": run_status,
                               "in_count": stats["in_count"], "out_count": stats["out_count"],
                               "active_threads": node.active_threads})
        return {"connections": connections, "processors": processors}
