"""Parsing of NiFi's time periods ("30 sec") and data sizes ("1 GB")."""

from __future__ import annotations

import re

_TIME_UNITS: dict[str, float] = {
    "ns": 1e-9, "nano": 1e-9, "nanos": 1e-9, "nanosecond": 1e-9, "nanoseconds": 1e-9,
    "us": 1e-6, "micro": 1e-6, "micros": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6,
    "ms": 1e-3, "milli": 1e-3, "millis": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 604800.0, "wk": 604800.0, "wks": 604800.0, "week": 604800.0, "weeks": 604800.0,
}
_SIZE_UNITS: dict[str, int] = {
    "b": 1, "byte": 1, "bytes": 1,
    "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}
_TIME_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)?\s*$")


def parse_time_period(text: str) -> float:
    """Return the period in seconds; raise ValueError naming what is allowed."""
    match = _TIME_RE.match(text)
    if not match or match.group(2).lower() not in _TIME_UNITS:
        raise ValueError(
            f"'{text}' is not a time period (expected a number and a unit such as '30 sec', '5 mins', '100 ms')")
    return float(match.group(1)) * _TIME_UNITS[match.group(2).lower()]


def parse_data_size(text: str) -> int:
    """Return the size in bytes; NiFi's units are powers of 1024 ("1 KB" = 1024 B)."""
    match = _SIZE_RE.match(text)
    unit = (match.group(2) or "b").lower() if match else ""
    if not match or unit not in _SIZE_UNITS:
        raise ValueError(f"'{text}' is not a data size (expected a number and a unit such as '1 KB', '10 MB', '1 GB')")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def format_data_size(size: int) -> str:
    """Format bytes the way NiFi shows queue sizes ("1.5 KB")."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
