"""The issue's acceptance flow, as a FlowRunner example with nothing swapped but the failure sinks:
ListenHTTP -> EvaluateJsonPath -> RouteOnAttribute -> MergeContent -> PutFile. Every JSON record
posted (and acknowledged) is written exactly once in the merged files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from nifi_like.flow_testing import FlowRunner
from processors.ingest.listen_http import ListenHTTP
from tests.support.flows import connection, flow, processor
from tests.unit.processors.local_http import free_port


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    for _ in range(5):  # a 503 means "not taken, send it again"
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                return exc.code
    return 503


def ingest_flow(port: int, out_dir: Path) -> dict[str, Any]:
    listen = processor("Listen", "ListenHTTP", {"Listening Port": str(port)}, tasks=2)
    extract = processor("Extract kind", "EvaluateJsonPath", {"Destination": "flowfile-attribute", "kind": "$.kind"})
    route = processor("Known kinds", "RouteOnAttribute", {"known": "${kind:equals('a'):or(${kind:equals('b')})}"})
    merge = processor("Merge by kind", "MergeContent", {
        "Correlation Attribute Name": "kind", "Minimum Number of Entries": "1", "Maximum Number of Entries": "500",
        "Max Bin Age": "1 sec"}, auto_terminate=("original",))
    name = processor("Name files", "UpdateAttribute", {"filename": "${kind}-${uuid}.jsonl"})
    store = processor("Store", "PutFile", {"Directory": str(out_dir)}, auto_terminate=("success",))
    problems = processor("Problems", "LogAttribute", auto_terminate=("success",))
    return flow([listen, extract, route, merge, name, store, problems], [
        connection(listen, extract, ["success"]),
        connection(extract, route, ["matched"]),
        connection(extract, problems, ["unmatched", "failure"]),
        connection(route, merge, ["known"]),
        connection(route, problems, ["unmatched"]),
        connection(merge, name, ["merged"]),
        connection(merge, problems, ["failure"]),
        connection(name, store, ["success"]),
        connection(store, problems, ["failure"]),
    ])


def run_ingest(tmp_path: Path, records: int) -> None:
    port, out_dir = free_port(), tmp_path / "out"
    bodies = [json.dumps({"id": i, "kind": "ab"[i % 2] if i % 10 else "other"}).encode() + b"\n"
              for i in range(records)]
    with FlowRunner(ingest_flow(port, out_dir), outputs=["Problems"], processors=[ListenHTTP]) as runner:
        url = f"http://127.0.0.1:{port}/contentListener"
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda body: post(url, body), bodies))
        assert statuses == [200] * records
        runner.run_until_idle(timeout=120)
        problems = runner.outputs("Problems")
        assert all(ff.attributes.get("RouteOnAttribute.Route") == "unmatched" for ff in problems)
        assert sorted(json.loads(ff.content)["id"] for ff in problems) == list(range(0, records, 10))

    written: dict[int, str] = {}
    for path in out_dir.iterdir():
        kind = path.name.split("-", 1)[0]
        for line in path.read_text().splitlines():
            record = json.loads(line)
            assert record["id"] not in written, f"record {record['id']} written twice"
            assert record["kind"] == kind
            written[record["id"]] = kind
    assert sorted(written) == [i for i in range(records) if i % 10]


def test_every_posted_record_is_written_once(tmp_path: Path) -> None:
    run_ingest(tmp_path, 2_000)


@pytest.mark.slow  # about 20 s: `make test` leaves it out
def test_ten_thousand_posted_records_are_written_once(tmp_path: Path) -> None:
    run_ingest(tmp_path, 10_000)
