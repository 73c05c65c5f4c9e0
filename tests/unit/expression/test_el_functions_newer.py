"""Newer NiFi functions: duration arithmetic, isValidDate/isValidInstant, getUri."""

from __future__ import annotations

import pytest

from nifi_like.expression import ExpressionError, compile, evaluate

from .expression_helpers import check

ISO = "\"yyyy-MM-dd'T'HH:mm:ssX\""


@pytest.mark.parametrize(("value", "function", "expected"), [
    ("2024-02-20T10:00:00Z", "plusInstantDuration('2 weeks')", "2024-03-05T10:00:00Z"),
    ("2024-02-20T10:00:00Z", "plusInstantDuration('1 Day')", "2024-02-21T10:00:00Z"),
    ("2024-02-20T10:00:00Z", "minusInstantDuration('90 minutes')", "2024-02-20T08:30:00Z"),
    ("2024-02-20T10:00:00Z", "plusInstantDuration('3600 seconds')", "2024-02-20T11:00:00Z"),
    ("2024-02-20T10:00:00Z", "plusInstantDuration(' 5 hours ')", "2024-02-20T15:00:00Z"),
    ("2024-01-31T00:00:00Z", "plusInstantDuration('1 month')", "2024-02-29T00:00:00Z"),
    ("2024-02-29T10:00:00Z", "minusInstantDuration('1 year')", "2023-02-28T10:00:00Z"),
    ("2024-02-29T10:00:00Z", "plusInstantDuration('4 years')", "2028-02-29T10:00:00Z"),
])
def test_instant_duration_arithmetic(value: str, function: str, expected: str) -> None:
    check("${d:toInstant(" + ISO + ", 'UTC'):" + function + "}", {"d": value}, expected)


def test_date_duration_arithmetic_keeps_wall_time() -> None:
    check("${d:toDate('yyyy-MM-dd HH:mm'):plusDuration('1 month'):format('yyyy-MM-dd HH:mm')}",
          {"d": "2024-01-31 13:45"}, "2024-02-29 13:45")
    check("${d:toDate('yyyy-MM-dd HH:mm'):minusDuration('2 days'):format('yyyy-MM-dd HH:mm')}",
          {"d": "2024-03-01 00:30"}, "2024-02-28 00:30")
    check("${missing:plusDuration('1 day')}", {}, "")


@pytest.mark.parametrize("amount", ["'1week'", "'-1 day'", "'1 fortnight'", "''"])
def test_bad_literal_duration_is_a_compile_error(amount: str) -> None:
    with pytest.raises(ExpressionError, match="amount expression"):
        compile("${now():plusDuration(" + amount + ")}")


def test_bad_duration_from_an_attribute_fails_when_evaluated() -> None:
    expression = compile("${now():plusDuration(${amount})}")
    with pytest.raises(ExpressionError, match="Invalid amount expression: '2 eons'"):
        expression.evaluate({"amount": "2 eons"})


@pytest.mark.parametrize(("value", "args", "expected"), [
    ("2024-02-29", "'yyyy-MM-dd'", "true"),
    ("2023-02-29", "'yyyy-MM-dd'", "false"),
    ("2024-02-30", "'yyyy-MM-dd'", "false"),
    ("2024-2-3", "'yyyy-MM-dd'", "false"),
    ("01/02/2024 01:15 PM", "'dd/MM/yyyy hh:mm a'", "true"),
    ("01/02/2024 13:15 PM", "'dd/MM/yyyy hh:mm a'", "false"),
    ("2024-03-10 02:30", "'yyyy-MM-dd HH:mm', 'America/New_York'", "false"),  # in the DST gap
    ("2024-03-10 03:30", "'yyyy-MM-dd HH:mm', 'America/New_York'", "true"),
    ("not a date", "'yyyy-MM-dd'", "false"),
])
def test_is_valid_date(value: str, args: str, expected: str) -> None:
    check("${d:isValidDate(" + args + ")}", {"d": value}, expected)


def test_is_valid_date_on_missing_subject_is_false() -> None:
    check("${missing:isValidDate('yyyy')}", {}, "false")


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-02-20T10:00:00Z", "true"),
    ("2024-02-20T10:00:00.123456789Z", "true"),
    ("2024-02-20T10:00:00.123+01:00", "true"),
    ("Tue, 3 Jun 2008 11:05:30 GMT", "true"),
    ("2024-02-30T10:00:00Z", "false"),
    ("2024-02-20 10:00:00", "false"),
    ("yesterday", "false"),
])
def test_is_valid_instant(value: str, expected: str) -> None:
    check("${d:isValidInstant()}", {"d": value}, expected)


@pytest.mark.parametrize(("args", "expected"), [
    ("'https', 'admin:admin', 'nifi.apache.org', '1234', '/path/data ', 'key=value &key2=value2', 'frag1'",
     "https://admin:admin@nifi.apache.org:1234/path/data%20?key=value%20&key2=value2#frag1"),
    ("'https', ${none}, 'nifi.apache.org', -1, '/docs.html', ${none}, ${none}", "https://nifi.apache.org/docs.html"),
    ("'http', ${none}, '::1', 8080, '/', 'a=b', ${none}", "http://[::1]:8080/?a=b"),
    ("'file', ${none}, ${none}, -1, '/tmp/a b', ${none}, ${none}", "file:/tmp/a%20b"),
])
def test_get_uri(args: str, expected: str) -> None:
    check("${getUri(" + args + ")}", {}, expected)


def test_get_uri_needs_a_numeric_port() -> None:
    with pytest.raises(ExpressionError, match="the port 'x' is not a number"):
        evaluate("${getUri('http', ${n}, 'h', 'x', '/', ${n}, ${n})}", {})
    with pytest.raises(ExpressionError, match="takes 7 arguments"):
        compile("${getUri('http')}")
