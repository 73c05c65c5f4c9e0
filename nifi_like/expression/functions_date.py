"""Dates: format, toDate, now, formatInstant, toInstant, toMicros, toNanos."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from . import coerce, dateparse, javatime
from .registry import Site, function, need
from .values import Env, Kind, Typed


def _zone_fn(args: list[Typed], index: int) -> Callable[[Mapping[str, str], Env], tzinfo]:
    """The time zone argument at ``index`` (default: the local zone); constants resolved now."""
    if len(args) <= index:
        return lambda a, e: javatime.default_zone()
    node = coerce.to_string(args[index])
    if node.is_const:
        resolved = javatime.zone(node.const) if node.const else javatime.default_zone()
        return lambda a, e: resolved
    fn = node.fn

    def zone(a: Mapping[str, str], e: Env) -> tzinfo:
        name = fn(a, e)
        return javatime.zone(name) if name else javatime.default_zone()

    return zone


def _pattern_fn(arg: Typed) -> Callable[[Mapping[str, str], Env], Any]:
    # Like NiFi, a bad pattern fails when evaluated, not when compiled.
    return coerce.to_string(arg).fn


def _formatter(subject: Typed, args: list[Typed], site: Site, to_nanos: Callable[[int], int]) -> Typed:
    fn = subject.fn
    pattern_fn = _pattern_fn(args[0])
    zone_fn = _zone_fn(args, 1)

    def format_date(a: Mapping[str, str], e: Env) -> str | None:
        value = fn(a, e)
        if value is None:
            return None
        pattern = pattern_fn(a, e)
        try:
            return javatime.format_nanos(to_nanos(value), pattern or "", zone_fn(a, e))
        except ValueError as exc:
            raise site.fail(str(exc)) from exc

    return Typed(format_date, Kind.STRING)


@function("format", 1, 2)
def _format(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _formatter(coerce.to_date(need(subject)), args, site, lambda millis: millis * 1_000_000)


@function("formatInstant", 1, 2)
def _format_instant(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _formatter(coerce.to_instant(need(subject)), args, site, lambda nanos: nanos)


def _parser(subject: Typed, args: list[Typed], site: Site, kind: Kind, scale: int) -> Typed:
    fn = coerce.to_string(subject).fn
    pattern_fn = _pattern_fn(args[0])
    zone_fn = _zone_fn(args, 1)

    def parse(a: Mapping[str, str], e: Env) -> int | None:
        value = fn(a, e)
        if value is None:
            return None
        pattern = pattern_fn(a, e) or ""
        try:
            return dateparse.parse_to_nanos(value, pattern, zone_fn(a, e)) // scale
        except ValueError as exc:
            raise site.fail(f"Cannot parse attribute value as a date; date format: {pattern}; "
                            f"attribute value: {value}") from exc

    return Typed(parse, kind)


@function("toDate", 0, 2)
def _to_date(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    # As NiFi: without a pattern (or with a non-text subject) the subject is epoch millis, so
    # text that is not a number gives null; format() is what converts text implicitly.
    node = need(subject)
    if not args or node.kind is not Kind.STRING:
        return coerce.to_date(coerce.to_whole(node))
    return _parser(node, args, site, Kind.DATE, 1_000_000)


@function("toInstant", 0, 2)
def _to_instant(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    if not args:
        return coerce.to_instant(need(subject))
    return _parser(need(subject), args, site, Kind.INSTANT, 1)


def _epoch(name: str, divisor: int) -> None:
    @function(name)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_instant(need(subject)).fn

        def epoch(a: Mapping[str, str], e: Env) -> int | None:
            value = fn(a, e)
            return None if value is None else value // divisor

        return Typed(epoch, Kind.WHOLE)


_epoch("toMicros", 1_000)
_epoch("toNanos", 1)


@function("now", subjectless=True)
def _now(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return Typed(lambda a, e: time.time_ns() // 1_000_000, Kind.DATE)
