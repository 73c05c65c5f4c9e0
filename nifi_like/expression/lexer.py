"""Tokens inside ``${ ... }``, following NiFi's AttributeExpressionLexer.g."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ExpressionError


@dataclass(frozen=True, slots=True)
class Source:
    """The string being parsed and where each of its characters sits in the user's text."""

    text: str  # what the user wrote (errors point into it)
    src: str  # what is being lexed: ``text`` itself or the value of a string literal in it
    positions: tuple[int, ...] | None = None  # src index -> text index; None: identity

    def at(self, index: int) -> int:
        if self.positions is None:
            return index
        if index < len(self.positions):
            return self.positions[index]
        return self.positions[-1] + 1 if self.positions else 0

    def error(self, reason: str, index: int) -> ExpressionError:
        return ExpressionError(reason, self.text, self.at(index))


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # one of: $ { } ( ) : , NAME STRING WHOLE DECIMAL PARAM EOF
    value: str
    start: int
    end: int
    positions: tuple[int, ...] | None = None  # for STRING: value index -> src index


_NAME_STOP = frozenset("${}()[],:;/*' \t\r\n")
_PUNCT = frozenset("${}():,")
_WHITESPACE = frozenset(" \t\r\n")
_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|(\d+))")
_ESCAPES = {'"': '"', "'": "'", "r": "\r", "n": "\n", "t": "\t", "\\": "\\"}


def tokenize(source: Source, start: int = 0, stop: int | None = None) -> list[Token]:
    """Tokens of ``source.src[start:stop]``; whitespace and ``# comments`` are skipped."""
    src = source.src[:stop] if stop is not None else source.src
    tokens: list[Token] = []
    i = start
    length = len(src)
    while i < length:
        ch = src[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch == "#":
            if i + 1 < length and src[i + 1] == "{":
                i = _parameter(source, i, tokens)
            else:
                newline = src.find("\n", i)
                if newline < 0:
                    raise source.error("Comment is not ended by a new line", i)
                i = newline + 1
        elif ch in _PUNCT:
            tokens.append(Token(ch, ch, i, i + 1))
            i += 1
        elif ch in "'\"":
            i = _string(source, i, tokens)
        else:
            match = _NUMBER_RE.match(src, i) if _starts_number(src, i) else None
            if match:
                kind = "WHOLE" if match.group(1) is not None else "DECIMAL"
                tokens.append(Token(kind, match.group(0), i, match.end()))
                i = match.end()
            elif ch in _NAME_STOP:
                raise source.error(f"Unexpected character '{ch}'", i)
            else:
                end = i + 1
                while end < length and src[end] not in _NAME_STOP:
                    end += 1
                tokens.append(Token("NAME", src[i:end], i, end))
                i = end
    tokens.append(Token("EOF", "", length, length))
    return tokens


def _starts_number(src: str, i: int) -> bool:
    ch = src[i]
    if ch.isdigit() and ch.isascii():
        return True
    rest = src[i + 1: i + 3]
    if ch in "+-":
        return bool(rest) and (rest[0].isdigit() or (rest[:1] == "." and rest[1:2].isdigit()))
    return ch == "." and rest[:1].isdigit()


def _string(source: Source, i: int, tokens: list[Token]) -> int:
    src = source.src
    quote = src[i]
    chars: list[str] = []
    positions: list[int] = []
    j = i + 1
    while j < len(src):
        ch = src[j]
        if ch == quote:
            tokens.append(Token("STRING", "".join(chars), i, j + 1, tuple(positions)))
            return j + 1
        if ch == "\\" and j + 1 < len(src):
            nxt = src[j + 1]
            replacement = _ESCAPES.get(nxt, "\\" + nxt)
            chars.append(replacement)
            positions.extend([j] * len(replacement))
            j += 2
            continue
        if ch in "\r\n\t":
            raise source.error("String literals cannot hold a raw new line or tab; use \\n, \\r or \\t", j)
        chars.append(ch)
        positions.append(j)
        j += 1
    raise source.error("Unterminated string literal", i)


def _parameter(source: Source, i: int, tokens: list[Token]) -> int:
    """``#{name}``, ``#{'quoted name'}`` or ``#{"quoted name"}``."""
    src = source.src
    quote = src[i + 2: i + 3]
    if quote in ("'", '"'):
        close = src.find(quote, i + 3)
        if close < 0 or src[close + 1: close + 2] != "}":
            raise source.error("Quoted parameter name must be closed by a quote and '}'", i)
        name, end = src[i + 3: close], close + 1
    else:
        end = src.find("}", i + 2)
        if end < 0:
            raise source.error("Parameter reference '#{' is not closed by '}'", i)
        name = src[i + 2: end]
    if not name or not all(c.isalnum() or c in " ._-" for c in name):
        raise source.error(f"Invalid parameter name '{name}'", i + 2)
    tokens.append(Token("PARAM", name, i, end + 1))
    return end + 1
