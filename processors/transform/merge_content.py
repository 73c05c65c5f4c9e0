"""MergeContent: bin FlowFiles (by size, count, age and correlation attribute, or by fragment) and
merge each full bin into one FlowFile.

Where the waiting FlowFiles live
--------------------------------
NiFi's BinFiles keeps the FlowFiles of an unfinished bin owned by an uncommitted ProcessSession
(one per bin, ``session.migrate``) across triggers: they are out of the queue but, since that
session never committed, a restart puts them back in the queue. This engine commits the session of
every trigger, so a FlowFile cannot stay owned by an open session. MergeContent therefore keeps the
waiting FlowFiles *in the input queue*: each trigger takes every available FlowFile (up to
``Maximum number of Bins`` x ``Maximum Number of Entries``, capped), recomputes the bins in arrival
order, merges the bins that are ready and hands the others back to the queue with
``session.transfer(flowfile)`` (no relationship). The same guarantee follows: a crash leaves every
FlowFile in exactly one queue, and nothing is lost. What the processor keeps in memory is only when
it first saw each waiting FlowFile, from which a bin's age is computed (a restart, or a stop, starts
the ages again, as NiFi's purge of its bins on stop does). Since handing FlowFiles back rewrites
them, a trigger that merges nothing yields, so a waiting bin costs one rewrite per yield period.

Readiness follows NiFi's BinManager: a bin is merged as soon as it is full (minimums met and a
maximum reached); a bin that only meets the minimums is merged on a trigger that brought no new
FlowFiles; a bin older than Max Bin Age is merged (for Defragment: routed to failure) on any
trigger; when a new bin is needed and Maximum number of Bins are open, the oldest is merged.
"""

from __future__ import annotations

import datetime
import shutil
import tarfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    PathNotAllowed,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    parse_data_size,
    validators,
)

#: Most FlowFiles one trigger takes from the queue to bin.
MAX_BATCH = 100_000

FRAGMENT_ID = "fragment.identifier"
FRAGMENT_INDEX = "fragment.index"
FRAGMENT_COUNT = "fragment.count"
SEGMENT_ORIGINAL_FILENAME = "segment.original.filename"
MERGE_COUNT = "merge.count"
MERGE_BIN_AGE = "merge.bin.age"
MERGE_UUID = "merge.uuid"
MERGE_REASON = "merge.reason"
TAR_PERMISSIONS = "tar.permissions"

BIN_PACK = AllowableValue(
    "Bin-Packing Algorithm", "Bin-Packing Algorithm",
    "Generates 'bins' of FlowFiles and fills each bin as full as possible. FlowFiles are placed into a bin based on "
    "their size and optionally their attributes (if the <Correlation Attribute> property is set)")
DEFRAGMENT = AllowableValue(
    "Defragment", "Defragment",
    "Combines fragments that are associated by attributes back into a single cohesive FlowFile. If using this "
    "strategy, all FlowFiles must have the attributes <fragment.identifier>, <fragment.count>, and <fragment.index>.")
FORMAT_CONCAT = AllowableValue("Binary Concatenation", "Binary Concatenation",
                               "The contents of all FlowFiles will be concatenated together into a single FlowFile")
FORMAT_TAR = AllowableValue(
    "TAR", "TAR", "A bin of FlowFiles will be combined into a single TAR file. The FlowFiles' <path> attribute will be "
    "used to create a directory in the TAR file if the <Keep Paths> property is set to true. A <tar.permissions> "
    "attribute of 3 octal digits gives the entry's mode.")
FORMAT_ZIP = AllowableValue(
    "ZIP", "ZIP", "A bin of FlowFiles will be combined into a single ZIP file. The FlowFiles' <path> attribute will be "
    "used to create a directory in the ZIP file if the <Keep Paths> property is set to true. The <Compression Level> "
    "property indicates the ZIP compression to use.")
KEEP_COMMON = AllowableValue(
    "Keep Only Common Attributes", "Keep Only Common Attributes",
    "Any attribute that is not the same on all FlowFiles in a bin will be dropped. Those that are the same across all "
    "FlowFiles will be retained.")
KEEP_UNIQUE = AllowableValue(
    "Keep All Unique Attributes", "Keep All Unique Attributes",
    "Any attribute that has the same value for all FlowFiles in a bin, or has no value for a FlowFile, will be kept.")
DELIMITER_NONE = AllowableValue("Do Not Use Delimiters", "Do Not Use Delimiters",
                                "No Header, Footer, or Demarcator will be used")
DELIMITER_FILENAME = AllowableValue("Filename", "Filename",
                                    "The values of Header, Footer, and Demarcator will be retrieved from the contents "
                                    "of a file")
DELIMITER_TEXT = AllowableValue("Text", "Text",
                                "The values of Header, Footer, and Demarcator will be specified as property values")

MAX_BYTES_REACHED = "MAX_BYTES_THRESHOLD_REACHED"
MAX_ENTRIES_REACHED = "MAX_ENTRIES_THRESHOLD_REACHED"
MIN_THRESHOLDS_REACHED = "MIN_THRESHOLDS_REACHED"
TIMEOUT = "TIMEOUT"
BIN_MANAGER_FULL = "BIN_MANAGER_FULL"


class MergeError(Exception):
    """A bin cannot be merged; its FlowFiles go to 'failure'."""


@dataclass
class Bin:
    """FlowFiles to merge together, with NiFi's limits (Defragment fixes both to fragment.count)."""

    group: str | None
    created: float
    min_entries: int
    max_entries: int
    min_size: int
    max_size: int
    count_attribute: str | None
    members: list[FlowFile] = field(default_factory=list)
    size: int = 0
    indexes: set[str] = field(default_factory=set)
    reason: str = ""

    def offer(self, flowfile: FlowFile) -> bool:
        if self.members and self.size + flowfile.size > self.max_size:
            return False
        if len(self.members) >= self.max_entries:
            return False
        if self.count_attribute is not None:
            count = _integer(flowfile.attributes.get(self.count_attribute))
            if count is not None:
                self.min_entries = self.max_entries = count
                if len(self.members) >= count:
                    return False
            index = flowfile.attributes.get(FRAGMENT_INDEX)
            if index is not None and index in self.indexes:
                return False  # a second fragment with the same index waits for another bin
            if index is not None:
                self.indexes.add(index)
        self.members.append(flowfile)
        self.size += flowfile.size
        return True

    @property
    def full_enough(self) -> bool:
        return self.size >= self.min_size and len(self.members) >= self.min_entries

    @property
    def full(self) -> bool:
        return self.full_enough and (self.size >= self.max_size or len(self.members) >= self.max_entries)

    def fill_reason(self) -> str:
        if self.size >= self.max_size:
            return MAX_BYTES_REACHED
        if len(self.members) >= self.max_entries:
            return MAX_ENTRIES_REACHED
        return MIN_THRESHOLDS_REACHED


def _integer(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


class MergeContent(Processor):
    """Merges a Group of FlowFiles together based on a user-defined strategy and packages them into a single
    FlowFile. It is recommended that the Processor be configured with only a single incoming connection, as
    Group of FlowFiles will not be created from FlowFiles in different connections. This processor updates
    the mime.type attribute as appropriate. The Bin-Packing Algorithm fills bins up to the configured
    minimums and maximums (optionally one set of bins per value of the Correlation Attribute); Defragment
    reassembles the fragments that share a fragment.identifier, in fragment.index order, and routes an
    incomplete or inconsistent set of fragments to failure. Merge Formats: Binary Concatenation (with
    optional header, footer and demarcator), TAR and ZIP. The merged content is streamed from the
    FlowFiles' content; nothing is held in memory but the FlowFiles' attributes."""

    tags = ("merge", "content", "correlation", "tar", "zip", "archive", "concatenation")
    nifi_type = "org.apache.nifi.processors.standard.MergeContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    trigger_serially = True
    reads_attributes: ClassVar[Mapping[str, str]] = {
        FRAGMENT_ID: "Applicable only if the <Merge Strategy> property is set to Defragment. All FlowFiles with the "
                     "same value for this attribute will be bundled together.",
        FRAGMENT_INDEX: "Applicable only with Defragment: the order of the FlowFile in its bundle",
        FRAGMENT_COUNT: "Applicable only with Defragment: how many FlowFiles should be expected in the bundle",
        SEGMENT_ORIGINAL_FILENAME: "Applicable only with Defragment: the filename of the merged FlowFile",
        TAR_PERMISSIONS: "Applicable only with the TAR Merge Format: the entry's permissions, 3 octal digits",
    }
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "filename": "When more than 1 file is merged, the filename comes from the segment.original.filename attribute "
                    "(else the current time in nanoseconds), with .tar or .zip appended for those formats",
        MERGE_COUNT: "The number of FlowFiles that were merged into this bundle",
        MERGE_BIN_AGE: "The age of the bin, in milliseconds, when it was merged and output",
        MERGE_UUID: "UUID of the merged flow file that will be added to the original flow files attributes.",
        MERGE_REASON: "Which threshold made the bin merge: MAX_BYTES_THRESHOLD_REACHED, MAX_ENTRIES_THRESHOLD_REACHED, "
                      "MIN_THRESHOLDS_REACHED, TIMEOUT or BIN_MANAGER_FULL",
        "mime.type": "application/tar or application/zip, or for Binary Concatenation the mime.type shared by all "
                     "merged FlowFiles (else application/octet-stream)",
    }

    MERGE_STRATEGY = PropertyDescriptor(
        "Merge Strategy",
        description="Specifies the algorithm used to merge content. The 'Defragment' algorithm combines fragments "
                    "that are associated by attributes back into a single cohesive FlowFile. The 'Bin-Packing "
                    "Algorithm' generates a FlowFile populated by arbitrarily chosen FlowFiles",
        required=True, default=BIN_PACK.value, allowable_values=(BIN_PACK, DEFRAGMENT))
    MERGE_FORMAT = PropertyDescriptor(
        "Merge Format", description="Determines the format that will be used to merge the content.",
        required=True, default=FORMAT_CONCAT.value, allowable_values=(FORMAT_TAR, FORMAT_ZIP, FORMAT_CONCAT))
    ATTRIBUTE_STRATEGY = PropertyDescriptor(
        "Attribute Strategy",
        description="Determines which FlowFile attributes should be added to the bundle. If 'Keep All Unique "
                    "Attributes' is selected, any attribute on any FlowFile that gets bundled will be kept unless its "
                    "value conflicts with the value from another FlowFile. If 'Keep Only Common Attributes' is "
                    "selected, only the attributes that exist on all FlowFiles in the bundle, with the same value, "
                    "will be preserved.",
        required=True, default=KEEP_COMMON.value, allowable_values=(KEEP_COMMON, KEEP_UNIQUE))
    CORRELATION_ATTRIBUTE_NAME = PropertyDescriptor(
        "Correlation Attribute Name",
        description="If specified, like FlowFiles will be binned together, where 'like FlowFiles' means FlowFiles "
                    "that have the same value for this Attribute. If not specified, FlowFiles are bundled by the "
                    "order in which they are pulled from the queue.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES, validator=validators.NON_EMPTY)
    MIN_ENTRIES = PropertyDescriptor(
        "Minimum Number of Entries", description="The minimum number of files to include in a bundle",
        required=True, default="1", validator=validators.POSITIVE_INTEGER)
    MAX_ENTRIES = PropertyDescriptor(
        "Maximum Number of Entries", description="The maximum number of files to include in a bundle",
        required=True, default="1000", validator=validators.POSITIVE_INTEGER)
    MIN_SIZE = PropertyDescriptor(
        "Minimum Group Size", description="The minimum size for the bundle",
        required=True, default="0 B", validator=validators.DATA_SIZE)
    MAX_SIZE = PropertyDescriptor(
        "Maximum Group Size", description="The maximum size for the bundle. If not specified, there is no maximum.",
        validator=validators.DATA_SIZE)
    MAX_BIN_AGE = PropertyDescriptor(
        "Max Bin Age",
        description="The maximum age of a Bin that will trigger a Bin to be complete. Expected format is <duration> "
                    "<time unit> where <duration> is a positive integer and time unit is one of seconds, minutes, "
                    "hours",
        validator=validators.TIME_PERIOD)
    MAX_BIN_COUNT = PropertyDescriptor(
        "Maximum number of Bins",
        description="Specifies the maximum number of bins that can be held in memory at any one time",
        required=True, default="5", validator=validators.POSITIVE_INTEGER)
    DELIMITER_STRATEGY = PropertyDescriptor(
        "Delimiter Strategy",
        description="Determines if Header, Footer, and Demarcator should point to files containing the respective "
                    "content, or if the values of the properties should be used as the content.",
        required=True, default=DELIMITER_NONE.value, allowable_values=(DELIMITER_NONE, DELIMITER_FILENAME,
                                                                       DELIMITER_TEXT))
    HEADER = PropertyDescriptor(
        "Header File", display_name="Header",
        description="Filename or text specifying the header to use. If not specified, no header is supplied.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    FOOTER = PropertyDescriptor(
        "Footer File", display_name="Footer",
        description="Filename or text specifying the footer to use. If not specified, no footer is supplied.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DEMARCATOR = PropertyDescriptor(
        "Demarcator File", display_name="Demarcator",
        description="Filename or text specifying the demarcator to use. If not specified, no demarcator is supplied.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    COMPRESSION_LEVEL = PropertyDescriptor(
        "Compression Level",
        description="Specifies the compression level to use when using the Zip Merge Format; if not using the Zip "
                    "Merge Format, this value is ignored",
        required=True, default="1", allowable_values=tuple(str(level) for level in range(10)))
    KEEP_PATH = PropertyDescriptor(
        "Keep Path",
        description="If using the Zip or Tar Merge Format, specifies whether or not the FlowFiles' paths should be "
                    "included in their entry names.",
        required=True, default="false", allowable_values=("true", "false"))
    TAR_MODIFIED_TIME = PropertyDescriptor(
        "Tar Modified Time",
        description="If using the Tar Merge Format, specifies if the Tar entry should store the modified timestamp "
                    "either by expression (e.g. ${file.lastModifiedTime} or static value, both of which must match "
                    "the ISO8601 format 'yyyy-MM-dd'T'HH:mm:ssZ'.",
        default="${file.lastModifiedTime}", validator=validators.NON_EMPTY,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    ORIGINAL = Relationship("original", "The FlowFiles that were used to create the bundle")
    FAILURE = Relationship("failure", "If the bundle cannot be created, all FlowFiles that would have been used to "
                                      "created the bundle will be transferred to failure")
    MERGED = Relationship("merged", "The FlowFile containing the merged content")

    def __init__(self) -> None:
        self._first_seen: dict[str, float] = {}

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        problems: list[str] = []
        minimum = _integer(properties.get(self.MIN_ENTRIES.name) or self.MIN_ENTRIES.default)
        maximum = _integer(properties.get(self.MAX_ENTRIES.name) or self.MAX_ENTRIES.default)
        if minimum is not None and maximum is not None and minimum > maximum:
            problems.append(f"Property '{self.MIN_ENTRIES.name}' ({minimum}) must not be larger than "
                            f"'{self.MAX_ENTRIES.name}' ({maximum})")
        min_size, max_size = properties.get(self.MIN_SIZE.name), properties.get(self.MAX_SIZE.name)
        if min_size and max_size and not validators.DATA_SIZE(min_size) and not validators.DATA_SIZE(max_size):
            if parse_data_size(min_size) > parse_data_size(max_size):
                problems.append(f"Property '{self.MIN_SIZE.name}' ({min_size}) must not be larger than "
                                f"'{self.MAX_SIZE.name}' ({max_size})")
        return problems

    def on_stopped(self, context: ProcessContext) -> None:
        self._first_seen.clear()

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        max_bins = context.get_property(self.MAX_BIN_COUNT).as_int() or 5
        max_entries = context.get_property(self.MAX_ENTRIES).as_int() or 1000
        defragment = context.get_property(self.MERGE_STRATEGY).value == DEFRAGMENT.value
        flowfiles = session.get_batch(MAX_BATCH if defragment else min(MAX_BATCH, max_bins * max_entries + 1))
        if not flowfiles:
            self._first_seen.clear()
            return
        now = time.monotonic()
        seen = self._first_seen
        arrived = False
        for flowfile in flowfiles:
            if flowfile.id not in seen:
                seen[flowfile.id] = now
                arrived = True
        self._first_seen = seen = {flowfile.id: seen[flowfile.id] for flowfile in flowfiles}
        ordered = sorted(flowfiles, key=lambda flowfile: seen[flowfile.id])
        ready, waiting, unbinnable = self._bins(context, ordered, now, relax=not arrived)
        for flowfile in unbinnable:
            context.logger.error(f"Cannot Defragment {flowfile} because it has no {FRAGMENT_ID} attribute; "
                                 "routing to failure")
            session.transfer(flowfile, self.FAILURE)
        for ready_bin in ready:
            self._process(context, session, ready_bin, now)
        if waiting:
            session.transfer(waiting)
        for flowfile in (*unbinnable, *(member for ready_bin in ready for member in ready_bin.members)):
            seen.pop(flowfile.id, None)
        if not ready and not unbinnable:
            context.yield_()

    def _bins(self, context: ProcessContext, ordered: list[FlowFile], now: float,
              relax: bool) -> tuple[list[Bin], list[FlowFile], list[FlowFile]]:
        """Bin the FlowFiles in arrival order; return the bins to merge now, the FlowFiles that wait,
        and the FlowFiles that cannot be binned."""
        defragment = context.get_property(self.MERGE_STRATEGY).value == DEFRAGMENT.value
        max_bins = context.get_property(self.MAX_BIN_COUNT).as_int() or 5
        max_age = context.get_property(self.MAX_BIN_AGE).as_time_period()
        correlation = context.get_property(self.CORRELATION_ATTRIBUTE_NAME)
        unlimited = 1 << 62  # Defragment bins are bounded by fragment.count alone
        min_entries = 0 if defragment else context.get_property(self.MIN_ENTRIES).as_int() or 1
        max_entries = unlimited if defragment else context.get_property(self.MAX_ENTRIES).as_int() or 1000
        min_size = 0 if defragment else context.get_property(self.MIN_SIZE).as_data_size() or 0
        max_size = unlimited if defragment else context.get_property(self.MAX_SIZE).as_data_size() or unlimited
        count_attribute = FRAGMENT_COUNT if defragment else None
        open_bins: list[Bin] = []
        ready: list[Bin] = []
        unbinnable: list[FlowFile] = []
        for flowfile in ordered:
            if defragment:
                group = flowfile.attributes.get(FRAGMENT_ID)
                if group is None:
                    unbinnable.append(flowfile)
                    continue
            else:
                name = correlation.evaluate(flowfile).value if correlation.is_set else None
                group = flowfile.attributes.get(name) if name else None
            target = next((b for b in open_bins if b.group == group and b.offer(flowfile)), None)
            if target is None:
                if len(open_bins) >= max_bins:
                    oldest = open_bins.pop(0)
                    oldest.reason = BIN_MANAGER_FULL
                    ready.append(oldest)
                target = Bin(group, self._first_seen[flowfile.id], min_entries, max_entries, min_size, max_size,
                             count_attribute)
                if not target.offer(flowfile):
                    unbinnable.append(flowfile)
                    continue
                open_bins.append(target)
            target.created = min(target.created, self._first_seen[flowfile.id])
            if target.full:
                target.reason = target.fill_reason()
                open_bins.remove(target)
                ready.append(target)
        waiting: list[FlowFile] = []
        for candidate in open_bins:
            if max_age is not None and now - candidate.created >= max_age:
                candidate.reason = TIMEOUT
                ready.append(candidate)
            elif relax and not defragment and candidate.full_enough:
                candidate.reason = candidate.fill_reason()
                ready.append(candidate)
            else:
                waiting.extend(candidate.members)
        return ready, waiting, unbinnable

    def _process(self, context: ProcessContext, session: ProcessSession, ready: Bin, now: float) -> None:
        members = ready.members
        try:
            if context.get_property(self.MERGE_STRATEGY).value == DEFRAGMENT.value:
                _check_fragments(members)
                members.sort(key=lambda flowfile: int(flowfile.attributes[FRAGMENT_INDEX]))
            bundle = self._merge(context, session, members)
        except MergeError as exc:
            description = str(members) if len(members) <= 10 else f"{len(members)} FlowFiles"
            context.logger.error(f"{exc}; routing {description} to failure")
            session.transfer(members, self.FAILURE)
            return
        attributes = _merged_attributes(context.get_property(self.ATTRIBUTE_STRATEGY).value, members)
        attributes.update({
            "filename": bundle.attributes["filename"], "mime.type": bundle.attributes["mime.type"],
            MERGE_COUNT: str(len(members)), MERGE_BIN_AGE: str(int((now - ready.created) * 1000)),
            MERGE_REASON: ready.reason,
        })
        bundle = session.remove_all_attributes(bundle, [key for key in bundle.attributes if key not in attributes])
        bundle = session.put_all_attributes(bundle, attributes)
        session.transfer(bundle, self.MERGED)
        session.transfer([session.put_attribute(member, MERGE_UUID, bundle.id) for member in members], self.ORIGINAL)

    def _merge(self, context: ProcessContext, session: ProcessSession, members: list[FlowFile]) -> FlowFile:
        merge_format = context.get_property(self.MERGE_FORMAT).value
        bundle = session.create(members)
        try:
            if merge_format == FORMAT_TAR.value:
                bundle = session.write(bundle, lambda out: self._tar(context, session, members, out))
                return session.put_all_attributes(bundle, {"filename": _filename(members) + ".tar",
                                                           "mime.type": "application/tar"})
            if merge_format == FORMAT_ZIP.value:
                bundle = session.write(bundle, lambda out: self._zip(context, session, members, out))
                return session.put_all_attributes(bundle, {"filename": _filename(members) + ".zip",
                                                           "mime.type": "application/zip"})
            header, demarcator, footer = (self._delimiter(context, descriptor, members[0])
                                          for descriptor in (self.HEADER, self.DEMARCATOR, self.FOOTER))
            bundle = session.write(bundle, lambda out: _concatenate(session, members, header, demarcator, footer,
                                                                    out))
        except (OSError, ValueError, PathNotAllowed, tarfile.TarError, zipfile.BadZipFile) as exc:
            session.remove(bundle)
            raise MergeError(f"Failed to merge {len(members)} FlowFiles as {merge_format}: {exc}") from exc
        mime_types = {member.attributes.get("mime.type") for member in members}
        mime_type = mime_types.pop() if len(mime_types) == 1 else None
        return session.put_all_attributes(bundle, {"filename": _filename(members),
                                                   "mime.type": mime_type or "application/octet-stream"})

    def _delimiter(self, context: ProcessContext, descriptor: PropertyDescriptor, first: FlowFile) -> bytes:
        strategy = context.get_property(self.DELIMITER_STRATEGY).value
        if strategy == DELIMITER_NONE.value:
            return b""
        value = context.get_property(descriptor).evaluate(first).value
        if not value:
            return b""
        if strategy == DELIMITER_TEXT.value:
            return value.encode("utf-8")
        with open(context.allowed_path(value, descriptor.name), "rb") as source:  # inside the file roots only
            return source.read()

    def _tar(self, context: ProcessContext, session: ProcessSession, members: list[FlowFile], out: IO[bytes]) -> None:
        keep_path = context.get_property(self.KEEP_PATH).as_bool()
        modified = context.get_property(self.TAR_MODIFIED_TIME)
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.GNU_FORMAT) as archive:
            for member in members:
                info = tarfile.TarInfo(_entry_path(member, keep_path) + member.attributes.get("filename", member.id))
                info.size = member.size
                info.mode = _permissions(member.attributes.get(TAR_PERMISSIONS))
                info.mtime = _modified_time(modified.evaluate(member).value) or time.time()
                with session.read(member) as stream:
                    archive.addfile(info, stream)

    def _zip(self, context: ProcessContext, session: ProcessSession, members: list[FlowFile], out: IO[bytes]) -> None:
        keep_path = context.get_property(self.KEEP_PATH).as_bool()
        level = context.get_property(self.COMPRESSION_LEVEL).as_int() or 0
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
            for member in members:
                name = _entry_path(member, keep_path) + member.attributes.get("filename", member.id)
                with session.read(member) as stream, archive.open(name, "w", force_zip64=True) as entry:
                    shutil.copyfileobj(stream, entry, 1 << 20)


def _check_fragments(members: list[FlowFile]) -> None:
    """NiFi's Defragment checks: integer indexes, one fragment.count, and exactly that many fragments."""
    decided: str | None = None
    identifier = None
    for flowfile in members:
        if _integer(flowfile.attributes.get(FRAGMENT_INDEX)) is None:
            raise MergeError(f"Cannot Defragment {flowfile} because it does not have an integer value for the "
                             f"{FRAGMENT_INDEX} attribute")
        identifier = flowfile.attributes.get(FRAGMENT_ID)
        count = flowfile.attributes.get(FRAGMENT_COUNT)
        if count is None:
            continue
        if _integer(count) is None:
            raise MergeError(f"Cannot Defragment {flowfile} because it does not have an integer value for the "
                             f"{FRAGMENT_COUNT} attribute")
        if decided is None:
            decided = count
        elif decided != count:
            raise MergeError(f"Cannot Defragment {flowfile} because it is grouped with another FlowFile, and the two "
                             f"have differing values for the {FRAGMENT_COUNT} attribute: {decided} and {count}")
    if decided is None:
        raise MergeError(f"Cannot Defragment FlowFiles with Fragment Identifier {identifier} because no FlowFile "
                         f"arrived with the {FRAGMENT_COUNT} attribute and the expected number of fragments is unknown")
    if len(members) < int(decided):
        raise MergeError(f"Cannot Defragment FlowFiles with Fragment Identifier {identifier} because the expected "
                         f"number of fragments is {decided} but found only {len(members)} fragments")
    if len(members) > int(decided):
        raise MergeError(f"Cannot Defragment FlowFiles with Fragment Identifier {identifier} because the expected "
                         f"number of fragments is {decided} but found {len(members)} fragments for this identifier")


def _concatenate(session: ProcessSession, members: list[FlowFile], header: bytes, demarcator: bytes, footer: bytes,
                 out: IO[bytes]) -> None:
    out.write(header)
    for position, member in enumerate(members):
        if position and demarcator:
            out.write(demarcator)
        with session.read(member) as stream:
            shutil.copyfileobj(stream, out, 1 << 20)
    out.write(footer)


def _filename(members: list[FlowFile]) -> str:
    if len(members) == 1:
        return members[0].attributes.get("filename", "")
    return members[0].attributes.get(SEGMENT_ORIGINAL_FILENAME) or str(time.time_ns())


def _merged_attributes(strategy: str | None, members: list[FlowFile]) -> dict[str, str]:
    """Keep Only Common Attributes: those equal on every FlowFile. Keep All Unique Attributes: every
    attribute that no two FlowFiles disagree on. Never the uuid."""
    if strategy == KEEP_UNIQUE.value:
        merged: dict[str, str] = {}
        conflicting: set[str] = set()
        for member in members:
            for key, value in member.attributes.items():
                if key in conflicting:
                    continue
                if key in merged and merged[key] != value:
                    del merged[key]
                    conflicting.add(key)
                else:
                    merged[key] = value
    else:
        merged = dict(members[0].attributes)
        for member in members[1:]:
            merged = {key: value for key, value in merged.items() if member.attributes.get(key) == value}
    merged.pop("uuid", None)
    return merged


def _entry_path(flowfile: FlowFile, keep_path: bool) -> str:
    """The FlowFile's path attribute as an archive directory ('' for none or './')."""
    if not keep_path:
        return ""
    parts = [part for part in flowfile.attributes.get("path", "").split("/") if part]
    if parts and parts[0] == ".":
        parts = parts[1:]
    return "/".join(parts) + "/" if parts else ""


def _permissions(value: str | None) -> int:
    if value is not None and len(value) == 3 and all(ch in "01234567" for ch in value):
        return int(value, 8)
    return 0o644


def _modified_time(value: str | None) -> float | None:
    if not value or not value.strip():
        return None
    try:
        return datetime.datetime.fromisoformat(value.strip()).timestamp()
    except ValueError:
        return None
