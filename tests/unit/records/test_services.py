"""Record readers and writers as services: what they read, what they write, and what they refuse."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pytest

from nifi_like.api import ControllerService, ProcessException
from nifi_like.engine.services import ServiceContext, ServiceNode
from nifi_like.testing import TestRunner
from processors.records.convert_record import ConvertRecord
from processors.services.csv_reader import CSVReader
from processors.services.csv_record_set_writer import CSVRecordSetWriter
from processors.services.json_record_set_writer import JsonRecordSetWriter
from processors.services.json_tree_reader import JsonTreeReader
from processors.services.record_api import RecordReaderFactory, RecordSetWriterFactory
from processors.services.record_schema import MalformedRecordError, RecordSchema, SchemaError
from tests.unit.records.support import record_runner

SCHEMA = json.dumps({"type": "record", "name": "person", "fields": [
    {"name": "name", "type": "string"}, {"name": "age", "type": ["null", "int"]},
    {"name": "member", "type": "boolean"}]})


def enabled(cls: type[ControllerService], properties: Mapping[str, str] | None = None) -> Any:
    node = ServiceNode("svc", "svc", "", cls.type_name(), cls(), properties or {}, {})
    node.service.on_enabled(ServiceContext(node, lambda _: None))
    return node.service


def read(reader: RecordReaderFactory, data: bytes, attributes: Mapping[str, str] | None = None
         ) -> tuple[RecordSchema, list[dict[str, Any]]]:
    records = reader.create_reader(io.BytesIO(data), attributes or {})
    return records.schema, list(records)


def write(writer: RecordSetWriterFactory, schema: RecordSchema, records: list[dict[str, Any]],
          attributes: Mapping[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    out = io.BytesIO()
    target = writer.create_writer(out, writer.get_schema(attributes or {}, schema), attributes or {})
    for record in records:
        target.write(record)
    written = target.finish()
    return out.getvalue(), written


# -- CSVReader -----------------------------------------------------------------------------

def test_csv_reader_infers_types_from_the_header_and_values() -> None:
    schema, records = read(enabled(CSVReader), b"name,age,score,member\nann, 31 ,2.5,true\nbob,,3,false\n")
    assert [(f.name, f.type.kind) for f in schema.fields] == [
        ("name", "string"), ("age", "int"), ("score", "double"), ("member", "boolean")]
    assert records == [{"name": "ann", "age": 31, "score": 2.5, "member": True},
                       {"name": "bob", "age": None, "score": 3.0, "member": False}]


def test_csv_reader_header_derived_schema_keeps_every_value_a_string() -> None:
    _, records = read(enabled(CSVReader, {"Schema Access Strategy": "csv-header-derived"}), b"a,b\n1,true\n")
    assert records == [{"a": "1", "b": "true"}]


def test_csv_reader_separator_quote_and_escape() -> None:
    reader = enabled(CSVReader, {"Value Separator": "\\t", "Quote Character": "'"})
    _, records = read(reader, b"a\tb\n'x\ty'\tit\\'s\n")
    assert records == [{"a": "x\ty", "b": "it's"}]


def test_csv_reader_with_schema_text_maps_header_names_or_positions() -> None:
    data = b"member,name,age\ntrue,ann,31\n"
    by_name = enabled(CSVReader, {"Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA,
                                  "Treat First Line as Header": "true"})
    assert read(by_name, data)[1] == [{"member": True, "name": "ann", "age": 31}]
    by_position = enabled(CSVReader, {"Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA,
                                      "Treat First Line as Header": "true", "Ignore CSV Header Column Names": "true"})
    with pytest.raises(MalformedRecordError, match="field 'age': 'ann' is not a valid int"):
        read(by_position, data)
    no_header = enabled(CSVReader, {"Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA})
    assert read(no_header, b"ann,31,false\n")[1] == [{"name": "ann", "age": 31, "member": False}]


def test_csv_reader_schema_text_from_the_avro_schema_attribute() -> None:
    reader = enabled(CSVReader, {"Schema Access Strategy": "schema-text-property"})
    schema, records = read(reader, b"ann,7,true\n", {"avro.schema": SCHEMA})
    assert schema.name == "person" and records == [{"name": "ann", "age": 7, "member": True}]
    with pytest.raises(SchemaError, match="no avro.schema attribute"):
        read(reader, b"ann,7,true\n")


def test_csv_reader_refuses_unclosed_quotes_and_extra_values() -> None:
    with pytest.raises(MalformedRecordError, match="line"):
        read(enabled(CSVReader), b'a,b\n"x,y\n')
    with pytest.raises(MalformedRecordError, match="record 2 has 3 values but there are only 2 columns"):
        read(enabled(CSVReader), b"a,b\n1,2\n1,2,3\n")


def test_csv_reader_keeps_values_that_do_not_fit_the_inferred_type() -> None:
    rows = b"n\n" + b"1\n" * 1500 + b"many\n"
    _, records = read(enabled(CSVReader), rows)
    assert records[0] == {"n": 1} and records[-1] == {"n": "many"} and len(records) == 1501


def test_csv_reader_refuses_bytes_that_are_not_text() -> None:
    with pytest.raises(MalformedRecordError, match="not valid text"):
        read(enabled(CSVReader), b"a\n\xff\xfe\n")


# -- JsonTreeReader ------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b'[{"a": 1, "b": {"c": "x"}}, {"a": 2}]',
    b'{"a": 1, "b": {"c": "x"}}\n{"a": 2}\n',
])
def test_json_reader_reads_arrays_and_object_streams(data: bytes) -> None:
    schema, records = read(enabled(JsonTreeReader), data)
    assert records == [{"a": 1, "b": {"c": "x"}}, {"a": 2}]
    assert [(f.name, str(f.type)) for f in schema.fields] == [("a", "int"), ("b", "record")]


def test_json_reader_streams_across_chunk_boundaries() -> None:
    many = [{"id": i, "text": "x" * (i % 300)} for i in range(5000)]
    _, records = read(enabled(JsonTreeReader), json.dumps(many).encode())
    assert records == many


@pytest.mark.parametrize(("data", "reason"), [
    (b'[{"a": 1},]', "expected a JSON object at character 10"),
    (b'[{"a": 1}', "not closed"),
    (b'{"a": ', "invalid JSON"),
    (b"[1, 2]", "expected a JSON object"),
    (b'[{"a": 1}] x', "unexpected content after the JSON array"),
    (b'\xff{"a": 1}', "not UTF-8 text"),
])
def test_json_reader_refuses_bad_json(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedRecordError, match=reason):
        read(enabled(JsonTreeReader), data)


def test_json_reader_coerces_to_a_given_schema() -> None:
    reader = enabled(JsonTreeReader, {"Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA})
    _, records = read(reader, b'{"name": "ann", "age": "41", "member": "true", "extra": 1}')
    assert records == [{"name": "ann", "age": 41, "member": True}]
    with pytest.raises(MalformedRecordError, match="field 'age'"):
        read(reader, b'{"name": "ann", "age": "old", "member": true}')


def test_bad_schema_text_is_refused_with_the_reason() -> None:
    with pytest.raises(SchemaError, match="unknown type 'integer'"):
        RecordSchema.from_avro('{"type": "record", "name": "r", "fields": [{"name": "a", "type": "integer"}]}')
    with pytest.raises(SchemaError, match="not valid JSON"):
        RecordSchema.from_avro("{")


# -- writers -------------------------------------------------------------------------------

ROWS: list[dict[str, Any]] = [{"name": "ann", "age": 31, "tags": ["a", "b"], "ok": True}, {"name": "bob, jr", "age": None, "tags": [],
                                                                    "ok": False}]


def test_json_writer_array_one_line_and_pretty() -> None:
    schema = RecordSchema.from_avro(SCHEMA)
    data, attributes = write(enabled(JsonRecordSetWriter), schema, ROWS)
    assert json.loads(data) == ROWS
    assert attributes == {"mime.type": "application/json", "record.count": "2"}
    lines, _ = write(enabled(JsonRecordSetWriter, {"Output Grouping": "output-oneline"}), schema, ROWS)
    assert [json.loads(line) for line in lines.splitlines()] == ROWS
    pretty, _ = write(enabled(JsonRecordSetWriter, {"Pretty Print JSON": "true"}), schema, ROWS)
    assert b'\n  "name": "ann"' in pretty and json.loads(pretty) == ROWS
    assert write(enabled(JsonRecordSetWriter), schema, [])[0] == b"[]"


def test_json_writer_pretty_one_line_is_invalid() -> None:
    writer = JsonRecordSetWriter()
    assert writer.custom_validate({"Output Grouping": "output-oneline", "Pretty Print JSON": "true"})


def test_json_writer_with_schema_text_converts_and_suppresses_nulls() -> None:
    writer = enabled(JsonRecordSetWriter, {"Schema Access Strategy": "schema-text-property", "Schema Text": SCHEMA,
                                           "Suppress Null Values": "always-suppress",
                                           "Schema Write Strategy": "full-schema-attribute"})
    data, attributes = write(writer, RecordSchema(()), [{"name": "ann", "age": "5", "member": "false", "x": 1},
                                                        {"name": "bob", "member": True}])
    assert json.loads(data) == [{"name": "ann", "age": 5, "member": False}, {"name": "bob", "member": True}]
    assert RecordSchema.from_avro(attributes["avro.schema"]).field_names == ["name", "age", "member"]


def test_csv_writer_header_quoting_and_separator() -> None:
    schema = RecordSchema.from_avro(json.dumps({"type": "record", "name": "r", "fields": [
        {"name": "name", "type": "string"}, {"name": "age", "type": ["null", "int"]},
        {"name": "tags", "type": {"type": "array", "items": "string"}}, {"name": "ok", "type": "boolean"}]}))
    data, attributes = write(enabled(CSVRecordSetWriter), schema, ROWS)
    assert data == b'name,age,tags,ok\nann,31,"[""a"",""b""]",true\n"bob, jr",,[],false\n'
    assert attributes == {"mime.type": "text/csv", "record.count": "2"}
    no_header, _ = write(enabled(CSVRecordSetWriter, {"Include Header Line": "false", "Value Separator": ";",
                                                      "Null String": "NULL"}), schema, ROWS)
    assert no_header == b'ann;31;"[""a"",""b""]";true\nbob, jr;NULL;[];false\n'
    assert write(enabled(CSVRecordSetWriter), schema, [])[0] == b"name,age,tags,ok\n"


# -- hosting -------------------------------------------------------------------------------

def test_an_invalid_service_configuration_is_refused_when_enabled() -> None:
    with TestRunner(ConvertRecord, {"Record Reader": "r", "Record Writer": "w"}) as runner:
        runner.add_controller_service("r", CSVReader, {"Value Separator": ";;"})
        with pytest.raises(AssertionError, match="Property 'Value Separator'.*must be a single character"):
            runner.enable_controller_service("r")
        runner.add_controller_service("w", JsonRecordSetWriter, {"Output Grouping": "output-oneline",
                                                                 "Pretty Print JSON": "true"})
        with pytest.raises(AssertionError, match="'Pretty Print JSON' must be false"):
            runner.enable_controller_service("w")


def test_a_processor_whose_service_is_disabled_does_not_run() -> None:
    with record_runner(ConvertRecord, "csv-reader", "json-writer") as runner:
        runner.disable_controller_service("csv-reader")
        runner.enqueue(b"a\n1\n")
        with pytest.raises(ProcessException, match="is not enabled"):
            runner.run()
        runner.assert_queue_not_empty()


# -- CSV Format presets ----------------------------------------------------------------------

def test_csv_format_presets_override_the_custom_properties() -> None:
    schema, records = read(enabled(CSVReader, {"CSV Format": "tdf", "Value Separator": ";"}),
                           b"name\tage\r\nann\t31\r\n")
    assert records == [{"name": "ann", "age": 31}]
    written, _ = write(enabled(CSVRecordSetWriter, {"CSV Format": "tdf"}), schema, records)
    assert written == b"name\tage\r\nann\t31\r\n"
    written, _ = write(enabled(CSVRecordSetWriter, {"CSV Format": "rfc-4180"}), schema, [{"name": "a,b", "age": 1}])
    assert written == b'name,age\r\n"a,b",1\r\n'
    written, _ = write(enabled(CSVRecordSetWriter, {"CSV Format": "mysql"}), schema, [{"name": "a\tb", "age": 1}])
    assert written == b"name\tage\na\\\tb\t1\n"


def test_nifi_2_0_machine_names_of_service_properties_are_aliases() -> None:
    from nifi_like.flow.migration import rename_aliases

    properties: dict[str, str | None] = {"schema-access-strategy": "infer-schema", "csvutils-character-set": "UTF-8",
                                         "Skip Header Line": "true", "CSV Format": "custom"}
    rename_aliases(CSVReader, properties)
    assert properties == {"Schema Access Strategy": "infer-schema", "Character Set": "UTF-8",
                          "Treat First Line as Header": "true", "CSV Format": "custom"}
    both = {"record-reader": "old", "Record Reader": "new"}
    rename_aliases(ConvertRecord, both)
    assert both == {"Record Reader": "new"}, "a value under today's name wins"
