"""The record model: a record is a dict; a schema names its fields and their types.

Schemas are read from and written as Avro-style JSON schema text, or inferred from the
records themselves (NiFi's "Infer Schema" strategy) over a bounded sample of the first
records, so a reader stays in constant memory however long its input is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]

#: How many leading records an inferred schema is drawn from.
INFERENCE_SAMPLE = 1000

_PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "string", "bytes")
_INT_RE = re.compile(r"[+-]?\d+\Z")
_FLOAT_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?\Z")
_INT32 = 2**31


class SchemaError(ValueError):
    """A schema text that is not a usable record schema."""


class MalformedRecordError(ValueError):
    """Content that cannot be read as records, or a record that does not fit its schema."""


@dataclass(frozen=True)
class DataType:
    """A field's type: a primitive kind, or record / array / map / choice with their parts."""

    kind: str
    element: DataType | None = None  # the element type of an array, the value type of a map
    schema: RecordSchema | None = None  # the fields of a record
    choices: tuple[DataType, ...] = ()

    def to_avro(self) -> Any:
        if self.kind == "array":
            return {"type": "array", "items": (self.element or STRING).to_avro()}
        if self.kind == "map":
            return {"type": "map", "values": (self.element or STRING).to_avro()}
        if self.kind == "record":
            return (self.schema or RecordSchema(())).to_avro_dict()
        if self.kind == "choice":
            return [choice.to_avro() for choice in self.choices]
        return self.kind

    def __str__(self) -> str:
        if self.kind in ("array", "map"):
            return f"{self.kind}<{self.element}>"
        if self.kind == "choice":
            return "choice<" + ", ".join(str(c) for c in self.choices) + ">"
        return self.kind


NULL = DataType("null")
STRING = DataType("string")
BOOLEAN = DataType("boolean")
INT = DataType("int")
LONG = DataType("long")
DOUBLE = DataType("double")


@dataclass(frozen=True)
class RecordField:
    name: str
    type: DataType
    nullable: bool = True
    default: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class RecordSchema:
    fields: tuple[RecordField, ...]
    name: str = "nifiRecord"

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> RecordField | None:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        return None

    def with_field(self, name: str, data_type: DataType) -> RecordSchema:
        """This schema plus a field (unchanged when it already has one of that name)."""
        if self.field(name) is not None:
            return self
        return RecordSchema((*self.fields, RecordField(name, data_type)), self.name)

    def to_avro_dict(self) -> dict[str, Any]:
        fields = []
        for f in self.fields:
            avro = f.type.to_avro()
            if f.nullable and f.type.kind != "null":
                avro = ["null", *avro] if isinstance(avro, list) else ["null", avro]
            fields.append({"name": f.name, "type": avro})
        return {"type": "record", "name": self.name, "fields": fields}

    def to_avro(self) -> str:
        return json.dumps(self.to_avro_dict(), separators=(",", ":"))

    @classmethod
    def from_avro(cls, text: str) -> RecordSchema:
        """Parse Avro schema JSON text of type "record"."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise SchemaError(f"the schema is not valid JSON: {exc}") from None
        data_type = _parse_type(document, "the schema")
        if data_type.kind != "record" or data_type.schema is None:
            raise SchemaError(f"the schema must be an Avro record, not {data_type}")
        return data_type.schema


def _parse_type(node: Any, where: str) -> DataType:
    if isinstance(node, str):
        if node in _PRIMITIVES:
            return DataType(node)
        raise SchemaError(f"{where}: unknown type '{node}' (allowed: {', '.join(_PRIMITIVES)}, record, array, map)")
    if isinstance(node, list):
        choices = tuple(_parse_type(choice, where) for choice in node)
        non_null = [c for c in choices if c.kind != "null"]
        if len(non_null) == 1:
            return non_null[0]
        return DataType("choice", choices=tuple(non_null)) if non_null else NULL
    if not isinstance(node, dict):
        raise SchemaError(f"{where}: a type must be a name, a list or an object, not {node!r}")
    kind = node.get("type")
    if kind == "record":
        fields = node.get("fields")
        if not isinstance(fields, list):
            raise SchemaError(f"{where}: a record needs a 'fields' list")
        parsed: list[RecordField] = []
        for entry in fields:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "type" not in entry:
                raise SchemaError(f"{where}: every field needs a 'name' and a 'type', got {entry!r}")
            name = entry["name"]
            nullable = _is_nullable(entry["type"])
            parsed.append(RecordField(name, _parse_type(entry["type"], f"field '{name}'"), nullable,
                                      entry.get("default")))
        return DataType("record", schema=RecordSchema(tuple(parsed), str(node.get("name") or "nifiRecord")))
    if kind == "array":
        return DataType("array", element=_parse_type(node.get("items", "string"), where))
    if kind == "map":
        return DataType("map", element=_parse_type(node.get("values", "string"), where))
    if kind == "enum":
        return STRING
    if kind == "fixed":
        return DataType("bytes")
    if isinstance(kind, str | list | dict):
        return _parse_type(kind, where)  # {"type": "int", "logicalType": ...}
    raise SchemaError(f"{where}: no 'type' in {node!r}")


def _is_nullable(node: Any) -> bool:
    return node == "null" or (isinstance(node, list) and "null" in node)


# -- inference ---------------------------------------------------------------------------

def infer_value_type(value: Any) -> DataType:
    """The type of a value as JSON parsing produces it."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INT if -_INT32 <= value < _INT32 else LONG
    if isinstance(value, float):
        return DOUBLE
    if isinstance(value, Mapping):
        return DataType("record", schema=infer_schema([value]))
    if isinstance(value, list):
        element = NULL
        for item in value:
            element = merge_types(element, infer_value_type(item))
        return DataType("array", element=STRING if element.kind == "null" else element)
    return STRING


def infer_text_type(text: str) -> DataType:
    """The type of a CSV value written as text; empty text says nothing (null)."""
    if not text:
        return NULL
    if text in ("true", "false", "TRUE", "FALSE", "True", "False"):
        return BOOLEAN
    if _INT_RE.match(text):
        return INT if -_INT32 <= int(text) < _INT32 else LONG
    if _FLOAT_RE.match(text):
        return DOUBLE
    return STRING


def merge_types(a: DataType, b: DataType) -> DataType:
    """The narrowest type that holds values of both (NiFi's widening when it infers a schema)."""
    if a == b or b.kind == "null":
        return a
    if a.kind == "null":
        return b
    numeric = ("int", "long", "float", "double")
    if a.kind in numeric and b.kind in numeric:
        return max(a, b, key=lambda t: numeric.index(t.kind))
    if a.kind == "record" and b.kind == "record" and a.schema and b.schema:
        return DataType("record", schema=merge_schemas(a.schema, b.schema))
    if a.kind == "array" and b.kind == "array":
        return DataType("array", element=merge_types(a.element or NULL, b.element or NULL))
    if "string" in (a.kind, b.kind):
        return STRING
    existing = a.choices if a.kind == "choice" else (a,)
    extra = b.choices if b.kind == "choice" else (b,)
    return DataType("choice", choices=existing + tuple(t for t in extra if t not in existing))


def merge_schemas(a: RecordSchema, b: RecordSchema) -> RecordSchema:
    types = {f.name: f.type for f in a.fields}
    for f in b.fields:
        types[f.name] = merge_types(types.get(f.name, NULL), f.type)
    return RecordSchema(tuple(RecordField(name, STRING if t.kind == "null" else t) for name, t in types.items()),
                        a.name)


def infer_schema(records: Iterable[Mapping[str, Any]]) -> RecordSchema:
    types: dict[str, DataType] = {}
    for record in records:
        for name, value in record.items():
            types[name] = merge_types(types.get(name, NULL), infer_value_type(value))
    return RecordSchema(tuple(RecordField(name, STRING if t.kind == "null" else t) for name, t in types.items()))


# -- coercion ----------------------------------------------------------------------------

def coerce(value: Any, data_type: DataType, where: str) -> Any:
    """``value`` converted to ``data_type``; MalformedRecordError says which field did not fit."""
    if value is None:
        return None
    kind = data_type.kind
    try:
        if kind == "string":
            return value if isinstance(value, str) else format_value(value)
        if kind in ("int", "long"):
            return _to_int(value)
        if kind in ("float", "double"):
            if isinstance(value, bool):
                raise ValueError
            return float(value.strip()) if isinstance(value, str) else float(value)
        if kind == "boolean":
            return _to_bool(value)
        if kind == "record" and isinstance(value, Mapping):
            return coerce_record(value, data_type.schema or RecordSchema(()), where)
        if kind == "array" and isinstance(value, list):
            element = data_type.element or STRING
            return [coerce(item, element, f"{where}[{i}]") for i, item in enumerate(value)]
        if kind == "map" and isinstance(value, Mapping):
            element = data_type.element or STRING
            return {str(k): coerce(v, element, f"{where}.{k}") for k, v in value.items()}
        if kind in ("choice", "bytes", "null"):
            return value
    except (ValueError, TypeError, OverflowError):
        pass
    raise MalformedRecordError(f"field '{where}': {value!r} is not a valid {data_type}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer() or math.isinf(value):
            raise ValueError("not a whole number")
        return int(value)
    return int(str(value).strip())


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ValueError("not a boolean")


def coerce_record(record: Mapping[str, Any], schema: RecordSchema, where: str = "") -> Record:
    """The record with the schema's fields in schema order, each converted to its type; fields the
    schema does not name are dropped, as a writer with an explicit schema does in NiFi."""
    out: Record = {}
    for f in schema.fields:
        value = record.get(f.name, f.default)
        if value is None and not f.nullable:
            raise MalformedRecordError(f"field '{where}{f.name}' is required by the schema but has no value")
        out[f.name] = coerce(value, f.type, where + f.name)
    return out


def format_value(value: Any) -> str:
    """A value as text, the way the CSV writer and string fields show it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)
