"""ModifyBytes: discard a number of bytes from the start and the end of the content."""

from __future__ import annotations

from typing import IO

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

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100


class _Window:
    """Copies ``length`` bytes of a stream after skipping ``start`` bytes."""

    def __init__(self, start: int, length: int) -> None:
        self.start = start
        self.length = length

    def __call__(self, source: IO[bytes], out: IO[bytes]) -> None:
        skip = self.start
        while skip > 0:
            chunk = source.read(min(skip, 1 << 20))
            if not chunk:
                return
            skip -= len(chunk)
        remaining = self.length
        while remaining > 0:
            chunk = source.read(min(remaining, 1 << 20))
            if not chunk:
                return
            out.write(chunk)
            remaining -= len(chunk)


class ModifyBytes(Processor):
    """Discard byte range at the start and end or all content of a binary file. Start Offset and End Offset
    are data sizes (Expression Language allowed) removed from the beginning and the end of the content;
    when they add up to the size or more, the content becomes empty. The content is streamed."""

    tags = ("binary", "discard", "keep")
    nifi_type = "org.apache.nifi.processors.standard.ModifyBytes"
    input_requirement = InputRequirement.INPUT_REQUIRED

    START_OFFSET = PropertyDescriptor(
        "Start Offset",
        description="Number of bytes removed at the beginning of the file.",
        required=True, default="0 B", validator=validators.DATA_SIZE,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    END_OFFSET = PropertyDescriptor(
        "End Offset",
        description="Number of bytes removed at the end of the file.",
        required=True, default="0 B", validator=validators.DATA_SIZE,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    REMOVE_ALL = PropertyDescriptor(
        "Remove All Content", description="Remove all content from the FlowFile superseding Start Offset and End "
                                          "Offset properties.",
        required=True, default="false", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "Processed flowfiles.")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        remove_all = context.get_property(self.REMOVE_ALL).as_bool()
        updated = [self._modify(context, session, flowfile, remove_all) for flowfile in flowfiles]
        session.transfer(updated, self.SUCCESS)

    def _modify(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile,
                remove_all: bool) -> FlowFile:
        if remove_all:
            return session.write(flowfile, b"")
        try:
            start = context.get_property(self.START_OFFSET).evaluate(flowfile).as_data_size() or 0
            end = context.get_property(self.END_OFFSET).evaluate(flowfile).as_data_size() or 0
        except ValueError as exc:
            raise ProcessException(f"cannot evaluate the offsets for {flowfile}: {exc}") from exc
        length = flowfile.size - start - end
        if length <= 0:
            return session.write(flowfile, b"")
        if start == 0 and end == 0:
            return flowfile
        return session.transform(flowfile, _Window(start, length))


