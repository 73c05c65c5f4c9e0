"""SplitRecord: split a FlowFile's records into FlowFiles of at most 'Records Per Split' records."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Mapping
from typing import IO, Any, ClassVar

from nifi_like.api import (
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
from processors.records._common import (
    ERROR_MESSAGE,
    FRAGMENT_COUNT,
    FRAGMENT_ID,
    FRAGMENT_INDEX,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    fragment_attributes,
    route_failure,
    services,
)
from processors.services.record_api import RecordSetWriterFactory
from processors.services.record_schema import Record, RecordSchema

SEGMENT_ORIGINAL_FILENAME = "segment.original.filename"


class SplitRecord(Processor):
    """Splits up an input FlowFile that is in a record-oriented data format into multiple smaller FlowFiles,
    each holding at most 'Records Per Split' records, written as they are read. If the content cannot be
    read, no split is kept and the original goes to 'failure' with the reason in 'record.error.message'."""

    tags = ("split", "generic", "schema", "json", "csv", "avro", "log", "logs", "freeform", "text")
    nifi_type = "org.apache.nifi.processors.standard.SplitRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        MIME_TYPE: "Sets the mime.type attribute to the MIME Type specified by the Record Writer for the FlowFiles "
                   "routed to the 'splits' Relationship.",
        RECORD_COUNT: "The number of records in the FlowFile. This is added to FlowFiles that are routed to the "
                      "'splits' Relationship.",
        FRAGMENT_ID: "All split FlowFiles produced from the same parent FlowFile will have the same randomly "
                     "generated UUID added for this attribute",
        FRAGMENT_INDEX: "A one-up number that indicates the ordering of the split FlowFiles that were created from "
                        "a single parent FlowFile",
        FRAGMENT_COUNT: "The number of split FlowFiles generated from the parent FlowFile",
        SEGMENT_ORIGINAL_FILENAME: "The filename of the parent FlowFile",
        ERROR_MESSAGE: "On failure, why the records could not be read or written",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER
    RECORDS_PER_SPLIT = PropertyDescriptor(
        "Records Per Split", description="Specifies how many records should be written to each 'split' or "
                                         "'segment' FlowFile",
        required=True, validator=validators.POSITIVE_INTEGER,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    SPLITS = Relationship("splits", "The individual 'segments' of the original FlowFile will be routed to this "
                                    "relationship.")
    ORIGINAL = Relationship("original", "Upon successfully splitting an input FlowFile, the original FlowFile will "
                                        "be sent to this relationship.")
    FAILURE = Relationship("failure", "If a FlowFile cannot be transformed from the configured input format to the "
                                      "configured output format, the unchanged FlowFile will be routed to this "
                                      "relationship.")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        reader, writer = services(context)
        size_text = context.get_property(self.RECORDS_PER_SPLIT).evaluate(original).value or ""
        if not (size_text.strip().isascii() and size_text.strip().isdigit()) or int(size_text) < 1:
            route_failure(context, session, original, self.FAILURE,
                          ValueError(f"Records Per Split '{size_text}' is not a positive integer"), "split")
            return
        splits: list[FlowFile] = []
        try:
            with session.read(original) as stream:
                records = reader.create_reader(stream, original.attributes)
                schema = writer.get_schema(original.attributes, records.schema)
                self._split(session, original, iter(records), int(size_text), writer, schema, splits)
        except RECORD_ERRORS as exc:
            session.remove(splits)
            route_failure(context, session, original, self.FAILURE, exc, "split")
            return
        fragment_id = str(uuid.uuid4())
        for index, split in enumerate(splits):
            split = session.put_all_attributes(split, {
                **fragment_attributes(fragment_id, index, len(splits)),
                SEGMENT_ORIGINAL_FILENAME: original.attributes.get("filename", "")})
            session.transfer(split, self.SPLITS)
        session.transfer(original, self.ORIGINAL)

    @staticmethod
    def _split(session: ProcessSession, original: FlowFile, records: Iterator[Record], size: int,
               writer: RecordSetWriterFactory, schema: RecordSchema, splits: list[FlowFile]) -> None:
        """Append one FlowFile per ``size`` records to ``splits`` (also the ones being written, so that a
        caller can remove them all if reading fails part way)."""
        while (first := next(records, None)) is not None:
            split = session.create(original)
            splits.append(split)
            written: dict[str, Any] = {}

            def write(out: IO[bytes], first: Record = first, written: dict[str, Any] = written) -> None:
                target = writer.create_writer(out, schema, original.attributes)
                for record in itertools.chain((first,), itertools.islice(records, size - 1)):
                    target.write(record)
                written.update(target.finish())

            split = session.write(split, write)
            splits[-1] = session.put_all_attributes(split, written)
