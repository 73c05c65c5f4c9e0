"""kill -9 at random moments loses nothing: GetFile -> UpdateAttribute -> PutFile, 2,000 files."""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from tests.reliability.conftest import Counts
from tests.support.engine_process import EngineProcess, status
from tests.support.flows import connection, flow, processor

FILES = 2000
KILLS = 5


def _content(n: int) -> bytes:
    return (f"file {n:05d} " * (1 + n % 7)).encode() + b"\n"


def test_kill_minus_nine_five_times_loses_nothing(tmp_path: Any, counts: Counts) -> None:
    inbox, outbox, data = tmp_path / "in", tmp_path / "out", tmp_path / "data"
    inbox.mkdir()
    for n in range(FILES):
        (inbox / f"f{n:05d}.txt").write_bytes(_content(n))
    get = processor("get", "org.apache.nifi.processors.standard.GetFile",
                    {"Input Directory": str(inbox), "Batch Size": "20"})
    update = processor("update", "org.apache.nifi.processors.attributes.UpdateAttribute", {"stage": "seen"})
    put = processor("put", "org.apache.nifi.processors.standard.PutFile",
                    {"Directory": str(outbox), "Conflict Resolution Strategy": "replace"},
                    auto_terminate=("success", "failure"))
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps(flow([get, update, put], [connection(get, update, ["success"]),
                                                               connection(update, put, ["success"])])))
    rng = random.Random(7)
    kill_points = []
    for round_ in range(KILLS):
        engine = EngineProcess(str(data), str(flow_file) if round_ == 0 else None)
        engine.wait_started()
        time.sleep(rng.uniform(0.05, 0.6))
        kill_points.append(len(os.listdir(outbox)) if outbox.exists() else 0)
        engine.kill()
    assert len(set(kill_points)) > 1 or kill_points[-1] < FILES, f"kills all landed after the work: {kill_points}"

    engine = EngineProcess(str(data))
    engine.wait_started()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = outbox.exists() and len([p for p in os.listdir(outbox) if not p.startswith(".")]) == FILES
        if done and not os.listdir(inbox):
            queues = engine.status_file() or {}
            if queues.get("connections") and all(c["queued_count"] == 0 for c in queues["connections"]):
                break
        time.sleep(0.2)
    assert engine.stop() == 0
    written = sorted(p for p in os.listdir(outbox) if not p.startswith("."))
    intact = sum(1 for n in range(FILES) if (outbox / f"f{n:05d}.txt").exists()
                 and (outbox / f"f{n:05d}.txt").read_bytes() == _content(n))
    counts(rounds=KILLS, acknowledged=FILES - len(os.listdir(inbox)), delivered=intact, lost=FILES - intact,
           duplicates="not observable (PutFile replaces by name)")
    assert len(written) == FILES, f"{FILES - len(written)} files missing (kills at {kill_points})"
    for n in range(FILES):
        assert (outbox / f"f{n:05d}.txt").read_bytes() == _content(n)
    assert os.listdir(inbox) == []
    final = status(str(data))
    assert [c["queued_count"] for c in final["connections"]] == [0, 0]
    print(f"kills at output counts {kill_points}; delivered {len(written)} of {FILES}, lost 0")
