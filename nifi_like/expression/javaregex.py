"""Java regular expressions and replacement strings on top of Python's ``re``."""

from __future__ import annotations

import functools
import re

_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7F", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": "!-/:-@\\[-`{-~", "Graph": "!-~", "Print": " -~", "Blank": " \\t",
    "Cntrl": "\\x00-\\x1F\\x7F", "XDigit": "0-9a-fA-F", "Space": " \\t\\n\\x0B\\f\\r", "L": "^\\W\\d_",
    "IsAlphabetic": "^\\W\\d_", "IsDigit": "\\d", "IsLetter": "^\\W\\d_", "N": "\\d", "Nd": "\\d",
}
_HORIZONTAL = " \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"


def _class(name: str, negated: bool, in_class: bool) -> str:
    body = _POSIX.get(name.removeprefix("Is") if name.startswith("Is") and name[2:] in _POSIX else name)
    if body is None:
        raise re.error(f"Unsupported character class \\p{{{name}}}")
    if body.startswith("^"):  # a class expressed as a negation
        if in_class:
            raise re.error(f"\\p{{{name}}} cannot be used inside [...]")
        return f"[{'' if negated else '^'}{body[1:]}]"
    if in_class:
        if negated:
            raise re.error(f"\\P{{{name}}} cannot be used inside [...]")
        return body
    return f"[{'^' if negated else ''}{body}]"


@functools.lru_cache(maxsize=1024)
def translate(pattern: str) -> str:
    """Java regex syntax -> Python: named groups, \\z, \\Z, \\h, \\p{...}, \\Q...\\E."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                end = len(pattern) if end < 0 else end
                out.append(re.escape(pattern[i + 2:end]))
                i = end + 2
                continue
            if nxt in "pP" and pattern[i + 2:i + 3] == "{":
                close = pattern.find("}", i + 3)
                out.append(_class(pattern[i + 3:close], nxt == "P", in_class))
                i = close + 1
                continue
            out.append({"z": "\\Z", "Z": "(?=\\n?\\Z)", "h": f"[{_HORIZONTAL}]"}.get(nxt, ch + nxt)
                       if not in_class or nxt != "h" else _HORIZONTAL)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif not in_class and pattern.startswith("(?<", i) and pattern[i + 3:i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def compile_java(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern))


@functools.lru_cache(maxsize=1024)
def replacement_template(replacement: str, groups: int, names: frozenset[str]) -> str:
    """A Java replacement (``$1``, ``${name}``, ``\\$``) as a Python ``re.sub`` template."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\":
            if i + 1 >= len(replacement):
                raise ValueError("character to be escaped is missing")
            out.append(replacement[i + 1].replace("\\", "\\\\"))
            i += 2
        elif ch == "$":
            i = _group_reference(replacement, i + 1, groups, names, out)
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _group_reference(replacement: str, i: int, groups: int, names: frozenset[str], out: list[str]) -> int:
    if i >= len(replacement):
        raise ValueError("Illegal group reference: group index is missing")
    if replacement[i] == "{":
        close = replacement.find("}", i)
        name = replacement[i + 1:close] if close > 0 else ""
        if not name or name not in names:
            raise ValueError(f"No group with name {{{name}}}")
        out.append(f"\\g<{name}>")
        return close + 1
    if not _digit(replacement[i]):
        raise ValueError("Illegal group reference")
    number = int(replacement[i])
    i += 1
    while i < len(replacement) and _digit(replacement[i]) and number * 10 + int(replacement[i]) <= groups:
        number = number * 10 + int(replacement[i])
        i += 1
    if number > groups:
        raise ValueError(f"No group {number}")
    out.append(f"\\g<{number}>")
    return i


def replace(pattern: re.Pattern[str], replacement: str, text: str, count: int = 0) -> str:
    """Java ``replaceAll`` (count 0) / ``replaceFirst`` (count 1)."""
    template = replacement_template(replacement, pattern.groups, frozenset(pattern.groupindex))
    return pattern.sub(template, text, count=count)


def _digit(char: str) -> bool:
    """An ASCII digit, as Java's Matcher reads a group number ('³' and '٣' are not)."""
    return "0" <= char <= "9"
