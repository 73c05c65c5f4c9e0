"""A 1,000-processor flow: the canvas renders it quickly and stays responsive while status streams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.large import engine_with, large_flow, measure_canvas

CHAINS = 500  # GenerateFlowFile -> LogAttribute, so 1,000 processors and 500 connections
RENDER_BUDGET_S = 2.0  # from the flow's arrival in the browser; the API's own time is printed
FRAME_BUDGET_MS = 250


@pytest.fixture
def large_server(tmp_path: Path, canvas_built: None) -> Iterator[str]:
    with engine_with(large_flow(CHAINS), tmp_path) as url:
        yield url


@pytest.mark.slow
def test_a_thousand_processor_flow_renders_in_under_two_seconds_and_stays_responsive(
        browser: Browser, large_server: str) -> None:
    t = measure_canvas(browser, large_server, CHAINS * 2)
    print(f"\n1,000 processors: the API answered the flow ({t.flow_mb:.1f} MB) in {t.api_s:.2f} s; the canvas "
          f"rendered it {t.render_s:.2f} s later; longest frame gap while streaming {t.idle_frame_ms:.0f} ms, "
          f"while panning {t.pan_frame_ms:.0f} ms; click to selected {t.click_median_ms:.0f} ms (median)")
    assert t.render_s < RENDER_BUDGET_S, f"the canvas took {t.render_s:.2f} s to render 1,000 processors"
    assert t.idle_frame_ms < FRAME_BUDGET_MS, f"the canvas froze for {t.idle_frame_ms:.0f} ms while status streamed"
    assert min(t.click_ms) >= 0, f"a click on a processor did not select it: {t.click_ms}"
