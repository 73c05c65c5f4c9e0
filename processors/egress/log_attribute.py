"""LogAttribute: log the attributes (and optionally the payload) of each FlowFile."""

from __future__ import annotations

import re
from datetime import datetime

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

#: FlowFiles taken per trigger (NiFi's LogAttribute moves FlowFiles in chunks of 50 too).
BATCH = 50
ONE_MB = 1024 * 1024
#: NiFi's log levels, and the level each is logged at here (Python logging has no TRACE).
LOG_LEVELS = {"trace": "DEBUG", "debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"}

LINE_PER_ATTRIBUTE = AllowableValue(
    "Line per Attribute", "Line per Attribute",
    "Each FlowFile attribute will be logged using a single line for the attribute name and another line for the "
    "attribute value. This format is often most advantageous when looking at the attributes of a single FlowFile.")
SINGLE_LINE = AllowableValue(
    "Single Line", "Single Line",
    "All FlowFile attribute names and values will be logged on a single line. This format is often most "
    "advantageous when comparing logs from multiple FlowFiles.")



def _java_date(epoch_ms: int) -> str:
    """A date as Java's Date.toString() prints it: 'Mon Nov 23 13:25:55 UTC 2026'."""
    return datetime.fromtimestamp(epoch_ms / 1000).astimezone().strftime("%a %b %d %H:%M:%S %Z %Y")


def _csv(value: str | None) -> set[str]:
    return set(re.split(r"\s*,\s*", value.strip())) if value and value.strip() else set()


class LogAttribute(Processor):
    """Emits attributes of the FlowFile at the specified log level."""

    tags = ("attributes", "logging")
    nifi_type = "org.apache.nifi.processors.standard.LogAttribute"
    input_requirement = InputRequirement.INPUT_REQUIRED

    LOG_LEVEL = PropertyDescriptor(
        "Log Level", description="The Log Level to use when logging the Attributes", required=True, default="info",
        allowable_values=tuple(LOG_LEVELS))
    LOG_PAYLOAD = PropertyDescriptor(
        "Log Payload", description="If true, the FlowFile's payload will be logged, in addition to its attributes; "
                                   "otherwise, just the Attributes will be logged.",
        required=True, default="false", allowable_values=("true", "false"))
    ATTRIBUTES_TO_LOG_CSV = PropertyDescriptor(
        "Attributes to Log",
        description="A comma-separated list of Attributes to Log. If not specified, all attributes will be logged "
                    "unless `Attributes to Log by Regular Expression` is modified. There's an AND relationship "
                    "between the two properties.",
        validator=validators.NON_EMPTY)
    ATTRIBUTES_TO_LOG_REGEX = PropertyDescriptor(
        "Attributes to Log Regular Expression",
        description="A regular expression indicating the Attributes to Log. If not specified, all attributes will be "
                    "logged unless `Attributes to Log` is modified. There's an AND relationship between the two "
                    "properties.",
        default=".*", validator=validators.REGULAR_EXPRESSION)
    ATTRIBUTES_TO_IGNORE_CSV = PropertyDescriptor(
        "Attributes to Ignore",
        description="A comma-separated list of Attributes to ignore. If not specified, no attributes will be ignored "
                    "unless `Attributes to Ignore by Regular Expression` is modified. There's an OR relationship "
                    "between the two properties.",
        validator=validators.NON_EMPTY)
    ATTRIBUTES_TO_IGNORE_REGEX = PropertyDescriptor(
        "Attributes to Ignore Regular Expression",
        description="A regular expression indicating the Attributes to Ignore. If not specified, no attributes will "
                    "be ignored unless `Attributes to Ignore` is modified. There's an OR relationship between the two "
                    "properties.",
        validator=validators.REGULAR_EXPRESSION)
    LOG_FLOWFILE_PROPERTIES = PropertyDescriptor(
        "Log FlowFile Properties",
        description='Specifies whether or not to log FlowFile "properties", such as Entry Date, Lineage Start Date, '
                    "and content size",
        required=True, default="true", allowable_values=("true", "false"))
    OUTPUT_FORMAT = PropertyDescriptor(
        "Output Format", description="Specifies the format to use for logging FlowFile attributes", required=True,
        default=LINE_PER_ATTRIBUTE.value, allowable_values=(LINE_PER_ATTRIBUTE, SINGLE_LINE))
    LOG_PREFIX = PropertyDescriptor(
        "Log Prefix",
        description="Log prefix appended to the log lines. It helps to distinguish the output of multiple "
                    "LogAttribute processors.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", description="The name of the Character Set to use", required=True, default="UTF-8",
        validator=validators.CHARACTER_SET, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    SUCCESS = Relationship("success", "All FlowFiles are routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        level = LOG_LEVELS[(context.get_property(self.LOG_LEVEL).value or "info").lower()]
        for flowfile in flowfiles:
            context.logger.log(level, self.message(context, session, flowfile))
        session.transfer(flowfiles, self.SUCCESS)

    def _attributes_to_log(self, context: ProcessContext, flowfile: FlowFile) -> list[str]:
        to_log = _csv(context.get_property(self.ATTRIBUTES_TO_LOG_CSV).value)
        to_ignore = _csv(context.get_property(self.ATTRIBUTES_TO_IGNORE_CSV).value)
        log_regex = re.compile(context.get_property(self.ATTRIBUTES_TO_LOG_REGEX).value or ".*")
        ignore_value = context.get_property(self.ATTRIBUTES_TO_IGNORE_REGEX).value
        ignore_regex = re.compile(ignore_value) if ignore_value is not None else None
        return sorted(
            key for key in flowfile.attributes
            if (not to_log or key in to_log) and log_regex.fullmatch(key)
            and key not in to_ignore and not (ignore_regex and ignore_regex.fullmatch(key)))

    def _dashed_line(self, context: ProcessContext, flowfile: FlowFile) -> str:
        prefix = context.get_property(self.LOG_PREFIX).evaluate(flowfile).value
        if not prefix or not prefix.strip():
            return "-" * 50
        if len(prefix) > 40:
            prefix = prefix[:37] + "..."
        padding = 40 - len(prefix)
        right = padding // 2
        return "-" * 5 + "-" * (padding - right) + prefix + "-" * right + "-" * 5

    def message(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile) -> str:
        """The text NiFi's LogAttribute logs for ``flowfile``."""
        keys = self._attributes_to_log(context, flowfile)
        dashed = self._dashed_line(context, flowfile)
        log_properties = context.get_property(self.LOG_FLOWFILE_PROPERTIES).as_bool()
        properties = {"entryDate": _java_date(flowfile.entry_date),
                      "lineageStartDate": _java_date(flowfile.lineage_start_date),
                      "fileSize": str(flowfile.size)}
        lines = [f"logging for FlowFile {flowfile}"]
        if context.get_property(self.OUTPUT_FORMAT).value == SINGLE_LINE.value:
            shown = {key: flowfile.attributes[key] for key in keys}
            if log_properties:
                shown.update(properties)
            lines.append("FlowFile Properties: {" + ", ".join(f"{k}={shown[k]}" for k in sorted(shown)) + "}")
        else:
            lines.append(dashed)
            if log_properties:
                lines.append("FlowFile Properties")
                lines.extend(f"Key: '{key}'\n\tValue: '{value}'" for key, value in properties.items())
            lines.append("FlowFile Attribute Map Content")
            lines.extend(f"Key: '{key}'\n\tValue: '{flowfile.attributes[key]}'" for key in keys)
            lines.append(dashed)
        if context.get_property(self.LOG_PAYLOAD).as_bool():
            lines.append(self._payload(context, session, flowfile))
        return "\n".join(lines).strip()

    def _payload(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile) -> str:
        if flowfile.size >= ONE_MB:
            return "\n Not including payload since it is larger than one mb."
        charset = context.get_property(self.CHARACTER_SET).evaluate(flowfile).value or "UTF-8"
        try:
            return session.read_bytes(flowfile).decode(charset, errors="replace")
        except LookupError as exc:
            raise ProcessException(f"cannot log the payload of {flowfile}: '{charset}' is not a supported character "
                                   "set") from exc
