"""CSVRecordSetWriter: records as CSV rows, written as they come."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO, Any

from nifi_like.api import AllowableValue, ConfigurationContext, PropertyDescriptor, validators
from processors.services import _csv
from processors.services.record_api import RecordSetWriter, RecordSetWriterFactory
from processors.services.record_schema import RecordSchema, coerce_record, format_value

QUOTE_MODES = {
    "ALL": csv.QUOTE_ALL, "MINIMAL": csv.QUOTE_MINIMAL, "NON_NUMERIC": csv.QUOTE_NONNUMERIC, "NONE": csv.QUOTE_NONE}


class CSVRecordSetWriter(RecordSetWriterFactory):
    """Writes the contents of a RecordSet as CSV data. The first line written will be the column names
    (unless the 'Include Header Line' property is false). All subsequent lines will be the values
    corresponding to the record fields, in the order of the schema's fields."""

    tags = ("csv", "result", "set", "recordset", "record", "writer", "serializer", "row", "tsv", "tab",
            "separated", "delimited")
    nifi_type = "org.apache.nifi.csv.CSVRecordSetWriter"

    CSV_FORMAT = _csv.CSV_FORMAT
    VALUE_SEPARATOR = _csv.VALUE_SEPARATOR
    QUOTE_CHARACTER = _csv.QUOTE_CHARACTER
    ESCAPE_CHARACTER = _csv.ESCAPE_CHARACTER
    INCLUDE_HEADER_LINE = PropertyDescriptor(
        "Include Header Line", description="Specifies whether or not the CSV column names should be written out "
                                           "as the first line.",
        allowable_values=("true", "false"), default="true", required=True, validator=validators.BOOLEAN)
    QUOTE_MODE = PropertyDescriptor(
        "Quote Mode", description="Specifies how fields should be quoted when they are written",
        allowable_values=(AllowableValue("ALL", "Quote All Values", "All values will be quoted"),
                          AllowableValue("MINIMAL", "Quote Minimal", "Values will be quoted only if they contain "
                                         "special characters such as the Value Separator or Quote Character"),
                          AllowableValue("NON_NUMERIC", "Quote Non-Numeric Values", "Values will be quoted unless "
                                         "the value is a number"),
                          AllowableValue("NONE", "Do Not Quote Values", "Values will not be quoted; the Escape "
                                         "Character escapes special characters")),
        default="MINIMAL", required=True)
    RECORD_SEPARATOR = PropertyDescriptor(
        "Record Separator", description="Specifies the characters to use in order to separate CSV Records",
        default="\\n", required=True)
    NULL_STRING = _csv.NULL_STRING
    CHARACTER_SET = _csv.CHARACTER_SET

    def on_enabled(self, context: ConfigurationContext) -> None:
        super().on_enabled(context)
        escape = _csv.unescape(context.get_property(self.ESCAPE_CHARACTER).value or "")
        self._dialect: dict[str, Any] = {
            "delimiter": _csv.unescape(context.get_property(self.VALUE_SEPARATOR).value or ","),
            "quotechar": _csv.unescape(context.get_property(self.QUOTE_CHARACTER).value or '"'),
            "escapechar": escape or None,
            "lineterminator": _csv.unescape(context.get_property(self.RECORD_SEPARATOR).value or "\\n"),
            "quoting": QUOTE_MODES[context.get_property(self.QUOTE_MODE).value or "MINIMAL"]}
        self._dialect.update(_csv.preset(context))
        self._header = context.get_property(self.INCLUDE_HEADER_LINE).as_bool()
        self._null = context.get_property(self.NULL_STRING).value or ""
        self._charset = context.get_property(self.CHARACTER_SET).value or "UTF-8"

    def create_writer(self, stream: IO[bytes], schema: RecordSchema, attributes: Mapping[str, str]
                      ) -> RecordSetWriter:
        return _CsvWriter(stream, schema, self.schema_attributes(schema), self._dialect, header=self._header,
                          null=self._null, charset=self._charset, coerce=self.coerces)


class _CsvWriter(RecordSetWriter):
    mime_type = "text/csv"

    def __init__(self, stream: IO[bytes], schema: RecordSchema, extra: Mapping[str, str], dialect: dict[str, Any],
                 *, header: bool, null: str, charset: str, coerce: bool) -> None:
        super().__init__(schema, extra)
        self._text = io.TextIOWrapper(stream, encoding=charset, newline="")
        self._writer = csv.writer(self._text, **dialect)
        self._names = schema.field_names
        self._null = null
        self._coerce = coerce
        self._header = header

    def write(self, record: Mapping[str, Any]) -> None:
        if self.record_count == 0 and self._header:
            self._writer.writerow(self._names)
        if self._coerce:
            record = coerce_record(record, self.schema)
        null = self._null
        self._writer.writerow([null if (value := record.get(name)) is None else
                               value if isinstance(value, str | int | float) and not isinstance(value, bool)
                               else format_value(value) for name in self._names])
        self.record_count += 1

    def finish(self) -> dict[str, str]:
        if self.record_count == 0 and self._header:
            self._writer.writerow(self._names)
        self._text.flush()
        self._text.detach()  # the stream belongs to the session, which closes it
        return super().finish()
