"""Checks of a flow definition: structure at load, and readiness of a processor to run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nifi_like.api.controller_service import ControllerService
from nifi_like.api.files import FileRoots
from nifi_like.api.processor import EXECUTE_CODE, Processor
from nifi_like.api.units import parse_data_size, parse_time_period
from nifi_like.engine import cron
from nifi_like.engine.prioritizers import PRIORITIZERS, short_name
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.model import LOAD_BALANCE_COMPRESSIONS, LOAD_BALANCE_STRATEGIES, Flow

CONNECTABLE = {"PROCESSOR", "INPUT_PORT", "OUTPUT_PORT", "FUNNEL"}
SCHEDULED_STATES = {"ENABLED", "DISABLED", "RUNNING"}
MAX_CONCURRENT_TASKS = 256  # each concurrent task is a thread
STRATEGIES = {"TIMER_DRIVEN", "CRON_DRIVEN", "EVENT_DRIVEN", "PRIMARY_NODE_ONLY"}


def label(component: Mapping[str, Any]) -> str:
    type_name = str(component.get("type") or component.get("componentType", "")).rsplit(".", 1)[-1]
    return f"{type_name}[{component.get('name') or ''}, {component.get('identifier')}]"


def property_problems(cls: type[Processor] | type[ControllerService], properties: Mapping[str, str | None],
                      where: str, *, require: bool) -> list[str]:
    """Invalid property values (and, with ``require``, missing required ones)."""
    problems: list[str] = []
    declared = {d.name: d for d in cls.property_descriptors()}
    for name, value in properties.items():
        descriptor = declared.get(name) or cls.dynamic_property_descriptor(name)
        if descriptor is None:
            # As in NiFi, a property the type does not have makes the component invalid; it only
            # stops a flow from loading when the component is to run (flows exported from NiFi
            # carry every property of its version, and come in stopped).
            if require:
                problems.append(f"Property '{name}' of {where}: is not a property of {cls.__name__}")
            continue
        reason = descriptor.check(value)
        if reason and (value not in (None, "")):
            if descriptor.sensitive and value and value in reason:
                reason = "the value is not valid (not shown: the property is sensitive)"
            problems.append(f"Property '{name}' of {where}: {reason}")
    if require:
        for name, descriptor in declared.items():
            if descriptor.required and descriptor.default is None and properties.get(name) in (None, ""):
                problems.append(f"Property '{name}' of {where}: is required")
    return problems


def scheduling_problems(processor: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    strategy = processor.get("schedulingStrategy")
    period = str(processor.get("schedulingPeriod"))
    if strategy not in STRATEGIES:
        problems.append(f"{where}: scheduling strategy '{strategy}' is not one of {', '.join(sorted(STRATEGIES))}")
    elif strategy == "CRON_DRIVEN":
        reason = cron.check(period)
        if reason and "#{" not in period:
            problems.append(f"{where}: {reason}")
    elif "#{" not in period:
        try:
            parse_time_period(period)
        except ValueError as exc:
            problems.append(f"{where}: scheduling period {exc}")
    if processor.get("backoffMechanism", "PENALIZE_FLOWFILE") not in ("PENALIZE_FLOWFILE", "YIELD_PROCESSOR"):
        problems.append(f"{where}: backoff mechanism '{processor.get('backoffMechanism')}' is not "
                        "PENALIZE_FLOWFILE or YIELD_PROCESSOR")
    for field in ("penaltyDuration", "yieldDuration", "maxBackoffPeriod"):
        try:
            parse_time_period(str(processor.get(field, "10 mins")))
        except ValueError as exc:
            problems.append(f"{where}: {field} {exc}")
    tasks = processor.get("concurrentlySchedulableTaskCount")
    if not isinstance(tasks, int) or not 1 <= tasks <= MAX_CONCURRENT_TASKS:
        problems.append(f"{where}: concurrent tasks '{tasks}' is not an integer from 1 to {MAX_CONCURRENT_TASKS}")
    if processor.get("scheduledState") not in SCHEDULED_STATES:
        problems.append(f"{where}: scheduled state '{processor.get('scheduledState')}' is not one of "
                        "ENABLED, DISABLED, RUNNING")
    return problems


def connection_problems(flow: Flow, registry: ProcessorRegistry) -> list[str]:
    problems: list[str] = []
    for loc in flow.of_kind("CONNECTION"):
        conn = loc.component
        where = f"Connection[{conn.get('name') or ''}, {conn.get('identifier')}]"
        for end in ("source", "destination"):
            ref = conn.get(end) or {}
            target = flow.find(str(ref.get("id")))
            if target is None or target.kind not in CONNECTABLE:
                problems.append(f"{where}: {end} '{ref.get('id')}' does not exist in the flow")
            elif ref.get("type") and ref.get("type") != target.kind:
                problems.append(f"{where}: {end} '{ref.get('id')}' is a {target.kind}, not a {ref.get('type')}")
        source = flow.find(str((conn.get("source") or {}).get("id")))
        if source is not None and source.kind == "PROCESSOR":
            cls = registry.resolve(str(source.component.get("type")))
            if cls is not None:
                names = {r.name for r in cls.relationships_for(source.component.get("properties") or {})}
                for rel in conn.get("selectedRelationships") or []:
                    if rel not in names:
                        problems.append(f"{where}: {label(source.component)} has no relationship '{rel}' "
                                        f"(it has: {', '.join(sorted(names))})")
                if not conn.get("selectedRelationships"):
                    problems.append(f"{where}: selects no relationship of {label(source.component)}")
        try:
            parse_data_size(str(conn.get("backPressureDataSizeThreshold")))
            parse_time_period(str(conn.get("flowFileExpiration")))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        if not isinstance(conn.get("backPressureObjectThreshold"), int):
            problems.append(f"{where}: back pressure object threshold "
                            f"'{conn.get('backPressureObjectThreshold')}' is not an integer")
        for name in conn.get("prioritizers") or []:
            if short_name(str(name)) not in PRIORITIZERS:
                problems.append(f"{where}: unknown prioritizer '{name}'")
        problems += load_balance_problems(conn, where)
    return problems


def load_balance_problems(conn: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    strategy = conn.get("loadBalanceStrategy")
    if strategy not in LOAD_BALANCE_STRATEGIES:
        problems.append(f"{where}: load balance strategy '{strategy}' is not one of "
                        f"{', '.join(LOAD_BALANCE_STRATEGIES)}")
    compression = conn.get("loadBalanceCompression")
    if compression not in LOAD_BALANCE_COMPRESSIONS:
        problems.append(f"{where}: load balance compression '{compression}' is not one of "
                        f"{', '.join(LOAD_BALANCE_COMPRESSIONS)}")
    if strategy == "PARTITION_BY_ATTRIBUTE" and not str(conn.get("partitioningAttribute") or "").strip():
        problems.append(f"{where}: load balance strategy PARTITION_BY_ATTRIBUTE needs a partitioning attribute")
    return problems


def flow_problems(flow: Flow, registry: ProcessorRegistry) -> list[str]:
    """Everything that makes a flow unloadable: unknown types, dangling references, bad values."""
    problems: list[str] = []
    seen: set[str] = set()
    for group in flow.groups():
        for list_name in ("processors", "inputPorts", "outputPorts", "funnels", "labels", "connections",
                          "processGroups"):
            for component in group.get(list_name, []):
                component_id = component.get("identifier")
                if not component_id:
                    problems.append(f"a component in {list_name} of group '{group.get('name')}' has no identifier")
                elif component_id in seen:
                    problems.append(f"identifier '{component_id}' is used by more than one component")
                seen.add(str(component_id))
    for loc in flow.of_kind("PROCESSOR"):
        proc = loc.component
        where = label(proc)
        cls = registry.resolve(str(proc.get("type")))
        if cls is None:
            problems.append(f"{where}: unknown processor type '{proc.get('type')}'")
            continue
        problems += restriction_problems(cls, where, registry.allow_execute_code)
        problems += property_problems(cls, proc.get("properties") or {}, where,
                                      require=proc.get("scheduledState") == "RUNNING")
        problems += scheduling_problems(proc, where)
    for loc in flow.of_kind("CONTROLLER_SERVICE"):
        service = loc.component
        service_cls = registry.resolve_service(str(service.get("type")))
        if service_cls is None:
            problems.append(f"{label(service)}: unknown controller service type '{service.get('type')}'")
            continue
        problems += property_problems(service_cls, service.get("properties") or {}, label(service),
                                      require=service.get("scheduledState") == "ENABLED")
    for loc in flow.of_kind("REMOTE_PROCESS_GROUP"):
        problems.append(f"{label(loc.component)}: remote process groups are not supported")
    return problems + connection_problems(flow, registry)


def parameter_problems(flow: Flow, group: Mapping[str, Any], properties: Mapping[str, str | None],
                       where: str) -> list[str]:
    """Parameters referenced by property values that the group's parameter context does not define."""
    from nifi_like import expression

    defined = flow.parameters_for(dict(group))
    problems: list[str] = []
    for name, value in properties.items():
        if not value or "#{" not in value:
            continue
        try:
            missing = [p for p in expression.parameter_references(value) if p not in defined]
        except ValueError as exc:
            problems.append(f"Property '{name}' of {where}: {exc}")
            continue
        context = group.get("parameterContextName")
        problems += [f"Property '{name}' of {where}: references parameter '{p}', which "
                     + (f"parameter context '{context}' does not define" if context else
                        "is not defined (the group has no parameter context)") for p in missing]
    return problems


def service_reference_problems(flow: Flow, registry: ProcessorRegistry, group: Mapping[str, Any],
                               cls: type[Processor] | type[ControllerService],
                               properties: Mapping[str, str | None], where: str) -> list[str]:
    """Properties naming controller services that are missing, of the wrong kind, or not enabled."""
    problems: list[str] = []
    in_scope = flow.services_in_scope(dict(group))
    for descriptor in cls.property_descriptors():
        wanted = descriptor.controller_service
        service_id = properties.get(descriptor.name) or descriptor.default
        if wanted is None or not service_id:
            continue
        service = in_scope.get(service_id)
        service_cls = registry.resolve_service(str(service.get("type"))) if service else None
        if service is None or service_cls is None:
            problems.append(f"Property '{descriptor.name}' of {where}: '{service_id}' is not a controller "
                            "service of this group or its parents")
        elif not issubclass(service_cls, wanted):
            problems.append(f"Property '{descriptor.name}' of {where}: {label(service)} is not a "
                            f"{wanted.__name__}")
        elif service.get("scheduledState") != "ENABLED":
            problems.append(f"Property '{descriptor.name}' of {where}: controller service {label(service)} "
                            "is not enabled")
    return problems


def path_problems(cls: type[Processor], properties: Mapping[str, str | None], where: str,
                  file_roots: FileRoots) -> list[str]:
    """File path properties whose value lies outside the file roots (values with expressions are
    checked once evaluated, by the processor, through context.allowed_path)."""
    problems: list[str] = []
    for descriptor in cls.file_path_properties:
        value = properties.get(descriptor.name) or descriptor.default
        if value and "${" not in value and "#{" not in value:
            problem = file_roots.problem(value, descriptor.name)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


EXECUTE_CODE_REFUSED = ("runs scripts or commands, which this engine refuses unless "
                        "[security] allow_execute_code = true in its configuration")


def restriction_problems(cls: type[Processor], where: str, allow_execute_code: bool) -> list[str]:
    """A processor restricted to EXECUTE_CODE (NiFi's @Restricted) while the configuration refuses it."""
    if EXECUTE_CODE in cls.restrictions and not allow_execute_code:
        return [f"{where}: {EXECUTE_CODE_REFUSED}"]
    return []


def readiness_problems(flow: Flow, registry: ProcessorRegistry, processor_id: str,
                       file_roots: FileRoots, *, allow_execute_code: bool = False) -> list[str]:
    """Why a processor cannot start: NiFi's validation (properties, unconnected relationships)."""
    loc = flow.find(processor_id)
    if loc is None or loc.kind != "PROCESSOR":
        return [f"processor '{processor_id}' does not exist"]
    proc = loc.component
    cls = registry.resolve(str(proc.get("type")))
    if cls is None:
        return [f"{label(proc)}: unknown processor type '{proc.get('type')}'"]
    properties = proc.get("properties") or {}
    problems = property_problems(cls, properties, label(proc), require=True)
    problems += parameter_problems(flow, loc.group, properties, label(proc))
    problems += path_problems(cls, properties, label(proc), file_roots)
    problems += restriction_problems(cls, label(proc), allow_execute_code)
    problems += service_reference_problems(flow, registry, loc.group, cls, properties, label(proc))
    problems += scheduling_problems(proc, label(proc))
    connected = {rel for c in flow.of_kind("CONNECTION")
                 if (c.component.get("source") or {}).get("id") == processor_id
                 for rel in c.component.get("selectedRelationships") or []}
    terminated = set(proc.get("autoTerminatedRelationships") or [])
    for rel in cls.relationships_for(properties):
        if rel.name not in connected and rel.name not in terminated:
            problems.append(f"{label(proc)}: relationship '{rel.name}' is not connected to any component "
                            "and is not auto-terminated")
    try:
        problems += [f"{label(proc)}: {p}" for p in cls().custom_validate(properties)]
    except Exception as exc:  # a processor's own check must not break validation
        problems.append(f"{label(proc)}: validation failed: {exc!r}")
    return problems
