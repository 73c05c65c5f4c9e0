"""A full disk makes commits fail loudly; once space is back the flow resumes and nothing is lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from nifi_like.engine.controller import PROVENANCE_SOURCE
from nifi_like.engine.session import StandardProcessSession
from tests.conftest import eventually
from tests.reliability.conftest import Counts
from tests.support.flows import connection, flow, processor
from tests.support.processors import Emit


@pytest.fixture
def small_disk(tmp_path: Any) -> Iterator[str]:
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield str(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: str) -> str:
    path = os.path.join(directory, "filler")
    with open(path, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * (256 * 1024))
        except OSError:
            pass
    return path


@pytest.mark.parametrize(("padding", "batch", "first"), [(2000, 20, 200), (100_000, 2, 20)],
                         ids=["inline-content", "claim-file-content"])
async def test_full_disk_fails_commits_with_bulletins_and_loses_nothing(small_disk: str, make_controller: Any,
                                                                       padding: int, batch: int, first: int,
                                                                       counts: Counts) -> None:
    data_dir = os.path.join(small_disk, "data")
    emit = processor("emit", "Emit", {"Batch Size": str(batch), "Padding": str(padding)}, period="20 ms")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"], threshold=1_000_000)
    controller = make_controller(data_dir, durability="sync", administrative_yield=0.2)
    await controller.load(flow([emit, sink], [link]))
    queue = controller.connections[link["identifier"]]
    await eventually(lambda: queue.count >= first)

    filler = _fill(small_disk)
    await eventually(lambda: bool(controller.bulletins.for_component(emit["identifier"])), timeout=20)
    bulletin = controller.bulletins.for_component(emit["identifier"])[-1]
    print("bulletin:", bulletin.message)
    assert bulletin.level == "ERROR"
    assert "No space left on device" in bulletin.message
    stuck = len(Emit.acknowledged)
    await asyncio.sleep(0.5)
    assert len(Emit.acknowledged) == stuck, "nothing is acknowledged while the disk is full"

    os.unlink(filler)
    await eventually(lambda: len(Emit.acknowledged) > stuck + first // 2, timeout=20)
    await controller.stop(emit["identifier"])
    await controller.shutdown()

    # restart on the same directory: every acknowledged FlowFile is there, intact
    again = make_controller(data_dir, durability="sync")
    await again.load(None)
    node = again.nodes[sink["identifier"]]
    session = StandardProcessSession(node, again.repo)
    seen: dict[int, bytes] = {}
    while True:
        taken = session.get_batch(500)
        if not taken:
            break
        for ff in taken:
            seen[int(ff.attributes["n"])] = session.read_bytes(ff)
            session.remove(ff)
    session.commit()
    lost = Emit.acknowledged - set(seen)
    counts(acknowledged=len(Emit.acknowledged), acknowledged_when_the_disk_filled=stuck,
           found_after_restart=len(seen), lost=len(lost),
           damaged=sum(1 for n, data in seen.items() if data != str(n).encode() + b"." * padding))
    assert Emit.acknowledged <= set(seen), f"lost: {sorted(Emit.acknowledged - set(seen))[:10]}"
    assert all(data == str(n).encode() + b"." * padding for n, data in seen.items())


def _events_of(controller: Any, component_id: str) -> int:
    result = controller.provenance.query(component_id=component_id, max_results=1)
    assert result.total_exact
    return int(result.total)


async def test_full_disk_during_provenance_indexing_pauses_it_clearly_and_it_resumes(
        small_disk: str, make_controller: Any, counts: Counts) -> None:
    """The events are written with each session commit; indexing them is a later write of its own. A full
    disk then fails only the index writes: a bulletin says so once, searches still find every event
    (they scan what is not indexed yet), and indexing completes once space is freed, nothing damaged."""
    data_dir = os.path.join(small_disk, "data")
    emit = processor("emit", "Emit", {"Batch Size": "50", "Padding": "100"}, period="10 ms")
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    link = connection(emit, sink, ["success"], threshold=1_000_000)
    controller = make_controller(data_dir, durability="sync")
    controller.provenance.close()  # hold the indexer back while events pile up
    await controller.load(flow([emit, sink], [link]))
    await eventually(lambda: len(Emit.acknowledged) >= 6_000, timeout=60)  # under the 10,000 a search counts
    await controller.stop(emit["identifier"])
    created, lag = len(Emit.acknowledged), controller.provenance.lag()
    assert lag >= created, "the events should wait unindexed"

    filler = _fill(small_disk)
    controller.provenance.start()
    await eventually(lambda: controller.provenance.failing is not None, timeout=30)
    bulletin = controller.bulletins.for_component(PROVENANCE_SOURCE)[-1]
    print("bulletin:", bulletin.message)
    assert bulletin.level == "ERROR" and "No space left on device" in bulletin.message
    await asyncio.sleep(1.0)  # several retries: still one bulletin for the outage
    assert len(controller.bulletins.for_component(PROVENANCE_SOURCE)) == 1
    lag_while_full = controller.provenance.lag()
    assert lag_while_full > 0
    assert _events_of(controller, emit["identifier"]) == created, "searches must see the unindexed events"

    os.unlink(filler)
    await eventually(lambda: controller.provenance.lag() == 0 and controller.provenance.failing is None, timeout=60)
    assert controller.bulletins.for_component(PROVENANCE_SOURCE)[-1].level == "INFO"
    indexed = _events_of(controller, emit["identifier"])
    await controller.shutdown()

    again = make_controller(data_dir, durability="sync")
    again.provenance.close()
    await again.load(None)
    after_restart = _events_of(again, emit["identifier"])
    counts(flowfiles_created=created, create_events=indexed, unindexed_when_the_disk_filled=lag,
           left_unindexed_while_full=lag_while_full, create_events_after_restart=after_restart,
           lost=created - after_restart, index_errors=controller.provenance.errors)
    assert indexed == after_restart == created
    assert again.provenance.lag() == 0
