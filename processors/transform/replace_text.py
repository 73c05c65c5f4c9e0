"""ReplaceText: search and replace, prepend, append or substitute text in a FlowFile's content."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from typing import IO

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    PropertyValue,
    Relationship,
    validators,
)
from nifi_like.expression.javaregex import compile_java
from processors.transform._text import LineTooLong, TextWriter, java_replacement, line_ending, text_lines

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100

PREPEND = AllowableValue(
    "Prepend", "Prepend",
    "Insert the Replacement Value at the beginning of the FlowFile or the beginning of each line (depending on the "
    "Evaluation Mode).")
APPEND = AllowableValue(
    "Append", "Append",
    "Insert the Replacement Value at the end of the FlowFile or the end of each line (depending on the Evaluation "
    "Mode).")
SURROUND = AllowableValue(
    "Surround", "Surround",
    "Prepends text before the start of the FlowFile (or the start of each line, depending on the configuration of the "
    "Evaluation Mode property) as well as appending text to the end of the FlowFile (or the end of each line)")
REGEX_REPLACE = AllowableValue(
    "Regex Replace", "Regex Replace",
    "Interpret the Search Value as a Regular Expression and replace all matches with the Replacement Value. The "
    "Replacement Value may reference Capturing Groups used in the Search Value by using a dollar-sign followed by the "
    "Capturing Group number, such as $1 or $2. If the Search Value is set to .* then everything is replaced without "
    "even evaluating the Regular Expression.")
LITERAL_REPLACE = AllowableValue(
    "Literal Replace", "Literal Replace",
    "Search for all instances of the Search Value and replace the matches with the Replacement Value.")
ALWAYS_REPLACE = AllowableValue(
    "Always Replace", "Always Replace",
    "Always replaces the entire line or the entire contents of the FlowFile (depending on the value of the "
    "<Evaluation Mode> property) and does not bother searching for any value. When this strategy is chosen, the "
    "<Search Value> property is ignored.")
SUBSTITUTE_VARIABLES = AllowableValue(
    "Substitute Variables", "Substitute Variables",
    "Substitute variable references (specified in ${var} form) using FlowFile attributes for looking up the "
    "replacement value by variable name. When this strategy is chosen, both the <Search Value> and <Replacement "
    "Value> properties are ignored.")

LINE_BY_LINE = "Line-by-Line"
ENTIRE_TEXT = "Entire text"
ALL, FIRST_LINE, LAST_LINE = "All", "First-Line", "Last-Line"
EXCEPT_FIRST_LINE, EXCEPT_LAST_LINE = "Except-First-Line", "Except-Last-Line"
DEFAULT_REGEX = "(?s)(^.*$)"

_VARIABLE = re.compile(r"\$(\$?)\{([^{}]*)\}")

#: Rewrites one line (with its line ending) for the Line-by-Line mode.
LineRewrite = Callable[[str], str]


class EvaluationError(Exception):
    """The FlowFile cannot be processed; it goes to 'failure' and the message is logged."""


class ReplaceText(Processor):
    """Updates the content of a FlowFile by searching for some textual value in the FlowFile content (via Regular
    Expression/regex, or literal value) and replacing the section of the content that matches with some alternate
    value. It can also be used to append or prepend text to the contents of a FlowFile.

    In Line-by-Line mode the content is streamed one line at a time; Entire text mode buffers the content
    (up to Maximum Buffer Size) for the strategies that search it. The Replacement Value may use the
    Expression Language, where the groups of the current match are the attributes '$0', '$1', ...
    (write them quoted: ``${'$1':toUpper()}``)."""

    tags = ("Text", "Regular Expression", "Update", "Change", "Replace", "Modify", "Regex")
    nifi_type = "org.apache.nifi.processors.standard.ReplaceText"
    input_requirement = InputRequirement.INPUT_REQUIRED

    REPLACEMENT_STRATEGY = PropertyDescriptor(
        "Replacement Strategy",
        description="The strategy for how and what to replace within the FlowFile's text content.",
        required=True, default=REGEX_REPLACE.value,
        allowable_values=(PREPEND, APPEND, SURROUND, REGEX_REPLACE, LITERAL_REPLACE, ALWAYS_REPLACE,
                          SUBSTITUTE_VARIABLES))
    SEARCH_VALUE = PropertyDescriptor(
        "Regular Expression", display_name="Search Value",
        description="The Search Value to search for in the FlowFile content. Only used for 'Literal Replace' and "
                    "'Regex Replace' matching strategies",
        required=True, default=DEFAULT_REGEX, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    REPLACEMENT_VALUE = PropertyDescriptor(
        "Replacement Value",
        description="The value to insert using the 'Replacement Strategy'. Using \"Regex Replace\" back-references to "
                    "Regular Expression capturing groups are supported, but back-references that reference capturing "
                    "groups that do not exist in the regular expression will be treated as literal value. Back "
                    "References may also be referenced using the Expression Language, as '$1', '$2', etc. The "
                    "single-tick marks MUST be included, as these variables are not \"Standard\" attribute names "
                    "(attribute names must be quoted unless they contain only numbers, letters, and _).",
        required=True, default="$1", expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    PREPEND_TEXT = PropertyDescriptor(
        "Text to Prepend",
        description="The text to prepend to the start of the FlowFile, or each line, depending on the configured "
                    "value of the Evaluation Mode property",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    APPEND_TEXT = PropertyDescriptor(
        "Text to Append",
        description="The text to append to the end of the FlowFile, or each line, depending on the configured value "
                    "of the Evaluation Mode property",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The Character Set in which the file is encoded",
        required=True, default="UTF-8", validator=validators.CHARACTER_SET)
    MAX_BUFFER_SIZE = PropertyDescriptor(
        "Maximum Buffer Size",
        description="Specifies the maximum amount of data to buffer (per file or per line, depending on the "
                    "Evaluation Mode) in order to apply the replacement. If 'Entire Text' (in Evaluation Mode) is "
                    "selected and the FlowFile is larger than this value, the FlowFile will be routed to 'failure'. "
                    "In 'Line-by-Line' Mode, if a single line is larger than this value, the FlowFile will be routed "
                    "to 'failure'. This value is ignored if the <Replacement Strategy> property is set to one of: "
                    "Append, Prepend, Always Replace",
        required=True, default="1 MB", validator=validators.DATA_SIZE)
    EVALUATION_MODE = PropertyDescriptor(
        "Evaluation Mode",
        description="Run the 'Replacement Strategy' against each line separately (Line-by-Line) or buffer the entire "
                    "file into memory (Entire Text) and run against that.",
        required=True, default=LINE_BY_LINE, allowable_values=(LINE_BY_LINE, ENTIRE_TEXT))
    LINE_BY_LINE_EVALUATION_MODE = PropertyDescriptor(
        "Line-by-Line Evaluation Mode",
        description="Run the 'Replacement Strategy' against each line separately (Line-by-Line) for all lines in the "
                    "FlowFile, First Line (Header) alone, Last Line (Footer) alone, Except the First Line (Header) or "
                    "Except the Last Line (Footer).",
        default=ALL, allowable_values=(ALL, FIRST_LINE, LAST_LINE, EXCEPT_FIRST_LINE, EXCEPT_LAST_LINE))

    SUCCESS = Relationship("success", "FlowFiles that have been successfully processed are routed to this "
                                      "relationship. This includes both FlowFiles that had text replaced and those "
                                      "that did not.")
    FAILURE = Relationship("failure", "FlowFiles that could not be updated are routed to this relationship")

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        strategy = properties.get(self.REPLACEMENT_STRATEGY.name) or self.REPLACEMENT_STRATEGY.default
        configured = properties.get(self.SEARCH_VALUE.name)
        search = (self.SEARCH_VALUE.default or "") if configured is None else configured
        name = f"Property '{self.SEARCH_VALUE.name}' (Search Value)"
        if strategy == LITERAL_REPLACE.value and not search:
            return [f"{name} must not be empty with the Replacement Strategy '{strategy}'"]
        if strategy == REGEX_REPLACE.value and "${" not in search:
            try:
                compile_java(search)
            except re.error as exc:
                return [f"{name}: '{search}' is not a valid regular expression: {exc}"]
        if strategy == SURROUND.value:
            return [f"Property '{descriptor.name}' is required with the Replacement Strategy '{strategy}'"
                    for descriptor in (self.PREPEND_TEXT, self.APPEND_TEXT) if properties.get(descriptor.name) is None]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        strategy = context.get_property(self.REPLACEMENT_STRATEGY).value or REGEX_REPLACE.value
        entire = context.get_property(self.EVALUATION_MODE).value == ENTIRE_TEXT
        strategy = self._effective_strategy(context, strategy, entire)
        max_buffer = context.get_property(self.MAX_BUFFER_SIZE).as_data_size() or 0
        for flowfile in flowfiles:
            buffered = strategy in (REGEX_REPLACE.value, LITERAL_REPLACE.value, SUBSTITUTE_VARIABLES.value)
            if entire and buffered and flowfile.size > max_buffer:
                context.logger.warn(f"Transferred {flowfile} to 'failure' because it was larger than the buffer "
                                    f"size ({flowfile.size} > {max_buffer} bytes)")
                session.transfer(flowfile, self.FAILURE)
                continue
            try:
                updated = self._replace(context, session, flowfile, strategy, entire, max_buffer)
            except (EvaluationError, LineTooLong, ValueError, re.error) as exc:
                context.logger.warn(f"Transferred {flowfile} to 'failure': {exc}")
                session.transfer(flowfile, self.FAILURE)
                continue
            session.transfer(updated, self.SUCCESS)

    def _effective_strategy(self, context: ProcessContext, strategy: str, entire: bool) -> str:
        """NiFi's backward-compatible shortcuts: '.*' (or the default regex replaced by nothing in
        Entire text mode) always replaces without evaluating the regular expression."""
        if strategy != REGEX_REPLACE.value:
            return strategy
        search = context.get_property(self.SEARCH_VALUE).value
        replacement = context.get_property(self.REPLACEMENT_VALUE).value
        if search == ".*" or (search == DEFAULT_REGEX and entire and not replacement):
            return ALWAYS_REPLACE.value
        return strategy

    def _replace(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, strategy: str,
                 entire: bool, max_buffer: int) -> FlowFile:
        encoding = context.get_property(self.CHARACTER_SET).value or "UTF-8"
        replacement = context.get_property(self.REPLACEMENT_VALUE)
        if strategy == REGEX_REPLACE.value:
            return self._regex_replace(context, session, flowfile, entire, encoding, max_buffer)
        if strategy == SUBSTITUTE_VARIABLES.value:
            attributes = flowfile.attributes
            return self._rewrite(context, session, flowfile, entire, encoding, max_buffer,
                                 lambda text: _substitute_variables(text, attributes))
        if strategy == LITERAL_REPLACE.value:
            search = _evaluate(context.get_property(self.SEARCH_VALUE), flowfile, "Search Value")
            value = _evaluate(replacement, flowfile, "Replacement Value")
            return self._rewrite(context, session, flowfile, entire, encoding, max_buffer,
                                 lambda text: text.replace(search, value))
        if strategy == ALWAYS_REPLACE.value:
            value = _evaluate(replacement, flowfile, "Replacement Value")
            if entire:
                return session.write(flowfile, value.encode(encoding))
            return self._lines(context, session, flowfile, encoding, None, lambda line: value + line_ending(line))
        if strategy == SURROUND.value:
            before = _evaluate(context.get_property(self.PREPEND_TEXT), flowfile, "Text to Prepend")
            after = _evaluate(context.get_property(self.APPEND_TEXT), flowfile, "Text to Append")
        elif strategy == PREPEND.value:
            before, after = _evaluate(replacement, flowfile, "Replacement Value"), ""
        else:
            before, after = "", _evaluate(replacement, flowfile, "Replacement Value")
        if entire:
            return session.transform(flowfile, _surround_stream(before.encode(encoding), after.encode(encoding)))
        return self._lines(context, session, flowfile, encoding, None, lambda line: _surround_line(line, before, after))

    def _regex_replace(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, entire: bool,
                       encoding: str, max_buffer: int) -> FlowFile:
        regex = _evaluate(context.get_property(self.SEARCH_VALUE), flowfile, "Search Value")
        try:
            pattern = compile_java(regex)
        except re.error as exc:
            raise EvaluationError(f"'{regex}' (Search Value) is not a valid regular expression: {exc}") from exc
        replacement = context.get_property(self.REPLACEMENT_VALUE)

        def substitute(match: re.Match[str]) -> str:
            if replacement.value is not None and "${" in replacement.value:
                groups = {f"${i}": match.group(i) or "" for i in range(pattern.groups + 1)}
                try:
                    value = replacement.evaluate(flowfile, attributes=groups).value or ""
                except ValueError as exc:
                    raise EvaluationError(f"cannot evaluate the Replacement Value: {exc}") from exc
            else:
                value = replacement.value or ""
            return java_replacement(value, match)

        if entire:
            text = session.read_bytes(flowfile).decode(encoding, errors="replace")
            updated, count = pattern.subn(substitute, text)
            return session.write(flowfile, updated.encode(encoding)) if count else flowfile
        return self._lines(context, session, flowfile, encoding, max_buffer, lambda line: pattern.sub(substitute, line))

    def _rewrite(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, entire: bool,
                 encoding: str, max_buffer: int, rewrite: Callable[[str], str]) -> FlowFile:
        if entire:
            text = session.read_bytes(flowfile).decode(encoding, errors="replace")
            return session.write(flowfile, rewrite(text).encode(encoding))
        return self._lines(context, session, flowfile, encoding, max_buffer, rewrite)

    def _lines(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, encoding: str,
               max_buffer: int | None, rewrite: LineRewrite) -> FlowFile:
        """Stream the content line by line, rewriting the lines the Line-by-Line Evaluation Mode selects."""
        mode = context.get_property(self.LINE_BY_LINE_EVALUATION_MODE).value or ALL

        def process(source: IO[bytes], out: IO[bytes]) -> None:
            writer = TextWriter(out, encoding)
            lines = text_lines(source, encoding, max_buffer)
            previous = next(lines, None)
            first = True
            while previous is not None:
                line = next(lines, None)
                last = line is None
                writer.write(rewrite(previous) if _selected(mode, first, last) else previous)
                previous, first = line, False
            writer.flush()

        return session.transform(flowfile, process)


def _selected(mode: str, first: bool, last: bool) -> bool:
    if mode == FIRST_LINE:
        return first
    if mode == LAST_LINE:
        return last
    if mode == EXCEPT_FIRST_LINE:
        return not first
    if mode == EXCEPT_LAST_LINE:
        return not last
    return True


def _evaluate(value: PropertyValue, flowfile: FlowFile, label: str) -> str:
    try:
        return value.evaluate(flowfile).value or ""
    except ValueError as exc:
        raise EvaluationError(f"cannot evaluate the {label}: {exc}") from exc


def _surround_line(line: str, before: str, after: str) -> str:
    """``after`` goes before the line ending, as NiFi inserts it before the first '\\r' or '\\n'."""
    cut = len(line)
    for terminator in ("\r", "\n"):
        found = line.find(terminator)
        if 0 <= found < cut:
            cut = found
    return before + line[:cut] + after + line[cut:]


def _surround_stream(before: bytes, after: bytes) -> Callable[[IO[bytes], IO[bytes]], None]:
    def process(source: IO[bytes], out: IO[bytes]) -> None:
        out.write(before)
        shutil.copyfileobj(source, out, 1 << 20)
        out.write(after)
    return process


def _substitute_variables(text: str, attributes: Mapping[str, str]) -> str:
    """Apache Commons StringSubstitutor: ``${name}`` becomes the attribute's value when it exists,
    ``$${name}`` is an escaped, literal ``${name}``; unknown names stay as they are."""
    def variable(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)[1:]
        value = attributes.get(match.group(2))
        return match.group(0) if value is None else value
    return _VARIABLE.sub(variable, text)
