"""Invalid expressions raise ExpressionError pointing at the right place, with a caret."""

from __future__ import annotations

import pytest

from nifi_like.expression import ExpressionError, compile, evaluate, validate


def test_issue_example_message() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile("${filename:toUpperr()}")
    assert caught.value.position == 10
    assert str(caught.value) == "Unknown function 'toUpperr' at position 10:\n${filename:toUpperr()}\n          ^"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("text", "position", "reason"), [
    ("${filename:toUpperr()}", 10, "Unknown function 'toUpperr'"),
    ("prefix ${a:substring(1, 2, 3)} suffix", 11, "Function 'substring' takes 1 to 2 arguments but 3 were given"),
    ("${a:append()}", 4, "Function 'append' takes 1 argument but 0 were given"),
    ("${toUpper()}", 2, "Function 'toUpper' needs a subject"),
    ("${nosuch()}", 2, "Unknown function 'nosuch'"),
    ("${a:UUID()}", 3, "Function 'UUID' does not take a subject"),
    ("${a:anyAttribute('x')}", 3, "Function 'anyAttribute' does not take a subject"),
    ("${a:indexOf(length())}", 12, "Expected an argument but found 'length'"),
    ("${a:substring(1 2)}", 16, "Expected ',' or ')' but found '2'"),
    ("${a b}", 4, "':' and a function, or '}' to close the expression"),
    ("${a:}", 4, "Expected a function name after ':'"),
    ("${}", 2, "Expected an attribute name or a function but found '}'"),
    ("${a:toUpper}", 11, "Expected '(' after 'toUpper'"),
    ("${a:toUpper(}", 12, "Expected an argument but found '}'"),
    ("${a:equals('x)}", 0, "Expression is not closed"),  # NiFi's scanner stops at the open quote
    ("x ${a:equals(99999999999999999999)}", 13, "does not fit in a Java long"),
    ("${a:replaceAll('(', 'x')}", 4, "replaceAll(): "),
    ("${a:plus(true)}", 4, "plus(): Cannot convert a Boolean to a Number"),
    ("${a:toNumber():and(true)}", 15, "and(): Cannot convert a Whole Number to a Boolean"),
    ("line one\n${a:\n  bad()}", 12, "Unknown function 'bad'"),
    ("${a:append('x') # comment without end}", 16, "Comment is not ended by a new line"),
    ("${a:equals(${b:nope()})}", 14, "Unknown function 'nope'"),
    ("${a:equals('${b:nope()}')}", 15, "Unknown function 'nope'"),
    ("${#{bad$name}}", 4, "Invalid parameter name"),
    ("${a:append('x'))}", 15, "Expected ':' and a function, or '}'"),
])
def test_invalid_expression_position(text: str, position: int, reason: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        validate(text)
    error = caught.value
    assert error.position == position, str(error)
    assert reason in error.reason
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start: line_end if line_end >= 0 else len(text)]
    assert str(error).endswith(f"\n{line}\n{' ' * (position - line_start)}^")


def test_caret_under_a_tab_keeps_alignment() -> None:
    with pytest.raises(ExpressionError) as caught:
        validate("\t${a:nope()}")
    assert str(caught.value).endswith("\t${a:nope()}\n\t   ^")


def test_unclosed_expression_is_reported_by_validate_only() -> None:
    assert evaluate("cost: ${5", {}) == "cost: ${5"
    with pytest.raises(ExpressionError) as caught:
        validate("cost: ${5")
    assert caught.value.position == 6


def test_missing_parameter_is_an_evaluation_error() -> None:
    expression = compile("id=#{missing}")
    with pytest.raises(ExpressionError, match="Parameter 'missing' is not defined") as caught:
        expression.evaluate({}, parameters={"other": "x"})
    assert caught.value.position == 3
    with pytest.raises(ExpressionError, match="Parameter 'p' is not defined"):
        evaluate("${#{p}:toUpper()}", {})


def test_evaluation_error_points_at_the_function() -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate("value: ${a:divide(0)}", {"a": "1"})
    assert caught.value.position == 11
    assert "divide(): / by zero" in str(caught.value)
