"""UnpackContent: one FlowFile per file of a TAR or ZIP archive."""

from __future__ import annotations

import datetime
import re
import shutil
import stat
import tarfile
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
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
from nifi_like.expression.javaregex import compile_java, translate

AUTO_DETECT = "use mime.type attribute"
TAR, ZIP = "tar", "zip"
OCTET_STREAM = "application/octet-stream"
FORMAT_OF_MIME_TYPE = {"application/tar": TAR, "application/x-tar": TAR, "application/zip": ZIP}
FRAGMENT_ID = "fragment.identifier"
FRAGMENT_INDEX = "fragment.index"
FRAGMENT_COUNT = "fragment.count"
SEGMENT_ORIGINAL_FILENAME = "segment.original.filename"
#: Archives held in memory before they spill to a temporary file (ZIP needs to seek).
SPOOL_MEMORY = 8 << 20


class UnpackError(Exception):
    """The archive cannot be unpacked; the original goes to 'failure'."""


def _regex_problem(value: str) -> str | None:
    try:
        compile_java(value)
    except re.error as exc:
        return f"is not a valid regular expression: {exc}"
    return None


class UnpackContent(Processor):
    """Unpacks the content of FlowFiles that have been packaged with one of several different Packaging
    Formats, emitting one to many FlowFiles for each input FlowFile. Supported formats are TAR and ZIP
    (ZipCrypto-encrypted entries with a Password; not AES). Only the files whose names contain a match of
    File Filter are extracted. With 'use mime.type attribute', application/tar, application/x-tar and
    application/zip select the format, a FlowFile without mime.type goes to 'failure', and one with another
    mime.type goes to 'success' unchanged. A corrupt archive, or one without files, goes to 'failure'.
    Entries are streamed to their FlowFiles; a ZIP archive that is not in memory is first spooled to a
    temporary file, since ZIP is read from its central directory."""

    tags = ("Unpack", "un-merge", "tar", "zip", "archive", "flowfile-stream", "flowfile-stream-v3")
    nifi_type = "org.apache.nifi.processors.standard.UnpackContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    reads_attributes: ClassVar[Mapping[str, str]] = {
        "mime.type": "If the <Packaging Format> property is set to use mime.type attribute, this attribute is used to "
                     "determine the FlowFile's MIME Type",
    }
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "mime.type": "If the FlowFile is successfully unpacked, its MIME Type is no longer known, so the mime.type "
                     "attribute is set to application/octet-stream.",
        FRAGMENT_ID: "All unpacked FlowFiles produced from the same parent FlowFile will have the same randomly "
                     "generated UUID added for this attribute",
        FRAGMENT_INDEX: "A one-up number that indicates the ordering of the unpacked FlowFiles that were created from "
                        "a single parent FlowFile",
        FRAGMENT_COUNT: "The number of unpacked FlowFiles generated from the parent FlowFile",
        SEGMENT_ORIGINAL_FILENAME: "The filename of the parent FlowFile. Extensions of .tar, .zip or .pkg are removed "
                                   "because the MergeContent processor automatically adds those extensions if it is "
                                   "used to rebuild the original FlowFile",
        "filename": "The name of the file within the archive",
        "path": "The directory of the file within the archive ('/' for none)",
        "file.lastModifiedTime": "The date and time that the unpacked file was last modified (tar only).",
        "file.creationTime": "The date and time that the file was created; always the same value as "
                             "file.lastModifiedTime (tar only).",
        "file.owner": "The owner of the unpacked file (tar only)",
        "file.group": "The group owner of the unpacked file (tar only)",
        "file.permissions": "The read/write/execute permissions of the unpacked file (tar only)",
        "file.encryptionMethod": "The encryption method for entries in Zip archives",
    }

    PACKAGING_FORMAT = PropertyDescriptor(
        "Packaging Format", description="The Packaging Format used to create the file",
        required=True, default=AUTO_DETECT, allowable_values=(AUTO_DETECT, TAR, ZIP))
    ZIP_FILENAME_CHARSET = PropertyDescriptor(
        "Filename Character Set",
        description="If supplied this character set will be supplied to the Zip utility to attempt to decode "
                    "filenames using the specific character set (for entries not flagged as UTF-8).",
        default="UTF-8", validator=validators.CHARACTER_SET)
    FILE_FILTER = PropertyDescriptor(
        "File Filter",
        description="Only files contained in the archive whose names match the given regular expression will be "
                    "extracted (tar/zip only)",
        required=True, default=".*", validator=_regex_problem)
    PASSWORD = PropertyDescriptor(
        "Password", description="Password used for decrypting Zip archives encrypted with ZipCrypto.",
        sensitive=True, validator=validators.NON_EMPTY)
    ALLOW_STORED_ENTRIES_WITH_DATA_DESCRIPTOR = PropertyDescriptor(
        "allow-stored-entries-wdd", display_name="Allow Stored Entries With Data Descriptor",
        description="Some zip archives contain stored entries with data descriptors which by spec should not happen. "
                    "Archives are read from their central directory here, which describes such entries fully, so "
                    "they are read whatever this value (kept for flows written for NiFi).",
        required=True, default="false", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "Unpacked FlowFiles are sent to this relationship")
    ORIGINAL = Relationship("original", "The original FlowFile is sent to this relationship after it has been "
                                        "successfully unpacked")
    FAILURE = Relationship("failure", "The original FlowFile is sent to this relationship when it cannot be unpacked "
                                      "for some reason")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfile = session.get()
        if flowfile is None:
            return
        packaging = context.get_property(self.PACKAGING_FORMAT).value or AUTO_DETECT
        if packaging == AUTO_DETECT:
            mime_type = flowfile.attributes.get("mime.type")
            if mime_type is None:
                context.logger.error(f"No mime.type attribute set for {flowfile}; routing to failure")
                session.transfer(flowfile, self.FAILURE)
                return
            if mime_type.lower() not in FORMAT_OF_MIME_TYPE:
                context.logger.info(f"Cannot unpack {flowfile} because its mime.type attribute is set to "
                                    f"'{mime_type}', which is not a format that can be unpacked; routing to 'success'")
                session.transfer(flowfile, self.SUCCESS)
                return
            packaging = FORMAT_OF_MIME_TYPE[mime_type.lower()]
        unpacker = _Unpacker(context, session, flowfile)
        try:
            if packaging == TAR:
                unpacker.tar()
            else:
                unpacker.zip()
            if not unpacker.unpacked:
                raise UnpackError("it does not appear to have any entries")
        except (UnpackError, OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, RuntimeError,
                NotImplementedError) as exc:
            context.logger.error(f"Unable to unpack {flowfile} as {packaging}: {exc}; routing to failure")
            session.remove(unpacker.unpacked)
            session.transfer(flowfile, self.FAILURE)
            return
        original_name = flowfile.attributes.get("filename", "")
        if original_name.endswith((".tar", ".zip", ".pkg")):
            original_name = original_name[:-4]
        count = str(len(unpacker.unpacked))
        children = [session.put_all_attributes(child, {FRAGMENT_COUNT: count, SEGMENT_ORIGINAL_FILENAME: original_name})
                    for child in unpacker.unpacked]
        session.transfer(children, self.SUCCESS)
        session.transfer(session.put_all_attributes(flowfile, {FRAGMENT_ID: unpacker.fragment_id,
                                                               FRAGMENT_COUNT: count}), self.ORIGINAL)


class _Unpacker:
    """Extracts the matching files of one archive into children of the source FlowFile."""

    def __init__(self, context: ProcessContext, session: ProcessSession, source: FlowFile) -> None:
        self.session = session
        self.source = source
        self.filter = re.compile(translate(context.get_property(UnpackContent.FILE_FILTER).value or ".*"))
        self.password = context.get_property(UnpackContent.PASSWORD).value
        self.charset = context.get_property(UnpackContent.ZIP_FILENAME_CHARSET).value or "UTF-8"
        self.fragment_id = str(uuid.uuid4())
        self.unpacked: list[FlowFile] = []

    def _child(self, name: str, path: str, attributes: Mapping[str, str], stream: IO[bytes]) -> None:
        child = self.session.create(self.source)
        self.unpacked.append(child)
        child = self.session.put_all_attributes(child, {
            "filename": name.rsplit("/", 1)[-1], "path": path, "mime.type": OCTET_STREAM, **attributes,
            FRAGMENT_ID: self.fragment_id, FRAGMENT_INDEX: str(len(self.unpacked))})
        self.unpacked[-1] = self.session.write(child, lambda out: shutil.copyfileobj(stream, out, 1 << 20))

    def tar(self) -> None:
        with self.session.read(self.source) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                if not member.isfile() or not self.filter.search(member.name):
                    continue
                parent = member.name.rsplit("/", 1)[0] if "/" in member.name else ""
                modified = datetime.datetime.fromtimestamp(member.mtime).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
                extracted = archive.extractfile(member)
                if extracted is None:
                    continue
                self._child(member.name, f"{parent}/" if parent else "/", {
                    "file.permissions": stat.filemode(member.mode)[1:], "file.owner": member.uname,
                    "file.group": member.gname, "file.lastModifiedTime": modified, "file.creationTime": modified,
                }, extracted)

    def zip(self) -> None:
        with self.session.read(self.source) as stream:
            seekable = stream if stream.seekable() else _spooled(stream)
            try:
                with zipfile.ZipFile(seekable) as archive:
                    for info in archive.infolist():
                        name = info.filename
                        if not info.flag_bits & 0x800:  # not flagged UTF-8: zipfile decoded it as cp437
                            name = name.encode("cp437").decode(self.charset, errors="replace")
                        if info.is_dir() or not self.filter.search(name):
                            continue
                        encrypted = bool(info.flag_bits & 0x1)
                        if encrypted and not self.password:
                            raise UnpackError(f"entry '{name}' is encrypted and no Password is set")
                        method = "ZIP_STANDARD" if encrypted else "NONE"
                        password = self.password.encode("utf-8") if self.password else None
                        parent = name.rstrip("/").rsplit("/", 1)[0] if "/" in name else ""
                        with archive.open(info, pwd=password) as entry:
                            self._child(name, parent or "/", {"file.encryptionMethod": method}, entry)
            finally:
                if seekable is not stream:
                    seekable.close()


def _spooled(stream: IO[bytes]) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(SPOOL_MEMORY)
    shutil.copyfileobj(stream, spool, 1 << 20)
    spool.seek(0)
    return spool
