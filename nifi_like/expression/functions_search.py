"""Searching: startsWith, endsWith, contains, in, find, matches, indexOf, lastIndexOf."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce, javaregex
from .registry import Site, function, need
from .values import Env, Kind, Typed


def _predicate(name: str, test: Callable[[str, str], bool]) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn
        arg = coerce.to_string(args[0])
        if arg.is_const and arg.const is not None:
            constant_arg = arg.const

            def run_const(a: Mapping[str, str], e: Env) -> bool:
                value = fn(a, e)
                return value is not None and test(value, constant_arg)

            return Typed(run_const, Kind.BOOLEAN)
        arg_fn = arg.fn

        def run(a: Mapping[str, str], e: Env) -> bool:
            value = fn(a, e)
            other = arg_fn(a, e)
            return value is not None and other is not None and test(value, other)

        return Typed(run, Kind.BOOLEAN)


_predicate("startsWith", str.startswith)
_predicate("endsWith", str.endswith)
_predicate("contains", lambda value, part: part in value)


def _regex_predicate(name: str, full: bool) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn
        arg = coerce.to_string(args[0])
        if arg.is_const and arg.const is not None:
            pattern = javaregex.compile_java(arg.const)
            search: Callable[[str], Any] = pattern.fullmatch if full else pattern.search

            def run_const(a: Mapping[str, str], e: Env) -> bool:
                value = fn(a, e)
                return value is not None and search(value) is not None

            return Typed(run_const, Kind.BOOLEAN)
        arg_fn = arg.fn

        def run(a: Mapping[str, str], e: Env) -> bool:
            value = fn(a, e)
            regex = arg_fn(a, e)
            if value is None or regex is None:
                return False
            try:
                compiled = javaregex.compile_java(regex)
            except re.error as exc:
                raise site.fail(f"invalid regular expression '{regex}': {exc}") from exc
            return (compiled.fullmatch(value) if full else compiled.search(value)) is not None

        return Typed(run, Kind.BOOLEAN)


_regex_predicate("matches", True)
_regex_predicate("find", False)


@function("in", 1, None)
def _in(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn
    strings = [coerce.to_string(a) for a in args]
    if all(s.is_const for s in strings):
        choices = frozenset(s.const for s in strings)

        def in_const(a: Mapping[str, str], e: Env) -> bool:
            value = fn(a, e)
            return value is not None and value in choices

        return Typed(in_const, Kind.BOOLEAN)
    fns = [s.fn for s in strings]

    def in_values(a: Mapping[str, str], e: Env) -> bool:
        value = fn(a, e)
        return value is not None and any(value == f(a, e) for f in fns)

    return Typed(in_values, Kind.BOOLEAN)


def _index(name: str, find: Callable[[str, str], int]) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn
        arg_fn = coerce.to_string(args[0]).fn

        def run(a: Mapping[str, str], e: Env) -> int:
            value = fn(a, e)
            part = arg_fn(a, e)
            return -1 if value is None or part is None else find(value, part)

        return Typed(run, Kind.WHOLE)


_index("indexOf", str.find)
_index("lastIndexOf", str.rfind)
