"""ConvertRecord: rewrite a FlowFile's records from one format to another, e.g. CSV to JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import InputRequirement, ProcessContext, Processor, ProcessSession, Relationship
from processors.records._common import (
    ERROR_MESSAGE,
    INCLUDE_ZERO_RECORD_FLOWFILES,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    rewrite,
    route_failure,
    services,
)

#: FlowFiles converted per trigger (one session).
BATCH = 50


class ConvertRecord(Processor):
    """Converts records from one data format to another using configured Record Reader and Record Writer
    Controller Services. The reader and writer must have compatible schemas; the records are streamed, so
    a FlowFile of any size is converted in constant memory. If the content cannot be read or written as
    records, the FlowFile is routed to 'failure' unchanged, with the reason in 'record.error.message'."""

    tags = ("convert", "record", "generic", "schema", "json", "csv", "avro", "log", "logs", "freeform", "text")
    nifi_type = "org.apache.nifi.processors.standard.ConvertRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        MIME_TYPE: "Sets the mime.type attribute to the MIME Type specified by the Record Writer",
        RECORD_COUNT: "The number of records in the FlowFile",
        ERROR_MESSAGE: "On failure, why the FlowFile's records could not be read or written",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER
    INCLUDE_ZERO_RECORD_FLOWFILES = INCLUDE_ZERO_RECORD_FLOWFILES

    SUCCESS = Relationship("success", "FlowFiles that are successfully transformed will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "If a FlowFile cannot be transformed from the configured input format to "
                                      "the configured output format, the unchanged FlowFile will be routed to this "
                                      "relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        reader, writer = services(context)
        keep_empty = context.get_property(self.INCLUDE_ZERO_RECORD_FLOWFILES).as_bool()
        for flowfile in session.get_batch(BATCH):
            try:
                converted, written = rewrite(session, flowfile, reader, writer)
            except RECORD_ERRORS as exc:
                route_failure(context, session, flowfile, self.FAILURE, exc, "convert records of")
                continue
            if written[RECORD_COUNT] == "0" and not keep_empty:
                session.remove(converted)
            else:
                session.transfer(converted, self.SUCCESS)
