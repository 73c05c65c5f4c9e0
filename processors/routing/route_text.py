"""RouteText: route each line of the content, by matching it against the dynamic properties."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from typing import IO, ClassVar

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
    validators,
)
from nifi_like.expression.javaregex import translate
from processors.transform._text import line_ending, text_lines

ROUTE_ATTRIBUTE = "RouteText.Route"
GROUP_ATTRIBUTE = "RouteText.Group"
#: Bytes of one output kept in memory before it spills to a temporary file.
SPOOL_MEMORY = 1 << 20
#: What Java's String.trim() removes: every character up to and including the space.
_JAVA_WHITESPACE = "".join(chr(code) for code in range(33))

ROUTE_TO_PROPERTY_NAME = AllowableValue(
    "Route to each matching Property Name", "Route to each matching Property Name",
    "Lines will be routed to each relationship whose corresponding expression evaluates to 'true'")
ROUTE_ALL_MATCH = AllowableValue(
    "Route to 'matched' if line matches all conditions", "Route to 'matched' if line matches all conditions",
    "Requires that all user-defined expressions evaluate to 'true' for the line to be considered a match")
ROUTE_ANY_MATCHES = AllowableValue(
    "Route to 'matched' if lines matches any condition", "Route to 'matched' if lines matches any condition",
    "Requires that at least one user-defined expression evaluate to 'true' for the line to be considered a match")
STARTS_WITH = AllowableValue("Starts With", "Starts With",
                             "Match lines based on whether the line starts with the property value")
ENDS_WITH = AllowableValue("Ends With", "Ends With", "Match lines based on whether the line ends with the property value")
CONTAINS = AllowableValue("Contains", "Contains", "Match lines based on whether the line contains the property value")
EQUALS = AllowableValue("Equals", "Equals", "Match lines based on whether the line equals the property value")
MATCHES_REGEX = AllowableValue(
    "Matches Regular Expression", "Matches Regular Expression",
    "Match lines based on whether the line exactly matches the Regular Expression that is provided as the Property "
    "value")
CONTAINS_REGEX = AllowableValue(
    "Contains Regular Expression", "Contains Regular Expression",
    "Match lines based on whether the line contains some text that matches the Regular Expression that is provided "
    "as the Property value")
SATISFIES_EXPRESSION = AllowableValue(
    "Satisfies Expression", "Satisfies Expression",
    "Match lines based on whether or not the the text satisfies the given Expression Language expression. The "
    "expression is able to reference FlowFile Attributes, as well as the variables 'line' (which is the text of the "
    "line to evaluate) and 'lineNo' (which is the line number being evaluated, 1 for the first line).")
_REGEX_STRATEGIES = (MATCHES_REGEX.value, CONTAINS_REGEX.value)


def _grouping_problem(value: str) -> str | None:
    try:
        groups = re.compile(translate(value)).groups
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    return None if groups >= 1 else "must have at least one capturing group"


class RouteText(Processor):
    """Routes textual data based on a set of user-defined rules. Each line in an incoming FlowFile is compared
    against the values specified by user-defined Properties. The mechanism by which the text is compared to
    these user-defined properties is defined by the 'Matching Strategy'. The data is then routed according
    to these rules, routing each line of the text individually: the lines routed to a relationship (and, with
    a Grouping Regular Expression, sharing a group) become one FlowFile. The original FlowFile goes to
    'original'. Lines are read as a stream and the outputs spill to disk past 1 MB each, so large content
    needs little memory."""

    tags = ("attributes", "routing", "text", "regexp", "regex", "Regular Expression", "Expression Language", "csv",
            "filter", "logs", "delimited", "find", "string", "search", "match", "content")
    nifi_type = "org.apache.nifi.processors.standard.RouteText"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ROUTE_ATTRIBUTE: "The name of the relationship to which the FlowFile was routed.",
        GROUP_ATTRIBUTE: "The value captured by all capturing groups in the 'Grouping Regular Expression' property, "
                         "joined by ', ' (empty when the property is not set or the line did not match it).",
    }

    ROUTE_STRATEGY = PropertyDescriptor(
        "Routing Strategy",
        description="Specifies how to determine which Relationship(s) to use when evaluating the lines of incoming "
                    "text against the 'Matching Strategy' and user-defined properties.",
        required=True, default=ROUTE_TO_PROPERTY_NAME.value,
        allowable_values=(ROUTE_TO_PROPERTY_NAME, ROUTE_ALL_MATCH, ROUTE_ANY_MATCHES))
    MATCH_STRATEGY = PropertyDescriptor(
        "Matching Strategy",
        description="Specifies how to evaluate each line of incoming text against the user-defined properties.",
        required=True, allowable_values=(SATISFIES_EXPRESSION, STARTS_WITH, ENDS_WITH, CONTAINS, EQUALS,
                                         MATCHES_REGEX, CONTAINS_REGEX))
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The Character Set in which the incoming text is encoded",
        required=True, default="UTF-8", validator=validators.CHARACTER_SET)
    TRIM_WHITESPACE = PropertyDescriptor(
        "Ignore Leading/Trailing Whitespace",
        description="Indicates whether or not the whitespace at the beginning and end of the lines should be ignored "
                    "when evaluating the line.",
        required=True, default="true", validator=validators.BOOLEAN)
    IGNORE_CASE = PropertyDescriptor(
        "Ignore Case",
        description="If true, capitalization will not be taken into account when comparing values. E.g., matching "
                    "against 'HELLO' or 'hello' will have the same result. This property is ignored if the 'Matching "
                    "Strategy' is set to 'Satisfies Expression'.",
        required=True, default="false", allowable_values=("true", "false"))
    GROUPING_REGEX = PropertyDescriptor(
        "Grouping Regular Expression",
        description="Specifies a Regular Expression to evaluate against each line to determine which Group the line "
                    "should be placed in. The Regular Expression must have at least one Capturing Group that defines "
                    "the line's Group. If multiple Capturing Groups exist in the Regular Expression, the values from "
                    "all Capturing Groups will be concatenated together. Two lines will not be placed into the same "
                    "FlowFile unless they both have the same value for the Group (or neither line matches the Regular "
                    "Expression). Two lines that have the same Group but different Relationships will never be placed "
                    "into the same FlowFile.",
        validator=_grouping_problem)

    ORIGINAL = Relationship("original", "The original input file will be routed to this destination when the lines "
                                        "have been successfully routed to 1 or more relationships")
    UNMATCHED = Relationship("unmatched", "Data that does not satisfy the required user-defined rules will be routed "
                                          "to this Relationship")
    MATCHED = Relationship("matched", "Data that satisfies the required user-defined rules will be routed to this "
                                      "Relationship")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(name, description="value to match against", dynamic=True,
                                  validator=validators.NON_EMPTY,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    @classmethod
    def _dynamic(cls, properties: Mapping[str, str | None]) -> dict[str, str]:
        declared = {descriptor.name for descriptor in cls.property_descriptors()}
        return {name: value for name, value in properties.items() if name not in declared and value is not None}

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        strategy = properties.get(cls.ROUTE_STRATEGY.name) or cls.ROUTE_STRATEGY.default
        if strategy == ROUTE_TO_PROPERTY_NAME.value:
            return [*(Relationship(name) for name in cls._dynamic(properties)), cls.ORIGINAL, cls.UNMATCHED]
        return [cls.MATCHED, cls.ORIGINAL, cls.UNMATCHED]

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        dynamic = self._dynamic(properties)
        if not dynamic:
            return ["Dynamic Properties: in order to route text there must be dynamic properties to match against"]
        problems: list[str] = []
        if properties.get(self.MATCH_STRATEGY.name) in _REGEX_STRATEGIES:
            for name, value in dynamic.items():
                if "${" in value:
                    continue
                try:
                    re.compile(translate(value))
                except re.error as exc:
                    problems.append(f"Property '{name}': '{value}' is not a valid regular expression: {exc}")
        return problems

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        router = _Router(context, original)
        outputs: dict[tuple[str, tuple[str, ...]], IO[bytes]] = {}
        encoding = context.get_property(self.CHARACTER_SET).value or "UTF-8"
        try:
            with session.read(original) as stream:
                for number, line in enumerate(text_lines(stream, encoding), start=1):
                    for relationship, group in router.route(line, number):
                        if context.is_auto_terminated(Relationship(relationship)):
                            continue
                        spool = outputs.get((relationship, group))
                        if spool is None:
                            spool = outputs[(relationship, group)] = tempfile.SpooledTemporaryFile(SPOOL_MEMORY)
                        spool.write(line.encode(encoding))
            for (relationship, group), spool in outputs.items():
                spool.seek(0)
                child = session.import_from(spool, session.create(original))
                child = session.put_all_attributes(child, {ROUTE_ATTRIBUTE: relationship,
                                                           GROUP_ATTRIBUTE: ", ".join(group)})
                session.provenance.route(child, Relationship(relationship))
                session.transfer(child, Relationship(relationship))
        finally:
            for spool in outputs.values():
                spool.close()
        original = session.put_attribute(original, ROUTE_ATTRIBUTE, self.ORIGINAL.name)
        session.provenance.route(original, self.ORIGINAL)
        session.transfer(original, self.ORIGINAL)


class _Router:
    """Decides where one line goes, given the configuration and the FlowFile the line is from."""

    def __init__(self, context: ProcessContext, flowfile: FlowFile) -> None:
        self.flowfile = flowfile
        self.route_strategy = context.get_property(RouteText.ROUTE_STRATEGY).value
        self.match_strategy = context.get_property(RouteText.MATCH_STRATEGY).value
        self.trim = context.get_property(RouteText.TRIM_WHITESPACE).as_bool()
        self.ignore_case = context.get_property(RouteText.IGNORE_CASE).as_bool()
        grouping = context.get_property(RouteText.GROUPING_REGEX).value
        self.grouping = re.compile(translate(grouping)) if grouping else None
        self.expressions: dict[str, PropertyValue] = {}
        self.values: dict[str, str] = {}
        self.patterns: dict[str, re.Pattern[str]] = {}
        for name in context.dynamic_properties:
            prop = context.get_property(name)
            if self.match_strategy == SATISFIES_EXPRESSION.value:
                self.expressions[name] = prop
                continue
            try:
                value = prop.evaluate(flowfile).value or ""
                if self.match_strategy in _REGEX_STRATEGIES:
                    self.patterns[name] = re.compile(translate(value), re.IGNORECASE if self.ignore_case else 0)
            except (ValueError, re.error) as exc:
                raise ProcessException(f"cannot use the value of '{name}' for {flowfile}: {exc}") from exc
            self.values[name] = value.lower() if self.ignore_case else value

    def route(self, line: str, number: int) -> list[tuple[str, tuple[str, ...]]]:
        subject = line.strip(_JAVA_WHITESPACE) if self.trim else line[:len(line) - len(line_ending(line))]
        names = self.expressions or self.values
        matched = [name for name in names if self._matches(name, subject, line, number)]
        group = self._group(subject)
        if self.route_strategy == ROUTE_TO_PROPERTY_NAME.value:
            return [(name, group) for name in matched] or [(RouteText.UNMATCHED.name, group)]
        if self.route_strategy == ROUTE_ANY_MATCHES.value:
            hit = bool(matched)
        else:
            hit = len(matched) == len(names)
        return [((RouteText.MATCHED if hit else RouteText.UNMATCHED).name, group)]

    def _matches(self, name: str, subject: str, line: str, number: int) -> bool:
        strategy = self.match_strategy
        if strategy == SATISFIES_EXPRESSION.value:
            try:
                return self.expressions[name].evaluate(self.flowfile, attributes={
                    "line": line, "lineNo": str(number)}).as_bool()
            except ValueError as exc:
                raise ProcessException(f"cannot evaluate '{name}' for line {number} of {self.flowfile}: "
                                       f"{exc}") from exc
        if strategy == MATCHES_REGEX.value:
            return self.patterns[name].fullmatch(subject) is not None
        if strategy == CONTAINS_REGEX.value:
            return self.patterns[name].search(subject) is not None
        text = subject.lower() if self.ignore_case else subject
        value = self.values[name]
        if strategy == STARTS_WITH.value:
            return text.startswith(value)
        if strategy == ENDS_WITH.value:
            return text.endswith(value)
        if strategy == CONTAINS.value:
            return value in text
        return text == value

    def _group(self, subject: str) -> tuple[str, ...]:
        if self.grouping is None:
            return ()
        match = self.grouping.fullmatch(subject)
        return tuple(value or "" for value in match.groups()) if match else ()
