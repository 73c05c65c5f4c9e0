"""CSVReader: records from CSV text, one row at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from nifi_like.api import AllowableValue, ConfigurationContext, PropertyDescriptor, validators
from processors.services import _csv
from processors.services._reading import StreamRecordReader
from processors.services.record_api import (
    INFER_SCHEMA,
    SCHEMA_TEXT_PROPERTY,
    RecordReader,
    RecordReaderFactory,
)
from processors.services.record_schema import (
    NULL,
    STRING,
    DataType,
    MalformedRecordError,
    Record,
    RecordField,
    RecordSchema,
    coerce,
    infer_text_type,
    merge_types,
)

HEADER_DERIVED = AllowableValue(
    "csv-header-derived", "Use String Fields From Header",
    "The first non-comment line of the CSV file is a header line that contains the names of the columns. The "
    "schema will be derived by using the column names in the header and assuming that all columns are of type "
    "String.")

_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "int": int, "long": int, "float": float, "double": float,
    "boolean": lambda text: {"true": True, "false": False}[text.lower()],
}


class CSVReader(RecordReaderFactory):
    """Parses CSV-formatted data, returning each row in the CSV file as a separate record. With 'Infer
    Schema' or 'Use String Fields From Header' the first line is the header; with an explicit schema it is
    a header only when 'Treat First Line as Header' is true. Inferred types come from the first records;
    a later value that does not fit its inferred type is kept as text rather than lost."""

    tags = ("csv", "parse", "record", "row", "reader", "delimited", "comma", "separated", "values")
    nifi_type = "org.apache.nifi.csv.CSVReader"

    SCHEMA_ACCESS_STRATEGY = PropertyDescriptor(
        "Schema Access Strategy", aliases=('schema-access-strategy',), description="Specifies how to obtain the schema that is to be used for "
                                              "interpreting the data.",
        allowable_values=(HEADER_DERIVED, INFER_SCHEMA, SCHEMA_TEXT_PROPERTY), default=INFER_SCHEMA.value,
        required=True)
    CSV_FORMAT = _csv.CSV_FORMAT
    VALUE_SEPARATOR = _csv.VALUE_SEPARATOR
    QUOTE_CHARACTER = _csv.QUOTE_CHARACTER
    ESCAPE_CHARACTER = _csv.ESCAPE_CHARACTER
    FIRST_LINE_IS_HEADER = PropertyDescriptor(
        "Treat First Line as Header", aliases=('Skip Header Line',), description="Specifies whether or not the first line of CSV should be "
                                                  "considered a Header or should be considered a record.",
        allowable_values=("true", "false"), default="false", required=True, validator=validators.BOOLEAN)
    IGNORE_CSV_HEADER = PropertyDescriptor(
        "Ignore CSV Header Column Names", aliases=('ignore-csv-header',), description="If the first line of a CSV is a header, and the configured "
        "schema does not match the fields named in the header line, this controls how the Reader will interpret "
        "the fields. If true, the field names from the schema are used, by position; if false, the values are "
        "mapped to schema fields by the header's names.",
        allowable_values=("true", "false"), default="false", required=True, validator=validators.BOOLEAN)
    TRIM_FIELDS = PropertyDescriptor(
        "Trim Fields", description="Whether or not white space should be removed from the beginning and end of "
                                   "fields", allowable_values=("true", "false"), default="true", required=True,
        validator=validators.BOOLEAN)
    NULL_STRING = _csv.NULL_STRING
    CHARACTER_SET = _csv.CHARACTER_SET

    def on_enabled(self, context: ConfigurationContext) -> None:
        super().on_enabled(context)
        escape = _csv.unescape(context.get_property(self.ESCAPE_CHARACTER).value or "")
        self._dialect: dict[str, Any] = {
            "delimiter": _csv.unescape(context.get_property(self.VALUE_SEPARATOR).value or ","),
            "quotechar": _csv.unescape(context.get_property(self.QUOTE_CHARACTER).value or '"'),
            "escapechar": escape or None, "doublequote": True, "strict": True,
            "skipinitialspace": False}
        self._dialect.update({k: v for k, v in _csv.preset(context).items() if k != "lineterminator"})
        self._header = context.get_property(self.FIRST_LINE_IS_HEADER).as_bool()
        self._ignore_header = context.get_property(self.IGNORE_CSV_HEADER).as_bool()
        self._trim = context.get_property(self.TRIM_FIELDS).as_bool()
        self._null = context.get_property(self.NULL_STRING).value
        self._charset = context.get_property(self.CHARACTER_SET).value or "UTF-8"

    def create_reader(self, stream: IO[bytes], attributes: Mapping[str, str]) -> RecordReader:
        schema = self.explicit_schema(attributes)
        text = io.TextIOWrapper(stream, encoding=self._charset, newline="")
        rows = _rows(csv.reader(text, **self._dialect), self._trim, self._null)
        header: list[str] | None = None
        if schema is None or self._header:
            header = next(rows, None) or []
        if schema is None:
            names = _unique(header or [])
            if self._strategy == HEADER_DERIVED.value:
                schema = RecordSchema(tuple(RecordField(name, STRING) for name in names))
                return StreamRecordReader(_records(rows, names), schema, _no_inference)
            return StreamRecordReader(_records(rows, names), None, lambda sample: _infer(names, sample),
                                      _typed_leniently)
        names = schema.field_names if header is None or self._ignore_header else _unique(header)
        return StreamRecordReader(_records(rows, names), schema, _no_inference, _typed_strictly)


def _rows(reader: Iterator[list[str]], trim: bool, null: str | None) -> Iterator[list[Any]]:
    try:
        for row in reader:
            if not row:
                continue  # a blank line
            if trim:
                row = [value.strip() for value in row]
            yield [None if value == null else value for value in row] if null is not None else row
    except csv.Error as exc:
        raise MalformedRecordError(f"line {getattr(reader, 'line_num', '?')}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise MalformedRecordError(f"the content is not valid text: {exc}") from None


def _records(rows: Iterator[list[Any]], names: list[str]) -> Iterator[Record]:
    width = len(names)
    for number, row in enumerate(rows, start=1):
        if len(row) > width:
            raise MalformedRecordError(f"record {number} has {len(row)} values but there are only {width} "
                                       f"columns ({', '.join(names)})")
        yield dict(zip(names, row, strict=False))


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for index, name in enumerate(header):
        name = name or f"field_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _infer(names: list[str], sample: list[Record]) -> RecordSchema:
    types: dict[str, DataType] = {name: NULL for name in names}
    for record in sample:
        for name, value in record.items():
            if value is not None and types[name] != STRING:
                types[name] = merge_types(types[name], infer_text_type(value))
    return RecordSchema(tuple(RecordField(name, STRING if t in (NULL,) or t.kind == "choice" else t)
                              for name, t in types.items()))


def _no_inference(sample: list[Record]) -> RecordSchema:
    raise AssertionError("the schema is known")  # pragma: no cover - never called with a schema


def _typed_leniently(record: Record, schema: RecordSchema) -> Record:
    """Text values converted to the inferred types; a value that does not fit stays text (empty is null)."""
    for f in schema.fields:
        convert = _CONVERTERS.get(f.type.kind)
        value = record.get(f.name)
        if convert is not None and value is not None:
            if value == "":
                record[f.name] = None
                continue
            try:
                record[f.name] = convert(value)
            except (ValueError, KeyError):
                pass
    return record


def _typed_strictly(record: Record, schema: RecordSchema) -> Record:
    for f in schema.fields:
        value = record.get(f.name)
        if value == "" and f.type.kind != "string":
            value = None
        record[f.name] = coerce(value, f.type, f.name)
    return record
