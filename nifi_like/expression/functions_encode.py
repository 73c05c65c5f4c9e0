"""Encode/decode: JSON/XML/CSV/HTML escaping, URL, Base64, Base32, hash, UUID3/UUID5."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html.entities
import re
import urllib.parse
import uuid
from collections.abc import Callable, Mapping

from . import coerce
from .registry import Site, function, need
from .values import Env, Kind, Typed

# ---- commons-text translators --------------------------------------------------------

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\n": "\\n", "\t": "\\t",
                 "\f": "\\f", "\r": "\\r"}


def _utf16_escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04X}"


def escape_json(text: str) -> str:
    out = []
    for ch in text:
        escaped = _JSON_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch < " " or ch > "\x7f":
            out.append(_utf16_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


_JAVA_UNESCAPE = re.compile(r"\\(u+[0-9a-fA-F]{4}|[0-3]?[0-7]{1,2}|.)", re.DOTALL)
_SIMPLE_UNESCAPES = {"b": "\b", "n": "\n", "t": "\t", "f": "\f", "r": "\r", "\\": "\\", '"': '"',
                     "'": "'", "/": "/"}


def unescape_json(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] == "u":
            return chr(int(body.lstrip("u"), 16))
        if body[0].isdigit():
            return chr(int(body, 8))
        return _SIMPLE_UNESCAPES.get(body, "\\" + body)

    result = _JAVA_UNESCAPE.sub(replace, text)
    return result.encode("utf-16", "surrogatepass").decode("utf-16") if any(
        "\ud800" <= c <= "\udfff" for c in result) else result


_XML_BASIC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def escape_xml(text: str) -> str:
    """commons-text ``escapeXml10``: entities, invalid XML 1.0 characters removed."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _XML_BASIC:
            out.append(_XML_BASIC[ch])
        elif (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            continue
        elif 0x7F <= code <= 0x84 or 0x86 <= code <= 0x9F:
            out.append(f"&#{code};")
        else:
            out.append(ch)
    return "".join(out)


_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);")


def _entity_unescaper(names: Mapping[str, int]) -> Callable[[str], str]:
    def unescape(text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            body = match.group(1)
            if body[0] == "#":
                number = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
                return chr(number) if number <= 0x10FFFF else match.group(0)
            code = names.get(body)
            return chr(code) if code is not None else match.group(0)

        return _ENTITY.sub(replace, text)

    return unescape


_BASIC = {"quot": 34, "amp": 38, "lt": 60, "gt": 62}
_HTML3 = {**_BASIC, **{n: c for n, c in html.entities.name2codepoint.items() if 160 <= c <= 255}}
_HTML4 = {**_BASIC, **html.entities.name2codepoint}
_HTML4.pop("apos", None)
unescape_xml = _entity_unescaper({**_BASIC, "apos": 39})
unescape_html3 = _entity_unescaper(_HTML3)
unescape_html4 = _entity_unescaper(_HTML4)


def _entity_escaper(names: Mapping[str, int]) -> Callable[[str], str]:
    by_char = {chr(c): f"&{n};" for n, c in names.items()}
    return lambda text: "".join(by_char.get(ch, ch) for ch in text)


escape_html3 = _entity_escaper(_HTML3)
escape_html4 = _entity_escaper(_HTML4)

_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def escape_csv(text: str) -> str:
    if not _CSV_SPECIAL.search(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def unescape_csv(text: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return text
    inner = text[1:-1]
    return inner.replace('""', '"') if _CSV_SPECIAL.search(inner) else text


def url_encode(text: str) -> str:
    """Java ``URLEncoder.encode(text, UTF-8)``."""
    return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")


def url_decode(text: str) -> str:
    return urllib.parse.unquote_plus(text, errors="strict")


def _translator(name: str, translate: Callable[[str], str]) -> None:
    @function(name)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn

        def run(a: Mapping[str, str], e: Env) -> str:
            value = fn(a, e)
            if value is None:
                return ""
            try:
                return translate(value)
            except (ValueError, binascii.Error) as exc:
                raise site.fail(f"cannot decode '{value}': {exc}") from exc

        return Typed(run, Kind.STRING)


def _b64decode(text: str) -> str:
    return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")


def _b32decode(text: str) -> str:
    return base64.b32decode(text).decode("utf-8", errors="replace")


for _name, _translate in {
    "escapeJson": escape_json, "unescapeJson": unescape_json, "escapeXml": escape_xml,
    "unescapeXml": unescape_xml, "escapeCsv": escape_csv, "unescapeCsv": unescape_csv,
    "escapeHtml3": escape_html3, "unescapeHtml3": unescape_html3, "escapeHtml4": escape_html4,
    "unescapeHtml4": unescape_html4, "urlEncode": url_encode, "urlDecode": url_decode,
    "base64Encode": lambda t: base64.b64encode(t.encode()).decode("ascii"), "base64Decode": _b64decode,
    "base32Encode": lambda t: base64.b32encode(t.encode()).decode("ascii"), "base32Decode": _b32decode,
}.items():
    _translator(_name, _translate)

_ALGORITHMS = {"MD2": None, "MD5": "md5", "SHA": "sha1", "SHA-1": "sha1", "SHA-224": "sha224",
               "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512",
               "SHA-512/224": "sha512_224", "SHA-512/256": "sha512_256", "SHA3-224": "sha3_224",
               "SHA3-256": "sha3_256", "SHA3-384": "sha3_384", "SHA3-512": "sha3_512"}


def _digest(algorithm: str, text: str) -> str:
    name = _ALGORITHMS.get(algorithm.upper())
    if name is None:
        raise ValueError(f"unsupported hash algorithm '{algorithm}'; use one of "
                         f"{', '.join(a for a, n in _ALGORITHMS.items() if n)}")
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


@function("hash", 1)
def _hash(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn
    algorithm = coerce.to_string(args[0])
    if algorithm.is_const:
        _digest(algorithm.const or "", "")
    algorithm_fn = algorithm.fn

    def digest(a: Mapping[str, str], e: Env) -> str | None:
        value = fn(a, e)
        if value is None:
            return None
        try:
            return _digest(algorithm_fn(a, e) or "", value)
        except ValueError as exc:
            raise site.fail(str(exc)) from exc

    return Typed(digest, Kind.STRING)


_NIL = uuid.UUID(int=0)


def _name_uuid(name: str, make: Callable[[uuid.UUID, str], uuid.UUID]) -> None:
    @function(name, 1)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn
        namespace_fn = coerce.to_string(args[0]).fn

        def name_based(a: Mapping[str, str], e: Env) -> str | None:
            value = fn(a, e)
            if value is None:
                return None
            namespace = namespace_fn(a, e)
            try:
                # NiFi hashes with the nil UUID when the namespace is null (but not when empty).
                space = _NIL if namespace is None else uuid.UUID(namespace)
                return str(make(space, value))
            except ValueError as exc:
                raise site.fail(f"the namespace '{namespace}' is not a valid UUID") from exc

        return Typed(name_based, Kind.STRING)


_name_uuid("UUID3", uuid.uuid3)
_name_uuid("UUID5", uuid.uuid5)
