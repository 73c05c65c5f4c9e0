"""The README's picture: the demo flow running on the canvas, taken with Playwright and Debian's Chromium.

``python -m tests.e2e.screenshot [OUT.png]`` (default canvas_ui/screenshot.png).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.e2e.server import PASSWORD, USERNAME, running_server

# Status history records a point each minute: after two minutes the charts have real points to draw.
RUN_SECONDS = 125


def take(out: Path) -> None:
    flow = json.loads((ROOT / "conf" / "demo-flow.json").read_text())
    with tempfile.TemporaryDirectory(prefix="nifi-like-shot-") as data, running_server(data, flow=flow) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{server.url}/nifi/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_test_id("statusbar")).to_contain_text("▶ 5", timeout=30_000)
        page.wait_for_timeout(RUN_SECONDS * 1000)
        page.locator('[data-testid=processor][data-name="Generate greetings"]').click(button="right")
        page.get_by_role("menuitem", name="Status history").click()
        expect(page.get_by_test_id("status-panel").locator("[data-testid=chart]").first).to_be_visible()
        page.get_by_test_id("fit-view").click()  # fit the flow beside the panel
        page.get_by_test_id("canvas").click(position={"x": 20, "y": 20})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out))
        browser.close()


if __name__ == "__main__":
    take(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "canvas_ui" / "screenshot.png")
