"""A split -> modify -> route -> merge flow on the real engine, for provenance tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nifi_like.api import ProcessContext, Processor, ProcessSession, Relationship
from nifi_like.engine.controller import FlowController
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.provenance.service import ProvenanceRepository
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor


class SplitInTwo(Processor):
    """Forks each FlowFile into two children holding '<content>-a' and '<content>-b'."""

    SPLIT = Relationship("split")
    ORIGINAL = Relationship("original")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for ff in session.get_batch(10):
            with session.read(ff) as stream:
                content = stream.read()
            for part in (b"a", b"b"):
                child = session.create(ff)
                child = session.write(child, content + b"-" + part)
                child = session.put_attribute(child, "part", part.decode())
                session.transfer(child, self.SPLIT)
            session.transfer(ff, self.ORIGINAL)


class Bracket(Processor):
    """Rewrites content as '<content>' and marks the FlowFile (CONTENT_MODIFIED)."""

    SUCCESS = Relationship("success")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for ff in session.get_batch(10):
            with session.read(ff) as stream:
                content = stream.read()
            ff = session.write(ff, b"<" + content + b">")
            ff = session.put_attribute(ff, "bracketed", "yes")
            session.transfer(ff, self.SUCCESS)


class RouteByPart(Processor):
    """Routes every FlowFile to 'matched', reporting a ROUTE event."""

    MATCHED = Relationship("matched")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for ff in session.get_batch(10):
            session.provenance.route(ff, self.MATCHED, details=f"part {ff.get_attribute('part')}")
            session.transfer(ff, self.MATCHED)


class MergeSiblings(Processor):
    """Joins the FlowFiles it finds (two at a time) into one holding their contents, parts in order."""

    MERGED = Relationship("merged")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        batch = session.get_batch(2)
        if len(batch) < 2:
            session.transfer(batch)
            return
        batch.sort(key=lambda ff: ff.get_attribute("part") or "")
        contents = []
        for ff in batch:
            with session.read(ff) as stream:
                contents.append(stream.read())
        merged = session.create(batch)
        merged = session.write(merged, b"+".join(contents))
        session.transfer(merged, self.MERGED)
        session.remove(batch)


PROCESSORS = (SplitInTwo, Bracket, RouteByPart, MergeSiblings)


def register(registry: ProcessorRegistry) -> None:
    for cls in PROCESSORS:
        registry.register(cls)


@dataclass
class Pipeline:
    controller: FlowController
    ids: dict[str, str]  # processor and connection ids by short name
    provenance: ProvenanceRepository

    def queue(self, name: str) -> Any:
        return self.controller.connections[self.ids[name]]


async def run_pipeline(make_controller: Any, registry: ProcessorRegistry, **settings: Any) -> Pipeline:
    """Emit one FlowFile; split it, bracket both parts, route them, merge them into 'merged'."""
    register(registry)
    emit = processor("emit", "Emit", {"Batch Size": "1"}, state="ENABLED", period="1 hour")
    split = processor("split", "SplitInTwo", auto_terminate=("original",))
    bracket = processor("bracket", "Bracket")
    route = processor("route", "RouteByPart")
    merge = processor("merge", "MergeSiblings")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    links = {
        "to_split": connection(emit, split, ["success"]),
        "to_bracket": connection(split, bracket, ["split"]),
        "to_route": connection(bracket, route, ["success"]),
        "to_merge": connection(route, merge, ["matched"]),
        "merged": connection(merge, sink, ["merged"]),
    }
    controller = make_controller(**settings)
    await controller.load(flow([emit, split, bracket, route, merge, sink], list(links.values())))
    ids = {name: link["identifier"] for name, link in links.items()}
    ids.update({p["name"]: p["identifier"] for p in (emit, split, bracket, route, merge, sink)})
    pipeline = Pipeline(controller, ids, ProvenanceRepository(controller.repo))
    await controller.start(emit["identifier"])
    await eventually(lambda: pipeline.queue("merged").count == 1)
    await controller.stop(emit["identifier"])
    pipeline.provenance.catch_up()
    return pipeline
