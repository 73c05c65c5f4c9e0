"""UpdateRecord: set fields of every record, from literal values (with Expression Language) or from
other fields (RecordPaths)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, ClassVar

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
)
from processors.records._common import (
    ERROR_MESSAGE,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    rewrite,
    route_failure,
    services,
)
from processors.records.record_path import RecordPath, RecordPathError, compile_path, path_problem
from processors.services.record_schema import (
    STRING,
    DataType,
    MalformedRecordError,
    Record,
    RecordSchema,
    coerce,
    format_value,
)

LITERAL_VALUES = AllowableValue(
    "literal-value", "Literal Value",
    "The value entered for a Property (after Expression Language has been evaluated) is the desired value to "
    "update the Record Fields with. Expression Language may reference the variables 'field.name', 'field.value' "
    "and 'field.type' of the field being updated.")
RECORD_PATH_VALUES = AllowableValue(
    "record-path-value", "Record Path Value",
    "The value entered for a Property (after Expression Language has been evaluated) is not the literal value to "
    "use but rather is a Record Path that should be evaluated against the Record, and the result of the "
    "RecordPath will be used to update the Record.")
BATCH = 50


class UpdateRecord(Processor):
    """Updates the contents of a FlowFile that contains Record-oriented data. Each dynamic property's name is
    a RecordPath to the field to update (created when missing) and its value the replacement: a literal
    (with Expression Language) or a RecordPath, per 'Replacement Value Strategy'. A literal replacing a
    typed field is converted to that field's type when it can be."""

    tags = ("update", "record", "generic", "schema", "json", "csv", "avro", "log", "logs", "freeform", "text")
    nifi_type = "org.apache.nifi.processors.standard.UpdateRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        RECORD_COUNT: "The number of records in the FlowFile",
        MIME_TYPE: "The MIME Type that the configured Record Writer indicates is appropriate",
        ERROR_MESSAGE: "On failure, why the records could not be updated",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER
    REPLACEMENT_VALUE_STRATEGY = PropertyDescriptor(
        "Replacement Value Strategy", aliases=('replacement-value-strategy',), description="Specifies how to interpret the configured replacement values",
        allowable_values=(LITERAL_VALUES, RECORD_PATH_VALUES), default=LITERAL_VALUES.value, required=True)

    SUCCESS = Relationship("success", "FlowFiles that are successfully transformed will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "If a FlowFile cannot be transformed from the configured input format to "
                                      "the configured output format, the unchanged FlowFile will be routed to this "
                                      "relationship")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        if path_problem(name):
            return None  # the name must be a RecordPath: property_problems reports it as not a property
        return PropertyDescriptor(name, description="The value to use to replace fields in the record that match "
                                  "the RecordPath", dynamic=True,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        declared = {d.name for d in self.property_descriptors()}
        if not any(name not in declared for name in properties):
            return ["at least one RecordPath must be specified by adding a user-defined property"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        reader, writer = services(context)
        by_path = context.get_property(self.REPLACEMENT_VALUE_STRATEGY).value == RECORD_PATH_VALUES.value
        for flowfile in session.get_batch(BATCH):
            try:
                updates = [_Update(compile_path(name), context.get_property(name), flowfile, by_path)
                           for name in context.dynamic_properties]
                updated, _ = rewrite(session, flowfile, reader, writer, partial(_plan, updates=updates))
            except (*RECORD_ERRORS, RecordPathError) as exc:
                route_failure(context, session, flowfile, self.FAILURE, exc, "update records of")
                continue
            session.transfer(updated, self.SUCCESS)


class _Update:
    """One dynamic property, bound to one FlowFile: computes the new value of its field in a record."""

    def __init__(self, path: RecordPath, value: PropertyValue, flowfile: FlowFile, by_path: bool) -> None:
        self.path = path
        self.field_type = STRING
        self.source: RecordPath | None = None
        template = value.value or ""
        if by_path:
            self.source = compile_path(value.evaluate(flowfile).value or "")
            self._literal: Callable[[Any], Any] = lambda current: None
        elif "field." in template:
            self._literal = lambda current: value.evaluate(flowfile, attributes={
                "field.name": path.field_name, "field.value": "" if current is None else format_value(current),
                "field.type": self.field_type.kind}).value
        else:
            constant = value.evaluate(flowfile).value
            self._literal = lambda current: constant

    def new_value(self, record: Record) -> Any:
        if self.source is not None:
            return self.source.get(record)
        value = self._literal(self.path.get(record))
        if value is not None and self.field_type.kind not in ("string", "choice", "record", "array", "map"):
            try:
                return coerce(value, self.field_type, self.path.text)
            except MalformedRecordError:
                return value
        return value


def _plan(schema: RecordSchema, updates: list[_Update]
          ) -> tuple[RecordSchema, Callable[[Iterator[Record]], Iterator[Record]]]:
    for update in updates:
        name = update.path.top_level
        existing = schema.field(name) if name else None
        if existing is not None:
            update.field_type = existing.type
        elif name is not None:
            source = update.source.top_level if update.source else None
            source_field = schema.field(source) if source else None
            schema = schema.with_field(name, source_field.type if source_field else DataType("string"))

    def apply(records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            for update in updates:
                update.path.set(record, update.new_value(record))
            yield record

    return schema, apply
