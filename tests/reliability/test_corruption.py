"""Damaged data at start: a clear error naming the file, and no silent loss.

Large content (> 64 KiB) lives in claim files under <data>/content/<n>. A claim file truncated
or overwritten behind the engine's back must not turn into a short or wrong output file routed
to success; the FlowFile stays in its queue (or is quarantined) and a bulletin names the file.
A damaged flow.json refuses the start with a message naming it and leaves the file as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nifi_like.engine.controller import FlowController
from tests.conftest import eventually
from tests.support.engine_process import ROOT
from tests.support.flows import connection, flow, processor

PADDING = 100_000  # above the 64 KiB inline limit: the content goes to a claim file
COUNT = 3


def _expected(n: int) -> bytes:
    return str(n).encode() + b"." * PADDING


async def _queue_large_content(make_controller: Callable[..., FlowController], data_dir: str,
                               outbox: Path) -> tuple[dict[str, Any], dict[str, Any]]:
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
    return put, link


def _claim_files(data_dir: str) -> list[Path]:
    content = Path(data_dir) / "content"
    files = sorted(p for p in content.iterdir() if p.name.isdigit() and p.stat().st_size > 0)
    assert files, "the large content should live in claim files"
    return files


async def _deliver(make_controller: Callable[..., FlowController], data_dir: str, put: dict[str, Any],
                   link: dict[str, Any], outbox: Path) -> tuple[FlowController, list[str]]:
    """Restart on the damaged data dir and start PutFile; return what happened to it."""
    controller = make_controller(data_dir, administrative_yield=0.1)
    await controller.load(None)
    queue = controller.connections[link["identifier"]]
    await controller.start(put["identifier"])
    bulletins: list[str] = []

    def settled() -> bool:
        bulletins[:] = [b.message for b in controller.bulletins.for_component(put["identifier"])]
        return bool(bulletins) or queue.count == 0

    await eventually(settled, timeout=15)
    await asyncio.sleep(0.3)
    await controller.stop(put["identifier"])
    return controller, bulletins


def _check_no_silent_loss(controller: FlowController, link: dict[str, Any], outbox: Path,
                          bulletins: list[str], damaged: Path) -> None:
    written = {p.name: p.read_bytes() for p in outbox.iterdir() if not p.name.startswith(".")} \
        if outbox.exists() else {}
    good = [name for name, data in written.items() if data in {_expected(n) for n in range(1, 50)}]
    bad = sorted(set(written) - set(good))
    queued = controller.connections[link["identifier"]].count
    print(f"\nwritten intact {len(good)}, written damaged {bad}, still queued {queued}, bulletins {bulletins[:2]}")
    assert not bad, f"damaged content was delivered as if it were good: {bad}"
    assert len(good) + queued >= COUNT, "a FlowFile whose content was damaged disappeared"
    assert any(str(damaged) in message for message in bulletins), \
        f"no bulletin names the damaged claim file {damaged}: {bulletins}"


async def test_truncated_claim_file_is_reported_by_name_and_nothing_is_lost(
        make_controller: Callable[..., FlowController], tmp_path: Path) -> None:
    data_dir, outbox = str(tmp_path / "data"), tmp_path / "out"
    put, link = await _queue_large_content(make_controller, data_dir, outbox)
    damaged = _claim_files(data_dir)[0]
    with open(damaged, "r+b") as fh:
        fh.truncate(damaged.stat().st_size - PADDING // 2)
    controller, bulletins = await _deliver(make_controller, data_dir, put, link, outbox)
    _check_no_silent_loss(controller, link, outbox, bulletins, damaged)


async def test_overwritten_claim_file_content_is_detected_not_delivered(
        make_controller: Callable[..., FlowController], tmp_path: Path) -> None:
    data_dir, outbox = str(tmp_path / "data"), tmp_path / "out"
    put, link = await _queue_large_content(make_controller, data_dir, outbox)
    damaged = _claim_files(data_dir)[0]
    with open(damaged, "r+b") as fh:  # same length, different bytes: a bad sector, a stray write
        fh.seek(PADDING // 2)
        fh.write(b"X" * 64)
    controller, bulletins = await _deliver(make_controller, data_dir, put, link, outbox)
    _check_no_silent_loss(controller, link, outbox, bulletins, damaged)


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
