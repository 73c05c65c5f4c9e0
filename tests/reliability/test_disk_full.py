"""A full disk makes commits fail loudly; once space is back the flow resumes and nothing is lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from nifi_like.engine.session import StandardProcessSession
from tests.conftest import eventually
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
                                                                       padding: int, batch: int, first: int) -> None:
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
    assert Emit.acknowledged <= set(seen), f"lost: {sorted(Emit.acknowledged - set(seen))[:10]}"
    assert all(data == str(n).encode() + b"." * padding for n, data in seen.items())
