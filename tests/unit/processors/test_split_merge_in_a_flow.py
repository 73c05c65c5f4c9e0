"""SplitText and MergeContent on the real engine: scheduler, queues, yield and re-queued bins."""

from __future__ import annotations

import re
from typing import Any

from nifi_like.engine.registry import ProcessorRegistry
from processors.transform.merge_content import MergeContent
from processors.transform.replace_text import ReplaceText
from processors.transform.split_text import SplitText
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor
from tests.support.processors import Emit


async def test_every_emitted_flowfile_is_merged_exactly_once(make_controller: Any,
                                                            registry: ProcessorRegistry) -> None:
    registry.register(MergeContent)
    emit = processor("emit", "Emit", {"Batch Size": "7"}, state="ENABLED")
    merge = processor("merge", "MergeContent", {"Maximum Number of Entries": "20", "Max Bin Age": "1 sec",
                                                "Delimiter Strategy": "Text", "Demarcator File": ","},
                      auto_terminate=("original",), yieldDuration="100 ms")
    sink = processor("sink", "Pass", state="ENABLED")
    merged = connection(merge, sink, ["merged"])
    controller = make_controller()
    await controller.load(flow([emit, merge, sink], [connection(emit, merge, ["success"]), merged,
                                                     connection(merge, sink, ["failure"])]))
    await controller.start(emit["identifier"])
    await eventually(lambda: Emit.counter >= 140)
    await controller.stop(emit["identifier"])
    total = Emit.counter
    queue = controller.connections[merged["identifier"]]
    await eventually(lambda: sum(int(ff.attributes["merge.count"]) for _, ff in queue.peek(10_000)) == total)
    flowfiles = [ff for _, ff in queue.peek(10_000)]
    contents = b",".join(controller.repo.content.read_bytes(ff.claim) for ff in flowfiles)
    assert sorted(int(n) for n in contents.split(b",")) == list(range(1, total + 1))
    assert {ff.attributes["merge.reason"] for ff in flowfiles} <= {"MAX_ENTRIES_THRESHOLD_REACHED",
                                                                  "MIN_THRESHOLDS_REACHED", "TIMEOUT"}


async def test_split_then_defragment_restores_each_file(make_controller: Any, registry: ProcessorRegistry) -> None:
    for cls in (ReplaceText, SplitText, MergeContent):
        registry.register(cls)
    emit = processor("emit", "Emit", {"Batch Size": "3", "Padding": "40"}, state="ENABLED")
    lines = processor("lines", "ReplaceText", {"Regular Expression": "(.{8})", "Replacement Value": "$1\n",
                                               "Evaluation Mode": "Entire text"})
    split = processor("split", "SplitText", {"Line Split Count": "2", "Remove Trailing Newlines": "false"},
                      auto_terminate=("original",))
    merge = processor("merge", "MergeContent", {"Merge Strategy": "Defragment"}, auto_terminate=("original",),
                      yieldDuration="100 ms")
    sink = processor("sink", "Pass", state="ENABLED")
    merged = connection(merge, sink, ["merged"])
    controller = make_controller()
    await controller.load(flow([emit, lines, split, merge, sink], [
        connection(emit, lines, ["success"]), connection(lines, split, ["success"]), connection(lines, sink, ["failure"]),
        connection(split, merge, ["splits"]), merged, connection(split, sink, ["failure"]),
        connection(merge, sink, ["failure"])]))
    await controller.start(emit["identifier"])
    await eventually(lambda: Emit.counter >= 9)
    await controller.stop(emit["identifier"])
    total = Emit.counter
    queue = controller.connections[merged["identifier"]]
    await eventually(lambda: queue.count == total)
    restored = [(ff, controller.repo.content.read_bytes(ff.claim)) for _, ff in queue.peek(10_000)]
    assert all(int(ff.attributes["merge.count"]) >= 3 for ff, _ in restored), "each file was several fragments"
    expected = [re.sub(rb"(.{8})", rb"\1\n", str(n).encode() + b"." * 40) for n in range(1, total + 1)]
    assert sorted(content for _, content in restored) == sorted(expected)
