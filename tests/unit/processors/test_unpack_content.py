"""UnpackContent: TAR and ZIP archives into one FlowFile per file, with fragment attributes."""

from __future__ import annotations

import io
import tarfile
import zipfile

from nifi_like.testing import TestRunner
from processors.transform.merge_content import MergeContent
from processors.transform.unpack_content import UnpackContent

FILES = {"a.txt": b"alpha", "dir/b.txt": b"bravo" * 30_000, "dir/sub/c.csv": b"x,y\n"}


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uname, info.gname, info.mtime = len(data), 0o640, "ann", "staff", 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dir/", b"")
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_tar_is_unpacked_with_its_file_attributes() -> None:
    with TestRunner(UnpackContent, properties={"Packaging Format": "tar"}) as runner:
        runner.enqueue(_tar(FILES), attributes={"filename": "bundle.tar"})
        runner.run()
        unpacked = runner.get_flowfiles_for_relationship("success")
        assert [f.content for f in unpacked] == list(FILES.values())
        assert [(f.attributes["path"], f.attributes["filename"]) for f in unpacked] == [
            ("/", "a.txt"), ("dir/", "b.txt"), ("dir/sub/", "c.csv")]
        [original] = runner.get_flowfiles_for_relationship("original")
        for index, flowfile in enumerate(unpacked, start=1):
            for key, value in {"fragment.index": str(index), "fragment.count": "3", "mime.type": "application/octet-stream",
                               "segment.original.filename": "bundle", "file.permissions": "rw-r-----",
                               "file.owner": "ann", "file.group": "staff",
                               "fragment.identifier": original.attributes["fragment.identifier"]}.items():
                flowfile.assert_attribute_equals(key, value)
            assert flowfile.attributes["file.lastModifiedTime"].startswith("2023-11-")
        original.assert_attribute_equals("fragment.count", "3")


def test_a_zip_is_unpacked_by_mime_type_and_filtered() -> None:
    with TestRunner(UnpackContent, properties={"File Filter": r"\.txt$"}) as runner:
        runner.enqueue(_zip(FILES), attributes={"mime.type": "application/zip", "filename": "z.zip"})
        runner.run()
        unpacked = runner.get_flowfiles_for_relationship("success")
        assert [(f.attributes["path"], f.attributes["filename"], f.content) for f in unpacked] == [
            ("/", "a.txt", b"alpha"), ("dir", "b.txt", FILES["dir/b.txt"])]
        assert all(f.attributes["file.encryptionMethod"] == "NONE" for f in unpacked)


def test_unpack_then_merge_as_tar_round_trips() -> None:
    with TestRunner(UnpackContent, properties={"Packaging Format": "zip"}) as runner:
        runner.enqueue(_zip(FILES), attributes={"filename": "z.zip"})
        runner.run()
        pieces = runner.get_flowfiles_for_relationship("success")
    with TestRunner(MergeContent, properties={"Merge Strategy": "Defragment", "Merge Format": "ZIP"}) as merge:
        for piece in pieces:
            merge.enqueue(piece.content, attributes=dict(piece.attributes))
        merge.run()
        [merged] = merge.get_flowfiles_for_relationship("merged")
        merged.assert_attribute_equals("filename", "z.zip")
        with zipfile.ZipFile(io.BytesIO(merged.content)) as archive:
            assert sorted(archive.read(name) for name in archive.namelist()) == sorted(FILES.values())


def test_mime_types_that_are_not_archives_pass_through_and_a_missing_one_fails() -> None:
    with TestRunner(UnpackContent) as runner:
        runner.enqueue(b"text", attributes={"mime.type": "text/plain"})
        runner.enqueue(b"text")
        runner.run(iterations=2)
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"text")
        runner.assert_transferred("failure", 1)
        runner.assert_transferred("original", 0)


def test_corrupt_and_empty_archives_go_to_failure() -> None:
    truncated = _tar(FILES)[:2560]  # inside the data of the second file
    with TestRunner(UnpackContent, properties={"Packaging Format": "tar"}) as runner:
        runner.enqueue(truncated)
        runner.enqueue(_tar({}))
        runner.run(iterations=2)
        runner.assert_all_transferred("failure", count=2)
        assert [f.content for f in runner.get_flowfiles_for_relationship("failure")] == [truncated, _tar({})]
    with TestRunner(UnpackContent, properties={"Packaging Format": "zip"}) as runner:
        runner.enqueue(b"PK not really a zip")
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert "Unable to unpack" in runner.bulletins[0].message


def test_an_invalid_file_filter_is_a_validation_error() -> None:
    with TestRunner(UnpackContent, properties={"File Filter": "*.txt"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'File Filter'" in error and "not a valid regular expression" in error


def test_an_encrypted_entry_without_a_password_goes_to_failure() -> None:
    plain = bytearray(_zip({"secret.txt": b"s"}))
    local, central = plain.rfind(b"PK\x03\x04"), plain.rfind(b"PK\x01\x02")  # the file, not "dir/"
    plain[local + 6] |= 0x1  # mark the entry encrypted in its local header and in the central directory
    plain[central + 8] |= 0x1
    with TestRunner(UnpackContent, properties={"Packaging Format": "zip"}) as runner:
        runner.enqueue(bytes(plain))
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert "is encrypted and no Password is set" in runner.bulletins[0].message
