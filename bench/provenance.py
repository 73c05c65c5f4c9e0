"""Provenance at scale: query by FlowFile uuid and lineage over 5,000,000 stored events.

Setup writes the events straight through the writer thread as the session does (one record
of events per commit, here 32 to 96 events), shaped like a real flow: each FlowFile is
created, forked into two parts, the parts are modified and routed, joined, sent and dropped
(12 events per lineage, spread over 6 commit records). Then the background indexer's code
indexes them all. Queries and lineages run on random FlowFiles of the whole range.
``BENCH_PROVENANCE_EVENTS`` scales the event count.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import msgpack

from bench.report import Row, row
from nifi_like.engine.session import new_uuid
from nifi_like.provenance.index import Indexer
from nifi_like.provenance.lineage import compute_lineage
from nifi_like.provenance.store import ProvenanceStore
from nifi_like.repository import Batch, Repository, provenance_log

EVENTS = int(os.environ.get("BENCH_PROVENANCE_EVENTS", "5000000"))
BLOCK = 32  # lineages per commit record
EVENTS_PER_LINEAGE = 12
SAMPLES = 1000
COMPONENTS = {name: new_uuid() for name in ("generate", "split", "update", "route", "merge", "send")}
GROUP = new_uuid()


def _event(event_type: str, ts: int, component: str, uuid: str, attributes: dict[str, str], *,
           parents: tuple[str, ...] = (), children: tuple[str, ...] = (), previous: dict[str, str] | None = None,
           details: str | None = None, relationship: str | None = None, uri: str | None = None) -> tuple[Any, ...]:
    claim = (0, uuid.encode()[:12])
    return (event_type, ts, 3, ts - 5000, COMPONENTS[component], component, uuid, parents, children, previous,
            attributes, claim if previous is not None else None, claim, 1024, uri, details, relationship, GROUP,
            None, 0)


def _block(ts: int, first_n: int) -> tuple[list[list[tuple[Any, ...]]], list[str]]:
    """The commit records of one block of lineages, and its FlowFile uuids."""
    stages: list[list[tuple[Any, ...]]] = [[] for _ in range(6)]
    uuids = []
    for i in range(BLOCK):
        n = first_n + i
        origin, part_a, part_b, merged = new_uuid(), new_uuid(), new_uuid(), new_uuid()
        uuids += [origin, part_a, part_b, merged]
        base = {"filename": f"file-{n}.json", "path": "./", "uuid": origin, "mime.type": "application/json",
                "source": "bench", "n": str(n)}
        stages[0].append(_event("CREATE", ts, "generate", origin, base))
        stages[1].append(_event("FORK", ts + 1, "split", origin, base, parents=(origin,), children=(part_a, part_b)))
        stages[1].append(_event("DROP", ts + 1, "split", origin, base, details="Auto-Terminated"))
        parts = []
        for index, part in enumerate((part_a, part_b)):
            attrs = {**base, "uuid": part, "fragment.index": str(index)}
            updated = {**attrs, "stage": "updated"}
            stages[2].append(_event("ATTRIBUTES_MODIFIED", ts + 2, "update", part, updated, previous=attrs))
            stages[3].append(_event("ROUTE", ts + 3, "route", part, updated, relationship="matched"))
            parts.append(updated)
        joined = {**base, "uuid": merged, "merge.count": "2"}
        stages[4].append(_event("JOIN", ts + 4, "merge", merged, joined, parents=(part_a, part_b),
                                children=(merged,)))
        for part, attrs in zip((part_a, part_b), parts, strict=True):
            stages[4].append(_event("DROP", ts + 4, "merge", part, attrs, details="Removed by merge"))
        stages[5].append(_event("SEND", ts + 5, "send", merged, joined, uri=f"https://example.com/in/{n}"))
        stages[5].append(_event("DROP", ts + 5, "send", merged, joined, details="Auto-Terminated"))
    return stages, uuids


def _append_fn(env: Any, records: list[tuple[int, bytes]]) -> Callable[[Any, Batch], None]:
    def write(txn: Any, batch: Batch) -> None:
        for count, packed in records:
            provenance_log.append(env, txn, batch.allocate_event_ids(count), packed)
    return write


def fill(repo: Repository, events: int) -> list[str]:
    """Write ``events`` events; return a sample of their FlowFile uuids."""
    rng = random.Random(7)
    sample: list[str] = []
    pending: list[Future[Any]] = []
    start_ts = int(time.time() * 1000) - 3_600_000
    blocks = max(1, events // (BLOCK * EVENTS_PER_LINEAGE))
    step_ms = max(1, 3_600_000 // blocks)
    per_block = min(BLOCK * 4, 2 * SAMPLES // blocks + 1)
    records: list[tuple[int, bytes]] = []
    pack = msgpack.Packer().pack
    for block in range(blocks):
        stages, uuids = _block(start_ts + block * step_ms, block * BLOCK)
        records += [(len(stage), pack(stage)) for stage in stages]
        sample += rng.sample(uuids, per_block)
        if len(records) >= 600:
            pending.append(repo.writer.submit(_append_fn(repo.env, records)))
            records = []
            while len(pending) > 2:
                pending.pop(0).result()
    if records:
        pending.append(repo.writer.submit(_append_fn(repo.env, records)))
    for future in pending:
        future.result()
    rng.shuffle(sample)
    return sample[:2 * SAMPLES]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _timed(fn: Callable[[], Any], count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        repo = Repository(directory, durability="nosync", map_size=8 << 30)
        try:
            started = time.perf_counter()
            sample = fill(repo, EVENTS)
            fill_s = time.perf_counter() - started
            with repo.env.read() as txn:
                stored = provenance_log.next_event_id(repo.env, txn) - 1
            indexer = Indexer(repo.env, repo.writer, batch_size=50_000)
            started = time.perf_counter()
            while indexer.step():
                pass
            index_s = time.perf_counter() - started
            store = ProvenanceStore(repo.env)
            uuids = itertools.cycle(sample[:SAMPLES])
            by_uuid = _timed(lambda: store.query(flowfile_uuid=next(uuids), max_results=100), SAMPLES)
            assert all(store.query(flowfile_uuid=u).total > 0 for u in sample[:20]), "sampled FlowFiles exist"
            lineages = itertools.cycle(sample[SAMPLES:] or sample)
            sizes: list[int] = []

            def lineage() -> None:
                sizes.append(len(compute_lineage(store, next(lineages)).events))
            lineage_ms = _timed(lineage, SAMPLES)
            component = COMPONENTS["route"]
            page_ms = _timed(lambda: store.query(component_id=component, max_results=100), 200)
            size_mb = repo.env.size_on_disk() / 1e6
        finally:
            repo.close()
    note = f"{stored:,} events, {size_mb:,.0f} MB LMDB"
    return [
        row("provenance", "setup: write events through the writer", stored / fill_s, "events/s",
            note=f"{fill_s:.1f} s, nosync, {note}"),
        row("provenance", "setup: index events (background indexer code)", stored / index_s, "events/s",
            note=f"{index_s:.1f} s"),
        row("provenance", "query by FlowFile uuid, p50", statistics.median(by_uuid), "ms", note=note),
        row("provenance", "query by FlowFile uuid, p99", _percentile(by_uuid, 0.99), "ms", note="target < 100 ms"),
        row("provenance", "lineage of a FlowFile, p50", statistics.median(lineage_ms), "ms",
            note=f"{statistics.mean(sizes):.0f} events per lineage"),
        row("provenance", "lineage of a FlowFile, p99", _percentile(lineage_ms, 0.99), "ms", note="target < 100 ms"),
        row("provenance", "query by component, newest 100, p99", _percentile(page_ms, 0.99), "ms"),
    ]
