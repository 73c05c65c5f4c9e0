"""ValidateRecord: split a FlowFile's records into the ones that fit a schema ('valid') and the ones
that do not ('invalid'), saying why."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from typing import IO, Any, ClassVar

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
from processors.records._common import (
    ERROR_MESSAGE,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    route_failure,
    services,
)
from processors.services.record_api import (
    SCHEMA_TEXT,
    SCHEMA_TEXT_PROPERTY,
    RecordReaderFactory,
    RecordSetWriter,
    RecordSetWriterFactory,
    check_schema_text,
    schema_text,
)
from processors.services.record_schema import (
    DataType,
    MalformedRecordError,
    RecordSchema,
    coerce,
    infer_value_type,
)

READER_SCHEMA = AllowableValue("reader-schema", "Use Reader's Schema",
                               "The schema to validate the data against is determined by asking the configured "
                               "Record Reader for its schema")
SPOOL_BYTES = 1 << 20
_NUMERIC = {"int": ("int",), "long": ("int", "long"), "float": ("int", "long", "float", "double"),
            "double": ("int", "long", "float", "double")}


class ValidateRecord(Processor):
    """Validates the Records of an incoming FlowFile against a given schema. All records that adhere to the
    schema are routed to the 'valid' relationship while records that do not adhere to the schema are routed
    to the 'invalid' relationship, with the reasons in the attribute named by 'Validation Details Attribute
    Name'. If the content cannot be read as records at all, the FlowFile goes to 'failure'."""

    tags = ("record", "schema", "validate")
    nifi_type = "org.apache.nifi.processors.standard.ValidateRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        MIME_TYPE: "Sets the mime.type attribute to the MIME Type specified by the Record Writer",
        RECORD_COUNT: "The number of records in the FlowFile routed to a relationship",
        ERROR_MESSAGE: "On failure, why the records could not be read",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER
    INVALID_RECORD_WRITER = PropertyDescriptor(
        "Record Writer for Invalid Records", aliases=('invalid-record-writer',), description="If specified, this Controller Service will be used to "
        "write out any records that are invalid. If not specified, the writer specified by the \"Record Writer\" "
        "property will be used.", controller_service=RecordSetWriterFactory)
    SCHEMA_ACCESS_STRATEGY = PropertyDescriptor(
        "Schema Access Strategy", aliases=('schema-access-strategy',), description="Specifies how to obtain the schema that should be used to validate "
                                              "records",
        allowable_values=(READER_SCHEMA, SCHEMA_TEXT_PROPERTY), default=READER_SCHEMA.value, required=True)
    SCHEMA_TEXT = PropertyDescriptor(
        SCHEMA_TEXT.name, description=SCHEMA_TEXT.description, default=SCHEMA_TEXT.default,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES, validator=check_schema_text)
    ALLOW_EXTRA_FIELDS = PropertyDescriptor(
        "Allow Extra Fields", aliases=('allow-extra-fields',), description="If the incoming data has fields that are not present in the schema, "
        "this property determines whether or not the Record is valid. If true, the Record is still valid. If "
        "false, the Record will be invalid due to the extra fields.",
        allowable_values=("true", "false"), default="true", required=True, validator=validators.BOOLEAN)
    STRICT_TYPE_CHECKING = PropertyDescriptor(
        "Strict Type Checking", aliases=('strict-type-checking',), description="If the incoming data has a Record where a field is not of the correct "
        "type, this property determines how to handle the Record. If true, the Record will be considered invalid. "
        "If false, the Record will be considered valid if the value can be converted to the field's type.",
        allowable_values=("true", "false"), default="true", required=True, validator=validators.BOOLEAN)
    VALIDATION_DETAILS_ATTRIBUTE_NAME = PropertyDescriptor(
        "Validation Details Attribute Name", aliases=('validation-details-attribute-name',), description="If specified, when a validation error occurs, this "
        "attribute name will be used to leave the details. The number of characters will be limited by the "
        "property 'Maximum Validation Details Length'.")
    MAX_VALIDATION_DETAILS_LENGTH = PropertyDescriptor(
        "Maximum Validation Details Length", aliases=('maximum-validation-details-length',), description="Specifies the maximum number of characters that "
        "validation details value can have. Any characters beyond the max will be truncated.",
        default="1024", required=True, validator=validators.POSITIVE_INTEGER)

    VALID = Relationship("valid", "Records that are valid according to the schema will be routed to this "
                                  "relationship")
    INVALID = Relationship("invalid", "Records that are not valid according to the schema will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "If the records cannot be read, validated, or written, for any reason, the "
                                      "original FlowFile will be routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        reader, writer = services(context)
        invalid_writer = context.get_property(self.INVALID_RECORD_WRITER).as_controller_service() or writer
        outputs: dict[Relationship, Any] = {}
        try:
            with ExitStack() as spools:
                outputs = self._validate(context, session, original, reader, writer, invalid_writer, spools)
                for relationship, (spool, target, details) in outputs.items():
                    attributes = target.finish()
                    spool.seek(0)
                    child = session.import_from(spool, session.create(original))
                    session.transfer(session.put_all_attributes(child, {**attributes, **details}), relationship)
        except RECORD_ERRORS as exc:
            route_failure(context, session, original, self.FAILURE, exc, "validate")
            return
        if outputs:
            session.remove(original)
        else:  # no records: nothing is invalid
            session.transfer(session.put_attribute(original, RECORD_COUNT, "0"), self.VALID)

    def _validate(self, context: ProcessContext, session: ProcessSession, original: FlowFile,
                  reader: RecordReaderFactory, writer: RecordSetWriterFactory, invalid_writer: RecordSetWriterFactory,
                  spools: ExitStack) -> dict[Relationship, tuple[IO[bytes], RecordSetWriter, dict[str, str]]]:
        allow_extra = context.get_property(self.ALLOW_EXTRA_FIELDS).as_bool()
        strict = context.get_property(self.STRICT_TYPE_CHECKING).as_bool()
        details_name = context.get_property(self.VALIDATION_DETAILS_ATTRIBUTE_NAME).value
        max_details = context.get_property(self.MAX_VALIDATION_DETAILS_LENGTH).as_int() or 1024
        outputs: dict[Relationship, tuple[IO[bytes], RecordSetWriter, dict[str, str]]] = {}
        problems: list[str] = []
        with session.read(original) as stream:
            records = reader.create_reader(stream, original.attributes)
            schema = records.schema
            if context.get_property(self.SCHEMA_ACCESS_STRATEGY).value == SCHEMA_TEXT_PROPERTY.value:
                schema = schema_text(context.get_property(self.SCHEMA_TEXT), original.attributes)
            for number, record in enumerate(records, start=1):
                reasons = record_problems(record, schema, allow_extra=allow_extra, strict=strict)
                relationship = self.INVALID if reasons else self.VALID
                if reasons and len(problems) < 20:
                    problems.append(f"record {number}: " + "; ".join(reasons))
                output = outputs.get(relationship)
                if output is None:
                    spool = spools.enter_context(tempfile.SpooledTemporaryFile(SPOOL_BYTES))
                    factory = invalid_writer if reasons else writer
                    target = factory.create_writer(spool, factory.get_schema(original.attributes, records.schema),
                                                   original.attributes)
                    output = outputs[relationship] = (spool, target, {})
                output[1].write(record)
        if details_name and self.INVALID in outputs:
            outputs[self.INVALID][2][details_name] = "; ".join(problems)[:max_details]
        if problems:
            context.logger.warn(f"{original} has invalid records: {'; '.join(problems)[:max_details]}")
        return outputs


def record_problems(record: Mapping[str, Any], schema: RecordSchema, *, allow_extra: bool, strict: bool
                    ) -> list[str]:
    """Why ``record`` does not fit ``schema``; empty when it does."""
    reasons: list[str] = []
    for field in schema.fields:
        value = record.get(field.name)
        if value is None:
            if not field.nullable:
                reasons.append(f"field '{field.name}' is required but has no value")
            continue
        if not _fits(value, field.type, strict):
            reasons.append(f"field '{field.name}': {value!r} is not a valid {field.type}")
    if not allow_extra:
        known = set(schema.field_names)
        reasons += [f"field '{name}' is not in the schema" for name in record if name not in known]
    return reasons


def _fits(value: Any, data_type: DataType, strict: bool) -> bool:
    if not strict:
        try:
            coerce(value, data_type, "")
        except MalformedRecordError:
            return False
        return True
    kind = data_type.kind
    if kind in ("choice", "null", "bytes"):
        return True
    actual = infer_value_type(value).kind
    if kind in _NUMERIC:
        return actual in _NUMERIC[kind]
    if kind == "record":
        return isinstance(value, Mapping) and not record_problems(
            value, data_type.schema or RecordSchema(()), allow_extra=True, strict=True)
    if kind == "array":
        return isinstance(value, list) and all(_fits(v, data_type.element or DataType("string"), True) for v in value)
    if kind == "map":
        return isinstance(value, Mapping)
    return actual == kind
