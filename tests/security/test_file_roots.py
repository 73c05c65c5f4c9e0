"""File processors are confined to the configured file roots ([security] file_roots).

GetFile's Input Directory and PutFile's Directory must resolve (os.path.realpath: ``../`` and
symbolic links followed) inside a root, and never into the engine's own data directory.
ListFile, FetchFile (both of its paths) and TailFile are confined the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nifi_like.api.files import FileRoots
from nifi_like.config import load_settings
from nifi_like.engine.controller import ComponentStateError, FlowController
from nifi_like.testing import TestRunner
from processors.egress.put_file import PutFile
from processors.ingest.fetch_file import FetchFile
from processors.ingest.get_file import GetFile
from processors.ingest.list_file import ListFile
from processors.ingest.tail_file import TailFile
from tests.support.flows import flow, processor


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """allowed/ (the one root) with in/ and out/; outside/ next to it holding a secret."""
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    for directory in (allowed / "in", allowed / "out", outside):
        directory.mkdir(parents=True)
    (outside / "secret.txt").write_text("do not take me")
    (allowed / "link-out").symlink_to(outside, target_is_directory=True)
    (allowed / "in" / "secret-link.txt").symlink_to(outside / "secret.txt")
    return {"allowed": allowed, "outside": outside, "root": tmp_path}


def roots(layout: dict[str, Path]) -> FileRoots:
    return FileRoots.of([str(layout["allowed"])])


ESCAPES = {"dot-dot": "allowed/in/../../outside", "symlink": "allowed/link-out", "absolute": "outside"}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
@pytest.mark.parametrize("cls", [GetFile, PutFile], ids=["GetFile", "PutFile"])
def test_escaping_directory_is_a_validation_error_naming_property_and_roots(
        layout: dict[str, Path], cls: type[GetFile] | type[PutFile], escape: str) -> None:
    name = "Input Directory" if cls is GetFile else "Directory"
    with TestRunner(cls, {name: str(layout["root"] / ESCAPES[escape])}, file_roots=roots(layout)) as runner:
        [problem] = [p for p in runner.assert_not_valid() if "file roots" in p]
        assert f"Property '{name}'" in problem
        assert str(layout["allowed"]) in problem
        assert str(layout["outside"]) in problem, "the message says where the path really leads"


def test_put_file_routes_an_escaping_evaluated_directory_to_failure(layout: dict[str, Path]) -> None:
    with TestRunner(PutFile, {"Directory": "${dir}"}, file_roots=roots(layout)) as runner:
        runner.assert_valid()  # an expression is checked once evaluated, per FlowFile
        for escape in ESCAPES.values():
            runner.enqueue(b"leak", attributes={"filename": "leak.txt", "dir": str(layout["root"] / escape)})
        runner.enqueue(b"fine", attributes={"filename": "fine.txt", "dir": str(layout["allowed"] / "out")})
        runner.run(iterations=4)
        runner.assert_transferred("failure", 3)
        runner.assert_transferred("success", 1)
    assert sorted(os.listdir(layout["outside"])) == ["secret.txt"], "a file was written outside the roots"
    assert (layout["allowed"] / "out" / "fine.txt").read_bytes() == b"fine"


def test_put_file_does_not_follow_a_symlink_planted_as_its_temporary_file(layout: dict[str, Path]) -> None:
    out = layout["allowed"] / "out"
    (out / ".report.txt").symlink_to(layout["outside"] / "secret.txt")
    with TestRunner(PutFile, {"Directory": str(out)}, file_roots=roots(layout)) as runner:
        runner.enqueue(b"report", attributes={"filename": "report.txt"})
        runner.run()
        runner.assert_all_transferred("success", 1)
    assert (layout["outside"] / "secret.txt").read_text() == "do not take me"
    assert (out / "report.txt").read_bytes() == b"report"


def test_get_file_takes_files_in_a_root_but_not_a_symlink_leading_out(layout: dict[str, Path]) -> None:
    inbox = layout["allowed"] / "in"
    (inbox / "a.txt").write_text("A")
    with TestRunner(GetFile, {"Input Directory": str(inbox)}, file_roots=roots(layout)) as runner:
        runner.assert_valid()
        runner.run()
        [taken] = runner.get_flowfiles_for_relationship("success")
        taken.assert_content_equals("A")
        assert any("secret-link.txt" in b.message and "file roots" in b.message for b in runner.bulletins)
    assert (layout["outside"] / "secret.txt").read_text() == "do not take me"
    assert os.listdir(inbox) == ["secret-link.txt"], "the link is left alone, a.txt was taken"


def test_a_legal_relative_path_works_from_the_working_directory(layout: dict[str, Path],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(layout["root"])
    with TestRunner(PutFile, {"Directory": "allowed/out/sub"}, file_roots=FileRoots.of(["allowed"])) as runner:
        runner.assert_valid()
        runner.enqueue(b"x", attributes={"filename": "x.txt"})
        runner.run()
        runner.assert_all_transferred("success", 1)
    assert (layout["allowed"] / "out" / "sub" / "x.txt").read_bytes() == b"x"


async def test_engine_refuses_to_start_a_processor_outside_the_roots_or_in_its_data_dir(
        layout: dict[str, Path], make_controller: Callable[..., FlowController]) -> None:
    data_dir = layout["allowed"] / "data"  # a root that holds the data dir: the data dir stays refused
    controller = make_controller(str(data_dir), file_roots=[str(layout["allowed"])])
    outside = processor("get-outside", "GetFile", {"Input Directory": str(layout["outside"])}, state="ENABLED")
    own = processor("get-own", "GetFile", {"Input Directory": str(data_dir)}, state="ENABLED")
    above = processor("get-above", "GetFile", {"Input Directory": str(layout["allowed"])}, state="ENABLED")
    fine = processor("get-fine", "GetFile", {"Input Directory": str(layout["allowed"] / "in"),
                                             "File Filter": "nothing"}, state="ENABLED", auto_terminate=("success",))
    await controller.load(flow([outside, own, above, fine], []))
    for component, words in ((outside, "outside the allowed file roots"), (own, "engine's own directory"),
                             (above, "engine's own directory")):
        with pytest.raises(ComponentStateError, match="Input Directory") as refused:
            await controller.start(component["identifier"])
        assert words in str(refused.value), str(refused.value)
    await controller.start(fine["identifier"])


def test_file_roots_setting_is_read_from_the_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "conf.toml"
    conf.write_text('[security]\nfile_roots = ["/srv/exchange", "in"]\n')
    assert load_settings(str(conf)).file_roots == ["/srv/exchange", "in"]
    assert load_settings(None).file_roots == ["in", "out"], "confined by default"
    conf.write_text('[security]\nfile_roots = "/"\n')
    with pytest.raises(ValueError, match="security.file_roots"):
        load_settings(str(conf))


@pytest.mark.parametrize(("cls", "name"), [(ListFile, "Input Directory"), (TailFile, "File(s) to Tail")],
                         ids=["ListFile", "TailFile"])
def test_listing_and_tailing_outside_the_roots_is_invalid(layout: dict[str, Path], cls: type[ListFile] |
                                                          type[TailFile], name: str) -> None:
    target = layout["outside"] if cls is ListFile else layout["outside"] / "secret.txt"
    with TestRunner(cls, {name: str(target)}, file_roots=roots(layout)) as runner:
        assert any(f"Property '{name}'" in p and "file roots" in p for p in runner.assert_not_valid())


def test_fetch_file_refuses_a_file_outside_the_roots(layout: dict[str, Path]) -> None:
    inside = layout["allowed"] / "in" / "ok.txt"
    inside.write_text("fine")
    with TestRunner(FetchFile, {"File to Fetch": "${path_to_fetch}"}, file_roots=roots(layout)) as runner:
        runner.enqueue(b"", attributes={"path_to_fetch": str(layout["outside"] / "secret.txt")})
        runner.enqueue(b"", attributes={"path_to_fetch": str(layout["allowed"] / "in" / "secret-link.txt")})
        runner.enqueue(b"", attributes={"path_to_fetch": str(inside)})
        runner.run(iterations=1)
        denied = runner.get_flowfiles_for_relationship("permission.denied")
        assert len(denied) == 2 and all(ff.content == b"" for ff in denied), "nothing read from outside"
        (fetched,) = runner.get_flowfiles_for_relationship("success")
        fetched.assert_content_equals(b"fine")


def test_merge_content_reads_delimiter_files_only_inside_the_roots(layout: dict[str, Path]) -> None:
    from processors.transform.merge_content import MergeContent

    properties = {"Delimiter Strategy": "Filename", "Header File": str(layout["outside"] / "secret.txt"),
                  "Minimum Number of Entries": "2", "Maximum Number of Entries": "2"}
    with TestRunner(MergeContent, properties, file_roots=roots(layout)) as runner:
        runner.enqueue(b"a")
        runner.enqueue(b"b")
        runner.run(iterations=1)
        assert runner.get_flowfiles_for_relationship("merged") == []
        assert len(runner.get_flowfiles_for_relationship("failure")) == 2, "the secret header is not read"
