"""Mathematical functions with Java long/double semantics, and toNumber/toDecimal."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

from . import coerce
from .errors import EvaluationFailure
from .registry import Site, function, need
from .values import LONG_MAX, Env, Kind, Typed, wrap_long

_RNG = random.SystemRandom()
Number = int | float


def _java_divide(x: int, y: int) -> int:
    if y == 0:
        raise EvaluationFailure("/ by zero")
    quotient = abs(x) // abs(y)
    return wrap_long(quotient if (x < 0) == (y < 0) else -quotient)


def _java_mod(x: int, y: int) -> int:
    if y == 0:
        raise EvaluationFailure("/ by zero")
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


def _double_divide(x: float, y: float) -> float:
    if y == 0.0:
        if x != x or x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _double_mod(x: float, y: float) -> float:
    if y == 0.0 or math.isinf(x) or x != x or y != y:
        return math.nan
    return math.fmod(x, y)


_OPERATIONS: dict[str, tuple[Callable[[int, int], int], Callable[[float, float], float]]] = {
    "plus": (lambda x, y: wrap_long(x + y), lambda x, y: x + y),
    "minus": (lambda x, y: wrap_long(x - y), lambda x, y: x - y),
    "multiply": (lambda x, y: wrap_long(x * y), lambda x, y: x * y),
    "divide": (_java_divide, _double_divide),
    "mod": (_java_mod, _double_mod),
}


def _arithmetic(name: str) -> None:
    long_op, double_op = _OPERATIONS[name]

    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        left, right = coerce.to_number(need(subject)), coerce.to_number(args[0])
        kinds = {left.kind, right.kind}
        kind = Kind.WHOLE if kinds == {Kind.WHOLE} else Kind.DECIMAL if Kind.DECIMAL in kinds else Kind.NUMBER
        left_fn, right_fn = left.fn, right.fn

        def run(a: Mapping[str, str], e: Env) -> Number | None:
            x = left_fn(a, e)
            if x is None:
                return None
            y = right_fn(a, e)
            if y is None:
                return None
            try:
                if type(x) is int and type(y) is int:
                    return long_op(x, y)
                return double_op(float(x), float(y))
            except EvaluationFailure as exc:
                raise site.fail(exc.reason) from exc

        return Typed(run, kind)


for _name in _OPERATIONS:
    _arithmetic(_name)


@function("toNumber")
def _to_number(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return coerce.to_whole(need(subject))


@function("toDecimal")
def _to_decimal(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return coerce.to_decimal(need(subject))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def long_to_string(value: int, radix: int) -> str:
    """Java ``Long.toString(value, radix)``."""
    if value == 0:
        return "0"
    digits = []
    magnitude = abs(value)
    while magnitude:
        magnitude, digit = divmod(magnitude, radix)
        digits.append(_DIGITS[digit])
    return ("-" if value < 0 else "") + "".join(reversed(digits))


def _radix(site: Site, radix: int | None) -> int:
    if radix is None or not 2 <= radix <= 36:
        raise site.fail(f"the radix must be between 2 and 36, not {radix}")
    return radix


@function("toRadix", 1, 2)
def _to_radix(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_whole(need(subject)).fn
    radix_fn = coerce.to_whole(args[0]).fn
    width_fn = coerce.to_whole(args[1]).fn if len(args) > 1 else (lambda a, e: 0)

    def to_radix(a: Mapping[str, str], e: Env) -> str | None:
        value = fn(a, e)
        if value is None:
            return None
        text = long_to_string(value, _radix(site, radix_fn(a, e)))
        return text.rjust(width_fn(a, e) or 0, "0")

    return Typed(to_radix, Kind.STRING)


@function("fromRadix", 1)
def _from_radix(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn
    radix_fn = coerce.to_whole(args[0]).fn

    def from_radix(a: Mapping[str, str], e: Env) -> int | None:
        value = fn(a, e)
        if value is None:
            return None
        radix = _radix(site, radix_fn(a, e))
        try:
            if not value or any(c in "_ \t" for c in value):
                raise ValueError(value)
            number = int(value, radix)
        except ValueError as exc:
            raise site.fail(f"'{value}' is not a number in radix {radix}") from exc
        if wrap_long(number) != number:
            raise site.fail(f"'{value}' does not fit in a Java long")
        return number

    return Typed(from_radix, Kind.WHOLE)


@function("random", subjectless=True)
def _random(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: _RNG.randint(0, LONG_MAX), Kind.WHOLE)
