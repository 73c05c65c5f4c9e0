"""Property validators: each returns None when the value is valid, else a reason.

The reason completes the sentence "'<value>' ...", e.g. "is not a positive integer".
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable

from nifi_like.api.units import parse_data_size, parse_time_period

Validator = Callable[[str], str | None]


def _integer(minimum: int | None, what: str) -> Validator:
    def check(value: str) -> str | None:
        try:
            number = int(value.strip())
        except ValueError:
            return f"is not {what}"
        if minimum is not None and number < minimum:
            return f"is not {what}"
        return None
    return check


POSITIVE_INTEGER: Validator = _integer(1, "a positive integer")
NON_NEGATIVE_INTEGER: Validator = _integer(0, "a non-negative integer")
INTEGER: Validator = _integer(None, "an integer")


def NON_EMPTY(value: str) -> str | None:
    return "must not be empty" if not value.strip() else None


def BOOLEAN(value: str) -> str | None:
    return None if value.strip().lower() in ("true", "false") else "is not 'true' or 'false'"


def TIME_PERIOD(value: str) -> str | None:
    try:
        parse_time_period(value)
    except ValueError:
        return "is not a time period such as '30 sec' or '5 mins'"
    return None


def DATA_SIZE(value: str) -> str | None:
    try:
        parse_data_size(value)
    except ValueError:
        return "is not a data size such as '1 KB' or '10 MB'"
    return None


def REGULAR_EXPRESSION(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    return None


def CHARACTER_SET(value: str) -> str | None:
    try:
        codecs.lookup(value)
    except LookupError:
        return "is not a supported character set"
    return None


def DIRECTORY_EXISTS(value: str) -> str | None:
    return None if os.path.isdir(value) else "is not an existing directory"


def PORT(value: str) -> str | None:
    return _integer(1, "a port number")(value) or (None if int(value) <= 65535 else "is not a port number")


def ANY(value: str) -> str | None:
    return None


def number_in_range(minimum: float, maximum: float) -> Validator:
    def check(value: str) -> str | None:
        try:
            number = float(value)
        except ValueError:
            return "is not a number"
        return None if minimum <= number <= maximum else f"is not between {minimum:g} and {maximum:g}"
    return check
