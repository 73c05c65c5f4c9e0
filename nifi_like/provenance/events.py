"""Provenance events as stored records and as typed values with NiFi's field names.

Each session commit stores its events as one record of msgpack tuples (layout below; see
nifi_like.repository.provenance_log). Events of 20 fields keep the content they record alive
while retained (see ``hold_released_content``); events of 18 fields were written before that.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nifi_like.api.flowfile import Claim
from nifi_like.api.units import format_data_size
from nifi_like.repository.content import claim_ref

EVENT_TYPES = (
    "CREATE", "RECEIVE", "FETCH", "SEND", "DOWNLOAD", "DROP", "EXPIRE", "FORK", "JOIN", "CLONE",
    "CONTENT_MODIFIED", "ATTRIBUTES_MODIFIED", "ROUTE", "ADDINFO", "REPLAY", "REMOTE_INVOCATION",
)
#: Events that make new FlowFiles out of others: they name parents and children.
SPAWN_TYPES = frozenset({"FORK", "JOIN", "CLONE", "REPLAY"})
#: Events whose attributes are all new (no previous attributes to compare with).
_NEW_ATTRIBUTE_TYPES = frozenset({"CREATE", "RECEIVE", "FETCH", "JOIN", "REPLAY"})
#: Field count of records that keep their content alive (fields 19 and 20: source queue id, holds).
REFS_LAYOUT_FIELDS = 20
#: Bits of the HELD field: the event holds a content reference to its claim / previous claim.
HOLDS_CLAIM, HOLDS_PREVIOUS_CLAIM = 1, 2

# record layout: the index of each field in the stored tuple
(EVENT_TYPE, TIMESTAMP, DURATION, LINEAGE_START, COMPONENT_ID, COMPONENT_TYPE, FLOWFILE_UUID, PARENTS,
 CHILDREN, PREVIOUS_ATTRIBUTES, ATTRIBUTES, PREVIOUS_CLAIM, CLAIM, SIZE, TRANSIT_URI, DETAILS, RELATIONSHIP,
 GROUP_ID, SOURCE_QUEUE, HELD) = range(20)


def hold_released_content(events: list[tuple[Any, ...]], kept: set[Any]) -> list[Claim]:
    """Give a commit's events the content references they need; return the claims to hold (+1 each).

    Content a FlowFile still references stays alive anyway, and the events about it come
    before the event that releases it (a DROP, EXPIRE, CONTENT_MODIFIED...). So a commit
    only holds what it releases: each recorded claim that no output FlowFile of the commit
    keeps (``kept``: claim units) gets one reference, marked in the first event naming it.
    Retention removes events oldest first, so while an event is retained, so is the later
    event holding its content. Event tuples must have all ``REFS_LAYOUT_FIELDS`` fields.
    """
    held_units: set[Any] = set()
    held: list[Claim] = []
    for index, event in enumerate(events):
        claim, previous = event[CLAIM], event[PREVIOUS_CLAIM]
        mask = 0
        if claim is not None and (unit := claim_ref(claim)) not in kept and unit not in held_units:
            held_units.add(unit)
            held.append(claim)
            mask = HOLDS_CLAIM
        if previous is not None and (unit := claim_ref(previous)) not in kept and unit not in held_units:
            held_units.add(unit)
            held.append(previous)
            mask |= HOLDS_PREVIOUS_CLAIM
        if mask:
            events[index] = (*event[:HELD], mask)
    return held


def _as_claim(raw: Any) -> Claim:
    return None if raw is None else tuple(raw)


@dataclass(frozen=True, slots=True)
class ProvenanceEvent:
    """One provenance event; the properties give NiFi's ProvenanceEventDTO names."""

    event_id: int
    event_type: str
    timestamp_ms: int
    duration_ms: int
    lineage_start_ms: int
    component_id: str
    component_type: str
    flowfile_uuid: str
    parent_uuids: tuple[str, ...]
    child_uuids: tuple[str, ...]
    previous_attributes: Mapping[str, str] | None
    attributes: Mapping[str, str]
    previous_claim: Claim
    claim: Claim
    size: int
    transit_uri: str | None
    details: str | None
    relationship: str | None
    group_id: str
    source_queue_id: str | None
    content_tracked: bool  # the record keeps its content alive while retained (the 20-field layout)
    holds: int  # HOLDS_CLAIM | HOLDS_PREVIOUS_CLAIM: references retention releases with the event

    @classmethod
    def from_record(cls, event_id: int, record: Sequence[Any]) -> ProvenanceEvent:
        event_type = record[EVENT_TYPE]
        uuid = record[FLOWFILE_UUID]
        parents = tuple(record[PARENTS] or ())
        children = tuple(record[CHILDREN] or ())
        # NiFi's spawn events name both sides: the FlowFile itself is the parent of a FORK or
        # CLONE (and the child of a JOIN) even when the record lists only the other side.
        if event_type in ("FORK", "CLONE", "REPLAY") and not parents:
            parents = (uuid,)
        elif event_type == "JOIN" and not children:
            children = (uuid,)
        extended = len(record) >= REFS_LAYOUT_FIELDS
        return cls(event_id, event_type, record[TIMESTAMP], record[DURATION], record[LINEAGE_START],
                   record[COMPONENT_ID], record[COMPONENT_TYPE], uuid, parents, children,
                   record[PREVIOUS_ATTRIBUTES], record[ATTRIBUTES], _as_claim(record[PREVIOUS_CLAIM]),
                   _as_claim(record[CLAIM]), record[SIZE], record[TRANSIT_URI], record[DETAILS],
                   record[RELATIONSHIP], record[GROUP_ID] or "",
                   record[SOURCE_QUEUE] if extended else None, extended, record[HELD] if extended else 0)

    # -- what the event says about content -----------------------------------------------
    @property
    def input_claim(self) -> Claim:
        """The content the FlowFile had when the component got it (what replay sends again)."""
        if self.event_type == "CONTENT_MODIFIED":
            return self.previous_claim
        return self.previous_claim if self.previous_claim is not None else self.claim

    @property
    def input_attributes(self) -> Mapping[str, str]:
        return self.previous_attributes if self.previous_attributes is not None else self.attributes

    @property
    def held_refs(self) -> list[Any]:
        """The content reference units this event holds (retention releases them)."""
        held = []
        if self.holds & HOLDS_CLAIM and self.claim is not None:
            held.append(claim_ref(self.claim))
        if self.holds & HOLDS_PREVIOUS_CLAIM and self.previous_claim is not None:
            held.append(claim_ref(self.previous_claim))
        return held

    @property
    def filename(self) -> str | None:
        return self.attributes.get("filename") or (self.previous_attributes or {}).get("filename")

    # -- NiFi's names ----------------------------------------------------------------------
    @property
    def eventId(self) -> int:
        return self.event_id

    @property
    def eventType(self) -> str:
        return self.event_type

    @property
    def eventTime(self) -> int:
        return self.timestamp_ms

    @property
    def eventDuration(self) -> int:
        return self.duration_ms

    @property
    def lineageStartDate(self) -> int:
        return self.lineage_start_ms

    @property
    def componentId(self) -> str:
        return self.component_id

    @property
    def componentType(self) -> str:
        return self.component_type

    @property
    def flowFileUuid(self) -> str:
        return self.flowfile_uuid

    @property
    def parentUuids(self) -> list[str]:
        return list(self.parent_uuids)

    @property
    def childUuids(self) -> list[str]:
        return list(self.child_uuids)

    @property
    def previousAttributes(self) -> dict[str, str]:
        """As in NiFi: none for events that bring a FlowFile in, else the attributes before."""
        if self.previous_attributes is None and self.event_type in _NEW_ATTRIBUTE_TYPES:
            return {}
        return dict(self.input_attributes)

    @property
    def updatedAttributes(self) -> dict[str, str]:
        """As in NiFi: the attributes this event added or changed."""
        before = self.previous_attributes
        if before is None:
            return dict(self.attributes) if self.event_type in _NEW_ATTRIBUTE_TYPES else {}
        return {k: v for k, v in self.attributes.items() if before.get(k) != v}

    @property
    def transitUri(self) -> str | None:
        return self.transit_uri

    @property
    def fileSize(self) -> str:
        return format_data_size(self.size)

    @property
    def fileSizeBytes(self) -> int:
        return self.size

    @property
    def groupId(self) -> str:
        return self.group_id

    @property
    def sourceConnectionIdentifier(self) -> str | None:
        return self.source_queue_id

    @property
    def replay_problem(self) -> str | None:
        """Why this event cannot be replayed, or None (NiFi's replayExplanation)."""
        if self.event_type in ("JOIN", "REPLAY"):
            return f"a {self.event_type} event has no single input FlowFile to replay"
        if not self.content_tracked:
            return "it was recorded before events kept their content, which may be gone"
        if self.source_queue_id is None:
            return "the FlowFile did not come from a queue, so there is no source queue to replay into"
        return None

    def to_dto(self, component_name: str | None = None) -> dict[str, Any]:
        """The event as NiFi's ProvenanceEventDTO (the web layer serves this shape)."""
        before = self.previousAttributes
        attributes = [{"name": name, "value": self.attributes.get(name), "previousValue": before.get(name)}
                      for name in sorted(set(self.attributes) | set(before))]
        problem = self.replay_problem
        return {
            "id": str(self.event_id), "eventId": self.event_id, "eventTime": format_time(self.timestamp_ms),
            "eventDuration": self.duration_ms, "lineageDuration": max(0, self.timestamp_ms - self.lineage_start_ms),
            "eventType": self.event_type, "flowFileUuid": self.flowfile_uuid, "fileSize": self.fileSize,
            "fileSizeBytes": self.size, "groupId": self.group_id, "componentId": self.component_id,
            "componentType": self.component_type, "componentName": component_name or self.component_type,
            "sourceConnectionIdentifier": self.source_queue_id, "attributes": attributes,
            "parentUuids": self.parentUuids, "childUuids": self.childUuids, "transitUri": self.transit_uri,
            "relationship": self.relationship, "details": self.details,
            "inputContentAvailable": self.content_tracked and self.input_claim is not None,
            "inputContentClaimFileSizeBytes": self.size if self.input_claim == self.claim else None,
            "outputContentAvailable": self.content_tracked and self.claim is not None,
            "outputContentClaimFileSizeBytes": self.size, "contentEqual": self.input_claim == self.claim,
            "replayAvailable": problem is None, "replayExplanation": problem,
        }


def format_time(millis: int) -> str:
    """NiFi's provenance time format: 'MM/dd/yyyy HH:mm:ss.SSS UTC'."""
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(seconds)) + f".{ms:03d} UTC"
