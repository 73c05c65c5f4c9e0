"""RouteOnContent: route FlowFiles by regular expressions (dynamic properties) matched against the content."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from nifi_like.expression.javaregex import compile_java

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
ROUTE_ATTRIBUTE = "RouteOnContent.Route"
MATCH_ALL = "content must match exactly"
MATCH_SUBSEQUENCE = "content must contain match"


def _regex_problem(value: str) -> str | None:
    if "${" in value:
        return None  # known per FlowFile only
    try:
        compile_java(value)
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    return None


class RouteOnContent(Processor):
    """Applies Regular Expressions to the content of a FlowFile and routes a copy of the FlowFile to each
    destination whose Regular Expression matches. Regular Expressions are added as User-Defined Properties
    where the name of the property is the name of the relationship and the value is a Regular Expression to
    match against the FlowFile content (its first Content Buffer Size bytes). User-Defined properties do
    support the Attribute Expression Language. A FlowFile matching no expression goes to 'unmatched'."""

    tags = ("route", "content", "regex", "regular expression", "regexp", "find", "text", "string", "search",
            "filter", "detect")
    nifi_type = "org.apache.nifi.processors.standard.RouteOnContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ROUTE_ATTRIBUTE: "The relationship to which the FlowFile (or this copy of it) was routed",
    }

    MATCH_REQUIREMENT = PropertyDescriptor(
        "Match Requirement",
        description="Specifies whether the entire content of the file must match the regular expression exactly, or "
                    "if any part of the file (up to Content Buffer Size) can contain the regular expression in order "
                    "to be considered a match",
        required=True, default=MATCH_ALL, allowable_values=(MATCH_ALL, MATCH_SUBSEQUENCE))
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The Character Set in which the file is encoded",
        required=True, default="UTF-8", validator=validators.CHARACTER_SET)
    BUFFER_SIZE = PropertyDescriptor(
        "Content Buffer Size",
        description="Specifies the maximum amount of data to buffer in order to apply the regular expressions. If the "
                    "size of the FlowFile exceeds this value, any amount of this value will be ignored",
        required=True, default="1 MB", validator=validators.DATA_SIZE)

    UNMATCHED = Relationship("unmatched", "FlowFiles that do not match any of the user-supplied regular expressions "
                                          "will be routed to this relationship")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        if name == cls.UNMATCHED.name:
            return None
        return PropertyDescriptor(
            name, description="Routes FlowFiles whose content matches the regular expression defined by Dynamic "
                              "Property's value to the Relationship defined by the Dynamic Property's key",
            dynamic=True, validator=_regex_problem, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        declared = {descriptor.name for descriptor in cls.property_descriptors()}
        dynamic = [Relationship(name) for name, value in properties.items()
                   if name not in declared and value is not None]
        return [*dynamic, cls.UNMATCHED]

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        encoding = context.get_property(self.CHARACTER_SET).value or "UTF-8"
        buffer_size = context.get_property(self.BUFFER_SIZE).as_data_size() or 0
        whole = context.get_property(self.MATCH_REQUIREMENT).value == MATCH_ALL
        for flowfile in flowfiles:
            with session.read(flowfile) as stream:
                text = stream.read(buffer_size).decode(encoding, errors="replace")
            destinations = [Relationship(name) for name in context.dynamic_properties
                            if self._matches(context, flowfile, name, text, whole)]
            self._route(session, flowfile, destinations or [self.UNMATCHED])

    @staticmethod
    def _matches(context: ProcessContext, flowfile: FlowFile, name: str, text: str, whole: bool) -> bool:
        try:
            regex = context.get_property(name).evaluate(flowfile).value or ""
            pattern = compile_java(regex)
        except (ValueError, re.error) as exc:
            raise ProcessException(f"cannot use the regular expression of '{name}' for {flowfile}: {exc}") from exc
        return (pattern.fullmatch(text) if whole else pattern.search(text)) is not None

    @staticmethod
    def _route(session: ProcessSession, flowfile: FlowFile, destinations: list[Relationship]) -> None:
        """The FlowFile goes to the first destination, a clone of it to each of the others."""
        copies = [flowfile] + [session.clone(flowfile) for _ in destinations[1:]]
        for copy, relationship in zip(copies, destinations, strict=True):
            copy = session.put_attribute(copy, ROUTE_ATTRIBUTE, relationship.name)
            session.provenance.route(copy, relationship)
            session.transfer(copy, relationship)
