"""``math(name[, arg])``: a java.lang.Math method chosen by name and argument types."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce
from .errors import EvaluationFailure
from .registry import Site, function, need
from .values import Env, Kind, Typed, double_to_long, wrap_long

_RNG = random.SystemRandom()


def _exact(value: int) -> int:
    if wrap_long(value) != value:
        raise ArithmeticError("long overflow")
    return value


def _to_int_exact(value: int) -> int:
    if not -(2**31) <= value < 2**31:
        raise ArithmeticError("integer overflow")
    return value


def _java_round(value: float) -> int:
    return 0 if value != value else double_to_long(math.floor(value + 0.5))


def _exponent(value: float) -> int:
    if value == 0.0 or math.isinf(value) or value != value:
        return 1024 if value != 0.0 else -1023
    return math.frexp(value)[1] - 1


def _floor_div(x: int, y: int) -> int:
    if y == 0:
        raise ArithmeticError("/ by zero")
    return wrap_long(x // y)


def _floor_mod(x: int, y: int) -> int:
    if y == 0:
        raise ArithmeticError("/ by zero")
    return x % y


def _methods(table: dict[str, Any]) -> list[tuple[str, Callable[..., Any]]]:
    return list(table.items())


_D = "double"
_L = "long"
_I = "int"
_METHODS: dict[tuple[str, tuple[str, ...]], Callable[..., Any]] = {
    ("random", ()): lambda: _RNG.random(),
    **{(n, (_D,)): f for n, f in _methods({
        "abs": abs, "acos": math.acos, "asin": math.asin, "atan": math.atan, "cbrt": math.cbrt,
        "ceil": lambda x: float(math.ceil(x)) if math.isfinite(x) else x, "cos": math.cos, "cosh": math.cosh,
        "exp": math.exp, "expm1": math.expm1,
        "floor": lambda x: float(math.floor(x)) if math.isfinite(x) else x, "getExponent": _exponent,
        "log": math.log, "log10": math.log10, "log1p": math.log1p, "nextDown": lambda x: math.nextafter(x, -math.inf),
        "nextUp": lambda x: math.nextafter(x, math.inf), "rint": lambda x: float(round(x)) if math.isfinite(x) else x,
        "round": _java_round, "signum": lambda x: x if x == 0.0 or x != x else math.copysign(1.0, x),
        "sin": math.sin, "sinh": math.sinh, "sqrt": math.sqrt, "tan": math.tan, "tanh": math.tanh,
        "toDegrees": math.degrees, "toRadians": math.radians, "ulp": math.ulp,
    })},
    **{(n, (_L,)): f for n, f in _methods({
        "abs": lambda x: wrap_long(abs(x)), "absExact": lambda x: _exact(abs(x)),
        "decrementExact": lambda x: _exact(x - 1), "incrementExact": lambda x: _exact(x + 1),
        "negateExact": lambda x: _exact(-x), "toIntExact": _to_int_exact,
    })},
    **{(n, (_D, _D)): f for n, f in _methods({
        "IEEEremainder": math.remainder, "atan2": math.atan2, "copySign": math.copysign, "hypot": math.hypot,
        "max": max, "min": min, "nextAfter": math.nextafter, "pow": math.pow,
    })},
    **{(n, (_L, _L)): f for n, f in _methods({
        "addExact": lambda x, y: _exact(x + y), "floorDiv": _floor_div, "floorMod": _floor_mod,
        "max": max, "min": min, "multiplyExact": lambda x, y: _exact(x * y),
        "multiplyHigh": lambda x, y: (x * y) >> 64, "subtractExact": lambda x, y: _exact(x - y),
    })},
    ("scalb", (_D, _I)): lambda x, n: math.ldexp(x, n),
    **{(n, (_L, _I)): f for n, f in _methods({
        "floorDiv": _floor_div, "floorMod": _floor_mod, "multiplyExact": lambda x, y: _exact(x * y),
    })},
}


def _call_double(name: str, method: Callable[..., Any], values: list[Any]) -> Any:
    try:
        return method(*values)
    except OverflowError:
        return math.inf
    except ValueError:
        if name in ("log", "log10") and values[0] == 0.0:
            return -math.inf
        if name == "log1p" and values[0] == -1.0:
            return -math.inf
        return math.nan


def _find_method(name: str, values: list[Any], site: Site) -> tuple[Callable[..., Any], tuple[str, ...]]:
    types = tuple(_D if isinstance(v, float) else _L for v in values)
    candidates = [types] + ([(types[0], _I)] if len(types) == 2 and types[1] == _L else [])
    for candidate in candidates:
        method = _METHODS.get((name, candidate))
        if method is not None:
            return method, candidate
    if not values:
        reason = f"no subjectless method was found with the name:'{name}'"
    elif len(values) == 1:
        reason = (f"no method was found matching the passed parameters: name:'{name}', "
                  f"one argument of type: '{types[0]}'")
    else:
        reason = (f"no method was found matching the passed parameters: name:'{name}', "
                  f"first argument type: '{types[0]}', second argument type:  '{types[1]}'")
    raise EvaluationFailure(f"Cannot evaluate 'math' function because {reason}", site.position)


def _math_node(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    name_fn = coerce.to_string(args[0]).fn
    operands = ([coerce.to_number(subject).fn] if subject is not None else []) + \
        [coerce.to_number(a).fn for a in args[1:]]

    def run(a: Mapping[str, str], e: Env) -> Any:
        name = name_fn(a, e) or ""
        values = [f(a, e) for f in operands]
        if any(v is None for v in values):
            return None
        method, types = _find_method(name, values, site)
        if _I in types and not -(2**31) <= values[1] < 2**31:
            raise site.fail(f"{values[1]} does not fit in a Java int")
        try:
            if _D in types:
                return _call_double(name, method, [float(v) if t == _D else v for v, t in zip(values, types,
                                                                                                strict=True)])
            return method(*values)
        except ArithmeticError as exc:
            raise site.fail(str(exc)) from exc

    return Typed(run, Kind.NUMBER)


@function("math", 1, 2)
def _math(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _math_node(need(subject), args, site)


@function("math", 1, subjectless=True)
def _math_subjectless(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _math_node(None, args, site)
