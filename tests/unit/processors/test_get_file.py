"""GetFile: files become FlowFiles; a source file is deleted only once its FlowFile is committed."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from nifi_like.api import ProcessContext, ProcessException, ProcessSession
from nifi_like.testing import TestRunner
from processors.ingest.get_file import GetFile


def write(path: Path, content: str = "data") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def names(runner: TestRunner) -> list[str]:
    return sorted(ff.attributes["filename"] for ff in runner.get_flowfiles_for_relationship("success"))


class FailingAfterGetFile(GetFile):
    """GetFile whose trigger fails after it has taken the files: the framework rolls the session back."""

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        raise ProcessException("downstream trouble")


class GreedyGetFile(GetFile):
    """Triggers twice within one session, as two concurrent tasks would before either commits."""

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        super().on_trigger(context, session)


def test_a_file_becomes_a_flowfile_with_its_attributes_and_a_receive_event(tmp_path: Path) -> None:
    source = write(tmp_path / "in" / "hello.txt", "hello world")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path / "in")}) as runner:
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals(b"hello world")
        flowfile.assert_attribute_equals("filename", "hello.txt")
        flowfile.assert_attribute_equals("path", "./")
        flowfile.assert_attribute_equals("absolute.path", str(tmp_path / "in") + "/")
        flowfile.assert_attribute_equals("file.size", "11")
        for key in ("file.lastModifiedTime", "file.creationTime", "file.lastAccessTime"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", flowfile.attributes[key])
        assert re.fullmatch(r"[r-][w-][x-]" * 3, flowfile.attributes["file.permissions"])
        flowfile.assert_attribute_exists("file.owner")
        flowfile.assert_attribute_exists("file.group")
        [event] = runner.provenance_events
        assert event["event_type"] == "RECEIVE"
        assert event["transit_uri"] == source.as_uri()
        assert event["transit_uri"].startswith("file:///")


def test_the_source_file_is_deleted_after_the_commit(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert not source.exists()


def test_the_source_file_survives_a_rolled_back_session_and_is_taken_later(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt", "keep me")
    failing = FailingAfterGetFile()
    with TestRunner(failing, properties={"Input Directory": str(tmp_path)}) as runner:
        with pytest.raises(ProcessException, match="downstream trouble"):
            runner.run()
        assert source.read_text() == "keep me"
        runner.assert_transferred("success", 0)
        assert runner.provenance_events == []
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"keep me")
        assert not source.exists()


def test_a_file_in_flight_is_not_taken_twice(tmp_path: Path) -> None:
    write(tmp_path / "a.txt")
    with TestRunner(GreedyGetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        runner.assert_all_transferred("success", count=1)


def test_keep_source_file_leaves_the_file_to_be_picked_up_again(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "Keep Source File": "true"}) as runner:
        runner.run(iterations=2)
        runner.assert_all_transferred("success", count=2)
        assert source.exists()


def test_subdirectories_are_recursed_with_a_relative_path(tmp_path: Path) -> None:
    write(tmp_path / "top.txt")
    write(tmp_path / "a" / "b" / "deep.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        paths = {ff.attributes["filename"]: ff.attributes["path"] for ff in runner.get_flowfiles_for_relationship(
            "success")}
        assert paths == {"top.txt": "./", "deep.txt": "a/b/"}


def test_without_recursion_only_top_level_files_are_taken(tmp_path: Path) -> None:
    write(tmp_path / "top.txt")
    nested = write(tmp_path / "a" / "deep.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path),
                                         "Recurse Subdirectories": "false"}) as runner:
        runner.run()
        assert names(runner) == ["top.txt"]
        assert nested.exists()


def test_filters_select_files_by_name_path_and_hiddenness(tmp_path: Path) -> None:
    for relative in ("a.csv", "b.txt", ".hidden.csv", "keep/c.csv", "skip/d.csv"):
        write(tmp_path / relative)
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "File Filter": r".*\.csv",
                                         "Ignore Hidden Files": "false", "Path Filter": "keep"}) as runner:
        runner.run()
        assert names(runner) == ["c.csv"]  # a Path Filter excludes the top directory itself, as in NiFi
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "File Filter": r".*\.csv",
                                         "Ignore Hidden Files": "false"}) as runner:
        runner.run()
        assert names(runner) == [".hidden.csv", "a.csv", "d.csv"]


def test_size_and_age_limits_filter_files(tmp_path: Path) -> None:
    write(tmp_path / "small.txt", "x")
    write(tmp_path / "large.txt", "x" * 2000)
    old = write(tmp_path / "old.txt", "x" * 100)
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "Minimum File Size": "10 B",
                                         "Maximum File Size": "1 KB", "Keep Source File": "true"}) as runner:
        runner.run()
        assert names(runner) == ["old.txt"]
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "Minimum File Age": "30 mins",
                                         "Keep Source File": "true"}) as runner:
        runner.run()
        assert names(runner) == ["old.txt"]
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "Maximum File Age": "30 mins",
                                         "Keep Source File": "true"}) as runner:
        runner.run()
        assert names(runner) == ["large.txt", "small.txt"]


def test_batch_size_limits_the_files_per_trigger(tmp_path: Path) -> None:
    for number in range(15):
        write(tmp_path / f"f{number:02}.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        runner.assert_transferred("success", 10)
        runner.run()
        runner.assert_transferred("success", 15)
        assert os.listdir(tmp_path) == []


def test_the_directory_is_listed_again_only_after_the_polling_interval(tmp_path: Path) -> None:
    write(tmp_path / "a.txt")
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), "Polling Interval": "1 hour"}) as runner:
        runner.run(stop_on_finish=False)
        write(tmp_path / "b.txt")
        runner.run(initialize=False)
        assert names(runner) == ["a.txt"]
        runner.run()  # scheduling again starts a fresh listing
        assert names(runner) == ["a.txt", "b.txt"]


def test_an_empty_directory_makes_the_processor_yield(tmp_path: Path) -> None:
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        runner.assert_transferred("success", 0)
        assert runner.is_yielded


def test_a_directory_missing_at_run_time_is_an_error(tmp_path: Path, expression_language: None) -> None:
    missing = tmp_path / "gone"  # behind an expression, so validation cannot check it exists
    with TestRunner(GetFile, properties={"Input Directory": f"${{literal('{missing}')}}"}) as runner:
        runner.assert_valid()
        with pytest.raises(ProcessException, match="Input Directory '.*gone' does not exist"):
            runner.run()


@pytest.mark.parametrize(("properties", "reason"), [
    ({}, "Property 'Input Directory' of GetFile["),
    ({"Input Directory": "/no/such/dir"}, "'/no/such/dir' is not an existing directory"),
    ({"File Filter": "[unclosed"}, "'[unclosed' is not a valid regular expression"),
    ({"Path Filter": "(("}, "'((' is not a valid regular expression"),
    ({"Batch Size": "ten"}, "'ten' is not a positive integer"),
    ({"Maximum File Age": "50 ms"}, "'50 ms' is shorter than 100 millis"),
    ({"Minimum File Size": "lots"}, "'lots' is not a data size"),
    ({"Polling Interval": "soon"}, "'soon' is not a time period"),
])
def test_bad_configuration_is_invalid(tmp_path: Path, properties: dict[str, str], reason: str) -> None:
    with TestRunner(GetFile, properties={"Input Directory": str(tmp_path), **properties}) as runner:
        if not properties:
            runner.remove_property("Input Directory")
        errors = runner.assert_not_valid()
        assert any(reason in error for error in errors), errors
