"""Request models: one declaration validates a request body and describes it in the OpenAPI document.

A model parses JSON into plain Python values, keeping only the fields that were sent (a PUT is
a partial merge, as in NiFi), and raises BadRequest naming the field, what it is and what is
allowed. ``openapi()`` gives the same model as an OpenAPI 3 schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nifi_like.web.errors import BadRequest

JsonObj = dict[str, Any]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Field:
    """A JSON value of one kind. ``nullable`` fields keep an explicit null (a property to remove)."""

    kind = "a value"

    def __init__(self, description: str = "", *, nullable: bool = False) -> None:
        self.description = description
        self.nullable = nullable

    def parse(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def _wrong(self, value: Any, where: str) -> BadRequest:
        return BadRequest(f"'{where}' must be {self.kind}, not {_json_type(value)} ({json.dumps(value)[:80]})")

    def schema(self) -> JsonObj:
        raise NotImplementedError

    def openapi(self) -> JsonObj:
        out = self.schema()
        if self.description:
            out["description"] = self.description
        if self.nullable:
            out["nullable"] = True
        return out


class Text(Field):
    kind = "a string"

    def __init__(self, description: str = "", *, enum: tuple[str, ...] = (), nullable: bool = False) -> None:
        super().__init__(description, nullable=nullable)
        self.enum = enum

    def parse(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self._wrong(value, where)
        if self.enum and value not in self.enum:
            raise BadRequest(f"'{where}' is '{value}'; allowed values are {', '.join(self.enum)}")
        return value

    def schema(self) -> JsonObj:
        return {"type": "string", "enum": list(self.enum)} if self.enum else {"type": "string"}


class Integer(Field):
    kind = "an integer"

    def __init__(self, description: str = "", *, minimum: int = -(2**63), maximum: int = 2**63 - 1) -> None:
        super().__init__(description)
        self.minimum = minimum
        self.maximum = maximum  # NiFi's fields are Java ints and longs

    def parse(self, value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong(value, where)
        if not self.minimum <= value <= self.maximum:
            raise BadRequest(f"'{where}' is {value}; it must be between {self.minimum} and {self.maximum}")
        return value

    def schema(self) -> JsonObj:
        return {"type": "integer", "format": "int64" if self.maximum > 2**31 - 1 else "int32",
                "minimum": self.minimum, "maximum": self.maximum}


class Number(Field):
    kind = "a number"

    def parse(self, value: Any, where: str) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self._wrong(value, where)
        return float(value)

    def schema(self) -> JsonObj:
        return {"type": "number", "format": "double"}


class Boolean(Field):
    kind = "a boolean"

    def parse(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self._wrong(value, where)
        return value

    def schema(self) -> JsonObj:
        return {"type": "boolean"}


class ListOf(Field):
    kind = "an array"

    def __init__(self, item: Field, description: str = "") -> None:
        super().__init__(description)
        self.item = item

    def parse(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self._wrong(value, where)
        return [self.item.parse(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def schema(self) -> JsonObj:
        return {"type": "array", "items": self.item.openapi()}


class MapOf(Field):
    """An object with free keys and values of one kind (processor properties, styles)."""

    kind = "an object"

    def __init__(self, value: Field, description: str = "") -> None:
        super().__init__(description)
        self.value = value

    def parse(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._wrong(value, where)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None and self.value.nullable:
                out[key] = None
            elif item is None:
                raise BadRequest(f"'{where}.{key}' must not be null")
            else:
                out[key] = self.value.parse(item, f"{where}.{key}")
        return out

    def schema(self) -> JsonObj:
        return {"type": "object", "additionalProperties": self.value.openapi()}


class Obj(Field):
    """An object with known fields; unknown ones are ignored, as NiFi's Jackson mapping does."""

    kind = "an object"

    def __init__(self, name: str, fields: Mapping[str, Field], *, required: tuple[str, ...] = (),
                 description: str = "", nullable: bool = False) -> None:
        super().__init__(description, nullable=nullable)
        self.name = name
        self.fields = dict(fields)
        self.required = required

    def parse(self, value: Any, where: str = "") -> JsonObj:
        if not isinstance(value, dict):
            raise BadRequest(f"'{where}' must be an object, not {_json_type(value)}" if where
                             else f"The request body must be a JSON object, not {_json_type(value)}")
        out: JsonObj = {}
        for key, field in self.fields.items():
            path = f"{where}.{key}" if where else key
            item = value.get(key)
            if item is None:
                if key in self.required:
                    raise BadRequest(f"'{path}' is required")
                if key in value and field.nullable:
                    out[key] = None
                continue
            out[key] = field.parse(item, path)
        return out

    def schema(self) -> JsonObj:
        return {"$ref": f"#/components/schemas/{self.name}"}

    def openapi(self) -> JsonObj:
        if self.nullable:  # OpenAPI 3.0 ignores siblings of $ref
            return {"allOf": [self.schema()], "nullable": True}
        return self.schema()

    def definition(self) -> JsonObj:
        out: JsonObj = {"type": "object", "properties": {k: f.openapi() for k, f in self.fields.items()}}
        if self.required:
            out["required"] = list(self.required)
        if self.description:
            out["description"] = self.description
        return out

    def models(self) -> dict[str, Obj]:
        """This model and every model it contains, by name."""
        found: dict[str, Obj] = {self.name: self}
        pending: list[Field] = list(self.fields.values())
        while pending:
            field = pending.pop()
            if isinstance(field, Obj) and field.name not in found:
                found[field.name] = field
                pending.extend(field.fields.values())
            elif isinstance(field, ListOf):
                pending.append(field.item)
            elif isinstance(field, MapOf):
                pending.append(field.value)
        return found


def _no_constants(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def parse_json(raw: bytes, model: Obj) -> JsonObj:
    """A request body parsed by its model; BadRequest says what is wrong."""
    if not raw.strip():
        raise BadRequest("The request body is empty; a JSON object is expected")
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise BadRequest("The request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None
    return model.parse(data)
