"""PutFile: durable writes, conflict strategies, failures routed (penalized) to 'failure'."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from nifi_like.testing import TestRunner
from processors.egress.put_file import PutFile, permission_mode


def put(directory: Path | str, **properties: str) -> TestRunner:
    return TestRunner(PutFile, properties={"Directory": str(directory), **properties})


def test_content_is_written_under_the_filename_with_a_send_event(tmp_path: Path) -> None:
    with put(tmp_path) as runner:
        runner.enqueue(b"hello", attributes={"filename": "greeting.txt"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert (tmp_path / "greeting.txt").read_bytes() == b"hello"
        assert os.listdir(tmp_path) == ["greeting.txt"]  # no temporary file left behind
        [event] = runner.provenance_events
        assert event["event_type"] == "SEND"
        assert event["transit_uri"] == (tmp_path / "greeting.txt").as_uri()


def test_large_content_is_written_completely(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    with put(tmp_path) as runner:
        runner.enqueue(data, attributes={"filename": "big.bin"})
        runner.run()
        assert (tmp_path / "big.bin").read_bytes() == data


def test_an_existing_file_fails_by_default_and_the_flowfile_is_penalized(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("original")
    with put(tmp_path) as runner:
        runner.enqueue(b"new", attributes={"filename": "a.txt"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        [flowfile] = runner.get_flowfiles_for_relationship("failure")
        assert flowfile.is_penalized
        assert (tmp_path / "a.txt").read_text() == "original"
        assert runner.provenance_events == []
        [bulletin] = runner.bulletins
        assert bulletin.level == "ERROR" and "already exists" in bulletin.message


def test_replace_overwrites_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("original")
    with put(tmp_path, **{"Conflict Resolution Strategy": "replace"}) as runner:
        runner.enqueue(b"new", attributes={"filename": "a.txt"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert (tmp_path / "a.txt").read_text() == "new"


def test_ignore_keeps_the_existing_file_and_reports_success_without_a_send(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("original")
    with put(tmp_path, **{"Conflict Resolution Strategy": "ignore"}) as runner:
        runner.enqueue(b"new", attributes={"filename": "a.txt"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert (tmp_path / "a.txt").read_text() == "original"
        assert [event["event_type"] for event in runner.provenance_events] == []


def test_missing_directories_are_created(tmp_path: Path) -> None:
    target = tmp_path / "x" / "y"
    with put(target) as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert (target / "f").read_bytes() == b"data"


def test_missing_directories_fail_when_not_to_be_created(tmp_path: Path) -> None:
    with put(tmp_path / "missing", **{"Create Missing Directories": "false"}) as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert runner.get_flowfiles_for_relationship("failure")[0].is_penalized
        assert not (tmp_path / "missing").exists()


def test_a_directory_that_cannot_be_made_routes_to_failure(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("a file, not a directory")
    with put(tmp_path / "plain" / "sub") as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert "could not create directory" in runner.bulletins[0].message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_directory_without_write_permission_routes_to_failure(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with put(locked) as runner:
            runner.enqueue(b"data", attributes={"filename": "f"})
            runner.run()
            runner.assert_all_transferred("failure", count=1)
            assert runner.get_flowfiles_for_relationship("failure")[0].is_penalized
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_a_file_that_cannot_be_written_routes_to_failure_even_as_root() -> None:
    with put("/proc") as runner:  # no one may create files in /proc
        runner.enqueue(b"data", attributes={"filename": "nifi_like_test"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert runner.get_flowfiles_for_relationship("failure")[0].is_penalized
        assert "could not write /proc/nifi_like_test" in runner.bulletins[0].message


def test_a_filename_leaving_the_directory_routes_to_failure(tmp_path: Path) -> None:
    with put(tmp_path / "out") as runner:
        runner.enqueue(b"data", attributes={"filename": "../escape.txt"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert not (tmp_path / "escape.txt").exists()


def test_maximum_file_count_is_enforced(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).write_text(name)
    with put(tmp_path, **{"Maximum File Count": "2"}) as runner:
        runner.enqueue(b"data", attributes={"filename": "c"})
        runner.run()
        runner.assert_all_transferred("failure", count=1)
        assert not (tmp_path / "c").exists()
    with put(tmp_path, **{"Maximum File Count": "3"}) as runner:
        runner.enqueue(b"data", attributes={"filename": "c"})
        runner.run()
        runner.assert_all_transferred("success", count=1)


@pytest.mark.parametrize(("permissions", "mode"), [("rw-------", 0o600), ("640", 0o640), ("rwxr-x---", 0o750)])
def test_permissions_are_set_on_the_file(tmp_path: Path, permissions: str, mode: int) -> None:
    with put(tmp_path, Permissions=permissions) as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == mode


def test_created_directories_get_the_permissions_plus_search(tmp_path: Path) -> None:
    with put(tmp_path / "made", Permissions="640") as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        assert stat.S_IMODE((tmp_path / "made").stat().st_mode) == 0o750


def test_permission_mode_follows_nifi() -> None:
    assert permission_mode("rw-r--r--", directory=False) == 0o644
    assert permission_mode("rw-r--r--", directory=True) == 0o755
    assert permission_mode("600", directory=True) == 0o700
    assert permission_mode("nope", directory=False) is None


def test_last_modified_time_is_set(tmp_path: Path) -> None:
    with put(tmp_path, **{"Last Modified Time": "2020-01-02T03:04:05+0000"}) as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        expected = datetime.strptime("2020-01-02T03:04:05+0000", "%Y-%m-%dT%H:%M:%S%z").timestamp()
        assert (tmp_path / "f").stat().st_mtime == expected


def test_an_unparsable_last_modified_time_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    with put(tmp_path, **{"Last Modified Time": "yesterday"}) as runner:
        runner.enqueue(b"data", attributes={"filename": "f"})
        runner.run()
        runner.assert_all_transferred("success", count=1)
        assert runner.bulletins[0].level == "WARNING"


def test_the_directory_expression_uses_flowfile_attributes(tmp_path: Path, expression_language: None) -> None:
    with put(str(tmp_path) + "/${team}") as runner:
        runner.enqueue(b"red data", attributes={"filename": "f", "team": "red"})
        runner.enqueue(b"blue data", attributes={"filename": "f", "team": "blue"})
        runner.run(iterations=2)
        runner.assert_all_transferred("success", count=2)
        assert (tmp_path / "red" / "f").read_bytes() == b"red data"
        assert (tmp_path / "blue" / "f").read_bytes() == b"blue data"


@pytest.mark.parametrize(("properties", "reason"), [
    ({"Directory": ""}, "Property 'Directory' of PutFile["),
    ({"Conflict Resolution Strategy": "merge"}, "'merge' is not one of the allowed values: replace, ignore, fail"),
    ({"Permissions": "rwz"}, "'rwz' is not a permission: it must be expressed in rwxr-x--- form or octal triplet"),
    ({"Maximum File Count": "many"}, "'many' is not an integer"),
    ({"Create Missing Directories": "yes"}, "'yes' is not one of the allowed values: true, false"),
])
def test_bad_configuration_is_invalid(tmp_path: Path, properties: dict[str, str], reason: str) -> None:
    with TestRunner(PutFile, properties={"Directory": str(tmp_path), **properties}) as runner:
        errors = runner.assert_not_valid()
        assert any(reason in error for error in errors), errors
