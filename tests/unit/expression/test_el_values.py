"""Java value semantics: Double.toString, long wrap-around, number parsing, date patterns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nifi_like.expression import dateparse, javatime
from nifi_like.expression.values import (
    double_to_long,
    java_double_str,
    java_trim,
    parse_number,
    wrap_long,
)


@pytest.mark.parametrize(("value", "expected"), [
    (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (100.0, "100.0"), (0.1, "0.1"), (-2.5, "-2.5"),
    (0.001, "0.001"), (0.0001, "1.0E-4"), (9999999.0, "9999999.0"), (1e7, "1.0E7"), (12345678.9, "1.23456789E7"),
    (1e21, "1.0E21"), (1.7976931348623157e308, "1.7976931348623157E308"), (5e-324, "4.9E-324"),
    (1e-5, "1.0E-5"), (123.456, "123.456"), (1 / 3, "0.3333333333333333"), (2e23, "2.0E23"),
    (float("inf"), "Infinity"), (float("-inf"), "-Infinity"), (float("nan"), "NaN"),
])
def test_java_double_to_string(value: float, expected: str) -> None:
    assert java_double_str(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (2**63, -(2**63)), (2**63 - 1, 2**63 - 1), (-(2**63) - 1, 2**63 - 1), (2**64 + 5, 5), (-5, -5),
])
def test_wrap_long(value: int, expected: int) -> None:
    assert wrap_long(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (1e30, 2**63 - 1), (-1e30, -(2**63)), (float("nan"), 0), (-2.9, -2), (2.9, 2),
])
def test_double_to_long(value: float, expected: int) -> None:
    assert double_to_long(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("42", 42), ("+42", 42), ("-42", -42), (" 7 ", 7), ("0x1F", 31), ("-0x1f", -31), ("1.5", 1.5), ("1.", 1.0),
    (".5", 0.5), ("1e3", 1000.0), ("Infinity", float("inf")), ("-Infinity", float("-inf")), ("abc", None),
    ("", None), ("1.5.5", None), ("0x1.8p1", 3.0), ("1_000", None),
])
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


def test_parse_number_nan() -> None:
    value = parse_number("NaN")
    assert isinstance(value, float) and value != value


def test_java_trim_only_strips_control_and_space() -> None:
    assert java_trim("\x00 \t a b \n\x1f") == "a b"
    assert java_trim("\u00a0x\u00a0") == "\u00a0x\u00a0"


MOMENT = int(datetime(2021, 3, 4, 5, 6, 7, 89000, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("pattern", "expected"), [
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2021-03-04T05:06:07.089Z"),
    ("yy/M/d H:m:s.S", "21/3/4 5:6:7.0"),
    ("EEE, d MMM yyyy", "Thu, 4 Mar 2021"),
    ("EEEE, MMMM", "Thursday, March"),
    ("hh 'o''clock' a", "05 o'clock AM"),
    ("D DDD", "63 063"),
    ("Z ZZZZ ZZZZZ", "+0000 GMT Z"),
    ("O", "GMT"),
])
def test_format_patterns(pattern: str, expected: str) -> None:
    assert javatime.format_millis(MOMENT, pattern, javatime.zone("UTC")) == expected


@pytest.mark.parametrize(("text", "pattern", "expected"), [
    ("2021-03-04T05:06:07.089Z", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", MOMENT),
    ("2021-03-04 06:06:07.089 +0100", "yyyy-MM-dd HH:mm:ss.SSS Z", MOMENT),
    ("Thu, 4 Mar 2021 05:06:07.089", "EEE, d MMM yyyy HH:mm:ss.SSS", MOMENT),
    ("20210304050607089", "yyyyMMddHHmmssSSS", MOMENT),
    ("04/03/21 05:06:07.089 AM", "dd/MM/yy hh:mm:ss.SSS a", MOMENT),
    ("2021-03-04 05:06:07.089 trailing text", "yyyy-MM-dd HH:mm:ss.SSS", MOMENT),
])
def test_parse_patterns(text: str, pattern: str, expected: int) -> None:
    assert dateparse.parse_to_nanos(text, pattern, javatime.zone("UTC")) // 1_000_000 == expected


@pytest.mark.parametrize(("name", "offset_hours"), [
    ("UTC", 0), ("GMT", 0), ("GMT+05:30", 5.5), ("UTC-3", -3), ("Asia/Tokyo", 9), ("EST", -5),
])
def test_zones(name: str, offset_hours: float) -> None:
    offset = datetime(2021, 1, 15, tzinfo=javatime.zone(name)).utcoffset()
    assert offset is not None and offset.total_seconds() == offset_hours * 3600


def test_unknown_zone() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        javatime.zone("Nowhere/Special")


def test_instant_to_string_groups_fraction_digits() -> None:
    assert javatime.instant_to_string(0) == "1970-01-01T00:00:00Z"
    assert javatime.instant_to_string(1_500_000_000) == "1970-01-01T00:00:01.500Z"
    assert javatime.instant_to_string(1_000_001_000) == "1970-01-01T00:00:01.000001Z"
    assert javatime.instant_to_string(1_000_000_001) == "1970-01-01T00:00:01.000000001Z"
