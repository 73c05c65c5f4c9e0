"""The demo flow (conf/demo-flow.json) under FlowRunner: an example of testing a whole flow.

GenerateFlowFile is swapped for an in-memory input, PutFile and LogAttribute for in-memory
outputs; UpdateAttribute and RouteOnAttribute run for real, on the real engine.
"""

from __future__ import annotations

import os

import pytest

from nifi_like.flow_testing import FlowRunner

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conf", "demo-flow.json")
SOURCE, EVEN, ODD = "Generate greetings", "Store even ones", "Log odd ones"


@pytest.fixture
def runner() -> FlowRunner:
    with FlowRunner(DEMO, inputs=[SOURCE], outputs=[EVEN, ODD]) as flow_runner:
        yield flow_runner  # type: ignore[misc]


def test_even_numbers_reach_putfile_and_odd_ones_logattribute(runner: FlowRunner) -> None:
    for index in range(20):
        runner.enqueue(SOURCE, f"greeting {index}", {"filename": f"g{index}"})
    runner.run_until_idle(timeout=20)

    even, odd = runner.outputs(EVEN), runner.outputs(ODD)
    assert len(even) + len(odd) == 20
    assert even and odd  # nextInt() counts up, so both halves are met
    assert all(int(ff.attributes["n"]) % 2 == 0 for ff in even)
    assert all(int(ff.attributes["n"]) % 2 == 1 for ff in odd)
    assert abs(len(even) - len(odd)) <= 1
    contents = sorted(ff.content for ff in even + odd)
    assert contents == sorted(f"greeting {i}".encode() for i in range(20))
    by_content = {ff.content: ff for ff in even + odd}
    by_content[b"greeting 3"].assert_attribute_equals("filename", "greeting-g3.txt")
    assert all(count == 0 for count in runner.queue_counts().values())


def test_provenance_tells_each_flowfile_was_routed(runner: FlowRunner) -> None:
    runner.enqueue(SOURCE, "one")
    runner.enqueue(SOURCE, "two")
    runner.run_until_idle(timeout=20)

    events = runner.provenance_events()
    created = [e for e in events if e["event_type"] == "CREATE"]
    assert len(created) == 2
    for event in created:
        lineage = [e for e in events if e["flowfile_uuid"] == event["flowfile_uuid"]]
        kinds = [e["event_type"] for e in lineage]
        assert kinds[0] == "CREATE"
        assert "ATTRIBUTES_MODIFIED" in kinds  # UpdateAttribute set n and filename
        assert kinds[-1] == "DROP"  # taken by the in-memory output
        assert {e["component_type"] for e in lineage} >= {"org.apache.nifi.processors.attributes.UpdateAttribute"}


def test_unknown_source_is_an_error_that_names_the_inputs(runner: FlowRunner) -> None:
    with pytest.raises(KeyError, match="Generate greetings"):
        runner.enqueue("Number them", "x")


def test_run_until_idle_fails_loudly_when_a_flowfile_is_stuck(tmp_path: object) -> None:
    # Without swapping the odd-number sink's downstream, a disabled LogAttribute keeps its queue full.
    import json

    with open(DEMO, encoding="utf-8") as stream:
        document = json.load(stream)
    for processor in document["flowContents"]["processors"]:
        if processor["name"] == ODD:
            processor["scheduledState"] = "DISABLED"
    with FlowRunner(document, inputs=[SOURCE], outputs=[EVEN]) as flow_runner:
        for index in range(4):
            flow_runner.enqueue(SOURCE, str(index))
        with pytest.raises(AssertionError, match="did not become idle"):
            flow_runner.run_until_idle(timeout=2)
        assert sum(flow_runner.queue_counts().values()) == 2
