"""`nifi-like status --json` reports live numbers while the engine runs, in the documented shape."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.support.engine_process import EngineProcess, status
from tests.support.flows import connection, flow, processor

CONNECTION_KEYS = {"id", "name", "source", "destination", "queued_count", "queued_bytes", "object_threshold",
                   "size_threshold"}
PROCESSOR_KEYS = {"id", "name", "type", "run_status", "in_count", "out_count"}


def test_status_json_while_running_and_after_restart(tmp_path: Any) -> None:
    gen = processor("gen", "GenerateFlowFile", {"Batch Size": "10", "File Size": "10 B"}, period="100 ms")
    log = processor("log", "LogAttribute", state="ENABLED", auto_terminate=("success",))
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps(flow([gen, log], [connection(gen, log, ["success"], threshold=50)])))
    data = str(tmp_path / "data")
    engine = EngineProcess(data, str(flow_file))
    engine.wait_started()
    deadline = time.monotonic() + 20
    live: dict[str, Any] = {}
    while time.monotonic() < deadline:
        live = status(data)
        if live["connections"] and live["connections"][0]["queued_count"] >= 50:
            break
        time.sleep(0.3)
    (conn,) = live["connections"]
    assert set(conn) == CONNECTION_KEYS
    assert 50 <= conn["queued_count"] <= 60 and conn["queued_bytes"] == conn["queued_count"] * 10
    assert conn["object_threshold"] == 50
    by_name = {p["name"]: p for p in live["processors"]}
    assert all(set(p) >= PROCESSOR_KEYS for p in live["processors"])
    assert by_name["gen"]["run_status"] == "Running" and by_name["gen"]["out_count"] >= 50
    assert by_name["log"]["run_status"] == "Stopped" and by_name["log"]["in_count"] == 0
    assert engine.stop() == 0
    stopped = status(data)
    assert stopped["connections"][0]["queued_count"] == conn["queued_count"], "counts survive the stop"
