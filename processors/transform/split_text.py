"""SplitText: split text content on line boundaries, by line count and/or fragment size, with headers."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, ClassVar

from nifi_like.api import (
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

_EOL = re.compile(rb"\r\n|\r|\n")
_CHUNK = 1 << 16

SPLIT_LINE_COUNT = "text.line.count"
FRAGMENT_SIZE = "fragment.size"
FRAGMENT_ID = "fragment.identifier"
FRAGMENT_INDEX = "fragment.index"
FRAGMENT_COUNT = "fragment.count"
SEGMENT_ORIGINAL_FILENAME = "segment.original.filename"


@dataclass(frozen=True)
class Line:
    """One line of the content: its bytes up to a prefix, its length and its line ending's length."""

    head: bytes
    length: int
    crlf: int


@dataclass(frozen=True)
class Split:
    start: int
    length: int
    trimmed_length: int
    line_count: int
    remainder: Line | None  # the line that did not fit and starts the next split


class HeaderError(ValueError):
    """The header cannot be taken from the content."""


def _lines(stream: IO[bytes], head_size: int) -> Iterator[Line]:
    """Lines as NiFi's TextLineDemarcator sees them: '\\n', '\\r\\n' and '\\r' end a line."""
    buffer = b""
    scan = 0
    while data := stream.read(_CHUNK):
        buffer += data
        start = 0
        while (match := _EOL.search(buffer, max(scan, start))) is not None:
            if match.group() == b"\r" and match.end() == len(buffer):
                break  # a '\n' may follow in the next chunk
            yield Line(buffer[start:start + head_size], match.end() - start, match.end() - match.start())
            start = match.end()
        buffer = buffer[start:]
        scan = max(0, len(buffer) - 1)
    if buffer:
        yield Line(buffer[:head_size], len(buffer), 1 if buffer.endswith(b"\r") else 0)


class SplitText(Processor):
    """Splits a text file into multiple smaller text files on line boundaries limited by maximum number of
    lines or total size of fragment. Each output split file will contain no more than the configured number
    of lines or bytes. If both Line Split Count and Maximum Fragment Size are specified, the split occurs at
    whichever limit is reached first. If the first line of a fragment exceeds the Maximum Fragment Size,
    that line will be output in a single split file which exceeds the configured maximum size limit. Each
    split can include header lines, given by a count or by a marker the header lines start with.

    The content is scanned as a stream; splits are byte ranges of the original content (no copy), and
    only splits with a header are written anew. Where NiFi's own algorithm lets a line carried over
    from the previous split (or after the header) make a split one line longer than Line Split Count,
    or drops the first line when no line has the header marker, this one keeps to the documented limits
    and loses no line; the first split of a header-only FlowFile also gets fragment.count."""

    tags = ("split", "text")
    nifi_type = "org.apache.nifi.processors.standard.SplitText"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        SPLIT_LINE_COUNT: "The number of lines of text from the original FlowFile that were copied to this FlowFile",
        FRAGMENT_SIZE: "The number of bytes from the original FlowFile that were copied to this FlowFile, including "
                       "header, if applicable, which is duplicated in each split FlowFile",
        FRAGMENT_ID: "All split FlowFiles produced from the same parent FlowFile will have the same randomly "
                     "generated UUID added for this attribute",
        FRAGMENT_INDEX: "A one-up number that indicates the ordering of the split FlowFiles that were created from a "
                        "single parent FlowFile",
        FRAGMENT_COUNT: "The number of split FlowFiles generated from the parent FlowFile",
        SEGMENT_ORIGINAL_FILENAME: "The filename of the parent FlowFile",
    }

    LINE_SPLIT_COUNT = PropertyDescriptor(
        "Line Split Count",
        description="The number of lines that will be added to each split file, excluding header lines. A value of "
                    "zero requires Maximum Fragment Size to be set, and line count will not be considered in "
                    "determining splits.",
        required=True, validator=validators.NON_NEGATIVE_INTEGER)
    FRAGMENT_MAX_SIZE = PropertyDescriptor(
        "Maximum Fragment Size",
        description="The maximum size of each split file, including header lines. NOTE: in the case where a single "
                    "line exceeds this property (including headers, if applicable), that line will be output in a "
                    "split of its own which exceeds this Maximum Fragment Size setting.",
        validator=validators.DATA_SIZE)
    HEADER_LINE_COUNT = PropertyDescriptor(
        "Header Line Count",
        description="The number of lines that should be considered part of the header; the header lines will be "
                    "duplicated to all split files",
        required=True, default="0", validator=validators.NON_NEGATIVE_INTEGER)
    HEADER_MARKER = PropertyDescriptor(
        "Header Line Marker Characters",
        description="The first character(s) on the line of the datafile which signifies a header line. This value is "
                    "ignored when Header Line Count is non-zero. The first line not containing the Header Line Marker "
                    "Characters and all subsequent lines are considered non-header",
        validator=validators.NON_EMPTY)
    REMOVE_TRAILING_NEWLINES = PropertyDescriptor(
        "Remove Trailing Newlines",
        description="Whether to remove newlines at the end of each split file. This should be false if you intend to "
                    "merge the split files later. If this is set to 'true' and a FlowFile is generated that contains "
                    "only 'empty lines' (i.e., consists only of \\r and \\n characters), the FlowFile will not be "
                    "emitted. Note, however, that if header lines are specified, the resultant FlowFile will never be "
                    "empty as it will consist of the header lines, so a FlowFile may be emitted that contains only "
                    "the header lines.",
        required=True, default="true", allowable_values=("true", "false"), validator=validators.BOOLEAN)

    ORIGINAL = Relationship("original", "The original input file will be routed to this destination when it has been "
                                        "successfully split into 1 or more files")
    SPLITS = Relationship("splits", "The split files will be routed to this destination when an input file is "
                                    "successfully split into 1 or more split files")
    FAILURE = Relationship("failure", "If a file cannot be split for some reason, the original file will be routed "
                                      "to this destination and nothing will be routed elsewhere")

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        count = properties.get(self.LINE_SPLIT_COUNT.name)
        if count is not None and count.strip() == "0" and not properties.get(self.FRAGMENT_MAX_SIZE.name):
            return [f"Property '{self.FRAGMENT_MAX_SIZE.name}' must be specified when "
                    f"{self.LINE_SPLIT_COUNT.name} is 0"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfile = session.get()
        if flowfile is None:
            return
        line_count = context.get_property(self.LINE_SPLIT_COUNT).as_int() or 0
        max_size = context.get_property(self.FRAGMENT_MAX_SIZE).as_data_size()
        header_count = context.get_property(self.HEADER_LINE_COUNT).as_int() or 0
        marker_text = context.get_property(self.HEADER_MARKER).value
        marker = marker_text.encode("utf-8") if marker_text and header_count == 0 else None
        planner = _Planner(line_count, max_size if max_size is not None else 1 << 62, header_count, marker)
        try:
            with session.read(flowfile) as stream:
                header, splits = planner.plan(stream)
        except HeaderError as exc:
            context.logger.error(f"Unable to split {flowfile}: {exc}. Routing to failure.")
            session.transfer(flowfile, self.FAILURE)
            return
        remove_trailing = context.get_property(self.REMOVE_TRAILING_NEWLINES).as_bool()
        fragment_id = str(uuid.uuid4())
        children = self._children(session, flowfile, header, splits, remove_trailing, fragment_id)
        original = session.put_all_attributes(flowfile, {FRAGMENT_ID: fragment_id,
                                                         FRAGMENT_COUNT: str(len(children))})
        session.transfer(original, self.ORIGINAL)
        session.transfer(children, self.SPLITS)

    @staticmethod
    def _children(session: ProcessSession, source: FlowFile, header: Split | None, splits: list[Split],
                  remove_trailing: bool, fragment_id: str) -> list[FlowFile]:
        header_bytes = b""
        if header is not None:
            with session.read(source) as stream:
                header_bytes = stream.read(header.length)
        header_only = len(header_bytes) - (header.trimmed_length if header is not None else 0)
        pieces: list[tuple[FlowFile, int]] = []
        if not splits and header is not None:
            pieces.append((session.clone(source, 0, header_only), 0))
        for split in splits:
            length = split.trimmed_length if remove_trailing else split.length
            if header is None and length == 0:
                continue
            if header is None:
                child = session.clone(source, split.start, length)
            elif length == 0:
                child = session.clone(source, 0, header_only)
            else:
                child = _prefixed(session, source, header_bytes, split.start, length)
            pieces.append((child, split.line_count))
        filename = source.attributes.get("filename", "")
        return [session.put_all_attributes(child, {
            SPLIT_LINE_COUNT: str(lines), FRAGMENT_SIZE: str(child.size), FRAGMENT_ID: fragment_id,
            FRAGMENT_INDEX: str(index), FRAGMENT_COUNT: str(len(pieces)), SEGMENT_ORIGINAL_FILENAME: filename,
        }) for index, (child, lines) in enumerate(pieces, start=1)]


def _prefixed(session: ProcessSession, source: FlowFile, header: bytes, start: int, length: int) -> FlowFile:
    """A child of ``source`` holding ``header`` then ``length`` bytes of the source from ``start``."""
    part = session.clone(source, start, length)
    child = session.create(source)

    def write(out: IO[bytes]) -> None:
        out.write(header)
        with session.read(part) as stream:
            shutil.copyfileobj(stream, out, 1 << 20)

    child = session.write(child, write)
    session.remove(part)
    return child


class _Planner:
    """Computes the header and the splits as offsets, following NiFi's SplitText step by step."""

    def __init__(self, line_count: int, max_size: int, header_count: int, marker: bytes | None) -> None:
        self.line_count = line_count
        self.max_size = max_size
        self.header_count = header_count
        self.marker = marker

    def plan(self, stream: IO[bytes]) -> tuple[Split | None, list[Split]]:
        lines = _lines(stream, len(self.marker) if self.marker else 0)
        header: Split | None = None
        carried: Line | None = None
        if self.header_count > 0:
            header, carried = self._header(lines, self.header_count)
            if header is None or header.line_count < self.header_count:
                found = 0 if header is None else header.line_count
                raise HeaderError(f"insufficient amount of header lines: required {self.header_count} but was {found}")
        elif self.marker is not None:
            # the first line without the marker belongs to the first split (even when no line had it)
            header, carried = self._header(lines, 1 << 62)
        splits: list[Split] = []
        start = header_length = header.length if header is not None else 0
        while (split := self._next(lines, start, carried, header_length)) is not None:
            splits.append(split)
            start += split.length
            carried = split.remainder
        return header, splits

    def _header(self, lines: Iterator[Line], max_lines: int) -> tuple[Split | None, Line | None]:
        """The header lines, and the first line after them when reading it was needed to end the header."""
        length = count = last_crlf = 0
        first_unmarked: Line | None = None
        for line in lines:
            last_crlf = line.crlf
            if self.marker is not None and not line.head.startswith(self.marker):
                first_unmarked = line
                break
            if length + line.length > self.max_size:
                raise HeaderError(f"the header is larger than the Maximum Fragment Size of {self.max_size} bytes")
            length += line.length
            count += 1
            if count == max_lines:
                break
        return (Split(0, length, last_crlf, count, None) if count else None), first_unmarked

    def _next(self, lines: Iterator[Line], start: int, carried: Line | None, header_length: int) -> Split | None:
        length = trailing_crlf = trailing_lines = count = last_crlf = 0
        if carried is not None:  # unlike NiFi, a carried line counts against the limit and is trimmed too
            length, count, last_crlf = carried.length, 1, carried.crlf
        remainder: Line | None = None
        for line in () if 0 < self.line_count <= count else lines:
            last_crlf = line.crlf
            if length + line.length + header_length > self.max_size:
                if length == 0:  # a line larger than the maximum is a split of its own
                    length += line.length
                    count += 1
                else:
                    remainder = line
                break
            if line.length == line.crlf:
                trailing_crlf += line.crlf
                trailing_lines += 1
            elif line.length > line.crlf:
                trailing_crlf = 0
            length += line.length
            count += 1
            if 0 < self.line_count <= count:
                break
        if count == 0:
            return None
        if length - trailing_crlf >= last_crlf:
            trailing_crlf += last_crlf
        return Split(start, length, length - trailing_crlf, count - trailing_lines, remainder)
