"""NiFi's parameter convention for SQL processors: ``sql.args.N.type`` (a JDBC type number),
``sql.args.N.value`` and optional ``sql.args.N.format``, N = 1, 2, ... for the statement's '?' markers."""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import re
from collections.abc import Callable, Mapping
from typing import Any

_ARG = re.compile(r"^sql\.args\.(\d+)\.type$")

_TRUE = frozenset({"true", "1", "t", "y", "yes"})
_FALSE = frozenset({"false", "0", "f", "n", "no"})


class SqlArgumentError(ValueError):
    """An sql.args.N attribute that cannot be turned into a parameter; the message names it."""


def _boolean(value: str, _format: str | None) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("is not a boolean")


def _integer(value: str, _format: str | None) -> int:
    return int(value.strip())


def _decimal(value: str, _format: str | None) -> decimal.Decimal:
    try:
        return decimal.Decimal(value.strip())
    except decimal.InvalidOperation:
        raise ValueError("is not a decimal number") from None


def _float(value: str, _format: str | None) -> float:
    return float(value.strip())


def _text(value: str, _format: str | None) -> str:
    return value


def _binary(value: str, fmt: str | None) -> bytes:
    kind = (fmt or "ascii").lower()
    try:
        if kind == "hex":
            return binascii.unhexlify(value.strip())
        if kind == "base64":
            return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"is not {kind}") from None
    if kind != "ascii":
        raise ValueError(f"has format '{fmt}'; binary values take ascii, hex or base64")
    return value.encode("utf-8")


def _epoch_ms(value: str) -> datetime.datetime | None:
    text = value.strip()
    if text.lstrip("-").isdigit():
        return datetime.datetime.fromtimestamp(int(text) / 1000, tz=datetime.UTC)
    return None


def _timestamp(value: str, fmt: str | None) -> datetime.datetime:
    moment = _epoch_ms(value)
    if moment is not None:
        return moment
    if fmt and fmt.upper() not in ("ISO_LOCAL_DATE_TIME", "ISO_OFFSET_DATE_TIME", "ISO_INSTANT"):
        return datetime.datetime.strptime(value.strip(), _java_to_strftime(fmt))
    return datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def _date(value: str, fmt: str | None) -> datetime.date:
    moment = _epoch_ms(value)
    if moment is not None:
        return moment.date()
    if fmt and fmt.upper() != "ISO_LOCAL_DATE":
        return datetime.datetime.strptime(value.strip(), _java_to_strftime(fmt)).date()
    return datetime.date.fromisoformat(value.strip())


def _time(value: str, fmt: str | None) -> datetime.time:
    moment = _epoch_ms(value)
    if moment is not None:
        return moment.time()
    if fmt and fmt.upper() != "ISO_LOCAL_TIME":
        return datetime.datetime.strptime(value.strip(), _java_to_strftime(fmt)).time()
    return datetime.time.fromisoformat(value.strip())


_JAVA_PATTERN = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"),
                 ("SSS", "%f"), ("yy", "%y")]


def _java_to_strftime(pattern: str) -> str:
    """The common subset of Java's DateTimeFormatter patterns (yyyy MM dd HH mm ss SSS)."""
    for java, python in _JAVA_PATTERN:
        pattern = pattern.replace(java, python)
    return pattern.replace("'T'", "T")


#: JDBC type numbers (java.sql.Types) and how their values are parsed.
CONVERTERS: dict[int, tuple[str, Callable[[str, str | None], Any]]] = {
    -7: ("BIT", _boolean), 16: ("BOOLEAN", _boolean),
    -6: ("TINYINT", _integer), 5: ("SMALLINT", _integer), 4: ("INTEGER", _integer), -5: ("BIGINT", _integer),
    2: ("NUMERIC", _decimal), 3: ("DECIMAL", _decimal),
    6: ("FLOAT", _float), 7: ("REAL", _float), 8: ("DOUBLE", _float),
    1: ("CHAR", _text), 12: ("VARCHAR", _text), -1: ("LONGVARCHAR", _text), -15: ("NCHAR", _text),
    -9: ("NVARCHAR", _text), -16: ("LONGNVARCHAR", _text), 2005: ("CLOB", _text), 2011: ("NCLOB", _text),
    1111: ("OTHER", _text),
    -2: ("BINARY", _binary), -3: ("VARBINARY", _binary), -4: ("LONGVARBINARY", _binary), 2004: ("BLOB", _binary),
    91: ("DATE", _date), 92: ("TIME", _time), 93: ("TIMESTAMP", _timestamp),
}


def parameters(attributes: Mapping[str, str]) -> list[Any]:
    """The statement's parameters in order; a missing value is NULL. Raises SqlArgumentError."""
    indexes = sorted(int(match.group(1)) for key in attributes if (match := _ARG.match(key)))
    if indexes and indexes != list(range(1, len(indexes) + 1)):
        missing = sorted(set(range(1, indexes[-1] + 1)) - set(indexes))
        raise SqlArgumentError(f"sql.args.{missing[0]}.type is missing (parameters are numbered from 1 without gaps)")
    values: list[Any] = []
    for index in indexes:
        type_text = attributes[f"sql.args.{index}.type"]
        try:
            jdbc_type = int(type_text.strip())
            name, convert = CONVERTERS[jdbc_type]
        except (ValueError, KeyError):
            raise SqlArgumentError(f"sql.args.{index}.type '{type_text}' is not a JDBC type this build supports "
                                   f"({', '.join(f'{n}={k}' for k, (n, _) in sorted(CONVERTERS.items()))})") from None
        raw = attributes.get(f"sql.args.{index}.value")
        if raw is None:
            values.append(None)
            continue
        try:
            values.append(convert(raw, attributes.get(f"sql.args.{index}.format")))
        except ValueError as exc:
            reason = str(exc) if str(exc).startswith(("is ", "has ")) else f"is not a {name}: {exc}"
            raise SqlArgumentError(f"sql.args.{index}.value '{raw}' {reason}") from None
    return values
