"""jsonPath and its update functions, multi-attribute functions, subjectless functions."""

from __future__ import annotations

import json
import re
import socket
import uuid

import pytest

from nifi_like.expression import ExpressionError, evaluate

from .expression_helpers import check

BOOK = json.dumps({"store": {"book": [
    {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
    {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395",
     "price": 22.99}], "bicycle": {"color": "red", "price": 19.95}, "open": True, "count": 3, "none": None}})


@pytest.mark.parametrize(("path", "expected"), [
    ("$.store.bicycle.color", "red"),
    ("$['store']['bicycle']['price']", "19.95"),
    ("$.store.open", "true"),
    ("$.store.count", "3"),
    ("$.store.none", ""),
    ("$.store.book[0].author", "Nigel Rees"),
    ("$.store.book[-1].title", "The Lord of the Rings"),
    ("$.store.book[*].author", '["Nigel Rees","Evelyn Waugh","J. R. R. Tolkien"]'),
    ("$..author", '["Nigel Rees","Evelyn Waugh","J. R. R. Tolkien"]'),
    ("$.store.book[0:2].price", "[8.95,12.99]"),
    ("$.store.book[0,2].price", "[8.95,22.99]"),
    ("$.store.book[?(@.isbn)].title", "The Lord of the Rings"),
    ("$.store.book[?(@.price < 10)].title", "Sayings of the Century"),
    ("$.store.book[?(@.category == 'fiction' && @.price > 20)].author", "J. R. R. Tolkien"),
    ("$.store.book[?(@.author =~ /.*Waugh/)].price", "12.99"),
    ("$.store.book[?(@.price > 100)].title", "[]"),
    ("$.store.bicycle", '{"color":"red","price":19.95}'),
    ("$.store.missing", ""),
    ("$.store.book[7]", ""),
])
def test_json_path(path: str, expected: str) -> None:
    check("${json:jsonPath(\"" + path + "\")}", {"json": BOOK}, expected)


@pytest.mark.parametrize(("update", "expected"), [
    ("${json:jsonPathDelete('$.a')}", '{"b":[1,2]}'),
    ("${json:jsonPathDelete('$.b[0]')}", '{"a":"x","b":[2]}'),
    ("${json:jsonPathDelete('$.b[*]')}", '{"a":"x","b":[]}'),
    ("${json:jsonPathSet('$.a', 'y')}", '{"a":"y","b":[1,2]}'),
    ("${json:jsonPathSet('$.b[1]', 3.5)}", '{"a":"x","b":[1,3.5]}'),
    ("${json:jsonPathSet('$.a', ${n:toNumber()})}", '{"a":7,"b":[1,2]}'),
    ("${json:jsonPathAdd('$.b', true)}", '{"a":"x","b":[1,2,true]}'),
    ("${json:jsonPathPut('$', 'c', 'd')}", '{"a":"x","b":[1,2],"c":"d"}'),
    ("${json:jsonPathPut('$', 'a', 1)}", '{"a":1,"b":[1,2]}'),
    ("${json:jsonPathSet('$.zz', 1)}", '{"a": "x", "b": [1, 2]}'),  # nothing matched: unchanged text
])
def test_json_path_updates(update: str, expected: str) -> None:
    check(update, {"json": '{"a": "x", "b": [1, 2]}', "n": "7"}, expected)


@pytest.mark.parametrize(("text", "reason"), [
    ("${json:jsonPath('store')}", "must start with"),
    ("${json:jsonPath('$.a[?(@.x ==)]')}", "filter"),
    ("${json:jsonPathDelete('$')}", "root of the document"),
    ("${json:jsonPathPut('$.a', 'k', 'v')}", "must point to an object"),
    ("${empty:jsonPath('$.a')}", "the subject is empty"),
    ("${bad:jsonPath('$.a')}", "not valid JSON"),
])
def test_json_path_errors(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(reason)):
        evaluate(text, {"json": '{"a": "x"}', "empty": " ", "bad": "{"})


MULTI = {"abc": "xyz", "abd": "xyy", "other": "q", "list": "a;b;c", "n1": "1", "n2": "22"}


@pytest.mark.parametrize(("text", "expected"), [
    ("${anyAttribute('abc', 'other'):equals('q')}", "true"),
    ("${allAttributes('abc', 'other'):equals('q')}", "false"),
    ("${anyAttribute('nope'):isNull()}", "true"),
    ("${anyMatchingAttribute('ab.'):endsWith('y')}", "true"),
    ("${allMatchingAttributes('ab.'):startsWith('xy')}", "true"),
    ("${allMatchingAttributes('n.*'):toNumber():gt(0)}", "true"),
    ("${allMatchingAttributes('zzz'):equals('x')}", "true"),
    ("${anyMatchingAttribute('zzz'):equals('x')}", "false"),
    ("${anyMatchingAttribute(${pattern}):equals('q')}", "true"),
    ("${anyDelineatedValue(${list}, ';'):equals('b')}", "true"),
    ("${allDelineatedValues(${list}, ';'):length():equals(1)}", "true"),
    ("${allMatchingAttributes('n.*'):count()}", "2"),
    ("${allMatchingAttributes('n.*'):length():gt(1):count()}", "1"),
    ("${allMatchingAttributes('ab.'):join('|')}", "xyz|xyy"),
    ("${allMatchingAttributes('ab.'):toUpper():join(${list:substring(1, 2)})}", "XYZ;XYY"),
    ("${allDelineatedValues(${list}, ';'):prepend('<'):join('')}", "<a<b<c"),
    ("${allMatchingAttributes('n.*'):plus(1):join(',')}", "2,23"),
    ("${abc:count()}", "1"),
    ("${missing:count()}", "0"),
    ("${abc:contains('z'):and(${anyAttribute('abd'):contains('z')})}", "false"),
])
def test_multi_attribute(text: str, expected: str) -> None:
    check(text, {**MULTI, "pattern": "oth.*"}, expected)


@pytest.mark.parametrize(("text", "position"), [
    ("${anyAttribute('abc'):toUpper()}", 2),
    ("${allAttributes('abc')}", 2),
    ("${anyDelineatedValue('a,b'):equals('a')}", 2),
    ("${abc:count():plus(1)}", 13),
    ("${abc:join(','):toUpper()}", 15),
])
def test_multi_attribute_misuse_is_a_compile_error(text: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, MULTI)
    assert caught.value.position == position


def test_subjectless_functions() -> None:
    assert uuid.UUID(evaluate("${UUID()}", {})).version == 4
    assert evaluate("${UUID()}", {}) != evaluate("${UUID()}", {})
    first = int(evaluate("${nextInt()}", {}))
    assert int(evaluate("${nextInt()}", {})) == first + 1
    assert evaluate("${hostname()}", {}) == socket.gethostname()
    assert evaluate("${hostname(true)}", {}) == socket.getfqdn()
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", evaluate("${ip()}", {}))
    check("${literal('a'):append(${literal(1)})}", {}, "a1")
    check("${literal(${n1:plus(1)}):multiply(2)}", MULTI, "4")
    check("${getStateValue('k')}", {}, "v", state={"k": "v"})
    check("${getStateValue('missing'):isNull()}", {}, "true", state={"k": "v"})
    check("${getStateValue('k')}", {}, "")
