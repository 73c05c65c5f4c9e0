"""Helpers shared by the text processors: lines of a content stream, Java replacement strings.

Not a processor module; the underscore keeps it out of processor discovery.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO

#: Characters of output collected before they are encoded and written in one call.
WRITE_CHUNK = 1 << 16

_DOLLAR_NON_DIGIT = re.compile(r"\$\D")


class LineTooLong(ValueError):
    """A line longer than the configured maximum buffer."""


def text_lines(stream: IO[bytes], encoding: str, max_chars: int | None = None) -> Iterator[str]:
    """The lines of ``stream`` decoded with ``encoding``, each with its own line ending kept.

    '\\n', '\\r\\n' and '\\r' all end a line, as NiFi's LineDemarcator has it; malformed bytes
    become U+FFFD, as Java's decoders do. A line longer than ``max_chars`` raises LineTooLong.
    """
    reader = io.TextIOWrapper(io.BufferedReader(_Unclosable(stream)), encoding=encoding, errors="replace", newline="")
    limit = -1 if max_chars is None else max_chars + 1
    while line := reader.readline(limit):
        if max_chars is not None and len(line) > max_chars:
            raise LineTooLong(f"a line is longer than the maximum buffer size of {max_chars} characters")
        yield line


def line_ending(line: str) -> str:
    """The '\\r\\n', '\\n' or '\\r' that ends ``line`` ('' for a last line without one)."""
    body = line.rstrip("\r\n")
    return line[len(body):]


class TextWriter:
    """Collects text and writes it to a byte stream encoded, in chunks."""

    def __init__(self, out: IO[bytes], encoding: str) -> None:
        self._out = out
        self._encoding = encoding
        self._parts: list[str] = []
        self._pending = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._pending += len(text)
        if self._pending >= WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts).encode(self._encoding))
            self._parts.clear()
            self._pending = 0


def java_replacement(replacement: str, match: re.Match[str]) -> str:
    """The text that Java's ``Matcher.appendReplacement`` makes of ``replacement`` for ``match``,
    after ReplaceText's preparation of it.

    ``$n`` and ``${name}`` are group references and ``\\x`` is a literal x. As ReplaceText does,
    a reference to a group the pattern does not have stays literal text, and a replacement with
    a '$' not followed by a digit is taken literally as a whole.
    """
    if "$" not in replacement and "\\" not in replacement:
        return replacement
    if _DOLLAR_NON_DIGIT.search(replacement):
        return replacement
    groups = match.re.groups
    out: list[str] = []
    i = 0
    size = len(replacement)
    while i < size:
        ch = replacement[i]
        if ch == "\\" and i + 1 < size:
            out.append(replacement[i + 1])
            i += 2
        elif ch == "$" and i + 1 < size and "0" <= replacement[i + 1] <= "9":
            number = int(replacement[i + 1])
            j = i + 2
            if number > groups:
                out.append(replacement[i:j])
            else:
                while j < size and "0" <= replacement[j] <= "9" and number * 10 + int(replacement[j]) <= groups:
                    number = number * 10 + int(replacement[j])
                    j += 1
                out.append(match.group(number) or "")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Unclosable(io.RawIOBase):
    """A read-only view of a stream that the TextIOWrapper around it may close without closing it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
