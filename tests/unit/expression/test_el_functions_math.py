"""Mathematical functions: Java long and double semantics, radix, math(), random()."""

from __future__ import annotations

import pytest

from nifi_like.expression import ExpressionError, evaluate

from .expression_helpers import check

NUMBERS = {"fileSize": "100", "hex": "1234A", "dec": "2.5", "neg": "-7", "max": "9223372036854775807",
           "min": "-9223372036854775808", "one": "1", "big": "1024", "text": "abc"}


@pytest.mark.parametrize(("text", "expected"), [
    ("${fileSize:plus(1000)}", "1100"),
    ("${fileSize:plus(-1000)}", "-900"),
    ("${fileSize:plus(${one})}", "101"),
    ("${fileSize:minus(100000)}", "-99900"),
    ("${fileSize:multiply(1024)}", "102400"),
    ("${fileSize:divide(12)}", "8"),
    ("${fileSize:mod(12)}", "4"),
    ("${neg:divide(2)}", "-3"),
    ("${neg:mod(3)}", "-1"),
    ("${literal(7):mod(-3)}", "1"),
    ("${fileSize:divide(8.0)}", "12.5"),
    ("${fileSize:toDecimal():divide(8)}", "12.5"),
    ("${fileSize:plus(0.5)}", "100.5"),
    ("${dec:multiply(2)}", "5.0"),
    ("${dec:plus(${dec})}", "5.0"),
    ("${dec:mod(1)}", "0.5"),
    ("${literal(-2.5):mod(1)}", "-0.5"),
    ("${max:plus(1)}", "-9223372036854775808"),
    ("${min:minus(1)}", "9223372036854775807"),
    ("${max:multiply(2)}", "-2"),
    ("${min:divide(-1)}", "-9223372036854775808"),
    ("${literal(1):divide(0.0)}", "Infinity"),
    ("${literal(-1):divide(0.0)}", "-Infinity"),
    ("${literal(0):divide(0.0)}", "NaN"),
    ("${dec:mod(0)}", "NaN"),
    ("${missing:plus(1)}", ""),
    ("${text:plus(1)}", ""),
    ("${fileSize:plus(${text})}", ""),
    ("${big:toRadix(10)}", "1024"),
    ("${big:toRadix(36)}", "sg"),
    ("${big:toRadix(36, 10)}", "00000000sg"),
    ("${big:toRadix(2)}", "10000000000"),
    ("${big:toRadix(16, 16)}", "0000000000000400"),
    ("${neg:toRadix(2)}", "-111"),
    ("${hex:fromRadix(11)}", "17720"),
    ("${hex:fromRadix(16)}", "74570"),
    ("${hex:fromRadix(20)}", "177290"),
    ("${neg:fromRadix(10)}", "-7"),
    ("${dec:toNumber()}", "2"),
    ("${literal(-2.9):toNumber()}", "-2"),
    ("${fileSize:toDecimal()}", "100.0"),
    ("${literal(' 42 '):toNumber()}", "42"),
    ("${literal('1e3'):toNumber()}", "1000"),
    ("${literal('12345678.9'):toDecimal()}", "1.23456789E7"),
    ("${literal('0.0001'):toDecimal()}", "1.0E-4"),
    ("${literal('-0.0'):toDecimal()}", "-0.0"),
    ("${text:toNumber()}", ""),
    ("${dec:math('floor')}", "2.0"),
    ("${dec:math('round')}", "3"),
    ("${literal(-2.5):math('round')}", "-2"),
    ("${dec:math('ceil')}", "3.0"),
    ("${literal(-64):math('abs')}", "64"),
    ("${big:toDecimal():math('sqrt')}", "32.0"),
    ("${big:toDecimal():math('log10')}", "3.010299956639812"),
    ("${literal(0):toDecimal():math('log')}", "-Infinity"),
    ("${literal(-1):toDecimal():math('sqrt')}", "NaN"),
    ("${literal(2):toDecimal():math('pow', 2.5)}", "5.656854249492381"),
    ("${fileSize:math('max', 500)}", "500"),
    ("${fileSize:math('floorMod', -7)}", "-5"),
    ("${fileSize:math('multiplyExact', 3)}", "300"),
])
def test_math(text: str, expected: str) -> None:
    check(text, NUMBERS, expected)


@pytest.mark.parametrize(("text", "reason"), [
    ("${fileSize:divide(0)}", "/ by zero"),
    ("${fileSize:mod(0)}", "/ by zero"),
    ("${max:math('incrementExact')}", "long overflow"),
    ("${big:math('sqrt')}", "one argument of type: 'long'"),
    ("${big:toRadix(37)}", "the radix must be between 2 and 36"),
    ("${text:fromRadix(10)}", "is not a number in radix 10"),
    ("${literal('99999999999999999999'):toNumber()}", "out of the range of a Java long"),
])
def test_math_errors(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        evaluate(text, NUMBERS)


def test_random_is_a_non_negative_long() -> None:
    values = {int(evaluate("${random()}", {})) for _ in range(50)}
    assert len(values) == 50
    assert all(0 <= v < 2**63 for v in values)


def test_math_random_is_a_decimal_in_unit_interval() -> None:
    for _ in range(50):
        assert 0.0 <= float(evaluate("${math('random')}", {})) < 1.0
