"""TailFile: complete new lines become FlowFiles; the position is state committed with them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nifi_like.api import ProcessContext, ProcessException, ProcessSession
from nifi_like.testing import TestRunner
from processors.ingest.tail_file import ORIGINAL_PATH, STATE_POSITION, TailFile


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(text)


def contents(runner: TestRunner) -> list[bytes]:
    return [ff.content for ff in runner.get_flowfiles_for_relationship("success")]


def test_complete_lines_become_a_flowfile_and_the_position_is_stored(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "one\ntwo\nthr")
    with TestRunner(TailFile, properties={"File(s) to Tail": str(log)}) as runner:
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals("one\ntwo\n")
        flowfile.assert_attribute_equals("filename", "app.0-8.log")
        flowfile.assert_attribute_equals(ORIGINAL_PATH, str(log))
        assert runner.state.get(STATE_POSITION) == "8"
        runner.run()  # the partial line waits for its end
        assert contents(runner) == [b"one\ntwo\n"]
        assert runner.is_yielded
        append(log, "ee\nfour\n")
        runner.run()
        assert contents(runner) == [b"one\ntwo\n", b"three\nfour\n"]
        assert runner.state.get(STATE_POSITION) == str(log.stat().st_size)


def test_current_time_start_skips_what_is_already_written(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "old\n")
    with TestRunner(TailFile, properties={"File(s) to Tail": str(log), "Initial Start Position": "Current Time"}
                    ) as runner:
        runner.run()
        assert contents(runner) == []
        append(log, "new\n")
        runner.run()
        assert contents(runner) == [b"new\n"]


def test_a_stored_position_is_where_tailing_resumes(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "seen\nunseen\n")
    with TestRunner(TailFile, properties={"File(s) to Tail": str(log)}) as runner:
        runner.set_state({"file.0.filename": str(log), STATE_POSITION: "5", "file.0.inode": str(log.stat().st_ino)})
        runner.run()
        assert contents(runner) == [b"unseen\n"]


class FailingTailFile(TailFile):
    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        super().on_trigger(context, session)
        raise ProcessException("could not commit")


def test_a_rolled_back_session_keeps_the_old_position(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "line\n")
    with TestRunner(FailingTailFile, properties={"File(s) to Tail": str(log)}) as runner:
        with pytest.raises(ProcessException):
            runner.run()
        assert runner.state.get(STATE_POSITION) is None
        runner.assert_transferred("success", 0)


def test_rollover_reads_the_rest_of_the_rolled_file_then_the_new_one(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "a\n")
    with TestRunner(TailFile, properties={"File(s) to Tail": str(log), "Rolling Filename Pattern": "app.log.*"}
                    ) as runner:
        runner.run()
        append(log, "b\nlast without newline")
        os.rename(log, tmp_path / "app.log.1")
        append(log, "c\n")
        runner.run(3)
        assert contents(runner) == [b"a\n", b"b\nlast without newline", b"c\n"]


def test_rollover_without_a_pattern_starts_the_new_file_from_its_beginning(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append(log, "a long first line\n")
    with TestRunner(TailFile, properties={"File(s) to Tail": str(log)}) as runner:
        runner.run()
        log.unlink()
        append(log, "b\n")  # shorter than the position: a new file
        runner.run()
        assert contents(runner) == [b"a long first line\n", b"b\n"]


def test_a_missing_file_yields_without_output(tmp_path: Path) -> None:
    with TestRunner(TailFile, properties={"File(s) to Tail": str(tmp_path / "absent.log")}) as runner:
        runner.run()
        runner.assert_transferred("success", 0)
        assert runner.is_yielded
