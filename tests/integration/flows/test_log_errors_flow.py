"""A multi-processor flow under FlowRunner, shipped as an example:
ReplaceText -> SplitText -> RouteOnContent -> MergeContent, with its source and sinks in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from nifi_like.flow_testing import FlowRunner

FLOW = os.path.join(os.path.dirname(__file__), "log_errors_flow.json")
LOGS_IN, REPORT, OTHER, FAILURES = "Log files in", "Error report", "Other lines", "Failures"

LOG_A = "12:00 info start\n12:01 error disk full\n12:02 info retry\n12:03 ERR timeout\n"
LOG_B = "13:00 Error bad input\n13:01 info done\n"


@pytest.fixture
def runner() -> Iterator[FlowRunner]:
    with FlowRunner(FLOW, inputs=[LOGS_IN], outputs=[REPORT, OTHER, FAILURES]) as flow_runner:
        yield flow_runner


def test_error_lines_of_every_file_end_up_merged_in_the_report(runner: FlowRunner) -> None:
    runner.enqueue(LOGS_IN, LOG_A, {"filename": "a.log"})
    runner.enqueue(LOGS_IN, LOG_B, {"filename": "b.log"})
    runner.run_until_idle(timeout=20)

    report_lines = [line for ff in runner.outputs(REPORT) for line in ff.content.decode().splitlines()]
    assert sorted(report_lines) == ["12:01 ERROR disk full", "12:03 ERROR timeout", "13:00 ERROR bad input"]
    assert all(ff.get_attribute("merge.count") for ff in runner.outputs(REPORT))
    other = sorted(ff.content.decode().rstrip("\n") for ff in runner.outputs(OTHER))
    assert other == ["12:00 info start", "12:02 info retry", "13:01 info done"]
    assert all(ff.get_attribute("RouteOnContent.Route") == "unmatched" for ff in runner.outputs(OTHER))
    assert runner.outputs(FAILURES) == []


def test_a_file_without_errors_gives_no_report(runner: FlowRunner) -> None:
    runner.enqueue(LOGS_IN, "all good\nstill good\n")
    runner.run_until_idle(timeout=20)

    assert runner.outputs(REPORT) == []
    assert len(runner.outputs(OTHER)) == 2


def test_provenance_links_each_split_line_to_its_file(runner: FlowRunner) -> None:
    runner.enqueue(LOGS_IN, LOG_B, {"filename": "b.log"})
    runner.run_until_idle(timeout=20)

    events = runner.provenance_events()
    (created,) = [e for e in events if e["event_type"] == "CREATE"]
    children = {child for e in events if e["event_type"] in ("FORK", "CLONE")
                and e["flowfile_uuid"] == created["flowfile_uuid"] for child in e["child_uuids"]}
    assert len(children) == 2  # one per line
    joins = [e for e in events if e["event_type"] == "JOIN"]
    assert len(joins) == len(runner.outputs(REPORT)) == 1
