"""FlowRunner: test a whole flow on the real engine, with chosen sources and sinks in memory.

A flow definition (NiFi's JSON shape) is loaded into a real FlowController (LMDB repository in a
temporary directory, durability "nosync"). The processors named as inputs are swapped for an
in-memory source that emits what the test enqueues; the processors named as outputs are swapped
for an in-memory sink that keeps what reaches it. Both keep the identifier, name and connections of
the component they replace, so everything between them runs exactly as in production: the real
scheduler, queues, back pressure, sessions and provenance.

    with FlowRunner("conf/demo-flow.json", inputs=["Generate greetings"],
                    outputs=["Store even ones", "Log odd ones"]) as runner:
        runner.enqueue("Generate greetings", "hello", {"k": "v"})
        runner.run_until_idle(timeout=10)
        assert [ff.content for ff in runner.outputs("Store even ones")] == [...]

Every processor that is not disabled is started (a flow exported stopped still runs in a test).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Coroutine, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
)
from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.model import Flow
from nifi_like.repository import provenance_log

if TYPE_CHECKING:
    from nifi_like.testing import MockFlowFile

__all__ = ["FlowRunner", "FlowRunnerInput", "FlowRunnerOutput"]

T = TypeVar("T")
_RELATIONSHIPS = PropertyDescriptor(
    "Relationships", description="Comma-separated names of the relationships of the component this one stands in "
                                 "for, so its connections stay valid", default="success")
#: How long the flow must stay idle, checked again and again, before ``run_until_idle`` believes it.
_IDLE_SETTLE = 0.25


def _relationships(properties: Mapping[str, str | None]) -> list[Relationship]:
    names = [name.strip() for name in (properties.get(_RELATIONSHIPS.name) or "success").split(",")]
    return [Relationship(name, "a relationship of the replaced component") for name in names if name]


class FlowRunnerInput(Processor):
    """FlowRunner's in-memory source: creates a FlowFile for each item a test enqueued."""

    input_requirement = InputRequirement.INPUT_FORBIDDEN
    tags = ("testing",)
    RELATIONSHIPS = _RELATIONSHIPS
    BATCH = 1000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: deque[tuple[bytes, dict[str, str], str | None]] = deque()
        self._in_flight = 0

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        return _relationships(properties)

    def offer(self, content: bytes, attributes: Mapping[str, str], relationship: str | None) -> None:
        with self._lock:
            self._pending.append((content, dict(attributes), relationship))

    @property
    def busy(self) -> bool:
        """Whether enqueued items are not yet committed into the flow."""
        with self._lock:
            return bool(self._pending) or self._in_flight > 0

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        with self._lock:
            taken = [self._pending.popleft() for _ in range(min(self.BATCH, len(self._pending)))]
            self._in_flight += len(taken)
        if not taken:
            context.yield_()
            return
        session.on_commit(lambda: self._settled(taken, committed=True))
        session.on_rollback(lambda: self._settled(taken, committed=False))
        default = _relationships(context.properties)[0]
        for content, attributes, relationship in taken:
            flowfile = session.create()
            if content:
                flowfile = session.write(flowfile, content)
            if attributes:
                flowfile = session.put_all_attributes(flowfile, attributes)
            session.transfer(flowfile, Relationship(relationship) if relationship else default)

    def _settled(self, taken: list[tuple[bytes, dict[str, str], str | None]], *, committed: bool) -> None:
        with self._lock:
            self._in_flight -= len(taken)
            if not committed:
                self._pending.extendleft(reversed(taken))


class FlowRunnerOutput(Processor):
    """FlowRunner's in-memory sink: keeps every FlowFile that reaches it (content and attributes)."""

    input_requirement = InputRequirement.INPUT_REQUIRED
    tags = ("testing",)
    RELATIONSHIPS = _RELATIONSHIPS
    BATCH = 1000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[MockFlowFile] = []
        self._in_flight = 0

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        return _relationships(properties)

    @property
    def received(self) -> list[MockFlowFile]:
        with self._lock:
            return list(self._received)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._in_flight > 0

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        from nifi_like.testing import MockFlowFile  # here: nifi_like.testing may re-export FlowRunner

        batch = session.get_batch(self.BATCH)
        if not batch:
            return
        kept = [MockFlowFile(flowfile, session.read_bytes(flowfile)) for flowfile in batch]
        with self._lock:
            self._in_flight += len(kept)
        session.remove(batch)
        session.on_commit(lambda: self._settled(kept, committed=True))
        session.on_rollback(lambda: self._settled(kept, committed=False))

    def _settled(self, kept: list[MockFlowFile], *, committed: bool) -> None:
        with self._lock:
            self._in_flight -= len(kept)
            if committed:
                self._received.extend(kept)


class FlowRunner:
    """Runs a flow definition on the real engine; see the module documentation."""

    __test__ = False  # a helper, not a pytest test class

    def __init__(self, flow: Mapping[str, Any] | str | Path, *, inputs: Iterable[str] = (),
                 outputs: Iterable[str] = (), processors: Iterable[type[Processor]] = (),
                 settings: Mapping[str, Any] | None = None, data_dir: str | Path | None = None) -> None:
        """``inputs`` and ``outputs`` name processors (by name or identifier) to swap; ``processors``
        registers extra processor types (beyond the installed ones) the flow uses. With ``data_dir``
        the repository lives there and is kept on ``close``: a second FlowRunner on the same directory
        and flow is a restart (queued FlowFiles and processor state survive)."""
        document = _read(flow)
        self._keep_directory = data_dir is not None
        self._directory = str(data_dir) if data_dir is not None else tempfile.mkdtemp(prefix="nifi_like-flow-test-")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="FlowRunner loop", daemon=True)
        self._thread.start()
        self._closed = False
        registry = ProcessorRegistry()
        extra: list[type[Processor]] = [FlowRunnerInput, FlowRunnerOutput, *processors]
        for cls in extra:
            registry.register(cls)
        # file processors are unconfined in a flow test unless ``settings`` gives file_roots
        options = {"durability": "nosync", "administrative_yield": 1.0, "map_size": 1 << 27, "file_roots": [os.sep],
                   **(settings or {})}
        try:
            self.controller = FlowController(load_settings(None, data_dir=self._directory, **options),
                                             registry=registry)
            self._ids: dict[str, str] = {}
            wanted_running = self._prepare(document, list(inputs), list(outputs))
            self._call(self.controller.load(document, source=str(flow) if not isinstance(flow, Mapping) else "flow"))
            for component_id in wanted_running:
                self._call(self.controller.start(component_id, save=False))
        except BaseException:
            self.close()
            raise

    # -- setting up ----------------------------------------------------------------------
    def _prepare(self, document: dict[str, Any], inputs: list[str], outputs: list[str]) -> list[str]:
        """Swap the chosen components in ``document``; stop everything (started after loading);
        return the identifiers to start."""
        flow = Flow(document)
        processors = [loc.component for loc in flow.of_kind("PROCESSOR")]
        swaps = [(key, FlowRunnerInput) for key in inputs] + [(key, FlowRunnerOutput) for key in outputs]
        for key, cls in swaps:
            component = _find(processors, key)
            self._ids[key] = self._ids[component["name"]] = component["identifier"]
            names = {rel for loc in flow.of_kind("CONNECTION")
                     if (loc.component.get("source") or {}).get("id") == component["identifier"]
                     for rel in loc.component.get("selectedRelationships") or []}
            if cls is FlowRunnerOutput:
                names |= set(component.get("autoTerminatedRelationships") or [])
            elif not names:
                raise ValueError(f"input '{key}' has no outgoing connection: nothing could receive what is enqueued")
            component["type"] = f"{cls.__module__}.{cls.__name__}"
            component["properties"] = {_RELATIONSHIPS.name: ",".join(sorted(names)) or "success"}
            component["autoTerminatedRelationships"] = sorted(names) if cls is FlowRunnerOutput else []
            component["schedulingPeriod"] = "0 sec"
            component["schedulingStrategy"] = "TIMER_DRIVEN"
        start: list[str] = []
        for loc in flow.of_kind("PROCESSOR"):
            if loc.component.get("scheduledState") != "DISABLED":
                start.append(loc.component["identifier"])
                loc.component["scheduledState"] = "ENABLED"
        return start

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _swapped(self, key: str, cls: type[Processor]) -> Any:
        component_id = self._ids.get(key)
        node = self.controller.nodes.get(component_id) if component_id else None
        if node is None or not isinstance(node.processor, cls):
            role = "input" if cls is FlowRunnerInput else "output"
            known = ", ".join(sorted(k for k, v in self._ids.items()
                                     if isinstance(self.controller.nodes[v].processor, cls))) or "none"
            raise KeyError(f"'{key}' is not an {role} of this FlowRunner (its {role}s: {known})")
        return node.processor

    # -- input ---------------------------------------------------------------------------
    def enqueue(self, source: str, content: bytes | str = b"", attributes: Mapping[str, str] | None = None,
                *, relationship: str | None = None) -> None:
        """Hand a FlowFile to the in-memory source ``source``; it goes out on ``relationship``
        (default: the first relationship of the replaced component, in name order)."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        processor: FlowRunnerInput = self._swapped(source, FlowRunnerInput)
        node = self.controller.node(self._ids[source])
        if relationship is not None and relationship not in node.outgoing and relationship not in node.auto_terminated:
            raise ValueError(f"'{relationship}' is not a relationship of input '{source}' "
                             f"(it has: {', '.join(sorted(node.outgoing))})")
        processor.offer(data, attributes or {}, relationship)
        node.yielded_until = 0.0
        node.wake(force=True)

    # -- running -------------------------------------------------------------------------
    def is_idle(self) -> bool:
        """No FlowFile queued or in flight, no task running on a component that has input, nothing
        enqueued left to emit, and every running source triggered at least once. A source's own task
        may be running (waiting for data, as ListenHTTP does): ``run_until_idle`` also waits until no
        component commits anything for a while."""
        for conn in self.controller.connections.values():
            if conn.count or conn.reserved or conn.inflight:
                return False
        for node in self.controller.nodes.values():
            if isinstance(node.processor, FlowRunnerInput | FlowRunnerOutput):
                if node.processor.busy:
                    return False
            elif node.incoming:
                if node.active_threads:
                    return False
            elif node.run_state == "RUNNING" and not node.stats.snapshot()["tasks"]:
                return False  # a source that has not finished its first trigger yet
        return True

    def _progress(self) -> int:
        """Grows whenever a component commits FlowFiles in or out."""
        total = 0
        for node in self.controller.nodes.values():
            stats = node.stats.snapshot()
            total += stats["in_count"] + stats["out_count"]
        return total

    def run_until_idle(self, timeout: float = 10.0) -> None:
        """Wait until the flow is idle (see ``is_idle``) and nothing was committed for a moment
        (0.25 s); fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        idle_since: float | None = None
        progress = -1
        while time.monotonic() < deadline:
            now_progress = self._progress()
            if self.is_idle() and now_progress == progress:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= _IDLE_SETTLE:
                    return
            else:
                idle_since = None
            progress = now_progress
            time.sleep(0.01)
        busy = {name: count for name, count in self.queue_counts().items() if count}
        threads = {node.name: node.active_threads for node in self.controller.nodes.values() if node.active_threads}
        raise AssertionError(f"the flow did not become idle within {timeout:g} s; queued: {busy or 'nothing'}; "
                             f"active threads: {threads or 'none'}; bulletins: {self.bulletins()}")

    # -- output --------------------------------------------------------------------------
    def outputs(self, sink: str) -> list[MockFlowFile]:
        """What reached the in-memory sink ``sink`` so far, in commit order."""
        processor: FlowRunnerOutput = self._swapped(sink, FlowRunnerOutput)
        return processor.received

    def queue_counts(self) -> dict[str, int]:
        """FlowFiles queued per connection, keyed 'source -> destination [relationships]' (or the
        connection's name when it has one)."""
        counts: dict[str, int] = {}
        nodes = self.controller.nodes
        for conn in self.controller.connections.values():
            source = nodes[conn.source_id].name if conn.source_id in nodes else conn.source_id
            destination = nodes[conn.destination_id].name if conn.destination_id in nodes else conn.destination_id
            label = conn.name or f"{source} -> {destination} [{','.join(conn.relationships)}]"
            counts[label] = conn.count
        return counts

    def provenance_events(self) -> list[dict[str, Any]]:
        """Every provenance event committed so far, oldest first (fields: provenance_log.FIELDS,
        plus event_id)."""
        env = self.controller.repo.env
        with env.read() as txn:
            return [provenance_log.as_dict(event_id, event) for event_id, event in provenance_log.iter_events(env, txn)]

    def trigger_count(self, processor: str) -> int:
        """How many times the processor (by name or identifier) was triggered in the last five minutes."""
        nodes = [n for n in self.controller.nodes.values() if processor in (n.id, n.name)]
        if not nodes:
            raise KeyError(f"no component is named or identified '{processor}'")
        return sum(node.stats.snapshot()["tasks"] for node in nodes)

    def bulletins(self) -> list[str]:
        """Warnings and errors of every component, as 'name: message'."""
        names = {node.id: node.name for node in self.controller.nodes.values()}
        return [f"{names.get(b.source_id, b.source_id)}: {b.message}"
                for node_id in names for b in self.controller.bulletins.for_component(node_id)]

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Stop the flow (in-flight sessions finish), close the repository, delete the directory."""
        if self._closed:
            return
        self._closed = True
        try:
            controller = getattr(self, "controller", None)
            if controller is not None:
                self._call(controller.shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
            if not self._keep_directory:
                shutil.rmtree(self._directory, ignore_errors=True)

    def __enter__(self) -> FlowRunner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _read(flow: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(flow, Mapping):
        return copy.deepcopy(dict(flow))
    with open(flow, encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    return document


def _find(processors: list[dict[str, Any]], key: str) -> dict[str, Any]:
    by_id = [p for p in processors if p.get("identifier") == key]
    by_name = [p for p in processors if p.get("name") == key]
    if by_id:
        return by_id[0]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise ValueError(f"{len(by_name)} processors are named '{key}'; name it by identifier instead")
    names = ", ".join(sorted(str(p.get("name")) for p in processors))
    raise ValueError(f"no processor is named or identified '{key}' (processors: {names})")
