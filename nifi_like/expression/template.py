"""Finding ``${...}`` in text and NiFi's ``$$`` / ``##{`` escaping (Query.prepare)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    """Literal text (``end`` < 0) or an expression spanning ``text[start:end + 1]``."""

    literal: str
    start: int
    end: int = -1

    @property
    def is_expression(self) -> bool:
        return self.end >= 0


def _end_quote(value: str, quote_start: int) -> int:
    quote = value[quote_start]
    backslashes = 0
    last = ""
    for i in range(quote_start + 1, len(value)):
        ch = value[i]
        if ch == "\\":
            backslashes += 1
        elif ch == quote and (backslashes % 2 == 0 or last != "\\"):
            return i
        last = ch
    return -1


def expression_ranges(value: str) -> list[tuple[int, int]]:
    """Inclusive (start, end) of each top-level expression: NiFi's extractExpressionRanges."""
    ranges: list[tuple[int, int]] = []
    last = ""
    embedded = 0
    start = -1
    odd_dollars = False
    backslashes = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if start > -1 and ch in "'\"" and (last != "\\" or backslashes % 2 == 0):
            end_quote = _end_quote(value, i)
            if end_quote < 0:
                break
            i = end_quote + 1
            continue
        if ch == "{":
            if odd_dollars and last == "$" and embedded == 0:
                start = i - 1
            if start > -1:
                embedded += 1
        elif ch == "}":
            if embedded > 0:
                embedded -= 1
                if embedded == 0:
                    if start > -1:
                        ranges.append((start, i))
                    start = -1
        elif ch == "$":
            odd_dollars = not odd_dollars
        elif ch == "\\":
            backslashes += 1
        else:
            odd_dollars = False
        last = ch
        i += 1
    return ranges


_ESCAPED_DOLLARS = re.compile(r"\$\$(?=\$*\{.*?\})")


def unescape(value: str) -> str:
    """``$$`` before an (unevaluated) ``{...}`` becomes ``$`` (Query.unescape)."""
    return _ESCAPED_DOLLARS.sub("$", value)


def _unescape_leading(value: str) -> str:
    index = value.find("{")
    if index < 0:
        return value.replace("$$", "$")
    return value[:index].replace("$$", "$") + value[index:]


def unescape_trailing(value: str) -> str:
    """Halve the ``$`` run ending literal text that precedes a plain attribute reference."""
    if not value.endswith("$"):
        return value
    dollars = len(value) - len(value.rstrip("$"))
    if dollars == len(value):
        return value
    return value[: len(value) - dollars // 2]


def split(value: str, *, top_level: bool) -> list[Piece]:
    """Literal and expression pieces of ``value``; literal ``$$`` escapes already resolved.

    Text with no expression is returned whole: unescaped at the top level, verbatim inside a
    string literal (NiFi treats ``'SNAP$$'`` as the text ``SNAP$$``).
    """
    ranges = expression_ranges(value)
    if not ranges:
        return [Piece(unescape(value) if top_level else value, 0)]
    pieces: list[Piece] = []
    last = 0
    for start, end in ranges:
        if start > last:
            pieces.append(Piece(_unescape_leading(value[last:start]), last))
        pieces.append(Piece("", start, end))
        last = end + 1
    if last < len(value):
        pieces.append(Piece(_unescape_leading(value[last:]), last))
    return pieces


_PARAMETER = re.compile(r"(#+)\{([^{}]*)\}")
_PARAMETER_NAME = re.compile(r"[A-Za-z0-9 ._-]+")


class ParameterNameError(ValueError):
    """``#{...}`` holds characters a parameter name cannot have; ``offset`` is where."""

    def __init__(self, name: str, offset: int) -> None:
        super().__init__(f"Invalid parameter name '{name}': only letters, digits, spaces, '.', '-' and '_' "
                         f"are allowed")
        self.offset = offset


def split_parameters(text: str) -> list[tuple[str, bool]]:
    """Literal text as (text, False) and parameter references as (name, True).

    ``##{name}`` is the escaped text ``#{name}``; in general a run of k ``#`` before
    ``{name}`` leaves k // 2 ``#`` and is a reference when k is odd.
    """
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _PARAMETER.finditer(text):
        hashes = len(match.group(1))
        if hashes % 2 and not _PARAMETER_NAME.fullmatch(match.group(2)):
            raise ParameterNameError(match.group(2), match.start() + hashes - 1)
        if match.start() > last:
            parts.append((text[last: match.start()], False))
        prefix = "#" * (hashes // 2)
        if hashes % 2:
            if prefix:
                parts.append((prefix, False))
            parts.append((match.group(2), True))
        else:
            parts.append((prefix + "{" + match.group(2) + "}", False))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    merged: list[tuple[str, bool]] = []
    for part in parts:
        if merged and not part[1] and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + part[0], False)
        else:
            merged.append(part)
    return merged


def unclosed_expression(value: str) -> int:
    """Index of the first unescaped ``${`` outside every complete expression, or -1."""
    ranges = expression_ranges(value)
    for match in re.finditer(r"\$+\{", value):
        start = match.end() - 2
        dollars = match.end() - 1 - match.start()
        if dollars % 2 and not any(lo <= start <= hi for lo, hi in ranges):
            return start
    return -1
