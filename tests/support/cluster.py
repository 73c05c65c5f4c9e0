"""A real etcd and real node processes for the cluster tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests

from nifi_like.web.auth import set_single_user_credentials
from tests.support.engine_process import ROOT, free_port

ETCD = "/usr/bin/etcd"
USER, PASSWORD = "admin", "cluster-test-password-1"


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; its value is returned."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")


class Etcd:
    """/usr/bin/etcd on free ports, its data in ``directory``; listening on loopback and ``extra_ips``."""

    def __init__(self, directory: str, extra_ips: Sequence[str] = ()) -> None:
        self.port, peer = free_port(), free_port()
        self.host = "127.0.0.1"
        clients = ",".join(f"http://{ip}:{self.port}" for ip in ("127.0.0.1", *extra_ips))
        os.makedirs(directory, exist_ok=True)
        self._log = open(os.path.join(directory, "etcd.log"), "ab")
        self.proc = subprocess.Popen(
            [ETCD, "--name", "test", "--data-dir", os.path.join(directory, "etcd-data"),
             "--listen-client-urls", clients, "--advertise-client-urls", f"http://127.0.0.1:{self.port}",
             "--listen-peer-urls", f"http://127.0.0.1:{peer}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
             "--initial-cluster", f"test=http://127.0.0.1:{peer}"],
            stdout=self._log, stderr=subprocess.STDOUT)
        wait_for(self._healthy, 20, "etcd to serve")

    @property
    def url(self) -> str:
        return f"etcd://{self.host}:{self.port}"

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"etcd exited with {self.proc.returncode}; see {self._log.name}")
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/health", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._log.close()


def write_plugin(directory: str) -> str:
    """A dist-info that registers FencedStamp in the processors' entry-point group, as pip would."""
    dist = os.path.join(directory, "nifi_like_cluster_tests-0.0.dist-info")
    os.makedirs(dist, exist_ok=True)
    with open(os.path.join(dist, "METADATA"), "w") as fh:
        fh.write("Metadata-Version: 2.1\nName: nifi-like-cluster-tests\nVersion: 0.0\n")
    with open(os.path.join(dist, "entry_points.txt"), "w") as fh:
        fh.write("[nifi_like.processors]\nFencedStamp = tests.support.fenced_stamp:FencedStamp\n")
    return directory


def cluster_secret(base: str) -> str:
    """The secret file every node under ``base`` shares (made once, mode 600)."""
    path = os.path.join(base, "cluster.secret")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(os.urandom(32).hex())
    return path


class Node:
    """One node process: ``nifi-like run --cluster URL --node-id ID``, with the cluster's secret file
    and a load-balance port of its own."""

    def __init__(self, base: str, node_id: str, etcd_url: str, *, ttl: float = 2.0, heartbeat: float = 0.4,
                 flow_file: str | None = None, netns: str | None = None, address: str = "127.0.0.1",
                 secret: bool = True) -> None:
        self.node_id = node_id
        self.base = base
        self.data = os.path.join(base, node_id, "data")
        os.makedirs(self.data, exist_ok=True)
        self.port = free_port()
        self.load_balance_port = free_port()
        self.address = address
        self.conf = os.path.join(base, node_id, "nifi_like.toml")
        with open(self.conf, "w") as fh:
            fh.write(f"[repository]\ndurability = \"nosync\"\n[security]\nfile_roots = [{json.dumps(base)}]\n"
                     f"[cluster]\nheartbeat_interval = \"{heartbeat} sec\"\nlease_ttl = \"{ttl} sec\"\n"
                     + (f"secret_file = {json.dumps(cluster_secret(base))}\n" if secret else ""))
        set_single_user_credentials(self.data, USER, PASSWORD)
        self.args = [sys.executable, "-m", "nifi_like.cli", "run", "--data", self.data, "--port", str(self.port),
                     "--conf", self.conf, "--cluster", etcd_url, "--node-id", node_id, "--host", address,
                     "--node-address", address, "--load-balance-port", str(self.load_balance_port)]
        if flow_file:
            self.args += ["--flow", flow_file]
        if netns:
            self.args = ["ip", "netns", "exec", netns, *self.args]
        self.env = {**os.environ, "NIFI_LIKE_TEST_NODE": node_id,
                    "PYTHONPATH": os.pathsep.join([write_plugin(os.path.join(base, "plugins")), ROOT])}
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self.start()

    def start(self) -> None:
        self._log = open(os.path.join(self.base, self.node_id, "node.log"), "ab")
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        self._token = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}/nifi-api"

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"node {self.node_id} exited with {self.proc.returncode}; see {self._log.name}")
            try:
                return requests.get(f"{self.url}/flow/about", timeout=1).status_code == 401
            except requests.RequestException:
                return False
        wait_for(ready, timeout, f"node {self.node_id} to serve", interval=0.2)

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        if self._token is None:
            reply = requests.post(f"{self.url}/access/token", data={"username": USER, "password": PASSWORD}, timeout=10)
            reply.raise_for_status()
            self._token = reply.text
        return requests.request(method, f"{self.url}{path}", json=body, timeout=20,
                                headers={"Authorization": f"Bearer {self._token}"})

    def get(self, path: str) -> Any:
        reply = self.call("GET", path)
        assert reply.status_code == 200, (reply.status_code, reply.text)
        return reply.json()

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def stamps(directory: str) -> list[dict[str, Any]]:
    """Every file FencedStamp wrote under ``directory``, oldest first."""
    out: list[dict[str, Any]] = []
    if not os.path.isdir(directory):
        return out
    for node in os.listdir(directory):
        for name in os.listdir(os.path.join(directory, node)):
            if name.endswith(".json"):
                time_ns, token = name[:-len(".json")].split("-", 1)
                out.append({"node": node, "token": None if token == "None" else int(token), "time_ns": int(time_ns)})
    return sorted(out, key=lambda s: s["time_ns"])


def remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
