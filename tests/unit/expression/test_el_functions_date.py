"""Dates and instants: Java patterns, time zones, implicit conversions, NiFi Guide examples."""

from __future__ import annotations

import time

import pytest

from nifi_like.expression import ExpressionError, evaluate

from .expression_helpers import check

TIME = {"time": "1420058163264", "text": "2014/12/31 15:36:03.264Z", "iso": "2014-12-31T20:36:03.264123Z",
        "year": "2014", "month": "12", "day": "31", "month_name": "Dec 31, 2014"}


@pytest.mark.parametrize(("text", "expected"), [
    ("${time:format(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", \"GMT\")}", "2014/12/31 20:36:03.264Z"),
    ("${time:format(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", \"America/Los_Angeles\")}", "2014/12/31 12:36:03.264Z"),
    ("${time:format('yyyy/MM/dd', 'GMT')}", "2014/12/31"),
    ("${time:format(\"HH:mm:ss.SSS'Z'\", 'GMT')}", "20:36:03.264Z"),
    ("${time:format('yyyy', 'GMT')}", "2014"),
    ("${time:format(\"EEE, d MMM yy hh:mm a\", 'UTC')}", "Wed, 31 Dec 14 08:36 PM"),
    ("${time:format('EEEE MMMM', 'UTC')}", "Wednesday December"),
    ("${time:format('D w W F e uuuu', 'UTC')}", "365 1 5 5 4 2014"),
    ("${time:format('s.S s.SS s.SSSS', 'UTC')}", "3.2 3.26 3.2640"),
    ("${time:format('k K h H', 'UTC')}", "20 8 8 20"),
    ("${time:format('Z', 'America/New_York')}", "-0500"),
    ("${time:format('XXX', 'Asia/Kolkata')}", "+05:30"),
    ("${time:format('X', 'UTC')}", "Z"),
    ("${time:format('xx', 'UTC')}", "+0000"),
    ("${time:format('z', 'America/New_York')}", "EST"),
    ("${time:format('VV', 'Europe/Paris')}", "Europe/Paris"),
    ("${time:format('G Q', 'UTC')}", "AD 4"),
    ("${time:format(\"''yyyy'' 'o''clock'\", 'UTC')}", "'2014' o'clock"),
    ("${time:format('SSSSSS n', 'UTC')}", "264000 264000000"),
    ("${time:format('yyyy-MM-dd HH:mm', 'GMT+05:30')}", "2015-01-01 02:06"),
    ("${time:formatInstant(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", \"GMT\")}", "2014/12/31 20:36:03.264Z"),
    ("${iso:formatInstant('HH:mm:ss.SSSSSS', 'GMT')}", "20:36:03.264123"),
    ("${iso:toInstant()}", "2014-12-31T20:36:03.264123Z"),
    ("${iso:toInstant():toMicros()}", "1420058163264123"),
    ("${iso:toInstant():toNanos()}", "1420058163264123000"),
    ("${time:toDate():toMicros()}", "1420058163264000"),
    ("${time:toInstant():toNumber()}", "1420058163264"),
    ("${text:toDate(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", 'GMT'):toNumber()}", "1420040163264"),
    ("${text:toInstant(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", 'GMT')}", "2014-12-31T15:36:03.264Z"),
    ("${year:append('/'):append(${month}):append('/'):append(${day}):toDate('yyyy/MM/dd', 'GMT'):toNumber()}",
     "1419984000000"),
    ("${month_name:toDate('MMM dd, yyyy', 'UTC'):format('yyyy-MM-dd')}", "2014-12-31"),
    ("${literal('2014-12-31T20:36:03+0100'):toDate(\"yyyy-MM-dd'T'HH:mm:ssZ\", 'UTC'):format('HH', 'UTC')}",
     "19"),
    ("${literal('31/12/14 08:36 PM'):toDate('dd/MM/yy hh:mm a', 'UTC'):format('yyyy-MM-dd HH:mm', 'UTC')}",
     "2014-12-31 20:36"),
    ("${literal('2014/02/30'):toDate('yyyy/MM/dd', 'UTC'):format('yyyy-MM-dd', 'UTC')}", "2014-03-02"),
    ("${literal('2014 365'):toDate('yyyy D', 'UTC'):format('MM-dd', 'UTC')}", "12-31"),
    ("${missing:format('yyyy')}", ""),
    ("${missing:toDate('yyyy')}", ""),
])
def test_dates(text: str, expected: str) -> None:
    check(text, TIME, expected)


def test_date_prints_as_java_date_to_string() -> None:
    result = evaluate("${time:toDate()}", TIME)
    # EEE MMM dd HH:mm:ss zzz yyyy, in the local zone
    assert result.endswith(" 2014") and result.count(":") == 2 and len(result.split()) == 6


def test_date_string_round_trips_through_implicit_conversion() -> None:
    check("${time:toDate():toString():format('yyyy-MM-dd HH:mm:ss.SSS', 'UTC')}", TIME, "2014-12-31 20:36:03.000")


@pytest.mark.parametrize(("text", "expected"), [
    ("${literal('not a date'):toDate()}", ""),  # toDate() reads epoch millis; text is not one
    ("${literal('1000'):toDate():toNumber()}", "1000"),
    ("${literal('2.9'):toDate():toNumber()}", "2"),
    ("${literal(1000):toNumber():toDate('yyyy'):toNumber()}", "1000"),  # a number ignores the pattern
])
def test_to_date_without_pattern_reads_epoch_millis(text: str, expected: str) -> None:
    check(text, {}, expected)


def test_now_is_current_millis() -> None:
    before = int(time.time() * 1000)
    value = int(evaluate("${now():toNumber()}", {}))
    after = int(time.time() * 1000)
    assert before <= value <= after


def test_now_minus_a_day() -> None:
    value = int(evaluate("${now():toNumber():minus(86400000)}", {}))
    assert abs(value - (time.time() * 1000 - 86400000)) < 5000


@pytest.mark.parametrize(("text", "reason"), [
    ("${time:format('yyyy-MM-dd bb')}", "Illegal pattern character 'b'"),
    ("${time:format(\"yyyy 'unterminated\")}", "Unterminated quote"),
    ("${time:format('yyyy', 'Mars/Olympus')}", "Unknown time zone 'Mars/Olympus'"),
    ("${text:toDate('yyyy-MM-dd')}", "Cannot parse attribute value as a date"),
    ("${literal('not a date'):format('yyyy')}", "Could not implicitly convert input to Date"),
])
def test_date_errors_are_reported_when_evaluated(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        evaluate(text, TIME)
