"""DistributeLoad: spread FlowFiles over numbered relationships, weighted round robin."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
RELATIONSHIP_ATTRIBUTE = "distribute.load.relationship"
ROUND_ROBIN = AllowableValue(
    "round robin", "round robin",
    "Relationship selection is evenly distributed in a round robin fashion; all relationships must be available.")


class DistributeLoad(Processor):
    """Distributes FlowFiles to downstream processors based on a Distribution Strategy. With the Round Robin
    strategy each destination has a weighting of 1 (evenly distributed) by default; adding a property with
    the name '5' and value '10' means that the relationship with name '5' will receive 10 FlowFiles in each
    iteration instead of 1.

    NiFi's 'next available' and 'overflow' strategies choose among the relationships whose connections are
    not full, which needs the engine to trigger a processor while only some of its destinations are
    available (NiFi's @TriggerWhenAnyDestinationAvailable); this engine triggers a processor only when all
    are, so those strategies are not offered."""

    tags = ("distribute", "load balance", "route", "round robin", "weighted")
    nifi_type = "org.apache.nifi.processors.standard.DistributeLoad"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        RELATIONSHIP_ATTRIBUTE: "The name of the specific relationship the FlowFile has been routed through",
    }

    NUM_RELATIONSHIPS = PropertyDescriptor(
        "Number of Relationships",
        description="Determines the number of Relationships to which the load should be distributed",
        required=True, default="1", validator=validators.POSITIVE_INTEGER)
    DISTRIBUTION_STRATEGY = PropertyDescriptor(
        "Distribution Strategy",
        description="Determines how the load will be distributed. Relationship weight is in numeric order where '1' "
                    "has the greatest weight.",
        required=True, default=ROUND_ROBIN.value, allowable_values=(ROUND_ROBIN,))

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._weighted: list[Relationship] = []

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        if not (name.isascii() and name.isdigit()) or int(name) < 1:  # '³'.isdigit() is True
            return None  # reported as "is not a property": only relationship numbers may be weighted
        return PropertyDescriptor(name, description="The relationship Weight (positive number)", dynamic=True,
                                  validator=validators.POSITIVE_INTEGER)

    @classmethod
    def _count(cls, properties: Mapping[str, str | None]) -> int:
        value = properties.get(cls.NUM_RELATIONSHIPS.name) or cls.NUM_RELATIONSHIPS.default or "1"
        return int(value) if value.strip().isascii() and value.strip().isdigit() and int(value) > 0 else 1

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        return [Relationship(str(number), "Where to route FlowFiles for this relationship index")
                for number in range(1, cls._count(properties) + 1)]

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        count = self._count(properties)
        declared = {descriptor.name for descriptor in self.property_descriptors()}
        return [f"Property '{name}': Property Name must be a positive integer between 1 and the number of "
                f"relationships ({count}) inclusive"
                for name in properties
                if name not in declared and name.isascii() and name.isdigit() and not 1 <= int(name) <= count]

    def on_scheduled(self, context: ProcessContext) -> None:
        weights = {str(number): 1 for number in range(1, self._count(context.properties) + 1)}
        weights.update({name: int(value) for name, value in context.dynamic_properties.items()})
        with self._lock:
            self._weighted = [Relationship(name) for name, weight in weights.items() for _ in range(weight)]
            self._counter = itertools.count()

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        for flowfile in flowfiles:
            with self._lock:
                relationship = self._weighted[next(self._counter) % len(self._weighted)]
            flowfile = session.put_attribute(flowfile, RELATIONSHIP_ATTRIBUTE, relationship.name)
            session.transfer(flowfile, relationship)
            session.provenance.route(flowfile, relationship)
