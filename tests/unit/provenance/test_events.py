"""Decoding stored provenance tuples into NiFi-shaped events."""

from __future__ import annotations

from nifi_like.provenance.events import (
    HOLDS_CLAIM,
    HOLDS_PREVIOUS_CLAIM,
    ProvenanceEvent,
    hold_released_content,
)
from tests.unit.provenance.helpers import event


def test_spawn_events_name_both_sides_as_nifi_does() -> None:
    fork = ProvenanceEvent.from_record(1, list(event("FORK", "p", 1000, children=("a", "b"))))
    assert fork.parentUuids == ["p"] and fork.childUuids == ["a", "b"]
    join = ProvenanceEvent.from_record(2, list(event("JOIN", "m", 1000, parents=("a", "b"))))
    assert join.parentUuids == ["a", "b"] and join.childUuids == ["m"]


def test_a_commit_holds_each_released_claim_once() -> None:
    kept_claim, dropped, modified_from, file_range_a, file_range_b = (
        (0, b"k" * 12), (0, b"d" * 12), (0, b"m" * 12), (1, 7, 0, 10), (1, 7, 10, 5))
    events = [event("ROUTE", "a", 1, claim=kept_claim), event("FORK", "b", 1, claim=dropped),
              event("DROP", "b", 1, claim=dropped),
              event("CONTENT_MODIFIED", "c", 1, claim=kept_claim, previous_claim=modified_from),
              event("DROP", "e", 1, claim=file_range_a), event("DROP", "f", 1, claim=file_range_b)]
    held = hold_released_content(events, {b"k" * 12})
    assert held == [dropped, modified_from, file_range_a], "one reference per released unit"
    decoded = [ProvenanceEvent.from_record(i, list(e)) for i, e in enumerate(events)]
    assert [e.held_refs for e in decoded] == [[], [b"d" * 12], [], [b"m" * 12], [7], []]
    assert decoded[3].holds == HOLDS_PREVIOUS_CLAIM and decoded[1].holds == HOLDS_CLAIM


def test_replay_input_is_the_content_and_attributes_before_the_event() -> None:
    before, after = (0, b"x" * 12), (0, b"y" * 12)
    modified = ProvenanceEvent.from_record(5, list(event(
        "CONTENT_MODIFIED", "u", 1000, attributes={"k": "new"}, previous={"uuid": "u", "k": "old"},
        claim=after, previous_claim=before)))
    assert modified.input_claim == before and modified.input_attributes["k"] == "old"
    assert modified.updatedAttributes == {"k": "new", "filename": "u.txt"}
    routed = ProvenanceEvent.from_record(6, list(event("ROUTE", "u", 1000, claim=after)))
    assert routed.input_claim == after and routed.updatedAttributes == {}


def test_records_before_the_source_queue_field_hold_no_content() -> None:
    old = ProvenanceEvent.from_record(1, list(event("DROP", "u", 1000, claim=(0, b"k" * 12), holds=1))[:18])
    assert not old.content_tracked and old.held_refs == [] and old.source_queue_id is None
    assert old.to_dto()["replayAvailable"] is False


def test_dto_has_nifi_field_names() -> None:
    dto = ProvenanceEvent.from_record(42, list(event("CREATE", "u", 1_700_000_000_123, claim=(0, b"k" * 12)))
                                      ).to_dto("Generate")
    assert dto["eventId"] == 42 and dto["id"] == "42" and dto["eventType"] == "CREATE"
    assert dto["eventTime"] == "11/14/2023 22:13:20.123 UTC"
    assert dto["componentName"] == "Generate" and dto["sourceConnectionIdentifier"] == "queue-1"
    assert dto["fileSizeBytes"] == 3 and dto["replayAvailable"] is True
    assert {"name": "filename", "value": "u.txt", "previousValue": None} in dto["attributes"]
