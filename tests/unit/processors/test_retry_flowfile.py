"""RetryFlowFile: counts passes through a loop, penalizes retries, ends the loop after the maximum."""

from __future__ import annotations

from nifi_like.flow_testing import FlowRunner
from nifi_like.testing import TestRunner
from processors.routing.retry_flowfile import FAILURE_REASON, RetryFlowFile
from tests.support.flows import connection, flow, processor


def test_a_retry_is_penalized_by_default() -> None:
    with TestRunner(RetryFlowFile) as runner:
        runner.enqueue(b"x")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("retry")
        assert flowfile.is_penalized


def test_each_pass_counts_until_the_maximum() -> None:
    with TestRunner(RetryFlowFile, properties={"maximum-retries": "2", "gave.up": "after ${flowfile.retries}",
                                               "penalize-retries": "false"}) as runner:
        runner.enqueue(b"x")
        runner.run()
        [first] = runner.get_flowfiles_for_relationship("retry")
        first.assert_attribute_equals("flowfile.retries", "1")
        first.assert_attribute_equals("flowfile.retries.uuid", runner.context.identifier)
        assert not first.is_penalized
        runner.clear_transfer_state()
        runner.enqueue(b"x", dict(first.attributes))
        runner.run()
        [second] = runner.get_flowfiles_for_relationship("retry")
        second.assert_attribute_equals("flowfile.retries", "2")
        runner.clear_transfer_state()
        runner.enqueue(b"x", dict(second.attributes))
        runner.run()
        [done] = runner.get_flowfiles_for_relationship("retries_exceeded")
        done.assert_attribute_not_exists("flowfile.retries")
        done.assert_attribute_not_exists("flowfile.retries.uuid")
        done.assert_attribute_equals("gave.up", "after 2")
        assert not done.is_penalized


def test_a_non_numeric_count_is_reset_or_fails_as_configured() -> None:
    with TestRunner(RetryFlowFile) as runner:
        runner.enqueue(b"x", {"flowfile.retries": "many"})
        runner.run()
        runner.get_flowfiles_for_relationship("retry")[0].assert_attribute_equals("flowfile.retries", "1")
    with TestRunner(RetryFlowFile, properties={"Fail on Non-numerical Overwrite": "true"}) as runner:
        runner.enqueue(b"x", {"flowfile.retries": "many"})
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert "'many', not a number" in (failed.get_attribute(FAILURE_REASON) or "")


def test_a_count_left_by_another_retry_processor_fails_or_resets() -> None:
    attributes = {"flowfile.retries": "2", "flowfile.retries.uuid": "another-processor"}
    with TestRunner(RetryFlowFile) as runner:
        runner.enqueue(b"x", attributes)
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert "another-processor" in (failed.get_attribute(FAILURE_REASON) or "")
    with TestRunner(RetryFlowFile, properties={"reuse-mode": "warn"}) as runner:
        runner.enqueue(b"x", attributes)
        runner.run()
        runner.get_flowfiles_for_relationship("retry")[0].assert_attribute_equals("flowfile.retries", "1")
        assert runner.bulletins


def test_maximum_retries_from_a_bad_attribute_routes_to_failure() -> None:
    with TestRunner(RetryFlowFile, properties={"maximum-retries": "${max}"}) as runner:
        runner.enqueue(b"x", {"max": "lots"})
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert "'lots', not a number" in (failed.get_attribute(FAILURE_REASON) or "")


def test_in_a_loop_the_flowfile_leaves_after_the_maximum() -> None:
    retry = processor("Retry", "RetryFlowFile", {"maximum-retries": "3", "penalize-retries": "false"},
                      auto_terminate=("failure",))
    loop = processor("Loop", "UpdateAttribute", {"passes": "${passes:replaceNull(0):plus(1)}"})
    done = processor("Done", "LogAttribute", auto_terminate=("success",))
    source = processor("In", "GenerateFlowFile")
    document = flow([source, loop, retry, done], [
        connection(source, loop, ["success"]), connection(loop, retry, ["success"]),
        connection(retry, loop, ["retry"]), connection(retry, done, ["retries_exceeded"])])
    with FlowRunner(document, inputs=["In"], outputs=["Done"], processors=[RetryFlowFile]) as runner:
        runner.enqueue("In", "x")
        runner.run_until_idle(timeout=20)
        [flowfile] = runner.outputs("Done")
        flowfile.assert_attribute_equals("passes", "4")
