"""The stages benchmark drives real sessions: it must keep working as the engine changes (no
timing is asserted, only that every stage moved its FlowFiles and cost something)."""

import asyncio

from bench import stages


def test_stages_benchmark_drives_every_stage() -> None:
    per_stage, writer, arrived = asyncio.run(stages._measure(3))
    assert arrived == (3 + stages.WARMUP_ROUNDS) * stages.BATCH  # every FlowFile went all the way
    assert set(per_stage) == {"generate", "update", "route"}
    assert all(cost > 0 for cost in per_stage.values())
    assert writer >= 0
