"""String manipulation: toUpper ... getDelimitedField, padLeft, repeat, evaluateELString."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce, javaregex
from .registry import Site, binary, function, need, unary
from .values import Env, Kind, Typed, java_trim

_RNG = random.SystemRandom()


def _text(subject: Typed | None) -> Typed:
    return coerce.to_string(need(subject))


@function("toUpper")
def _to_upper(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return unary(_text(subject), Kind.STRING, str.upper)


@function("toLower")
def _to_lower(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return unary(_text(subject), Kind.STRING, str.lower)


@function("trim")
def _trim(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return unary(_text(subject), Kind.STRING, java_trim)


@function("toString")
def _to_string(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _text(subject)


@function("length")
def _length(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return unary(_text(subject), Kind.WHOLE, len, null=0)


@function("append", 1)
def _append(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    arg = coerce.to_string(args[0])
    if arg.is_const:
        suffix = arg.const or ""

        def append_const(a: Mapping[str, str], e: Env) -> str:
            return (fn(a, e) or "") + suffix

        return Typed(append_const, Kind.STRING)
    arg_fn = arg.fn

    def append(a: Mapping[str, str], e: Env) -> str:
        return (fn(a, e) or "") + (arg_fn(a, e) or "")

    return Typed(append, Kind.STRING)


@function("prepend", 1)
def _prepend(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    arg_fn = coerce.to_string(args[0]).fn

    def prepend(a: Mapping[str, str], e: Env) -> str:
        return (arg_fn(a, e) or "") + (fn(a, e) or "")

    return Typed(prepend, Kind.STRING)


def _substring(value: str, start: int, end: int | None) -> str:
    """Java ``substring``, except that out-of-range indexes give "" as NiFi does."""
    stop = len(value) if end is None else end
    if start < 0 or stop > len(value) or start > stop:
        return ""
    return value[start:stop]


@function("substring", 1, 2)
def _substring_fn(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    start = coerce.to_whole(args[0])
    end = coerce.to_whole(args[1]) if len(args) > 1 else None
    if start.is_const and (end is None or end.is_const):
        first, last = start.const, None if end is None else end.const

        def substring_const(a: Mapping[str, str], e: Env) -> Any:
            value = fn(a, e)
            if value is None:
                return ""
            return _substring(value, first, last)

        return Typed(substring_const, Kind.STRING)
    start_fn = start.fn
    end_fn = None if end is None else end.fn

    def substring(a: Mapping[str, str], e: Env) -> str:
        value = fn(a, e)
        if value is None:
            return ""
        first = start_fn(a, e)
        last = None if end_fn is None else end_fn(a, e)
        if first is None or (end_fn is not None and last is None):
            raise site.fail("the start and end must be numbers")
        return _substring(value, first, last)

    return Typed(substring, Kind.STRING)


def _before(value: str, search: str) -> str:
    index = value.find(search) if search else -1
    return value if index < 0 else value[:index]


def _before_last(value: str, search: str) -> str:
    index = value.rfind(search) if search else -1
    return value if index < 0 else value[:index]


def _after(value: str, search: str) -> str:
    index = value.find(search) if search else -1
    return value if index < 0 else value[index + len(search):]


def _after_last(value: str, search: str) -> str:
    index = value.rfind(search) if search else -1
    return value if index < 0 else value[index + len(search):]


def _substring_before_constant(text: Typed, search: str) -> Typed:
    """``substringBefore('.')`` starts many chains (file extensions); inlined, no helper call."""
    fn = text.fn

    def before(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        if value is None:
            return ""
        index = value.find(search)
        return value if index < 0 else value[:index]

    return Typed(before, Kind.STRING)


def _search_function(name: str, op: Callable[[str, str], str]) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        text, arg = _text(subject), coerce.to_string(args[0])
        if name == "substringBefore" and arg.is_const and arg.const:
            return _substring_before_constant(text, arg.const)
        if arg.is_const:
            search = arg.const or ""
            return unary(text, Kind.STRING, lambda v: op(v, search), null="")
        return binary(text, arg, Kind.STRING, lambda v, s: op(v, s or ""), null="")


for _name, _op in (("substringBefore", _before), ("substringBeforeLast", _before_last),
                   ("substringAfter", _after), ("substringAfterLast", _after_last)):
    _search_function(_name, _op)


@function("replace", 2)
def _replace(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    search_fn, replacement_fn = (coerce.to_string(a).fn for a in args)

    def replace(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        if value is None:
            return None
        return value.replace(search_fn(a, e) or "", replacement_fn(a, e) or "")

    return Typed(replace, Kind.STRING)


def _regex_replace(subject: Typed | None, args: list[Typed], site: Site, count: int) -> Typed:
    fn = _text(subject).fn
    regex, replacement = (coerce.to_string(a) for a in args)
    if regex.is_const:
        javaregex.compile_java(regex.const or "")  # a bad constant pattern fails at compile time
    regex_fn, replacement_fn = regex.fn, replacement.fn

    def replace(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        if value is None:
            return None
        try:
            pattern = javaregex.compile_java(regex_fn(a, e) or "")
            return javaregex.replace(pattern, replacement_fn(a, e) or "", value, count)
        except (re.error, ValueError, IndexError) as exc:
            raise site.fail(str(exc)) from exc

    return Typed(replace, Kind.STRING)


@function("replaceAll", 2)
def _replace_all(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _regex_replace(subject, args, site, 0)


@function("replaceFirst", 2)
def _replace_first(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _regex_replace(subject, args, site, 1)


@function("replaceNull", 1)
def _replace_null(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    other = coerce.to_string(args[0]).fn

    def replace_null(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        return other(a, e) if value is None else value

    return Typed(replace_null, Kind.STRING)


@function("replaceEmpty", 1)
def _replace_empty(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    other = coerce.to_string(args[0]).fn

    def replace_empty(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        return other(a, e) if value is None or not java_trim(value) else value

    return Typed(replace_empty, Kind.STRING)


def _padding(value: str, length: int | None, pad: str | None) -> str | None:
    """Commons-lang padding text, or None when the value is returned unchanged."""
    if pad is None or length is None or length < 0 or length > 2**31 - 1:
        return None
    pad = pad or " "
    missing = length - len(value)
    if missing <= 0:
        return None
    return (pad * (missing // len(pad) + 1))[:missing]


def _pad(subject: Typed | None, args: list[Typed], left: bool) -> Typed:
    fn = _text(subject).fn
    length_fn = coerce.to_whole(args[0]).fn
    pad_fn = coerce.to_string(args[1]).fn if len(args) > 1 else (lambda a, e: "_")

    def pad(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        if value is None:
            return None
        padding = _padding(value, length_fn(a, e), pad_fn(a, e))
        if padding is None:
            return value
        return padding + value if left else value + padding

    return Typed(pad, Kind.STRING)


@function("padLeft", 1, 2)
def _pad_left(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _pad(subject, args, True)


@function("padRight", 1, 2)
def _pad_right(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    return _pad(subject, args, False)


@function("repeat", 1, 2)
def _repeat(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    low_fn = coerce.to_whole(args[0]).fn
    high_fn = coerce.to_whole(args[1]).fn if len(args) > 1 else low_fn

    def repeat(a: Mapping[str, str], e: Env) -> Any:
        value = fn(a, e)
        if value is None:
            return None
        low, high = low_fn(a, e), high_fn(a, e)
        if low is None or high is None or low <= 0 or high <= 0:
            raise site.fail("the number of repeats must be a positive number")
        if high < low:
            raise site.fail(f"the maximum repeats ({high}) is less than the minimum ({low})")
        return value * (low if low == high else _RNG.randint(low, high))

    return Typed(repeat, Kind.STRING)


@function("evaluateELString")
def _evaluate_el_string(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn

    def evaluate(a: Mapping[str, str], e: Env) -> str | None:
        from .compiled import compile as compile_expression

        value = fn(a, e)
        if value is None:
            return None
        return compile_expression(value).evaluate(a, parameters=e.parameters, state=e.state)

    node = Typed(evaluate, Kind.STRING)
    node.notes["dynamic_attributes"] = True
    node.notes["needs_env"] = True
    return node


def delimited_field(value: str, index: int, delimiter: str, quote: str, escape: str, strip: bool) -> str:
    """Field ``index`` (1-based) of a delimited line, honouring quotes and escapes."""
    field: list[str] = []
    current = 1
    in_quote = escaped = False
    for ch in value:
        if escaped:
            escaped = False
            if current == index:
                field.append(ch)
            continue
        if ch == escape:
            escaped = True
            if current == index and not strip:
                field.append(ch)
            continue
        if ch == quote:
            in_quote = not in_quote
            if current == index and not strip:
                field.append(ch)
            continue
        if ch == delimiter and not in_quote:
            if current == index:
                break
            current += 1
            continue
        if current == index:
            field.append(ch)
    return "".join(field) if current == index else ""


@function("getDelimitedField", 1, 5)
def _get_delimited_field(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = _text(subject).fn
    index_fn = coerce.to_whole(args[0]).fn
    defaults: list[Any] = [",", '"', "\\", False]
    rest = [coerce.to_string(a).fn for a in args[1:4]]
    strip_fn = coerce.to_boolean(args[4]).fn if len(args) > 4 else None

    def get_field(a: Mapping[str, str], e: Env) -> str:
        value = fn(a, e)
        if not value:
            return ""
        index = index_fn(a, e)
        if index is None:
            raise site.fail("the index (which field to obtain) was not specified")
        if index < 1:
            return ""
        chars = [r(a, e) for r in rest] + defaults[len(rest):3]
        for what, char in zip(("delimiter", "quote character", "escape character"), chars, strict=True):
            if char is None or len(char) != 1:
                raise site.fail(f"the {what} must be a single character, not '{char}'")
        if len(set(chars)) != 3:
            raise site.fail("the delimiter, quote character and escape character must all differ")
        strip = bool(strip_fn(a, e)) if strip_fn is not None else False
        return delimited_field(value, index, chars[0], chars[1], chars[2], strip)

    return Typed(get_field, Kind.STRING)
