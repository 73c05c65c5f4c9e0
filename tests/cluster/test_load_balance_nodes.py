"""Load balancing between engines in one process (real LMDB, real HTTP on loopback): duplicates,
authentication, compression with streamed content, a node leaving, and offloading."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aiohttp
import msgpack
import pytest

from cluster.load_balance import protocol
from cluster.load_balance.service import LoadBalancing
from cluster.view import CONNECTED, DISCONNECTED, OFFLOADING, NodeInfo, StaticClusterView
from nifi_like.engine.controller import FlowController
from tests.conftest import eventually
from tests.support.engine_process import free_port
from tests.support.flows import connection, flow, processor
from tests.support.processors import Emit

SECRET = b"0123456789abcdef0123456789abcdef"
Node = tuple[FlowController, LoadBalancing, StaticClusterView]


def balanced_flow(strategy: str = "ROUND_ROBIN", *, padding: int = 0, compression: str = "DO_NOT_COMPRESS",
                  threshold: int = 100_000) -> tuple[dict[str, Any], str, str]:
    emit = processor("emit", "Emit", {"Batch Size": "50", "Padding": str(padding)}, state="ENABLED")
    hold = processor("hold", "Pass", state="ENABLED", auto_terminate=("success",))
    conn = connection(emit, hold, ["success"], threshold=threshold, loadBalanceStrategy=strategy,
                      loadBalanceCompression=compression)
    return flow([emit, hold], [conn]), emit["identifier"], conn["identifier"]


class Cluster:
    def __init__(self, tmp_path: Path, make_controller: Any, size: int = 3) -> None:
        self.tmp_path = tmp_path
        self.make_controller = make_controller
        self.infos = [NodeInfo(f"n{i + 1}", "127.0.0.1", 0, free_port()) for i in range(size)]
        self.nodes: dict[str, Node] = {}
        self.halted: set[str] = set()

    async def start(self, node_id: str, document: dict[str, Any]) -> Node:
        view = StaticClusterView(node_id, self.infos)
        controller = self.make_controller(data_dir=str(self.tmp_path / node_id))
        balancing = LoadBalancing(controller, view, SECRET)
        await controller.load(copy.deepcopy(document))
        await balancing.start()
        self.nodes[node_id] = (controller, balancing, view)
        return self.nodes[node_id]

    def set_status(self, node_id: str, status: str) -> None:
        info = next(i for i in self.infos if i.node_id == node_id)
        for _, _, view in self.nodes.values():
            view.update(NodeInfo(info.node_id, info.address, info.api_port, info.load_balance_port, status))

    def local(self, node_id: str, conn_id: str) -> int:
        return self.nodes[node_id][0].connections[conn_id].local_count

    async def halt_sending(self, node_id: str) -> None:
        """Stop a node's load balancing (its partitions stay as they are)."""
        await self.nodes[node_id][1].stop()
        self.halted.add(node_id)

    async def stop(self) -> None:
        for node_id, (_, balancing, _) in self.nodes.items():
            if node_id not in self.halted:
                await balancing.stop()


@pytest.fixture
async def cluster(tmp_path: Path, make_controller: Any) -> Any:
    made = Cluster(tmp_path, make_controller)
    yield made
    await made.stop()


async def emit(node: Node, emit_id: str, count: int) -> None:
    controller = node[0]
    await controller.start(emit_id)
    await eventually(lambda: Emit.counter >= count)
    await controller.stop(emit_id)


async def test_round_robin_between_engines_and_totals_count_partitions(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow(padding=70_000)  # content past the inline limit: claim files
    for node_id in ("n1", "n2", "n3"):
        await cluster.start(node_id, document)
    await emit(cluster.nodes["n1"], emit_id, 300)
    produced = Emit.counter
    conn = cluster.nodes["n1"][0].connections[conn_id]
    await eventually(lambda: sum(cluster.local(n, conn_id) for n in ("n1", "n2", "n3")) == produced
                     and conn.count == conn.local_count)  # delivered, and acknowledged to the sender
    counts = [cluster.local(n, conn_id) for n in ("n1", "n2", "n3")]
    assert max(counts) - min(counts) <= 1, f"round robin: {counts}"
    assert all(p.count == 0 for p in conn.partitions.values())
    received = cluster.nodes["n2"][0].repo.load_queue(conn.key, -1, 5)
    with cluster.nodes["n2"][0].repo.content.open(received[0][1].claim) as stream:
        body = stream.read()
    assert body.startswith(received[0][1].attributes["n"].encode()) and len(body) == received[0][1].size


async def test_partitions_count_as_queued_and_apply_back_pressure(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow(threshold=90)
    await cluster.start("n1", document)  # n2 and n3 are down: their partitions fill
    node = cluster.nodes["n1"]
    await node[0].start(emit_id)
    conn = node[0].connections[conn_id]
    await eventually(conn.is_full)
    await node[0].stop(emit_id)
    assert conn.count == conn.local_count + sum(p.count for p in conn.partitions.values())
    assert conn.count < 90 + 50, "the emitter stopped at the threshold (one batch may overshoot)"
    status = next(c for c in node[0].status()["connections"] if c["id"] == conn_id)
    assert status["queued_count"] == conn.count and set(status["partitions"]) == {"n2", "n3"}
    assert node[0].repo.queued_connection_keys()[conn.key][0] == conn.count


async def test_same_batch_sent_twice_is_committed_once(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow(compression="COMPRESS_ATTRIBUTES_AND_CONTENT")
    await cluster.start("n1", document)
    await emit(cluster.nodes["n1"], emit_id, 100)
    partition = cluster.nodes["n1"][0].connections[conn_id].partitions["n2"]
    entries = partition.head(1000)
    assert entries
    await cluster.halt_sending("n1")  # the batch goes by hand only
    await cluster.start("n2", document)
    await cluster.nodes["n2"][0].stop(emit_id)
    answers = [await post(cluster, "n2", conn_id, entries, "COMPRESS_ATTRIBUTES_AND_CONTENT") for _ in range(2)]
    assert answers[0] == (200, {"accepted": len(entries), "duplicates": 0})
    assert answers[1] == (200, {"accepted": 0, "duplicates": len(entries)})
    assert cluster.local("n2", conn_id) >= len(entries)
    queued = {ff.id for _, ff in cluster.nodes["n2"][0].repo.load_queue(partition.connection.key, -1, 100_000)}
    assert {ff.id for _, ff in entries} <= queued


async def test_unsigned_or_tampered_transfers_are_refused(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow()
    await cluster.start("n1", document)
    await emit(cluster.nodes["n1"], emit_id, 10)
    entries = cluster.nodes["n1"][0].connections[conn_id].partitions["n2"].head(10)
    await cluster.halt_sending("n1")
    await cluster.start("n2", document)
    status, answer = await post(cluster, "n2", conn_id, entries, "DO_NOT_COMPRESS", secret=b"x" * 32)
    assert status == 401 and "not signed" in answer["message"]
    status, answer = await post(cluster, "n2", conn_id, entries, "DO_NOT_COMPRESS", tamper=True)
    assert status == 401 and "does not match" in answer["message"]
    assert cluster.local("n2", conn_id) == 0


async def test_round_robin_data_for_a_disconnected_node_goes_to_the_others(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow()
    await cluster.start("n1", document)
    await cluster.start("n2", document)  # n3 never starts: what is meant for it waits
    await emit(cluster.nodes["n1"], emit_id, 300)
    produced = Emit.counter
    conn = cluster.nodes["n1"][0].connections[conn_id]
    await eventually(lambda: conn.partitions["n2"].count == 0)
    assert conn.partitions["n3"].count > 0
    cluster.set_status("n3", DISCONNECTED)
    await eventually(lambda: conn.partitions["n3"].count == 0 and conn.partitions["n2"].count == 0)
    assert cluster.local("n1", conn_id) + cluster.local("n2", conn_id) == produced


async def test_single_node_data_waits_for_its_node(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow("SINGLE_NODE")
    await cluster.start("n2", document)  # n1, the lowest id, is down
    await emit(cluster.nodes["n2"], emit_id, 100)
    conn = cluster.nodes["n2"][0].connections[conn_id]
    waiting = conn.partitions["n1"].count
    assert waiting == Emit.counter and conn.local_count == 0
    cluster.set_status("n1", DISCONNECTED)
    await cluster.nodes["n2"][0].start(emit_id)  # now n2 is the lowest connected id
    await eventually(lambda: conn.local_count > 0)
    await cluster.nodes["n2"][0].stop(emit_id)
    assert conn.partitions["n1"].count == waiting, "kept for node 1's return"
    cluster.set_status("n1", CONNECTED)
    await cluster.start("n1", document)
    await eventually(lambda: conn.partitions["n1"].count == 0)
    assert cluster.local("n1", conn_id) == waiting


async def test_offload_moves_everything_queued_here_to_the_other_nodes(cluster: Cluster) -> None:
    document, emit_id, conn_id = balanced_flow("DO_NOT_LOAD_BALANCE")
    for node_id in ("n1", "n2", "n3"):
        await cluster.start(node_id, document)
    await emit(cluster.nodes["n1"], emit_id, 200)
    produced = Emit.counter
    assert cluster.local("n1", conn_id) == produced
    cluster.set_status("n1", OFFLOADING)
    moved = await cluster.nodes["n1"][1].offload()
    assert moved == produced
    here = cluster.nodes["n1"][0].connections[conn_id]
    await eventually(lambda: cluster.local("n2", conn_id) + cluster.local("n3", conn_id) == produced
                     and here.count == 0)
    assert here.local_count == 0
    assert abs(cluster.local("n2", conn_id) - cluster.local("n3", conn_id)) <= 1


async def post(cluster: Cluster, node_id: str, conn_id: str, entries: list[Any], compression: str, *,
               secret: bytes = SECRET, tamper: bool = False) -> tuple[int, Any]:
    """One transfer made by hand with the protocol's writer, as a sender would."""
    source = cluster.nodes["n1"][0]
    headers = protocol.request_headers(secret, "n1", conn_id, compression)
    writer = protocol.BodyWriter(secret, headers[protocol.SIGNATURE_HEADER], compression)
    body = bytearray()
    for seq, ff in entries:
        attributes = {**ff.attributes, "n": "forged"} if tamper else ff.attributes
        body += writer.record(ff.id, attributes, ff.size, ff.entry_date, ff.lineage_start_date, seq)
        if tamper:
            writer.record(ff.id, ff.attributes, ff.size, ff.entry_date, ff.lineage_start_date, seq)
        body += writer.content(source.repo.content.read_bytes(ff.claim)) + writer.end()
    body += writer.trailer()
    port = next(i.load_balance_port for i in cluster.infos if i.node_id == node_id)
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{port}" + protocol.PATH.format(connection_id=conn_id), data=bytes(body),
            headers=headers) as response:
        raw = await response.read()
        return response.status, msgpack.unpackb(raw) if response.status == 200 else await response.json()
