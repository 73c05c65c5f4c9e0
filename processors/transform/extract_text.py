"""ExtractText: regular expressions (dynamic properties) evaluated on the content; captured groups
become attributes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from nifi_like.expression.javaregex import translate

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
#: NiFi allows at most this many capturing groups per expression.
MAX_GROUPS = 40
_BOOLEAN = ("true", "false")


def _regex_problem(value: str, minimum_groups: int = 0) -> str | None:
    try:
        groups = re.compile(translate(value)).groups
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    if not minimum_groups <= groups <= MAX_GROUPS:
        return f"has {groups} capturing groups; it must have between {minimum_groups} and {MAX_GROUPS}"
    return None


def _flag(description: str, name: str) -> PropertyDescriptor:
    return PropertyDescriptor(name, description=description, required=True, default="false",
                              allowable_values=_BOOLEAN)


class ExtractText(Processor):
    """Evaluates one or more Regular Expressions against the content of a FlowFile. The results of those
    Regular Expressions are assigned to FlowFile Attributes. Regular Expressions are entered by adding
    user-defined properties; the name of the property maps to the Attribute Name into which the result
    will be placed. The first capture group, if any found, will be placed into that attribute name, and
    every capture group, including the matching string sequence itself, will also be provided at that
    attribute name with an index value provided (name.0, name.1, ...), except a capturing group that is
    optional and does not match. With named group support, named groups give name.groupName instead.
    If the Regular Expression matches more than once, only the first match is used unless repeating
    capture groups are enabled. If any Regular Expression matches, the FlowFile is routed to 'matched';
    otherwise to 'unmatched' with no attributes added. Only the first Maximum Buffer Size bytes of the
    content are searched. Expressions use Java's syntax (named groups ``(?<name>...)`` included). As in Java,
    character classes and case folding are ASCII-only unless a Unicode flag is set (either flag turns
    on both, which Python cannot separate). Unix Lines mode is how Python's expressions always behave,
    and Canonical Equivalence has no Python counterpart: those two are accepted for NiFi flows and
    change nothing."""

    tags = ("evaluate", "extract", "Text", "Regular Expression", "regex")
    nifi_type = "org.apache.nifi.processors.standard.ExtractText"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "<property name>": "The first capture group of the property's Regular Expression",
        "<property name>.<n>": "Capture group n (0 is the whole match, when Include Capture Group 0 is true)",
        "<property name>.<group name>": "A named capture group, when named group support is enabled",
    }

    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The Character Set in which the file is encoded",
        required=True, default="UTF-8", validator=validators.CHARACTER_SET)
    MAX_BUFFER_SIZE = PropertyDescriptor(
        "Maximum Buffer Size",
        description="Specifies the maximum amount of data to buffer (per FlowFile) in order to apply the regular "
                    "expressions. FlowFiles larger than the specified maximum will not be fully evaluated.",
        required=True, default="1 MB", validator=validators.DATA_SIZE)
    MAX_CAPTURE_GROUP_LENGTH = PropertyDescriptor(
        "Maximum Capture Group Length",
        description="Specifies the maximum number of characters a given capture group value can have. Any characters "
                    "beyond the max will be truncated.",
        default="1024", validator=validators.POSITIVE_INTEGER)
    CANON_EQ = _flag("Indicates that two characters match only when their full canonical decompositions match.",
                     "Enable Canonical Equivalence")
    CASE_INSENSITIVE = _flag("Indicates that two characters match even if they are in a different case.  Can also "
                             "be specified via the embedded flag (?i).", "Enable Case-insensitive Matching")
    COMMENTS = _flag("In this mode, whitespace is ignored, and embedded comments starting with # are ignored until "
                     "the end of a line.  Can also be specified via the embedded flag (?x).",
                     "Permit Whitespace and Comments in Pattern")
    DOTALL = _flag("Indicates that the expression '.' should match any character, including a line terminator.  Can "
                   "also be specified via the embedded flag (?s).", "Enable DOTALL Mode")
    LITERAL = _flag("Indicates that Metacharacters and escape characters should be given no special meaning.",
                    "Enable Literal Parsing of the Pattern")
    MULTILINE = _flag("Indicates that '^' and '$' should match just after and just before a line terminator or end of "
                      "sequence, instead of only the beginning or end of the entire input.  Can also be specified via "
                      "the embeded flag (?m).", "Enable Multiline Mode")
    UNICODE_CASE = _flag("When used with 'Enable Case-insensitive Matching', matches in a manner consistent with the "
                         "Unicode Standard.  Can also be specified via the embedded flag (?u).",
                         "Enable Unicode-aware Case Folding")
    UNICODE_CHARACTER_CLASS = _flag(
        "Specifies conformance with the Unicode Technical Standard #18: Unicode Regular Expression Annex C: "
        "Compatibility Properties.  Can also be specified via the embedded flag (?U).",
        "Enable Unicode Predefined Character Classes")
    UNIX_LINES = _flag("Indicates that only the '\\n' line terminator is recognized in the behavior of '.', '^', and "
                       "'$'.  Can also be specified via the embedded flag (?d).", "Enable Unix Lines Mode")
    INCLUDE_CAPTURE_GROUP_ZERO = PropertyDescriptor(
        "Include Capture Group 0",
        description="Indicates that Capture Group 0 should be included as an attribute. Capture Group 0 represents "
                    "the entirety of the regular expression match, is typically not used, and could have "
                    "considerable length.",
        required=True, default="true", allowable_values=_BOOLEAN)
    ENABLE_REPEATING_CAPTURE_GROUP = PropertyDescriptor(
        "Enable repeating capture group",
        description="If set to true, every string matching the capture groups will be extracted. Otherwise, if the "
                    "Regular Expression matches more than once, only the first match will be extracted.",
        required=True, default="false", allowable_values=_BOOLEAN)
    ENABLE_NAMED_GROUPS = PropertyDescriptor(
        "Enable named group support",
        description="If set to true, when named groups are present in the regular expression, the name of the group "
                    "will be used in the attribute name as opposed to the group index.  All capturing groups must be "
                    "named, if the number of groups (not including capture group 0) does not equal the number of "
                    "named groups validation will fail.",
        default="false", allowable_values=_BOOLEAN)

    MATCHED = Relationship("matched", "FlowFiles are routed to this relationship when the Regular Expression is "
                                      "successfully evaluated and the FlowFile is modified as a result")
    UNMATCHED = Relationship("unmatched", "FlowFiles are routed to this relationship when no provided Regular "
                                          "Expression matches the content of the FlowFile")

    def __init__(self) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(name, description="A Regular Expression with one or more capturing group",
                                  dynamic=True, validator=_regex_problem)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        declared = {descriptor.name for descriptor in self.property_descriptors()}
        dynamic = {name: value for name, value in properties.items() if name not in declared and value is not None}
        problems: list[str] = []
        group_zero = (properties.get(self.INCLUDE_CAPTURE_GROUP_ZERO.name) or "true") == "true"
        named = properties.get(self.ENABLE_NAMED_GROUPS.name) == "true"
        for name, value in dynamic.items():
            if _regex_problem(value) is not None:
                continue  # reported by the property's own validator
            if not group_zero and (reason := _regex_problem(value, minimum_groups=1)):
                problems.append(f"Property '{name}': '{value}' {reason} when Include Capture Group 0 is false")
            pattern = re.compile(translate(value))
            if named and len(pattern.groupindex) != pattern.groups:
                problems.append(f"Property '{name}': named group count ({len(pattern.groupindex)}) does not match "
                                f"total group count ({pattern.groups}) with named group support enabled")
        return problems

    def on_scheduled(self, context: ProcessContext) -> None:
        flags = self._flags(context)
        literal = context.get_property(self.LITERAL).as_bool()
        self._patterns = {name: re.compile(re.escape(value) if literal else translate(value), flags)
                          for name, value in context.dynamic_properties.items()}

    def _flags(self, context: ProcessContext) -> int:
        unicode = (context.get_property(self.UNICODE_CHARACTER_CLASS).as_bool()
                   or context.get_property(self.UNICODE_CASE).as_bool())
        flags = 0 if unicode else re.ASCII  # Python cannot make case folding Unicode-aware but not \w
        for descriptor, flag in ((self.CASE_INSENSITIVE, re.IGNORECASE), (self.COMMENTS, re.VERBOSE),
                                 (self.MULTILINE, re.MULTILINE), (self.DOTALL, re.DOTALL)):
            if context.get_property(descriptor).as_bool():
                flags |= flag
        return flags

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        encoding = context.get_property(self.CHARACTER_SET).value or "UTF-8"
        max_buffer = context.get_property(self.MAX_BUFFER_SIZE).as_data_size() or 0
        max_length = context.get_property(self.MAX_CAPTURE_GROUP_LENGTH).as_int() or 1024
        first_group = 0 if context.get_property(self.INCLUDE_CAPTURE_GROUP_ZERO).as_bool() else 1
        repeating = context.get_property(self.ENABLE_REPEATING_CAPTURE_GROUP).as_bool()
        named = context.get_property(self.ENABLE_NAMED_GROUPS).as_bool()
        for flowfile in flowfiles:
            text = self._text(session, flowfile, max_buffer, encoding)
            results: dict[str, str] = {}
            for name, pattern in self._patterns.items():
                results.update(_extract(name, pattern, text, first_group, repeating, named, max_length))
            if results:
                session.transfer(session.put_all_attributes(flowfile, results), self.MATCHED)
            else:
                session.transfer(flowfile, self.UNMATCHED)

    @staticmethod
    def _text(session: ProcessSession, flowfile: FlowFile, max_buffer: int, encoding: str) -> str:
        with session.read(flowfile) as stream:
            return stream.read(max_buffer).decode(encoding, errors="replace")


def _extract(name: str, pattern: re.Pattern[str], text: str, first_group: int, repeating: bool, named: bool,
             max_length: int) -> dict[str, str]:
    """The attributes one expression yields, numbered as NiFi numbers them."""
    results: dict[str, str] = {}
    names = sorted(pattern.groupindex, key=pattern.groupindex.__getitem__)
    use_names = named and bool(names) and len(names) == pattern.groups
    j = 0
    for match in pattern.finditer(text):
        if use_names:
            for group in names:
                value = match.group(group)
                if value:
                    results[f"{name}.{group}" + (f".{j}" if j else "")] = value[:max_length]
            if first_group == 0 and j == 0:
                results[name] = match.group(0)
            j += 1
        else:
            for i in range(first_group if j == 0 else 1, pattern.groups + 1):
                value = match.group(i)
                if value:
                    results[f"{name}.{i + j}"] = value[:max_length]
                    if i == 1 and j == 0:
                        results[name] = value[:max_length]
            j += pattern.groups
        if not repeating:
            break
    return results
