"""AttributesToJSON: a JSON object of a FlowFile's attributes, into an attribute or the content."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

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
    Relationship,
    validators,
)
from nifi_like.expression.javaregex import compile_java

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
JSON_ATTRIBUTE_NAME = "JSONAttributes"
DESTINATION_ATTRIBUTE = "flowfile-attribute"
DESTINATION_CONTENT = "flowfile-content"
APPLICATION_JSON = "application/json"
#: NiFi's CoreAttributes: present on (or reserved for) every FlowFile.
CORE_ATTRIBUTES = frozenset({"filename", "path", "absolute.path", "mime.type", "priority", "uuid",
                             "discard.reason", "alternate.identifier"})
ESCAPED = AllowableValue("ESCAPED", "Escaped", "Escapes JSON attribute values to strings")
NESTED = AllowableValue("NESTED", "Nested", "Handles JSON attribute values as nested structured objects or arrays")


def _regex_problem(value: str) -> str | None:
    if "${" in value:
        return None
    try:
        compile_java(value)
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    return None


class AttributesToJSON(Processor):
    """Generates a JSON representation of the input FlowFile Attributes. The resulting JSON can be written
    to either a new Attribute 'JSONAttributes' or written to the FlowFile as content. Attributes which
    contain nested JSON objects can either be handled as JSON or as escaped JSON depending on the strategy
    chosen. With neither an Attributes List nor an Attributes Regular Expression, every attribute is
    included (core attributes only when Include Core Attributes is true). A value that looks like a JSON
    object or array but is not valid JSON, with the Nested strategy, sends the FlowFile to 'failure'."""

    tags = ("json", "attributes", "flowfile")
    nifi_type = "org.apache.nifi.processors.standard.AttributesToJSON"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        JSON_ATTRIBUTE_NAME: "JSON representation of Attributes",
        "mime.type": "application/json, when Destination is flowfile-content",
    }

    ATTRIBUTES_LIST = PropertyDescriptor(
        "Attributes List",
        description="Comma separated list of attributes to be included in the resulting JSON. If this value is left "
                    "empty then all existing Attributes will be included. This list of attributes is case sensitive. "
                    "If an attribute specified in the list is not found it will be be emitted to the resulting JSON "
                    "with an empty string or NULL value.",
        validator=validators.NON_EMPTY)
    ATTRIBUTES_REGEX = PropertyDescriptor(
        "attributes-to-json-regex", display_name="Attributes Regular Expression",
        description="Regular expression that will be evaluated against the flow file attributes to select the "
                    "matching attributes. This property can be used in combination with the attributes list property.",
        validator=_regex_problem, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    DESTINATION = PropertyDescriptor(
        "Destination",
        description=f"Control if JSON value is written as a new flowfile attribute '{JSON_ATTRIBUTE_NAME}' or written "
                    "in the flowfile content. Writing to flowfile content will overwrite any existing flowfile "
                    "content.",
        required=True, default=DESTINATION_ATTRIBUTE, allowable_values=(DESTINATION_ATTRIBUTE, DESTINATION_CONTENT))
    INCLUDE_CORE_ATTRIBUTES = PropertyDescriptor(
        "Include Core Attributes",
        description="Determines if the FlowFile org.apache.nifi.flowfile.attributes.CoreAttributes which are "
                    "contained in every FlowFile should be included in the final JSON value generated.",
        required=True, default="true", allowable_values=("true", "false"))
    NULL_VALUE_FOR_EMPTY_STRING = PropertyDescriptor(
        "Null Value",
        description="If true a non existing selected attribute will be NULL in the resulting JSON. If false an empty "
                    "string will be placed in the JSON",
        required=True, default="false", allowable_values=("true", "false"))
    JSON_HANDLING_STRATEGY = PropertyDescriptor(
        "JSON Handling Strategy", description="Strategy to use for handling attributes which contain nested JSON.",
        required=True, default=ESCAPED.value, allowable_values=(ESCAPED, NESTED))
    PRETTY_PRINT = PropertyDescriptor(
        "Pretty Print", description="Apply pretty print formatting to the output.",
        required=True, default="false", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "Successfully converted attributes to JSON")
    FAILURE = Relationship("failure", "Failed to convert attributes to JSON")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        names = _names(context.get_property(self.ATTRIBUTES_LIST).value)
        regex = context.get_property(self.ATTRIBUTES_REGEX).evaluate().value
        try:
            pattern = compile_java(regex) if regex else None
        except re.error as exc:
            raise ProcessException(f"Attributes Regular Expression '{regex}' is not a valid regular expression: "
                                   f"{exc}") from exc
        exclude = frozenset() if context.get_property(self.INCLUDE_CORE_ATTRIBUTES).as_bool() else CORE_ATTRIBUTES
        null_missing = context.get_property(self.NULL_VALUE_FOR_EMPTY_STRING).as_bool()
        nested = context.get_property(self.JSON_HANDLING_STRATEGY).value == NESTED.value
        to_content = context.get_property(self.DESTINATION).value == DESTINATION_CONTENT
        pretty = to_content and context.get_property(self.PRETTY_PRINT).as_bool()
        for flowfile in flowfiles:
            selected = _select(flowfile, names, pattern, exclude, null_missing)
            try:
                document = _nest(selected) if nested else selected
            except json.JSONDecodeError as exc:
                context.logger.error(f"Failed to convert the attributes of {flowfile} to JSON: {exc}")
                session.transfer(flowfile, self.FAILURE)
                continue
            if to_content:
                text = (json.dumps(document, ensure_ascii=False, indent=2, separators=(",", " : ")) if pretty
                        else json.dumps(document, ensure_ascii=False, separators=(",", ":")))
                flowfile = session.write(flowfile, text.encode("utf-8"))
                flowfile = session.put_attribute(flowfile, "mime.type", APPLICATION_JSON)
            else:
                text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
                flowfile = session.put_attribute(flowfile, JSON_ATTRIBUTE_NAME, text)
            session.transfer(flowfile, self.SUCCESS)


def _names(attributes_list: str | None) -> list[str] | None:
    if not attributes_list or not attributes_list.strip():
        return None
    names = [name.strip() for name in attributes_list.split(",")]
    return list(dict.fromkeys(name for name in names if name))


def _select(flowfile: FlowFile, names: list[str] | None, pattern: re.Pattern[str] | None,
            exclude: frozenset[str], null_missing: bool) -> dict[str, str | None]:
    attributes = flowfile.attributes
    if names is None and pattern is None:
        return {key: value for key, value in attributes.items() if key not in exclude}
    selected: dict[str, str | None] = {}
    for name in names or ():
        value = attributes.get(name)
        selected[name] = value if value is not None or null_missing else ""
    if pattern is not None:
        selected.update((key, value) for key, value in attributes.items() if pattern.fullmatch(key))
    return selected


def _nest(attributes: dict[str, str | None]) -> dict[str, Any]:
    """Values that look like a JSON object or array are parsed; the rest stay strings."""
    nested: dict[str, Any] = {}
    for key, value in attributes.items():
        trimmed = value.strip() if value is not None else ""
        if (trimmed[:1], trimmed[-1:]) in (("{", "}"), ("[", "]")):
            nested[key] = json.loads(trimmed)
        else:
            nested[key] = value
    return nested
