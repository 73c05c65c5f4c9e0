"""LogMessage: emit a message, built with the Expression Language, to the processor's log."""

from __future__ import annotations

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100
#: NiFi's MessageLogLevel -> this engine's log level (it has no TRACE; trace messages log at DEBUG).
LEVELS = {"trace": "DEBUG", "debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"}


def _level_problem(value: str) -> str | None:
    if "${" in value or value.strip().lower() in LEVELS:
        return None
    return f"is not a log level: one of {', '.join(LEVELS)}"


class LogMessage(Processor):
    """Emits a log message at the specified log level. Log Level, Log prefix and Log message may use the
    Expression Language; the message is the prefix followed by the message. Warnings and errors also
    become bulletins. Every FlowFile goes to 'success', unchanged; a Log Level that evaluates to no
    known level is an error of the processor (the session is rolled back)."""

    tags = ("attributes", "logging")
    nifi_type = "org.apache.nifi.processors.standard.LogMessage"
    input_requirement = InputRequirement.INPUT_REQUIRED

    LOG_LEVEL = PropertyDescriptor(
        "log-level", display_name="Log Level",
        description=f"The Log Level to use when logging the message: [{', '.join(LEVELS)}]",
        required=True, default="info", validator=_level_problem,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    LOG_PREFIX = PropertyDescriptor(
        "log-prefix", display_name="Log prefix",
        description="Log prefix appended to the log lines. It helps to distinguish the output of multiple LogMessage "
                    "processors.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    LOG_MESSAGE = PropertyDescriptor(
        "log-message", display_name="Log message", description="The log message to emit",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    SUCCESS = Relationship("success", "All FlowFiles are routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        for flowfile in flowfiles:
            try:
                level_text = (context.get_property(self.LOG_LEVEL).evaluate(flowfile).value or "").strip().lower()
                prefix = context.get_property(self.LOG_PREFIX).evaluate(flowfile).value or ""
                message = context.get_property(self.LOG_MESSAGE).evaluate(flowfile).value or ""
            except ValueError as exc:
                raise ProcessException(f"cannot evaluate the log properties for {flowfile}: {exc}") from exc
            level = LEVELS.get(level_text)
            if level is None:
                raise ProcessException(f"Log Level '{level_text}' for {flowfile} is not one of {', '.join(LEVELS)}")
            context.logger.log(level, f"{prefix.strip() and prefix}{message}")
        session.transfer(flowfiles, self.SUCCESS)
