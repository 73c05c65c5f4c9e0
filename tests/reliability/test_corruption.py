"""Damaged data at start: a clear error naming the file, and no silent loss.

Large content (> 64 KiB) lives in claim files under <data>/content/<n>. A claim file truncated
or overwritten behind the engine's back must not turn into a short or wrong output file routed
to success; the FlowFile is quarantined (out of its queue, recorded with the reason, listed by
`nifi-like quarantine`), a bulletin names it and the file, and the FlowFiles behind it flow on.
A damaged flow.json refuses the start with a message naming it and leaves the file as it was.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nifi_like.engine import quarantine
from nifi_like.engine.controller import CONTENT_SOURCE, FlowController
from tests.conftest import eventually
from tests.reliability.conftest import Counts
from tests.support.engine_process import ROOT
from tests.support.flows import connection, flow, processor

PADDING = 100_000  # above the 64 KiB inline limit: the content goes to a claim file
COUNT = 3


def _expected(n: int) -> bytes:
    return str(n).encode() + b"." * PADDING


async def _queue_large_content(make_controller: Callable[..., FlowController], data_dir: str,
                               outbox: Path) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Run Emit until COUNT large FlowFiles wait in front of a stopped PutFile; shut down."""
    emit = processor("emit", "Emit", {"Batch Size": "1", "Padding": str(PADDING)}, period="10 ms")
    put = processor("put", "PutFile", {"Directory": str(outbox), "Conflict Resolution Strategy": "replace"},
                    state="ENABLED", auto_terminate=("success", "failure"))
    link = connection(emit, put, ["success"])
    controller = make_controller(data_dir)
    await controller.load(flow([emit, put], [link]))
    queue = controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= COUNT)
    await controller.stop(emit["identifier"])
    await controller.shutdown()
    return put, link, queue.count


def _claim_files(data_dir: str) -> list[Path]:
    content = Path(data_dir) / "content"
    files = sorted(p for p in content.iterdir() if p.name.isdigit() and p.stat().st_size > 0)
    assert files, "the large content should live in claim files"
    return files


async def _deliver(make_controller: Callable[..., FlowController], data_dir: str, put: dict[str, Any],
                   link: dict[str, Any], outbox: Path) -> tuple[FlowController, list[str]]:
    """Restart on the damaged data dir and start PutFile until its queue is empty; return the bulletins."""
    controller = make_controller(data_dir, administrative_yield=0.1)
    await controller.load(None)
    queue = controller.connections[link["identifier"]]
    await controller.start(put["identifier"])
    await eventually(lambda: queue.count == 0, timeout=20)
    await controller.stop(put["identifier"])
    return controller, [b.message for b in controller.bulletins.for_component(put["identifier"])]


def _check_quarantined_not_lost(controller: FlowController, link: dict[str, Any], outbox: Path,
                                bulletins: list[str], damaged: Path, total: int, counts: Counts) -> None:
    written = {p.name: p.read_bytes() for p in outbox.iterdir() if not p.name.startswith(".")} \
        if outbox.exists() else {}
    good = [name for name, data in written.items() if data in {_expected(n) for n in range(1, 50)}]
    bad = sorted(set(written) - set(good))
    queued = controller.connections[link["identifier"]].count
    held = quarantine.listing(controller.repo.env)
    print(f"\nwritten intact {len(good)}, written damaged {bad}, still queued {queued}, quarantined "
          f"{[(q.flowfile.id, q.reason) for q in held]}, bulletins {bulletins[:2]}")
    counts(flowfiles=total, delivered_intact=len(good), quarantined=len(held), delivered_damaged=len(bad),
           lost=total - len(good) - len(held) - queued)
    assert not bad, f"damaged content was delivered as if it were good: {bad}"
    assert held, "the FlowFile with damaged content was not quarantined"
    assert all(str(damaged) in q.reason and q.connection_id == link["identifier"] for q in held), held
    assert len(good) + len(held) == total and queued == 0, "a FlowFile disappeared, or the damaged one blocks the queue"
    for q in held:
        assert any(q.flowfile.id in message and str(damaged) in message for message in bulletins), \
            f"no bulletin names FlowFile {q.flowfile.id} and the damaged claim file {damaged}: {bulletins}"


def _listed_by_the_cli(data_dir: str) -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "nifi_like.cli", "quarantine", "--data", data_dir, "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


async def test_truncated_claim_file_is_reported_by_name_and_nothing_is_lost(
        make_controller: Callable[..., FlowController], tmp_path: Path, counts: Counts) -> None:
    data_dir, outbox = str(tmp_path / "data"), tmp_path / "out"
    put, link, total = await _queue_large_content(make_controller, data_dir, outbox)
    damaged = _claim_files(data_dir)[0]
    with open(damaged, "r+b") as fh:
        fh.truncate(damaged.stat().st_size - PADDING // 2)
    controller, bulletins = await _deliver(make_controller, data_dir, put, link, outbox)
    _check_quarantined_not_lost(controller, link, outbox, bulletins, damaged, total, counts)
    held = {q.flowfile.id for q in quarantine.listing(controller.repo.env)}
    await controller.shutdown()
    assert {row["uuid"] for row in _listed_by_the_cli(data_dir)} == held


async def test_overwritten_claim_file_content_is_detected_not_delivered(
        make_controller: Callable[..., FlowController], tmp_path: Path, counts: Counts) -> None:
    data_dir, outbox = str(tmp_path / "data"), tmp_path / "out"
    put, link, total = await _queue_large_content(make_controller, data_dir, outbox)
    damaged = _claim_files(data_dir)[0]
    with open(damaged, "r+b") as fh:  # same length, different bytes: a bad sector, a stray write
        fh.seek(PADDING // 2)
        fh.write(b"X" * 64)
    controller, bulletins = await _deliver(make_controller, data_dir, put, link, outbox)
    _check_quarantined_not_lost(controller, link, outbox, bulletins, damaged, total, counts)


async def test_deleted_claim_file_quarantines_every_flowfile_in_it(
        make_controller: Callable[..., FlowController], tmp_path: Path, counts: Counts) -> None:
    data_dir, outbox = str(tmp_path / "data"), tmp_path / "out"
    put, link, total = await _queue_large_content(make_controller, data_dir, outbox)
    damaged = _claim_files(data_dir)[0]
    damaged.unlink()
    controller, bulletins = await _deliver(make_controller, data_dir, put, link, outbox)
    at_start = [b.message for b in controller.bulletins.for_component(CONTENT_SOURCE)]
    assert any(str(damaged) in message and "missing" in message for message in at_start), at_start
    _check_quarantined_not_lost(controller, link, outbox, bulletins, damaged, total, counts)


@pytest.mark.parametrize("damage", ["truncated", "not-json-object", "unknown-type"])
def test_damaged_flow_json_refuses_start_naming_the_file(tmp_path: Path, damage: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    flow_json = data_dir / "flow.json"
    good = flow([processor("gen", "GenerateFlowFile")], [])
    text = json.dumps(good)
    flow_json.write_text({"truncated": text[: len(text) // 2], "not-json-object": "[1, 2, 3]",
                          "unknown-type": text.replace("GenerateFlowFile", "NoSuchProcessor")}[damage])
    before = hashlib.sha256(flow_json.read_bytes()).hexdigest()
    result = subprocess.run([sys.executable, "-m", "nifi_like.cli", "run", "--data", str(data_dir), "--port", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    print(result.stderr.strip())
    assert result.returncode != 0, "the engine started on a damaged flow.json"
    assert str(flow_json) in result.stderr, f"the error does not name {flow_json}: {result.stderr}"
    assert hashlib.sha256(flow_json.read_bytes()).hexdigest() == before, "a refused start rewrote flow.json"
    assert not (data_dir / "flow-archive").exists(), "a refused start archived the damaged flow"
