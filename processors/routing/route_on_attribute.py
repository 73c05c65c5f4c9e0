"""RouteOnAttribute: route FlowFiles by Expression Language predicates on their attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    PropertyValue,
    Relationship,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
ROUTE_ATTRIBUTE = "RouteOnAttribute.Route"

# NiFi's stored values say 'match' (a typo NiFi keeps for compatibility); they display as 'matched'.
ROUTE_PROPERTY_NAME = AllowableValue(
    "Route to Property name", "Route to Property name",
    "A copy of the FlowFile will be routed to each relationship whose corresponding expression evaluates to 'true'")
ROUTE_ALL_MATCH = AllowableValue(
    "Route to 'match' if all match", "Route to 'matched' if all match",
    "Requires that all user-defined expressions evaluate to 'true' for the FlowFile to be considered a match")
ROUTE_ANY_MATCHES = AllowableValue(
    "Route to 'match' if any matches", "Route to 'matched' if any matches",
    "Requires that at least one user-defined expression evaluate to 'true' for the FlowFile to be considered a "
    "match")


class RouteOnAttribute(Processor):
    """Routes FlowFiles based on their Attributes using the Attribute Expression Language. Each
    dynamic property is a boolean expression; with "Route to Property name" it is also a relationship,
    and a FlowFile matching several of them is cloned to each. FlowFiles matching none go to 'unmatched'."""

    tags = ("attributes", "routing", "Attribute Expression Language", "regexp", "regex", "Regular Expression",
            "Expression Language", "find", "text", "string", "search", "filter", "detect")
    nifi_type = "org.apache.nifi.processors.standard.RouteOnAttribute"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ROUTE_ATTRIBUTE: "The relation to which the FlowFile was routed",
    }

    ROUTING_STRATEGY = PropertyDescriptor(
        "Routing Strategy",
        description="Specifies how to determine which relationship to use when evaluating the Expression Language",
        required=True, default=ROUTE_PROPERTY_NAME.value,
        allowable_values=(ROUTE_PROPERTY_NAME, ROUTE_ALL_MATCH, ROUTE_ANY_MATCHES))

    UNMATCHED = Relationship("unmatched", "FlowFiles that do not match any user-define expression will be routed "
                                          "here")
    MATCHED = Relationship("matched", "FlowFiles will be routed to 'match' if one or all Expressions match, "
                                      "depending on the configuration of the Routing Strategy property")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(
            name, description="Routes FlowFiles whose attributes match the Expression Language specified in the "
                              "Dynamic Property Value to the Relationship specified in the Dynamic Property Key",
            dynamic=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        strategy = properties.get(cls.ROUTING_STRATEGY.name) or cls.ROUTING_STRATEGY.default
        if strategy != ROUTE_PROPERTY_NAME.value:
            return [cls.MATCHED, cls.UNMATCHED]
        declared = {descriptor.name for descriptor in cls.property_descriptors()}
        dynamic = [Relationship(name) for name, value in properties.items()
                   if name not in declared and value is not None]
        return [*dynamic, cls.UNMATCHED]

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        strategy = context.get_property(self.ROUTING_STRATEGY).value
        predicates = [(Relationship(name), context.get_property(name)) for name in context.dynamic_properties]
        for flowfile in flowfiles:
            matching = [relationship for relationship, predicate in predicates
                        if _matches(predicate, flowfile, relationship)]
            if strategy == ROUTE_ALL_MATCH.value:
                destinations = [self.MATCHED] if len(matching) == len(predicates) else []
            elif strategy == ROUTE_ANY_MATCHES.value:
                destinations = [self.MATCHED] if matching else []
            else:
                destinations = matching
            self._route(session, flowfile, destinations or [self.UNMATCHED])

    @staticmethod
    def _route(session: ProcessSession, flowfile: FlowFile, destinations: list[Relationship]) -> None:
        """The FlowFile goes to the first destination, a clone of it to each of the others."""
        copies = [flowfile] if len(destinations) == 1 else [flowfile] + [session.clone(flowfile) for _ in destinations[1:]]
        for copy, relationship in zip(copies, destinations, strict=True):
            copy = session.put_attribute(copy, ROUTE_ATTRIBUTE, relationship.name)
            session.provenance.route(copy, relationship)
            session.transfer(copy, relationship)


def _matches(predicate: PropertyValue, flowfile: FlowFile, relationship: Relationship) -> bool:
    try:
        return predicate.evaluate(flowfile).as_bool()
    except ValueError as exc:
        raise ProcessException(f"cannot evaluate the expression of '{relationship.name}' for {flowfile}: "
                               f"{exc}") from exc
