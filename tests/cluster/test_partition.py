"""A node cut off from etcd stops primary-only work within its lease. The primary runs in a
network namespace of its own, reaching etcd over a veth pair; the test takes the link down."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster.test_primary_fencing import TTL, assert_one_primary_at_a_time, primary_flow
from tests.support.cluster import Etcd, Node, stamps, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/sbin/ip"),
                                reason="network namespaces need root and iproute2")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def namespace() -> Iterator[tuple[str, str, str, str]]:
    """(namespace, host-side link, host address, namespace address), removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    name, host_link, ns_link = f"nl-{tag}", f"nlh{tag}", f"nln{tag}"
    subnet = f"10.{200 + int(tag[:2], 16) % 50}.{int(tag[2:4], 16)}"
    ip("netns", "add", name)
    try:
        ip("link", "add", host_link, "type", "veth", "peer", "name", ns_link)
        ip("link", "set", ns_link, "netns", name)
        ip("addr", "add", f"{subnet}.1/30", "dev", host_link)
        ip("link", "set", host_link, "up")
        ip("netns", "exec", name, "ip", "addr", "add", f"{subnet}.2/30", "dev", ns_link)
        ip("netns", "exec", name, "ip", "link", "set", ns_link, "up")
        ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield name, host_link, f"{subnet}.1", f"{subnet}.2"
    finally:
        subprocess.run(["ip", "link", "del", host_link], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)


def test_cut_off_primary_stops_primary_only_work_within_its_lease(
        tmp_path: Any, namespace: tuple[str, str, str, str]) -> None:
    name, host_link, host_ip, _ = namespace
    base = str(tmp_path)
    etcd = Etcd(os.path.join(base, "etcd"), extra_ips=(host_ip,))
    nodes: list[Node] = []
    try:
        cut_off = Node(base, "isolated", f"etcd://{host_ip}:{etcd.port}", ttl=TTL, flow_file=primary_flow(base),
                       netns=name)
        nodes.append(cut_off)
        wait_for(lambda: stamps(os.path.join(base, "stamps")), 60, "the namespaced node to act as primary")
        other = Node(base, "outside", etcd.url, ttl=TTL)
        nodes.append(other)
        other.wait_ready()
        time.sleep(1.0)
        assert {s["node"] for s in stamps(os.path.join(base, "stamps"))} == {"isolated"}

        ip("link", "set", host_link, "down")
        cut_at = time.time_ns()
        wait_for(lambda: any(s["node"] == "outside" for s in stamps(os.path.join(base, "stamps"))), 30,
                 "the node outside to take over")
        time.sleep(TTL)
        isolated = [s["time_ns"] for s in stamps(os.path.join(base, "stamps")) if s["node"] == "isolated"]
        assert (max(isolated) - cut_at) / 1e9 < TTL, "the cut-off node went on past its lease"
        assert_one_primary_at_a_time(stamps(os.path.join(base, "stamps")))
    finally:
        for node in nodes:
            node.kill()
        etcd.stop()
