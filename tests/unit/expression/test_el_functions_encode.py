"""Encode/decode functions: escaping, URL, Base64/Base32, hash, UUID3/UUID5."""

from __future__ import annotations

import hashlib

import pytest

from nifi_like.expression import ExpressionError, evaluate

from .expression_helpers import check


@pytest.mark.parametrize(("function", "value", "expected"), [
    ("escapeJson", 'He didn\'t say, "Stop!"', 'He didn\'t say, \\"Stop!\\"'),
    ("escapeJson", "a/b\\c\n\t\u0001é", "a\\/b\\\\c\\n\\t\\u0001\\u00E9"),
    ("escapeJson", "😀", "\\uD83D\\uDE00"),
    ("unescapeJson", '{\\"name\\": \\"John\\"}', '{"name": "John"}'),
    ("unescapeJson", "\\u00e9\\n\\/\\\\", "é\n/\\"),
    ("unescapeJson", "\\uD83D\\uDE00", "😀"),
    ("escapeXml", "M & M", "M &amp; M"),
    ("escapeXml", "<a href=\"x\">'b'</a>\u0001", "&lt;a href=&quot;x&quot;&gt;&apos;b&apos;&lt;/a&gt;"),
    ("unescapeXml", "&lt;a&gt; &amp;amp; &#65;&#x42; &unknown;", "<a> &amp; AB &unknown;"),
    ("escapeCsv", "But finally, she left", '"But finally, she left"'),
    ("escapeCsv", "plain", "plain"),
    ("escapeCsv", 'say "hi"', '"say ""hi"""'),
    ("unescapeCsv", '"But finally, she left"', "But finally, she left"),
    ("unescapeCsv", '"plain"', '"plain"'),
    ("unescapeCsv", "plain", "plain"),
    ("escapeHtml3", '"bread" & "butter"', "&quot;bread&quot; &amp; &quot;butter&quot;"),
    ("escapeHtml4", '"bread" & "butter"', "&quot;bread&quot; &amp; &quot;butter&quot;"),
    ("escapeHtml3", "♣ ¡", "♣ &iexcl;"),
    ("escapeHtml4", "♣ ¡ α", "&clubs; &iexcl; &alpha;"),
    ("unescapeHtml3", "&quot;bread&quot; &amp; &clubs;", '"bread" & &clubs;'),
    ("unescapeHtml4", "&quot;bread&quot; &amp; &clubs; &#9827;", '"bread" & ♣ ♣'),
    ("urlEncode", "some value with spaces", "some+value+with+spaces"),
    ("urlEncode", "https://nifi.apache.org/some value with spaces",
     "https%3A%2F%2Fnifi.apache.org%2Fsome+value+with+spaces"),
    ("urlEncode", "a*b~c-d_e.f é", "a*b%7Ec-d_e.f+%C3%A9"),
    ("urlDecode", "some%20value%20with%20spaces", "some value with spaces"),
    ("urlDecode", "https%3A%2F%2Fnifi.apache.org%2Fsome%20value%20with%20spaces",
     "https://nifi.apache.org/some value with spaces"),
    ("urlDecode", "a+b%C3%A9", "a bé"),
    ("base64Encode", "admin:admin", "YWRtaW46YWRtaW4="),
    ("base64Decode", "YWRtaW46YWRtaW4=", "admin:admin"),
    ("base64Encode", "é", "w6k="),
    ("base32Encode", "admin:admin", "MFSG22LOHJQWI3LJNY======"),
    ("base32Decode", "MFSG22LOHJQWI3LJNY======", "admin:admin"),
])
def test_translator(function: str, value: str, expected: str) -> None:
    check("${v:" + function + "()}", {"v": value}, expected)


@pytest.mark.parametrize("function", ["escapeJson", "escapeXml", "urlEncode", "base64Encode", "unescapeCsv"])
def test_translators_give_empty_text_for_null(function: str) -> None:
    check("${missing:" + function + "()}", {}, "")


def test_base64_decode_rejects_garbage() -> None:
    with pytest.raises(ExpressionError, match="base64Decode"):
        evaluate("${v:base64Decode()}", {"v": "not base64!"})


@pytest.mark.parametrize(("algorithm", "name"), [
    ("MD5", "md5"), ("SHA-1", "sha1"), ("SHA-224", "sha224"), ("SHA-256", "sha256"), ("SHA-384", "sha384"),
    ("SHA-512", "sha512"), ("SHA-512/224", "sha512_224"), ("SHA-512/256", "sha512_256"),
    ("SHA3-256", "sha3_256"), ("SHA3-512", "sha3_512"),
])
def test_hash_algorithms(algorithm: str, name: str) -> None:
    check("${v:hash('" + algorithm + "')}", {"v": "string value"}, hashlib.new(name, b"string value").hexdigest())


def test_hash_with_algorithm_from_attribute() -> None:
    check("${v:hash(${algo})}", {"v": "john", "algo": "MD5"}, "527bd5b5d689e2c32ae974c6229ff785")
    with pytest.raises(ExpressionError, match="unsupported hash algorithm 'MD4'"):
        evaluate("${v:hash(${algo})}", {"v": "john", "algo": "MD4"})


def test_uuid_guide_examples() -> None:
    attrs = {"attr": "string value"}
    check("${attr:UUID3('b9e81de3-7047-4b5e-a822-8fff5b49f808')}", attrs, "bf0ea246-a177-3300-bd7e-d4c9e973dc6f")
    check("${attr:UUID5('245b55a8-397d-4480-a41e-16603c8cf9ad')}", attrs, "4d111477-5100-5f2d-ae79-b38bbe15aa78")


@pytest.mark.parametrize("namespace", ["''", "'not-a-uuid'"])
def test_uuid_with_invalid_namespace_fails(namespace: str) -> None:
    with pytest.raises(ExpressionError, match="not a valid UUID"):
        evaluate("${attr:UUID3(" + namespace + ")}", {"attr": "x"})
