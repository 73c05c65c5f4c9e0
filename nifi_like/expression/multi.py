"""Multi-attribute subjects (anyAttribute, allMatchingAttributes, ...) and count()/join()."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import coerce
from .registry import Site, function, need, values_of
from .values import Env, Kind, Typed

if TYPE_CHECKING:
    from .parser import Collector

Values = Callable[[Mapping[str, str], Env], list[Any]]

MULTI_FUNCTIONS = frozenset({"anyAttribute", "allAttributes", "anyMatchingAttribute",
                             "allMatchingAttributes", "anyDelineatedValue", "allDelineatedValues"})


def java_split(value: str, delimiter: str) -> list[str]:
    """Java ``String.split`` on a literal delimiter: trailing empty strings are dropped."""
    if value == "":
        return [""]
    parts = value.split(delimiter) if delimiter else list(value)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _values(name: str, args: list[Typed], site: Site, collector: Collector) -> Values:
    strings = [coerce.to_string(arg) for arg in args]
    if name in ("anyAttribute", "allAttributes"):
        if all(s.is_const for s in strings):
            for s in strings:
                collector.attribute(s.const)
        else:
            collector.attribute(None)
        names = values_of(strings)
        return lambda a, e: [a.get(n) if n is not None else None for n in names(a, e)]
    if name in ("anyMatchingAttribute", "allMatchingAttributes"):
        collector.attribute(None)
        if all(s.is_const for s in strings):
            patterns = [re.compile(s.const) for s in strings]
            return lambda a, e: [v for k, v in a.items() if any(p.fullmatch(k) for p in patterns)]
        regexes = values_of(strings)

        def matching(a: Mapping[str, str], e: Env) -> list[Any]:
            compiled = [re.compile(r) for r in regexes(a, e) if r is not None]
            return [v for k, v in a.items() if any(p.fullmatch(k) for p in compiled)]

        return matching
    if len(strings) != 2:
        raise site.error(f"Function '{name}' takes 2 arguments (a value and a delimiter)")
    value_fn, delimiter_fn = strings[0].fn, strings[1].fn

    def delineated(a: Mapping[str, str], e: Env) -> list[Any]:
        value, delimiter = value_fn(a, e), delimiter_fn(a, e)
        return [] if value is None else java_split(value, delimiter or "")

    return delineated


def build_multi(name: str, args: list[Typed], chain: Typed, site: Site, collector: Collector) -> Typed:
    if not args:
        raise site.error(f"Function '{name}' takes at least 1 argument")
    values = _values(name, args, site, collector)
    if chain.reducing:
        per_value, reduce = chain.notes["reduce"]
        return Typed(_reduced(values, per_value, reduce), chain.kind)
    if chain.kind is not Kind.BOOLEAN:
        raise site.error(f"'{name}' refers to several values, so the expression must end in a Boolean "
                         f"function or in count() or join(), not in a {chain.kind.value}")
    per_value_fn = chain.fn
    wanted = name.startswith("any")

    def quantified(a: Mapping[str, str], e: Env) -> bool:
        saved = e.current
        try:
            for value in values(a, e):
                e.current = value
                if bool(per_value_fn(a, e)) is wanted:
                    return wanted
            return not wanted
        finally:
            e.current = saved

    return Typed(quantified, Kind.BOOLEAN)


def _reduced(values: Values, per_value: Callable[..., Any], reduce: Callable[..., Any]) -> Callable[..., Any]:
    def run(a: Mapping[str, str], e: Env) -> Any:
        saved = e.current
        results = []
        try:
            for value in values(a, e):
                e.current = value
                results.append(per_value(a, e))
        finally:
            e.current = saved
        return reduce(a, e, results)

    return run


def _reducer(subject: Typed, kind: Kind, reduce: Callable[..., Any]) -> Typed:
    fn = subject.fn
    node = Typed(lambda a, e: reduce(a, e, [fn(a, e)]), kind)
    node.notes["reduce"] = (fn, reduce)
    return node


def _count(a: Mapping[str, str], e: Env, results: list[Any]) -> int:
    return sum(1 for r in results if r is not None and r is not False)


@function("count", 0, reducing=True)
def _count_fn(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _reducer(need(subject), Kind.WHOLE, _count)


@function("join", 1, reducing=True)
def _join_fn(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    text = coerce.to_string(need(subject))
    separator_fn = coerce.to_string(args[0]).fn

    def join(a: Mapping[str, str], e: Env, results: list[Any]) -> str:
        separator = separator_fn(a, e) or ""
        return separator.join("" if r is None else r for r in results)

    return _reducer(text, Kind.STRING, join)
