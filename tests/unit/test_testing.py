"""TestRunner: a processor run on the real engine pieces, asserted like NiFi's TestRunner."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping

import pytest

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from nifi_like.testing import MockFlowFile, TestRunner


class Split(Processor):
    """Routes each FlowFile to 'big' or 'small' by its size; counts lifecycle calls."""

    THRESHOLD = PropertyDescriptor("Threshold", required=True, default="3", validator=validators.POSITIVE_INTEGER)
    PER_TRIGGER = PropertyDescriptor("Per Trigger", default="100", validator=validators.POSITIVE_INTEGER)
    BIG = Relationship("big")
    SMALL = Relationship("small")

    def __init__(self) -> None:
        self.scheduled = 0
        self.stopped = 0
        self.triggers = 0

    def on_scheduled(self, context: ProcessContext) -> None:
        self.scheduled += 1

    def on_stopped(self, context: ProcessContext) -> None:
        self.stopped += 1

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        self.triggers += 1
        threshold = context.get_property(self.THRESHOLD).as_int() or 0
        for flowfile in session.get_batch(context.get_property(self.PER_TRIGGER).as_int() or 1):
            flowfile = session.put_attribute(flowfile, "seen", "yes")
            session.transfer(flowfile, self.BIG if flowfile.size >= threshold else self.SMALL)


class Explode(Processor):
    """Takes a FlowFile, transfers it, then fails."""

    SUCCESS = Relationship("success")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfile = session.get()
        if flowfile is not None:
            session.transfer(session.put_attribute(flowfile, "touched", "1"), self.SUCCESS)
        raise ProcessException("boom")


class Counter(Processor):
    """Counts its triggers in component state, committed with the session."""

    tags = ("test",)
    input_requirement = InputRequirement.INPUT_FORBIDDEN

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        count = int(session.get_state().get("count") or "0")
        session.set_state({"count": str(count + 1)})


class AsyncEcho(Processor):
    """An async processor: passes FlowFiles through after awaiting."""

    SUCCESS = Relationship("success")

    async def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        await asyncio.sleep(0)
        flowfile = session.get()
        if flowfile is not None:
            session.transfer(flowfile, self.SUCCESS)


class Picky(Processor):
    """Refuses a combination of properties in custom_validate."""

    MODE = PropertyDescriptor("Mode", default="a", allowable_values=("a", "b"))
    SUCCESS = Relationship("success")

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return ["Mode b needs a friend"] if properties.get("Mode") == "b" else []


@pytest.fixture
def split() -> Iterator[TestRunner]:
    with TestRunner(Split) as runner:
        yield runner


def test_enqueued_flowfiles_are_transferred_to_the_relationship_the_processor_chose(split: TestRunner) -> None:
    split.enqueue(b"abcdef", attributes={"kind": "big one"})
    split.enqueue("ab")
    split.run()
    split.assert_transferred("big", 1)
    split.assert_transferred(Split.SMALL, 1)
    [big] = split.get_flowfiles_for_relationship("big")
    big.assert_content_equals(b"abcdef")
    big.assert_attribute_equals("kind", "big one")
    big.assert_attribute_equals("seen", "yes")
    assert big.relationship == "big"
    split.get_flowfiles_for_relationship("small")[0].assert_content_equals("ab")
    split.assert_queue_empty()


def test_run_calls_on_scheduled_and_on_stopped_once_around_the_triggers(split: TestRunner) -> None:
    assert isinstance(split.processor, Split)
    split.run(iterations=3)
    assert (split.processor.scheduled, split.processor.triggers, split.processor.stopped) == (1, 3, 1)
    split.run(iterations=2, stop_on_finish=False, initialize=False)
    assert (split.processor.scheduled, split.processor.triggers, split.processor.stopped) == (1, 5, 1)


def test_each_trigger_commits_its_own_session(split: TestRunner) -> None:
    split.set_property("Per Trigger", "1")
    for content in (b"aaaa", b"bbbb", b"cccc"):
        split.enqueue(content)
    split.run(iterations=2)
    split.assert_all_transferred("big", count=2)
    assert split.queue_size == 1
    split.assert_queue_not_empty()
    split.run()
    split.assert_all_transferred("big", count=3)
    assert [ff.content for ff in split.get_flowfiles_for_relationship("big")] == [b"aaaa", b"bbbb", b"cccc"]


def test_an_exception_rolls_the_session_back_and_propagates() -> None:
    with TestRunner(Explode) as runner:
        runner.enqueue(b"x")
        with pytest.raises(ProcessException, match="boom"):
            runner.run()
        runner.assert_transferred("success", 0)
        assert runner.queue_size == 1
        assert runner.provenance_events == []


def test_assertions_fail_with_what_was_actually_transferred(split: TestRunner) -> None:
    split.enqueue(b"abcdef")
    split.run()
    with pytest.raises(AssertionError, match=r"expected 2 FlowFile\(s\) transferred to 'big', found 1"):
        split.assert_transferred("big", 2)
    with pytest.raises(AssertionError, match="expected every FlowFile to go to 'small'"):
        split.assert_all_transferred("small")
    with pytest.raises(AssertionError, match="'nowhere' is not a relationship of Split"):
        split.get_flowfiles_for_relationship("nowhere")
    with pytest.raises(AssertionError, match="input queue is empty"):
        split.assert_queue_not_empty()


def test_mock_flowfile_assertions_fail_on_a_mismatch(split: TestRunner) -> None:
    flowfile = split.enqueue(b"abc", attributes={"a": "1"})
    assert isinstance(flowfile, MockFlowFile)
    with pytest.raises(AssertionError, match="expected b'abd'"):
        flowfile.assert_content_equals(b"abd")
    with pytest.raises(AssertionError, match="attribute 'a' .* is '1', expected '2'"):
        flowfile.assert_attribute_equals("a", "2")
    with pytest.raises(AssertionError, match="has no attribute 'b'"):
        flowfile.assert_attribute_exists("b")
    with pytest.raises(AssertionError, match="has attribute 'a'"):
        flowfile.assert_attribute_not_exists("a")
    assert not flowfile.is_penalized


def test_an_invalid_property_names_the_property_the_processor_and_the_reason(split: TestRunner) -> None:
    split.assert_valid()
    split.set_property("Threshold", "ten")
    [reason] = split.assert_not_valid()
    assert reason.startswith("Property 'Threshold' of Split[")
    assert reason.endswith(": 'ten' is not a positive integer")
    with pytest.raises(AssertionError, match="'ten' is not a positive integer"):
        split.run()
    split.remove_property("Threshold")
    split.assert_valid()


def test_a_property_the_processor_does_not_support_is_invalid(split: TestRunner) -> None:
    split.set_property("Colour", "blue")
    assert split.assert_not_valid() == [f"Property 'Colour' of Split[{split.context.identifier[:8]}]: is not a "
                                        "property of Split"]


def test_custom_validate_and_allowable_values_are_checked() -> None:
    with TestRunner(Picky, properties={"Mode": "c"}) as runner:
        assert "is not one of the allowed values: a, b" in runner.assert_not_valid()[0]
        runner.set_property("Mode", "b")
        assert runner.assert_not_valid()[0].endswith(": Mode b needs a friend")


def test_provenance_events_are_decoded_from_the_repository(split: TestRunner) -> None:
    split.enqueue(b"abcdef")
    split.run()
    [event] = split.provenance_events
    [big] = split.get_flowfiles_for_relationship("big")
    assert event["event_type"] == "ATTRIBUTES_MODIFIED"
    assert event["flowfile_uuid"] == big.id
    assert event["component_id"] == split.context.identifier
    assert event["attributes"]["seen"] == "yes"
    assert "seen" not in event["previous_attributes"]
    assert event["event_id"] >= 1


def test_state_set_in_a_session_is_committed_with_it() -> None:
    with TestRunner(Counter) as runner:
        assert runner.state.version == -1
        runner.run(iterations=3)
        assert runner.state.get("count") == "3"
        runner.set_state({"count": "10"})
        runner.run()
        assert runner.state.get("count") == "11"


def test_a_processor_that_forbids_input_cannot_be_given_any() -> None:
    with TestRunner(Counter()) as runner, pytest.raises(AssertionError, match="does not accept input"):
        runner.enqueue(b"x")


def test_an_async_on_trigger_is_awaited() -> None:
    with TestRunner(AsyncEcho) as runner:
        runner.enqueue(b"x")
        runner.run()
        runner.assert_all_transferred("success", count=1)


async def test_an_async_on_trigger_is_awaited_inside_a_running_event_loop() -> None:
    with TestRunner(AsyncEcho) as runner:
        runner.enqueue(b"x")
        runner.run()
        runner.assert_all_transferred("success", count=1)


def test_large_content_round_trips_through_a_claim_file(split: TestRunner) -> None:
    data = os.urandom(200_000)  # above the inline limit: stored in a claim file
    split.enqueue(data)
    split.run()
    [big] = split.get_flowfiles_for_relationship("big")
    assert big.size == len(data)
    big.assert_content_equals(data)


def test_clear_transfer_state_forgets_earlier_output(split: TestRunner) -> None:
    split.enqueue(b"abcdef")
    split.run()
    split.clear_transfer_state()
    split.assert_transferred("big", 0)
    split.enqueue(b"a")
    split.run()
    split.assert_all_transferred("small", count=1)


def test_close_deletes_the_temporary_repository() -> None:
    runner = TestRunner(Split)
    directory = runner._directory
    assert os.path.isdir(directory)
    runner.close()
    runner.close()
    assert not os.path.exists(directory)
