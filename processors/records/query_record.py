"""QueryRecord: SQL over a FlowFile's records (SQLite in memory); each query's result is a FlowFile
routed to the relationship named after the query's property."""

from __future__ import annotations

import json
import sqlite3
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
)
from processors.records._common import (
    ERROR_MESSAGE,
    INCLUDE_ZERO_RECORD_FLOWFILES,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    route_failure,
    services,
)
from processors.services.record_api import RecordReaderFactory, RecordSetWriterFactory
from processors.services.record_schema import (
    STRING,
    Record,
    RecordField,
    RecordSchema,
    format_value,
)

ROUTE = "QueryRecord.Route"
TABLE = "FLOWFILE"
_SQL_TYPES = {"int": "INTEGER", "long": "INTEGER", "boolean": "INTEGER", "float": "REAL", "double": "REAL",
              "string": "TEXT", "bytes": "BLOB"}
_NESTED = ("record", "array", "map", "choice")


class QueryRecord(Processor):
    """Evaluates one or more SQL queries against the contents of a FlowFile. The result of each query is
    written, with the configured Record Writer, to a FlowFile routed to the relationship named after the
    query's property. The records are loaded into an in-memory SQLite table named FLOWFILE whose columns
    are the reader schema's fields (nested values as JSON text), so the SQL is SQLite's:
    ``SELECT name, age FROM FLOWFILE WHERE age > 30``."""

    tags = ("sql", "query", "calcite", "sqlite", "route", "record", "transform", "select", "update", "modify",
            "etl", "filter", "record", "csv", "json", "logs", "text", "avro", "aggregate")
    nifi_type = "org.apache.nifi.processors.standard.QueryRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        MIME_TYPE: "Sets the mime.type attribute to the MIME Type specified by the Record Writer",
        RECORD_COUNT: "The number of records selected by the query",
        ROUTE: "The relation to which the FlowFile was routed",
        ERROR_MESSAGE: "On failure, why the records could not be read or a query failed",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER
    INCLUDE_ZERO_RECORD_FLOWFILES = INCLUDE_ZERO_RECORD_FLOWFILES

    ORIGINAL = Relationship("original", "The original FlowFile is routed to this relationship")
    FAILURE = Relationship("failure", "If a FlowFile fails processing for any reason (for example, the SQL "
                                      "statement contains columns not present in input data), the original "
                                      "FlowFile it will be routed to this relationship")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description="SQL select statement; the results go to the relationship of "
                                  "this property's name", dynamic=True, validator=_select_problem,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        declared = {d.name for d in cls.property_descriptors()}
        queries = [Relationship(name, f"FlowFiles holding the results of the query '{name}'")
                   for name in properties if name not in declared]
        return [*cls.static_relationships(), *queries]

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        reader, writer = services(context)
        keep_empty = context.get_property(self.INCLUDE_ZERO_RECORD_FLOWFILES).as_bool()
        queries = {name: context.get_property(name).evaluate(original).value or ""
                   for name in context.dynamic_properties}
        results: list[FlowFile] = []
        database = sqlite3.connect(":memory:")
        try:
            schema = _load(database, session, original, reader)
            for name, sql in queries.items():
                result = self._query(session, original, database, schema, sql, writer)
                if result.attributes[RECORD_COUNT] == "0" and not keep_empty:
                    session.remove(result)
                    continue
                results.append(session.put_attribute(result, ROUTE, name))
        except (*RECORD_ERRORS, sqlite3.Error) as exc:
            session.remove(results)
            route_failure(context, session, original, self.FAILURE, exc, "query")
            return
        finally:
            database.close()
        for result in results:
            session.transfer(result, Relationship(result.attributes[ROUTE]))
        session.transfer(original, self.ORIGINAL)

    @staticmethod
    def _query(session: ProcessSession, original: FlowFile, database: sqlite3.Connection, schema: RecordSchema,
               sql: str, writer: RecordSetWriterFactory) -> FlowFile:
        cursor = database.execute(sql)
        names = [column[0] for column in cursor.description or ()]
        result_schema = RecordSchema(tuple(RecordField(name, (schema.field(name) or RecordField(name, STRING)).type)
                                           for name in names))
        written: dict[str, str] = {}

        def write(out: IO[bytes]) -> None:
            target = writer.create_writer(out, writer.get_schema(original.attributes, result_schema),
                                          original.attributes)
            for row in cursor:
                target.write(_from_sql(dict(zip(names, row, strict=True)), result_schema))
            written.update(target.finish())

        child = session.write(session.create(original), write)
        return session.put_all_attributes(child, written)


def _load(database: sqlite3.Connection, session: ProcessSession, flowfile: FlowFile,
          reader: RecordReaderFactory) -> RecordSchema:
    """Read the FlowFile's records into the FLOWFILE table; returns their schema."""
    with session.read(flowfile) as stream:
        records = reader.create_reader(stream, flowfile.attributes)
        schema = records.schema
        columns = ", ".join(f"{_quote(f.name)} {_SQL_TYPES.get(f.type.kind, 'TEXT')}" for f in schema.fields)
        database.execute(f"CREATE TABLE {TABLE} ({columns})")
        marks = ", ".join("?" for _ in schema.fields)
        database.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", _rows(records, schema))
    return schema


def _rows(records: Any, schema: RecordSchema) -> Iterator[tuple[Any, ...]]:
    names = schema.field_names
    for record in records:
        yield tuple(_to_sql(record.get(name)) for name in names)


def _to_sql(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bytes):
        return value  # bool is an int: stored as 0/1
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    return format_value(value)


def _from_sql(row: Record, schema: RecordSchema) -> Record:
    """Values of columns taken from the input back to their types (booleans, nested records)."""
    for f in schema.fields:
        value = row.get(f.name)
        if value is None:
            continue
        if f.type.kind == "boolean" and isinstance(value, int):
            row[f.name] = bool(value)
        elif f.type.kind in _NESTED and isinstance(value, str):
            try:
                row[f.name] = json.loads(value)
            except ValueError:
                pass
    return row


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_problem(value: str) -> str | None:
    if "${" in value:
        return None  # known per FlowFile
    statement = value.strip().rstrip(";")
    if not statement.lower().startswith(("select", "with")):
        return "is not a SQL SELECT statement"
    if not sqlite3.complete_statement(statement + ";"):
        return "is not a complete SQL statement"
    return None

