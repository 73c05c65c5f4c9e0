"""The flow, kept in NiFi's own flow definition shape (a VersionedProcessGroup in ``flowContents``).

Keeping NiFi's JSON as the model means a downloaded flow round-trips unchanged, unknown fields
included; ``Flow`` indexes it and fills NiFi's defaults where a file leaves them out.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Component = dict[str, Any]

GROUP_LISTS = {"processors": "PROCESSOR", "inputPorts": "INPUT_PORT", "outputPorts": "OUTPUT_PORT",
               "funnels": "FUNNEL", "labels": "LABEL", "connections": "CONNECTION",
               "processGroups": "PROCESS_GROUP", "remoteProcessGroups": "REMOTE_PROCESS_GROUP",
               "controllerServices": "CONTROLLER_SERVICE"}

PROCESSOR_DEFAULTS: dict[str, Any] = {
    "properties": {}, "propertyDescriptors": {}, "style": {}, "comments": "",
    "schedulingPeriod": "0 sec", "schedulingStrategy": "TIMER_DRIVEN", "executionNode": "ALL",
    "penaltyDuration": "30 sec", "yieldDuration": "1 sec", "bulletinLevel": "WARN", "runDurationMillis": 0,
    "concurrentlySchedulableTaskCount": 1, "autoTerminatedRelationships": [], "scheduledState": "ENABLED",
    "retryCount": 10, "retriedRelationships": [], "backoffMechanism": "PENALIZE_FLOWFILE",
    "maxBackoffPeriod": "10 mins", "position": {"x": 0.0, "y": 0.0},
}
CONNECTION_DEFAULTS: dict[str, Any] = {
    "name": "", "selectedRelationships": [], "backPressureObjectThreshold": 10000,
    "backPressureDataSizeThreshold": "1 GB", "flowFileExpiration": "0 sec", "prioritizers": [], "bends": [],
    "labelIndex": 1, "zIndex": 0, "loadBalanceStrategy": "DO_NOT_LOAD_BALANCE", "partitioningAttribute": "",
    "loadBalanceCompression": "DO_NOT_COMPRESS",
}
#: NiFi's LoadBalanceStrategy and LoadBalanceCompression values (VersionedConnection).
LOAD_BALANCE_STRATEGIES = ("DO_NOT_LOAD_BALANCE", "ROUND_ROBIN", "PARTITION_BY_ATTRIBUTE", "SINGLE_NODE")
LOAD_BALANCE_COMPRESSIONS = ("DO_NOT_COMPRESS", "COMPRESS_ATTRIBUTES_ONLY", "COMPRESS_ATTRIBUTES_AND_CONTENT")
PORT_DEFAULTS: dict[str, Any] = {"concurrentlySchedulableTaskCount": 1, "scheduledState": "ENABLED",
                                 "allowRemoteAccess": False, "comments": "", "position": {"x": 0.0, "y": 0.0}}
SERVICE_DEFAULTS: dict[str, Any] = {"properties": {}, "propertyDescriptors": {}, "scheduledState": "DISABLED",
                                    "comments": "", "controllerServiceApis": []}
GROUP_DEFAULTS: dict[str, Any] = {"comments": "", "position": {"x": 0.0, "y": 0.0}, "variables": {},
                                  "flowFileConcurrency": "UNBOUNDED",
                                  "flowFileOutboundPolicy": "STREAM_WHEN_AVAILABLE",
                                  "defaultFlowFileExpiration": "0 sec",
                                  "defaultBackPressureObjectThreshold": 10000,
                                  "defaultBackPressureDataSizeThreshold": "1 GB"}


@dataclass
class Located:
    kind: str
    component: Component
    group: Component  # the group that contains it (the root group contains itself)


def new_id() -> str:
    return str(uuid.uuid4())


def empty_flow(name: str = "NiFi Flow") -> dict[str, Any]:
    return {"flowContents": {"identifier": new_id(), "name": name, "componentType": "PROCESS_GROUP",
                             **copy.deepcopy(GROUP_DEFAULTS), **{key: [] for key in GROUP_LISTS}},
            "parameterContexts": {}, "externalControllerServices": {}, "parameterProviders": {},
            "flowEncodingVersion": "1.0"}


class Flow:
    """An indexed flow definition. Mutate the dicts, then call ``reindex``."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.index: dict[str, Located] = {}
        self.reindex()

    @property
    def root(self) -> Component:
        root: Component = self.document["flowContents"]
        return root

    def reindex(self) -> None:
        self.index = {}
        self._index_group(self.root, self.root)

    def _index_group(self, group: Component, parent: Component) -> None:
        self.index[group["identifier"]] = Located("PROCESS_GROUP", group, parent)
        for key, value in GROUP_DEFAULTS.items():
            if key not in group:  # deep-copy only what is missing: reindex runs on every edit
                group[key] = copy.deepcopy(value)
        for list_name, kind in GROUP_LISTS.items():
            for component in group.setdefault(list_name, []):
                if kind == "PROCESS_GROUP":
                    self._index_group(component, group)
                    continue
                defaults = {"PROCESSOR": PROCESSOR_DEFAULTS, "CONNECTION": CONNECTION_DEFAULTS,
                            "INPUT_PORT": PORT_DEFAULTS, "OUTPUT_PORT": PORT_DEFAULTS,
                            "CONTROLLER_SERVICE": SERVICE_DEFAULTS}.get(kind, {})
                for key, value in defaults.items():
                    if key not in component:
                        component[key] = copy.deepcopy(value)
                component.setdefault("componentType", kind)
                component["groupIdentifier"] = group["identifier"]
                if "identifier" in component:
                    self.index.setdefault(component["identifier"], Located(kind, component, group))

    def find(self, component_id: str) -> Located | None:
        return self.index.get(component_id)

    def groups(self) -> Iterator[Component]:
        return (loc.component for loc in self.index.values() if loc.kind == "PROCESS_GROUP")

    def of_kind(self, kind: str) -> Iterator[Located]:
        return (loc for loc in self.index.values() if loc.kind == kind)

    def services_in_scope(self, group: Component) -> dict[str, Component]:
        """Controller services a component of ``group`` may reference: its group's and its ancestors'."""
        found: dict[str, Component] = {}
        loc = self.find(group["identifier"])
        current = group
        while True:
            for service in current.get("controllerServices", []):
                found.setdefault(service["identifier"], service)
            if loc is None or loc.group is loc.component:
                return found
            current = loc.group
            loc = self.find(current["identifier"])

    def parameters_for(self, group: Component) -> dict[str, str]:
        """Parameter values visible to a group: its own context and the contexts that one inherits
        (as in NiFi, a child group does not see its parent's context unless bound to it)."""
        contexts = self.document.get("parameterContexts") or {}
        name = group.get("parameterContextName")
        values: dict[str, str] = {}
        pending = [name] if name else []
        seen: set[str] = set()
        while pending:
            context = contexts.get(pending.pop(0)) or {}
            if context.get("name") in seen:
                continue
            seen.add(context.get("name", ""))
            for parameter in context.get("parameters", []):
                if parameter.get("value") is not None:
                    values.setdefault(parameter["name"], parameter["value"])
            pending.extend(context.get("inheritedParameterContexts", []))
        return values
