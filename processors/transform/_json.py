"""Helpers shared by the JsonPath processors (EvaluateJsonPath, SplitJson), as NiFi's
AbstractJsonPathProcessor shares them. Not a processor module.

Paths are compiled and evaluated by the project's Jayway-dialect JsonPath (the one the
Expression Language's jsonPath functions use), so a path means the same thing everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from nifi_like.api import FlowFile, ProcessSession, PropertyDescriptor, validators
from nifi_like.expression import jsonpath
from nifi_like.expression.values import java_double_str

EMPTY_STRING_OPTION = "empty string"
NULL_STRING_OPTION = "the string 'null'"
NULL_REPRESENTATION = {EMPTY_STRING_OPTION: "", NULL_STRING_OPTION: "null"}

NULL_VALUE_DEFAULT_REPRESENTATION = PropertyDescriptor(
    "Null Value Representation",
    description="Indicates the desired representation of JSON Path expressions resulting in a null value.",
    required=True, default=EMPTY_STRING_OPTION, allowable_values=tuple(NULL_REPRESENTATION))
MAX_STRING_LENGTH = PropertyDescriptor(
    "Max String Length", description="The maximum allowed length of a string value when parsing the JSON document",
    required=True, default="20 MB", validator=validators.DATA_SIZE)


class InvalidJson(ValueError):
    """The content is not a JSON document (or holds a string longer than allowed)."""


def path_problem(value: str) -> str | None:
    """A validator: why ``value`` is not a JsonPath, or None."""
    try:
        jsonpath.compile_path(value)
    except jsonpath.PathError as exc:
        return f"is not a valid JsonPath expression: {exc}"
    return None


def read_document(session: ProcessSession, flowfile: FlowFile, max_string_length: int) -> Any:
    """Parse the FlowFile's content as JSON; raise InvalidJson saying why it cannot be."""
    try:
        with session.read(flowfile) as stream:
            document = json.load(stream)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidJson(f"the content is not valid JSON: {exc}") from exc
    _check_strings(document, max_string_length)
    return document


def _check_strings(document: Any, limit: int) -> None:
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if len(value) > limit:
                raise InvalidJson(f"a string value of {len(value)} characters exceeds the Max String Length "
                                  f"of {limit}")
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def result_text(value: Any, null_value: str) -> str:
    """NiFi's representation of a JsonPath result: scalars as Java prints them, the rest as JSON."""
    if value is None:
        return null_value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double_str(value)
    if isinstance(value, dict | list):
        return jsonpath.dumps(value)
    return str(value)
