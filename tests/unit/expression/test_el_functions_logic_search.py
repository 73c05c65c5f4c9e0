"""Searching and boolean logic functions, with the Expression Language Guide's examples."""

from __future__ import annotations

import pytest

from .expression_helpers import check

FILE = {"filename": "a brand new filename.txt", "myEnum": "JOHN", "empty": "", "blank": "  ", "t": "true",
        "f": "false", "one": "1", "ten": "10", "dec": "1.5", "json": '{"a": 1}', "jsonList": "[1, 2]",
        "jsonText": '"quoted"', "notJson": "{broken"}


@pytest.mark.parametrize(("text", "expected"), [
    ("${filename:startsWith('a brand')}", "true"),
    ("${filename:startsWith('A BRAND')}", "false"),
    ("${filename:toUpper():startsWith('A BRAND')}", "true"),
    ("${filename:startsWith('')}", "true"),
    ("${missing:startsWith('')}", "false"),
    ("${filename:endsWith('txt')}", "true"),
    ("${filename:endsWith('TXT')}", "false"),
    ("${filename:toUpper():endsWith('TXT')}", "true"),
    ("${filename:endsWith('')}", "true"),
    ("${filename:contains('new')}", "true"),
    ("${filename:contains('NEW')}", "false"),
    ("${filename:toUpper():contains('NEW')}", "true"),
    ("${filename:contains('')}", "true"),
    ("${filename:contains(${missing})}", "false"),
    ("${myEnum:in('PAUL', 'JOHN', 'MIKE')}", "true"),
    ("${myEnum:in('RED', 'GREEN', 'BLUE')}", "false"),
    ("${myEnum:in(${myEnum})}", "true"),
    ("${missing:in('JOHN')}", "false"),
    ("${filename:find('a [Bb]rand [Nn]ew')}", "true"),
    ("${filename:find('Brand.*')}", "false"),
    ("${filename:find('brand')}", "true"),
    ("${filename:matches('a.*txt')}", "true"),
    ("${filename:matches('brand')}", "false"),
    ("${filename:matches('.+brand.+')}", "true"),
    (r"${filename:matches('\p{Lower}[\p{Lower} ]+\.txt')}", "true"),
    (r"${filename:matches('\Qa brand\E.*')}", "true"),
    ("${filename:indexOf('a.*txt')}", "-1"),
    ("${filename:indexOf('.')}", "20"),
    ("${filename:indexOf('a')}", "0"),
    ("${filename:indexOf(' ')}", "1"),
    ("${filename:lastIndexOf('a.*txt')}", "-1"),
    ("${filename:lastIndexOf('.')}", "20"),
    ("${filename:lastIndexOf('a')}", "17"),
    ("${filename:lastIndexOf(' ')}", "11"),
    ("${missing:indexOf('a')}", "-1"),
    ("${json:isJson()}", "true"),
    ("${jsonList:isJson()}", "true"),
    ("${jsonText:isJson()}", "false"),
    ("${notJson:isJson()}", "false"),
    ("${missing:isJson()}", "false"),
])
def test_searching(text: str, expected: str) -> None:
    check(text, FILE, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${filename:isNull()}", "false"),
    ("${missing:isNull()}", "true"),
    ("${filename:notNull()}", "true"),
    ("${missing:notNull()}", "false"),
    ("${empty:isEmpty()}", "true"),
    ("${blank:isEmpty()}", "true"),
    ("${missing:isEmpty()}", "true"),
    ("${filename:isEmpty()}", "false"),
    ("${filename:equals('a brand new filename.txt')}", "true"),
    ("${filename:equals('A BRAND NEW FILENAME.TXT')}", "false"),
    ("${filename:equalsIgnoreCase('A BRAND NEW FILENAME.TXT')}", "true"),
    ("${missing:equals('')}", "false"),
    ("${missing:equalsIgnoreCase('')}", "false"),
    ("${one:toNumber():equals(1)}", "true"),
    ("${one:toNumber():equals('1')}", "true"),
    ("${one:toDecimal():equals('1.0')}", "true"),
    ("${one:toDecimal():equals(1)}", "false"),
    ("${t:toString():equals(true)}", "true"),
    ("${literal(1000):toDate():equals(1000)}", "true"),
    ("${one:plus(1):equals(${dec:plus(0.5)})}", "false"),
    ("${literal('NaN'):toDecimal():equals(${literal('NaN'):toDecimal()})}", "true"),
    ("${literal('0.0'):toDecimal():equals(${literal('-0.0'):toDecimal()})}", "false"),
    ("${ten:gt(9)}", "true"),
    ("${ten:gt(10)}", "false"),
    ("${ten:ge(10)}", "true"),
    ("${ten:lt(10.5)}", "true"),
    ("${ten:le(9.99)}", "false"),
    ("${dec:gt(${one})}", "true"),
    ("${missing:gt(1)}", "false"),
    ("${ten:lt(${missing})}", "false"),
    ("${filename:gt(1)}", "false"),
    ("${t:and(${f})}", "false"),
    ("${t:and(${t})}", "true"),
    ("${t:or(${f})}", "true"),
    ("${f:or(false)}", "false"),
    ("${t:not()}", "false"),
    ("${f:not()}", "true"),
    ("${filename:not()}", "true"),
    ("${missing:not()}", ""),
    ("${t:ifElse('yes', 'no')}", "yes"),
    ("${f:ifElse('yes', 'no')}", "no"),
    ("${filename:contains('new'):ifElse(${myEnum}, 'no')}", "JOHN"),
    ("${missing:ifElse('yes', 'no')}", "no"),
    ("${literal(true):ifElse(1, 2.5)}", "1"),
    ("${literal(false):ifElse(1, 2.5)}", "2.5"),
])
def test_boolean_logic(text: str, expected: str) -> None:
    check(text, FILE, expected)


def test_and_or_short_circuit_the_right_side() -> None:
    # A failing right-hand side is not evaluated when the left side decides the result.
    check("${f:and(${x:jsonPath('$.a')})}", FILE, "false")
    check("${t:or(${x:jsonPath('$.a')})}", FILE, "true")
