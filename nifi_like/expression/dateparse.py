"""Lenient (SimpleDateFormat-style) parsing of dates with Java patterns, and NiFi's implicit
conversion of text to a Date or an Instant."""

from __future__ import annotations

import functools
import re
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from .javatime import (
    DAYS,
    EPOCH,
    MONTHS,
    NUMERIC,
    OFFSET_RE,
    PatternError,
    compile_pattern,
    default_zone,
    zone,
)


def _abbreviation_zones() -> dict[str, tzinfo]:
    fixed = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
             "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "EET": 2,
             "EEST": 3, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "JST": 9, "KST": 9,
             "AEST": 10, "AEDT": 11}
    zones: dict[str, tzinfo] = {k: timezone(timedelta(hours=v), k) for k, v in fixed.items()}
    for name in ("UTC", "GMT", "UT", "Z"):
        zones[name] = UTC
    for name in time.tzname:
        zones.setdefault(name, default_zone())
    return zones


_ABBREVIATIONS = _abbreviation_zones()


def _zone_from_text(text: str) -> tzinfo:
    if text in _ABBREVIATIONS:
        return _ABBREVIATIONS[text]
    if text.upper() in _ABBREVIATIONS:
        return _ABBREVIATIONS[text.upper()]
    return zone(text)


# ---- parsing --------------------------------------------------------------------------

def _names_regex(names: tuple[str, ...]) -> str:
    choices = list(names) + [n[:3] for n in names]
    return "(" + "|".join(sorted(set(choices), key=len, reverse=True)) + ")"


@functools.lru_cache(maxsize=512)
def _parser(pattern: str) -> tuple[re.Pattern[str], tuple[tuple[str, int], ...]]:
    tokens = compile_pattern(pattern)
    parts: list[str] = []
    groups: list[tuple[str, int]] = []
    for index, (letter, count, text) in enumerate(tokens):
        if not letter:
            parts.append(re.escape(text))
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ("", 0, "")
        abutting = following[0] in NUMERIC and not (following[0] in "ML" and following[1] >= 3)
        if letter in "ML" and count >= 3:
            parts.append(_names_regex(MONTHS))
        elif letter == "E" or (letter in "ec" and count >= 3):
            parts.append(_names_regex(DAYS))
        elif letter == "a":
            parts.append("(AM|PM|am|pm)")
        elif letter == "G":
            parts.append("(AD|BC|Anno Domini)")
        elif letter in "zV":
            parts.append(r"([A-Za-z][A-Za-z0-9/_+\-:]*)")
        elif letter in "ZXxO":
            parts.append(r"(Z|(?:GMT)?[+-]\d{1,2}(?::?\d{2})?|GMT)")
        elif letter in NUMERIC:
            sign = "[-+]?" if letter == "y" and not abutting else ""
            parts.append(f"({sign}\\d{{{count}}})" if abutting else f"({sign}\\d+)")
        else:
            raise PatternError(f"Date pattern letter '{letter}' cannot be parsed")
        groups.append((letter, count))
    return re.compile("".join(parts), re.IGNORECASE), tuple(groups)


def _two_digit_year(value: int) -> int:
    """SimpleDateFormat puts 2-digit years within 80 years before and 20 after now."""
    now_year = datetime.now().year
    century = now_year - 80
    year = century - century % 100 + value
    return year + 100 if year < century else year


def parse_to_nanos(text: str, pattern: str, tz: tzinfo) -> int:
    """Leniently parse ``text`` (SimpleDateFormat style: a matching prefix is enough)."""
    regex, groups = _parser(pattern)
    match = regex.match(text)
    if not match:
        raise ValueError(f"'{text}' does not match the date pattern '{pattern}'")
    fields: dict[str, int] = {}
    pm: bool | None = None
    parsed_zone: tzinfo | None = None
    nanos = 0
    for (letter, count), value in zip(groups, match.groups(), strict=True):
        if letter in "ML" and count >= 3:
            fields["M"] = [m.lower() for m in MONTHS].index(_full(value, MONTHS)) + 1
        elif letter in "Eec" and not value.isdigit():
            continue
        elif letter == "a":
            pm = value.upper() == "PM"
        elif letter == "G":
            continue
        elif letter in "zVZXxO":
            parsed_zone = _zone_from_text(value) if letter in "zV" else _offset_zone(value)
        elif letter == "S":
            nanos = int(value) * 1_000_000 if count <= 3 else int(value.ljust(9, "0")[:9])
        elif letter == "n":
            nanos = int(value)
        elif letter == "y" and count <= 2 and len(value) == 2:
            fields["y"] = _two_digit_year(int(value))
        else:
            fields[letter] = int(value)
    local = _assemble(fields, pm)
    aware = local.replace(tzinfo=parsed_zone or tz)
    delta = aware - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000 + nanos


def _full(value: str, names: tuple[str, ...]) -> str:
    lowered = value.lower()
    for name in names:
        if name.lower() == lowered or name[:3].lower() == lowered:
            return name.lower()
    raise ValueError(f"Unknown name '{value}'")


def _offset_zone(value: str) -> tzinfo:
    if value.upper() in ("Z", "GMT"):
        return UTC
    match = OFFSET_RE.fullmatch(value)
    if not match:
        raise ValueError(f"Unknown zone offset '{value}'")
    sign = -1 if match.group(1) == "-" else 1
    digits = match.group(2) + (match.group(3) or "")
    if match.group(3) is None and len(match.group(2)) > 2:
        digits = match.group(2)
    hours, minutes = int(digits[:2]) if len(digits) >= 2 else int(digits), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _assemble(fields: dict[str, int], pm: bool | None) -> datetime:
    """Lenient (Calendar-style) assembly: out-of-range fields roll over."""
    year = fields.get("y", fields.get("u", fields.get("Y", 1970)))
    month = fields.get("M", fields.get("L", 1))
    hour = fields.get("H", fields.get("k", 0) % 24 if "k" in fields else 0)
    if "h" in fields or "K" in fields:
        hour = fields.get("h", 0) % 12 if "h" in fields else fields["K"]
        hour += 12 if pm else 0
    elif pm is not None and pm and hour < 12:
        hour += 12
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if "D" in fields and "d" not in fields:
        start = datetime(year, 1, 1) + timedelta(days=fields["D"] - 1)
    else:
        start = datetime(year, month, 1) + timedelta(days=fields.get("d", 1) - 1)
    return start + timedelta(hours=hour, minutes=fields.get("m", 0), seconds=fields.get("s", 0),
                             milliseconds=fields.get("A", 0))


# ---- NiFi's implicit conversion of text to a date (DateCastEvaluator) -----------------

_DATE_TO_STRING_RE = re.compile(r"(?:[a-zA-Z]{3} ){2}\d{2} \d{2}:\d{2}:\d{2} (?:.*?) \d{4}")
_ALTERNATE_RE = re.compile(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d{3})?")
_DIGITS_RE = re.compile(r"\d+")


def implicit_millis(text: str) -> int:
    """Text to epoch millis the way NiFi converts a String subject to a Date."""
    value = text.strip()
    if _DATE_TO_STRING_RE.fullmatch(value):
        return parse_to_nanos(value, "EEE MMM dd HH:mm:ss zzz yyyy", default_zone()) // 1_000_000
    if _DIGITS_RE.fullmatch(value):
        return int(value)
    match = _ALTERNATE_RE.fullmatch(value)
    if match:
        pattern = "yyyy/MM/dd HH:mm:ss.SSS" if match.group(1) else "yyyy/MM/dd HH:mm:ss"
        return parse_to_nanos(value, pattern, default_zone()) // 1_000_000
    raise ValueError(f"Could not implicitly convert input to Date: {value}")


_ISO_INSTANT_RE = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")


def implicit_nanos(text: str) -> int:
    """Text to epoch nanos: an ISO-8601 instant, or anything ``implicit_millis`` accepts."""
    value = text.strip()
    match = _ISO_INSTANT_RE.fullmatch(value)
    if match:
        base = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}").replace(
            tzinfo=_offset_zone(match.group(4)))
        delta = base - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + int((match.group(3) or "0").ljust(9, "0"))
    return implicit_millis(value) * 1_000_000
