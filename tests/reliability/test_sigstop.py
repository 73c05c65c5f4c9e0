"""SIGSTOP/SIGCONT of the engine while a client holds a token and a live-status websocket.

While the process is stopped nothing answers; once it continues, the same token still works,
the websocket carries on (or a reconnect with the same token gets a fresh snapshot), and the
flow (GetFile -> PutFile) delivers every file, those added during the stop included.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.reliability.conftest import Counts
from tests.support.engine_process import ROOT, EngineProcess
from tests.support.flows import connection, flow, processor

USER, PASSWORD = "operator", "a-long-test-password-1"
FILES_BEFORE, FILES_DURING = 200, 50
STOPPED_FOR = 3.0


def _add_files(inbox: Path, start: int, count: int) -> None:
    for n in range(start, start + count):
        hidden = inbox / f".f{n:05d}.txt"
        hidden.write_text(f"file {n}\n" * (1 + n % 5))
        os.replace(hidden, inbox / f"f{n:05d}.txt")


def _port(engine: EngineProcess) -> int:
    args = [str(arg) for arg in engine.proc.args]  # type: ignore[union-attr]
    return int(args[args.index("--port") + 1])


async def _status_messages(ws: aiohttp.ClientWebSocketResponse, timeout: float) -> dict[str, Any] | None:
    """The next JSON message, or None when the socket closed."""
    message = await ws.receive(timeout=timeout)
    if message.type != aiohttp.WSMsgType.TEXT:
        return None
    result: dict[str, Any] = json.loads(message.data)
    return result


async def test_sigstop_sigcont_keeps_token_websocket_and_data(tmp_path: Path, counts: Counts) -> None:
    inbox, outbox, data = tmp_path / "in", tmp_path / "out", tmp_path / "data"
    inbox.mkdir()
    data.mkdir()
    subprocess.run([sys.executable, "-m", "nifi_like.cli", "set-single-user-credentials", USER, PASSWORD,
                    "--data", str(data)], cwd=ROOT, check=True, capture_output=True, timeout=60)
    get = processor("get", "GetFile", {"Input Directory": str(inbox), "Batch Size": "5"}, period="20 ms")
    put = processor("put", "PutFile", {"Directory": str(outbox), "Conflict Resolution Strategy": "replace"},
                    auto_terminate=("success", "failure"))
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps(flow([get, put], [connection(get, put, ["success"])])))
    _add_files(inbox, 0, FILES_BEFORE)

    engine = EngineProcess(str(data), str(flow_file))
    engine.wait_started()
    base = f"http://127.0.0.1:{_port(engine)}/nifi-api"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.post(f"{base}/access/token", data={"username": USER, "password": PASSWORD}) as answer:
                assert answer.status == 201, await answer.text()
                token = await answer.text()
            headers = {"Authorization": f"Bearer {token}"}
            ws = await client.ws_connect(f"{base}/flow/live")
            await ws.send_str(json.dumps({"type": "auth", "token": token}))
            first = await _status_messages(ws, 10)
            assert first is not None and first["type"] == "snapshot"

            engine.proc.send_signal(signal.SIGSTOP)
            try:
                stopped_at = time.monotonic()
                _add_files(inbox, FILES_BEFORE, FILES_DURING)
                try:
                    async with client.get(f"{base}/flow/current-user", headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=1.0)) as answer:
                        raise AssertionError(f"a stopped engine answered {answer.status}")
                except TimeoutError:
                    pass
                await asyncio.sleep(max(0.0, STOPPED_FOR - (time.monotonic() - stopped_at)))
            finally:
                engine.proc.send_signal(signal.SIGCONT)

            async with client.get(f"{base}/flow/current-user", headers=headers,
                                  timeout=aiohttp.ClientTimeout(total=10)) as answer:
                assert answer.status == 200, f"the token no longer works after SIGCONT: {await answer.text()}"
            update = await _status_messages(ws, 10)
            reconnected = False
            if update is None:  # the server dropped the socket: a reconnect with the same token must work
                reconnected = True
                ws = await client.ws_connect(f"{base}/flow/live")
                await ws.send_str(json.dumps({"type": "auth", "token": token}))
                update = await _status_messages(ws, 10)
            assert update is not None and update["type"] in {"status", "snapshot"}, update
            await ws.close()
            print(f"\nafter SIGCONT: token ok, websocket {'reconnected' if reconnected else 'resumed'} "
                  f"with a {update['type']} message")

        deadline = time.monotonic() + 60
        expected = FILES_BEFORE + FILES_DURING
        while time.monotonic() < deadline:
            delivered = [p for p in os.listdir(outbox) if not p.startswith(".")] if outbox.exists() else []
            queues = engine.status_file() or {}
            drained = all(c["queued_count"] == 0 for c in queues.get("connections") or [{"queued_count": 1}])
            if len(delivered) == expected and not os.listdir(inbox) and drained:
                break
            await asyncio.sleep(0.2)
    finally:
        code = engine.stop()
    assert code == 0
    delivered = sorted(p for p in os.listdir(outbox) if not p.startswith("."))
    print(f"files {expected}, delivered {len(delivered)}, lost {expected - len(delivered)}")
    counts(stops=1, files=expected, acknowledged=expected - len(os.listdir(inbox)), delivered=len(delivered),
           lost=expected - len(delivered), token_after_sigcont="ok")
    assert delivered == [f"f{n:05d}.txt" for n in range(expected)]
    for n in range(expected):
        assert (outbox / f"f{n:05d}.txt").read_text() == f"file {n}\n" * (1 + n % 5)
