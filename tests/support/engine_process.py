"""Run the engine as a separate process, the way a user does, to kill and restart it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EngineProcess:
    def __init__(self, data_dir: str, flow_file: str | None = None, *, log_path: str | None = None,
                 port: int | None = None, extra_args: tuple[str, ...] = (), extra_conf: str = "",
                 web_conf: str = "") -> None:
        """``web_conf``: lines for the [web] section of the engine's configuration (TLS, for one);
        ``extra_conf``: further sections."""
        conf = os.path.join(os.path.dirname(os.path.abspath(data_dir)), "nifi_like.toml")
        with open(conf, "w") as fh:  # file processors may use the test's directory (the data dir stays refused)
            fh.write(f"[security]\nfile_roots = [{json.dumps(os.path.dirname(os.path.abspath(data_dir)))}]\n"
                     f"sensitive_props_key_file = {json.dumps(os.path.join(os.path.dirname(conf), 'sensitive.key'))}\n"
                     f"[web]\n{web_conf}\n")
            fh.write(extra_conf)
        self.port = port or free_port()
        args = [sys.executable, "-m", "nifi_like.cli", "run", "--data", data_dir, "--port", str(self.port),
                "--conf", conf, *extra_args]
        if flow_file:
            args += ["--flow", flow_file]
        self.data_dir = data_dir
        self._log = open(log_path or os.path.join(os.path.dirname(data_dir), "engine.log"), "ab")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_started(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status_file()
            if status and status.get("pid") == self.proc.pid:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"engine exited with {self.proc.returncode}; see {self._log.name}")
            time.sleep(0.05)
        raise AssertionError("engine did not start in time")

    def status_file(self) -> dict[str, Any] | None:
        try:
            with open(os.path.join(self.data_dir, "status.json")) as fh:
                status: dict[str, Any] = json.load(fh)
                return status
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()

    def stop(self, timeout: float = 30.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._log.close()
        return code


def status(data_dir: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "nifi_like.cli", "status", "--data", data_dir, "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, Any] = json.loads(out.stdout)
    return result
