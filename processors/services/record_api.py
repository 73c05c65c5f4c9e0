"""What record processors see of readers and writers: RecordReaderFactory and RecordSetWriterFactory,
the controller-service bases a processor property names (``controller_service=RecordReaderFactory``)."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from typing import IO, Any

from nifi_like.api import (
    AllowableValue,
    ConfigurationContext,
    ControllerService,
    ExpressionLanguageScope,
    PropertyDescriptor,
    PropertyValue,
)
from processors.services.record_schema import Record, RecordSchema, SchemaError

INFER_SCHEMA = AllowableValue(
    "infer-schema", "Infer Schema",
    "The Schema of the data will be inferred automatically when the data is read, from its first "
    "records (see INFERENCE_SAMPLE).")
SCHEMA_TEXT_PROPERTY = AllowableValue(
    "schema-text-property", "Use 'Schema Text' Property",
    "The text of the Schema itself is specified in the 'Schema Text' Property, as an Avro schema.")
INHERIT_RECORD_SCHEMA = AllowableValue(
    "inherit-record-schema", "Inherit Record Schema",
    "The schema used to write records will be the same schema that was given to the Record when it was read.")
NO_SCHEMA = AllowableValue("no-schema", "Do Not Write Schema", "Do not add any schema information to the FlowFile.")
SCHEMA_ATTRIBUTE = AllowableValue(
    "full-schema-attribute", "Set 'avro.schema' Attribute",
    "The FlowFile will be given an attribute named 'avro.schema' holding the Avro schema text.")

SCHEMA_TEXT = PropertyDescriptor(
    "Schema Text", aliases=('schema-text',), description="The text of an Avro-formatted Schema", default="${avro.schema}",
    expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)


class RecordReader(abc.ABC):
    """Records read one at a time from a content stream; ``schema`` is known before the first."""

    @property
    @abc.abstractmethod
    def schema(self) -> RecordSchema: ...

    @abc.abstractmethod
    def __iter__(self) -> Iterator[Record]:
        """Raises MalformedRecordError for content that is not records of this format."""


class RecordSetWriter(abc.ABC):
    """Writes records one at a time to a stream; ``finish`` ends the set and returns the attributes
    (mime.type, record.count, ...) the FlowFile holding it should get."""

    mime_type = "application/octet-stream"

    def __init__(self, schema: RecordSchema, extra_attributes: Mapping[str, str]) -> None:
        self.schema = schema
        self.record_count = 0
        self._extra = dict(extra_attributes)

    @abc.abstractmethod
    def write(self, record: Mapping[str, Any]) -> None: ...

    def finish(self) -> dict[str, str]:
        return {"mime.type": self.mime_type, "record.count": str(self.record_count), **self._extra}


def schema_text(value: PropertyValue, attributes: Mapping[str, str]) -> RecordSchema:
    """The schema a 'Schema Text' property gives for a FlowFile's attributes."""
    text = value.evaluate(attributes=attributes).value
    if not text:
        raise SchemaError("'Schema Text' is empty for this FlowFile (no avro.schema attribute?)")
    return RecordSchema.from_avro(text)


def check_schema_text(value: str) -> str | None:
    """Validator for a literal schema text (values with Expression Language are checked when used)."""
    try:
        RecordSchema.from_avro(value)
    except SchemaError as exc:
        return f"is not a valid Avro record schema: {exc}"
    return None


class RecordReaderFactory(ControllerService):
    """Base of every record reader service."""

    SCHEMA_TEXT = SCHEMA_TEXT

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._strategy = context.get_property("Schema Access Strategy").value or INFER_SCHEMA.value
        self._schema_text = context.get_property(SCHEMA_TEXT)

    def explicit_schema(self, attributes: Mapping[str, str]) -> RecordSchema | None:
        """The schema the configuration gives, or None when it is to be inferred (or derived)."""
        if self._strategy == SCHEMA_TEXT_PROPERTY.value:
            return schema_text(self._schema_text, attributes)
        return None

    @abc.abstractmethod
    def create_reader(self, stream: IO[bytes], attributes: Mapping[str, str]) -> RecordReader:
        """A reader of the records in ``stream`` (a FlowFile's content, with its attributes)."""


class RecordSetWriterFactory(ControllerService):
    """Base of every record writer service."""

    SCHEMA_WRITE_STRATEGY = PropertyDescriptor(
        "Schema Write Strategy", description="Specifies how the schema for a Record should be added to the data.",
        allowable_values=(NO_SCHEMA, SCHEMA_ATTRIBUTE), default=NO_SCHEMA.value, required=True)
    SCHEMA_ACCESS_STRATEGY = PropertyDescriptor(
        "Schema Access Strategy", aliases=('schema-access-strategy',), description="Specifies how to obtain the schema that is to be used for writing.",
        allowable_values=(INHERIT_RECORD_SCHEMA, SCHEMA_TEXT_PROPERTY), default=INHERIT_RECORD_SCHEMA.value,
        required=True)
    SCHEMA_TEXT = SCHEMA_TEXT

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._write_strategy = context.get_property(self.SCHEMA_WRITE_STRATEGY).value
        self._access_strategy = context.get_property(self.SCHEMA_ACCESS_STRATEGY).value
        self._schema_text = context.get_property(SCHEMA_TEXT)

    def get_schema(self, attributes: Mapping[str, str], read_schema: RecordSchema) -> RecordSchema:
        """The schema records will be written with, given the schema they were read with."""
        if self._access_strategy == SCHEMA_TEXT_PROPERTY.value:
            return schema_text(self._schema_text, attributes)
        return read_schema

    @property
    def coerces(self) -> bool:
        """Whether written records are converted to the writer's own (explicit) schema."""
        return self._access_strategy == SCHEMA_TEXT_PROPERTY.value

    def schema_attributes(self, schema: RecordSchema) -> dict[str, str]:
        return {"avro.schema": schema.to_avro()} if self._write_strategy == SCHEMA_ATTRIBUTE.value else {}

    @abc.abstractmethod
    def create_writer(self, stream: IO[bytes], schema: RecordSchema, attributes: Mapping[str, str]
                      ) -> RecordSetWriter:
        """A writer of a record set with ``schema`` to ``stream``; call ``finish`` at the end."""
