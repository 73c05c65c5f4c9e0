"""The canvas in a real browser against a real engine: log in, build, configure, run and inspect a flow."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import PASSWORD, USERNAME, RunningServer

LIVE_WITHIN_MS = 2000


def processor(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid=processor][data-name="{name}"]')


def queue_label(page: Page, source: str, destination: str) -> Locator:
    return page.locator(f'[data-testid=queue-label][data-source="{source}"][data-destination="{destination}"]')


def drop_processor(page: Page, type_name: str, x: int, y: int) -> Locator:
    page.get_by_label("Search processor types").fill(type_name)
    item = page.locator(f'[data-testid=palette-item][data-type="{type_name}"]')
    item.drag_to(page.get_by_test_id("canvas"), target_position={"x": x, "y": y})
    node = processor(page, type_name)
    expect(node).to_be_visible()
    page.get_by_label("Search processor types").fill("")
    return node


def connect(page: Page, source: str, destination: str, relationship: str) -> None:
    start = processor(page, source).locator(".react-flow__handle.source").bounding_box()
    end = processor(page, destination).locator(".react-flow__handle.target").bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()
    dialog = page.get_by_role("dialog", name="Create Connection")
    dialog.get_by_role("checkbox", name=relationship).check()
    dialog.get_by_role("button", name="Add").click()
    expect(dialog).to_be_hidden()
    expect(queue_label(page, source, destination)).to_be_visible()


def configure(page: Page, name: str, fields: dict[str, str], dynamic: dict[str, str] | None = None,
              auto_terminate: tuple[str, ...] = ()) -> None:
    processor(page, name).dblclick()
    dialog = page.get_by_role("dialog", name=f"Configure {name}")
    for label, value in fields.items():
        field = dialog.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for prop, value in (dynamic or {}).items():
        dialog.get_by_label("New property name").fill(prop)
        dialog.get_by_role("button", name="Add property").click()
        dialog.get_by_label(prop, exact=True).fill(value)
    for relationship in auto_terminate:
        dialog.get_by_label(f"Auto-terminate {relationship}").check()
    dialog.get_by_test_id("config-apply").click()
    expect(dialog).to_be_hidden()


def run_state(page: Page, name: str) -> Locator:
    return processor(page, name).get_by_test_id("run-state")


def context_action(page: Page, name: str, action: str) -> None:
    processor(page, name).click(button="right")
    page.get_by_role("menuitem", name=action, exact=True).click()


def build_flow(page: Page) -> None:
    drop_processor(page, "GenerateFlowFile", 420, 40)
    drop_processor(page, "UpdateAttribute", 420, 300)
    drop_processor(page, "LogAttribute", 420, 560)
    connect(page, "GenerateFlowFile", "UpdateAttribute", "success")
    connect(page, "UpdateAttribute", "LogAttribute", "success")
    configure(page, "GenerateFlowFile", {"Run schedule": "100 ms", "Custom Text": '{"hello": "e2e", "n": 1}',
                                         "Mime Type": "application/json"})
    configure(page, "UpdateAttribute", {}, dynamic={"greeting": "hi from ${filename:substring(0, 4)}"})
    configure(page, "LogAttribute", {"Log Level": "debug"}, auto_terminate=("success",))
    for name in ("GenerateFlowFile", "UpdateAttribute", "LogAttribute"):
        expect(run_state(page, name)).to_have_attribute("data-state", "Stopped", timeout=10_000)


def test_wrong_password_is_refused_and_the_right_one_opens_the_canvas(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/nifi/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    screenshot(page, "login-refused")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Breadcrumbs")).to_contain_text("NiFi Flow")


def test_an_expired_token_returns_to_the_login_page(logged_in: Page) -> None:
    logged_in.evaluate("sessionStorage.setItem('nifi-like-token', 'not-a-valid-token')")
    logged_in.reload()
    expect(logged_in.get_by_role("button", name="Log in")).to_be_visible()


def test_build_configure_run_and_inspect_a_flow_by_drag_and_drop(logged_in: Page, server: RunningServer) -> None:
    page = logged_in
    build_flow(page)
    screenshot(page, "flow-built")

    queue = queue_label(page, "UpdateAttribute", "LogAttribute")
    count = queue.get_by_test_id("queued-count")
    expect(count).to_have_attribute("data-count", "0")
    context_action(page, "GenerateFlowFile", "Start")
    context_action(page, "UpdateAttribute", "Start")
    expect(run_state(page, "UpdateAttribute")).to_have_attribute("data-state", "Running")
    expect(count).not_to_have_attribute("data-count", "0", timeout=LIVE_WITHIN_MS)
    seen = count.get_attribute("data-count")
    expect(count).not_to_have_attribute("data-count", str(seen), timeout=LIVE_WITHIN_MS)
    expect(processor(page, "GenerateFlowFile")).not_to_contain_text("Out0 (0 bytes)")
    page.get_by_test_id("canvas").click(position={"x": 900, "y": 760})
    screenshot(page, "running-flow")

    queue.dblclick()
    dialog = page.get_by_role("dialog", name="Queue: UpdateAttribute → LogAttribute (success)")
    rows = dialog.get_by_test_id("flowfile-row")
    expect(rows.first).to_be_visible()
    screenshot(page, "queue-listing")
    rows.first.click()
    expect(dialog.get_by_test_id("attributes")).to_contain_text("greeting")
    expect(dialog.get_by_test_id("attributes")).to_contain_text("hi from ")
    dialog.get_by_role("button", name="View content").click()
    content = dialog.get_by_test_id("content")
    expect(content).to_contain_text('"hello": "e2e"')
    expect(content).to_contain_text('  "n": 1')  # pretty-printed: mime.type is application/json
    screenshot(page, "flowfile-content")
    dialog.get_by_role("radio", name="hex").check()
    expect(content).to_contain_text("7b 22 68 65 6c 6c 6f")

    dialog.get_by_test_id("flowfile-lineage").click()  # the queue closes; provenance opens on the lineage
    provenance = page.get_by_role("dialog", name="Data Provenance")
    lineage = provenance.get_by_test_id("lineage")
    expect(lineage.locator("[data-testid=lineage-node][data-event-type=CREATE]")).to_have_count(1)
    expect(lineage.locator("[data-testid=lineage-node][data-event-type=ATTRIBUTES_MODIFIED]")).to_have_count(1)
    lineage.locator("[data-testid=lineage-node][data-event-type=ATTRIBUTES_MODIFIED]").click()
    expect(provenance.get_by_test_id("event-attributes")).to_contain_text("hi from ")
    screenshot(page, "flowfile-lineage")
    provenance.get_by_role("button", name="Close dialog").click()

    context_action(page, "GenerateFlowFile", "Stop")
    context_action(page, "UpdateAttribute", "Stop")
    expect(run_state(page, "UpdateAttribute")).to_have_attribute("data-state", "Stopped")
    queue.click(button="right")
    page.get_by_role("menuitem", name="List queue").click()
    expect(rows.first).to_be_visible()
    dialog.get_by_test_id("empty-queue").click()
    expect(dialog).to_contain_text("removed from the queue")
    expect(dialog.get_by_test_id("queue-size")).to_contain_text("0 FlowFile(s)")
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(count).to_have_attribute("data-count", "0", timeout=LIVE_WITHIN_MS)


def test_undo_restores_a_deleted_processor_with_its_connection(logged_in: Page) -> None:
    page = logged_in
    build_flow(page)
    processor(page, "LogAttribute").click()
    page.keyboard.press("Delete")
    expect(processor(page, "LogAttribute")).to_have_count(0)
    expect(queue_label(page, "UpdateAttribute", "LogAttribute")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(processor(page, "LogAttribute")).to_be_visible()
    expect(queue_label(page, "UpdateAttribute", "LogAttribute")).to_be_visible()
    # its configuration came back too: success is auto-terminated, so it is valid
    expect(run_state(page, "LogAttribute")).to_have_attribute("data-state", "Stopped", timeout=10_000)
    page.keyboard.press("Control+Shift+z")
    expect(processor(page, "LogAttribute")).to_have_count(0)
    screenshot(page, "after-redo")


def test_moving_a_processor_is_saved_and_undone(logged_in: Page, server: RunningServer) -> None:
    page = logged_in
    node = drop_processor(page, "LogAttribute", 300, 200)
    box = node.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 60, box["y"] + 15)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 115, steps=10)
    page.mouse.up()
    processor_id = next(iter(server.controller.nodes))

    def stored_x() -> float:
        located = server.controller.flow.find(processor_id)
        assert located is not None
        return float(located.component["position"]["x"])

    expect(page.get_by_test_id("undo")).to_have_attribute("title", re.compile("^Undo move"))
    moved = stored_x()
    assert moved > 150
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("redo")).to_have_attribute("title", re.compile("^Redo move"))
    assert stored_x() < moved - 150


def test_entering_a_process_group_and_leaving_by_the_breadcrumb(logged_in: Page) -> None:
    page = logged_in
    page.get_by_test_id("palette-group").drag_to(page.get_by_test_id("canvas"), target_position={"x": 500, "y": 200})
    group = page.locator("[data-testid=group]")
    expect(group).to_be_visible()
    group.dblclick()
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(crumbs).to_contain_text("NiFi Flow")
    expect(crumbs).to_contain_text("Process Group")
    expect(page.locator("[data-testid=group]")).to_have_count(0)
    crumbs.get_by_role("button", name="NiFi Flow").click()
    expect(page.locator("[data-testid=group]")).to_be_visible()


def test_a_lost_server_shows_a_banner_that_goes_away_when_it_returns(logged_in: Page, server: RunningServer) -> None:
    page = logged_in
    banner = page.get_by_test_id("unreachable-banner")
    expect(banner).to_be_hidden()
    server.stop_web()
    expect(banner).to_be_visible(timeout=5000)
    screenshot(page, "server-unreachable")
    server.start_web()
    expect(banner).to_be_hidden(timeout=10_000)
    drop_processor(page, "GenerateFlowFile", 300, 100)


def test_configuration_dialog_shows_validation_errors_next_to_the_property(logged_in: Page) -> None:
    page = logged_in
    drop_processor(page, "GenerateFlowFile", 300, 100)
    expect(run_state(page, "GenerateFlowFile")).to_have_attribute("data-state", "Invalid")
    processor(page, "GenerateFlowFile").dblclick()
    dialog = page.get_by_role("dialog", name="Configure GenerateFlowFile")
    expect(dialog.locator(".field-error", has_text="'success' is not connected")).to_be_visible()
    expect(dialog.locator('[data-property="Data Format"] select')).to_have_value("Text")
    expect(dialog.locator('[data-property="Batch Size"] .required')).to_be_visible()
    expect(dialog.locator('[data-property="Custom Text"] .el-hint')).to_be_visible()
    dialog.get_by_label("Batch Size", exact=True).fill("ten")
    dialog.get_by_test_id("config-apply").click()
    expect(dialog.locator('[data-property="Batch Size"] .field-error')).to_contain_text("not a positive integer")
    screenshot(page, "config-validation")
    dialog.get_by_label("Batch Size", exact=True).fill("5")
    dialog.get_by_label("Auto-terminate success").check()
    dialog.get_by_test_id("config-apply").click()
    expect(dialog).to_be_hidden()
    expect(run_state(page, "GenerateFlowFile")).to_have_attribute("data-state", "Stopped", timeout=10_000)


def test_a_queue_at_its_back_pressure_threshold_turns_red(logged_in: Page) -> None:
    page = logged_in
    drop_processor(page, "GenerateFlowFile", 420, 60)
    drop_processor(page, "LogAttribute", 420, 380)
    connect(page, "GenerateFlowFile", "LogAttribute", "success")
    configure(page, "GenerateFlowFile", {"Run schedule": "50 ms"})
    queue = queue_label(page, "GenerateFlowFile", "LogAttribute")
    queue.click(button="right")
    page.get_by_role("menuitem", name="Configure").click()
    dialog = page.get_by_role("dialog", name="Configure Connection")
    dialog.get_by_label("Back pressure object threshold").fill("5")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    expect(queue).not_to_have_class(re.compile(r"\bfull\b"))
    context_action(page, "GenerateFlowFile", "Start")
    expect(queue).to_have_class(re.compile(r"\bfull\b"), timeout=5000)
    expect(queue.get_by_test_id("queued-count")).to_have_attribute("data-count", "5")
    page.get_by_test_id("canvas").click(position={"x": 900, "y": 760})
    screenshot(page, "back-pressure")
