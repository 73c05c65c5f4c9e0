"""Edits of the live flow: add, change and remove components, all-or-nothing.

Every edit changes the flow model's dicts, checks the whole flow as a load would (so the saved
flow always loads again), and on a problem puts everything back before raising FlowError.
Then the run-time nodes and connections are synced and the flow is saved. Edits that conflict
with run-time state (a running processor, queued FlowFiles) raise ComponentStateError.

Callers hold ``editor.lock`` around an edit together with whatever they check first (the
REST layer checks revisions under it), so checks and edits do not interleave.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nifi_like.engine.controller import ComponentStateError, FlowController
from nifi_like.flow.errors import FlowConflict, FlowError
from nifi_like.flow.migration import migrate_groups, rename_aliases
from nifi_like.flow.model import GROUP_DEFAULTS, GROUP_LISTS, Component, Flow, Located, new_id
from nifi_like.flow.sensitive import MASK, keep_masked
from nifi_like.flow.validation import flow_problems, label, readiness_problems

LIST_OF_KIND = {kind: list_name for list_name, kind in GROUP_LISTS.items()}
KIND_NAMES = {"PROCESSOR": "Processor", "CONNECTION": "Connection", "PROCESS_GROUP": "Process Group",
              "INPUT_PORT": "Input Port", "OUTPUT_PORT": "Output Port", "FUNNEL": "Funnel", "LABEL": "Label",
              "PARAMETER_CONTEXT": "Parameter Context"}
#: Processor fields that may change while it runs (NiFi lets a running processor be moved).
RUNNING_SAFE_FIELDS = {"position", "style"}
SCHEDULE_STATES = ("RUNNING", "STOPPED", "ENABLED", "DISABLED")
CONTEXT_NAMESPACE = uuid.UUID("5d0c6a47-2f6e-4c1e-9a59-3f3c1f8f2b10")  # ids of contexts that have none
SENSITIVE_MASK = MASK  # what NiFi shows instead of a sensitive value
#: How long a processor's validation result is reused; validation may look outside the flow
#: (a directory that appears, say), so it is redone after this even when the flow is unchanged.
VALIDATION_TTL = 5.0


def _renumber(component: Component, ids: Mapping[str, str]) -> None:
    old = str(component.get("identifier"))
    component["identifier"] = ids[old]
    component.pop("instanceIdentifier", None)
    if component.get("scheduledState") == "RUNNING":
        component["scheduledState"] = "ENABLED"


def _merge_parameters(context: Component, changes: list[dict[str, Any]]) -> None:
    """NiFi's parameter update: a name alone removes the parameter; ``valueRemoved`` unsets the value;
    a null value, or a sensitive parameter's mask, keeps the value; other fields replace what was there."""
    parameters: list[dict[str, Any]] = context.setdefault("parameters", [])
    by_name = {p.get("name"): p for p in parameters}
    for change in changes:
        name = change["name"]
        if set(change) <= {"name"}:
            if name in by_name:
                parameters.remove(by_name.pop(name))
            continue
        current = by_name.get(name)
        if current is None:
            current = {"name": name, "description": "", "sensitive": False, "value": None}
            parameters.append(current)
            by_name[name] = current
        for key in ("description", "sensitive"):
            if change.get(key) is not None:
                current[key] = change[key]
        if change.get("valueRemoved"):
            current["value"] = None
        elif change.get("value") is not None and not (current.get("sensitive") and change["value"] == SENSITIVE_MASK):
            current["value"] = change["value"]


class ComponentNotFound(LookupError):
    def __init__(self, kind: str, component_id: str) -> None:
        super().__init__(f"Unable to find {KIND_NAMES.get(kind, kind.lower())} with id '{component_id}'.")
        self.kind = kind
        self.component_id = component_id

    def __str__(self) -> str:
        return str(self.args[0])


Undo = Callable[[], None]


class FlowEditor:
    """All changes of the flow made through the REST API go through here."""

    def __init__(self, controller: FlowController) -> None:
        self.controller = controller
        self.lock = asyncio.Lock()
        self._known_problems: set[str] | None = None
        self._baseline_flow: Flow | None = None
        self._readiness: dict[str, tuple[float, list[str]]] = {}
        self._readiness_flow: Flow | None = None

    @property
    def flow(self) -> Flow:
        return self.controller.flow

    # -- lookups -------------------------------------------------------------------------
    def resolve_group_id(self, group_id: str) -> str:
        return str(self.flow.root["identifier"]) if group_id == "root" else group_id

    def locate(self, component_id: str, kind: str) -> Located:
        """Find a component; every edit starts here, which is where the baseline is taken."""
        self._baseline()
        loc = self.flow.find(self.resolve_group_id(component_id) if kind == "PROCESS_GROUP" else component_id)
        if loc is None or loc.kind != kind:
            raise ComponentNotFound(kind, component_id)
        return loc

    def group(self, group_id: str) -> Component:
        return self.locate(group_id, "PROCESS_GROUP").component

    def is_running(self, component_id: str) -> bool:
        node = self.controller.nodes.get(component_id)
        return node is not None and self.controller.scheduler.is_scheduled(node)

    def descendants(self, group: Component) -> Iterable[Component]:
        """The group and every group inside it."""
        pending = [group]
        while pending:
            current = pending.pop()
            yield current
            pending.extend(current.get("processGroups", []))

    def problems(self, processor_id: str) -> list[str]:
        """Why a processor cannot run (empty when valid); reused until the flow changes or VALIDATION_TTL."""
        if self._readiness_flow is not self.flow:
            self._readiness = {}
            self._readiness_flow = self.flow
        now = time.monotonic()
        cached = self._readiness.get(processor_id)
        if cached is not None and now - cached[0] < VALIDATION_TTL:
            return cached[1]
        problems = readiness_problems(self.flow, self.controller.registry, processor_id, self.controller.file_roots,
                                      allow_execute_code=self.controller.settings.allow_execute_code)
        self._readiness[processor_id] = (now, problems)
        return problems

    # -- the all-or-nothing step ---------------------------------------------------------
    def _check(self, undo: Undo) -> None:
        """Check the changed flow as a load would; undo the change and raise FlowError on a new problem."""
        flow = self.flow
        flow.reindex()
        known = self._known_problems or set()
        problems = [p for p in flow_problems(flow, self.controller.registry) if p not in known]
        if problems:
            undo()
            flow.reindex()
            raise FlowError(problems, "the change")
        self._readiness = {}

    def _sync(self, undo: Undo) -> None:
        try:
            self.controller.sync_runtime()
        except Exception:
            undo()
            self.controller.sync_runtime()
            raise

    def _commit(self, undo: Undo) -> None:
        """Check the changed flow; keep the change (sync, save) or undo it and raise FlowError."""
        self._check(undo)
        self._sync(undo)
        self._save(undo)

    def _save(self, undo: Undo) -> None:
        """Save (and in a cluster publish) the flow; a refused publish (FlowConflict) undoes the change."""
        try:
            self.controller.save()
        except FlowConflict:
            undo()
            self.controller.sync_runtime()
            raise

    def _running_parameters(self) -> dict[str, dict[str, str]]:
        """The parameter values each running processor sees now (taken before a change)."""
        out: dict[str, dict[str, str]] = {}
        for loc in self.flow.of_kind("PROCESSOR"):
            if self.is_running(loc.component["identifier"]):
                out[loc.component["identifier"]] = self.flow.parameters_for(loc.group)
        return out

    async def _commit_restarting(self, undo: Undo, before: Mapping[str, Mapping[str, str]]) -> list[str]:
        """Commit a change of parameters: running processors that see other values are restarted
        (stopped, rebuilt with the new values, started), as NiFi's parameter update does."""
        self._check(undo)
        affected = []
        for processor_id, values in before.items():
            loc = self.flow.find(processor_id)
            if loc is not None and self.flow.parameters_for(loc.group) != values:
                affected.append(processor_id)
        for processor_id in affected:
            await self.controller.stop(processor_id, save=False)
        self._sync(undo)
        self._save(undo)
        for processor_id in affected:
            try:
                await self.controller.start(processor_id, save=False)
            except ComponentStateError as exc:
                node = self.controller.nodes[processor_id]
                self.controller.bulletins.add("WARNING", processor_id, node.name,
                                              f"not restarted after a parameter change: {exc}", node.group_id)
        self.controller.save()
        return affected

    def _baseline(self) -> None:
        """Problems the loaded flow already has (a newer check, say), so only new ones refuse an edit."""
        if self._baseline_flow is not self.flow:
            self.flow.reindex()
            self._known_problems = set(flow_problems(self.flow, self.controller.registry))
            self._baseline_flow = self.flow

    @staticmethod
    def _restore(component: Component) -> Undo:
        saved = copy.deepcopy(component)

        def undo() -> None:
            component.clear()
            component.update(saved)
        return undo

    @staticmethod
    def _chain(*undos: Undo) -> Undo:
        def undo() -> None:
            for step in undos:
                step()
        return undo

    @staticmethod
    def _unappend(items: list[Component], item: Component) -> Undo:
        return lambda: items.remove(item)

    @staticmethod
    def _reinsert(items: list[Component], removed: list[tuple[int, Component]]) -> Undo:
        def undo() -> None:
            for index, item in sorted(removed, key=lambda pair: pair[0]):
                items.insert(index, item)
        return undo

    def _remove_from(self, items: list[Component], ids: set[str]) -> Undo:
        removed = [(index, item) for index, item in enumerate(items) if item.get("identifier") in ids]
        items[:] = [item for item in items if item.get("identifier") not in ids]
        return self._reinsert(items, removed)

    # -- processors ----------------------------------------------------------------------
    def add_processor(self, group_id: str, type_name: str, fields: Mapping[str, Any]) -> Component:
        group = self.group(group_id)
        cls = self.controller.registry.resolve(type_name)
        if cls is None:
            known = ", ".join(c.type_name() for c in self.controller.registry.types())
            raise FlowError([f"unknown processor type '{type_name}' (known types: {known or 'none'})"], "the change")
        processor: Component = {
            "identifier": new_id(), "name": cls.__name__, "type": cls.type_name(), "componentType": "PROCESSOR",
            "properties": {d.name: d.default for d in cls.property_descriptors() if d.default is not None},
            "schedulingPeriod": cls.default_scheduling_period, "scheduledState": "ENABLED",
            "autoTerminatedRelationships": [r.name for r in cls.static_relationships() if r.auto_terminate_default],
        }
        self._merge_processor(processor, fields)
        group["processors"].append(processor)
        self._commit(self._unappend(group["processors"], processor))
        return processor

    def _merge_processor(self, processor: Component, fields: Mapping[str, Any]) -> None:
        for key, value in fields.items():
            if key == "properties":
                properties = processor.setdefault("properties", {})
                value = dict(value)
                component_cls = (self.controller.registry.resolve(str(processor.get("type")))
                                 or self.controller.registry.resolve_service(str(processor.get("type"))))
                if component_cls is not None:
                    rename_aliases(component_cls, value)
                hidden = self.controller.sensitivity.names(processor, str(processor.get("componentType")))
                for name, prop_value in keep_masked(properties, value, hidden.__contains__).items():
                    if prop_value is None:
                        properties.pop(name, None)
                    else:
                        properties[name] = prop_value
            else:
                processor[key] = copy.deepcopy(value)
        cls = self.controller.registry.resolve(str(processor.get("type")))
        if cls is not None and "autoTerminatedRelationships" in fields:
            names = {r.name for r in cls.relationships_for(processor.get("properties") or {})}
            unknown = sorted(set(processor["autoTerminatedRelationships"]) - names)
            if unknown:
                raise FlowError([f"{label(processor)}: cannot auto-terminate {', '.join(unknown)}: not a relationship "
                                 f"(it has: {', '.join(sorted(names))})"], "the change")

    def update_processor(self, processor_id: str, fields: Mapping[str, Any]) -> Component:
        processor = self.locate(processor_id, "PROCESSOR").component
        if self.is_running(processor_id) and set(fields) - RUNNING_SAFE_FIELDS:
            raise ComponentStateError(f"{label(processor)} is running; stop it before changing its configuration "
                                      f"({', '.join(sorted(set(fields) - RUNNING_SAFE_FIELDS))})")
        undo = self._restore(processor)
        try:
            self._merge_processor(processor, fields)
        except FlowError:
            undo()
            raise
        self._commit(undo)
        return processor

    def remove_processor(self, processor_id: str) -> None:
        loc = self.locate(processor_id, "PROCESSOR")
        processor = loc.component
        if self.is_running(processor_id):
            raise ComponentStateError(f"{label(processor)} is running; stop it before deleting it")
        incoming = [c for c in self._connections_touching(processor_id)
                    if c["destination"]["id"] == processor_id and c["source"]["id"] != processor_id]
        if incoming:
            raise ComponentStateError(f"{label(processor)} cannot be deleted: it is the destination of "
                                      f"{self._names(incoming)}; delete those connections first")
        outgoing = self._connections_touching(processor_id)
        for conn in outgoing:
            self._check_connection_removable(conn)
        undo_conns = self._remove_connections_in_groups({c["identifier"] for c in outgoing})
        undo_proc = self._remove_from(loc.group["processors"], {processor_id})
        self._commit(self._chain(undo_proc, undo_conns))

    # -- controller services ---------------------------------------------------------------
    def add_service(self, group_id: str, type_name: str, fields: Mapping[str, Any]) -> Component:
        group = self.group(group_id)
        cls = self.controller.registry.resolve_service(type_name)
        if cls is None:
            known = ", ".join(c.type_name() for c in self.controller.registry.service_types())
            raise FlowError([f"unknown controller service type '{type_name}' (known types: {known or 'none'})"],
                            "the change")
        service: Component = {
            "identifier": new_id(), "name": cls.__name__, "type": cls.type_name(),
            "componentType": "CONTROLLER_SERVICE", "scheduledState": "DISABLED",
            "properties": {d.name: d.default for d in cls.property_descriptors() if d.default is not None},
        }
        self._merge_processor(service, fields)
        group.setdefault("controllerServices", []).append(service)
        self._commit(self._unappend(group["controllerServices"], service))
        return service

    def _enabled(self, service_id: str) -> bool:
        node = self.controller.services.nodes.get(service_id)
        return node is not None and node.state == "ENABLED"

    def update_service(self, service_id: str, fields: Mapping[str, Any]) -> Component:
        service = self.locate(service_id, "CONTROLLER_SERVICE").component
        if self._enabled(service_id) and set(fields) - {"name", "comments"}:
            raise ComponentStateError(f"{label(service)} is enabled; disable it before changing its configuration")
        undo = self._restore(service)
        self._merge_processor(service, fields)
        self._commit(undo)
        return service

    def remove_service(self, service_id: str) -> None:
        loc = self.locate(service_id, "CONTROLLER_SERVICE")
        if self._enabled(service_id):
            raise ComponentStateError(f"{label(loc.component)} is enabled; disable it before deleting it")
        users = self.controller.referencing(service_id)
        if users:
            raise ComponentStateError(f"{label(loc.component)} is referenced by "
                                      f"{', '.join(f'{n.name}[{n.id}]' for n in users)}; change them first")
        self._commit(self._remove_from(loc.group["controllerServices"], {service_id}))

    # -- connections ---------------------------------------------------------------------
    def _connections_touching(self, component_id: str) -> list[Component]:
        return [loc.component for loc in self.flow.of_kind("CONNECTION")
                if component_id in (loc.component["source"]["id"], loc.component["destination"]["id"])]

    @staticmethod
    def _names(connections: Iterable[Component]) -> str:
        return ", ".join(f"connection '{c.get('name') or c['identifier']}'" for c in connections)

    def _remove_connections_in_groups(self, ids: set[str]) -> Undo:
        return self._chain(*(self._remove_from(group["connections"], ids) for group in self.flow.groups()
                             if any(c.get("identifier") in ids for c in group.get("connections", []))))

    def _check_connection_removable(self, conn: Component) -> None:
        runtime = self.controller.connections.get(conn["identifier"])
        if runtime is not None and (runtime.count or runtime.inflight):
            raise ComponentStateError(f"Cannot delete connection '{conn.get('name') or conn['identifier']}': its "
                                      f"queue holds {runtime.count} FlowFile(s) ({runtime.bytes} bytes); "
                                      "empty it first")
        for end in ("source", "destination"):
            end_id = conn[end]["id"]
            loc = self.flow.find(end_id)
            if loc is not None and loc.kind != "FUNNEL" and self.is_running(end_id):
                raise ComponentStateError(f"Cannot delete connection '{conn.get('name') or conn['identifier']}': "
                                          f"its {end} {label(loc.component)} is running")

    def _endpoint(self, group: Component, ref: Mapping[str, Any], end: str) -> dict[str, Any]:
        """A connection end as NiFi stores it, checked to be reachable from the connection's group."""
        end_id = str(ref.get("id") or "")
        loc = self.flow.find(end_id)
        if loc is None or loc.kind not in ("PROCESSOR", "INPUT_PORT", "OUTPUT_PORT", "FUNNEL"):
            raise FlowError([f"the {end} '{end_id}' of the connection does not exist"], "the change")
        owner = loc.group["identifier"]
        here = group["identifier"]
        child_port = "OUTPUT_PORT" if end == "source" else "INPUT_PORT"
        reachable = owner == here or (loc.kind == child_port and self.flow.find(owner) is not None
                                      and self.flow.index[owner].group["identifier"] == here)
        if not reachable:
            raise FlowError([f"the {end} {label(loc.component)} is not in group '{group.get('name')}'"
                             + (f" nor an {child_port.lower().replace('_', ' ')} of one of its child groups"
                                if loc.kind == child_port else "")], "the change")
        return {"id": end_id, "type": loc.kind, "groupId": owner, "name": loc.component.get("name") or "",
                "comments": loc.component.get("comments") or ""}

    def add_connection(self, group_id: str, source: Mapping[str, Any], destination: Mapping[str, Any],
                       fields: Mapping[str, Any]) -> Component:
        group = self.group(group_id)
        conn: Component = {"identifier": new_id(), "componentType": "CONNECTION",
                           "source": self._endpoint(group, source, "source"),
                           "destination": self._endpoint(group, destination, "destination"),
                           "backPressureObjectThreshold": group.get("defaultBackPressureObjectThreshold", 10000),
                           "backPressureDataSizeThreshold": group.get("defaultBackPressureDataSizeThreshold", "1 GB"),
                           "flowFileExpiration": group.get("defaultFlowFileExpiration", "0 sec")}
        for key, value in fields.items():
            conn[key] = copy.deepcopy(value)
        if conn["source"]["type"] != "PROCESSOR":
            conn["selectedRelationships"] = [""]
        group["connections"].append(conn)
        self._commit(self._unappend(group["connections"], conn))
        return conn

    def update_connection(self, connection_id: str, destination: Mapping[str, Any] | None,
                          fields: Mapping[str, Any]) -> Component:
        loc = self.locate(connection_id, "CONNECTION")
        conn = loc.component
        rewires = destination is not None and destination.get("id") != conn["destination"]["id"]
        if rewires or "selectedRelationships" in fields:
            for end_id in (conn["source"]["id"], conn["destination"]["id"], (destination or {}).get("id")):
                if end_id and self.is_running(str(end_id)):
                    end = self.flow.find(str(end_id))
                    raise ComponentStateError(f"Cannot change where connection '{conn.get('name') or connection_id}' "
                                              f"leads or what it selects while "
                                              f"{label(end.component) if end else end_id} is running")
        undo = self._restore(conn)
        if destination is not None and rewires:
            conn["destination"] = self._endpoint(loc.group, destination, "destination")
        for key, value in fields.items():
            conn[key] = copy.deepcopy(value)
        self._commit(undo)
        return conn

    def remove_connection(self, connection_id: str) -> None:
        loc = self.locate(connection_id, "CONNECTION")
        self._check_connection_removable(loc.component)
        self._commit(self._remove_from(loc.group["connections"], {connection_id}))

    # -- process groups ------------------------------------------------------------------
    def add_group(self, parent_id: str, fields: Mapping[str, Any]) -> Component:
        parent = self.group(parent_id)
        group: Component = {"identifier": new_id(), "componentType": "PROCESS_GROUP",
                            **copy.deepcopy(GROUP_DEFAULTS), **{key: [] for key in GROUP_LISTS}}
        for key, value in fields.items():
            group[key] = copy.deepcopy(value)
        parent["processGroups"].append(group)
        self._commit(self._unappend(parent["processGroups"], group))
        return group

    async def update_group(self, group_id: str, fields: Mapping[str, Any]) -> Component:
        """Change a group; a field set to None is removed (``parameterContextName``: unbind)."""
        group = self.group(group_id)
        before = self._running_parameters()
        undo = self._restore(group)
        for key, value in fields.items():
            if value is None:
                group.pop(key, None)
            else:
                group[key] = copy.deepcopy(value)
        await self._commit_restarting(undo, before)
        return group

    def remove_group(self, group_id: str) -> None:
        loc = self.locate(group_id, "PROCESS_GROUP")
        group = loc.component
        if group is self.flow.root:
            raise ComponentStateError("The root process group cannot be deleted")
        inside: set[str] = set()
        for current in self.descendants(group):
            for list_name in ("processors", "inputPorts", "outputPorts", "funnels"):
                inside.update(c["identifier"] for c in current.get(list_name, []))
            for conn in current.get("connections", []):
                runtime = self.controller.connections.get(conn["identifier"])
                if runtime is not None and (runtime.count or runtime.inflight):
                    raise ComponentStateError(f"Cannot delete process group '{group.get('name')}': connection "
                                              f"'{conn.get('name') or conn['identifier']}' inside it holds "
                                              f"{runtime.count} queued FlowFile(s); empty it first")
        running = [i for i in inside if self.is_running(i) and self.flow.find(i) is not None
                   and self.flow.index[i].kind != "FUNNEL"]
        if running:
            names = ", ".join(label(self.flow.index[i].component) for i in sorted(running)[:5])
            raise ComponentStateError(f"Cannot delete process group '{group.get('name')}': {names} "
                                      f"{'is' if len(running) == 1 else 'are'} running; stop the group first")
        outside = [c for c in loc.group.get("connections", [])
                   if c["source"]["id"] in inside or c["destination"]["id"] in inside]
        if outside:
            raise ComponentStateError(f"Cannot delete process group '{group.get('name')}': {self._names(outside)} "
                                      "outside it lead to or from its ports; delete those connections first")
        self._commit(self._remove_from(loc.group["processGroups"], {group["identifier"]}))

    def import_group(self, parent_id: str, document: Mapping[str, Any], name: str,
                     position: Mapping[str, float]) -> Component:
        """Add a flow definition's contents as a new child group, every component with a new id.

        As NiFi does on upload: components come in stopped (disabled ones stay disabled) and
        parameter contexts the flow does not have yet are added by name.
        """
        parent = self.group(parent_id)
        group: Component = copy.deepcopy(dict(document["flowContents"]))
        ids: dict[str, str] = {}
        for current in self.descendants(group):
            for list_name in GROUP_LISTS:
                members = current.get(list_name, [])
                if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
                    raise FlowError([f"'{list_name}' of group '{current.get('name')}' is not a list of objects"],
                                    "the uploaded flow")
                missing = [m for m in members if not m.get("identifier")]
                if missing:
                    raise FlowError([f"a component in {list_name} of group '{current.get('name')}' has no "
                                     "identifier"], "the uploaded flow")
            ids[str(current.get("identifier"))] = new_id()
            for list_name in GROUP_LISTS:
                if list_name == "processGroups":
                    continue
                for component in current.get(list_name, []):
                    ids[str(component.get("identifier"))] = new_id()
        for current in self.descendants(group):
            _renumber(current, ids)
            for service in current.get("controllerServices", []):
                service["scheduledState"] = "DISABLED"  # services come in disabled, as processors come in stopped
            for list_name in GROUP_LISTS:
                if list_name != "processGroups":
                    for component in current.get(list_name, []):
                        _renumber(component, ids)
            for conn in current.get("connections", []):
                for end in ("source", "destination"):
                    ref = conn.get(end) or {}
                    ref["id"] = ids.get(str(ref.get("id")), ref.get("id"))
                    ref["groupId"] = ids.get(str(ref.get("groupId")), ref.get("groupId"))
        group.update({"name": name, "position": dict(position), "componentType": "PROCESS_GROUP"})
        migrate_groups([group], self.controller.registry)
        self._relink_services(group, ids, document.get("externalControllerServices") or {}, parent)
        contexts = self.flow.document.setdefault("parameterContexts", {})
        added = [key for key in (document.get("parameterContexts") or {}) if key not in contexts]
        for key in added:
            contexts[key] = copy.deepcopy(document["parameterContexts"][key])
        parent["processGroups"].append(group)

        def undo() -> None:
            parent["processGroups"].remove(group)
            for key in added:
                contexts.pop(key, None)
        self._commit(undo)
        return group

    def _relink_services(self, group: Component, ids: Mapping[str, str], external: Mapping[str, Any],
                         parent: Component) -> None:
        """Point service-holding properties of an uploaded group at the services' new ids; a service
        the file lists as external is matched by name in the groups above, as NiFi does (else the
        reference stays unresolved and the component says so)."""
        services = {old for current in self.descendants(group)
                    for old, new in ids.items() for svc in current.get("controllerServices", [])
                    if svc.get("identifier") == new}
        above: dict[str, str] = {}
        for svc in self.flow.services_in_scope(parent).values():
            above.setdefault(str(svc.get("name")), str(svc.get("identifier")))
        mapping = {old: ids[old] for old in services}
        for ref, described in external.items():
            found = above.get(str((described or {}).get("name"))) if isinstance(described, dict) else None
            if found:
                mapping[str(ref)] = found
        for current in self.descendants(group):
            for component in (*current.get("processors", []), *current.get("controllerServices", [])):
                properties = component.get("properties") or {}
                for key, value in properties.items():
                    if isinstance(value, str) and value in mapping:
                        properties[key] = mapping[value]

    # -- parameter contexts (kept by name in the flow document, as NiFi's flow definitions do) --
    def parameter_contexts(self) -> dict[str, Component]:
        """The contexts by name; each gets a stable ``identifier`` (the REST API's id) if it has none."""
        self._baseline()
        contexts: dict[str, Component] = self.flow.document.setdefault("parameterContexts", {})
        for name, context in contexts.items():
            context.setdefault("name", name)
            if not context.get("identifier"):
                context["identifier"] = str(uuid.uuid5(CONTEXT_NAMESPACE, name))
        return contexts

    def parameter_context(self, context_id: str) -> Component:
        for context in self.parameter_contexts().values():
            if context["identifier"] == context_id:
                return context
        raise ComponentNotFound("PARAMETER_CONTEXT", context_id)

    def context_name(self, context_id: str) -> str:
        return str(self.parameter_context(context_id)["name"])

    def bound_groups(self, context_name: str) -> list[Component]:
        return [g for g in self.flow.groups() if g.get("parameterContextName") == context_name]

    def add_parameter_context(self, name: str, description: str, parameters: list[dict[str, Any]],
                              inherited_ids: list[str]) -> Component:
        contexts = self.parameter_contexts()
        if name in contexts:
            raise FlowError([f"a parameter context named '{name}' already exists"], "the change")
        context: Component = {"identifier": new_id(), "name": name, "description": description,
                              "parameters": [], "inheritedParameterContexts": [
                                  self.context_name(i) for i in inherited_ids]}
        _merge_parameters(context, parameters)
        contexts[name] = context

        def undo() -> None:
            contexts.pop(name, None)
        self._commit(undo)
        return context

    async def update_parameter_context(self, context_id: str, name: str | None, description: str | None,
                                       parameters: list[dict[str, Any]],
                                       inherited_ids: list[str] | None) -> list[str]:
        """Rename, describe, add/change/remove parameters, set inherited contexts; the ids of the
        running processors that were restarted to see the new values."""
        context = self.parameter_context(context_id)
        contexts = self.parameter_contexts()
        old_name = str(context["name"])
        if name is not None and name != old_name and name in contexts:
            raise FlowError([f"a parameter context named '{name}' already exists"], "the change")
        inherited = [self.context_name(i) for i in inherited_ids] if inherited_ids is not None else None
        if inherited is not None and old_name in inherited:
            raise FlowError([f"parameter context '{old_name}' cannot inherit from itself"], "the change")
        before = self._running_parameters()
        saved_contexts = copy.deepcopy(contexts)
        bindings = {g["identifier"]: g.get("parameterContextName") for g in self.flow.groups()}

        def undo() -> None:
            contexts.clear()
            contexts.update(saved_contexts)
            for group in self.flow.groups():
                if bindings.get(group["identifier"]) is not None:
                    group["parameterContextName"] = bindings[group["identifier"]]
        _merge_parameters(context, parameters)
        if description is not None:
            context["description"] = description
        if inherited is not None:
            context["inheritedParameterContexts"] = inherited
        if name is not None and name != old_name:
            context["name"] = name
            contexts[name] = contexts.pop(old_name)
            for group in self.bound_groups(old_name):
                group["parameterContextName"] = name
            for other in contexts.values():
                other["inheritedParameterContexts"] = [name if n == old_name else n
                                                       for n in other.get("inheritedParameterContexts", [])]
        return await self._commit_restarting(undo, before)

    def remove_parameter_context(self, context_id: str) -> None:
        context = self.parameter_context(context_id)
        name = str(context["name"])
        bound = self.bound_groups(name)
        if bound:
            raise ComponentStateError(f"Parameter context '{name}' cannot be deleted: process group(s) "
                                      f"{', '.join(repr(g.get('name')) for g in bound)} use it")
        heirs = [c["name"] for c in self.parameter_contexts().values() if name in
                 c.get("inheritedParameterContexts", [])]
        if heirs:
            raise ComponentStateError(f"Parameter context '{name}' cannot be deleted: {', '.join(heirs)} "
                                      "inherit from it")
        contexts = self.parameter_contexts()
        removed = contexts.pop(name)
        self._commit(lambda: contexts.__setitem__(name, removed))

    # -- ports, funnels, labels ----------------------------------------------------------
    def add_component(self, group_id: str, kind: str, fields: Mapping[str, Any]) -> Component:
        """Add an input/output port, a funnel or a label."""
        group = self.group(group_id)
        component: Component = {"identifier": new_id(), "componentType": kind, **copy.deepcopy(dict(fields))}
        if kind in ("INPUT_PORT", "OUTPUT_PORT"):
            component.setdefault("name", KIND_NAMES[kind])
            component["type"] = kind
            self._check_port_name(group, kind, component)
        items = group[LIST_OF_KIND[kind]]
        items.append(component)
        self._commit(self._unappend(items, component))
        return component

    def _check_port_name(self, group: Component, kind: str, port: Component) -> None:
        for other in group.get(LIST_OF_KIND[kind], []):
            if other is not port and other.get("name") == port.get("name"):
                raise FlowError([f"group '{group.get('name')}' already has an {KIND_NAMES[kind].lower()} named "
                                 f"'{port.get('name')}'"], "the change")

    def update_component(self, component_id: str, kind: str, fields: Mapping[str, Any]) -> Component:
        loc = self.locate(component_id, kind)
        component = loc.component
        if kind in ("INPUT_PORT", "OUTPUT_PORT") and self.is_running(component_id) \
                and set(fields) - RUNNING_SAFE_FIELDS:
            raise ComponentStateError(f"{label(component)} is running; stop it before changing it")
        undo = self._restore(component)
        for key, value in fields.items():
            component[key] = copy.deepcopy(value)
        if kind in ("INPUT_PORT", "OUTPUT_PORT"):
            try:
                self._check_port_name(loc.group, kind, component)
            except FlowError:
                undo()
                raise
        self._commit(undo)
        return component

    def remove_component(self, component_id: str, kind: str) -> None:
        loc = self.locate(component_id, kind)
        if kind != "LABEL":
            if kind != "FUNNEL" and self.is_running(component_id):
                raise ComponentStateError(f"{label(loc.component)} is running; stop it before deleting it")
            touching = self._connections_touching(component_id)
            if touching:
                raise ComponentStateError(f"{label(loc.component)} cannot be deleted: {self._names(touching)} "
                                          "lead to or from it; delete them first")
        self._commit(self._remove_from(loc.group[LIST_OF_KIND[kind]], {component_id}))

    # -- run state -----------------------------------------------------------------------
    async def set_run_state(self, component_id: str, state: str) -> None:
        """RUNNING, STOPPED (also enables a disabled component), DISABLED or RUN_ONCE, as NiFi's run-status."""
        controller = self.controller
        node = controller.nodes.get(component_id)
        if node is None:
            raise ComponentNotFound("PROCESSOR", component_id)
        if state == "RUNNING":
            await controller.start(component_id)
        elif state == "STOPPED":
            if node.run_state == "DISABLED":
                await controller.enable(component_id)
            else:
                await controller.stop(component_id)
        elif state == "DISABLED":
            await controller.disable(component_id)
        elif state == "RUN_ONCE":
            await controller.run_once(component_id)
        else:
            raise FlowError([f"run state '{state}' is not one of RUNNING, STOPPED, DISABLED, RUN_ONCE"], "the change")

    async def schedule_group(self, group_id: str, state: str) -> list[str]:
        """Start/stop (or enable/disable) every component in a group and below; the ids that changed."""
        group = self.group(group_id)
        ids = {c["identifier"] for g in self.descendants(group)
               for list_name in ("processors", "inputPorts", "outputPorts") for c in g.get(list_name, [])}
        before = {i: n.run_state for i, n in self.controller.nodes.items() if i in ids}
        if state in ("RUNNING", "STOPPED"):
            await self.controller.schedule_group(group["identifier"], state)
        elif state == "DISABLED":
            for component_id, run_state in before.items():
                if run_state == "STOPPED":
                    await self.controller.disable(component_id)
        elif state == "ENABLED":
            for component_id, run_state in before.items():
                if run_state == "DISABLED":
                    await self.controller.enable(component_id)
        else:
            raise FlowError([f"state '{state}' is not one of {', '.join(SCHEDULE_STATES)}"], "the change")
        return [i for i, run_state in before.items()
                if i in self.controller.nodes and self.controller.nodes[i].run_state != run_state]
