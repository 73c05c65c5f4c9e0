"""The processor contract: what a processor author subclasses and what it is handed."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, ClassVar

from nifi_like.api.flowfile import FlowFile
from nifi_like.api.properties import PropertyDescriptor
from nifi_like.api.relationship import Relationship
from nifi_like.api.units import parse_data_size, parse_time_period

if TYPE_CHECKING:
    from nifi_like.api.files import FileRoots

_FLOWFILE_PROPERTIES = frozenset({"fileSize", "entryDate", "lineageStartDate"})



class InputRequirement(Enum):
    INPUT_REQUIRED = "INPUT_REQUIRED"
    INPUT_ALLOWED = "INPUT_ALLOWED"
    INPUT_FORBIDDEN = "INPUT_FORBIDDEN"


class ProcessException(Exception):
    """Raised by a processor for a failure the framework should handle by rolling back."""


class PropertyValue:
    """A configured property value, with conversions and Expression Language evaluation."""

    __slots__ = ("_compiled", "_needs_properties", "_parameters", "_services", "_template", "value")

    def __init__(self, value: str | None, parameters: Mapping[str, str] | None = None,
                 services: Callable[[str], Any] | None = None) -> None:
        self._services = services
        self._template = value  # as configured, for Expression Language (which resolves #{...} itself)
        if value is not None and "#{" in value:
            from nifi_like import expression
            value = expression.substitute_parameters(value, parameters or {})
        self.value = value  # parameters substituted, as NiFi gives every property
        self._parameters = parameters
        self._compiled: Any = None
        self._needs_properties = False

    @property
    def is_set(self) -> bool:
        return self.value is not None

    def as_str(self) -> str | None:
        return self.value

    def as_int(self) -> int | None:
        return None if self.value is None else int(self.value.strip())

    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value.strip())

    def as_bool(self) -> bool:
        return self.value is not None and self.value.strip().lower() == "true"

    def as_time_period(self) -> float | None:
        """Seconds."""
        return None if self.value is None else parse_time_period(self.value)

    def as_data_size(self) -> int | None:
        """Bytes."""
        return None if self.value is None else parse_data_size(self.value)

    def as_controller_service(self) -> Any:
        """The enabled controller service whose id this property holds (NiFi's asControllerService)."""
        if self.value is None:
            return None
        if self._services is None:
            raise ProcessException("no controller services are available here")
        return self._services(self.value)

    def evaluate(self, flowfile: FlowFile | None = None, attributes: Mapping[str, str] | None = None,
                 state: Mapping[str, str] | None = None) -> PropertyValue:
        """Evaluate Expression Language against a FlowFile's attributes (plus extra ones)."""
        template = self._template
        if template is None or ("${" not in template and "#{" not in template):
            return self
        if self._compiled is None:
            from nifi_like import expression
            self._compiled = expression.compile(template)
            names = self._compiled.attribute_names
            self._needs_properties = names is None or bool(set(names) & _FLOWFILE_PROPERTIES)
        merged: Mapping[str, str] = flowfile.attributes if flowfile is not None else {}
        if flowfile is not None and self._needs_properties:  # NiFi's EL also sees these FlowFile fields
            merged = {"fileSize": str(flowfile.size), "entryDate": str(flowfile.entry_date),
                      "lineageStartDate": str(flowfile.lineage_start_date), **merged}
        if attributes:
            merged = {**merged, **attributes}
        return PropertyValue.plain(self._compiled.evaluate(merged, parameters=self._parameters, state=state))

    @classmethod
    def plain(cls, value: str | None) -> PropertyValue:
        """A value taken as it is: no parameter references or expressions in it are resolved."""
        result = cls(None)
        result.value = value  # no template: evaluate() returns it unchanged
        return result


class StateMap:
    """A snapshot of a component's state: a version plus string key/values."""

    __slots__ = ("values", "version")

    def __init__(self, values: Mapping[str, str], version: int) -> None:
        self.values = dict(values)
        self.version = version  # -1 when no state was ever stored

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


class StateManager(abc.ABC):
    @abc.abstractmethod
    def get_state(self) -> StateMap: ...

    @abc.abstractmethod
    def set_state(self, values: Mapping[str, str]) -> None: ...

    @abc.abstractmethod
    def replace(self, old: StateMap, values: Mapping[str, str]) -> bool:
        """Compare-and-set: store ``values`` only if the state is still at ``old.version``."""

    @abc.abstractmethod
    def clear(self) -> None: ...


class ProcessContext(abc.ABC):
    """What a processor sees of its configuration and scheduling."""

    identifier: str
    name: str

    @abc.abstractmethod
    def get_property(self, descriptor: PropertyDescriptor | str) -> PropertyValue: ...

    @property
    @abc.abstractmethod
    def properties(self) -> Mapping[str, str | None]:
        """Every configured property, including dynamic ones, by name."""

    @property
    def dynamic_properties(self) -> dict[str, str]:
        declared = {d.name for d in self.descriptors}
        return {k: v for k, v in self.properties.items() if k not in declared and v is not None}

    @property
    @abc.abstractmethod
    def descriptors(self) -> list[PropertyDescriptor]: ...

    @abc.abstractmethod
    def yield_(self) -> None:
        """Ask not to be triggered again for the processor's yield duration."""

    @property
    @abc.abstractmethod
    def state(self) -> StateManager: ...

    @property
    @abc.abstractmethod
    def max_concurrent_tasks(self) -> int: ...

    @abc.abstractmethod
    def has_incoming_connection(self) -> bool: ...

    @abc.abstractmethod
    def is_auto_terminated(self, relationship: Relationship) -> bool: ...

    @property
    @abc.abstractmethod
    def file_roots(self) -> FileRoots:
        """The directories file processors may use (conf: [security] file_roots)."""

    def allowed_path(self, path: str, property_name: str) -> str:
        """The real path of ``path``, the value of ``property_name``; PathNotAllowed (a
        ProcessException naming the property, the path and the roots) when it is outside the roots."""
        return self.file_roots.resolve(path, property_name)

    @property
    def logger(self) -> ComponentLog:
        return self._logger()

    def fencing_token(self) -> int | None:
        """The fencing token of this node's current primary-node term (it grows with every new
        term), or None when this node is not the primary (or may no longer be). A standalone node
        is its own primary, with token 0. Primary-only work that reaches an outside system can
        pass the token along, so the system can refuse a stale primary."""
        return 0

    @abc.abstractmethod
    def _logger(self) -> ComponentLog: ...


class ComponentLog(abc.ABC):
    """A processor's logger; warnings and errors also become bulletins."""

    @abc.abstractmethod
    def log(self, level: str, message: str) -> None: ...

    def debug(self, message: str) -> None:
        self.log("DEBUG", message)

    def info(self, message: str) -> None:
        self.log("INFO", message)

    def warn(self, message: str) -> None:
        self.log("WARNING", message)

    def error(self, message: str) -> None:
        self.log("ERROR", message)


class ProvenanceReporter(abc.ABC):
    """Events a processor reports explicitly; CREATE, CLONE, FORK, JOIN, DROP,
    ATTRIBUTES_MODIFIED and CONTENT_MODIFIED are recorded by the session itself."""

    @abc.abstractmethod
    def record(self, event_type: str, flowfile: FlowFile, *, transit_uri: str | None = None,
               details: str | None = None, relationship: str | None = None) -> None: ...

    def receive(self, flowfile: FlowFile, transit_uri: str, details: str | None = None) -> None:
        self.record("RECEIVE", flowfile, transit_uri=transit_uri, details=details)

    def fetch(self, flowfile: FlowFile, transit_uri: str, details: str | None = None) -> None:
        self.record("FETCH", flowfile, transit_uri=transit_uri, details=details)

    def send(self, flowfile: FlowFile, transit_uri: str, details: str | None = None) -> None:
        self.record("SEND", flowfile, transit_uri=transit_uri, details=details)

    def route(self, flowfile: FlowFile, relationship: Relationship, details: str | None = None) -> None:
        self.record("ROUTE", flowfile, relationship=relationship.name, details=details)

    def add_info(self, flowfile: FlowFile, details: str) -> None:
        self.record("ADDINFO", flowfile, details=details)

    def remote_invocation(self, flowfile: FlowFile, transit_uri: str) -> None:
        self.record("REMOTE_INVOCATION", flowfile, transit_uri=transit_uri)


class ProcessSession(abc.ABC):
    """A unit of work: nothing a session does is visible until ``commit``; then all of it is."""

    provenance: ProvenanceReporter

    @abc.abstractmethod
    def get(self) -> FlowFile | None: ...

    @abc.abstractmethod
    def get_batch(self, max_count: int) -> list[FlowFile]: ...

    @abc.abstractmethod
    def create(self, parent: FlowFile | Iterable[FlowFile] | None = None) -> FlowFile: ...

    @abc.abstractmethod
    def clone(self, flowfile: FlowFile, offset: int = 0, size: int | None = None) -> FlowFile: ...

    @abc.abstractmethod
    def put_attribute(self, flowfile: FlowFile, key: str, value: str) -> FlowFile: ...

    @abc.abstractmethod
    def put_all_attributes(self, flowfile: FlowFile, attributes: Mapping[str, str]) -> FlowFile: ...

    @abc.abstractmethod
    def remove_attribute(self, flowfile: FlowFile, key: str) -> FlowFile: ...

    @abc.abstractmethod
    def remove_all_attributes(self, flowfile: FlowFile, keys: Iterable[str]) -> FlowFile: ...

    @abc.abstractmethod
    def read(self, flowfile: FlowFile) -> AbstractContextManager[IO[bytes]]: ...

    def read_bytes(self, flowfile: FlowFile) -> bytes:
        with self.read(flowfile) as stream:
            return stream.read()

    @abc.abstractmethod
    def write(self, flowfile: FlowFile, content: bytes | Callable[[IO[bytes]], None]) -> FlowFile:
        """Replace the content with bytes, or with what a callback writes to a stream."""

    @abc.abstractmethod
    def transform(self, flowfile: FlowFile, callback: Callable[[IO[bytes], IO[bytes]], None]) -> FlowFile:
        """Rewrite the content: the callback reads the old content and writes the new."""

    @abc.abstractmethod
    def append(self, flowfile: FlowFile, content: bytes) -> FlowFile: ...

    @abc.abstractmethod
    def import_from(self, source: str | IO[bytes], flowfile: FlowFile) -> FlowFile: ...

    @abc.abstractmethod
    def export_to(self, flowfile: FlowFile, destination: str | IO[bytes]) -> None: ...

    @abc.abstractmethod
    def transfer(self, flowfile: FlowFile | Iterable[FlowFile], relationship: Relationship | None = None) -> None:
        """Route to a relationship; with no relationship, back to the queue it came from."""

    @abc.abstractmethod
    def remove(self, flowfile: FlowFile | Iterable[FlowFile]) -> None: ...

    @abc.abstractmethod
    def penalize(self, flowfile: FlowFile) -> FlowFile: ...

    @abc.abstractmethod
    def rollback(self, penalize: bool = False) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None:
        """Make everything durable in one transaction; returns once it is on disk."""

    @abc.abstractmethod
    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after the commit is durable (e.g. delete a file that was taken)."""

    @abc.abstractmethod
    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if the session is rolled back (also when its commit fails)."""

    @abc.abstractmethod
    def get_state(self) -> StateMap: ...

    @abc.abstractmethod
    def set_state(self, values: Mapping[str, str]) -> None:
        """Store component state in the same transaction as the commit."""

    @abc.abstractmethod
    def adjust_counter(self, name: str, delta: int) -> None: ...


def _declared(cls: type, kind: type) -> Iterator[Any]:
    seen: set[str] = set()
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, kind) and attr not in seen:
                seen.add(attr)
                yield value


EXECUTE_CODE = "execute code"  # NiFi's RequiredPermission.EXECUTE_CODE


class Processor:
    """Base class of every processor.

    Declare ``PropertyDescriptor`` and ``Relationship`` constants on the class; they drive
    validation, the REST descriptors, the canvas form, the docs and the TestRunner.
    """

    tags: ClassVar[tuple[str, ...]] = ()
    nifi_type: ClassVar[str | None] = None
    input_requirement: ClassVar[InputRequirement] = InputRequirement.INPUT_ALLOWED
    writes_attributes: ClassVar[Mapping[str, str]] = {}
    reads_attributes: ClassVar[Mapping[str, str]] = {}
    supports_dynamic_properties: ClassVar[bool] = False
    trigger_serially: ClassVar[bool] = False
    primary_node_only: ClassVar[bool] = False
    default_scheduling_period: ClassVar[str] = "0 sec"
    #: Properties naming a directory or file on this machine: validation refuses a value outside
    #: the file roots, and the processor checks the evaluated value with context.allowed_path.
    file_path_properties: ClassVar[tuple[PropertyDescriptor, ...]] = ()
    #: NiFi's @Restricted: what a user of this processor can do beyond the flow. A processor with
    #: EXECUTE_CODE (scripts, commands) is refused unless [security] allow_execute_code is true.
    restrictions: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def type_name(cls) -> str:
        return cls.nifi_type or f"{cls.__module__}.{cls.__name__}"

    @classmethod
    def property_descriptors(cls) -> list[PropertyDescriptor]:
        return list(_declared(cls, PropertyDescriptor))

    @classmethod
    def static_relationships(cls) -> list[Relationship]:
        return list(_declared(cls, Relationship))

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        """The relationships given a configuration (override when properties add relationships)."""
        return cls.static_relationships()

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        """The descriptor of a user-added property, or None when it is not supported."""
        if not cls.supports_dynamic_properties:
            return None
        return PropertyDescriptor(name, dynamic=True)

    @classmethod
    def description(cls) -> str:
        return (cls.__doc__ or "").strip()

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        """Reasons the configuration as a whole is invalid (beyond single properties)."""
        return []

    def on_scheduled(self, context: ProcessContext) -> None:
        """Called once before the first trigger after a start."""

    def on_stopped(self, context: ProcessContext) -> None:
        """Called once after the last trigger of a run has finished."""

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None | Awaitable[None]:
        raise NotImplementedError
