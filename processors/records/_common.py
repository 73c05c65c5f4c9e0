"""What the record processors share: the reader/writer properties, reading one FlowFile's records into
a writer, and routing a FlowFile whose content is not records to failure with the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import IO

from nifi_like.api import (
    FlowFile,
    ProcessContext,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.record_api import RecordReaderFactory, RecordSetWriterFactory
from processors.services.record_schema import MalformedRecordError, Record, RecordSchema, SchemaError

#: Exceptions that mean "this FlowFile's content (or its schema) is not usable": routed to failure.
RECORD_ERRORS = (MalformedRecordError, SchemaError)
ERROR_MESSAGE = "record.error.message"
RECORD_COUNT = "record.count"
MIME_TYPE = "mime.type"
FRAGMENT_ID = "fragment.identifier"
FRAGMENT_INDEX = "fragment.index"
FRAGMENT_COUNT = "fragment.count"

RECORD_READER = PropertyDescriptor(
    "Record Reader", aliases=('record-reader',), description="Specifies the Controller Service to use for reading incoming data",
    required=True, controller_service=RecordReaderFactory)
RECORD_WRITER = PropertyDescriptor(
    "Record Writer", aliases=('record-writer',), description="Specifies the Controller Service to use for writing out the records",
    required=True, controller_service=RecordSetWriterFactory)
INCLUDE_ZERO_RECORD_FLOWFILES = PropertyDescriptor(
    "Include Zero Record FlowFiles", aliases=('include-zero-record-flowfiles',), description="When converting an incoming FlowFile, if the conversion "
    "results in no data, this property specifies whether or not a FlowFile will be sent to the corresponding "
    "relationship", allowable_values=("true", "false"), default="true", required=True,
    validator=validators.BOOLEAN)

#: Builds, from the schema records were read with, the schema to write and the records to write.
Plan = Callable[[RecordSchema], tuple[RecordSchema, Callable[[Iterator[Record]], Iterator[Record]]]]


def services(context: ProcessContext) -> tuple[RecordReaderFactory, RecordSetWriterFactory]:
    reader = context.get_property(RECORD_READER).as_controller_service()
    writer = context.get_property(RECORD_WRITER).as_controller_service()
    return reader, writer


def rewrite(session: ProcessSession, flowfile: FlowFile, reader: RecordReaderFactory,
            writer: RecordSetWriterFactory, plan: Plan | None = None) -> tuple[FlowFile, dict[str, str]]:
    """Replace the FlowFile's records with what ``plan`` makes of them (unchanged without one), streaming;
    returns the FlowFile and the writer's attributes. Raises one of RECORD_ERRORS for bad content."""
    attributes = flowfile.attributes
    written: dict[str, str] = {}

    def convert(source: IO[bytes], out: IO[bytes]) -> None:
        records = reader.create_reader(source, attributes)
        schema, change = plan(records.schema) if plan else (records.schema, None)
        target = writer.create_writer(out, writer.get_schema(attributes, schema), attributes)
        for record in change(iter(records)) if change else records:
            target.write(record)
        written.update(target.finish())

    flowfile = session.transform(flowfile, convert)
    return session.put_all_attributes(flowfile, written), written


def route_failure(context: ProcessContext, session: ProcessSession, flowfile: FlowFile,
                  relationship: Relationship, error: Exception, action: str) -> None:
    """Send the FlowFile to failure with the reason as ``record.error.message`` and a bulletin."""
    message = str(error)
    context.logger.error(f"Failed to {action} {flowfile}; routing to {relationship.name}: {message}")
    session.transfer(session.put_attribute(flowfile, ERROR_MESSAGE, message), relationship)


def fragment_attributes(identifier: str, index: int, count: int) -> Mapping[str, str]:
    return {FRAGMENT_ID: identifier, FRAGMENT_INDEX: str(index), FRAGMENT_COUNT: str(count)}
