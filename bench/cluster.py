"""Throughput of a load-balanced stage on 1 and on 3 node processes on loopback, the CPU each
node uses, the measured cost of a transfer and of an etcd lease heartbeat, and from those an
estimate for 10 and 100 nodes.

Every node runs GenerateFlowFile (1 KB, batches of 100) -> ROUND_ROBIN connection ->
UpdateAttribute (auto-terminated), sync durability, in a static cluster of 1 or 3 nodes. With
3 nodes two thirds of each node's FlowFiles cross to another node (round robin over 3 nodes,
itself included). The heartbeat is an etcd v3 lease keep-alive (the membership mechanism of
the etcd coordination), measured against a real etcd through its JSON gateway.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import aiohttp
import psutil

from bench.report import Row, row

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARMUP = 4.0
MEASURE = float(os.environ.get("BENCH_SECONDS", "8"))
HEARTBEATS = 1000
HEARTBEAT_PERIOD = 5.0  # seconds, the default lease keep-alive of a node


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flow() -> dict[str, Any]:
    gen, upd = str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-gen")), str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-upd"))
    return {"flowContents": {"identifier": str(uuid.uuid4()), "name": "cluster bench", "processors": [
        {"identifier": gen, "name": "generate", "type": "GenerateFlowFile", "scheduledState": "RUNNING",
         "properties": {"File Size": "1 KB", "Batch Size": "100"}},
        {"identifier": upd, "name": "update", "type": "UpdateAttribute", "scheduledState": "RUNNING",
         "properties": {"stage": "balanced"}, "autoTerminatedRelationships": ["success"]},
    ], "connections": [
        {"identifier": str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-lb")), "source": {"id": gen, "type": "PROCESSOR"},
         "destination": {"id": upd, "type": "PROCESSOR"}, "selectedRelationships": ["success"],
         "loadBalanceStrategy": "ROUND_ROBIN"},
    ]}}


def _status(data_dir: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(data_dir, "status.json")) as fh:
            status: dict[str, Any] = json.load(fh)
            return status
    except (OSError, ValueError):
        return None


def _consumed(status: dict[str, Any]) -> int:
    return sum(p["in_count"] for p in status["processors"] if p["name"] == "update")


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def _run_cluster(size: int, directory: str) -> dict[str, Any]:
    ids = [f"n{i + 1}" for i in range(size)]
    url = "static://" + ",".join(f"{n}@127.0.0.1:{_port()}:{_port()}" for n in ids)
    secret = os.path.join(directory, "cluster.secret")
    with open(secret, "w") as fh:
        fh.write(os.urandom(32).hex())
    os.chmod(secret, 0o600)
    flow_file = os.path.join(directory, "flow.json")
    with open(flow_file, "w") as fh:
        json.dump(_flow(), fh)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for node in ids:
        node_dir = os.path.join(directory, f"{size}-{node}")
        os.makedirs(node_dir)
        conf = os.path.join(node_dir, "nifi_like.toml")
        with open(conf, "w") as fh:
            fh.write(f"[cluster]\nsecret_file = {json.dumps(secret)}\n" + os.environ.get("BENCH_EXTRA_CONF", ""))
        api_port = int(url.split(f"{node}@127.0.0.1:")[1].split(":")[0])
        procs[node] = subprocess.Popen(
            [sys.executable, "-m", "nifi_like.cli", "run", "--data", os.path.join(node_dir, "data"), "--flow",
             flow_file, "--port", str(api_port), "--conf", conf, "--cluster", url, "--node-id", node],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(os.path.join(node_dir, "engine.log"), "wb"))
    data = {node: os.path.join(directory, f"{size}-{node}", "data") for node in ids}
    try:
        deadline = time.monotonic() + 60
        while not all((s := _status(data[n])) and s.get("pid") == procs[n].pid for n in ids):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs.values()):
                raise RuntimeError(f"the {size}-node cluster did not start; see {directory}")
            time.sleep(0.1)
        time.sleep(WARMUP)
        ps = {n: psutil.Process(procs[n].pid) for n in ids}
        first = {n: _status(data[n]) for n in ids}
        cpu0 = {n: _cpu(ps[n]) for n in ids}
        wall0 = time.monotonic()
        time.sleep(MEASURE)
        last = {n: _status(data[n]) for n in ids}
        cpu1 = {n: _cpu(ps[n]) for n in ids}
        wall = time.monotonic() - wall0
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(60)
    rates = {}
    for n in ids:
        before, after = first[n], last[n]
        assert before is not None and after is not None
        rates[n] = (_consumed(after) - _consumed(before)) / max(1e-6, after["time"] - before["time"])
    cores = {n: (cpu1[n] - cpu0[n]) / wall for n in ids}
    return {"rate": sum(rates.values()), "rates": rates, "cores": cores}


def _etcd_heartbeat_cost(directory: str) -> tuple[float, float]:
    """(CPU seconds per lease keep-alive in etcd, in the client) against a real single etcd."""
    client_port, peer_port = _port(), _port()
    etcd = subprocess.Popen(
        ["/usr/bin/etcd", "--data-dir", os.path.join(directory, "etcd"), "--name", "bench",
         "--listen-client-urls", f"http://127.0.0.1:{client_port}",
         "--advertise-client-urls", f"http://127.0.0.1:{client_port}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
         "--initial-cluster", f"bench=http://127.0.0.1:{peer_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{client_port}"

    async def measure() -> tuple[float, float]:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.post(f"{base}/v3/lease/grant", json={"TTL": 10}) as response:
                        lease = (await response.json())["ID"]
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError("etcd did not start")
            server = psutil.Process(etcd.pid)
            me = psutil.Process()
            etcd0, me0 = _cpu(server), _cpu(me)
            for _ in range(HEARTBEATS):
                async with http.post(f"{base}/v3/lease/keepalive", json={"ID": lease}) as response:
                    await response.read()
            return (_cpu(server) - etcd0) / HEARTBEATS, (_cpu(me) - me0) / HEARTBEATS

    try:
        return asyncio.run(measure())
    finally:
        etcd.terminate()
        etcd.wait(30)


def main() -> list[Row]:
    directory = tempfile.mkdtemp(prefix="bench-cluster-")
    try:
        one = _run_cluster(1, directory)
        three = _run_cluster(3, directory)
        etcd_cost, client_cost = _etcd_heartbeat_cost(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    cpu1, cpu3 = sum(one["cores"].values()), sum(three["cores"].values())
    per_ff_1 = cpu1 / one["rate"]  # CPU seconds per FlowFile, everything local
    per_ff_3 = cpu3 / three["rate"]
    transfer = max(0.0, (per_ff_3 - per_ff_1) / (2 / 3))  # extra CPU per FlowFile that crossed nodes
    lines = estimate(per_ff_1, transfer, etcd_cost + client_cost, client_cost)
    print("\n".join(lines), flush=True)
    per_node = ", ".join(f"{n} {c:.2f}" for n, c in three["cores"].items())
    return [
        row("cluster", "load-balanced stage, 1 node", one["rate"], "FlowFiles/s",
            note=f"CPU {cpu1:.2f} cores; {per_ff_1 * 1e6:.0f} µs CPU per FlowFile"),
        row("cluster", "load-balanced stage, 3 nodes", three["rate"], "FlowFiles/s", baseline=one["rate"],
            note=f"CPU per node (cores): {per_node}; {per_ff_3 * 1e6:.0f} µs CPU per FlowFile; "
                 f"{os.cpu_count()} cores shared by all nodes"),
        row("cluster", "CPU per FlowFile, 3 nodes / 1 node", per_ff_3 / per_ff_1, "ratio"),
        row("cluster", "CPU per FlowFile moved to another node", transfer * 1e6, "µs",
            note="send + receive (both sides), beyond local processing"),
        row("cluster", "etcd lease keep-alive (heartbeat)", (etcd_cost + client_cost) * 1e6, "µs CPU",
            note=f"etcd {etcd_cost * 1e6:.0f} + client {client_cost * 1e6:.0f}; every {HEARTBEAT_PERIOD:g} s "
                 "per node"),
    ]


def estimate(per_ff: float, transfer: float, heartbeat: float, client_heartbeat: float) -> list[str]:
    """Per-node and cluster figures for N nodes from the measured unit costs."""
    lines = ["Estimate (one core per node, from the unit costs measured above):"]
    for nodes in (10, 100):
        crossing = (nodes - 1) / nodes  # round robin: the share of FlowFiles that leave their node
        per_node_rate = 1 / (per_ff + crossing * transfer)
        heartbeat_cores = nodes / HEARTBEAT_PERIOD * heartbeat
        lines.append(
            f"  {nodes:>3} nodes: {crossing:.0%} of FlowFiles cross nodes; about {per_node_rate:,.0f} FlowFiles/s "
            f"per node-core, {nodes * per_node_rate:,.0f} FlowFiles/s for the cluster; heartbeats cost each node "
            f"{client_heartbeat / HEARTBEAT_PERIOD * 1e6:.1f} µs CPU/s and the etcd leader "
            f"{heartbeat_cores * 100:.3f}% of a core ({nodes / HEARTBEAT_PERIOD:g} keep-alives/s)")
    lines.append("  Each node keeps one sender per other node: with 100 nodes a node's round-robin batches to a "
                 "given peer are 1/100 of its output, so batches shrink and the per-request cost grows unless "
                 "the flow rate per node is high enough to fill them.")
    return lines
