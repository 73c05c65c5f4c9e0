"""The canvas on a 1,000-processor flow, in Debian's Chromium driven by Playwright.

An engine runs 500 GenerateFlowFile -> LogAttribute chains (1,000 running processors, 500
connections) in its own process; the browser logs in and draws the root group. Timings come from
the browser's own clock (performance.now, resource timing, requestAnimationFrame) while the
server streams status diffs every second.
"""

from __future__ import annotations

import os
import subprocess

from playwright.sync_api import sync_playwright

from bench.report import Row, row
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.e2e.large import engine_with, large_flow, measure_canvas

CHAINS = 500
ROUNDS = int(os.environ.get("BENCH_CANVAS_ROUNDS", "3"))


def main() -> list[Row]:
    subprocess.run(["bash", str(ROOT / "scripts" / "build-canvas.sh")], check=True, cwd=ROOT)
    processors = CHAINS * 2
    with engine_with(large_flow(CHAINS)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            rounds = [measure_canvas(browser, url, processors) for _ in range(ROUNDS)]
        finally:
            browser.close()
    worst = max(rounds, key=lambda t: t.render_s)  # the first round is a cold browser cache
    renders = ", ".join(f"{t.render_s:.2f}" for t in rounds)
    clicks = sorted(c for t in rounds for c in t.click_ms)
    name = "canvas"
    return [
        row(name, "flow API response (GET /flow/process-groups/root)", max(t.api_s for t in rounds), "s",
            note=f"{processors:,} processors, {CHAINS} connections, {worst.flow_mb:.1f} MB JSON; worst round"),
        row(name, "render after the flow arrived", worst.render_s, "s",
            note=f"target < 2 s; worst of {ROUNDS} rounds: {renders}"),
        row(name, "log-in click to first box drawn", max(t.login_to_canvas_s for t in rounds), "s",
            note="login + API + render; worst round"),
        row(name, "longest frame gap while status streams", max(t.idle_frame_ms for t in rounds), "ms",
            note="3 s idle, worst round"),
        row(name, "longest frame gap while panning", max(t.pan_frame_ms for t in rounds), "ms",
            note="30-step drag of the pane, worst round"),
        row(name, "click to selected box, median", clicks[len(clicks) // 2], "ms",
            note=f"pointerdown to the frame showing it; {len(clicks)} clicks"),
        row(name, "click to selected box, max", clicks[-1], "ms"),
    ]
