"""JsonRecordSetWriter: records as a JSON array, or one JSON object per line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

import orjson

from nifi_like.api import AllowableValue, ConfigurationContext, PropertyDescriptor, validators
from processors.services.record_api import RecordSetWriter, RecordSetWriterFactory
from processors.services.record_schema import RecordSchema, coerce_record

OUTPUT_ARRAY = AllowableValue("output-array", "Array",
                              "Output records as a JSON array")
OUTPUT_ONELINE = AllowableValue("output-oneline", "One Line Per Object",
                                "Output records with one JSON object per line, delimited by a newline character")
NEVER_SUPPRESS = AllowableValue("never-suppress", "Never Suppress",
                                "Fields that are missing (present in the schema but not in the record), or "
                                "that have a value of null, will be written out as a null value")
ALWAYS_SUPPRESS = AllowableValue("always-suppress", "Always Suppress",
                                 "Fields that are missing, or that have a value of null, will not be written out")
SUPPRESS_MISSING = AllowableValue("suppress-missing", "Suppress Missing Values",
                                  "When a field has a value of null, it will be written out. However, if a field "
                                  "is defined in the schema and not present in the record, the field will not be "
                                  "written out.")

#: Bytes collected before they are written to the stream.
_FLUSH_BYTES = 1 << 16


def _default(value: Any) -> Any:
    return str(value)


class JsonRecordSetWriter(RecordSetWriterFactory):
    """Writes the results of a RecordSet as either a JSON Array or one JSON object per line. Records are
    written as they come (constant memory); with an explicit schema each is converted to it."""

    tags = ("json", "resultset", "writer", "serialize", "record", "recordset", "row")
    nifi_type = "org.apache.nifi.json.JsonRecordSetWriter"

    PRETTY_PRINT_JSON = PropertyDescriptor(
        "Pretty Print JSON", description="Specifies whether or not the JSON should be pretty printed",
        allowable_values=("true", "false"), default="false", required=True, validator=validators.BOOLEAN)
    SUPPRESS_NULLS = PropertyDescriptor(
        "Suppress Null Values", aliases=('suppress-nulls',), description="Specifies how the writer should handle a null field",
        allowable_values=(NEVER_SUPPRESS, ALWAYS_SUPPRESS, SUPPRESS_MISSING), default=NEVER_SUPPRESS.value,
        required=True)
    OUTPUT_GROUPING = PropertyDescriptor(
        "Output Grouping", aliases=('output-grouping',), description="Specifies how the writer should output the JSON records (as an array or "
                                       "one object per line, e.g.) Note that if 'One Line Per Object' is selected, "
                                       "then Pretty Print JSON must be false.",
        allowable_values=(OUTPUT_ARRAY, OUTPUT_ONELINE), default=OUTPUT_ARRAY.value, required=True)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        if (properties.get(self.OUTPUT_GROUPING.name) == OUTPUT_ONELINE.value
                and properties.get(self.PRETTY_PRINT_JSON.name) == "true"):
            return ["'Pretty Print JSON' must be false when 'Output Grouping' is 'One Line Per Object'"]
        return []

    def on_enabled(self, context: ConfigurationContext) -> None:
        super().on_enabled(context)
        self._pretty = context.get_property(self.PRETTY_PRINT_JSON).as_bool()
        self._suppress = context.get_property(self.SUPPRESS_NULLS).value or NEVER_SUPPRESS.value
        self._one_line = context.get_property(self.OUTPUT_GROUPING).value == OUTPUT_ONELINE.value

    def create_writer(self, stream: IO[bytes], schema: RecordSchema, attributes: Mapping[str, str]
                      ) -> RecordSetWriter:
        return _JsonWriter(stream, schema, self.schema_attributes(schema), pretty=self._pretty,
                           one_line=self._one_line, suppress=self._suppress, coerce=self.coerces)


class _JsonWriter(RecordSetWriter):
    mime_type = "application/json"

    def __init__(self, stream: IO[bytes], schema: RecordSchema, extra: Mapping[str, str], *, pretty: bool,
                 one_line: bool, suppress: str, coerce: bool) -> None:
        super().__init__(schema, extra)
        self._stream = stream
        self._pretty = pretty
        self._options = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if pretty else 0)
        self._one_line = one_line
        self._suppress = suppress
        self._coerce = coerce
        self._buffer = bytearray()  # many small records per write to the stream
        self._separator = b"\n" if one_line else (b",\n" if pretty else b",")

    def write(self, record: Mapping[str, Any]) -> None:
        if self._coerce:
            present = record
            record = coerce_record(record, self.schema)
            if self._suppress == SUPPRESS_MISSING.value:
                record = {k: v for k, v in record.items() if k in present}
        if self._suppress == ALWAYS_SUPPRESS.value:
            record = {k: v for k, v in record.items() if v is not None}
        try:
            data = orjson.dumps(record, default=_default, option=self._options)
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits, which the json module can write
            data = json.dumps(record, default=str, indent=2 if self._pretty else None,
                              separators=None if self._pretty else (",", ":")).encode("utf-8")
        buffer = self._buffer
        if self.record_count:
            buffer += self._separator
        elif not self._one_line:
            buffer += b"["
        buffer += data
        self.record_count += 1
        if len(buffer) >= _FLUSH_BYTES:
            self._stream.write(buffer)
            buffer.clear()

    def finish(self) -> dict[str, str]:
        if not self._one_line:
            self._buffer += b"]" if self.record_count else b"[]"
        self._stream.write(self._buffer)
        self._buffer.clear()
        return super().finish()
