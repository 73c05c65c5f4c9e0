"""ListFile lists each file once (state committed with the listing, surviving a restart);
FetchFile takes the content and moves or deletes the file only after its commit."""

from __future__ import annotations

import grp
import os
import pwd
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nifi_like.api import ProcessContext, ProcessException, ProcessSession
from nifi_like.flow_testing import FlowRunner
from nifi_like.testing import TestRunner
from processors.ingest.fetch_file import FAILURE_REASON, FetchFile
from processors.ingest.list_file import LISTING_TIMESTAMP, ListFile
from tests.support.flows import connection, flow, processor


def write(path: Path, content: str = "data", mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def listed(runner: TestRunner) -> list[str]:
    return sorted(ff.attributes["path"] + ff.attributes["filename"]
                  for ff in runner.get_flowfiles_for_relationship("success"))


# -- ListFile ---------------------------------------------------------------------------
def test_listfile_lists_each_file_with_its_attributes_and_no_content(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "hello")
    write(tmp_path / "sub" / "b.txt")
    write(tmp_path / ".hidden")
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        assert listed(runner) == ["./a.txt", "sub/b.txt"]
        [first] = [ff for ff in runner.get_flowfiles_for_relationship("success") if ff.attributes["filename"] == "a.txt"]
        assert first.content == b""
        first.assert_attribute_equals("absolute.path", str(tmp_path) + "/")
        first.assert_attribute_equals("file.size", "5")
        first.assert_attribute_exists("file.lastModifiedTime")
        assert (tmp_path / "a.txt").exists()  # listing never touches the file


def test_listfile_writes_owner_group_permissions_and_times(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "hello")
    (tmp_path / "a.txt").chmod(0o640)
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        stat = (tmp_path / "a.txt").stat()
        flowfile.assert_attribute_equals("file.owner", pwd.getpwuid(stat.st_uid).pw_name)
        flowfile.assert_attribute_equals("file.group", grp.getgrgid(stat.st_gid).gr_name)
        flowfile.assert_attribute_equals("file.permissions", "rw-r-----")
        for name in ("file.lastModifiedTime", "file.lastAccessTime", "file.creationTime"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", flowfile.get_attribute(name) or ""), name


def test_listfile_does_not_list_a_file_twice_but_lists_new_ones(tmp_path: Path) -> None:
    now = time.time()
    write(tmp_path / "old.txt", mtime=now - 100)
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path)}) as runner:
        runner.run()
        assert listed(runner) == ["./old.txt"]
        assert runner.state.get(LISTING_TIMESTAMP) == str(int((now - 100) * 1000))
        runner.clear_transfer_state()
        runner.run()
        assert listed(runner) == []
        assert runner.is_yielded
        write(tmp_path / "same-time.txt", mtime=now - 100)  # as new as the newest listed: still new
        write(tmp_path / "new.txt", mtime=now - 50)
        runner.run()
        assert listed(runner) == ["./new.txt", "./same-time.txt"]


def test_listfile_no_tracking_lists_everything_every_time(tmp_path: Path) -> None:
    write(tmp_path / "a.txt")
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path), "Listing Strategy": "none"}) as runner:
        runner.run(2)
        assert listed(runner) == ["./a.txt", "./a.txt"]
        assert runner.state.version == -1


def test_listfile_filters_by_name_size_and_age(tmp_path: Path) -> None:
    write(tmp_path / "keep.csv", "x" * 10, mtime=time.time() - 10)
    write(tmp_path / "skip.txt", "x" * 10)
    write(tmp_path / "tiny.csv", "x")
    write(tmp_path / "young.csv", "x" * 10, mtime=time.time() + 3600)
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path), "File Filter": r".*\.csv",
                                          "Minimum File Size": "5 B", "Minimum File Age": "1 sec"}) as runner:
        runner.run()
        assert listed(runner) == ["./keep.csv"]


def test_listfile_missing_directory_raises_and_stores_no_state(tmp_path: Path) -> None:
    with TestRunner(ListFile, properties={"Input Directory": str(tmp_path / "absent")}) as runner:
        with pytest.raises(ProcessException, match="does not exist"):
            runner.run()
        assert runner.state.version == -1


class CrashingListFile(ListFile):
    """Fails after listing, before its session commits: neither FlowFiles nor state may be kept."""

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        raise ProcessException("crash before commit")


def test_listfile_state_is_only_kept_with_the_committed_listing(tmp_path: Path) -> None:
    write(tmp_path / "a.txt")
    with TestRunner(CrashingListFile, properties={"Input Directory": str(tmp_path)}) as runner:
        with pytest.raises(ProcessException):
            runner.run()
        assert runner.state.version == -1
        runner.assert_transferred("success", 0)


def test_listfile_does_not_list_again_after_a_restart(tmp_path: Path) -> None:
    source_dir, data_dir = tmp_path / "in", tmp_path / "data"
    write(source_dir / "a.txt")
    write(source_dir / "b.txt")
    lister = processor("List", "ListFile", {"Input Directory": str(source_dir)}, period="100 millis")
    sink = processor("Listed", "LogAttribute", auto_terminate=("success",))
    document = flow([lister, sink], [connection(lister, sink, ["success"])])

    with FlowRunner(document, outputs=["Listed"], data_dir=data_dir, processors=[ListFile]) as runner:
        _wait_for(lambda: len(runner.outputs("Listed")) == 2)
    with FlowRunner(document, outputs=["Listed"], data_dir=data_dir, processors=[ListFile]) as runner:
        _wait_for(lambda: runner.trigger_count("List") >= 2)
        runner.run_until_idle(timeout=10)
        assert runner.outputs("Listed") == []
        write(source_dir / "c.txt")
        _wait_for(lambda: len(runner.outputs("Listed")) == 1)
        assert runner.outputs("Listed")[0].attributes["filename"] == "c.txt"


def _wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.02)
    assert check(), f"condition not met within {timeout} s"


# -- FetchFile --------------------------------------------------------------------------
def fetch(tmp_path: Path, **properties: str) -> TestRunner:
    return TestRunner(FetchFile, properties=properties)


def test_fetchfile_takes_the_content_and_leaves_the_file_by_default(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt", "content of a")
    with fetch(tmp_path) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "a.txt"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals("content of a")
        assert source.exists()
        [event] = [e for e in runner.provenance_events if e["event_type"] == "FETCH"]
        assert event["transit_uri"] == source.as_uri()


def test_fetchfile_deletes_the_file_only_after_commit(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt", "x")
    with fetch(tmp_path, **{"Completion Strategy": "Delete File"}) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "a.txt"})
        runner.run()
        runner.assert_all_transferred("success", 1)
        assert not source.exists()


class FailingFetchFile(FetchFile):
    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        raise ProcessException("downstream trouble")


def test_fetchfile_keeps_the_file_when_the_session_rolls_back(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt", "x")
    with TestRunner(FailingFetchFile, properties={"Completion Strategy": "Delete File"}) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "a.txt"})
        with pytest.raises(ProcessException):
            runner.run()
        assert source.exists()
        assert runner.queue_size == 1


def test_fetchfile_moves_the_file_and_renames_on_conflict(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "new")
    write(tmp_path / "done" / "a.txt", "old")
    with fetch(tmp_path, **{"Completion Strategy": "Move File",
                            "Move Destination Directory": str(tmp_path / "done")}) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "a.txt"})
        runner.run()
        runner.assert_all_transferred("success", 1)
        assert not (tmp_path / "a.txt").exists()
        moved = sorted(p.read_text() for p in (tmp_path / "done").iterdir())
        assert moved == ["new", "old"]


def test_fetchfile_move_with_fail_strategy_routes_to_failure(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "new")
    write(tmp_path / "done" / "a.txt", "old")
    with fetch(tmp_path, **{"Completion Strategy": "Move File", "Move Conflict Strategy": "Fail",
                            "Move Destination Directory": str(tmp_path / "done")}) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "a.txt"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("failure")
        assert "already exists" in (flowfile.get_attribute(FAILURE_REASON) or "")
        assert (tmp_path / "a.txt").exists()


def test_fetchfile_missing_file_goes_to_not_found_penalized_with_the_reason(tmp_path: Path) -> None:
    with fetch(tmp_path) as runner:
        runner.enqueue(b"original", {"absolute.path": str(tmp_path), "filename": "absent.txt"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("not.found")
        flowfile.assert_content_equals("original")
        assert flowfile.is_penalized
        assert "No such file" in (flowfile.get_attribute(FAILURE_REASON) or "")
        assert runner.bulletins


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_fetchfile_unreadable_file_goes_to_permission_denied(tmp_path: Path) -> None:
    source = write(tmp_path / "secret.txt")
    source.chmod(0)
    with fetch(tmp_path) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "secret.txt"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("permission.denied")
        flowfile.assert_attribute_exists(FAILURE_REASON)


def test_fetchfile_directory_instead_of_file_goes_to_failure(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    with fetch(tmp_path) as runner:
        runner.enqueue(b"", {"absolute.path": str(tmp_path), "filename": "adir"})
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("failure")
        flowfile.assert_attribute_exists(FAILURE_REASON)


def test_fetchfile_move_needs_a_destination() -> None:
    with TestRunner(FetchFile, properties={"Completion Strategy": "Move File"}) as runner:
        assert any("Move Destination Directory" in e for e in runner.assert_not_valid())
