"""TestRunner: run one processor in a test, on the real engine pieces, as NiFi's TestRunner does.

Nothing is mocked: the runner opens a real LMDB repository in a temporary directory
(durability "nosync"), wires the processor into a real Node with a real input Connection
and one real Connection per relationship, and drives it with real StandardProcessSessions
and a StandardProcessContext. What a test asserts is what the engine would have committed.

    with TestRunner(RouteOnAttribute, properties={"even": "${n:mod(2):equals(0)}"}) as runner:
        runner.enqueue(b"x", attributes={"n": "4"})
        runner.run()
        runner.assert_all_transferred("even", count=1)

Controller services the processor uses are added and enabled as with NiFi's TestRunner:

    with TestRunner(ConvertRecord, {"Record Reader": "csv", "Record Writer": "json"}) as runner:
        runner.add_controller_service("csv", CSVReader, {"Schema Access Strategy": "infer-schema"})
        runner.enable_controller_service("csv")
        ...

They are real ServiceNodes in a real ServiceDirectory, enabled through a ServiceContext, as the
FlowController enables them.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import tempfile
import time
import uuid
import weakref
from collections.abc import Awaitable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

from nifi_like.api.controller_service import ControllerService
from nifi_like.api.files import FileRoots
from nifi_like.api.flowfile import FlowFile
from nifi_like.api.processor import InputRequirement, ProcessContext, Processor, StateMap
from nifi_like.api.relationship import Relationship
from nifi_like.engine.connection import Connection, now_ms
from nifi_like.engine.context import StandardProcessContext
from nifi_like.engine.node import Node
from nifi_like.engine.services import ServiceContext, ServiceDirectory, ServiceNode
from nifi_like.engine.session import StandardProcessSession
from nifi_like.flow.validation import path_problems, property_problems, restriction_problems
from nifi_like.monitoring.bulletins import Bulletin, BulletinBoard
from nifi_like.repository import Repository, provenance_log

__all__ = ["FlowRunner", "MockFlowFile", "TestRunner"]

#: Names of the fields of a provenance record, in the order the session writes them.
PROVENANCE_FIELDS = provenance_log.FIELDS


class MockFlowFile:
    """A FlowFile as a test sees it: its attributes, its content as bytes, and assertions."""

    def __init__(self, flowfile: FlowFile, content: bytes, relationship: str | None = None) -> None:
        self.flowfile = flowfile
        self.content = content
        self.relationship = relationship

    @property
    def attributes(self) -> Mapping[str, str]:
        return self.flowfile.attributes

    @property
    def id(self) -> str:
        return self.flowfile.id

    @property
    def size(self) -> int:
        return self.flowfile.size

    @property
    def is_penalized(self) -> bool:
        return self.flowfile.penalized_until > now_ms()

    def get_attribute(self, key: str) -> str | None:
        return self.flowfile.attributes.get(key)

    def assert_content_equals(self, expected: bytes | str, encoding: str = "utf-8") -> None:
        wanted = expected.encode(encoding) if isinstance(expected, str) else expected
        if self.content != wanted:
            raise AssertionError(f"content of {self.flowfile} is {_preview(self.content)}, expected {_preview(wanted)}")

    def assert_attribute_equals(self, key: str, expected: str | None) -> None:
        actual = self.flowfile.attributes.get(key)
        if actual != expected:
            raise AssertionError(f"attribute '{key}' of {self.flowfile} is {actual!r}, expected {expected!r}")

    def assert_attribute_exists(self, key: str) -> None:
        if key not in self.flowfile.attributes:
            raise AssertionError(f"{self.flowfile} has no attribute '{key}' (it has {sorted(self.flowfile.attributes)})")

    def assert_attribute_not_exists(self, key: str) -> None:
        if key in self.flowfile.attributes:
            raise AssertionError(f"{self.flowfile} has attribute '{key}' = {self.flowfile.attributes[key]!r}")

    def __repr__(self) -> str:
        return f"MockFlowFile({self.flowfile!r}, relationship={self.relationship!r})"


def _preview(data: bytes, limit: int = 80) -> str:
    shown = repr(data[:limit])
    return shown + (f"... ({len(data)} bytes)" if len(data) > limit else "")


class _Feeder(Processor):
    """The runner's own end of its input and output queues: enqueues and drains FlowFiles."""

    INPUT = Relationship("input", "FlowFiles enqueued by the test")


def _cleanup(repo: Repository, directory: str) -> None:
    repo.close()
    shutil.rmtree(directory, ignore_errors=True)


class TestRunner:
    """Runs one processor: enqueue input, trigger it, assert where its FlowFiles went.

    Every relationship of the processor is connected to its own queue (none is auto-terminated),
    so each transferred FlowFile can be looked at. Use it as a context manager, or call ``close``.
    """

    __test__ = False  # a helper, not a pytest test class

    def __init__(self, processor: Processor | type[Processor], properties: Mapping[str, str | None] | None = None,
                 *, name: str | None = None, parameters: Mapping[str, str] | None = None,
                 file_roots: FileRoots | None = None, allow_execute_code: bool = False) -> None:
        """``allow_execute_code`` stands for the configuration's [security] key of that name: a
        processor that runs code from its configuration (ExecuteScript) is invalid without it."""
        self._allow_execute_code = allow_execute_code
        self.processor = processor() if isinstance(processor, type) else processor
        self._file_roots = file_roots or FileRoots.of([os.sep])  # a unit test confines files when it asks to
        processor_class = type(self.processor)
        self._directory = tempfile.mkdtemp(prefix="nifi_like-test-")
        self._repo = Repository(self._directory, durability="nosync", map_size=1 << 26)
        self._finalizer = weakref.finalize(self, _cleanup, self._repo, self._directory)
        self._bulletins = BulletinBoard(per_component=1000)
        self._node = Node(str(uuid.uuid4()), name or processor_class.__name__, "PROCESSOR", self.processor,
                          properties={k: v for k, v in (properties or {}).items() if v is not None},
                          parameters=parameters)
        self._feeder = Node(str(uuid.uuid4()), "TestRunner", "PROCESSOR", _Feeder())
        self._input = Connection(self._repo, str(uuid.uuid4()), name="input", source_id=self._feeder.id,
                                 destination_id=self._node.id, relationships=(_Feeder.INPUT.name,))
        self._feeder.outgoing = {_Feeder.INPUT.name: [self._input]}
        if processor_class.input_requirement is not InputRequirement.INPUT_FORBIDDEN:
            self._node.incoming.append(self._input)
        self._sinks: dict[str, Connection] = {}
        self._sync_relationships()
        self.services = ServiceDirectory()
        self._node.service_lookup = self.services.instance
        self.context: ProcessContext = self._new_context()

    # -- configuration -------------------------------------------------------------------
    def _new_context(self) -> StandardProcessContext:
        context = StandardProcessContext(self._node, self._repo.state_manager(self._node.id), self._bulletins,
                                         self._file_roots)
        self._node.context = context
        return context

    def _sync_relationships(self) -> None:
        names = [relationship.name for relationship in self._node.relationships]
        for name in names:
            if name not in self._sinks:
                self._sinks[name] = Connection(self._repo, str(uuid.uuid4()), name=name, source_id=self._node.id,
                                               relationships=(name,))
        self._node.outgoing = {name: [self._sinks[name]] for name in names}

    def set_property(self, name: str, value: str | None) -> None:
        """Set a property (declared or dynamic); ``None`` removes it."""
        if value is None:
            self._node.properties.pop(name, None)
        else:
            self._node.properties[name] = value
        self._sync_relationships()
        self.context = self._new_context()

    def remove_property(self, name: str) -> None:
        self.set_property(name, None)

    @property
    def properties(self) -> Mapping[str, str | None]:
        """The configured properties, with defaults filled in."""
        return self.context.properties

    # -- controller services -------------------------------------------------------------
    def add_controller_service(self, identifier: str, service: ControllerService | type[ControllerService],
                               properties: Mapping[str, str] | None = None) -> ControllerService:
        """Add a (disabled) service the processor's properties can name by ``identifier``."""
        instance = service() if isinstance(service, type) else service
        self.services.nodes[identifier] = ServiceNode(identifier, identifier, "", instance.type_name(), instance,
                                                      properties or {}, {})
        return instance

    def set_service_property(self, identifier: str, name: str, value: str | None) -> None:
        """Change a property of a (disabled) service; ``None`` removes it."""
        node = self.services.nodes[identifier]
        if value is None:
            node.properties.pop(name, None)
        else:
            node.properties[name] = value

    def enable_controller_service(self, identifier: str) -> None:
        """Validate the service's configuration and enable it; an invalid one raises AssertionError."""
        node = self.services.nodes[identifier]
        where = f"{type(node.service).__name__}[{identifier}]"
        problems = property_problems(type(node.service), node.properties, where, require=True)
        problems += [f"{where}: {reason}" for reason in node.service.custom_validate(node.properties)]
        if problems:
            raise AssertionError("the controller service is not valid:\n" + "\n".join(problems))
        node.service.on_enabled(ServiceContext(node, self.services.instance))
        node.state = "ENABLED"

    def disable_controller_service(self, identifier: str) -> None:
        node = self.services.nodes[identifier]
        node.service.on_disabled()
        node.state = "DISABLED"

    # -- validation ----------------------------------------------------------------------
    def validate(self) -> list[str]:
        """Why the configuration is invalid, one sentence per problem (as the engine checks it
        before starting a processor); empty when valid."""
        where = f"{self._node.name}[{self._node.id[:8]}]"
        configured = self._node.properties
        problems = property_problems(type(self.processor), configured, where, require=True)
        problems += path_problems(type(self.processor), configured, where, self._file_roots)
        problems += restriction_problems(type(self.processor), where, self._allow_execute_code)
        problems += [f"{where}: {reason}" for reason in self.processor.custom_validate(configured)]
        return problems

    def assert_valid(self) -> None:
        errors = self.validate()
        if errors:
            raise AssertionError("the processor is not valid:\n" + "\n".join(errors))

    def assert_not_valid(self) -> list[str]:
        """Fail if the configuration is valid; return the reasons it is not."""
        errors = self.validate()
        if not errors:
            raise AssertionError(f"expected {self._node.name} to be invalid with {dict(self._node.properties)}")
        return errors

    # -- input ---------------------------------------------------------------------------
    def enqueue(self, content: bytes | str = b"", attributes: Mapping[str, str] | None = None) -> MockFlowFile:
        """Commit a FlowFile into the processor's input queue."""
        if self._input not in self._node.incoming:
            raise AssertionError(f"{self._node.name} does not accept input (INPUT_FORBIDDEN)")
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        session = StandardProcessSession(self._feeder, self._repo, provenance=False)
        flowfile = session.create()
        if data:
            flowfile = session.write(flowfile, data)
        if attributes:
            flowfile = session.put_all_attributes(flowfile, attributes)
        session.transfer(flowfile, _Feeder.INPUT)
        session.commit()
        return MockFlowFile(flowfile, data)

    @property
    def queue_size(self) -> int:
        """FlowFiles waiting in the input queue."""
        return self._input.count

    def assert_queue_empty(self) -> None:
        if self._input.count:
            raise AssertionError(f"the input queue holds {self._input.count} FlowFile(s), expected none")

    def assert_queue_not_empty(self) -> None:
        if not self._input.count:
            raise AssertionError("the input queue is empty")

    # -- running -------------------------------------------------------------------------
    def run(self, iterations: int = 1, stop_on_finish: bool = True, initialize: bool = True) -> None:
        """``on_scheduled`` (if ``initialize``), ``iterations`` triggers, then ``on_stopped`` (if
        ``stop_on_finish``). Each trigger has its own session, committed after it returns; if the
        processor raises, the session is rolled back and the exception propagates."""
        self.assert_valid()
        self._sync_relationships()
        self._node.run_state = "RUNNING"
        try:
            if initialize:
                self.processor.on_scheduled(self.context)
            for _ in range(iterations):
                self._trigger()
        finally:
            if stop_on_finish:
                self._node.run_state = "STOPPED"
                self.processor.on_stopped(self.context)

    def _trigger(self) -> None:
        session = StandardProcessSession(self._node, self._repo)
        try:
            result = self.processor.on_trigger(self.context, session)
            if inspect.isawaitable(result):
                _wait(result)
            session.commit()
        except BaseException:
            session.rollback()
            raise

    @property
    def is_yielded(self) -> bool:
        """Whether the processor asked (through ``context.yield_()``) not to be triggered for now."""
        return self._node.yielded_until > time.monotonic()

    # -- output --------------------------------------------------------------------------
    def _sink(self, relationship: str | Relationship) -> Connection:
        name = str(relationship)
        connection = self._sinks.get(name)
        if connection is None:
            known = ", ".join(sorted(self._node.outgoing)) or "none"
            raise AssertionError(f"'{name}' is not a relationship of {self._node.name} (it has: {known})")
        return connection

    def get_flowfiles_for_relationship(self, relationship: str | Relationship) -> list[MockFlowFile]:
        """The FlowFiles committed to a relationship, in the order they were committed."""
        connection = self._sink(relationship)
        entries = self._repo.load_queue(connection.key, -1, 1 << 62)
        return [MockFlowFile(ff, self._repo.content.read_bytes(ff.claim), connection.name) for _, ff in entries]

    def assert_transferred(self, relationship: str | Relationship, count: int) -> None:
        found = self._sink(relationship).count
        if found != count:
            raise AssertionError(f"expected {count} FlowFile(s) transferred to '{relationship}', found {found}"
                                 f"{self._transfer_summary()}")

    def assert_all_transferred(self, relationship: str | Relationship, count: int | None = None) -> None:
        """Every transferred FlowFile went to ``relationship`` (and, if given, exactly ``count``)."""
        name = str(relationship)
        self._sink(name)
        if any(conn.count for other, conn in self._sinks.items() if other != name):
            raise AssertionError(f"expected every FlowFile to go to '{name}'{self._transfer_summary()}")
        if count is not None:
            self.assert_transferred(name, count)

    def _transfer_summary(self) -> str:
        counts = ", ".join(f"'{name}': {conn.count}" for name, conn in self._sinks.items())
        return f" (transferred: {counts})"

    def clear_transfer_state(self) -> None:
        """Drop every FlowFile transferred so far, so the next run's output can be asserted alone."""
        drain = Node(str(uuid.uuid4()), "TestRunner drain", "PROCESSOR", _Feeder())
        drain.incoming = list(self._sinks.values())
        session = StandardProcessSession(drain, self._repo, provenance=False)
        while batch := session.get_batch(10_000):
            session.remove(batch)
        session.commit()

    # -- provenance, state, bulletins ----------------------------------------------------
    @property
    def provenance_events(self) -> list[dict[str, Any]]:
        """Every provenance event committed by the processor's sessions, oldest first."""
        env = self._repo.env
        events: list[dict[str, Any]] = []
        with env.read() as txn:
            for event_id, event in provenance_log.iter_events(env, txn):
                events.append(provenance_log.as_dict(event_id, event))
        return events

    @property
    def state(self) -> StateMap:
        """The processor's stored state."""
        return self._repo.state_manager(self._node.id).get_state()

    def set_state(self, values: Mapping[str, str]) -> None:
        """Store state for the processor before a run, as if an earlier run had stored it."""
        self._repo.state_manager(self._node.id).set_state(values)

    @property
    def bulletins(self) -> list[Bulletin]:
        """Warnings and errors the processor logged."""
        return self._bulletins.for_component(self._node.id)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Disable the enabled services, close the repository and delete its temporary directory."""
        for node in self.services.nodes.values():
            if node.state == "ENABLED":
                self.disable_controller_service(node.id)
        self._finalizer()

    def __enter__(self) -> TestRunner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _wait(awaitable: Awaitable[Any]) -> None:
    """Run an ``async def on_trigger`` to completion, even from inside a running event loop."""
    async def wait() -> None:
        await awaitable
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(wait())
        return
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, wait()).result()


from nifi_like.flow_testing import FlowRunner  # noqa: E402 - after MockFlowFile, which it uses
