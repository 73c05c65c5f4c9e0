"""Parameters #{name} from the group's parameter context reach processor properties and EL."""

from __future__ import annotations

from typing import Any

from tests.conftest import eventually
from tests.support.flows import connection, flow, processor


async def test_parameter_context_values_are_used_by_processors(make_controller: Any) -> None:
    gen = processor("gen", "GenerateFlowFile", {"Custom Text": "#{greeting}, ${literal('world')}",
                                                "Batch Size": "#{batch}", "Data Format": "Text"},
                    state="ENABLED")
    update = processor("update", "UpdateAttribute", {"who": "#{greeting}-${filename:length():gt(0)}"},
                       state="ENABLED")
    sink = processor("sink", "LogAttribute", state="ENABLED", auto_terminate=("success",))
    out = connection(update, sink, ["success"])
    document = flow([gen, update, sink], [connection(gen, update, ["success"]), out],
                    parameterContextName="demo")
    document["parameterContexts"] = {"demo": {"name": "demo", "parameters": [
        {"name": "greeting", "value": "hello", "sensitive": False},
        {"name": "batch", "value": "3", "sensitive": False}]}}
    controller = make_controller()
    await controller.load(document)
    await controller.start(gen["identifier"])
    await controller.start(update["identifier"])
    queue = controller.connections[out["identifier"]]
    await eventually(lambda: queue.count >= 3)
    await controller.stop(gen["identifier"])
    (_, first), *_ = queue.peek(1)
    assert controller.repo.content.read_bytes(first.claim) == b"hello, world"
    assert first.attributes["who"] == "hello-true"
