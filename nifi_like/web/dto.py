"""NiFi's REST shapes (entities wrapping DTOs) built from the flow model and the run-time state."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cluster.coordinator import Coordinator
from cluster.placement import INSTANCES_FIELD, execution_of, placed_nodes
from nifi_like.api.controller_service import ControllerService
from nifi_like.api.processor import Processor
from nifi_like.api.properties import ExpressionLanguageScope, PropertyDescriptor
from nifi_like.api.relationship import Relationship
from nifi_like.api.units import format_data_size
from nifi_like.engine.node import Node
from nifi_like.flow.editor import SENSITIVE_MASK, FlowEditor
from nifi_like.flow.model import Component, Located
from nifi_like.web.revisions import RevisionStore

JsonObj = dict[str, Any]
PERMISSIONS: JsonObj = {"canRead": True, "canWrite": True}
#: NiFi's descriptions of each Expression Language scope, as its descriptors report them.
EL_SCOPES = {ExpressionLanguageScope.NONE: "Not Supported",
             ExpressionLanguageScope.ENVIRONMENT: "Environment variables defined at JVM level and system properties",
             ExpressionLanguageScope.FLOWFILE_ATTRIBUTES: "Environment variables and FlowFile Attributes"}
CONNECTABLE_LISTS = {"PROCESSOR": "processors", "INPUT_PORT": "inputPorts", "OUTPUT_PORT": "outputPorts",
                     "FUNNEL": "funnels"}


@functools.cache
def engine_version() -> str:
    try:
        return version("nifi-like")
    except PackageNotFoundError:
        return "0.0.0"


def bundle() -> JsonObj:
    """Every processor of nifi_like reports NiFi's standard bundle, so NiFi flow files match it."""
    return {"group": "org.apache.nifi", "artifact": "nifi-standard-nar", "version": engine_version()}


def clock() -> str:
    """NiFi's short time stamp ("HH:mm:ss z") used in status and listings."""
    return time.strftime("%H:%M:%S UTC", time.gmtime())


def count_size(count: int, size: int) -> str:
    return f"{count:,} ({format_data_size(size)})"


def position(component: Component) -> JsonObj:
    pos = component.get("position") or {}
    return {"x": float(pos.get("x") or 0.0), "y": float(pos.get("y") or 0.0)}


class Shapes:
    """Builds entities; one per request, so validation results are computed once per processor."""

    def __init__(self, editor: FlowEditor, revisions: RevisionStore) -> None:
        self.editor = editor
        self.controller = editor.controller
        self.revisions = revisions

    @property
    def root_id(self) -> str:
        return str(self.controller.flow.root["identifier"])

    def revision(self, component_id: str) -> JsonObj:
        return self.revisions.get(component_id).to_json()

    def problems(self, processor_id: str) -> list[str]:
        return self.editor.problems(processor_id)

    def _envelope(self, component: Component, group_id: str) -> JsonObj:
        component_id = str(component["identifier"])
        return {"id": component_id, "uri": "", "revision": self.revision(component_id), "permissions": PERMISSIONS,
                "position": position(component),
                "bulletins": [bulletin_entity(b) for b in self.controller.bulletins.for_component(component_id)]}

    # -- controller services -------------------------------------------------------------
    def controller_service(self, loc: Located) -> JsonObj:
        comp = loc.component
        service_id = str(comp["identifier"])
        group_id = str(loc.group["identifier"])
        controller = self.controller
        cls = controller.registry.resolve_service(str(comp.get("type")))
        node = controller.services.nodes.get(service_id)
        state = node.state if node is not None else "DISABLED"
        problems = controller.service_problems(service_id) if node is not None and state != "ENABLED" else []
        properties = comp.get("properties") or {}
        descriptors = {d.name: descriptor_dto(d) for d in cls.property_descriptors()} if cls else {}
        values = {name: properties.get(name, d["defaultValue"]) for name, d in descriptors.items()}
        values.update({k: v for k, v in properties.items() if k not in values})
        values = controller.sensitivity.mask(comp, values, "CONTROLLER_SERVICE")
        references = [{"id": n.id, "component": {"id": n.id, "name": n.name, "type": n.type_name,
                                                 "referenceType": "Processor", "groupId": n.group_id,
                                                 "state": n.run_state, "activeThreadCount": n.active_threads},
                       "revision": self.revision(n.id)} for n in controller.referencing(service_id)]
        apis = [{"type": base.type_name(), "bundle": bundle()} for base in (cls.__mro__[1:] if cls else ())
                if base is not ControllerService and isinstance(base, type) and issubclass(base, ControllerService)]
        dto: JsonObj = {
            "id": service_id, "parentGroupId": group_id, "name": comp.get("name") or "", "type": comp.get("type"),
            "bundle": comp.get("bundle") or bundle(), "comments": comp.get("comments") or "", "state": state,
            "properties": values, "descriptors": descriptors, "referencingComponents": references,
            "controllerServiceApis": apis, "persistsState": False, "restricted": False, "deprecated": False,
            "multipleVersionsAvailable": False, "supportsSensitiveDynamicProperties": False,
            "extensionMissing": cls is None, "validationStatus": "INVALID" if problems else "VALID",
        }
        if problems:
            dto["validationErrors"] = problems
        entity = self._envelope(comp, group_id)
        entity.update({"parentGroupId": group_id, "component": dto,
                       "status": {"runStatus": state, "validationStatus": dto["validationStatus"]},
                       "operatePermissions": PERMISSIONS})
        return entity

    # -- processors ----------------------------------------------------------------------
    def run_status(self, node: Node | None, invalid: bool) -> str:
        state = node.run_state if node is not None else "STOPPED"
        if state == "RUNNING":
            return "Running"
        if state == "DISABLED":
            return "Disabled"
        return "Invalid" if invalid else "Stopped"

    def processor(self, loc: Located) -> JsonObj:
        comp = loc.component
        proc_id = str(comp["identifier"])
        group_id = str(loc.group["identifier"])
        node = self.controller.nodes.get(proc_id)
        cls = self.controller.registry.resolve(str(comp.get("type")))
        problems = self.problems(proc_id)
        state = node.run_state if node is not None else "STOPPED"
        properties = comp.get("properties") or {}
        dto: JsonObj = {
            "id": proc_id, "parentGroupId": group_id, "position": position(comp), "name": comp.get("name") or "",
            "type": comp.get("type"), "bundle": comp.get("bundle") or bundle(), "state": state,
            "style": comp.get("style") or {}, "comments": comp.get("comments") or "",
            "relationships": self._relationships(cls, comp),
            "supportsParallelProcessing": cls is not None and not cls.trigger_serially,
            "supportsBatching": False, "supportsSensitiveDynamicProperties": False, "persistsState": False,
            "restricted": bool(cls is not None and cls.restrictions), "deprecated": False,
            "isExtensionMissing": cls is None,
            "executionNodeRestricted": bool(cls is not None and cls.primary_node_only),
            "multipleVersionsAvailable": False,
            "inputRequirement": cls.input_requirement.value if cls is not None else "INPUT_ALLOWED",
            "config": self._processor_config(cls, comp, properties),
            "validationStatus": "INVALID" if problems else "VALID",
            "extensionMissing": cls is None,
        }
        if problems:
            dto["validationErrors"] = problems
        placement = self._placement(comp, cls)
        if placement is not None:
            dto["nifiLikePlacement"] = placement
        entity = self._envelope(comp, group_id)
        entity.update({"component": dto, "inputRequirement": dto["inputRequirement"],
                       "status": self.processor_status(comp, group_id, node, bool(problems)),
                       "operatePermissions": PERMISSIONS})
        return entity

    def _placement(self, comp: Component, cls: type[Processor] | None) -> JsonObj | None:
        """In a cluster: how and on which nodes the processor runs (None on a standalone node)."""
        coordinator = self.controller.cluster
        if not isinstance(coordinator, Coordinator):
            return None
        primary_only = bool(cls is not None and cls.primary_node_only)
        nodes = placed_nodes(comp, primary_only, coordinator.members(), coordinator.placement())
        return {"execution": execution_of(comp, primary_only), "nodes": nodes,
                "runsHere": coordinator.local_node_id in nodes}

    @staticmethod
    def _relationships(cls: type[Processor] | None, comp: Component) -> list[JsonObj]:
        if cls is None:
            return []
        terminated = set(comp.get("autoTerminatedRelationships") or [])
        retried = set(comp.get("retriedRelationships") or [])
        return [{"name": r.name, "description": r.description, "autoTerminate": r.name in terminated,
                 "retry": r.name in retried} for r in relationships_of(cls, comp.get("properties") or {})]

    def _processor_config(self, cls: type[Processor] | None, comp: Component, properties: dict[str, Any]) -> JsonObj:
        descriptors: dict[str, JsonObj] = {}
        values: dict[str, Any] = {}
        if cls is not None:
            info = declared(cls)
            descriptors.update(info.descriptor_dtos)
            for descriptor in info.descriptors:
                values[descriptor.name] = properties.get(descriptor.name, descriptor.default)
            for name, value in properties.items():
                if name not in descriptors:
                    dynamic = cls.dynamic_property_descriptor(name) or PropertyDescriptor(name, dynamic=True)
                    descriptors[name] = descriptor_dto(dynamic)
                    values[name] = value
        else:
            values = dict(properties)
        values = self.controller.sensitivity.mask(comp, values)
        return {
            "properties": values, "descriptors": descriptors, "sensitiveDynamicPropertyNames": [],
            "schedulingPeriod": str(comp.get("schedulingPeriod")), "schedulingStrategy": comp.get("schedulingStrategy"),
            "executionNode": comp.get("executionNode") or "ALL", "penaltyDuration": comp.get("penaltyDuration"),
            INSTANCES_FIELD: comp.get(INSTANCES_FIELD) or 0,
            "yieldDuration": comp.get("yieldDuration"), "bulletinLevel": comp.get("bulletinLevel"),
            "runDurationMillis": comp.get("runDurationMillis") or 0,
            "concurrentlySchedulableTaskCount": comp.get("concurrentlySchedulableTaskCount"),
            "autoTerminatedRelationships": list(comp.get("autoTerminatedRelationships") or []),
            "comments": comp.get("comments") or "", "lossTolerant": False,
            "defaultConcurrentTasks": {"TIMER_DRIVEN": "1", "CRON_DRIVEN": "1"},
            "defaultSchedulingPeriod": {"TIMER_DRIVEN": cls.default_scheduling_period if cls else "0 sec",
                                        "CRON_DRIVEN": "* * * * * ?"},
            "retryCount": comp.get("retryCount"), "retriedRelationships": list(comp.get("retriedRelationships") or []),
            "backoffMechanism": comp.get("backoffMechanism"), "maxBackoffPeriod": comp.get("maxBackoffPeriod"),
        }

    def processor_status(self, comp: Component, group_id: str, node: Node | None, invalid: bool) -> JsonObj:
        stats = node.stats.snapshot() if node is not None else {}
        snapshot = {
            "id": comp["identifier"], "groupId": group_id, "name": comp.get("name") or "",
            "type": str(comp.get("type")).rsplit(".", 1)[-1], "runStatus": self.run_status(node, invalid),
            "executionNode": "PRIMARY" if comp.get("executionNode") == "PRIMARY" else "ALL",
            **snapshot_counters(stats),
            "activeThreadCount": node.active_threads if node is not None else 0, "terminatedThreadCount": 0,
        }
        return {"id": comp["identifier"], "groupId": group_id, "name": snapshot["name"],
                "runStatus": snapshot["runStatus"], "statsLastRefreshed": clock(), "aggregateSnapshot": snapshot}

    # -- connections ---------------------------------------------------------------------
    def connection(self, loc: Located) -> JsonObj:
        comp = loc.component
        conn_id = str(comp["identifier"])
        group_id = str(loc.group["identifier"])
        source, destination = self.connectable(comp["source"]), self.connectable(comp["destination"])
        source_loc = self.controller.flow.find(source["id"])
        available = [r["name"] for r in self._relationships(
            self.controller.registry.resolve(str(source_loc.component.get("type"))), source_loc.component)] \
            if source_loc is not None and source_loc.kind == "PROCESSOR" else []
        dto = {
            "id": conn_id, "parentGroupId": group_id, "position": position(comp), "source": source,
            "destination": destination, "name": comp.get("name") or "", "labelIndex": comp.get("labelIndex", 1),
            "zIndex": comp.get("zIndex", 0), "selectedRelationships": [r for r in comp.get("selectedRelationships") or []
                                                                       if r],
            "availableRelationships": available,
            "backPressureObjectThreshold": comp.get("backPressureObjectThreshold"),
            "backPressureDataSizeThreshold": comp.get("backPressureDataSizeThreshold"),
            "flowFileExpiration": comp.get("flowFileExpiration"), "prioritizers": list(comp.get("prioritizers") or []),
            "bends": list(comp.get("bends") or []), "loadBalanceStrategy": comp.get("loadBalanceStrategy"),
            "loadBalancePartitionAttribute": comp.get("partitioningAttribute") or "",
            "loadBalanceCompression": comp.get("loadBalanceCompression"),
            "loadBalanceStatus": self.load_balance_status(comp),
        }
        entity = self._envelope(comp, group_id)
        del entity["bulletins"]
        entity.update({
            "component": dto, "status": self.connection_status(comp, group_id, source, destination),
            "bends": dto["bends"], "labelIndex": dto["labelIndex"], "zIndex": dto["zIndex"],
            "sourceId": source["id"], "sourceGroupId": source["groupId"], "sourceType": source["type"],
            "destinationId": destination["id"], "destinationGroupId": destination["groupId"],
            "destinationType": destination["type"],
        })
        return entity

    def load_balance_status(self, comp: Component) -> str:
        """NiFi's: not configured; inactive (nothing waiting to move); active (FlowFiles moving)."""
        if (comp.get("loadBalanceStrategy") or "DO_NOT_LOAD_BALANCE") == "DO_NOT_LOAD_BALANCE":
            return "LOAD_BALANCE_NOT_CONFIGURED"
        conn = self.controller.connections.get(str(comp["identifier"]))
        moving = conn is not None and any(p.count for p in conn.partitions.values())
        return "LOAD_BALANCE_ACTIVE" if moving else "LOAD_BALANCE_INACTIVE"

    def connectable(self, ref: dict[str, Any]) -> JsonObj:
        loc = self.controller.flow.find(str(ref.get("id")))
        if loc is None:
            return {"id": ref.get("id"), "groupId": ref.get("groupId") or "", "type": ref.get("type") or "FUNNEL",
                    "name": ref.get("name") or "", "running": False, "exists": False}
        node = self.controller.nodes.get(str(ref["id"]))
        return {"id": ref["id"], "groupId": loc.group["identifier"], "type": loc.kind,
                "name": loc.component.get("name") or loc.kind.title(),
                "running": node is not None and node.run_state == "RUNNING", "exists": True,
                "comments": loc.component.get("comments") or ""}

    def connection_status(self, comp: Component, group_id: str, source: JsonObj, destination: JsonObj) -> JsonObj:
        conn = self.controller.connections.get(str(comp["identifier"]))
        count, size = (conn.count, conn.bytes) if conn is not None else (0, 0)
        count_limit = conn.object_threshold if conn is not None else 0
        size_limit = conn.size_threshold if conn is not None else 0
        snapshot = {
            "id": comp["identifier"], "groupId": group_id, "name": comp.get("name") or "",
            "sourceId": source["id"], "sourceName": source["name"], "destinationId": destination["id"],
            "destinationName": destination["name"], "flowFilesQueued": count, "bytesQueued": size,
            "queued": count_size(count, size), "queuedCount": f"{count:,}", "queuedSize": format_data_size(size),
            "percentUseCount": min(100, count * 100 // count_limit) if count_limit else 0,
            "percentUseBytes": min(100, size * 100 // size_limit) if size_limit else 0,
            "flowFileAvailability": "ACTIVE_QUEUE_EMPTY" if not count else "FLOWFILE_AVAILABLE",
            "loadBalanceStatus": self.load_balance_status(comp),
        }
        return {"id": comp["identifier"], "groupId": group_id, "name": snapshot["name"], "statsLastRefreshed": clock(),
                "sourceId": source["id"], "sourceName": source["name"], "destinationId": destination["id"],
                "destinationName": destination["name"], "aggregateSnapshot": snapshot}

    # -- ports, funnels, labels ----------------------------------------------------------
    def port(self, loc: Located) -> JsonObj:
        comp = loc.component
        port_id = str(comp["identifier"])
        group_id = str(loc.group["identifier"])
        node = self.controller.nodes.get(port_id)
        state = node.run_state if node is not None else "STOPPED"
        invalid = node is not None and not node.outgoing and state == "STOPPED"
        run_status = self.run_status(node, invalid)
        stats = node.stats.snapshot() if node is not None else {}
        counters = snapshot_counters(stats)
        snapshot = {"id": port_id, "groupId": group_id, "name": comp.get("name") or "", "runStatus": run_status,
                    "activeThreadCount": node.active_threads if node is not None else 0,
                    **{k: counters[k] for k in ("flowFilesIn", "bytesIn", "input", "flowFilesOut", "bytesOut",
                                                "output")}}
        dto = {"id": port_id, "parentGroupId": group_id, "position": position(comp), "name": comp.get("name") or "",
               "comments": comp.get("comments") or "", "state": state, "type": loc.kind, "transmitting": False,
               "concurrentlySchedulableTaskCount": comp.get("concurrentlySchedulableTaskCount", 1),
               "allowRemoteAccess": bool(comp.get("allowRemoteAccess")), "portFunction": comp.get("portFunction")
               or "STANDARD"}
        if invalid:
            dto["validationErrors"] = [f"'{dto['name']}' has no outgoing connection"]
        entity = self._envelope(comp, group_id)
        entity.update({"component": dto, "portType": loc.kind, "allowRemoteAccess": dto["allowRemoteAccess"],
                       "operatePermissions": PERMISSIONS,
                       "status": {"id": port_id, "groupId": group_id, "name": dto["name"], "runStatus": run_status,
                                  "transmitting": False, "statsLastRefreshed": clock(), "aggregateSnapshot": snapshot}})
        return entity

    def funnel(self, loc: Located) -> JsonObj:
        comp = loc.component
        entity = self._envelope(comp, str(loc.group["identifier"]))
        del entity["bulletins"]
        entity["component"] = {"id": comp["identifier"], "parentGroupId": loc.group["identifier"],
                               "position": position(comp)}
        return entity

    def label(self, loc: Located) -> JsonObj:
        comp = loc.component
        width, height = float(comp.get("width") or 150.0), float(comp.get("height") or 150.0)
        entity = self._envelope(comp, str(loc.group["identifier"]))
        del entity["bulletins"]
        entity.update({"dimensions": {"width": width, "height": height}, "zIndex": comp.get("zIndex", 0),
                       "component": {"id": comp["identifier"], "parentGroupId": loc.group["identifier"],
                                     "position": position(comp), "label": comp.get("label") or "",
                                     "width": width, "height": height, "zIndex": comp.get("zIndex", 0),
                                     "style": comp.get("style") or {}}})
        return entity

    # -- process groups ------------------------------------------------------------------
    def _group_parent(self, group: Component) -> str | None:
        loc = self.controller.flow.find(str(group["identifier"]))
        if loc is None or loc.group is group:
            return None
        return str(loc.group["identifier"])

    # -- parameter contexts --------------------------------------------------------------
    def context_reference(self, name: str) -> JsonObj | None:
        context = self.editor.parameter_contexts().get(name)
        if context is None:
            return None
        return {"id": context["identifier"], "permissions": PERMISSIONS,
                "component": {"id": context["identifier"], "name": name}}

    def parameter_context(self, context: Component) -> JsonObj:
        context_id = str(context["identifier"])
        name = str(context["name"])
        reference = {"id": context_id, "component": {"id": context_id, "name": name}}
        parameters = [{"canWrite": True, "parameter": {
            "name": p.get("name"), "description": p.get("description") or "", "sensitive": bool(p.get("sensitive")),
            "value": SENSITIVE_MASK if p.get("sensitive") and p.get("value") is not None else p.get("value"),
            "provided": False, "inherited": False, "referencingComponents": [], "parameterContext": reference,
        }} for p in context.get("parameters", [])]
        inherited = [self.context_reference(str(n)) for n in context.get("inheritedParameterContexts", [])]
        return {"id": context_id, "uri": "", "revision": self.revision(context_id), "permissions": PERMISSIONS,
                "component": {
                    "id": context_id, "name": name, "description": context.get("description") or "",
                    "parameters": parameters, "inheritedParameterContexts": [r for r in inherited if r],
                    "boundProcessGroups": [{"id": g["identifier"], "permissions": PERMISSIONS,
                                            "component": {"id": g["identifier"], "name": g.get("name") or ""}}
                                           for g in self.editor.bound_groups(name)],
                    "parameterProviderConfiguration": None}}

    def group_counts(self, group: Component) -> JsonObj:
        counts = dict.fromkeys(("runningCount", "stoppedCount", "invalidCount", "disabledCount"), 0)
        for proc in group.get("processors", []):
            node = self.controller.nodes.get(proc["identifier"])
            status = self.run_status(node, bool(self.problems(proc["identifier"])))
            counts[f"{status.lower()}Count"] = counts.get(f"{status.lower()}Count", 0) + 1
        for list_name in ("inputPorts", "outputPorts"):
            for port in group.get(list_name, []):
                node = self.controller.nodes.get(port["identifier"])
                state = node.run_state if node is not None else "STOPPED"
                counts[{"RUNNING": "runningCount", "DISABLED": "disabledCount"}.get(state, "stoppedCount")] += 1
        for child in group.get("processGroups", []):
            for key, value in self.group_counts(child).items():
                counts[key] += value
        return counts

    def process_group(self, group: Component) -> JsonObj:
        group_id = str(group["identifier"])
        counts = self.group_counts(group)
        dto = {
            "id": group_id, "parentGroupId": self._group_parent(group), "position": position(group),
            "name": group.get("name") or "", "comments": group.get("comments") or "",
            "flowfileConcurrency": group.get("flowFileConcurrency"),
            "flowfileOutboundPolicy": group.get("flowFileOutboundPolicy"),
            "defaultFlowFileExpiration": group.get("defaultFlowFileExpiration"),
            "defaultBackPressureObjectThreshold": group.get("defaultBackPressureObjectThreshold"),
            "defaultBackPressureDataSizeThreshold": group.get("defaultBackPressureDataSizeThreshold"),
            "executionEngine": group.get("executionEngine") or "STANDARD",
            **counts, "activeRemotePortCount": 0, "inactiveRemotePortCount": 0,
            "upToDateCount": 0, "locallyModifiedCount": 0, "staleCount": 0, "locallyModifiedAndStaleCount": 0,
            "syncFailureCount": 0, "inputPortCount": len(group.get("inputPorts", [])),
            "outputPortCount": len(group.get("outputPorts", [])),
            "localInputPortCount": len(group.get("inputPorts", [])),
            "localOutputPortCount": len(group.get("outputPorts", [])),
            "publicInputPortCount": 0, "publicOutputPortCount": 0,
        }
        if group.get("parameterContextName"):
            dto["parameterContext"] = self.context_reference(str(group["parameterContextName"]))
        entity = self._envelope(group, dto["parentGroupId"] or group_id)
        del entity["bulletins"]
        entity.update({"component": dto, "status": self.group_status(group, recursive=False, details=False),
                       **counts, "activeRemotePortCount": 0, "inactiveRemotePortCount": 0,
                       "inputPortCount": dto["inputPortCount"], "outputPortCount": dto["outputPortCount"],
                       "localInputPortCount": dto["inputPortCount"], "localOutputPortCount": dto["outputPortCount"],
                       "publicInputPortCount": 0, "publicOutputPortCount": 0, "bulletins": []})
        return entity

    def group_status(self, group: Component, *, recursive: bool, details: bool = True) -> JsonObj:
        snapshot = self._group_snapshot(group, recursive=recursive, details=details)
        return {"id": group["identifier"], "name": group.get("name") or "", "statsLastRefreshed": clock(),
                "aggregateSnapshot": snapshot}

    def _group_snapshot(self, group: Component, *, recursive: bool, details: bool) -> JsonObj:
        """Totals over the group and its descendants; per-component snapshots of this group if ``details``."""
        group_id = str(group["identifier"])
        totals = dict.fromkeys(("flowFilesQueued", "bytesQueued", "activeThreadCount", "flowFilesIn", "bytesIn",
                                "flowFilesOut", "bytesOut", "bytesRead", "bytesWritten"), 0)
        for current in _walk(group):
            for conn in current.get("connections", []):
                runtime = self.controller.connections.get(conn["identifier"])
                if runtime is not None:
                    totals["flowFilesQueued"] += runtime.count
                    totals["bytesQueued"] += runtime.bytes
            for list_name in ("processors", "inputPorts", "outputPorts", "funnels"):
                for comp in current.get(list_name, []):
                    node = self.controller.nodes.get(comp["identifier"])
                    if node is None:
                        continue
                    totals["activeThreadCount"] += node.active_threads
                    if list_name == "processors":
                        stats = node.stats.snapshot()
                        totals["bytesRead"] += stats["read_bytes"]
                        totals["bytesWritten"] += stats["written_bytes"]
        for port in group.get("inputPorts", []):
            node = self.controller.nodes.get(port["identifier"])
            if node is not None:
                stats = node.stats.snapshot()
                totals["flowFilesIn"] += stats["in_count"]
                totals["bytesIn"] += stats["in_bytes"]
        for port in group.get("outputPorts", []):
            node = self.controller.nodes.get(port["identifier"])
            if node is not None:
                stats = node.stats.snapshot()
                totals["flowFilesOut"] += stats["out_count"]
                totals["bytesOut"] += stats["out_bytes"]
        snapshot: JsonObj = {
            "id": group_id, "name": group.get("name") or "", **totals,
            "queued": count_size(totals["flowFilesQueued"], totals["bytesQueued"]),
            "queuedCount": f"{totals['flowFilesQueued']:,}", "queuedSize": format_data_size(totals["bytesQueued"]),
            "input": count_size(totals["flowFilesIn"], totals["bytesIn"]),
            "output": count_size(totals["flowFilesOut"], totals["bytesOut"]),
            "read": format_data_size(totals["bytesRead"]), "written": format_data_size(totals["bytesWritten"]),
            "terminatedThreadCount": 0, "flowFilesTransferred": 0, "bytesTransferred": 0,
            "flowFilesReceived": 0, "bytesReceived": 0, "flowFilesSent": 0, "bytesSent": 0,
        }
        if details:
            snapshot.update(self._group_details(group, recursive))
        return snapshot

    def _group_details(self, group: Component, recursive: bool) -> JsonObj:
        group_id = str(group["identifier"])
        connections = []
        for conn in group.get("connections", []):
            source, destination = self.connectable(conn["source"]), self.connectable(conn["destination"])
            status = self.connection_status(conn, group_id, source, destination)
            connections.append({"id": conn["identifier"], "groupId": group_id,
                                "connectionStatusSnapshot": status["aggregateSnapshot"]})
        processors = []
        for proc in group.get("processors", []):
            node = self.controller.nodes.get(proc["identifier"])
            status = self.processor_status(proc, group_id, node, bool(self.problems(proc["identifier"])))
            processors.append({"id": proc["identifier"], "groupId": group_id,
                               "processorStatusSnapshot": status["aggregateSnapshot"]})
        ports: dict[str, list[JsonObj]] = {"INPUT_PORT": [], "OUTPUT_PORT": []}
        for list_name, kind in (("inputPorts", "INPUT_PORT"), ("outputPorts", "OUTPUT_PORT")):
            for port in group.get(list_name, []):
                entity = self.port(Located(kind, port, group))
                ports[kind].append({"id": port["identifier"], "groupId": group_id,
                                    "portStatusSnapshot": entity["status"]["aggregateSnapshot"]})
        children = [{"id": child["identifier"],
                     "processGroupStatusSnapshot": self._group_snapshot(child, recursive=recursive, details=recursive)}
                    for child in group.get("processGroups", [])]
        return {"connectionStatusSnapshots": connections, "processorStatusSnapshots": processors,
                "processGroupStatusSnapshots": children, "inputPortStatusSnapshots": ports["INPUT_PORT"],
                "outputPortStatusSnapshots": ports["OUTPUT_PORT"], "remoteProcessGroupStatusSnapshots": []}

    def group_flow(self, group: Component) -> JsonObj:
        group_id = str(group["identifier"])
        flow = {
            "processGroups": [self.process_group(g) for g in group.get("processGroups", [])],
            "remoteProcessGroups": [],
            "processors": [self.processor(Located("PROCESSOR", p, group)) for p in group.get("processors", [])],
            "inputPorts": [self.port(Located("INPUT_PORT", p, group)) for p in group.get("inputPorts", [])],
            "outputPorts": [self.port(Located("OUTPUT_PORT", p, group)) for p in group.get("outputPorts", [])],
            "connections": [self.connection(Located("CONNECTION", c, group)) for c in group.get("connections", [])],
            "labels": [self.label(Located("LABEL", lb, group)) for lb in group.get("labels", [])],
            "funnels": [self.funnel(Located("FUNNEL", f, group)) for f in group.get("funnels", [])],
        }
        return {"permissions": PERMISSIONS, "processGroupFlow": {
            "id": group_id, "uri": "", "parentGroupId": self._group_parent(group),
            "breadcrumb": self._breadcrumb(group), "flow": flow, "lastRefreshed": clock()}}

    def _breadcrumb(self, group: Component) -> JsonObj:
        crumb: JsonObj = {"id": group["identifier"], "permissions": PERMISSIONS,
                          "breadcrumb": {"id": group["identifier"], "name": group.get("name") or ""}}
        parent_id = self._group_parent(group)
        parent = self.controller.flow.find(parent_id) if parent_id else None
        if parent is not None:
            crumb["parentBreadcrumb"] = self._breadcrumb(parent.component)
        return crumb


def _walk(group: Component) -> Iterable[Component]:
    pending = [group]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(current.get("processGroups", []))


def snapshot_counters(stats: dict[str, int]) -> JsonObj:
    get = stats.get
    return {
        "bytesRead": get("read_bytes", 0), "bytesWritten": get("written_bytes", 0),
        "read": format_data_size(get("read_bytes", 0)), "written": format_data_size(get("written_bytes", 0)),
        "flowFilesIn": get("in_count", 0), "bytesIn": get("in_bytes", 0),
        "input": count_size(get("in_count", 0), get("in_bytes", 0)),
        "flowFilesOut": get("out_count", 0), "bytesOut": get("out_bytes", 0),
        "output": count_size(get("out_count", 0), get("out_bytes", 0)),
        "taskCount": get("tasks", 0), "tasksDurationNanos": get("task_nanos", 0), "tasks": f"{get('tasks', 0):,}",
        "tasksDuration": time.strftime("%H:%M:%S", time.gmtime(get("task_nanos", 0) // 1_000_000_000)) + ".000",
    }


@dataclass(frozen=True)
class Declared:
    """What a processor class declares, turned into DTOs once (classes do not change at run time)."""

    descriptors: list[PropertyDescriptor]
    descriptor_dtos: dict[str, JsonObj]
    relationships: list[Relationship] | None  # None when they depend on the configuration


_DECLARED: dict[type[Processor], Declared] = {}


def declared(cls: type[Processor]) -> Declared:
    found = _DECLARED.get(cls)
    if found is None:
        descriptors = cls.property_descriptors()
        static = getattr(cls.relationships_for, "__func__", None) is getattr(
            Processor.relationships_for, "__func__", None)
        found = _DECLARED[cls] = Declared(descriptors, {d.name: descriptor_dto(d) for d in descriptors},
                                          cls.static_relationships() if static else None)
    return found


def relationships_of(cls: type[Processor], properties: dict[str, Any]) -> list[Relationship]:
    static = declared(cls).relationships
    return static if static is not None else cls.relationships_for(properties)


def descriptor_dto(descriptor: PropertyDescriptor) -> JsonObj:
    allowable = None
    if descriptor.allowable_values:
        allowable = []
        for value in descriptor.allowable_values:
            if isinstance(value, str):
                allowable.append({"allowableValue": {"displayName": value, "value": value}, "canRead": True})
            else:
                allowable.append({"allowableValue": {"displayName": value.display_name or value.value,
                                                     "value": value.value, "description": value.description},
                                  "canRead": True})
    return {"name": descriptor.name, "displayName": descriptor.display_name or descriptor.name,
            "description": descriptor.description, "defaultValue": descriptor.default,
            "allowableValues": allowable, "required": descriptor.required, "sensitive": descriptor.sensitive,
            "dynamic": descriptor.dynamic, "supportsEl": descriptor.supports_el,
            "expressionLanguageScope": EL_SCOPES[descriptor.expression_language], "dependencies": []}


def processor_type(cls: type[Processor]) -> JsonObj:
    return {"type": cls.type_name(), "bundle": bundle(), "description": cls.description(),
            "restricted": bool(cls.restrictions), "tags": list(cls.tags),
            "explicitRestrictions": [{"requiredPermission": {"id": r.replace(" ", "-"), "label": r}}
                                     for r in cls.restrictions]}


def bulletin_entity(bulletin: Any) -> JsonObj:
    timestamp = time.strftime("%H:%M:%S UTC", time.gmtime(bulletin.timestamp))
    return {"id": bulletin.id, "groupId": bulletin.group_id, "sourceId": bulletin.source_id, "timestamp": timestamp,
            "canRead": True, "bulletin": {
                "id": bulletin.id, "category": "Log Message", "groupId": bulletin.group_id,
                "sourceId": bulletin.source_id, "sourceName": bulletin.source_name, "level": bulletin.level,
                "message": bulletin.message, "timestamp": timestamp, "sourceType": "PROCESSOR"}}
