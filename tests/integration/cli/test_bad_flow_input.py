"""A bad flow file is refused with a message naming each problem; the data directory is unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.support.engine_process import ROOT
from tests.support.flows import connection, flow, processor


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nifi_like.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def _tree(directory: str) -> dict[str, str]:
    out = {}
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, directory)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def _good_flow() -> dict[str, Any]:
    gen = processor("gen", "GenerateFlowFile", {"Batch Size": "1"}, state="ENABLED")
    log = processor("log", "LogAttribute", state="ENABLED", auto_terminate=("success",))
    return flow([gen, log], [connection(gen, log, ["success"])])


def _truncated(path: str) -> None:
    text = json.dumps(_good_flow())
    with open(path, "w") as fh:
        fh.write(text[: len(text) // 2])


def _unknown_type(path: str) -> None:
    doc = _good_flow()
    doc["flowContents"]["processors"][0]["type"] = "org.apache.nifi.processors.standard.NoSuchProcessor"
    with open(path, "w") as fh:
        json.dump(doc, fh)


def _missing_connection_end(path: str) -> None:
    doc = _good_flow()
    doc["flowContents"]["connections"][0]["destination"]["id"] = "9d1b3a52-0000-4000-8000-000000000000"
    with open(path, "w") as fh:
        json.dump(doc, fh)


def _bad_property(path: str) -> None:
    doc = _good_flow()
    doc["flowContents"]["processors"][0]["properties"]["Batch Size"] = "ten"
    with open(path, "w") as fh:
        json.dump(doc, fh)


CASES = {
    "truncated JSON": (_truncated, ["not valid JSON"]),
    "unknown processor type": (_unknown_type, ["unknown processor type",
                                               "org.apache.nifi.processors.standard.NoSuchProcessor"]),
    "connection to a missing id": (_missing_connection_end, ["destination",
                                                             "9d1b3a52-0000-4000-8000-000000000000",
                                                             "does not exist"]),
    "invalid property value": (_bad_property, ["Property 'Batch Size'", "'ten' is not a positive integer"]),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("existing", [False, True], ids=["fresh-data-dir", "existing-data-dir"])
def test_bad_flow_is_refused_and_data_dir_unchanged(tmp_path: Any, case: str, existing: bool) -> None:
    data = str(tmp_path / "data")
    if existing:
        good = tmp_path / "good.json"
        good.write_text(json.dumps(_good_flow()))
        imported = _cli("flow", "import", "--data", data, str(good))
        assert imported.returncode == 0, imported.stderr
    before = _tree(data) if existing else None
    make, expected = CASES[case]
    bad = str(tmp_path / "bad.json")
    make(bad)
    for command in (["run", "--data", data, "--flow", bad], ["flow", "import", "--data", data, bad]):
        result = _cli(*command)
        assert result.returncode == 2, result.stdout + result.stderr
        for text in expected:
            assert text in result.stderr, result.stderr
        assert bad in result.stderr, "the message names the file"
    if existing:
        assert _tree(data) == before
    else:
        assert not os.path.exists(data)


def test_export_then_import_round_trips(tmp_path: Any) -> None:
    data = str(tmp_path / "data")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_good_flow()))
    assert _cli("flow", "import", "--data", data, str(good)).returncode == 0
    exported = _cli("flow", "export", "--data", data)
    assert exported.returncode == 0
    doc = json.loads(exported.stdout)
    assert [p["name"] for p in doc["flowContents"]["processors"]] == ["gen", "log"]
    again = _cli("flow", "import", "--data", data, str(good))
    assert again.returncode == 0
    assert os.listdir(os.path.join(data, "flow-archive")), "the replaced flow is archived"
