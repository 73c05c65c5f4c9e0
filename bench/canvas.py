"""The canvas on a 1,000-processor flow, in Debian's Chromium driven by Playwright.

An engine runs 500 GenerateFlowFile -> LogAttribute chains (1,000 running processors, 500
connections) in its own process; the browser logs in and draws the root group. Timings come from
the browser's own clock (performance.now, resource timing, requestAnimationFrame) while the
server streams status diffs every second.
"""

from __future__ import annotations

import os
import statistics
import subprocess
from collections.abc import Callable

from playwright.sync_api import sync_playwright

from bench.report import Row, row
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.e2e.large import CanvasTimings, engine_with, large_flow, measure_canvas

CHAINS = 500
ROUNDS = int(os.environ.get("BENCH_CANVAS_ROUNDS", "5"))


def main() -> list[Row]:
    subprocess.run(["bash", str(ROOT / "scripts" / "build-canvas.sh")], check=True, cwd=ROOT)
    processors = CHAINS * 2
    with engine_with(large_flow(CHAINS)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            rounds = [measure_canvas(browser, url, processors) for _ in range(ROUNDS)]
        finally:
            browser.close()

    def rounds_of(value: Callable[[CanvasTimings], float], digits: int = 2) -> str:
        return ", ".join(f"{value(t):.{digits}f}" for t in rounds)

    def median(value: Callable[[CanvasTimings], float]) -> float:
        return statistics.median(value(t) for t in rounds)

    clicks = sorted(c for t in rounds for c in t.click_ms)
    name = "canvas"
    return [
        row(name, "flow API response (GET /flow/process-groups/root)", median(lambda t: t.api_s), "s",
            note=f"{processors:,} processors, {CHAINS} connections, {rounds[0].flow_mb:.1f} MB JSON; "
                 f"median of rounds {rounds_of(lambda t: t.api_s)}"),
        row(name, "render after the flow arrived", median(lambda t: t.render_s), "s",
            note=f"target < 2 s; rounds {rounds_of(lambda t: t.render_s)}"),
        row(name, "log-in click to first box drawn", median(lambda t: t.login_to_canvas_s), "s",
            note=f"login + API + render; rounds {rounds_of(lambda t: t.login_to_canvas_s)}"),
        row(name, "longest frame gap while status streams", median(lambda t: t.idle_frame_ms), "ms",
            note=f"3 s idle; rounds {rounds_of(lambda t: t.idle_frame_ms, 0)}"),
        row(name, "longest frame gap while panning", median(lambda t: t.pan_frame_ms), "ms",
            note=f"30-step drag of the pane; rounds {rounds_of(lambda t: t.pan_frame_ms, 0)}"),
        row(name, "click to selected box, median", clicks[len(clicks) // 2], "ms",
            note=f"pointerdown to the frame showing it; {len(clicks)} clicks"),
        row(name, "click to selected box, p90", clicks[int(len(clicks) * 0.9)], "ms"),
    ]
