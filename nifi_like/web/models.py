"""The request bodies of /nifi-api, declared once: they validate requests and make the OpenAPI document."""

from __future__ import annotations

from nifi_like.flow.editor import SCHEDULE_STATES
from nifi_like.flow.model import LOAD_BALANCE_COMPRESSIONS, LOAD_BALANCE_STRATEGIES
from nifi_like.flow.validation import MAX_CONCURRENT_TASKS, STRATEGIES
from nifi_like.web.schema import Boolean, Integer, ListOf, MapOf, Number, Obj, Text

REVISION = Obj("RevisionDTO", {
    "version": Integer("The revision the client last saw; 0 when creating", minimum=0),
    "clientId": Text("The client's id: a change by the same client may carry an older version"),
    "lastModifier": Text(),
}, required=("version",))
POSITION = Obj("PositionDTO", {"x": Number(), "y": Number()})
CONNECTABLE = Obj("ConnectableDTO", {
    "id": Text(), "groupId": Text(),
    "type": Text(enum=("PROCESSOR", "REMOTE_INPUT_PORT", "REMOTE_OUTPUT_PORT", "INPUT_PORT", "OUTPUT_PORT", "FUNNEL")),
    "name": Text(),
}, required=("id",))
BUNDLE = Obj("BundleDTO", {"group": Text(), "artifact": Text(), "version": Text()})
STYLE = MapOf(Text(), "CSS-like style settings")
INT_MAX = 2**31 - 1


def entity(name: str, component: Obj | None = None, *, required: tuple[str, ...] = ("revision",)) -> Obj:
    fields = {"revision": REVISION, "id": Text(), "disconnectedNodeAcknowledged": Boolean(), "position": POSITION}
    if component is not None:
        fields["component"] = component
    return Obj(name, fields, required=required)


PROCESSOR_CONFIG = Obj("ProcessorConfigDTO", {
    "properties": MapOf(Text(nullable=True), "Property values by name; null removes a property (or restores its "
                                             "default)"),
    "schedulingPeriod": Text("Timer period ('1 sec') or CRON expression"),
    "schedulingStrategy": Text(enum=tuple(sorted(STRATEGIES))),
    "executionNode": Text(enum=("ALL", "PRIMARY")),
    "nifiLikeInstances": Integer("With executionNode ALL in a cluster: run this many instances, placed on the "
                                 "least-loaded nodes; 0 runs it on every node", minimum=0, maximum=INT_MAX),
    "penaltyDuration": Text(), "yieldDuration": Text(), "bulletinLevel": Text(), "comments": Text(),
    "runDurationMillis": Integer(minimum=0), "concurrentlySchedulableTaskCount": Integer(minimum=1, maximum=MAX_CONCURRENT_TASKS),
    "autoTerminatedRelationships": ListOf(Text()), "retriedRelationships": ListOf(Text()),
    "retryCount": Integer(minimum=0, maximum=INT_MAX), "backoffMechanism": Text(), "maxBackoffPeriod": Text(),
})
PROCESSOR = Obj("ProcessorDTO", {
    "id": Text(), "name": Text(), "type": Text("Processor type (full or short class name)"), "bundle": BUNDLE,
    "position": POSITION, "style": STYLE, "config": PROCESSOR_CONFIG,
})
PROCESSOR_ENTITY = entity("ProcessorEntity", PROCESSOR)
RUN_STATUS = Obj("ProcessorRunStatusEntity", {
    "revision": REVISION, "state": Text(enum=("RUNNING", "STOPPED", "DISABLED", "RUN_ONCE")),
    "disconnectedNodeAcknowledged": Boolean(),
}, required=("revision", "state"))
CONTROLLER_SERVICE = Obj("ControllerServiceDTO", {
    "id": Text(), "name": Text(), "type": Text("Controller service type (full or short class name)"),
    "bundle": BUNDLE, "comments": Text(),
    "properties": MapOf(Text(nullable=True), "Property values by name; null removes a property"),
})
CONTROLLER_SERVICE_ENTITY = entity("ControllerServiceEntity", CONTROLLER_SERVICE)
SERVICE_RUN_STATUS = Obj("ControllerServiceRunStatusEntity", {
    "revision": REVISION, "state": Text(enum=("ENABLED", "DISABLED")), "disconnectedNodeAcknowledged": Boolean(),
    "uiOnly": Boolean(),
}, required=("revision", "state"))
PORT_RUN_STATUS = Obj("PortRunStatusEntity", {
    "revision": REVISION, "state": Text(enum=("RUNNING", "STOPPED", "DISABLED")),
    "disconnectedNodeAcknowledged": Boolean(),
}, required=("revision", "state"))

CONNECTION = Obj("ConnectionDTO", {
    "id": Text(), "name": Text(), "source": CONNECTABLE, "destination": CONNECTABLE,
    "selectedRelationships": ListOf(Text()), "backPressureObjectThreshold": Integer(minimum=0),
    "backPressureDataSizeThreshold": Text(), "flowFileExpiration": Text(), "prioritizers": ListOf(Text()),
    "bends": ListOf(POSITION), "labelIndex": Integer(maximum=INT_MAX), "zIndex": Integer(),
    "loadBalanceStrategy": Text(enum=LOAD_BALANCE_STRATEGIES), "loadBalancePartitionAttribute": Text(),
    "loadBalanceCompression": Text(enum=LOAD_BALANCE_COMPRESSIONS),
})
CONNECTION_ENTITY = entity("ConnectionEntity", CONNECTION)

PARAMETER = Obj("ParameterDTO", {
    "name": Text(), "description": Text(), "sensitive": Boolean(),
    "value": Text("The value; omitted or null keeps the current one", nullable=True),
    "valueRemoved": Boolean("True to unset the value"), "provided": Boolean(),
}, required=("name",), description="A parameter; one sent with only its name is removed")
PARAMETER_ENTITY = Obj("ParameterEntity", {"parameter": PARAMETER, "canWrite": Boolean()}, required=("parameter",))
CONTEXT_REFERENCE = Obj("ParameterContextReferenceEntity", {
    "id": Text(nullable=True), "component": Obj("ParameterContextReferenceDTO", {"id": Text(), "name": Text()}),
}, nullable=True, description="A parameter context by id; an empty reference (or null) means none")
PARAMETER_CONTEXT = Obj("ParameterContextDTO", {
    "id": Text(), "name": Text(), "description": Text(), "parameters": ListOf(PARAMETER_ENTITY),
    "inheritedParameterContexts": ListOf(CONTEXT_REFERENCE),
})
PARAMETER_CONTEXT_ENTITY = entity("ParameterContextEntity", PARAMETER_CONTEXT)

PROCESS_GROUP = Obj("ProcessGroupDTO", {
    "parameterContext": CONTEXT_REFERENCE,
    "id": Text(), "name": Text(), "comments": Text(), "position": POSITION,
    "flowfileConcurrency": Text(enum=("UNBOUNDED", "SINGLE_FLOWFILE_PER_NODE", "SINGLE_BATCH_PER_NODE")),
    "flowfileOutboundPolicy": Text(enum=("STREAM_WHEN_AVAILABLE", "BATCH_OUTPUT")),
    "defaultFlowFileExpiration": Text(), "defaultBackPressureObjectThreshold": Integer(minimum=0),
    "defaultBackPressureDataSizeThreshold": Text(),
})
PROCESS_GROUP_ENTITY = entity("ProcessGroupEntity", PROCESS_GROUP)

PORT = Obj("PortDTO", {"id": Text(), "name": Text(), "comments": Text(), "position": POSITION,
                       "concurrentlySchedulableTaskCount": Integer(minimum=1, maximum=MAX_CONCURRENT_TASKS)})
PORT_ENTITY = entity("PortEntity", PORT)
FUNNEL = Obj("FunnelDTO", {"id": Text(), "position": POSITION})
FUNNEL_ENTITY = entity("FunnelEntity", FUNNEL)
LABEL = Obj("LabelDTO", {"id": Text(), "label": Text(), "position": POSITION, "width": Number(), "height": Number(),
                         "zIndex": Integer(), "style": STYLE})
LABEL_ENTITY = entity("LabelEntity", LABEL)

SCHEDULE = Obj("ScheduleComponentsEntity", {
    "id": Text(), "state": Text(enum=SCHEDULE_STATES),
    "components": MapOf(REVISION, "Revisions of the components the client expects to change"),
    "disconnectedNodeAcknowledged": Boolean(),
}, required=("state",))
