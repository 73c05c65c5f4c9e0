"""Property-based tests (hypothesis) of the Expression Language's invariants."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nifi_like.expression import compile, evaluate
from nifi_like.expression.values import LONG_MAX, LONG_MIN, java_double_str, wrap_long

plain_text = st.text().filter(lambda t: "${" not in t and "#{" not in t and "$$" not in t)
attribute_value = st.text(alphabet=st.characters(codec="utf-8"))
longs = st.integers(min_value=LONG_MIN, max_value=LONG_MAX)


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(plain_text)
def test_text_without_expressions_round_trips(text: str) -> None:
    expression = compile(text)
    assert expression.is_literal
    assert expression.evaluate({}) == text


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.text(alphabet="ab ${}#", max_size=12))
def test_compiled_and_one_shot_evaluation_agree(text: str) -> None:
    try:
        expected = evaluate(text, {"a": "A", "b": "B"})
    except ValueError:
        return
    assert compile(text).evaluate({"a": "A", "b": "B"}) == expected


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.text(alphabet=st.characters(blacklist_characters="${}'\"\\#\n\r\t"), max_size=20))
def test_double_dollar_escapes_an_expression(text: str) -> None:
    assert evaluate("$${" + text + "}", {text: "value"}) == "${" + text + "}"


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(attribute_value, attribute_value)
def test_append_prepend_and_length(value: str, suffix: str) -> None:
    attributes = {"v": value, "s": suffix}
    assert evaluate("${v:append(${s})}", attributes) == value + suffix
    assert evaluate("${v:prepend(${s})}", attributes) == suffix + value
    assert evaluate("${v:append(${s}):length()}", attributes) == str(len(value) + len(suffix))
    assert evaluate("${v:append(${s}):startsWith(${v})}", attributes) == "true"
    assert evaluate("${v:append(${s}):endsWith(${s})}", attributes) == "true"


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(attribute_value)
def test_attribute_reference_returns_the_value(value: str) -> None:
    assert evaluate("${v}", {"v": value}) == value
    assert evaluate("${'v'}", {"v": value}) == value
    assert evaluate("${v:toUpper():toLower()}", {"v": value}) == value.upper().lower()


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(longs, longs)
def test_long_arithmetic_matches_java(x: int, y: int) -> None:
    attributes = {"x": str(x), "y": str(y)}
    assert evaluate("${x:plus(${y})}", attributes) == str(wrap_long(x + y))
    assert evaluate("${x:minus(${y})}", attributes) == str(wrap_long(x - y))
    assert evaluate("${x:multiply(${y})}", attributes) == str(wrap_long(x * y))
    if y != 0:
        quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        assert evaluate("${x:divide(${y})}", attributes) == str(wrap_long(quotient))
        assert evaluate("${x:mod(${y})}", attributes) == str(x - quotient * y)
    assert evaluate("${x:gt(${y})}", attributes) == str(x > y).lower()


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_to_string_parses_back(value: float) -> None:
    text = java_double_str(value)
    assert float(text) == value
    assert "." in text


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
       st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_decimal_arithmetic_matches_doubles(x: float, y: float) -> None:
    attributes = {"x": repr(x), "y": repr(y)}
    assert evaluate("${x:toDecimal():plus(${y:toDecimal()})}", attributes) == java_double_str(x + y)
    assume(y != 0.0)
    assert evaluate("${x:toDecimal():divide(${y:toDecimal()})}", attributes) == java_double_str(x / y)
    assert evaluate("${x:toDecimal():mod(${y:toDecimal()})}", attributes) == java_double_str(math.fmod(x, y))


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(longs, st.integers(min_value=2, max_value=36))
def test_radix_round_trip(value: int, radix: int) -> None:
    attributes = {"v": str(value), "r": str(radix)}
    assert evaluate("${v:toRadix(${r}):fromRadix(${r})}", attributes) == str(value)


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.lists(st.text(alphabet="abc;", max_size=5), max_size=6))
def test_delineated_count_matches_java_split(parts: list[str]) -> None:
    value = ";".join(parts)
    expected = value.split(";")
    while len(expected) > 1 and expected[-1] == "":
        expected.pop()
    if value and all(p == "" for p in expected):
        expected = []
    assert evaluate("${allDelineatedValues(${v}, ';'):count()}", {"v": value}) == str(len(expected))


fragments = st.sampled_from([
    "${", "}", "$", "$$", "#{p}", "##{", "'", '"', "\\", ":", "(", ")", ",", " ", "\n", "#", "a", "b.c", "1", "-2",
    "3.5", "true", "toUpper()", "append('x')", "substring(1", "equals(", "plus(1)", "anyAttribute('a')",
    "count()", "join(',')", "format('yyyy')", "toDate()", "now()", "literal(", "jsonPath('$.a')", "isNull()",
    "matches('[')", "divide(0)", "replaceAll('a', '$1')", "allMatchingAttributes('.*')", "getStateValue('s')",
])


@settings(deadline=None)  # timing varies on a shared machine; correctness does not
@given(st.lists(fragments, max_size=12).map("".join))
def test_arbitrary_text_compiles_or_raises_expression_error(text: str) -> None:
    try:
        expression = compile(text)
    except ValueError as exc:
        assert type(exc).__name__ == "ExpressionError"
        return
    try:
        expression.evaluate({"a": "1", "b.c": "x"}, parameters={"p": "v"}, state={"s": "t"})
    except ValueError as exc:
        assert type(exc).__name__ == "ExpressionError"
