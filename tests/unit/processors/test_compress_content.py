"""CompressContent: compress and decompress as streams; mime.type and filename updates; corrupt input."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib

import pytest
import zstandard

from nifi_like.testing import MockFlowFile, TestRunner
from processors.transform.compress_content import CompressContent

DATA = b"".join(b"record %d, some repeated text\n" % i for i in range(20_000))
DECODERS = {"gzip": gzip.decompress, "bzip2": bz2.decompress, "xz-lzma2": lzma.decompress,
            "lzma": lzma.decompress, "deflate": zlib.decompress,
            "zstd": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data)}


def _run(properties: dict[str, str], content: bytes, attributes: dict[str, str] | None = None) -> MockFlowFile:
    with TestRunner(CompressContent, properties=properties) as runner:
        runner.enqueue(content, attributes=attributes)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        runner.assert_transferred("failure", 0)
        return flowfile


@pytest.mark.parametrize("compression", sorted(DECODERS))
def test_compress_then_decompress_round_trips(compression: str) -> None:
    compressed = _run({"Compression Format": compression, "Update Filename": "true"}, DATA, {"filename": "data.txt"})
    assert len(compressed.content) < len(DATA) / 5
    assert DECODERS[compression](compressed.content) == DATA
    assert compressed.attributes["filename"].startswith("data.txt.")
    mime_type = compressed.attributes["mime.type"]
    restored = _run({"Mode": "decompress", "Update Filename": "true"}, compressed.content,
                    {"mime.type": mime_type, "filename": compressed.attributes["filename"]})
    restored.assert_content_equals(DATA)
    restored.assert_attribute_not_exists("mime.type")
    restored.assert_attribute_equals("filename", "data.txt")


def test_gzip_decompression_reads_concatenated_members() -> None:
    content = gzip.compress(b"first ") + gzip.compress(b"second")
    _run({"Mode": "decompress", "Compression Format": "gzip"}, content).assert_content_equals(b"first second")


def test_an_unknown_mime_type_passes_through_and_a_missing_one_fails() -> None:
    _run({"Mode": "decompress"}, b"plain", {"mime.type": "text/plain"}).assert_content_equals(b"plain")
    with TestRunner(CompressContent, properties={"Mode": "decompress"}) as runner:
        runner.enqueue(b"plain")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert "No mime.type attribute" in runner.bulletins[0].message


@pytest.mark.parametrize("compression", sorted(DECODERS))
def test_corrupt_or_truncated_input_goes_to_failure_unchanged(compression: str) -> None:
    good = _run({"Compression Format": compression}, DATA).content
    with TestRunner(CompressContent, properties={"Mode": "decompress", "Compression Format": compression}) as runner:
        runner.enqueue(b"this is not compressed at all")
        runner.enqueue(good[: len(good) // 2])
        runner.run()
        failed = runner.get_flowfiles_for_relationship("failure")
        assert [f.content for f in failed] == [b"this is not compressed at all", good[: len(good) // 2]]
        assert all("routing to failure" in b.message for b in runner.bulletins)


def test_an_unsupported_format_is_a_validation_error() -> None:
    with TestRunner(CompressContent, properties={"Compression Format": "snappy"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Compression Format'" in error and "'snappy' is not one of the allowed values" in error
