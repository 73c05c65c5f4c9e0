"""Boolean logic: isNull, notNull, isEmpty, equals, gt/ge/lt/le, and, or, not, ifElse."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce, javatime
from .registry import Site, function, need
from .values import Env, Kind, Typed, java_double_str, java_trim, number_str


@function("isNull")
def _is_null(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = need(subject).fn
    return Typed(lambda a, e: fn(a, e) is None, Kind.BOOLEAN)


@function("notNull")
def _not_null(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = need(subject).fn
    return Typed(lambda a, e: fn(a, e) is not None, Kind.BOOLEAN)


@function("isEmpty")
def _is_empty(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn

    def is_empty(a: Mapping[str, str], e: Env) -> bool:
        value = fn(a, e)
        return value is None or not java_trim(value)

    return Typed(is_empty, Kind.BOOLEAN)


_NORMALIZE: dict[Kind, Callable[[Any], str]] = {
    Kind.STRING: str,
    Kind.BOOLEAN: lambda v: "true" if v else "false",
    Kind.WHOLE: str,
    Kind.DECIMAL: java_double_str,
    Kind.NUMBER: number_str,
    Kind.DATE: str,  # a Date compares as its epoch milliseconds
    Kind.INSTANT: javatime.instant_to_string,
}


@function("equals", 1)
def _equals(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    left, right = need(subject), args[0]
    left_fn, right_fn = left.fn, right.fn
    # Java's Double.equals (NaN equals NaN, 0.0 differs from -0.0) is equality of the printed
    # form, so only the other kinds compare values directly.
    if left.kind is right.kind and left.kind not in (Kind.DECIMAL, Kind.NUMBER):
        if right.is_const:
            constant_value = right.const

            def equals_const(a: Mapping[str, str], e: Env) -> bool:
                value = left_fn(a, e)
                return value is not None and value == constant_value

            return Typed(equals_const, Kind.BOOLEAN)

        def same(a: Mapping[str, str], e: Env) -> bool:
            value, other = left_fn(a, e), right_fn(a, e)
            return value is not None and other is not None and value == other

        return Typed(same, Kind.BOOLEAN)
    norm_left, norm_right = _NORMALIZE[left.kind], _NORMALIZE[right.kind]

    def normalized(a: Mapping[str, str], e: Env) -> bool:
        value, other = left_fn(a, e), right_fn(a, e)
        return value is not None and other is not None and norm_left(value) == norm_right(other)

    return Typed(normalized, Kind.BOOLEAN)


@function("equalsIgnoreCase", 1)
def _equals_ignore_case(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    left_fn = coerce.to_string(need(subject)).fn
    right_fn = coerce.to_string(args[0]).fn

    def equals(a: Mapping[str, str], e: Env) -> bool:
        value, other = left_fn(a, e), right_fn(a, e)
        return value is not None and other is not None and value.casefold() == other.casefold()

    return Typed(equals, Kind.BOOLEAN)


def _comparison(name: str, compare: Callable[[Any, Any], bool]) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        left_fn = coerce.to_number(need(subject)).fn
        right_fn = coerce.to_number(args[0]).fn

        def run(a: Mapping[str, str], e: Env) -> bool:
            value = left_fn(a, e)
            if value is None:
                return False
            other = right_fn(a, e)
            return other is not None and compare(value, other)

        return Typed(run, Kind.BOOLEAN)


for _name, _op in (("gt", operator.gt), ("ge", operator.ge), ("lt", operator.lt), ("le", operator.le)):
    _comparison(_name, _op)


@function("and", 1)
def _and(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    left_fn = coerce.to_boolean(need(subject)).fn
    right_fn = coerce.to_boolean(args[0]).fn
    return Typed(lambda a, e: bool(left_fn(a, e)) and bool(right_fn(a, e)), Kind.BOOLEAN)


@function("or", 1)
def _or(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    left_fn = coerce.to_boolean(need(subject)).fn
    right_fn = coerce.to_boolean(args[0]).fn
    return Typed(lambda a, e: bool(left_fn(a, e)) or bool(right_fn(a, e)), Kind.BOOLEAN)


@function("not")
def _not(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_boolean(need(subject)).fn

    def negate(a: Mapping[str, str], e: Env) -> bool | None:
        value = fn(a, e)
        return None if value is None else not value

    return Typed(negate, Kind.BOOLEAN)


@function("ifElse", 2)
def _if_else(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    condition = coerce.to_boolean(need(subject)).fn
    when_true, when_false = (coerce.to_string(a).fn for a in args)
    return Typed(lambda a, e: when_true(a, e) if condition(a, e) else when_false(a, e), Kind.STRING)
