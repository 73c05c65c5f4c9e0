"""RetryFlowFile: count a FlowFile's passes through a feedback loop and end the loop after a maximum."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

FAILURE_REASON = "retryflowfile.failure.reason"
FAIL_ON_REUSE = AllowableValue(
    "fail", "Fail on Reuse", "If the RetryFlowFile's UUID does not match the FlowFile's retry UUID, fail the FlowFile "
                             "regardless of current retry count")
WARN_ON_REUSE = AllowableValue(
    "warn", "Warn on Reuse", "If the RetryFlowFile's UUID does not match the FlowFile's retry UUID, log a warning "
                             "message before resetting the retry attribute and UUID for this instance")
RESET_ON_REUSE = AllowableValue(
    "reset", "Reset Reuse", "If the RetryFlowFile's UUID does not match the FlowFile's retry UUID, log a debug message "
                            "before resetting the retry attribute and UUID for this instance")


class RetryFlowFile(Processor):
    """FlowFiles passed to this Processor have a 'Retry Attribute' value checked against a configured 'Maximum
    Retries' value. If the current attribute value is below the configured maximum, the FlowFile is passed to a
    retry relationship. The FlowFile may or may not be penalized in that condition. If the FlowFile's attribute
    value exceeds the configured maximum, the FlowFile will be passed to a 'retries_exceeded' relationship.
    WARNING: If the incoming FlowFile has a non-numeric value in the configured 'Retry Attribute' attribute, it
    will be reset to '1'. You may choose to fail the FlowFile instead of performing the reset. Additional dynamic
    properties can be defined for any attributes you wish to add to the FlowFiles transferred to
    'retries_exceeded'. These attributes support attribute expression language."""

    tags = ("Retry", "FlowFile")
    nifi_type = "org.apache.nifi.processors.standard.RetryFlowFile"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    reads_attributes: ClassVar[Mapping[str, str]] = {
        "Retry Attribute": "Will read the attribute or attribute expression language result as defined in "
                           "'Retry Attribute'",
    }
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "Retry Attribute": "User defined retry attribute is updated with the current retry count",
        "Retry Attribute .uuid": "User defined retry attribute with .uuid that determines what processor retried the "
                                 "FlowFile last",
        FAILURE_REASON: "Why the FlowFile went to failure (a nifi_like addition; NiFi only logs it)",
    }

    RETRY_ATTRIBUTE = PropertyDescriptor(
        "retry-attribute", display_name="Retry Attribute",
        description="The name of the attribute that contains the current retry count for the FlowFile. WARNING: If the "
                    "name matches an attribute already on the FlowFile that does not contain a numerical value, the "
                    "processor will either overwrite that attribute with '1' or fail based on configuration.",
        required=True, default="flowfile.retries", validator=validators.NON_EMPTY,
        expression_language=ExpressionLanguageScope.ENVIRONMENT)
    MAXIMUM_RETRIES = PropertyDescriptor(
        "maximum-retries", display_name="Maximum Retries",
        description="The maximum number of times a FlowFile can be retried before being passed to the "
                    "'retries_exceeded' relationship", required=True, default="3",
        validator=validators.POSITIVE_INTEGER, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    PENALIZE_RETRIED = PropertyDescriptor(
        "penalize-retries", display_name="Penalize Retries",
        description="If set to 'true', this Processor will penalize input FlowFiles before passing them to the 'retry' "
                    "relationship. This does not apply to the 'retries_exceeded' relationship.",
        required=True, default="true", allowable_values=("true", "false"))
    FAIL_ON_OVERWRITE = PropertyDescriptor(
        "Fail on Non-numerical Overwrite",
        description="If the FlowFile already has the attribute defined in 'Retry Attribute' that is *not* a number, "
                    "fail the FlowFile instead of resetting that value to '1'",
        required=True, default="false", allowable_values=("true", "false"))
    REUSE_MODE = PropertyDescriptor(
        "reuse-mode", display_name="Reuse Mode",
        description="Defines how the Processor behaves if the retry FlowFile has a different retry UUID than the "
                    "instance that received the FlowFile. This generally means that the attribute was not reset after "
                    "being successfully retried by a previous instance of this processor.",
        required=True, default=FAIL_ON_REUSE.value, allowable_values=(FAIL_ON_REUSE, WARN_ON_REUSE, RESET_ON_REUSE))

    RETRY = Relationship("retry", "Input FlowFile has not exceeded the configured maximum retry count, pass this "
                                  "relationship back to the input Processor to create a limited feedback loop.")
    RETRIES_EXCEEDED = Relationship(
        "retries_exceeded", "Input FlowFile has exceeded the configured maximum retry count, do not pass this "
                            "relationship back to the input Processor to terminate the limited feedback loop.")
    FAILURE = Relationship(
        "failure", "The processor is configured such that a non-numerical value on 'Retry Attribute' results in a "
                   "failure instead of resetting that value to '1'. This will immediately terminate the limited "
                   "feedback loop. Might also include when 'Maximum Retries' contains attribute expression language "
                   "that does not resolve to an Integer.", auto_terminate_default=True)

    BATCH = 100

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description=f"Attribute {name} will be placed on FlowFiles exceeding the retry "
                                                    "count", dynamic=True, validator=validators.NON_EMPTY,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        attribute = context.get_property(self.RETRY_ATTRIBUTE).evaluate().value or "flowfile.retries"
        for flowfile in session.get_batch(self.BATCH):
            self._retry(context, session, flowfile, attribute)

    def _retry(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, attribute: str) -> None:
        retried_by = attribute + ".uuid"
        previous = flowfile.attributes.get(attribute)
        try:
            current = 1 if previous is None else int(previous.strip()) + 1
        except ValueError:
            if context.get_property(self.FAIL_ON_OVERWRITE).as_bool():
                self._fail(context, session, flowfile, f"attribute '{attribute}' is '{previous}', not a number")
                return
            current = 1
        last = flowfile.attributes.get(retried_by)
        if last and last != context.identifier:
            mode = context.get_property(self.REUSE_MODE).value
            if mode == FAIL_ON_REUSE.value:
                self._fail(context, session, flowfile, f"it was previously retried with the attribute '{attribute}' by "
                                                       f"a different processor ({last})")
                return
            message = (f"{flowfile} was previously retried with the same attribute by a different processor; the "
                       "retry count is reset to 1. Consider changing the retry attribute for this processor.")
            context.logger.log("WARN" if mode == WARN_ON_REUSE.value else "DEBUG", message)
            current = 1
        maximum_text = context.get_property(self.MAXIMUM_RETRIES).evaluate(flowfile).value
        try:
            maximum = int((maximum_text or "").strip())
        except ValueError:
            self._fail(context, session, flowfile, f"Maximum Retries is '{maximum_text}', not a number")
            return
        if current > maximum:
            extra = {name: context.get_property(name).evaluate(flowfile).value or ""
                     for name in context.dynamic_properties}
            flowfile = session.put_all_attributes(flowfile, {k: v for k, v in extra.items() if v.strip()})
            flowfile = session.remove_all_attributes(flowfile, (attribute, retried_by))
            session.transfer(flowfile, self.RETRIES_EXCEEDED)
            return
        if context.get_property(self.PENALIZE_RETRIED).as_bool():
            flowfile = session.penalize(flowfile)
        flowfile = session.put_all_attributes(flowfile, {attribute: str(current), retried_by: context.identifier})
        session.transfer(flowfile, self.RETRY)

    def _fail(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, reason: str) -> None:
        context.logger.warn(f"routing {flowfile} to failure: {reason}")
        session.transfer(session.put_attribute(flowfile, FAILURE_REASON, reason), self.FAILURE)
