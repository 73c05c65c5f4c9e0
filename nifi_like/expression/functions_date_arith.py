"""Newer date functions: plusDuration/minusDuration (Date), plusInstantDuration/
minusInstantDuration (Instant), isValidDate, isValidInstant."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from . import coerce, dateparse, javatime
from .registry import Site, function, need
from .values import Env, Kind, Typed

_AMOUNT = re.compile(r"\s*(\d+)\s+(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s*", re.IGNORECASE)
_EXPECTED = ("Expected format: '<integer> <unit>' (e.g. '2 weeks', '1 month'). "
             "Supported units: second(s), minute(s), hour(s), day(s), week(s), month(s), year(s)")
_EXACT = {"second": 1, "minute": 60, "hour": 3600}


def parse_amount(text: str | None) -> tuple[int, str]:
    """``'2 weeks'`` -> (2, 'week'), as NiFi's DateAmountParser."""
    match = _AMOUNT.fullmatch(text or "")
    if not match:
        raise ValueError(f"Invalid amount expression: '{text}'. {_EXPECTED}")
    unit = match.group(2).lower()
    return int(match.group(1)), unit[:-1] if unit.endswith("s") else unit


def _add_months(moment: datetime, months: int) -> datetime:
    """Calendar month arithmetic; the day is clamped to the end of a shorter month."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def shift(epoch_nanos: int, amount: int, unit: str, tz: tzinfo) -> int:
    """Java ZonedDateTime arithmetic: time units are exact, calendar units keep wall time."""
    if unit in _EXACT:
        return epoch_nanos + amount * _EXACT[unit] * 1_000_000_000
    seconds, nanos = divmod(epoch_nanos, 1_000_000_000)
    local = (javatime.EPOCH + timedelta(seconds=seconds)).astimezone(tz).replace(tzinfo=None)
    if unit in ("day", "week"):
        local += timedelta(days=amount * (7 if unit == "week" else 1))
    else:
        local = _add_months(local, amount * (12 if unit == "year" else 1))
    delta = local.replace(tzinfo=tz) - javatime.EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + nanos


def _arithmetic(name: str, kind: Kind, sign: int) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        convert = coerce.to_date if kind is Kind.DATE else coerce.to_instant
        fn = convert(need(subject)).fn
        amount = coerce.to_string(args[0])
        if amount.is_const:
            parse_amount(amount.const)  # a bad literal amount fails at compile time, as in NiFi
        amount_fn = amount.fn
        scale = 1_000_000 if kind is Kind.DATE else 1

        def run(a: Mapping[str, str], e: Env) -> int | None:
            value = fn(a, e)
            if value is None:
                return None
            try:
                count, unit = parse_amount(amount_fn(a, e))
            except ValueError as exc:
                raise site.fail(str(exc)) from exc
            zone = javatime.default_zone() if kind is Kind.DATE else UTC
            return shift(value * scale, sign * count, unit, zone) // scale

        return Typed(run, kind)


_arithmetic("plusDuration", Kind.DATE, 1)
_arithmetic("minusDuration", Kind.DATE, -1)
_arithmetic("plusInstantDuration", Kind.INSTANT, 1)
_arithmetic("minusInstantDuration", Kind.INSTANT, -1)


def _zone_arg(args: list[Typed]) -> Callable[[Mapping[str, str], Env], tzinfo]:
    if len(args) < 2:
        return lambda a, e: javatime.default_zone()
    fn = coerce.to_string(args[1]).fn
    return lambda a, e: javatime.zone(fn(a, e) or "UTC")


def is_valid_date(text: str, pattern: str, tz: tzinfo) -> bool:
    """Strict: the text must parse completely and print back unchanged (no Feb 31, no DST gap)."""
    try:
        nanos = dateparse.parse_to_nanos(text, pattern, tz)
        return javatime.format_nanos(nanos, pattern, tz) == text
    except (ValueError, OverflowError):
        return False


@function("isValidDate", 1, 2)
def _is_valid_date(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn
    pattern_fn = coerce.to_string(args[0]).fn
    zone_fn = _zone_arg(args)

    def run(a: Mapping[str, str], e: Env) -> bool:
        value, pattern = fn(a, e), pattern_fn(a, e)
        if value is None or pattern is None:
            return False
        try:
            zone = zone_fn(a, e)
        except ValueError as exc:
            raise site.fail(str(exc)) from exc
        return is_valid_date(value, pattern, zone)

    return Typed(run, Kind.BOOLEAN)


_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)")
_RFC_1123 = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
                       r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                       r"\d{2}:\d{2}(?::\d{2})? (?:GMT|[+-]\d{4})")


def is_valid_instant(text: str) -> bool:
    """ISO_INSTANT, ISO_OFFSET_DATE_TIME or RFC_1123_DATE_TIME, with a real calendar date."""
    value = text.strip()
    try:
        if _ISO_OFFSET.fullmatch(value):
            datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00"))
            return True
        if _RFC_1123.fullmatch(value):
            parsedate_to_datetime(value)
            return True
    except (TypeError, ValueError, IndexError):
        pass
    return False


@function("isValidInstant")
def _is_valid_instant(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn

    def run(a: Mapping[str, str], e: Env) -> bool:
        value = fn(a, e)
        return value is not None and is_valid_instant(value)

    return Typed(run, Kind.BOOLEAN)
