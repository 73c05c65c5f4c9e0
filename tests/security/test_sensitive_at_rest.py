"""Sensitive properties and parameters: encrypted at rest with a key outside the data directory,
never returned by the API, searched, exported or logged; a restart decrypts them for the processor;
a wrong or missing key is a clear error naming the key file.

The flow is GetFile -> EncryptContent (Mode Decrypt, sensitive Password) -> PutFile. After a restart
a file encrypted with the password arrives in the output decrypted: the processor got the real value.
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nifi_like.engine.controller import FlowController
from nifi_like.flow.cipher import SensitiveKeyError
from processors.transform.encrypt_content import PBKDF2, derive_key, encrypt_stream
from tests.conftest import eventually
from tests.integration.web.conftest import Api
from tests.support.engine_process import ROOT

SECRET = "Tr0ub4dor&3-sensitive-password"
PARAMETER_SECRET = "p4ram-secret-value-0042"
MASK = "********"


def _encrypted(plaintext: bytes) -> bytes:
    salt, iv = os.urandom(16), os.urandom(16)
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), out, derive_key(PBKDF2.value, SECRET, salt), salt, iv)
    return out.getvalue()


def _files_containing(directory: Path, needles: list[str]) -> list[str]:
    found = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {needle}" for needle in needles if needle.encode() in data]
    return found


async def _refused(controller: FlowController) -> pytest.ExceptionInfo[SensitiveKeyError]:
    try:
        with pytest.raises(SensitiveKeyError) as refused:
            await controller.load(None)
        return refused
    finally:
        await controller.shutdown()


async def _build_flow(api: Api, inbox: Path, outbox: Path) -> dict[str, Any]:
    root = await api.root_id()
    get = await api.create_processor(root, "GetFile", schedulingPeriod="50 ms",
                                     properties={"Input Directory": str(inbox)})
    decrypt = await api.create_processor(root, "EncryptContent", properties={"Mode": "Decrypt", "Password": SECRET},
                                         autoTerminatedRelationships=["failure"])
    put = await api.create_processor(root, "PutFile", properties={"Directory": str(outbox)},
                                     autoTerminatedRelationships=["success", "failure"])
    await api.connect(root, get, decrypt, ["success"])
    await api.connect(root, decrypt, put, ["success"])
    await api.ok("POST", "/parameter-contexts", {"revision": {"version": 0}, "component": {
        "name": "secrets", "parameters": [{"parameter": {"name": "token", "value": PARAMETER_SECRET,
                                                         "sensitive": True}}]}}, 201)
    for processor in (get, decrypt, put):
        current = await api.ok("GET", f"/processors/{processor['id']}")
        await api.ok("PUT", f"/processors/{processor['id']}/run-status",
                     {"revision": current["revision"], "state": "RUNNING"})
    return {"root": root, "decrypt": decrypt}


async def _check_the_api_never_shows_it(api: Api, root: str, decrypt_id: str) -> None:
    entity = await api.ok("GET", f"/processors/{decrypt_id}")
    config = entity["component"]["config"]
    assert config["properties"]["Password"] == MASK
    assert config["descriptors"]["Password"]["sensitive"] is True
    for path in (f"/flow/process-groups/{root}", f"/flow/search-results?q={SECRET[:10]}",
                 f"/process-groups/{root}/download", "/flow/parameter-contexts"):
        reply = await api.get(path)
        assert reply.status == 200, (path, reply.text)
        assert SECRET not in reply.text and PARAMETER_SECRET not in reply.text, f"{path} shows a sensitive value"
    search = (await api.ok("GET", f"/flow/search-results?q={SECRET[:10]}"))["searchResultsDTO"]
    assert search["processorResults"] == [], "a sensitive value can be found by searching for it"
    download = json.loads((await api.get(f"/process-groups/{root}/download")).text)
    exported = next(p for p in download["flowContents"]["processors"] if p["identifier"] == decrypt_id)
    assert "Password" not in exported["properties"], "an exported flow carries the sensitive value"


async def test_sensitive_values_are_encrypted_at_rest_masked_and_work_after_restart(
        api: Api, make_controller: Callable[..., FlowController], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    settings = api.controller.settings
    data_dir, key_file = Path(settings.data_dir), Path(settings.sensitive_props_key_file)
    ids = await _build_flow(api, inbox, outbox)
    await _check_the_api_never_shows_it(api, ids["root"], ids["decrypt"]["id"])
    # the mask sent back (as the canvas sends the form) means "unchanged"
    current = await api.ok("GET", f"/processors/{ids['decrypt']['id']}")
    await api.ok("PUT", f"/processors/{ids['decrypt']['id']}/run-status",
                 {"revision": current["revision"], "state": "STOPPED"})
    current = await api.ok("GET", f"/processors/{ids['decrypt']['id']}")
    await api.ok("PUT", f"/processors/{ids['decrypt']['id']}", {
        "revision": current["revision"], "component": {"id": ids["decrypt"]["id"], "name": "decrypt",
                                                       "config": {"properties": {"Password": MASK}}}})
    current = await api.ok("GET", f"/processors/{ids['decrypt']['id']}")
    await api.ok("PUT", f"/processors/{ids['decrypt']['id']}/run-status",
                 {"revision": current["revision"], "state": "RUNNING"})

    assert not _files_containing(data_dir, [SECRET, PARAMETER_SECRET]), "a sensitive value is stored in the clear"
    assert (data_dir / "flow.json").read_text().count("enc{") == 2
    assert key_file.exists() and data_dir not in key_file.parents
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    await api.controller.shutdown()

    again = make_controller(str(data_dir))
    await again.load(None)  # resumes RUNNING, the password decrypted for the processor
    (inbox / "message.txt").write_bytes(_encrypted(b"the plaintext after a restart\n"))
    await eventually(lambda: (outbox / "message.txt").exists(), timeout=20)
    assert (outbox / "message.txt").read_bytes() == b"the plaintext after a restart\n"
    parameters = again.flow.document["parameterContexts"]["secrets"]["parameters"]
    assert parameters[0]["value"] == PARAMETER_SECRET
    await again.shutdown()
    assert not _files_containing(data_dir, [SECRET, PARAMETER_SECRET])
    assert SECRET not in caplog.text and PARAMETER_SECRET not in caplog.text, "a sensitive value was logged"

    # the CLI export leaves them out too
    exported = subprocess.run([sys.executable, "-m", "nifi_like.cli", "flow", "export", "--data", str(data_dir)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    assert "enc{" not in exported and SECRET not in exported and '"Password"' not in exported.split("properties")[-1]

    # a wrong key, then no key: a clear error naming the key file and the value
    key_file.write_text(os.urandom(32).hex() + "\n")
    wrong = await _refused(make_controller(str(data_dir)))
    assert str(key_file) in str(wrong.value) and "property 'Password' of EncryptContent" in str(wrong.value)
    key_file.unlink()
    missing = await _refused(make_controller(str(data_dir)))
    assert str(key_file) in str(missing.value) and "does not exist" in str(missing.value)
    print(f"\nwrong key: {wrong.value}\nmissing key: {missing.value}")


def test_a_key_file_inside_the_data_directory_is_refused(make_controller: Callable[..., FlowController],
                                                         tmp_path: Path) -> None:
    with pytest.raises(SensitiveKeyError, match="inside the data directory"):
        make_controller(str(tmp_path / "data"), sensitive_props_key_file=str(tmp_path / "data" / "keys" / "k.key"))
    assert not (tmp_path / "data").exists(), "the data directory was touched before the key was checked"


def test_the_engine_refuses_to_start_with_the_wrong_key(tmp_path: Path) -> None:
    data_dir, key_file = tmp_path / "data", tmp_path / "sensitive.key"
    conf = tmp_path / "nifi_like.toml"
    conf.write_text(f"[security]\nsensitive_props_key_file = {json.dumps(str(key_file))}\n")
    flow = {"flowContents": {"identifier": "g", "name": "x", "processors": [{
        "identifier": "p", "name": "decrypt", "type": "EncryptContent", "scheduledState": "ENABLED",
        "properties": {"Mode": "Decrypt", "Password": SECRET}, "autoTerminatedRelationships": ["success", "failure"]}]}}
    (tmp_path / "flow.json").write_text(json.dumps(flow))
    subprocess.run([sys.executable, "-m", "nifi_like.cli", "flow", "import", "--data", str(data_dir), "--conf",
                    str(conf), str(tmp_path / "flow.json")], cwd=ROOT, check=True, capture_output=True, timeout=60)
    assert SECRET not in (data_dir / "flow.json").read_text() and "enc{" in (data_dir / "flow.json").read_text()
    key_file.write_text(os.urandom(32).hex() + "\n")
    result = subprocess.run([sys.executable, "-m", "nifi_like.cli", "run", "--data", str(data_dir), "--port", "0",
                             "--conf", str(conf)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    print(result.stderr.strip())
    assert result.returncode == 2
    assert str(key_file) in result.stderr and "cannot be decrypted" in result.stderr
