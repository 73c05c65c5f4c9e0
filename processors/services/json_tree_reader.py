"""JsonTreeReader: records from JSON: one object, an array of objects, or objects one after another."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from typing import IO

from nifi_like.api import ConfigurationContext, PropertyDescriptor
from processors.services._reading import StreamRecordReader
from processors.services.record_api import (
    INFER_SCHEMA,
    SCHEMA_TEXT_PROPERTY,
    RecordReader,
    RecordReaderFactory,
)
from processors.services.record_schema import MalformedRecordError, Record, coerce_record, infer_schema

_CHUNK = 1 << 16
#: A single JSON object larger than this is refused rather than buffered without bound.
MAX_RECORD_CHARS = 64 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonTreeReader(RecordReaderFactory):
    """Parses JSON into individual Record objects. The content may be a single JSON object, an array of
    objects, or objects one after another (JSON Lines); each object is one record. Parsing is streamed:
    one object at a time is held in memory."""

    tags = ("json", "tree", "record", "reader", "parser")
    nifi_type = "org.apache.nifi.json.JsonTreeReader"

    SCHEMA_ACCESS_STRATEGY = PropertyDescriptor(
        "Schema Access Strategy", aliases=('schema-access-strategy',), description="Specifies how to obtain the schema that is to be used for "
                                              "interpreting the data.",
        allowable_values=(INFER_SCHEMA, SCHEMA_TEXT_PROPERTY), default=INFER_SCHEMA.value, required=True)
    CHARACTER_SET = PropertyDescriptor("Character Set", description="The Character Encoding that is used to "
                                       "decode the JSON data", default="UTF-8", required=True)

    def on_enabled(self, context: ConfigurationContext) -> None:
        super().on_enabled(context)
        self._charset = context.get_property(self.CHARACTER_SET).value or "UTF-8"

    def create_reader(self, stream: IO[bytes], attributes: Mapping[str, str]) -> RecordReader:
        schema = self.explicit_schema(attributes)
        convert = (lambda record, s: coerce_record(record, s)) if schema is not None else None
        return StreamRecordReader(json_objects(stream, self._charset), schema, infer_schema, convert)


def json_objects(stream: IO[bytes], charset: str = "UTF-8") -> Iterator[Record]:
    """Each top-level object (or each object of a top-level array), parsed as it is reached."""
    return _JsonScanner(stream, charset).objects()


class _JsonScanner:
    """A window over the decoded content: objects are parsed from it and dropped from its front."""

    def __init__(self, stream: IO[bytes], charset: str) -> None:
        self._stream = stream
        self._charset = charset
        self._decoder = codecs.getincrementaldecoder(charset)(errors="strict")
        self._buffer = ""
        self._pos = 0
        self._offset = 0  # characters dropped from the front of the buffer, for error positions
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = self._stream.read(_CHUNK)
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise MalformedRecordError(f"the content is not {self._charset} text: {exc}") from None
        self._offset += self._pos
        self._buffer = self._buffer[self._pos:] + text
        self._pos = 0
        self._eof = not chunk
        return True

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while True:
            match = _SPACE.match(self._buffer, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._more():
                return ""

    def _where(self) -> str:
        return f"character {self._offset + self._pos}"

    def _object(self) -> Record:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buffer) - self._pos > MAX_RECORD_CHARS:
                    raise MalformedRecordError(f"a JSON object at {self._where()} is larger than "
                                               f"{MAX_RECORD_CHARS} characters or not valid") from None
                if not self._more():
                    raise MalformedRecordError(f"invalid JSON at character {self._offset + exc.pos}: {exc.msg}"
                                               ) from None
                continue
            self._pos = end
            return value  # type: ignore[no-any-return]

    def objects(self) -> Iterator[Record]:
        char = self._peek()
        in_array = char == "["
        if in_array:
            self._pos += 1
        first = True
        while True:
            char = self._peek()
            if in_array and char == "]":
                self._pos += 1
                if self._peek():
                    raise MalformedRecordError(f"unexpected content after the JSON array at {self._where()}")
                return
            if not char:
                if in_array:
                    raise MalformedRecordError("the JSON array is not closed (unexpected end of content)")
                return
            if in_array and not first:
                if char != ",":
                    raise MalformedRecordError(f"expected ',' or ']' at {self._where()}, found {char!r}")
                self._pos += 1
                char = self._peek()
            if char != "{":
                raise MalformedRecordError(f"expected a JSON object at {self._where()}, found {char!r}")
            yield self._object()
            first = False
