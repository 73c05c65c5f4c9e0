"""A JsonPath (Jayway dialect) subset: children, indexes, slices, wildcards, ``..``, filters."""

from __future__ import annotations

import functools
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .values import java_double_str

Match = tuple[Any, Any, Any]  # (value, parent container or None for the root, key or index)


class PathError(ValueError):
    """An invalid JsonPath expression."""


class PathNotFound(LookupError):
    """A definite path that does not exist in the document."""


@dataclass(frozen=True)
class Step:
    kind: str  # "name", "index", "slice", "wild", "filter"
    keys: tuple[Any, ...] = ()
    recursive: bool = False
    predicate: Callable[[Any, Any], bool] | None = None


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]

    @property
    def definite(self) -> bool:
        return all(not s.recursive and s.kind in ("name", "index") and len(s.keys) == 1 for s in self.steps)


_NAME = re.compile(r"[^.\[\]()\s]+")


@functools.lru_cache(maxsize=512)
def compile_path(text: str) -> Path:
    text = text.strip()
    if not text.startswith("$"):
        raise PathError(f"JsonPath must start with '$': {text}")
    steps: list[Step] = []
    i = 1
    while i < len(text):
        recursive = text.startswith("..", i)
        if recursive or text[i] == ".":
            i += 2 if recursive else 1
            if i < len(text) and text[i] == "[":
                step, i = _bracket(text, i)
            elif text.startswith("*", i):
                step, i = Step("wild"), i + 1
            else:
                match = _NAME.match(text, i)
                if not match:
                    raise PathError(f"Path must not end with a '.' or '..': {text}")
                step, i = Step("name", (match.group(0),)), match.end()
            steps.append(Step(step.kind, step.keys, recursive, step.predicate))
        elif text[i] == "[":
            step, i = _bracket(text, i)
            steps.append(step)
        else:
            raise PathError(f"Unexpected '{text[i]}' at {i} in JsonPath {text}")
    return Path(tuple(steps))


def _bracket(text: str, i: int) -> tuple[Step, int]:
    close = _closing(text, i)
    body = text[i + 1:close].strip()
    if body == "*":
        return Step("wild"), close + 1
    if body.startswith("?"):
        inner = body[1:].strip()
        if not (inner.startswith("(") and inner.endswith(")")):
            raise PathError(f"Filter must be ?(...): {body}")
        return Step("filter", predicate=_Filter(inner[1:-1]).parse()), close + 1
    if body[:1] in "'\"":
        names = tuple(_literal(part.strip()) for part in _split_top(body))
        return Step("name", names), close + 1
    if ":" in body:
        parts = [p.strip() for p in body.split(":")]
        values = tuple(int(p) if p else None for p in parts) + (None,) * (3 - len(parts))
        return Step("slice", values[:3]), close + 1
    try:
        return Step("index", tuple(int(p) for p in body.split(","))), close + 1
    except ValueError as exc:
        raise PathError(f"Invalid index '[{body}]'") from exc


def _closing(text: str, i: int) -> int:
    depth = 0
    quote = ""
    for j in range(i, len(text)):
        ch = text[j]
        if quote:
            if ch == quote and text[j - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    raise PathError(f"Unclosed '[' in JsonPath {text}")


def _split_top(body: str) -> list[str]:
    parts, quote, start = [], "", 0
    for j, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            parts.append(body[start:j])
            start = j + 1
    parts.append(body[start:])
    return parts


def _literal(token: str) -> str:
    if len(token) < 2 or token[0] != token[-1] or token[0] not in "'\"":
        raise PathError(f"Invalid quoted name {token}")
    return token[1:-1].replace("\\'", "'").replace('\\"', '"')


# ---- filters ----------------------------------------------------------------------------

_FILTER_TOKEN = re.compile(r"""\s*(?:(?P<op>==|!=|<=|>=|=~|<|>|&&|\|\||!|\(|\))|(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<path>[@$][^\s=!<>&|()]*(?:\[[^\]]*\][^\s=!<>&|()]*)*)
    |(?P<word>true|false|null))""", re.VERBOSE)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
Predicate = Callable[[Any, Any], bool]
_MISSING = object()


class _Filter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _FILTER_TOKEN.match(text, position)
            if not match or match.end() == position:
                raise PathError(f"Invalid filter expression: {text}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind).strip()))
            position = match.end()
        self.index = 0

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.index != len(self.tokens):
            raise PathError(f"Invalid filter expression: {self.text}")
        return predicate

    def _peek(self) -> str:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else ""

    def _or(self) -> Predicate:
        left = self._and()
        while self._peek() == "||":
            self.index += 1
            left = _either(left, self._and())
        return left

    def _and(self) -> Predicate:
        left = self._unary()
        while self._peek() == "&&":
            self.index += 1
            left = _both(left, self._unary())
        return left

    def _unary(self) -> Predicate:
        if self._peek() == "!":
            self.index += 1
            inner = self._unary()
            return lambda item, root: not inner(item, root)
        if self._peek() == "(":
            self.index += 1
            inner = self._or()
            if self._peek() != ")":
                raise PathError(f"Unbalanced parentheses in filter: {self.text}")
            self.index += 1
            return inner
        left = self._operand()
        op = self._peek()
        if op in _COMPARE or op == "=~":
            self.index += 1
            if op == "=~":
                kind, regex = self.tokens[self.index]
                self.index += 1
                flags = re.IGNORECASE if regex.endswith("i") else 0
                pattern = re.compile(regex[1:regex.rindex("/")], flags)
                return lambda item, root: isinstance(v := left(item, root), str) and bool(pattern.fullmatch(v))
            right = self._operand()
            compare = _COMPARE[op]
            return lambda item, root: _safe(compare, left(item, root), right(item, root))
        return lambda item, root: left(item, root) is not _MISSING

    def _operand(self) -> Callable[[Any, Any], Any]:
        if self.index >= len(self.tokens):
            raise PathError(f"Incomplete filter expression: {self.text}")
        kind, value = self.tokens[self.index]
        self.index += 1
        if kind == "path":
            path = compile_path("$" + value[1:])
            relative = value.startswith("@")
            return lambda item, root: _single(path, item if relative else root)
        if kind == "str":
            constant: Any = _literal(value)
        elif kind == "num":
            constant = float(value) if any(c in value for c in ".eE") else int(value)
        elif kind == "word":
            constant = {"true": True, "false": False, "null": None}[value]
        else:
            raise PathError(f"Unexpected '{value}' in filter: {self.text}")
        return lambda item, root: constant


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda item, root: first(item, root) or second(item, root)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda item, root: first(item, root) and second(item, root)


def _safe(compare: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return False
    try:
        return bool(compare(left, right))
    except TypeError:
        return False


def _single(path: Path, document: Any) -> Any:
    found = select(path, document)
    return found[0][0] if found else _MISSING


# ---- evaluation -------------------------------------------------------------------------


def _children(value: Any) -> list[Match]:
    if isinstance(value, dict):
        return [(v, value, k) for k, v in value.items()]
    if isinstance(value, list):
        return [(v, value, i) for i, v in enumerate(value)]
    return []


def _descendants(match: Match) -> list[Match]:
    found = [match]
    for child in _children(match[0]):
        found.extend(_descendants(child))
    return found


def _apply(step: Step, match: Match, root: Any) -> list[Match]:
    value = match[0]
    if step.kind == "name":
        return [(value[k], value, k) for k in step.keys if isinstance(value, dict) and k in value]
    if step.kind == "index":
        if not isinstance(value, list):
            return []
        return [(value[i], value, i % len(value)) for i in step.keys if -len(value) <= i < len(value)]
    if step.kind == "slice":
        if not isinstance(value, list):
            return []
        indexes = range(len(value))[slice(*step.keys)]
        return [(value[i], value, i) for i in indexes]
    if step.kind == "wild":
        return _children(value)
    assert step.predicate is not None
    predicate = step.predicate
    return [child for child in _children(value) if predicate(child[0], root)]


def select(path: Path, document: Any) -> list[Match]:
    matches: list[Match] = [(document, None, None)]
    for step in path.steps:
        following: list[Match] = []
        for match in matches:
            sources = _descendants(match) if step.recursive else [match]
            for source in sources:
                following.extend(_apply(step, source, document))
        matches = following
    return matches


def read(path: Path, document: Any) -> Any:
    """Jayway ``read``: the value of a definite path, or the list of matches."""
    found = select(path, document)
    if path.definite:
        if not found:
            raise PathNotFound(f"No results for path: {path}")
        return found[0][0]
    return [m[0] for m in found]


# ---- JSON text, with numbers written the way Java writes them ------------------------------


def loads(text: str) -> Any:
    return json.loads(text)


def dumps(value: Any) -> str:
    if isinstance(value, float):
        return java_double_str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def scalar_text(value: Any) -> str:
    """NiFi's representation of a jsonPath result."""
    if value is None:
        return ""
    if isinstance(value, list) and len(value) == 1:
        return scalar_text(value[0])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double_str(value)
    if isinstance(value, (int, str)):
        return str(value)
    return dumps(value)
