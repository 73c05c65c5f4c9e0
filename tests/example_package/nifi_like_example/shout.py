"""ShoutText: upper-cases text content. An example of a third-party processor with an async on_trigger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)


class ShoutText(Processor):
    """Upper-cases the text content of each FlowFile and appends a suffix. Content that is not valid in the
    configured character set goes to failure."""

    tags = ("example", "text")
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "shout.length": "The length, in characters, of the shouted text",
        "shout.error": "Why the content could not be shouted (on failure)",
    }

    SUFFIX = PropertyDescriptor("Suffix", description="Text appended to the shouted content", default="!")
    CHARACTER_SET = PropertyDescriptor("Character Set", description="The character set of the content",
                                       required=True, default="UTF-8", validator=validators.CHARACTER_SET)

    SUCCESS = Relationship("success", "FlowFiles whose content was shouted")
    FAILURE = Relationship("failure", "FlowFiles whose content is not text in the character set")

    async def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfile = session.get()
        if flowfile is None:
            return
        charset = context.get_property(self.CHARACTER_SET).value or "UTF-8"
        try:
            text = session.read_bytes(flowfile).decode(charset).upper() + (context.get_property(self.SUFFIX).value or "")
        except UnicodeDecodeError as exc:
            flowfile = session.put_attribute(flowfile, "shout.error", f"not {charset} text: {exc.reason}")
            session.transfer(flowfile, self.FAILURE)
            return
        flowfile = session.write(flowfile, text.encode(charset))
        session.transfer(session.put_attribute(flowfile, "shout.length", str(len(text))), self.SUCCESS)
