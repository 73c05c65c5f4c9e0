"""Compile-time choice of the conversion between static types (NiFi's cast evaluators)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import dateparse, javatime
from .errors import EvaluationFailure
from .values import (
    Env,
    Fn,
    Kind,
    Typed,
    double_to_long,
    java_double_str,
    number_str,
    parse_boolean,
    parse_decimal,
    parse_number,
    parse_whole,
)

NUMERIC = (Kind.WHOLE, Kind.DECIMAL, Kind.NUMBER)


class CoercionError(Exception):
    """The static types cannot be converted (reported as an ExpressionError)."""


def _map(node: Typed, kind: Kind, convert: Any) -> Typed:
    """A node applying ``convert`` to non-null values of ``node``; folds constants."""
    fn = node.fn
    if node.is_const:
        value = node.const
        try:
            folded = None if value is None else convert(value)
        except EvaluationFailure:
            pass  # reported when evaluated, as NiFi does
        else:
            return Typed(lambda a, e: folded, kind, folded)

    def mapped(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        return None if value is None else convert(value)

    return Typed(mapped, kind)


def _checked(convert: Any, what: str) -> Any:
    def run(value: Any) -> Any:
        try:
            return convert(value)
        except (ValueError, OverflowError) as exc:
            raise EvaluationFailure(f"Cannot convert '{value}' to {what}: {exc}") from exc

    return run


def _bool_str(value: bool) -> str:
    return "true" if value else "false"


def to_string(node: Typed) -> Typed:
    kind = node.kind
    if kind is Kind.STRING:
        return node
    if kind is Kind.BOOLEAN:
        return _map(node, Kind.STRING, _bool_str)
    if kind is Kind.WHOLE:
        return _map(node, Kind.STRING, str)
    if kind is Kind.DECIMAL:
        return _map(node, Kind.STRING, java_double_str)
    if kind is Kind.NUMBER:
        return _map(node, Kind.STRING, number_str)
    if kind is Kind.DATE:
        return _map(node, Kind.STRING, javatime.date_to_string)
    return _map(node, Kind.STRING, javatime.instant_to_string)


def to_number(node: Typed) -> Typed:
    """WHOLE and DECIMAL stay; text is parsed as whole if it is one, else decimal."""
    if node.kind in NUMERIC:
        return node
    if node.kind is Kind.STRING:
        return _map(node, Kind.NUMBER, _checked(parse_number, "a number"))
    if node.kind is Kind.DATE:
        return Typed(node.fn, Kind.WHOLE, node.const)
    if node.kind is Kind.INSTANT:
        return _map(node, Kind.WHOLE, lambda n: n // 1_000_000)
    raise CoercionError(f"Cannot convert a {node.kind.value} to a Number")


def to_whole(node: Typed) -> Typed:
    kind = node.kind
    if kind is Kind.WHOLE:
        return node
    if kind is Kind.STRING:
        return _map(node, Kind.WHOLE, _checked(parse_whole, "a whole number"))
    if kind in (Kind.DECIMAL, Kind.NUMBER):
        return _map(node, Kind.WHOLE, lambda v: v if isinstance(v, int) else double_to_long(v))
    if kind is Kind.DATE:
        return Typed(node.fn, Kind.WHOLE, node.const)
    if kind is Kind.INSTANT:
        return _map(node, Kind.WHOLE, lambda n: n // 1_000_000)
    raise CoercionError(f"Cannot convert a {kind.value} to a Whole Number")


def to_decimal(node: Typed) -> Typed:
    kind = node.kind
    if kind is Kind.DECIMAL:
        return node
    if kind is Kind.STRING:
        return _map(node, Kind.DECIMAL, _checked(parse_decimal, "a decimal"))
    if kind in (Kind.WHOLE, Kind.NUMBER, Kind.DATE):
        return _map(node, Kind.DECIMAL, float)
    if kind is Kind.INSTANT:
        return _map(node, Kind.DECIMAL, lambda n: float(n // 1_000_000))
    raise CoercionError(f"Cannot convert a {kind.value} to a Decimal")


def to_boolean(node: Typed) -> Typed:
    if node.kind is Kind.BOOLEAN:
        return node
    if node.kind is Kind.STRING:
        return _map(node, Kind.BOOLEAN, parse_boolean)
    raise CoercionError(f"Cannot convert a {node.kind.value} to a Boolean")


def _number_to_millis(value: int | float) -> int:
    return value if isinstance(value, int) else double_to_long(value)


def to_date(node: Typed) -> Typed:
    kind = node.kind
    if kind is Kind.DATE:
        return node
    if kind is Kind.STRING:
        return _map(node, Kind.DATE, _checked(dateparse.implicit_millis, "a Date"))
    if kind in NUMERIC:
        return _map(node, Kind.DATE, _number_to_millis)
    if kind is Kind.INSTANT:
        return _map(node, Kind.DATE, lambda n: n // 1_000_000)
    raise CoercionError(f"Cannot convert a {kind.value} to a Date")


def to_instant(node: Typed) -> Typed:
    kind = node.kind
    if kind is Kind.INSTANT:
        return node
    if kind is Kind.STRING:
        return _map(node, Kind.INSTANT, _checked(dateparse.implicit_nanos, "an Instant"))
    if kind in NUMERIC:
        return _map(node, Kind.INSTANT, lambda v: _number_to_millis(v) * 1_000_000)
    if kind is Kind.DATE:
        return _map(node, Kind.INSTANT, lambda m: m * 1_000_000)
    raise CoercionError(f"Cannot convert a {kind.value} to an Instant")


def to_object(node: Typed) -> Fn:
    """Values as NiFi hands them to JSON functions: dates become strings, the rest stay."""
    if node.kind in (Kind.DATE, Kind.INSTANT):
        return to_string(node).fn
    return node.fn
