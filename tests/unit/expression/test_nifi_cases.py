"""NiFi's own Expression Language test cases, ported.

Source: apache/nifi, nifi-commons/nifi-expression-language/src/test/java/org/apache/nifi/
attribute/expression/language/TestQuery.java (the versions with parameter, jsonPath update,
padLeft/padRight, repeat, hash and UUID3/UUID5 tests). Java string literals are written here
as the Expression Language text they denote (raw strings), and ``verifyEquals(expr, attrs,
expected)`` becomes ``check(expr, attrs, String.valueOf(expected))``.
"""

from __future__ import annotations

import math
import re
import threading
import time
from datetime import datetime

import pytest

from nifi_like.expression import ExpressionError, compile, evaluate, validate
from nifi_like.expression.javatime import date_to_string, default_zone
from nifi_like.expression.template import expression_ranges
from nifi_like.expression.values import java_double_str

from .expression_helpers import check


def j(value: float) -> str:
    """String.valueOf(double)."""
    return java_double_str(value)


# ---- testCompilation ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "${UUID()}", "${attr:UUID3('94c09378-43a6-11ea-8bcc-acde48001122')}",
    "${attr:UUID5('94c09378-43a6-11ea-8bcc-acde48001122')}", "${nextInt()}",
    "${now():format('yyyy/MM/dd')}", "${attr:toNumber():multiply(3)}", "${hostname()}", "${literal(3)}",
    "${random()}", "${getStateValue('the_count')}", "${attr:padLeft(10, '#')}", "${attr:padRight(10, '#')}",
    "${attr:padLeft(10)}", "${attr:padRight(10)}",
])
def test_compilation_valid(text: str) -> None:
    validate(text)


@pytest.mark.parametrize("text", [
    "${attr:uuid()}", "${attr:indexOf(length())}", "${UUID():nextInt()}",
    "${UUID3('94c09378-43a6-11ea-8bcc-acde48001122', attr)}",
    "${UUID5('94c09378-43a6-11ea-8bcc-acde48001122', attr)}", "${attr:times(3)}",
    "${allAttributes( 'a.1' ):plus(1)}",  # testCannotCombineWithNonReducingFunction
    "${allMatchingAttributes('a.*'):contains('2'):count():gt(2)}",  # testFunctionAfterReduce
    "${allAttributes('#ah'):equals('hello')",  # testAllAttributes: not closed
])
def test_compilation_invalid(text: str) -> None:
    with pytest.raises(ExpressionError):
        validate(text)


# ---- testPrepareWithEscapeChar / testEscape -----------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("${foo}$${foo}$$${foo}", "bar${foo}$bar"),
    ("$${foo}", "${foo}"),
    ("${foo}$${foo}", "bar${foo}"),
    ("$${foo}$${bar}", "${foo}${bar}"),
    ("foo$${foo}bar$${bar}", "foo${foo}bar${bar}"),
    ("foo${foo}$${foo}bar${bar}$${bar}", "foobar${foo}bar${bar}"),
])
def test_prepare_with_escape_char(text: str, expected: str) -> None:
    check(text, {"foo": "bar"}, expected)


ESCAPE_ATTRIBUTES = {"abc": "xyz", "xyz": "hello", "$xyz": "good-bye", "${abc}": "good-bye"}


@pytest.mark.parametrize(("text", "expected"), [
    ("$$$$${abc}", "$$xyz"),
    ("${abc}", "xyz"),
    ("$${abc}", "${abc}"),
    ("$$${abc}", "$xyz"),
    ("$$$${abc}", "$${abc}"),
    ("Unescaped $$${5 because no closing brace", "Unescaped $$${5 because no closing brace"),
    ("Unescaped $$${'5'} because no closing brace", "Unescaped $ because no closing brace"),
    ("I owe you $5", "I owe you $5"),
    ("You owe me $$5 too", "You owe me $$5 too"),
    ("${abc} owes me $5", "xyz owes me $5"),
    ("${abc} owes me ${5", "xyz owes me ${5"),
    ("${abc} owes me ${'5'}", "xyz owes me "),
    ("${abc} owes me $$${'5'}", "xyz owes me $"),
    ("${literal('SNAP$$$$$$$$$')}", "SNAP$$$$$$$$$"),
    ("${literal('SNAP$$')}", "SNAP$$"),
    ("${${abc}}", "hello"),
    ("${'$$${abc}'}", "good-bye"),
    ("${'$xyz'}", "good-bye"),
])
def test_escape(text: str, expected: str) -> None:
    check(text, ESCAPE_ATTRIBUTES, expected)


def test_is_valid_expression() -> None:
    validate("${abc:substring(${xyz:length()})}")
    validate("${now():format('yyyy-MM-dd')}")
    validate("$${attr}")
    validate("${filename:startsWith('T8MTXBC')\n:or( ${filename:startsWith('C4QXABC')} )\n"
             ":or( ${filename:startsWith('U6CXEBC')} ):or( ${filename:startsWith('KYM3ABC')} )}")


def test_string_el() -> None:
    attrs = {"employee.gender": "male  ", "employee.name": "Harry Potter", "id": "1234",
             "sql.query": "SELECT * FROM table WHERE ID = ${id}"}
    check("${sql.query:evaluateELString()}", attrs, "SELECT * FROM table WHERE ID = 1234")
    check("${employee.name:evaluateELString()}", attrs, "Harry Potter")
    check("${employee.name:evaluateELString():toUpper()}", attrs, "HARRY POTTER")
    check("${employee.gender:trim():evaluateELString()}", attrs, "male")


def test_compile_embedded() -> None:
    check("${x:equals( ${y} )}", {"x": "x", "y": "x"}, "true")


def test_with_back_slashes() -> None:
    query = r"${x:substringAfterLast( '/' ):substringAfterLast( '\\' )}"
    check(query, {"x": r"C:\test\1.txt"}, "1.txt")
    check(query, {"x": "C:/test/1.txt"}, "1.txt")
    check(r"${y:equals('y\ny')}", {"y": "y\ny"}, "true")


def test_with_ticks_outside() -> None:
    assert len(expression_ranges("\"${attr}")) == 1
    assert len(expression_ranges("'${attr}")) == 1
    assert len(expression_ranges("'${attr}'")) == 1
    assert len(expression_ranges("${attr}")) == 1
    check("'${attr}'", {"attr": "My Value"}, "'My Value'")
    check("'${attr}", {"attr": "My Value"}, "'My Value")


# ---- dates -------------------------------------------------------------------------------


def test_date_to_number() -> None:
    check("${dateTime:toDate('yyyy/MM/dd HH:mm:ss.SSS', 'America/New_York'):toNumber()}",
          {"dateTime": "2013/11/18 10:22:27.678"}, "1384788147678")


def test_add_one_day_to_date() -> None:
    attrs = {"dateTime": "2013/11/18 10:22:27.678"}
    check("${dateTime:toDate('yyyy/MM/dd HH:mm:ss.SSS'):toNumber():plus(86400000):toDate()"
          ":format('yyyy/MM/dd HH:mm:ss.SSS')}", attrs, "2013/11/19 10:22:27.678")
    check("${dateTime:toDate('yyyy/MM/dd HH:mm:ss.SSS'):plus(86400000):format('yyyy/MM/dd HH:mm:ss.SSS')}",
          attrs, "2013/11/19 10:22:27.678")


def test_implicit_date_conversion() -> None:
    # @Ignore'd in NiFi ("requires specific locale"); our locale is fixed, so it runs here.
    millis = int(datetime(2020, 2, 3, 4, 5, 6, tzinfo=default_zone()).timestamp()) * 1000
    check("${dateTime:format('yyyy/MM/dd HH:mm:ss.SSS')}", {"dateTime": date_to_string(millis + 789)},
          "2020/02/03 04:05:06.000")


def test_escape_quotes() -> None:
    timestamp = 1403620278642
    fmt = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
    query = 'startDateTime="${date:toNumber():toDate():format("' + fmt + '")}"'
    moment = datetime.fromtimestamp(timestamp / 1000, default_zone())
    expected_time = moment.strftime("%Y-%m-%dT%H:%M:%S") + ".642Z"
    check(query, {"date": str(timestamp)}, f'startDateTime="{expected_time}"')
    assert len(expression_ranges(query)) == 1


@pytest.mark.parametrize("text", [
    "${date:format('yyyy')}", "${date:toDate():format('yyyy')}", "${date:toNumber():format('yyyy')}",
    "${date:toNumber():toDate():format('yyyy')}", "${date:toDate():toNumber():format('yyyy')}",
    "${date:toDate():toNumber():toDate():toNumber():toDate():toNumber():format('yyyy')}",
])
def test_date_conversion(text: str) -> None:
    check(text, {"date": "1403620278642"}, "2014")


def test_date() -> None:
    now = time.time()
    year = datetime.fromtimestamp(now, default_zone()).year
    check("${entryDate:toNumber():toDate():format('yyyy')}", {"entryDate": str(int(now * 1000))}, str(year))
    check("${notExistingAtt:toDate()}", {}, "")
    attrs = {"month": "3", "day": "4", "year": "2013"}
    check("${year:append('/'):append(${month}):append('/'):append(${day}):toDate('yyyy/MM/dd'):format('D')}",
          attrs, "63")
    check("${year:append('/'):append('${month}'):append('/'):append('${day}'):toDate('yyyy/MM/dd'):format('D')}",
          attrs, "63")


def test_date_format_conversion() -> None:
    check("${blue:toDate('yyyyMMddHHmmss'):format(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\")}",
          {"blue": "20130917162643"}, "2013/09/17 16:26:43.000Z")


@pytest.mark.parametrize(("zone", "expected"), [
    ("GMT", "2013/09/17 16:26:43.000Z"), ("Europe/Paris", "2013/09/17 18:26:43.000Z"),
    ("America/Los_Angeles", "2013/09/17 09:26:43.000Z"),
])
def test_date_format_conversion_with_time_zone(zone: str, expected: str) -> None:
    check("${blue:toDate('yyyyMMddHHmmss', 'GMT'):format(\"yyyy/MM/dd HH:mm:ss.SSS'Z'\", '" + zone + "')}",
          {"blue": "20130917162643"}, expected)


def test_problematic1() -> None:
    compile("${xx:append( \"120101\" ):toDate( 'yyMMddHHmmss' ):format( \"yy-MM-dd’T’HH:mm:ss\") }")


def test_implicit_conversions() -> None:
    z = date_to_string(int(datetime(2014, 4, 4, 0, 0, 45, tzinfo=default_zone()).timestamp()) * 1000)
    attrs = {"A": "0123456789", "b": "true", "c": "false", "d": "Quick Brown Fox", "F": "-48",
             "n": "2014/04/04 00:00:00", "z": z}
    check("${A:plus(4)}", attrs, "123456793")
    check("${A:plus( ${F} )}", attrs, "123456741")
    check("${F:lt( ${A} )}", attrs, "true")
    check("${A:substring(2,3):plus(21):substring(1,2):plus(0)}", attrs, "3")
    check("${n:format( 'yyyy' )}", attrs, "2014")
    check("${z:format( 'yyyy' )}", attrs, "2014")
    attrs["n"] = "2014/04/04 00:00:00.045"
    check("${n:format( 'yyyy' ):append(','):append( ${n:format( 'SSS' )} )}", attrs, "2014,045")


# ---- embedded expressions and quoting ------------------------------------------------------


def test_embedded_expressions_and_quotes() -> None:
    attrs = {"x": "abc", "a": "abc"}
    check("${x:equals(${a})}", attrs, "true")
    check("${x:equals('${a}')}", attrs, "true")
    check('${x:equals("${a}")}', attrs, "true")


def test_parameter_reference() -> None:
    params = {"test": "unit"}
    check("${#{test}}", {}, "unit", parameters=params)
    check("${#{test}:append(' - '):append(#{test})}", {}, "unit - unit", parameters=params)


def test_parameter_reference_with_space() -> None:
    params = {"test param": "unit"}
    compile("${'#{test param}'}")
    check("${#{'test param'}}", {}, "unit", parameters=params)
    check("${#{'test param'}:append(' - '):append(#{'test param'})}", {}, "unit - unit", parameters=params)
    check('${#{"test param"}}', {}, "unit", parameters=params)


def test_join() -> None:
    attrs = {"a.a": "a", "a.b": "b", "a.c": "c"}
    check("${allAttributes( 'a.a', 'a.b', 'a.c' ):join(', ')}", attrs, "a, b, c")
    check("${x:join(', ')}", attrs, "")
    check("${a.a:join(', ')}", attrs, "a")
    check("${allAttributes( 'x', 'y' ):join(',')}", attrs, ",")


@pytest.mark.parametrize(("text", "expected"), [
    ("${a:isEmpty()}", "false"), ("${b:isEmpty()}", "true"), ("${c:isEmpty()}", "true"), ("${d:isEmpty()}", "true"),
    ("${a:replaceEmpty('c')}", "a"), ("${b:replaceEmpty('c')}", "c"), ("${c:replaceEmpty('c')}", "c"),
    ("${d:replaceEmpty('c')}", "c"),
])
def test_is_empty_and_replace_empty(text: str, expected: str) -> None:
    check(text, {"a": "a", "b": "", "c": "        \n"}, expected)


def test_count() -> None:
    attrs = {"a": "a", "b": "abc", "c": "        \n", "n1": "111", "n2": "222", "n3": "333333"}
    check("${allMatchingAttributes( '.*' ):count()}", attrs, "6")
    check("${allMatchingAttributes( '.*' ):length():gt(2):count()}", attrs, "5")
    check("${allMatchingAttributes( 'n.*' ):plus(1):count()}", attrs, "3")


def test_curly_braces_in_quotes() -> None:
    check("${attr:replaceAll('My (Val)ue{1,2}', '$1')}", {"attr": "My Valuee"}, "Val")
    check("${attr:replaceAll(\"My (Val)ue{1,2}\", '$1')}", {"attr": "My Valuee"}, "Val")


@pytest.mark.parametrize(("text", "attrs", "expected"), [
    ("${attr}", {"attr": "My Value"}, "My Value"),  # testGetAttributeValue
    ("${${attr:trim()}}", {"attr": "XX ", "XX": "My Value"}, "My Value"),  # testGetAttributeValueEmbedded
    ("${attr:substring(2, 5)}", {"attr": "My Value"}, " Va"),  # testSimpleSubstring
    ("${attr:trim():substring(2, 5)}", {"attr": "   My Value   "}, " Va"),
    ("${attr:trim():equals('XX')}", {"attr": " XX    "}, "true"),  # testEquals
    ("${x:or( ${${abc}:length():equals(1)} )}", {"x": "false", "abc": "a", "a": "a"}, "true"),  # testDeeplyEmbedded
    ("${A}", {"A": "0123456789"}, "0123456789"),  # testSingleLetterAttribute
    ("${'A'}", {"A": "0123456789"}, "0123456789"),
    ("${ 'a b c,d':equals('abc') }", {"a b c,d": "abc"}, "true"),  # testAttributeReferencesWithWhiteSpace
    ("${${attr:append('X'):prepend('Y')}}", {"attr": "XX", "YXXX": "bingo"}, "bingo"),  # testAppendPrepend
    ("${attr:isNull()}", {}, "true"),  # testIsNull
    ("${attr:notNull()}", {"attr": ""}, "true"),  # testNotNull
    ("${attr:replaceNull('hello')}", {}, "hello"),  # testReplaceNull
    ("${attr:replace('hell', 'yell')}", {"attr": "hello"}, "yello"),  # testReplace
    ("${attr:replaceAll('.*?(l+).*', '$1')}", {"attr": "hello"}, "ll"),  # testReplaceAllWithMatchingGroup
    ("${attr:indexOf('/')}", {"attr": "https://abc.go"}, "6"),  # testIndexOf
    ("${ab:notNull():not()}", {}, "true"),  # testNot
    ("${ 'UUID':toNumber():equals(123) }", {"UUID": "123"}, "true"),  # testKeywords
    ("${ abc:toNumber():equals(123) }", {"abc": "123"}, "true"),  # testEqualsNumber
    ("${userpass:base64Encode()}", {"userpass": "admin:admin"}, "YWRtaW46YWRtaW4="),
    ("${userpassbase64:base64Decode()}", {"userpassbase64": "YWRtaW46YWRtaW4="}, "admin:admin"),
    ("${literal(2):gt(1)}", {}, "true"),  # testLiteralFunction
    ("${literal('hello'):substring(0, 1):equals('h')}", {}, "true"),
    ("{ ${abc} }", {"abc": "xyz"}, "{ xyz }"),  # testEvaluateWithinCurlyBraces
    ("${ 'abc${b}cba':substring(0, 1) }", {"b": "x", "abcxcba": "hello"}, "h"),
])
def test_single_cases(text: str, attrs: dict[str, str], expected: str) -> None:
    check(text, attrs, expected)


def test_extract_expression_ranges() -> None:
    assert expression_ranges("${hello:equals( $${goodbye} )}")[0][1] == 29
    for text in ("hello", "${hello", "hello}", "$${hello", "$he{ll}o"):
        assert expression_ranges(text) == []
    assert expression_ranges("${hello}") == [(0, 7)]
    assert expression_ranges("${hello:equals( ${goodbye} )}") == [(0, 28)]
    assert expression_ranges("${hello:equals( $${goodbye} )}") == [(0, 29)]
    assert expression_ranges("${hello:equals( $${goodbye} )} or just hi, ${bob:or(${jerry})}") == [(0, 29), (43, 61)]
    assert expression_ranges("${hello:equals( ${goodbye} )} or just hi, ${bob}, are you ${bob.age:toNumber()} yet? "
                             "$$$${bob}") == [(0, 28), (42, 47), (58, 78)]
    assert expression_ranges("${x:matches( '.{4}' )}") == [(0, 21)]


def test_equals_embedded() -> None:
    attrs = {"x": "hello", "y": "good-bye"}
    check("${x:equals( ${y} )}", attrs, "false")
    attrs["y"] = "hello"
    check("${x:equals( ${y} )}", attrs, "true")
    attrs.update({"x": "4", "y": "3", "z": "1", "h": "100"})
    check("${x:toNumber():lt( ${y:toNumber():plus( ${h:toNumber()} )} )}", attrs, "true")
    check("${h:toNumber():ge( ${y:toNumber():plus( ${z:toNumber()} )} )}", attrs, "true")
    check("${x:toNumber():equals( ${y:toNumber():plus( ${z:toNumber()} )} )}", attrs, "true")
    attrs["x"] = "88"
    check("${x:toNumber():gt( ${y:toNumber():plus( ${z:toNumber()} )} )}", attrs, "true")
    attrs["y"] = "88"
    check("${x:equals( '${y}' )}", attrs, "true")


def test_complicated_embedded_expressions() -> None:
    check("${fox:substring( ${ 'dog' :substring(2):length()}, 5 ):equals( 'ick' )}",
          {"fox": "quick, brown", "dog": "lazy"}, "true")


@pytest.mark.parametrize("text", [
    r"""${xx:replaceAll( "'.*'", '\"hello\"' )}""",
    r"""${xx:replace( "'hi'", '\"hello\"' )}""",  # testDoubleQuotesWithinSingleQuotes
])
def test_quoting_quotes_hello(text: str) -> None:
    check(text, {"xx": "say 'hi'"}, 'say "hello"')


@pytest.mark.parametrize("text", [r"""${xx:replace( "'", '"')}""", r"""${xx:replace( '\'', '"')}"""])
def test_quoting_quotes_hi(text: str) -> None:
    check(text, {"xx": "say 'hi'"}, 'say "hi"')


def test_new_lines_and_tabs_in_query() -> None:
    query = "${ abc:equals('abc'):or( \n\t${xx:isNull()}\n) }"
    validate(query)
    check(query, {}, "true")


def test_comments() -> None:
    # TestQuery compiles the whole text as one expression (Query.compile); evaluate() follows
    # Query.evaluateExpressions, where text outside ${...} is literal, so the comment before the
    # expression stays in the output.
    expression = "# hello, world\n${# ref attr\n\tabc\t#end ref attr\n}"
    check(expression, {"abc": "xyz"}, "# hello, world\nxyz")
    check("${# ref attr\n\tabc\t#end ref attr\n}", {"abc": "xyz"}, "xyz")
    check("${abc:append('# hello') #good-bye \n}", {"abc": "xyz"}, "xyz# hello")


def test_is_null_or_length_equals_0() -> None:
    attrs = {"abc": "", "xyz": "xyz", "xx": "  "}
    check("${abc:isNull():or( ${abc:length():equals(0)} )}", attrs, "true")
    check("${xyz:isNull():or( ${xyz:length():equals(0)} )}", attrs, "false")
    check("${none:isNull():or( ${none:length():equals(0)} )}", attrs, "true")
    check("${xx:isNull():or( ${xx:trim():length():equals(0)} )}", attrs, "true")


def test_replace_all() -> None:
    attrs = {"attr": "hello", "xyz": "00-00TEST.2014_01_01_000000_value"}
    check(r'${xyz:replaceAll("^([^.]+)\\.([0-9]{4})_([0-9]{2})_([0-9]{2}).*$", "$3")}', attrs, "01")
    check("${attr:replaceAll('l+', 'r')}", attrs, "hero")
    attrs = {"filename1": "abc.gz", "filename2": "abc.g", "filename3": "abc.gz.gz", "filename4": "abc.gz.g",
             "abc": "hello world"}
    check(r"${filename3:replaceAll('\\\.gz$', '')}", attrs, "abc.gz.gz")
    check(r"${filename3:replaceAll('\\\\.gz$', '')}", attrs, "abc.gz.gz")
    check(r"${filename1:replaceAll('\.gz$', '')}", attrs, "abc")
    check(r"${filename2:replaceAll('\.gz$', '')}", attrs, "abc.g")
    check(r"${filename4:replaceAll('\\.gz$', '')}", attrs, "abc.gz.g")
    check("${abc:replaceAll( 'lo wor(ld)', '$0')}", attrs, "hello world")
    check("${abc:replaceAll( 'he(llo) world', '$1')}", attrs, "llo")
    check("${abc:replaceAll( 'xx', '$0')}", attrs, "hello world")
    check("${abc:replaceAll( '(xx)', '$1')}", attrs, "hello world")
    check("${abc:replaceAll( 'lo wor(ld)', '$1')}", attrs, "helld")


def test_replace_all_with_odd_number_of_backslash_pairs() -> None:
    attrs = {"filename": r"C:\temp\.txt"}
    check(r"${filename:replace('\\', '/')}", attrs, "C:/temp/.txt")
    check(r"${filename:replaceAll('\\\\', '/')}", attrs, "C:/temp/.txt")
    check(r"${filename:replaceAll('\\\.txt$', '')}", attrs, r"C:\temp")


# ---- math ----------------------------------------------------------------------------------


def test_math_whole_number_operations() -> None:
    attrs = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "hundred": "100"}
    check("${hundred:toNumber():multiply(${two}):divide(${three}):plus(${one}):mod(${five})}", attrs, "2")


def test_math_decimal_operations() -> None:
    attrs = {"first": "1.5", "second": "12.3", "third": "3", "fourth": "4.201", "fifth": "5.1", "hundred": "100"}
    check("${hundred:toNumber():multiply(${second}):divide(${third}):plus(${first}):mod(${fifth})}", attrs,
          j(math.fmod(((100 * 12.3) / 3) + 1.5, 5.1)))


def test_math_result_interpretation() -> None:
    attrs = {"ten": "10.1", "two": "2.2"}
    check("${ten:divide(${two:plus(3)}):toNumber()}", attrs, str(int(10.1 / (2.2 + 3))))
    check("${ten:divide(${two:plus(3)}):toDecimal()}", attrs, j(10.1 / (2.2 + 3)))
    check("${ten:divide(${two:plus(3.1)}):toDecimal()}", attrs, j(10.1 / (2.2 + 3.1)))
    check('${ten:divide(${two:plus(3)}):toDate():format("SSS")}', attrs, "001")


MATH_ATTRIBUTES = {"one": "1", "two": "2", "oneDecimal": "1.5", "twoDecimal": "2.3", "negative": "-64",
                   "negativeDecimal": "-64.1"}


@pytest.mark.parametrize(("text", "message"), [
    ("${math('rand'):toNumber()}",
     "Cannot evaluate 'math' function because no subjectless method was found with the name:'rand'"),
    ("${negativeDecimal:math('absolute')}",
     "Cannot evaluate 'math' function because no method was found matching the passed parameters: "
     "name:'absolute', one argument of type: 'double'"),
    ("${oneDecimal:math('power', ${two:toDecimal()})}",
     "Cannot evaluate 'math' function because no method was found matching the passed parameters: "
     "name:'power', first argument type: 'double', second argument type:  'double'"),
    ("${oneDecimal:math('power', ${two})}",
     "Cannot evaluate 'math' function because no method was found matching the passed parameters: "
     "name:'power', first argument type: 'double', second argument type:  'long'"),
])
def test_math_function_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, MATH_ATTRIBUTES)
    assert caught.value.reason == message


@pytest.mark.parametrize(("text", "expected"), [
    ("${math('random'):toNumber()}", "0"),
    ("${negative:math('abs')}", "64"),
    ("${negativeDecimal:math('abs')}", j(64.1)),
    ("${negative:math('max', ${two})}", "2"),
    ("${negativeDecimal:math('max', ${twoDecimal})}", j(2.3)),
    ("${oneDecimal:math('pow', ${two:toDecimal()})}", j(math.pow(1.5, 2))),
    ("${oneDecimal:math('scalb', ${two})}", j(math.ldexp(1.5, 2))),
    ("${negative:math('abs'):toDecimal():math('cbrt'):math('max', ${two:toDecimal():math('pow',${oneDecimal})"
     ":mod(${two})})}", j(max(math.cbrt(abs(-64)), math.fmod(math.pow(2, 1.5), 2)))),
])
def test_math_function(text: str, expected: str) -> None:
    check(text, MATH_ATTRIBUTES, expected)


def test_math_literal_operations() -> None:
    attrs = {"ten": "10.1", "two": "2.2"}
    check("${literal(5):toNumber():multiply(${two:plus(1)})}", attrs, j(5 * 3.2))
    check("${literal(5.5E-1):toDecimal():plus(${literal(.5E1)}):multiply(${two:plus(1)})}", attrs,
          j((0.55 + 5) * 3.2))


def test_math_operators() -> None:
    check("${xyz:toNumber():gt( ${abc:toNumber()} )}", {"abc": "1234", "xyz": "4132"}, "true")
    attrs = {"one": "1.1", "two": "2.2", "one_2": "1.1"}
    for text, expected in [
        ("${one:lt(${two})}", "true"), ("${one:lt(${one_2})}", "false"), ("${two:lt(${one})}", "false"),
        ("${one:le(${two})}", "true"), ("${one:le(${one_2})}", "true"), ("${two:le(${one_2})}", "false"),
        ("${one:ge(${two})}", "false"), ("${one:ge(${one_2})}", "true"), ("${two:ge(${one_2})}", "true"),
        ("${one:gt(${two})}", "false"), ("${one:gt(${one_2})}", "false"), ("${two:gt(${one})}", "true"),
    ]:
        check(text, attrs, expected)


def test_math_number_decimal_conversion() -> None:
    check("${xyz:toNumber()}", {"xyz": "1.332"}, "1")
    check("${xyz:toDecimal()}", {"xyz": "2"}, "2.0")


@pytest.mark.parametrize(("text", "expected"), [
    ("${literal(5)}", "5"), ('${literal("5")}', "5"), ("${literal(5):toNumber()}", "5"),
    ("${literal(5):toDecimal()}", "5.0"), ('${literal("5.5")}', "5.5"), ("${literal(5.5):toNumber()}", "5"),
    ("${literal(-5.5):toNumber()}", "-5"), ("${literal(+5.5):toNumber()}", "5"),
    ("${literal(5.5):toDecimal()}", "5.5"), ("${literal(-5.5):toDecimal()}", "-5.5"),
    ("${literal(+5.5):toDecimal()}", "5.5"), ("${literal('0xF.Fp10'):toDecimal()}", j(float.fromhex("0xF.Fp10"))),
    ("${literal('0x1234567890ABCDEF'):toNumber()}", str(0x1234567890ABCDEF)),
    ("${literal('-0x1234567890ABCDEF'):toNumber()}", str(-0x1234567890ABCDEF)),
    ("${literal('-0x1234567890abcdef'):toNumber()}", str(-0x1234567890ABCDEF)),
    ("${literal('0x1234567890abcdef'):toNumber()}", str(0x1234567890ABCDEF)),
])
def test_literal(text: str, expected: str) -> None:
    check(text, {}, expected)


DECIMAL_LITERALS = [
    "5.5", "-12.5", "+12.5", "-12.5E2", "-12.5e2", "-12.5e+2", "12.5E+2", "+12.5e+2", "+12.5E2", "12.5E2",
    "+12.5e2", "-12.5E-2", "12.5E-2", "+12.5e-2", ".5", "-.5", "+.5", "-.5E2", "-.5e+2", ".5E+2", "+.5e+2",
    "+.5E2", "-.5e2", ".5E2", "+.5e2", "-.5E-2", ".5e-2", "+.5E-2", "9876543210.0123456789e123",
]


@pytest.mark.parametrize("literal", DECIMAL_LITERALS)
def test_decimal_parsing(literal: str) -> None:
    check("${literal(" + literal + "):toDecimal()}", {}, j(float(literal)))


HEX_LITERALS = [
    "0xF1.p2", "+0xF1.P2", "-0xF1.p2", "-0xF1.5Bp2", "-0xF1.5BP2", "-0xF1.5BP+2", "0xF1.5BP+2", "+0xF1.5Bp+2",
    "+0xF1.5BP2", "0xF1.5BP2", "+0xF1.5Bp2", "-0xF1.5BP-2", "0xF1.5BP-2", "+0xF1.5Bp-2", "0x.5BP0", "-0x.5BP0",
    "-0x.5BP+2", "0x.5BP+2", "+0x.5Bp+2", "+0x.5BP2", "-0x.5Bp2", "0x.5BP2", "-0x.5BP-2", "0x.5Bp-2",
    "+0x.5BP-2", "0xFEDCBA9876543210.0123456789ABCDEFp123", "0xfedcba9876543210.0123456789abcdefp123",
]


@pytest.mark.parametrize("literal", HEX_LITERALS)
def test_hex_decimal_parsing(literal: str) -> None:
    check("${literal('" + literal + "'):toDecimal()}", {}, j(float.fromhex(literal.replace("+", "", 1)
                                                                            if literal.startswith("+") else literal)))


@pytest.mark.parametrize("literal", ["A.1e123", "0.Ae123", "0.1eA", "0xG.1p123", "0x1.Gp123", "0x1.1pA", "0x1.1"])
def test_decimal_parsing_empty(literal: str) -> None:
    check("${literal('" + literal + "'):toDecimal()}", {}, "")


@pytest.mark.parametrize("special", ["Infinity", "-Infinity", "NaN"])
def test_decimal_parsing_special_cases(special: str) -> None:
    check("${literal('" + special + "'):toDecimal():plus(1):plus(2)}", {}, special)


# ---- multi-attribute -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("${anyAttribute('abc', 'xyz', 'missingAttr'):substring(1,2):equals('b')}", "true"),
    ("${anyAttribute('abc', 'xyz'):substring(1,2):equals('b')}", "true"),
    ("${anyAttribute('xyz', 'abc'):substring(1,2):equals('b')}", "true"),
    ("${anyAttribute('zz'):substring(1,2):equals('b')}", "false"),
    ("${anyAttribute('abc', 'zz'):isNull()}", "true"),
])
def test_any_attribute(text: str, expected: str) -> None:
    check(text, {"abc": "zzz", "xyz": "abc"}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${anyMatchingAttribute('.{2}x', '.{2}z'):substring(1,2):equals('b')}", "true"),
    ("${anyMatchingAttribute('.*'):substring(1,2):equals('b')}", "true"),
    ("${anyMatchingAttribute('x{44}'):substring(1,2):equals('b')}", "false"),
    ("${anyMatchingAttribute('abc'):substring(1,2):equals('b')}", "false"),
    ("${anyMatchingAttribute('xyz'):substring(1,2):equals('b')}", "true"),
    ("${anyMatchingAttribute('xyz'):notNull()}", "true"),
    ("${anyMatchingAttribute('xyz'):isNull()}", "false"),
    ("${anyMatchingAttribute('xxxxxxxxx'):notNull()}", "false"),
    (r"${anyMatchingAttribute('123\.c.*'):matches('hello')}", "true"),
    (r"${anyMatchingAttribute('123\.c.*|a.c'):matches('zzz')}", "true"),
])
def test_any_matching_attribute(text: str, expected: str) -> None:
    check(text, {"abc": "zzz", "xyz": "abc", "123.cba": "hello"}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${anyDelineatedValue('${abc}', ','):equals('b')}", "true"),
    ("${anyDelineatedValue('${abc}', ','):equals('a')}", "true"),
    ("${anyDelineatedValue('${abc}', ','):equals('c')}", "true"),
    ("${anyDelineatedValue('${abc}', ','):equals('d')}", "false"),
    ("${anyDelineatedValue(${abc}, ','):equals('b')}", "true"),
    ("${anyDelineatedValue(${abc}, ','):equals('a')}", "true"),
    ("${anyDelineatedValue(${abc}, ','):equals('c')}", "true"),
    ("${anyDelineatedValue(${abc}, ','):equals('d')}", "false"),
    ("${allDelineatedValues('${abc}', ','):matches('[abc]')}", "true"),
    ("${allDelineatedValues('${abc}', ','):matches('[abd]')}", "false"),
    ("${allDelineatedValues('${abc}', ','):equals('a'):not()}", "false"),
    ("${allDelineatedValues(${abc}, ','):matches('[abc]')}", "true"),
    ("${allDelineatedValues(${abc}, ','):matches('[abd]')}", "false"),
    ("${allDelineatedValues(${abc}, ','):equals('a'):not()}", "false"),
])
def test_delineated_values(text: str, expected: str) -> None:
    check(text, {"abc": "a,b,c", "xyz": "abc"}, expected)


def test_nested_any_delineated_value() -> None:
    attrs = {"abc": "a,b,c", "xyz": "x"}
    check("${anyDelineatedValue('${abc}', ','):equals('c')}", attrs, "true")
    check("${anyDelineatedValue('${xyz}', ','):equals('z')}", attrs, "false")
    check("${anyDelineatedValue('${abc}', ','):equals('c'):or(${anyDelineatedValue('${xyz}', ','):equals('z')})}",
          attrs, "true")
    attrs = {"abc": "2,0,1,3", "xyz": "x,y,z"}
    check("${anyDelineatedValue('${abc}', ','):gt('2')}", attrs, "true")
    check("${anyDelineatedValue('${xyz}', ','):equals('z')}", attrs, "true")
    check("${anyDelineatedValue('${abc}', ','):gt('2'):and(${anyDelineatedValue('${xyz}', ','):equals('z')})}",
          attrs, "true")


@pytest.mark.parametrize(("value", "count", "fields"), [
    ("/my/path", "3", ["", "my", "path"]),
    ("this/is/my/path", "4", ["this", "is", "my", "path"]),
    ("/", "0", []),
    ("path/", "1", ["path"]),
])
def test_all_delineated_values_count(value: str, count: str, fields: list[str]) -> None:
    check("${allDelineatedValues('${test}', '/'):count()}", {"test": value}, count)
    for index, field in enumerate(fields, start=1):
        check("${test:getDelimitedField(" + str(index) + ", '/')}", {"test": value}, field)


@pytest.mark.parametrize(("text", "expected"), [
    (r"${allAttributes('abc', 'xyz'):matches('\d+')}", "true"),
    ("${allAttributes('abc', 'xyz'):toNumber():lt(99999)}", "true"),
    ("${allAttributes('abc', 'hello'):length():gt(3)}", "true"),
    ("${allAttributes('abc', 'hello'):length():equals(4)}", "false"),
    ("${allAttributes('abc', 'xyz'):length():equals(4)}", "true"),
    ("${allAttributes('abc', 'xyz', 'other'):isNull()}", "false"),
])
def test_all_attributes(text: str, expected: str) -> None:
    check(text, {"abc": "1234", "xyz": "4132", "hello": "world!"}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    (r"${'123.cba':matches('hell\.o')}", "true"),
    (r"${allMatchingAttributes('123\.cba'):equals('hell.o')}", "true"),
    (r"${allMatchingAttributes('(abc|xyz)'):matches('\d+')}", "true"),
    ("${allMatchingAttributes('[ax].*'):toNumber():lt(99999)}", "true"),
    ("${allMatchingAttributes('hell.'):length():gt(3)}", "true"),
    (r"${allMatchingAttributes('123\.cba'):equals('no')}", "false"),
])
def test_all_matching_attributes(text: str, expected: str) -> None:
    check(text, {"abc": "1234", "xyz": "4132", "hello": "world!", "123.cba": "hell.o"}, expected)


def test_and_or_logic_with_any_all() -> None:
    attrs = {"filename1": "xabc", "filename2": "yabc", "filename 3": "abcxy"}
    check("${anyMatchingAttribute('filename.*'):contains('abc'):and( ${filename2:equals('yabc')} )}", attrs, "true")
    check("${anyMatchingAttribute('filename.*'):contains('abc'):and( ${filename2:equals('xabc')} )}", attrs, "false")
    check("${anyMatchingAttribute('filename.*'):contains('abc'):not():or( ${filename2:equals('yabc')} )}", attrs,
          "true")
    check("${anyMatchingAttribute('filename.*'):contains('abc'):not():or( ${filename2:equals('xabc')} )}", attrs,
          "false")


def test_any_attribute_embedded() -> None:
    check("${a1:equals('test1'):and( ${anyAttribute('a1','b2','c3'):contains('2')})}",
          {"a1": "test1", "b2": "2test", "c3": "3test3"}, "true")


def test_function_after_reduce() -> None:
    attrs = {"a.1": "245", "a.2": "123", "a.3": "732", "a.4": "343", "a.5": "553"}
    ends_with_count = "${allMatchingAttributes('a.*'):contains('2'):count()}"
    validate(ends_with_count)
    check(ends_with_count, attrs, "3")
    check("${literal(" + ends_with_count + "):gt(2)}", attrs, "true")
    attrs = {"a1": "123", "a2": "321"}
    check("${allMatchingAttributes('a.*'):contains('2')}", attrs, "true")
    check("${allMatchingAttributes('a.*'):contains('2'):toUpper():equals('TRUE')}", attrs, "true")
    check("${allMatchingAttributes('a.*'):contains('2'):equals('true'):and( ${literal(true)} )}", attrs, "true")


# ---- searching ----------------------------------------------------------------------------


def test_matches_and_find() -> None:
    attrs = {"abc": "1234xyz4321", "end": "xyz", "xyz": "4132", "hello": "world!", "dotted": "abc.xyz"}
    check("${abc:matches('1234${end}4321')}", attrs, "true")
    check("${abc:find('1234${end}4321')}", attrs, "true")
    attrs["end"] = "888"
    check("${abc:matches('1234${end}4321')}", attrs, "false")
    check("${abc:find('${end}4321')}", attrs, "false")
    check(r"${dotted:matches('abc\.xyz')}", attrs, "true")
    check(r"${dotted:find('\.')}", attrs, "true")
    check("${abc:matches(${not.here})}", attrs, "false")
    check("${abc:find(${not.here})}", attrs, "false")


@pytest.mark.parametrize(("text", "value", "expected"), [
    ("${filename:substringAfter('')}", "file-255", "file-255"),
    ("${filename:substringAfterLast('')}", "file-255", "file-255"),
    ("${filename:substringBefore('')}", "file-255", "file-255"),
    ("${filename:substringBeforeLast('')}", "file-255", "file-255"),
    ("${filename:substringBefore('file')}", "file-255", ""),
    ("${filename:substringAfterLast('file-')}", "file-file-255", "255"),
    ("${filename:substringAfterLast('5')}", "file-file-255", ""),
    ("${filename:substringAfterLast('x')}", "file-file-255", "file-file-255"),
    ("${filename:substringBefore('}')}", "some {} or other", "some {"),
    ("${filename:substring(1, 2)}", "file-255", "i"),
    ("${filename:substring(4)}", "file-255", "-255"),
    ("${filename:substring(10, 20)}", "file-255", ""),  # testSubstringOOB
    ("${filename:substring(10)}", "file-255", ""),
    ("${filename:substring(-2)}", "file-255", ""),
    ("${filename:substring(2, -2)}", "file-255", ""),
    ("${filename:substringAfter('-'):toNumber():toRadix(16):toUpper()}", "file-255", "FF"),
    ("${filename:substringAfter('-'):toNumber():toRadix(16, 4):toUpper()}", "file-255", "00FF"),
    ("${filename:substringAfter('-'):toNumber():toRadix(36, 3):toUpper()}", "file-255", "073"),
    ("${filename:fromRadix(16)}", "ABCDEF", str(0xABCDEF)),
    ("${filename:fromRadix(4)}", "123", "27"),
])
def test_substrings_and_radix(text: str, value: str, expected: str) -> None:
    check(text, {"filename": value}, expected)


def test_substring_after_scheme() -> None:
    check("${uri:substringAfter('sftp')}", {"uri": "sftp://some.uri"}, "://some.uri")


def test_attributes_with_spaces() -> None:
    attrs = {"ab": "abc", "a  b": "abc"}
    check("${ab}", attrs, "abc")
    check("${'a  b'}", attrs, "abc")
    check("${'a b':replaceNull('')}", attrs, "")


@pytest.mark.parametrize(("text", "expected"), [
    ("${filename1:startsWith('x'):or(true)}", "true"),
    ("${filename1:startsWith('x'):or( ${filename1:startsWith('y')} )}", "true"),
    ("${filename2:startsWith('x'):or( ${filename2:startsWith('y')} )}", "true"),
    ("${filename3:startsWith('x'):or( ${filename3:startsWith('y')} )}", "false"),
    ("${filename1:startsWith('x'):or( ${filename2:startsWith('y')} )}", "true"),
    ("${filename2:startsWith('x'):or( ${filename1:startsWith('y')} )}", "false"),
])
def test_or(text: str, expected: str) -> None:
    check(text, {"filename1": "xabc", "filename2": "yabc", "filename3": "abcxy"}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${filename1:startsWith('x'):and(true)}", "true"),
    ("${filename1:startsWith('x') : and( false )}", "false"),
    ("${filename1:startsWith('x'):and( ${filename1:startsWith('y')} )}", "false"),
    ("${filename2:startsWith('x'):and( ${filename2:startsWith('y')} )}", "false"),
    ("${filename3:startsWith('x'):and( ${filename3:startsWith('y')} )}", "false"),
    ("${filename1:startsWith('x'):and( ${filename2:startsWith('y')} )}", "true"),
    ("${filename2:startsWith('x'):and( ${filename1:startsWith('y')} )}", "false"),
    ("${filename1:startsWith('x'):and( ${'filename 3':endsWith('y')} )}", "true"),
])
def test_and(text: str, expected: str) -> None:
    check(text, {"filename1": "xabc", "filename2": "yabc", "filename 3": "abcxy"}, expected)


def test_and_or_not() -> None:
    query = ("${"
             "     'non-existing':notNull():not():and("
             "     ${filename1:startsWith('y')"
             "     :or("
             "       ${ filename1:startsWith('x'):and(false) }"
             "     ):or("
             "       ${ filename2:endsWith('xxxx'):or( ${'filename 3':length():gt(1)} ) }"
             "     )}"
             "     )"
             "}")
    check(query, {"filename1": "xabc", "filename2": "yabc", "filename 3": "abcxy"}, "true")


def test_in() -> None:
    attrs = {"myEnum": "JOHN"}
    check("${ myEnum:in('PAUL', 'JOHN', 'MIKE') }", attrs, "true")
    check("${ myEnum:in('RED', 'BLUE', 'GREEN') }", attrs, "false")
    attrs["toReplace"] = "BLUE"
    check("${ myEnum:in('RED', ${ toReplace:replace('BLUE', 'JOHN') }, 'GREEN') }", attrs, "true")


def test_get_state_value() -> None:
    state = {"abc": "xyz", "123": "qwe", "true": "asd", "iop": "098"}
    attrs = {"abc": "iop", "4321": "123", "false": "bnm"}
    check("${getStateValue('abc')}", attrs, "xyz", state=state)
    check("${getStateValue(${'4321':toString()})}", attrs, "qwe", state=state)
    check("${getStateValue(${literal(true):toString()})}", attrs, "asd", state=state)
    check("${getStateValue(${abc}):equals('098')}", attrs, "true", state=state)


def test_random_function() -> None:
    results = {int(evaluate("${random()}", {})) for _ in range(100)}
    assert len(results) == 100
    assert min(results) > -1


# ---- getDelimitedField ----------------------------------------------------------------------

DQ_ESC = r"""'"', '\\'"""  # the EL arguments '"', '\\' (a quote and a backslash)


@pytest.mark.parametrize(("line", "text", "expected"), [
    ("Name, Age, Title", "${line:getDelimitedField(1)}", "Name"),
    ("Name, Age, Title", "${line:getDelimitedField(1, ',')}", "Name"),
    ("Name, Age, Title", """${line:getDelimitedField(1, ',', '"')}""", "Name"),
    ("Name, Age, Title", "${line:getDelimitedField(1, ',', " + DQ_ESC + ")}", "Name"),
    ("Name, Age, Title", "${line:getDelimitedField(2)}", " Age"),
    ("Name, Age, Title", "${line:getDelimitedField(2, ',')}", " Age"),
    ("Name, Age, Title", """${line:getDelimitedField(2, ',', '"')}""", " Age"),
    ("Name, Age, Title", "${line:getDelimitedField(2, ',', " + DQ_ESC + ")}", " Age"),
    ("Name, Age, Title", "${line:getDelimitedField(3)}", " Title"),
    ("Name, Age, Title", "${line:getDelimitedField(3, ',')}", " Title"),
    ("Name, Age, Title", """${line:getDelimitedField(3, ',', '"')}""", " Title"),
    ("Name, Age, Title", "${line:getDelimitedField(3, ',', " + DQ_ESC + ")}", " Title"),
    ("First Name, Age, Title", "${line:getDelimitedField(1)}", "First Name"),
    ("First Name, Age, Title", "${line:getDelimitedField(1, ',')}", "First Name"),
    ("First Name, Age, Title", """${line:getDelimitedField(1, ',', '"')}""", "First Name"),
    ("First Name, Age, Title", "${line:getDelimitedField(1, ',', " + DQ_ESC + ")}", "First Name"),
    ('"Name (Last, First)", Age, Title', "${line:getDelimitedField(1)}", '"Name (Last, First)"'),
    ('"Name (Last, First)", Age, Title', "${line:getDelimitedField(1, ',')}", '"Name (Last, First)"'),
    ('"Name (Last, First)", Age, Title', """${line:getDelimitedField(1, ',', '"')}""", '"Name (Last, First)"'),
    ('"Name (Last, First)", Age, Title', "${line:getDelimitedField(1, ',', " + DQ_ESC + ")}",
     '"Name (Last, First)"'),
    ("_Name (Last, First)_, Age, Title", "${line:getDelimitedField(1)}", "_Name (Last"),
    ("_Name (Last, First)_, Age, Title", "${line:getDelimitedField(1, ',', '_')}", "_Name (Last, First)_"),
    (r"Name (Last\, First), Age, Title", "${line:getDelimitedField(1)}", r"Name (Last\, First)"),
    ("Name (Last__, First), Age, Title", """${line:getDelimitedField(1, ',', '"', '_')}""", "Name (Last__"),
    ("Name (Last_, First), Age, Title", """${line:getDelimitedField(1, ',', '"', '_')}""", "Name (Last_, First)"),
    (r'\"Name (Last, First), Age, Title', "${line:getDelimitedField(1)}", r'\"Name (Last'),
    ("Name, Age, Title", "${line:getDelimitedField(12)}", ""),
    (r'col 1, col 2, "The First, Second, and \"Last\" Column", Last', "${line:getDelimitedField(3):trim()}",
     r'"The First, Second, and \"Last\" Column"'),
    (r'col 1, col 2, "The First, Second, and \"Last\" Column", Last',
     "${line:getDelimitedField(3, ',', " + DQ_ESC + ", true):trim()}", 'The First, Second, and "Last" Column'),
    ('"Jacobson, John", 32, Mr.', "${line:getDelimitedField(2)}", " 32"),
])
def test_get_delimited_field(line: str, text: str, expected: str) -> None:
    check(text, {"line": line}, expected)


# ---- encode / decode ------------------------------------------------------------------------


@pytest.mark.parametrize(("function", "value", "expected"), [
    ("escapeJson", 'making air "QUOTES".', r'making air \"QUOTES\".'),
    ("escapeXml", "M & M", "M &amp; M"),
    ("escapeCsv", 'making air "QUOTES".', '"making air ""QUOTES""."'),
    ("escapeHtml3", "special ¡", "special &iexcl;"),
    ("escapeHtml4", "special ♣", "special &clubs;"),
    ("unescapeJson", r'making air \"QUOTES\".', 'making air "QUOTES".'),
    ("unescapeXml", "M &amp; M", "M & M"),
    ("unescapeCsv", '"making air ""QUOTES""."', 'making air "QUOTES".'),
    ("unescapeHtml3", "special &iexcl;", "special ¡"),
    ("unescapeHtml4", "special &clubs;", "special ♣"),
])
def test_escape_functions(function: str, value: str, expected: str) -> None:
    check("${string:" + function + "()}", {"string": value}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${attr:isNull():ifElse('a', 'b')}", "a"), ("${attr:ifElse('a', 'b')}", "b"),
])
def test_if_else_missing(text: str, expected: str) -> None:
    check(text, {}, expected)


@pytest.mark.parametrize(("value", "text", "expected"), [
    ("hello", "${attr:isNull():ifElse('a', 'b')}", "b"),
    ("hello", "${attr:ifElse('a', 'b')}", "b"),
    ("true", "${attr:ifElse('a', 'b')}", "a"),
    ("true", "${attr2:isNull():ifElse('a', 'b')}", "a"),
    ("true", "${literal(true):ifElse('a', 'b')}", "a"),
    ("true", "${literal(true):ifElse(false, 'b')}", "false"),
])
def test_if_else(value: str, text: str, expected: str) -> None:
    check(text, {"attr": value}, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${literal('john'):hash('MD5')}", "527bd5b5d689e2c32ae974c6229ff785"),
    ("${str_attr:hash('MD5')}", "64e58419496c7248b4ef25731f88b8c3"),
    ("${str_attr:hash('SHA-1')}", "34990db823e7bb2b47278a7fbf08c62d9e8e4307"),
    ("${str_attr:hash('SHA-256')}", "9b6a1a9167a5caf3f5948413faa89e0ec0de89e12bef55327442e60dcc0e8c9b"),
    ("${nbr_attr:toNumber():hash('MD5')}", "d3d9446802a44259755d38e6d163e820"),
    ("${nbr_attr:hash('MD5')}", "d3d9446802a44259755d38e6d163e820"),
])
def test_hash(text: str, expected: str) -> None:
    check(text, {"str_attr": "string value", "nbr_attr": "10"}, expected)


def test_hash_failure() -> None:
    with pytest.raises(ExpressionError):
        evaluate("${literal('john'):hash('NOT_A_ALGO')}", {})


@pytest.mark.xfail(strict=True, reason="Java's main thread is 'main'; Python's is 'MainThread'")
def test_thread_verbatim() -> None:
    check("${thread()}", {}, "main")


def test_thread() -> None:
    check("${thread()}", {}, threading.current_thread().name)


PAD_ATTRIBUTES = {"attr": "hello", "emptyString": ""}


@pytest.mark.parametrize(("text", "expected"), [
    ("${attr:padLeft(10, '@')}", "@@@@@hello"), ("${attr:padLeft(10)}", "_____hello"),
    ('${attr:padLeft(10, "xy")}', "xyxyxhello"), ('${attr:padLeft(10, "aVeryLongPaddingString")}', "aVeryhello"),
    ('${attr:padLeft(1, "a")}', "hello"), ('${attr:padLeft(-10, "a")}', "hello"),
    ("${emptyString:padLeft(10, '@')}", "@@@@@@@@@@"), ('${attr:padLeft(9999999999, "abc")}', "hello"),
    ('${nonExistingAttr:padLeft(10, "abc")}', ""),
    ("${attr:padRight(10, '@')}", "hello@@@@@"), ("${attr:padRight(10)}", "hello_____"),
    ('${attr:padRight(10, "xy")}', "helloxyxyx"), ('${attr:padRight(10, "aVeryLongPaddingString")}', "helloaVery"),
    ('${attr:padRight(1, "a")}', "hello"), ('${attr:padRight(-10, "a")}', "hello"),
    ("${emptyString:padRight(10, '@')}", "@@@@@@@@@@"), ('${attr:padRight(9999999999, "abc")}', "hello"),
    ('${nonExistingAttr:padRight(10, "abc")}', ""),
])
def test_pad(text: str, expected: str) -> None:
    check(text, PAD_ATTRIBUTES, expected)


def test_repeat() -> None:
    attrs = {"str": "abc"}
    check("${not_exist:repeat(1, 2)}", attrs, "")
    check("${str:repeat(1, 1)}", attrs, "abc")
    validate("${str:repeat(1, 3)}")
    assert evaluate("${str:repeat(1, 3)}", attrs) in ("abc", "abcabc", "abcabcabc")
    check("${str:repeat(4)}", attrs, "abcabcabcabc")
    for bad in ("${str:repeat(-1)}", "${str:repeat(0)}", "${str:repeat(2,1)}"):
        with pytest.raises(ExpressionError):
            evaluate(bad, attrs)


UUID_ATTRIBUTES = {
    "myattr0": "u5IkOYFFvYioYBJSNI2XNjPaVoRjXYnr", "myattr1": "mSDgSKQrY67QCTPatV5qHrZa4oUQ2wEX",
    "myattr2": "u6jH7pF8iAqwjr42i3r5DubdNcgwqEaX", "myattr3": "9eDG1KbqvHrtIMSmvH44t0K7fHXs7xtz",
    "myattr4": "QeAUDsMYoHJHLsy1BPPSmQWKhCKvwEpj", "myattr5": "U5Cw4b79SW1YiB5Va3DfUMI9y4iJwnVS",
    "myattr6": "Ig51Jl3EtwaKlVo9MnDSDdJSlXMgZ1It", "myattr7": "F2iLLLHXgliEpIDwJ4JcqeWBVi70cHS6",
    "myattr8": "1BFShkKLOcjwn1GMsyO4Fmb0iNTVt2Tf", "myattr9": "WxiyO8Gzw0jQnBlYeZMcdNTwCWJe5MNg",
}


@pytest.mark.parametrize(("text", "expected"), [
    ("${myattr0:UUID3('b9e81de3-7047-4b5e-a822-8fff5b49f808')}", "7ab88cc4-7748-3214-812a-1bc4500a911a"),
    ("${myattr1:UUID3('341857cc-c5f3-4f76-b336-169f81e9dc7a')}", "d788c2df-95e1-33aa-a548-9be42f222909"),
    ("${myattr2:UUID3('27e35966-52c9-48ba-bc91-3894a2f164d8')}", "e960f7af-5eec-3298-8512-e3933836bd5a"),
    ("${myattr3:UUID3('1aef683a-2c0b-4f0e-9287-792361873e8f')}", "bf1727d8-93d3-3550-9071-78c8686f30c3"),
    ("${myattr4:UUID3('5f15efac-e274-42b1-8d0f-15c2c97acb7d')}", "9e68a780-090d-30a9-903c-22cf7eb5c511"),
    ("${myattr5:UUID3('ebd71811-fd78-4929-856b-4cec7a38d666')}", "a2a4b1b5-d93f-3656-be0d-f1db281060c1"),
    ("${myattr6:UUID3('7b1bce89-f12b-4b56-afb8-f9b0a1334926')}", "8eea2153-d42e-3f63-892c-33ff7f0be389"),
    ("${myattr7:UUID3('fe085c56-95e2-4cf8-8612-ba878ed35f0b')}", "3cd6470f-5432-3599-82ce-1f2b22adcec6"),
    ("${myattr8:UUID3('2be146a5-f54e-4ca1-a10d-d219e9fc6c6f')}", "c3ed8ced-b32f-39da-a7ea-75934f419446"),
    ("${myattr9:UUID3('4939d5dd-51c1-4d0e-badd-77fa7c7eebc1')}", "6507198b-f565-3196-9123-6f946f8c53bc"),
    ("${myattr10:UUID3('4939d5dd-51c1-4d0e-badd-77fa7c7eebc1')}", ""),
    ("${myattr11:UUID3('4939d5dd-51c1-4d0e-badd-77fa7c7eebc1')}", ""),
    ("${myattr9:UUID3(${myattr11})}", "f2d25da2-cc06-34de-80a3-cf64aff82020"),
    ("${myattr0:UUID5('245b55a8-397d-4480-a41e-16603c8cf9ad')}", "74f6dc12-6d84-500c-9583-e9fed79912ea"),
    ("${myattr1:UUID5('45089bfa-f5eb-40e3-bc02-4270ccb8ef34')}", "7b197702-0ed0-5494-9f61-417e26010308"),
    ("${myattr2:UUID5('49861367-c791-4d6d-987e-fe994b2ee4b7')}", "7b38b455-a0d6-53bd-a0fa-d0f3bf4e7399"),
    ("${myattr3:UUID5('1142b2d9-e434-4931-b1a5-6dbf363aa9cf')}", "cd13422e-b030-547b-807b-a868e9282eab"),
    ("${myattr4:UUID5('967190d3-b4ba-4ef3-a8e6-3b8bf2d3f1d8')}", "e4f1ef89-0d25-55cd-bc4b-1904813c3137"),
    ("${myattr5:UUID5('2942f01d-82df-40ee-b1fd-476542160b7c')}", "a0415b30-5ef9-5530-93a2-fd20f4262d68"),
    ("${myattr6:UUID5('3a47c04b-7cea-4c95-a379-018e64c701c5')}", "e1931aad-30e8-5283-8505-394f0d08b181"),
    ("${myattr7:UUID5('6f78ce33-4186-46c0-ae05-15f8c78024cf')}", "a5c80e26-88d6-5de9-9234-66a050f4d940"),
    ("${myattr8:UUID5('b85962a8-6614-49f4-8fdd-a984cf35144e')}", "6e33ce29-d3f0-59ee-a864-c05ec4d4300d"),
    ("${myattr9:UUID5('5b6da974-4eca-4c17-bbd2-3b59a1b40bee')}", "2e2e846c-1cbc-54b2-96f7-5a66d246126f"),
    ("${myattr10:UUID5('4939d5dd-51c1-4d0e-badd-77fa7c7eebc1')}", ""),
    ("${myattr11:UUID5('4939d5dd-51c1-4d0e-badd-77fa7c7eebc1')}", ""),
    ("${myattr9:UUID5(${myattr11})}", "0231a7bf-7bbe-5a0c-8bbd-9c7bc2e95071"),
    ("${myattr0:UUID3(${UUID()}):length()}", "36"),
    ("${myattr0:UUID5(${UUID()}):length()}", "36"),
])
def test_uuids_with_namespace(text: str, expected: str) -> None:
    check(text, UUID_ATTRIBUTES, expected)


# ---- jsonPath -------------------------------------------------------------------------------

ADDRESS_BOOK = """{
     "firstName": "John",
     "lastName": "Smith",
     "age": 25,
     "voter" : true,
     "height" : 6.1,
     "address" : {
         "streetAddress": "21 2nd Street",
         "city": "New York",
         "state": "NY",
         "postalCode": "10021-3100"
     },
     "phoneNumbers": [
         {
             "type": "home",
             "number": "212 555-1234"
         },
         {
             "type": "office",
             "number": "646 555-4567"
         }
     ],
     "nicknames" : []
 }"""  # src/test/resources/json/address-book.json
FIRST_NAME = "${json:jsonPath('$.firstName')}"
AGE = "${json:jsonPath('$.age')}"
VOTER = "${json:jsonPath('$.voter')}"
HEIGHT = "${json:jsonPath('$.height')}"
HOME_NUMBER = "${json:jsonPath(\"$.phoneNumbers[?(@.type=='home')].number\")}"
PHONE_BOOK = [FIRST_NAME, "${json:jsonPath('$.lastName')}", AGE, VOTER,
              "${json:jsonPath('$.address.postalCode')}", HOME_NUMBER,
              "${json:jsonPath(\"$.phoneNumbers[?(@.type=='office')].number\")}"]


def verify_json_path_expressions(target: str, original: str, update: str, updated: str) -> dict[str, str]:
    attributes = {"json": ADDRESS_BOOK}
    if target:
        check(target, attributes, original)
    after = {"json": evaluate(update, attributes)}
    for expression in PHONE_BOOK:
        if expression != target:
            check(expression, after, evaluate(expression, {"json": ADDRESS_BOOK}))
    if target:
        check(target, after, updated)
    return after


def test_json_path() -> None:
    attributes = verify_json_path_expressions("", "", "${json:jsonPathDelete('$.missingpath')}", "")
    check("${json:jsonPath('$.missingpath')}", attributes, "")
    check("${json:jsonPath('$.firstName')}", {"json": ADDRESS_BOOK}, "John")
    check("${json:jsonPath('$.address.postalCode')}", {"json": ADDRESS_BOOK}, "10021-3100")
    check(HOME_NUMBER, {"json": ADDRESS_BOOK}, "212 555-1234")
    check("${json:jsonPath('$.phoneNumbers')}", {"json": ADDRESS_BOOK},
          '[{"type":"home","number":"212 555-1234"},{"type":"office","number":"646 555-4567"}]')
    for bad in ("${json:jsonPath('$..')}", "${missing:jsonPath('$.firstName')}"):
        with pytest.raises(ExpressionError):
            evaluate(bad, attributes)
    with pytest.raises(ExpressionError):
        evaluate("${invalid:jsonPath('$.firstName')}", {**attributes, "invalid": "[}"})


@pytest.mark.parametrize(("target", "original", "update", "updated"), [
    (FIRST_NAME, "John", "${json:jsonPathDelete('$.firstName')}", ""),
    ("", "", "${json:jsonPathDelete('$.missing-path')}", ""),
    (HOME_NUMBER, "212 555-1234", "${json:jsonPathDelete(\"$.phoneNumbers[?(@.type=='home')]\")}", "[]"),
    (FIRST_NAME, "John", "${json:jsonPathSet('$.firstName', 'James')}", "James"),
    (AGE, "25", "${json:jsonPathSet('$.age', '35')}", "35"),
    (VOTER, "true", "${json:jsonPathSet('$.voter', false)}", "false"),
    (HEIGHT, "6.1", "${json:jsonPathSet('$.height', 5.9)}", "5.9"),
    ("", "", "${json:jsonPathSet('$.missing-path', 5.9)}", ""),
    (FIRST_NAME, "John", "${json:jsonPathPut('$','firstName','Jimmy')}", "Jimmy"),
])
def test_json_path_updates(target: str, original: str, update: str, updated: str) -> None:
    verify_json_path_expressions(target, original, update, updated)


@pytest.mark.parametrize(("update", "query", "expected"), [
    ("${json:jsonPathAdd('$.nicknames', 'Jimmy')}", "${json:jsonPath('$.nicknames')}", "Jimmy"),
    ("${json:jsonPathAdd('$.missing-path', 'Jimmy')}", "${json:jsonPath('$.missing-path')}", ""),
    ("${json:jsonPathPut('$','middlename','Turon')}", "${json:jsonPath('$.middlename')}", "Turon"),
    ("${json:jsonPathPut('$.address','country','US')}", "${json:jsonPath('$.address.country')}", "US"),
    ("${json:jsonPathPut('$.phoneNumbers[1]', 'backup', '212-555-1212')}",
     "${json:jsonPath('$.phoneNumbers[1].backup')}", "212-555-1212"),
])
def test_json_path_add_and_put(update: str, query: str, expected: str) -> None:
    attributes = verify_json_path_expressions("", "", update, "")
    check(query, attributes, expected)


def test_json_path_add_at_non_array() -> None:
    with pytest.raises(ExpressionError, match=re.escape("array")):
        evaluate("${json:jsonPathAdd('$.firstName', 'Jimmy')}", {"json": ADDRESS_BOOK})
