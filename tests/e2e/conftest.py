"""End-to-end fixtures: a real engine serving the built canvas, and Debian's Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches /usr/bin/chromium (scripts/install-system-deps.sh).
Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.server import PASSWORD, USERNAME, RunningServer, running_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

if importlib.util.find_spec("playwright") is None:  # `pip install -e ".[dev]"` brings it
    collect_ignore_glob = ["test_*.py"]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def canvas_built() -> None:
    """The canvas is built (a quick no-op when canvas_ui/dist is up to date)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "build-canvas.sh")], check=True, cwd=ROOT)


@pytest.fixture(scope="package")  # its event loop must be gone before other async tests
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path: Path, canvas_built: None) -> Iterator[RunningServer]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with running_server(str(data_dir)) as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
        None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Browser, server: RunningServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser tab; it closes before the server stops. A failing test leaves a screenshot."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if request.node.stash.get(FAILED, False):
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()
    assert errors == [], f"the canvas raised JavaScript errors: {errors}"


@pytest.fixture
def logged_in(page: Page, server: RunningServer) -> Page:
    """The canvas of the root group, after logging in through the login page."""
    page.goto(f"{server.url}/nifi/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_test_id("canvas").wait_for()
    page.get_by_test_id("palette-item").first.wait_for()
    return page


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
