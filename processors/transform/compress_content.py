"""CompressContent: compress or decompress content as a stream (gzip, deflate, bzip2, xz, lzma, zstd)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import zlib
from collections.abc import Callable, Mapping
from typing import IO, ClassVar

import zstandard

from nifi_like.api import (
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 20
_CHUNK = 1 << 16

FORMAT_ATTRIBUTE = "use mime.type attribute"
GZIP, DEFLATE, BZIP2, XZ_LZMA2, LZMA, ZSTD = "gzip", "deflate", "bzip2", "xz-lzma2", "lzma", "zstd"
MODE_COMPRESS, MODE_DECOMPRESS = "compress", "decompress"

#: The mime.type that compressing in a format sets, and the file extension Update Filename uses.
MIME_TYPES = {GZIP: "application/gzip", DEFLATE: "application/deflate", BZIP2: "application/x-bzip2",
              XZ_LZMA2: "application/x-xz", LZMA: "application/x-lzma", ZSTD: "application/zstd"}
EXTENSIONS = {GZIP: ".gz", DEFLATE: ".zlib", BZIP2: ".bz2", XZ_LZMA2: ".xz", LZMA: ".lzma", ZSTD: ".zst"}
#: The formats that "use mime.type attribute" recognises, as NiFi maps them.
FORMAT_OF_MIME_TYPE = {
    "application/gzip": GZIP, "application/x-gzip": GZIP, "application/deflate": DEFLATE,
    "application/x-deflate": DEFLATE, "application/bzip2": BZIP2, "application/x-bzip2": BZIP2,
    "application/x-lzma": LZMA, "application/x-xz": XZ_LZMA2, "application/zstd": ZSTD,
}
#: What a corrupt or truncated compressed stream raises.
CODEC_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError)

StreamCallback = Callable[[IO[bytes], IO[bytes]], None]


class CompressContent(Processor):
    """Compresses or decompresses the contents of FlowFiles using a user-specified compression algorithm
    and updates the mime.type attribute as appropriate. A common idiom is to configure Mode='decompress'
    AND Compression Format='use mime.type attribute': the format is then taken from the mime.type
    attribute, and data whose mime.type names no supported format is passed through to 'success'. The
    content is processed as a stream, so objects larger than memory are fine. Content that is not valid
    for the format goes to 'failure'. Supported formats: gzip, deflate (zlib), bzip2, xz-lzma2, lzma and
    zstd; gzip and bzip2 decompress concatenated streams. Unlike NiFi, compressing with deflate sets
    mime.type application/deflate (NiFi sets application/gzip, which it then cannot decompress)."""

    tags = ("content", "compress", "decompress", "gzip", "bzip2", "lzma", "xz-lzma2", "deflate", "zstd")
    nifi_type = "org.apache.nifi.processors.standard.CompressContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    reads_attributes: ClassVar[Mapping[str, str]] = {
        "mime.type": "If the Compression Format is set to use mime.type attribute, this attribute is used to "
                     "determine the compression type. Otherwise, this attribute is ignored.",
    }
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "mime.type": "If the Mode property is set to compress, the appropriate MIME Type is set. If the Mode property "
                     "is set to decompress and the file is successfully decompressed, this attribute is removed, as "
                     "the MIME Type is no longer known.",
        "filename": "With Update Filename, the format's extension is added (compress) or removed (decompress)",
    }

    MODE = PropertyDescriptor(
        "Mode",
        description="Indicates whether the processor should compress content or decompress content. Must be either "
                    "'compress' or 'decompress'",
        required=True, default=MODE_COMPRESS, allowable_values=(MODE_COMPRESS, MODE_DECOMPRESS))
    COMPRESSION_FORMAT = PropertyDescriptor(
        "Compression Format",
        description="The compression format to use. Valid values are: GZIP, Deflate, ZSTD, BZIP2, XZ-LZMA2 and LZMA",
        required=True, default=FORMAT_ATTRIBUTE,
        allowable_values=(FORMAT_ATTRIBUTE, GZIP, DEFLATE, BZIP2, XZ_LZMA2, LZMA, ZSTD))
    COMPRESSION_LEVEL = PropertyDescriptor(
        "Compression Level",
        description="The compression level to use; this is valid only when using gzip, deflate, xz-lzma2 or zstd "
                    "compression. A lower value results in faster processing but less compression; a value of 0 "
                    "indicates no (that is, simple archiving) for gzip or minimal for xz-lzma2 compression. zstd "
                    "uses twice this level.",
        required=True, default="1", allowable_values=tuple(str(level) for level in range(10)))
    UPDATE_FILENAME = PropertyDescriptor(
        "Update Filename",
        description="If true, will remove the filename extension when decompressing data (only if the extension "
                    "indicates the appropriate compression format) and add the appropriate extension when "
                    "compressing data",
        required=True, default="false", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "FlowFiles will be transferred to the success relationship after successfully "
                                      "being compressed or decompressed")
    FAILURE = Relationship("failure", "FlowFiles will be transferred to the failure relationship if they fail to "
                                      "compress/decompress")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        mode = context.get_property(self.MODE).value or MODE_COMPRESS
        configured = context.get_property(self.COMPRESSION_FORMAT).value or FORMAT_ATTRIBUTE
        level = context.get_property(self.COMPRESSION_LEVEL).as_int() or 0
        update_filename = context.get_property(self.UPDATE_FILENAME).as_bool()
        for flowfile in flowfiles:
            compression = configured
            if compression == FORMAT_ATTRIBUTE:
                mime_type = flowfile.attributes.get("mime.type")
                if mime_type is None:
                    context.logger.error(f"No mime.type attribute exists for {flowfile}; routing to failure")
                    session.transfer(flowfile, self.FAILURE)
                    continue
                if mime_type not in FORMAT_OF_MIME_TYPE:
                    context.logger.info(f"Mime Type of {flowfile} is '{mime_type}', which does not indicate a "
                                        "supported Compression Format; routing to success without decompressing")
                    session.transfer(flowfile, self.SUCCESS)
                    continue
                compression = FORMAT_OF_MIME_TYPE[mime_type]
            callback = _compressor(compression, level) if mode == MODE_COMPRESS else _decompressor(compression)
            try:
                updated = session.transform(flowfile, callback)
            except CODEC_ERRORS as exc:
                context.logger.error(f"Unable to {mode} {flowfile} using {compression} compression format due to "
                                     f"{type(exc).__name__}: {exc}; routing to failure")
                session.transfer(flowfile, self.FAILURE)
                continue
            session.transfer(_update_attributes(session, updated, mode, compression, update_filename), self.SUCCESS)


def _update_attributes(session: ProcessSession, flowfile: FlowFile, mode: str, compression: str,
                       update_filename: bool) -> FlowFile:
    extension = EXTENSIONS[compression]
    filename = flowfile.attributes.get("filename", "")
    if mode == MODE_DECOMPRESS:
        flowfile = session.remove_attribute(flowfile, "mime.type")
        if update_filename and filename.lower().endswith(extension):
            flowfile = session.put_attribute(flowfile, "filename", filename[:-len(extension)])
        return flowfile
    flowfile = session.put_attribute(flowfile, "mime.type", MIME_TYPES[compression])
    if update_filename:
        flowfile = session.put_attribute(flowfile, "filename", filename + extension)
    return flowfile


def _compressor(compression: str, level: int) -> StreamCallback:
    def compress(source: IO[bytes], out: IO[bytes]) -> None:
        if compression == GZIP:
            with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=level, mtime=0) as target:
                shutil.copyfileobj(source, target, _CHUNK)
        elif compression == BZIP2:
            with bz2.BZ2File(out, "wb") as target:
                shutil.copyfileobj(source, target, _CHUNK)
        elif compression in (XZ_LZMA2, LZMA):
            container = lzma.FORMAT_XZ if compression == XZ_LZMA2 else lzma.FORMAT_ALONE
            with lzma.LZMAFile(out, "wb", format=container, preset=level if compression == XZ_LZMA2 else None) as xz:
                shutil.copyfileobj(source, xz, _CHUNK)
        elif compression == ZSTD:
            compressor = zstandard.ZstdCompressor(level=level * 2)
            with compressor.stream_writer(out, closefd=False) as writer:
                shutil.copyfileobj(source, writer, _CHUNK)
        else:
            deflater = zlib.compressobj(level)
            while chunk := source.read(_CHUNK):
                out.write(deflater.compress(chunk))
            out.write(deflater.flush())
    return compress


def _decompressor(compression: str) -> StreamCallback:
    def decompress(source: IO[bytes], out: IO[bytes]) -> None:
        if compression == GZIP:
            with gzip.GzipFile(fileobj=source, mode="rb") as reader:
                shutil.copyfileobj(reader, out, _CHUNK)
        elif compression == BZIP2:
            with bz2.BZ2File(source, "rb") as bzip:
                shutil.copyfileobj(bzip, out, _CHUNK)
        elif compression in (XZ_LZMA2, LZMA):
            container = lzma.FORMAT_XZ if compression == XZ_LZMA2 else lzma.FORMAT_ALONE
            with lzma.LZMAFile(source, "rb", format=container) as xz:
                shutil.copyfileobj(xz, out, _CHUNK)
        elif compression == ZSTD:
            _zstd_frames(source, out)
        else:
            inflater = zlib.decompressobj()
            while chunk := source.read(_CHUNK):
                out.write(inflater.decompress(chunk))
            out.write(inflater.flush())
            if not inflater.eof:
                raise EOFError("the deflate stream ended before its end marker")
    return decompress


def _zstd_frames(source: IO[bytes], out: IO[bytes]) -> None:
    """Decompress one or more zstd frames; a stream that stops inside a frame is an error."""
    decompressor = zstandard.ZstdDecompressor()
    frame = decompressor.decompressobj()
    started = False
    while chunk := source.read(_CHUNK):
        while chunk:
            started = True
            out.write(frame.decompress(chunk))
            chunk = b""
            if frame.eof:
                chunk = frame.unused_data
                frame = decompressor.decompressobj()
                started = False
    if started:
        raise EOFError("the zstd stream ended inside a frame")
