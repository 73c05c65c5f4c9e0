"""Expression Language: compiled-once evaluation against re-parsing every time.

Run: ``python -m bench el`` (or ``python -c "import bench.el as b; print(b.main())"``).
"""

from __future__ import annotations

import time
import uuid

from bench.report import Row, row
from nifi_like.expression.compiled import compile_uncached

EXPRESSION = "${filename:substringBefore('.'):toUpper():append('-'):append(${uuid:substring(0,8)})}"
COMPILED_MAPS = 1_000_000
REPARSED_MAPS = 50_000
DISTINCT_MAPS = 100_000


def _attribute_maps(count: int) -> list[dict[str, str]]:
    return [{"filename": f"file-{i}.txt", "uuid": str(uuid.uuid4()), "path": "./"} for i in range(count)]


def _compiled_rate(maps: list[dict[str, str]], total: int) -> tuple[float, str]:
    evaluate = compile_uncached(EXPRESSION).evaluate
    rounds = total // len(maps)
    last = ""
    start = time.perf_counter()
    for _ in range(rounds):
        for attributes in maps:
            last = evaluate(attributes)
    elapsed = time.perf_counter() - start
    return rounds * len(maps) / elapsed, last


def _reparsed_rate(maps: list[dict[str, str]], total: int) -> tuple[float, str]:
    last = ""
    start = time.perf_counter()
    for attributes in maps[:total]:
        last = compile_uncached(EXPRESSION).evaluate(attributes)
    elapsed = time.perf_counter() - start
    return total / elapsed, last


def main() -> list[Row]:
    maps = _attribute_maps(DISTINCT_MAPS)
    compiled, compiled_last = _compiled_rate(maps, COMPILED_MAPS)
    reparsed, reparsed_last = _reparsed_rate(maps, REPARSED_MAPS)
    expected = compile_uncached(EXPRESSION).evaluate(maps[REPARSED_MAPS - 1])
    if reparsed_last != expected or compiled_last != compile_uncached(EXPRESSION).evaluate(maps[-1]):
        raise AssertionError("compiled and re-parsed evaluation disagree")
    note = f"{EXPRESSION} on {COMPILED_MAPS:,} attribute maps ({DISTINCT_MAPS:,} distinct), one core"
    return [
        row("el", "compiled evaluations", round(compiled), "evals/s", baseline=300_000, note=note),
        row("el", "re-parsed evaluations", round(reparsed), "evals/s", note=f"parse + evaluate, {REPARSED_MAPS:,} maps"),
        row("el", "compiled vs re-parsed", round(compiled / reparsed, 1), "x", baseline=10,
            note="target: compiled >= 10x faster"),
    ]
