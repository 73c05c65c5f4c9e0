"""FlowRunner itself: choosing what to swap, errors a test author can act on, restarts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nifi_like.flow_testing import FlowRunner
from tests.support.flows import connection, flow, processor


def pipeline() -> dict[str, Any]:
    source = processor("In", "GenerateFlowFile", identifier="00000000-0000-0000-0000-0000000000a1")
    tag = processor("Tag", "UpdateAttribute", {"tagged": "yes"})
    route = processor("Route", "RouteOnAttribute", {"big": "${size:gt(10)}"})
    big = processor("Big", "LogAttribute", auto_terminate=("success",))
    small = processor("Small", "LogAttribute", auto_terminate=("success",))
    return flow([source, tag, route, big, small], [
        connection(source, tag, ["success"]), connection(tag, route, ["success"]),
        connection(route, big, ["big"]), connection(route, small, ["unmatched"])])


def test_inputs_and_outputs_can_be_named_by_identifier() -> None:
    with FlowRunner(pipeline(), inputs=["00000000-0000-0000-0000-0000000000a1"], outputs=["Big", "Small"]) as runner:
        runner.enqueue("00000000-0000-0000-0000-0000000000a1", b"x", {"size": "50"})
        runner.enqueue("In", b"y", {"size": "5"})  # the name works too
        runner.run_until_idle()
        [big] = runner.outputs("Big")
        big.assert_content_equals(b"x")
        big.assert_attribute_equals("tagged", "yes")
        assert [ff.content for ff in runner.outputs("Small")] == [b"y"]
        assert set(runner.queue_counts().values()) == {0}


def test_an_unknown_processor_name_lists_the_processors() -> None:
    with pytest.raises(ValueError, match=r"no processor is named or identified 'Nope' \(processors: Big, In, "):
        FlowRunner(pipeline(), inputs=["Nope"])


def test_two_processors_with_one_name_must_be_named_by_identifier() -> None:
    document = pipeline()
    for component in document["flowContents"]["processors"]:
        if component["name"] == "Small":
            component["name"] = "Big"
    with pytest.raises(ValueError, match="2 processors are named 'Big'"):
        FlowRunner(document, outputs=["Big"])


def test_an_input_with_no_outgoing_connection_is_refused() -> None:
    with pytest.raises(ValueError, match="input 'Big' has no outgoing connection"):
        FlowRunner(pipeline(), inputs=["Big"])


def test_an_unknown_relationship_for_an_input_is_refused() -> None:
    with FlowRunner(pipeline(), inputs=["In"], outputs=["Big", "Small"]) as runner:
        with pytest.raises(ValueError, match="'failure' is not a relationship of input 'In'"):
            runner.enqueue("In", b"x", relationship="failure")


def test_queued_flowfiles_survive_a_restart_on_the_same_data_dir(tmp_path: Path) -> None:
    document = pipeline()
    for component in document["flowContents"]["processors"]:
        if component["name"] == "Route":
            component["scheduledState"] = "DISABLED"  # FlowFiles wait in its input queue
    with FlowRunner(document, inputs=["In"], outputs=["Big", "Small"], data_dir=tmp_path) as runner:
        runner.enqueue("In", b"kept", {"size": "99"})
        with pytest.raises(AssertionError, match="did not become idle"):
            runner.run_until_idle(timeout=1)
    for component in document["flowContents"]["processors"]:
        component["scheduledState"] = "RUNNING"
    with FlowRunner(document, inputs=["In"], outputs=["Big", "Small"], data_dir=tmp_path) as runner:
        runner.run_until_idle()
        assert [ff.content for ff in runner.outputs("Big")] == [b"kept"]
