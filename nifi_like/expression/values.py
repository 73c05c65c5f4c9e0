"""Typed compiled nodes and the Java value semantics NiFi's Expression Language prints.

A compiled node is a closure ``fn(attributes, env)`` plus the static result type that
NiFi's compiler would give it. Values at run time are plain Python objects:
STRING -> str, BOOLEAN -> bool, WHOLE -> int (a Java long), DECIMAL -> float (a Java
double), NUMBER -> int or float, DATE -> int (epoch milliseconds, a java.util.Date),
INSTANT -> int (epoch nanoseconds, a java.time.Instant); ``None`` is NiFi's null.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class Kind(enum.Enum):
    STRING = "String"
    BOOLEAN = "Boolean"
    WHOLE = "Whole Number"
    DECIMAL = "Decimal"
    NUMBER = "Number"
    DATE = "Date"
    INSTANT = "Instant"


class Env:
    """Per-evaluation context: parameters, state, and the value a multi-attribute loop is on."""

    __slots__ = ("current", "parameters", "state")

    def __init__(self, parameters: Mapping[str, str] | None, state: Mapping[str, str] | None) -> None:
        self.parameters = parameters
        self.state = state
        self.current: Any = None


Fn = Callable[[Mapping[str, str], Env], Any]

NO_CONST: Any = object()


@dataclass(slots=True)
class Typed:
    """A compiled node: its closure, static type, and constant value when it has one."""

    fn: Fn
    kind: Kind
    const: Any = NO_CONST
    reducing: bool = False  # count() / join(): must end an expression
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def is_const(self) -> bool:
        return self.const is not NO_CONST


def constant(value: Any, kind: Kind) -> Typed:
    return Typed(lambda a, e: value, kind, value)


# ---- Java long and double ----------------------------------------------------------

LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1


def wrap_long(value: int) -> int:
    """Two's-complement 64-bit wrap-around, as Java long arithmetic overflows."""
    if LONG_MIN <= value <= LONG_MAX:
        return value
    return ((value + 2**63) % 2**64) - 2**63


def double_to_long(value: float) -> int:
    """Java's ``(long) d``: truncation, saturating, NaN -> 0."""
    if value != value:
        return 0
    if value >= 9.223372036854775807e18:
        return LONG_MAX
    if value <= -9.223372036854775808e18:
        return LONG_MIN
    return int(value)


def java_double_str(value: float) -> str:
    """Java's ``Double.toString`` (shortest repr digits, Java's layout rules)."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    shortest = repr(magnitude)
    if len(Decimal(shortest).normalize().as_tuple().digits) == 1:
        # Java picks the decimal closest to the value among those of 1 or 2 digits.
        two_digits = f"{magnitude:.1e}"
        if float(two_digits) == magnitude:
            shortest = two_digits
    _, digit_tuple, exponent = Decimal(shortest).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    # value = 0.<digits> * 10**point
    point = len("".join(map(str, digit_tuple))) + exponent
    if 1e-3 <= magnitude < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def number_str(value: int | float) -> str:
    if isinstance(value, float):
        return java_double_str(value)
    return str(value)


# ---- NiFi's number parsing (NumberParsing) ---------------------------------------

_WHOLE_RE = re.compile(r"[-+]?(?:\d+|0[xX][0-9a-fA-F]+)")
_DOUBLE_RE = re.compile(
    r"[-+]?(?:Infinity|NaN|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|[-+]?0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][-+]?\d+"
)


def _decode_long(text: str) -> int:
    """Java ``Long.valueOf`` falling back to ``Long.decode`` (hex)."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    value = sign * (int(body[2:], 16) if body[:2] in ("0x", "0X") else int(body, 10))
    if not LONG_MIN <= value <= LONG_MAX:
        raise ValueError(f"'{text}' is out of the range of a Java long")
    return value


def _parse_double(text: str) -> float:
    body = text.lstrip("+-")
    negative = text.startswith("-")
    if body[:2] in ("0x", "0X"):
        result = float.fromhex(body)
    elif body == "Infinity":
        result = math.inf
    else:
        result = float(body)
    return -result if negative else result


def parse_number(text: str) -> int | float | None:
    """A whole number (int) when the text is one, a decimal (float), or None."""
    trimmed = java_trim(text)
    if _WHOLE_RE.fullmatch(trimmed):
        return _decode_long(trimmed)
    if _DOUBLE_RE.fullmatch(trimmed):
        return _parse_double(trimmed)
    return None


def parse_whole(text: str) -> int | None:
    number = parse_number(text)
    if isinstance(number, float):
        return double_to_long(number)
    return number


def parse_decimal(text: str) -> float | None:
    number = parse_number(text)
    return None if number is None else float(number)


_JAVA_WHITESPACE = "".join(chr(i) for i in range(33))


def java_trim(text: str) -> str:
    """Java ``String.trim``: strips characters up to U+0020 only."""
    return text.strip(_JAVA_WHITESPACE)


def parse_boolean(text: str) -> bool:
    """Java ``Boolean.valueOf`` of the trimmed text."""
    return java_trim(text).lower() == "true"
