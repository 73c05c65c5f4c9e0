"""UpdateAttribute: dynamic properties set attributes, a regular expression deletes them."""

from __future__ import annotations

from nifi_like.testing import TestRunner
from processors.transform.update_attribute import UpdateAttribute


def test_dynamic_properties_set_and_overwrite_attributes() -> None:
    with TestRunner(UpdateAttribute, properties={"colour": "red", "size": "L"}) as runner:
        runner.enqueue(b"x", attributes={"colour": "blue", "other": "kept"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_attribute_equals("colour", "red")
        flowfile.assert_attribute_equals("size", "L")
        flowfile.assert_attribute_equals("other", "kept")
        flowfile.assert_content_equals(b"x")


def test_values_are_expressions_evaluated_against_the_incoming_attributes(expression_language: None) -> None:
    properties = {"n": "${n:plus(1)}", "was": "${n}", "name": "${filename:toUpper()}"}
    with TestRunner(UpdateAttribute, properties=properties) as runner:
        runner.enqueue(b"", attributes={"n": "41", "filename": "a.txt"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_attribute_equals("n", "42")
        flowfile.assert_attribute_equals("was", "41")
        flowfile.assert_attribute_equals("name", "A.TXT")


def test_delete_attributes_expression_removes_matching_attributes_even_if_updated() -> None:
    properties = {"Delete Attributes Expression": "tmp\\..*|secret", "tmp.a": "new", "fresh": "yes"}
    with TestRunner(UpdateAttribute, properties=properties) as runner:
        runner.enqueue(b"", attributes={"tmp.a": "1", "tmp.b": "2", "secret": "s", "keep": "k"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        for key in ("tmp.a", "tmp.b", "secret"):
            flowfile.assert_attribute_not_exists(key)
        flowfile.assert_attribute_equals("keep", "k")
        flowfile.assert_attribute_equals("fresh", "yes")


def test_the_uuid_cannot_be_changed_or_deleted() -> None:
    properties = {"uuid": "mine", "Delete Attributes Expression": ".*"}
    with TestRunner(UpdateAttribute, properties=properties) as runner:
        original = runner.enqueue(b"")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        assert flowfile.attributes == {"uuid": original.id}


def test_an_update_is_recorded_as_attributes_modified() -> None:
    with TestRunner(UpdateAttribute, properties={"a": "1"}) as runner:
        runner.enqueue(b"")
        runner.enqueue(b"", attributes={"a": "1"})  # nothing changes: no event
        runner.run()
        events = runner.provenance_events
        assert [event["event_type"] for event in events] == ["ATTRIBUTES_MODIFIED"]
        assert events[0]["attributes"]["a"] == "1"


def test_flowfiles_are_taken_in_batches_of_a_hundred_per_trigger() -> None:
    with TestRunner(UpdateAttribute, properties={"a": "1"}) as runner:
        for _ in range(250):
            runner.enqueue(b"")
        runner.run()
        runner.assert_all_transferred("success", count=100)
        assert runner.queue_size == 150
        runner.run(iterations=2)
        runner.assert_all_transferred("success", count=250)
        runner.assert_queue_empty()


def test_an_invalid_delete_expression_is_invalid() -> None:
    with TestRunner(UpdateAttribute, properties={"Delete Attributes Expression": "(["}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Delete Attributes Expression' of UpdateAttribute[" in error
        assert "'([' is not a valid regular expression" in error


def test_stateful_mode_adds_the_set_state_fail_relationship_and_is_refused_for_now() -> None:
    with TestRunner(UpdateAttribute, properties={"Store State": "Store state locally"}) as runner:
        assert [r.name for r in UpdateAttribute.relationships_for(runner.properties)] == ["success",
                                                                                        "set state fail"]
        [error] = runner.assert_not_valid()
        assert "'Store state locally' is not supported yet" in error
    assert [r.name for r in UpdateAttribute.relationships_for({})] == ["success"]


def test_the_nifi_cache_size_property_is_not_taken_for_an_attribute() -> None:
    with TestRunner(UpdateAttribute, properties={"canonical-value-lookup-cache-size": "50"}) as runner:
        runner.enqueue(b"")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_not_exists(
            "canonical-value-lookup-cache-size")
