"""The table of functions: name, arity, whether it takes a subject, and its builder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import EvaluationFailure, ExpressionError
from .lexer import Source
from .values import Env, Kind, Typed


@dataclass(frozen=True, slots=True)
class Site:
    """Where a function is called, for compile errors and evaluation failures."""

    name: str
    source: Source
    index: int  # index into source.src of the function name

    @property
    def position(self) -> int:
        return self.source.at(self.index)

    def error(self, reason: str) -> ExpressionError:
        return self.source.error(reason, self.index)

    def fail(self, reason: str) -> EvaluationFailure:
        return EvaluationFailure(f"{self.name}(): {reason}", self.position)


Builder = Callable[[Typed | None, list[Typed], Site], Typed]


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    build: Builder
    reducing: bool = False


FUNCTIONS: dict[str, Spec] = {}
SUBJECTLESS: dict[str, Spec] = {}


def function(name: str, min_args: int = 0, max_args: int | None = -1, *, subjectless: bool = False,
             reducing: bool = False) -> Callable[[Builder], Builder]:
    """Register a builder; ``max_args`` defaults to ``min_args``."""

    def register(build: Builder) -> Builder:
        spec = Spec(name, min_args, min_args if max_args == -1 else max_args, build, reducing)
        (SUBJECTLESS if subjectless else FUNCTIONS)[name] = spec
        return build

    return register


def need(subject: Typed | None) -> Typed:
    """The subject of a function that takes one (the parser guarantees it)."""
    assert subject is not None
    return subject


def unary(subject: Typed, kind: Kind, convert: Callable[[Any], Any], *, null: Any = None) -> Typed:
    """``convert(value)`` of a non-null subject value, ``null`` otherwise; constants folded."""
    fn = subject.fn

    def run(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        return null if value is None else convert(value)

    return Typed(run, kind)


def binary(subject: Typed, arg: Typed, kind: Kind, combine: Callable[[Any, Any], Any], *,
           null: Any = None) -> Typed:
    """``combine(subject, arg)`` when the subject is not null; a constant arg is captured."""
    fn = subject.fn
    if arg.is_const:
        constant_arg = arg.const

        def run_const(a: Mapping[str, str], e: Env) -> Any:
            value = fn(a, e)
            return null if value is None else combine(value, constant_arg)

        return Typed(run_const, kind)
    arg_fn = arg.fn

    def run(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        return null if value is None else combine(value, arg_fn(a, e))

    return Typed(run, kind)


def values_of(args: list[Typed]) -> Callable[[Mapping[str, str], Env], list[Any]]:
    fns = [arg.fn for arg in args]
    return lambda a, e: [f(a, e) for f in fns]
