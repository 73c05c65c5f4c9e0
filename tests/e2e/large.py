"""A 1,000-processor flow in an engine of its own, and the browser-side measurements of the canvas
on it: shared by the slow scale test and `python -m bench canvas`."""

from __future__ import annotations

import contextlib
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.server import PASSWORD, USERNAME, free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 90


def _processor(type_name: str, x: int, y: int, auto_terminated: list[str]) -> dict[str, Any]:
    return {"identifier": str(uuid.uuid4()), "name": type_name, "componentType": "PROCESSOR",
            "type": f"org.apache.nifi.processors.standard.{type_name}", "position": {"x": x, "y": y},
            "bundle": {"group": "org.apache.nifi", "artifact": "nifi-standard-nar", "version": "2.0.0"},
            "schedulingPeriod": "1 sec", "schedulingStrategy": "TIMER_DRIVEN",
            "concurrentlySchedulableTaskCount": 1, "scheduledState": "RUNNING", "properties": {},
            "autoTerminatedRelationships": auto_terminated}


def large_flow(chains: int) -> dict[str, Any]:
    """A flow definition of ``chains`` running GenerateFlowFile -> LogAttribute pairs on a grid."""
    group = str(uuid.uuid4())
    processors: list[dict[str, Any]] = []
    connections: list[dict[str, Any]] = []
    for i in range(chains):
        x, y = (i % 25) * 360, (i // 25) * 420
        source = _processor("GenerateFlowFile", x, y, [])
        sink = _processor("LogAttribute", x, y + 220, ["success"])
        processors += [source, sink]
        connections.append({
            "identifier": str(uuid.uuid4()), "name": "", "componentType": "CONNECTION",
            "source": {"id": source["identifier"], "type": "PROCESSOR", "groupId": group},
            "destination": {"id": sink["identifier"], "type": "PROCESSOR", "groupId": group},
            "selectedRelationships": ["success"], "backPressureObjectThreshold": 10000,
            "backPressureDataSizeThreshold": "1 GB", "flowFileExpiration": "0 sec", "prioritizers": []})
    contents = {"identifier": group, "name": "NiFi Flow", "componentType": "PROCESS_GROUP",
                "position": {"x": 0, "y": 0}, "processors": processors, "connections": connections,
                "processGroups": [], "inputPorts": [], "outputPorts": [], "funnels": [], "labels": [],
                "remoteProcessGroups": [], "controllerServices": []}
    return {"flowContents": contents, "parameterContexts": {}, "externalControllerServices": {},
            "parameterProviders": {}, "flowEncodingVersion": "1.0"}


@contextlib.contextmanager
def engine_with(flow: dict[str, Any], workdir: Path | None = None) -> Iterator[str]:
    """The engine in its own process (as in production), so its processors do not share our GIL.
    Yields its base URL; stops it (SIGTERM) when the block ends."""
    with contextlib.ExitStack() as stack:
        base = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nifi-like-large-")))
        data_dir = base / "data"
        data_dir.mkdir()
        flow_file = base / "flow.json"
        flow_file.write_text(json.dumps(flow))
        log_file = base / "engine.log"
        port = free_port()
        log = stack.enter_context(log_file.open("w"))
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.server", "--data", str(data_dir), "--port", str(port),
             "--flow", str(flow_file)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_S
            while "password" not in log_file.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the engine did not start: {log_file.read_text()[-2000:]}")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


FRAME_GAPS = """(ms) => { window.__longestFrame = new Promise(resolve => {
    let last = performance.now(), longest = 0;
    const end = last + ms;
    const tick = (now) => {
        longest = Math.max(longest, now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick); else resolve(longest);
    };
    requestAnimationFrame(tick);
}); }"""

FLOW_FETCH = """() => performance.getEntriesByType('resource')
    .filter(r => r.name.includes('/flow/process-groups/root'))
    .map(r => ({start: r.requestStart, end: r.responseEnd, size: r.decodedBodySize}))[0]"""

# From the pointerdown on a processor box to the first frame drawn after it shows the box selected.
# The probed box (one not selected yet, marked data-probe) is the one the test then clicks.
CLICK_PROBE = """() => {
    document.querySelectorAll('[data-probe]').forEach(b => b.removeAttribute('data-probe'));
    const box = [...document.querySelectorAll('.react-flow__node-processor .processor-node')]
        .find(b => !b.classList.contains('selected'));
    box.setAttribute('data-probe', '1');
    let down = null;
    document.addEventListener('pointerdown', e => { down = e.timeStamp; }, {capture: true, once: true});
    window.__clickLatency = new Promise(resolve => {
        const seen = () => { observer.disconnect(); requestAnimationFrame(() => resolve(performance.now() - down)); };
        const observer = new MutationObserver(() => box.classList.contains('selected') && seen());
        observer.observe(box, {attributes: true, attributeFilter: ['class']});
        setTimeout(() => { observer.disconnect(); resolve(-1); }, 5000);
    });
}"""


@dataclass
class CanvasTimings:
    processors: int
    flow_mb: float
    api_s: float
    render_s: float
    login_to_canvas_s: float
    idle_frame_ms: float
    pan_frame_ms: float
    click_ms: list[float]

    @property
    def click_median_ms(self) -> float:
        return statistics.median(self.click_ms)


def measure_canvas(browser: Browser, url: str, processors: int, clicks: int = 9) -> CanvasTimings:
    """Log in, wait for the boxes and the first status, then time frames and clicks while status streams."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{url}/nifi/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        clicked = float(page.evaluate("performance.now()"))
        page.get_by_role("button", name="Log in").click()
        rendered_at = float(page.wait_for_function(
            "() => document.querySelector('[data-testid=processor]') && performance.now()",
            polling="raf", timeout=60_000).json_value())
        fetch = page.evaluate(FLOW_FETCH)
        expect(page.get_by_test_id("statusbar")).to_contain_text(f"▶ {processors}", timeout=60_000)
        page.wait_for_timeout(2000)  # the first status snapshot settles; diffs then stream each second
        page.evaluate(FRAME_GAPS, 3000)
        idle = float(page.evaluate("window.__longestFrame"))
        page.evaluate(FRAME_GAPS, 1500)
        page.mouse.move(900, 700)
        page.mouse.down()
        page.mouse.move(500, 300, steps=30)
        page.mouse.up()
        pan = float(page.evaluate("window.__longestFrame"))
        latencies = []
        for _ in range(clicks):
            page.evaluate(CLICK_PROBE)
            page.locator("[data-probe]").click(position={"x": 150, "y": 14})
            latencies.append(float(page.evaluate("window.__clickLatency")))
        return CanvasTimings(processors, fetch["size"] / 1e6, (fetch["end"] - fetch["start"]) / 1000,
                             (rendered_at - fetch["end"]) / 1000, (rendered_at - clicked) / 1000, idle, pan,
                             latencies)
    finally:
        context.close()
