"""Java date patterns (SimpleDateFormat / DateTimeFormatter letters), time zones, formatting.

Dates are epoch milliseconds (java.util.Date) or epoch nanoseconds (java.time.Instant).
Patterns are compiled once and cached; formatting follows Java's rules for the letters NiFi
flows use (``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` and friends). Parsing lives in ``dateparse``.
"""

from __future__ import annotations

import functools
import os
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LETTERS = set("GyYuMLdDFwWEeacaHkKhmsSnAzZXxVOQq")
NUMERIC = set("yYudDFwWHkKhmsSnAMLeQq")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OFFSET_RE = re.compile(r"(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?")


class PatternError(ValueError):
    """A date pattern Java would reject."""


# ---- time zones ---------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """A Java zone id: IANA names, GMT/UTC/Z, and custom offsets such as GMT+05:30."""
    if name in ("UTC", "GMT", "Z", "UT"):
        return ZoneInfo("UTC") if name != "GMT" else ZoneInfo("GMT")
    match = OFFSET_RE.fullmatch(name)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * delta, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone '{name}'") from exc


@functools.lru_cache(maxsize=1)
def default_zone() -> tzinfo:
    """The process's local zone (Java's default TimeZone)."""
    key = os.environ.get("TZ", "").lstrip(":")
    if not key:
        try:
            target = os.path.realpath("/etc/localtime")
            key = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            key = ""
    try:
        return zone(key) if key else ZoneInfo("UTC")
    except ValueError:
        return ZoneInfo("UTC")


# ---- patterns -------------------------------------------------------------------------

Token = tuple[str, int, str]  # (letter or "" for literal text, count, literal text)


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            text = []
            while True:
                if end >= len(pattern):
                    raise PatternError(f"Unterminated quote in date pattern '{pattern}'")
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(pattern[end])
                end += 1
            tokens.append(("", 0, "".join(text) if end > i + 1 else "'"))
            i = end + 1
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            if ch not in _LETTERS:
                raise PatternError(f"Illegal pattern character '{ch}' in date pattern '{pattern}'")
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            tokens.append((ch, end - i, ""))
            i = end
        else:
            tokens.append(("", 0, ch))
            i += 1
    return tuple(tokens)


# ---- formatting -----------------------------------------------------------------------


def _offset_text(dt: datetime, colon: bool, zulu: bool, hours_only: bool = False) -> str:
    offset = dt.utcoffset() or timedelta(0)
    seconds = int(offset.total_seconds())
    if seconds == 0 and zulu:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if hours_only and minutes == 0:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


def _us_week_of_year(day: date) -> int:
    jan1 = date(day.year, 1, 1)
    first_sunday_offset = (jan1.weekday() + 1) % 7  # days since the Sunday starting week 1
    week = (day.toordinal() - jan1.toordinal() + first_sunday_offset) // 7 + 1
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    return 1 if saturday.year > day.year else week


def _us_week_year(day: date) -> int:
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    return day.year + 1 if saturday.year > day.year else day.year


def _field(letter: str, count: int, dt: datetime, nanos: int) -> str:
    year = dt.year
    if letter in "yYu":
        if letter == "Y":
            year = _us_week_year(dt.date())
        return f"{year % 100:02d}" if count == 2 else str(year).zfill(count)
    if letter in "ML":
        if count >= 4:
            return MONTHS[dt.month - 1]
        return MONTHS[dt.month - 1][:3] if count == 3 else str(dt.month).zfill(count)
    if letter == "E":
        return DAYS[dt.weekday()] if count >= 4 else DAYS[dt.weekday()][:3]
    if letter in "ec":
        if count >= 3:
            return DAYS[dt.weekday()] if count >= 4 else DAYS[dt.weekday()][:3]
        return str((dt.weekday() + 1) % 7 + 1).zfill(count)
    if letter == "a":
        return "AM" if dt.hour < 12 else "PM"
    if letter == "G":
        return "Anno Domini" if count >= 4 else "AD"
    if letter in "zZXxVO":
        return _zone_field(letter, count, dt)
    if letter == "S":  # DateTimeFormatter: fraction of second, as NiFi 2 formats it
        return f"{nanos:09d}"[:count].ljust(count, "0")
    if letter in "Qq":
        quarter = (dt.month - 1) // 3 + 1
        if count >= 4:
            return ("1st", "2nd", "3rd", "4th")[quarter - 1] + " quarter"
        return f"Q{quarter}" if count == 3 else str(quarter).zfill(count)
    number = {
        "d": dt.day,
        "D": dt.timetuple().tm_yday,
        "F": (dt.day - 1) // 7 + 1,
        "w": _us_week_of_year(dt.date()),
        "W": (dt.day + (dt.replace(day=1).weekday() + 1) % 7 - 1) // 7 + 1,
        "H": dt.hour,
        "k": dt.hour or 24,
        "K": dt.hour % 12,
        "h": dt.hour % 12 or 12,
        "m": dt.minute,
        "s": dt.second,
        "n": nanos,
        "A": ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + nanos // 1_000_000,
    }[letter]
    return str(number).zfill(count)


def _zone_field(letter: str, count: int, dt: datetime) -> str:
    if letter == "z":
        return dt.tzname() or _offset_text(dt, True, False)
    if letter == "Z":
        if count == 4:
            text = _offset_text(dt, True, False)
            return "GMT" if text == "+00:00" else "GMT" + text
        return _offset_text(dt, count == 5, count == 5)
    if letter in "Xx":
        zulu = letter == "X"
        if count == 1:
            return _offset_text(dt, False, zulu, hours_only=True)
        return _offset_text(dt, count in (3, 5), zulu)
    if letter == "V":
        key = getattr(dt.tzinfo, "key", None)
        return str(key) if key else (dt.tzname() or "")
    text = _offset_text(dt, True, False)
    if text == "+00:00":
        return "GMT"
    if count == 1:
        hours, minutes = text[1:3].lstrip("0") or "0", text[4:]
        return f"GMT{text[0]}{hours}" + ("" if minutes == "00" else f":{minutes}")
    return "GMT" + text


def format_nanos(epoch_nanos: int, pattern: str, tz: tzinfo) -> str:
    tokens = compile_pattern(pattern)
    seconds, nanos = divmod(epoch_nanos, 1_000_000_000)
    dt = (EPOCH + timedelta(seconds=seconds)).astimezone(tz)
    return "".join(text if not letter else _field(letter, count, dt, nanos) for letter, count, text in tokens)


def format_millis(epoch_millis: int, pattern: str, tz: tzinfo) -> str:
    return format_nanos(epoch_millis * 1_000_000, pattern, tz)


def date_to_string(epoch_millis: int) -> str:
    """java.util.Date#toString: ``EEE MMM dd HH:mm:ss zzz yyyy`` in the default zone."""
    return format_millis(epoch_millis, "EEE MMM dd HH:mm:ss zzz yyyy", default_zone())


def instant_to_string(epoch_nanos: int) -> str:
    """java.time.Instant#toString: ISO-8601 in UTC, fraction in groups of three digits."""
    seconds, nanos = divmod(epoch_nanos, 1_000_000_000)
    text = (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        fraction = f"{nanos:09d}"
        while fraction.endswith("000"):
            fraction = fraction[:-3]
        text += "." + fraction
    return text + "Z"
