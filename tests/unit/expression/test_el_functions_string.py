"""String manipulation functions, mostly the examples of NiFi's Expression Language Guide."""

from __future__ import annotations

import pytest

from nifi_like.expression import ExpressionError, evaluate

from .expression_helpers import check

GUIDE = {"filename": "a brand new filename.txt", "spaces": "   a brand new filename.txt   ",
         "nullAttr": None, "empty": "", "blank": " \t ", "str": "abc", "greetings": "hello",
         "query": "SELECT * FROM TABLE WHERE ID = ${id}", "id": "20", "short": "filename.txt"}
ATTRS = {k: v for k, v in GUIDE.items() if v is not None}


@pytest.mark.parametrize(("text", "expected"), [
    ("${filename:toUpper()}", "A BRAND NEW FILENAME.TXT"),
    ("${filename:toUpper():toLower()}", "a brand new filename.txt"),
    ("${missing:toUpper()}", ""),
    ("${spaces:trim()}", "a brand new filename.txt"),
    (r"${literal('\t x \n'):trim()}", "x"),
    ("${filename:substring(0,1)}", "a"),
    ("${filename:substring(2)}", "brand new filename.txt"),
    ("${filename:substring(12)}", "filename.txt"),
    ("${filename:substring( ${filename:length():minus(2)} )}", "xt"),
    ("${filename:substring('2', '7')}", "brand"),
    ("${missing:substring(1)}", ""),
    ("${filename:substringBefore('.')}", "a brand new filename"),
    ("${filename:substringBefore(' ')}", "a"),
    ("${filename:substringBefore(' n')}", "a brand"),
    ("${filename:substringBefore('missing')}", "a brand new filename.txt"),
    ("${filename:substringBeforeLast('.')}", "a brand new filename"),
    ("${filename:substringBeforeLast(' ')}", "a brand new"),
    ("${filename:substringBeforeLast(' n')}", "a brand"),
    ("${filename:substringBeforeLast('missing')}", "a brand new filename.txt"),
    ("${filename:substringAfter('.')}", "txt"),
    ("${filename:substringAfter(' ')}", "brand new filename.txt"),
    ("${filename:substringAfter(' n')}", "ew filename.txt"),
    ("${filename:substringAfter('missing')}", "a brand new filename.txt"),
    ("${filename:substringAfterLast('.')}", "txt"),
    ("${filename:substringAfterLast(' ')}", "filename.txt"),
    ("${filename:substringAfterLast(' n')}", "ew filename.txt"),
    ("${filename:substringAfterLast('missing')}", "a brand new filename.txt"),
    ("${filename:substringBefore(${str})}", "a brand new filename.txt"),
    ("${filename:append('.gz')}", "a brand new filename.txt.gz"),
    ("${missing:append('.gz')}", ".gz"),
    ("${filename:append(${missing})}", "a brand new filename.txt"),
    ("${short:prepend('a brand new ')}", "a brand new filename.txt"),
    ("${short:prepend(${str})}", "abcfilename.txt"),
    ("${filename:replace('.', '_')}", "a brand new filename_txt"),
    ("${filename:replace(' ', '.')}", "a.brand.new.filename.txt"),
    ("${filename:replace('XYZ', 'ZZZ')}", "a brand new filename.txt"),
    ("${filename:replace('filename', 'book')}", "a brand new book.txt"),
    ("${filename:replaceFirst('a', 'the')}", "the brand new filename.txt"),
    ("${filename:replaceFirst('[br]', 'g')}", "a grand new filename.txt"),
    ("${filename:replaceFirst('XYZ', 'ZZZ')}", "a brand new filename.txt"),
    (r"${filename:replaceFirst('\w{8}', 'book')}", "a brand new book.txt"),
    (r"${filename:replaceAll('\..*', '')}", "a brand new filename"),
    ("${filename:replaceAll('a brand (new)', '$1')}", "new filename.txt"),
    ("${filename:replaceAll('XYZ', 'ZZZ')}", "a brand new filename.txt"),
    ("${filename:replaceAll('brand (new)', 'somewhat $1')}", "a somewhat new filename.txt"),
    (r"${filename:replaceAll('(?<word>br)and', '[$1]')}", "a [br] new filename.txt"),
    (r"${filename:replaceAll('new', '\$5')}", "a brand $5 filename.txt"),
    ("${filename:replaceAll('(a)(b)?', '<$2>')}", "<> br<>nd new filen<>me.txt"),
    ("${filename:replaceNull('abc')}", "a brand new filename.txt"),
    ("${nullAttr:replaceNull('abc')}", "abc"),
    ("${filename:replaceEmpty('abc')}", "a brand new filename.txt"),
    ("${empty:replaceEmpty('abc')}", "abc"),
    ("${blank:replaceEmpty('abc')}", "abc"),
    ("${nullAttr:replaceEmpty('abc')}", "abc"),
    ("${filename:length()}", "24"),
    ("${nullAttr:length()}", "0"),
    ("${query:evaluateELString()}", "SELECT * FROM TABLE WHERE ID = 20"),
    ("${str:repeat(1)}", "abc"),
    ("${str:repeat(2)}", "abcabc"),
    ("${str:repeat( ${str:length()} )}", "abcabcabc"),
    ("${greetings:padLeft(10)}", "_____hello"),
    ("${greetings:padLeft(10, '@')}", "@@@@@hello"),
    ("${greetings:padLeft(10, 'xy')}", "xyxyxhello"),
    ("${greetings:padLeft(10, 'aVeryLongPaddingString')}", "aVeryhello"),
    ("${greetings:padRight(10)}", "hello_____"),
    ("${greetings:padRight(10, '@')}", "hello@@@@@"),
    ("${greetings:padRight(10, 'xy')}", "helloxyxyx"),
    ("${greetings:padRight(10, 'aVeryLongPaddingString')}", "helloaVery"),
    ("${greetings:padLeft(7, '')}", "  hello"),
    ("${greetings:padRight(7, ${missing})}", "hello"),
    ("${filename:toString()}", "a brand new filename.txt"),
    ("${literal(12):toString():length()}", "2"),
    ("${filename:getDelimitedField(0, ' ')}", ""),
    ("${filename:getDelimitedField(2, ' ')}", "brand"),
    ("${filename:getDelimitedField(4, ' ')}", "filename.txt"),
    ("${filename:getDelimitedField(5, ' ')}", ""),
])
def test_string_function(text: str, expected: str) -> None:
    check(text, ATTRS, expected)


@pytest.mark.parametrize("text", [
    "${str:repeat(1, 2)}", "${str:repeat('1', '2')}",
])
def test_repeat_range(text: str) -> None:
    assert {evaluate(text, ATTRS) for _ in range(200)} == {"abc", "abcabc"}


@pytest.mark.parametrize("text", [
    "${filename:replaceAll('(', 'x')}",  # a bad constant regex fails at compile time
])
def test_bad_regex_is_rejected(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, ATTRS)
    assert caught.value.position == 11


@pytest.mark.parametrize("text", [
    "${filename:replaceAll('a', '$2')}",  # no group 2
    "${filename:replaceAll(${bad}, 'x')}",  # a bad regex from an attribute fails when evaluated
    r"${filename:replaceAll('a', 'x\\')}",
])
def test_bad_replacement_is_an_evaluation_error(text: str) -> None:
    with pytest.raises(ExpressionError, match="replaceAll"):
        evaluate(text, {**ATTRS, "bad": "(["})


@pytest.mark.parametrize("text", [
    "${filename:getDelimitedField(1, ',', ',')}",
    "${filename:getDelimitedField(1, ',', '\"', '\"')}",
    "${filename:getDelimitedField(1, ';;')}",
    "${filename:getDelimitedField(${missing})}",
])
def test_get_delimited_field_rejects_bad_characters(text: str) -> None:
    with pytest.raises(ExpressionError, match="getDelimitedField"):
        evaluate(text, ATTRS)


def test_unicode_case_mapping_follows_java() -> None:
    check("${s:toUpper()}", {"s": "straße"}, "STRASSE")
