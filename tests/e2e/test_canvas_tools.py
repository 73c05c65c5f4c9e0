"""The canvas's tools around the flow: import and download of flow definitions, provenance with
lineage and replay, the summary and status history charts, copy/paste, auto-layout, and ports,
funnels and labels from the palette."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import RunningServer
from tests.e2e.test_canvas import processor, queue_label, run_state

CHAIN = (("Make greetings", "GenerateFlowFile"), ("Tag them", "UpdateAttribute"), ("Log them", "LogAttribute"))


def chain_definition(name: str = "Greetings") -> dict[str, Any]:
    """A NiFi flow definition: GenerateFlowFile -> UpdateAttribute -> LogAttribute, stopped, in a jumble."""
    group = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in CHAIN]
    spots = [(600, 500), (0, 0), (300, 900)]  # out of order, so a layout has work to do
    properties: list[dict[str, str]] = [
        {"Custom Text": '{"greeting": "hello"}', "Mime Type": "application/json"}, {"step": "tagged"}, {}]
    processors = [{
        "identifier": ids[i], "name": label, "componentType": "PROCESSOR",
        "type": f"org.apache.nifi.processors.standard.{type_name}",
        "bundle": {"group": "org.apache.nifi", "artifact": "nifi-standard-nar", "version": "2.0.0"},
        "position": {"x": spots[i][0], "y": spots[i][1]}, "properties": properties[i],
        "schedulingPeriod": "100 ms" if i == 0 else "0 sec", "schedulingStrategy": "TIMER_DRIVEN",
        "concurrentlySchedulableTaskCount": 1, "scheduledState": "ENABLED",
        "autoTerminatedRelationships": ["success"] if i == 2 else []} for i, (label, type_name) in enumerate(CHAIN)]
    connections = [{
        "identifier": str(uuid.uuid4()), "name": "", "componentType": "CONNECTION",
        "source": {"id": ids[i], "type": "PROCESSOR", "groupId": group},
        "destination": {"id": ids[i + 1], "type": "PROCESSOR", "groupId": group},
        "selectedRelationships": ["success"], "backPressureObjectThreshold": 10000,
        "backPressureDataSizeThreshold": "1 GB", "flowFileExpiration": "0 sec", "prioritizers": []} for i in range(2)]
    return {"flowContents": {
        "identifier": group, "name": name, "componentType": "PROCESS_GROUP", "position": {"x": 0, "y": 0},
        "processors": processors, "connections": connections, "processGroups": [], "inputPorts": [],
        "outputPorts": [], "funnels": [], "labels": [], "remoteProcessGroups": [], "controllerServices": []},
        "parameterContexts": {}, "externalControllerServices": {}, "parameterProviders": {},
        "flowEncodingVersion": "1.0"}


def import_chain(page: Page, tmp_path: Path, name: str = "Greetings") -> Locator:
    path = tmp_path / f"{name.lower()}.json"
    path.write_text(json.dumps(chain_definition(name)))
    page.get_by_test_id("import-file").set_input_files(str(path))
    group = page.locator(f'[data-testid=group][data-name="{name}"]')
    expect(group).to_be_visible()
    expect(page.get_by_test_id("info")).to_contain_text(f'as the group "{name}"')
    return group


def enter(page: Page, group: Locator) -> None:
    group.dblclick()
    for label, _ in CHAIN:
        expect(processor(page, label)).to_be_visible()


def start_group_and_wait_for_data(page: Page) -> None:
    page.get_by_test_id("start").click()
    expect(run_state(page, "Make greetings")).to_have_attribute("data-state", "Running")
    expect(processor(page, "Make greetings")).not_to_contain_text("Out0 (0 bytes)", timeout=5000)


def stop_group(page: Page) -> None:
    page.get_by_test_id("stop").click()
    expect(run_state(page, "Make greetings")).to_have_attribute("data-state", "Stopped")


def test_importing_a_flow_definition_then_downloading_it_again(logged_in: Page, tmp_path: Path) -> None:
    page = logged_in
    group = import_chain(page, tmp_path)
    screenshot(page, "imported-group")
    with page.expect_download() as downloading:
        group.click(button="right")
        page.get_by_role("menuitem", name="Download flow definition").click()
    saved = tmp_path / "downloaded.json"
    downloading.value.save_as(saved)
    assert downloading.value.suggested_filename == "Greetings.json"
    definition = json.loads(saved.read_text())
    names = sorted(p["name"] for p in definition["flowContents"]["processors"])
    assert names == sorted(label for label, _ in CHAIN)
    assert len(definition["flowContents"]["connections"]) == 2
    page.keyboard.press("Control+z")  # the import is undoable
    expect(group).to_have_count(0)


def test_a_broken_flow_definition_is_refused_with_a_message(logged_in: Page, tmp_path: Path) -> None:
    page = logged_in
    broken = tmp_path / "broken.json"
    broken.write_text('{"flowContents": {"name": "x", "processors": [')
    page.get_by_test_id("import-file").set_input_files(str(broken))
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("Could not import broken.json:")
    expect(notice).to_contain_text("JSON")
    expect(page.locator("[data-testid=group]")).to_have_count(0)
    screenshot(page, "import-refused")


def test_provenance_search_event_details_lineage_content_and_replay(logged_in: Page, tmp_path: Path) -> None:
    page = logged_in
    enter(page, import_chain(page, tmp_path))
    start_group_and_wait_for_data(page)
    expect(processor(page, "Log them")).not_to_contain_text("In0 (0 bytes)", timeout=5000)
    stop_group(page)

    processor(page, "Tag them").click(button="right")
    page.get_by_role("menuitem", name="View provenance").click()
    dialog = page.get_by_role("dialog", name="Data Provenance")
    expect(dialog.get_by_label("Component")).to_have_value(re.compile(".+"))
    rows = dialog.get_by_test_id("provenance-row")
    expect(rows.first).to_be_visible()
    expect(dialog.locator("[data-testid=provenance-row]:not([data-event-type=ATTRIBUTES_MODIFIED])")).to_have_count(0)

    tomorrow = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 86_400))
    dialog.get_by_label("From").fill(tomorrow)  # a time range with nothing in it
    dialog.get_by_test_id("provenance-search").click()
    expect(dialog).to_contain_text("No events match")
    dialog.get_by_label("From").fill("")
    dialog.get_by_test_id("provenance-search").click()
    expect(rows.first).to_be_visible()

    rows.first.click()
    details = dialog.get_by_test_id("event-details")
    expect(details).to_contain_text("ATTRIBUTES_MODIFIED")
    expect(details.get_by_test_id("event-attributes")).to_contain_text("step")
    details.get_by_test_id("view-output").click()
    expect(details.get_by_test_id("event-content")).to_contain_text('"greeting": "hello"')
    with page.expect_download() as downloading:
        details.get_by_test_id("download-output").click()
    saved = tmp_path / "content.bin"
    downloading.value.save_as(saved)
    assert json.loads(saved.read_text()) == {"greeting": "hello"}

    details.get_by_test_id("show-lineage").click()
    lineage = dialog.get_by_test_id("lineage")
    expect(lineage.locator("[data-testid=lineage-node][data-event-type=CREATE]")).to_have_count(1)
    expect(lineage.locator("[data-testid=lineage-node][data-event-type=ATTRIBUTES_MODIFIED]")).to_have_count(1)
    lineage.locator("[data-testid=lineage-node][data-event-type=CREATE]").click()
    expect(details).to_contain_text("CREATE")
    expect(details).to_contain_text("Make greetings")
    screenshot(page, "provenance-lineage")

    lineage.locator("[data-testid=lineage-node][data-event-type=ATTRIBUTES_MODIFIED]").click()
    expect(details).to_contain_text("ATTRIBUTES_MODIFIED")
    details.get_by_test_id("replay").click()
    expect(dialog.locator(".info")).to_contain_text("is queued again")
    dialog.get_by_role("button", name="Close dialog").click()
    # the replayed FlowFile went back into the queue in front of "Tag them"
    replayed = queue_label(page, "Make greetings", "Tag them").get_by_test_id("queued-count")
    expect(replayed).not_to_have_attribute("data-count", "0")


def test_summary_sorts_by_queue_depth_and_status_history_draws_charts(
        logged_in: Page, server: RunningServer, tmp_path: Path) -> None:
    page = logged_in
    enter(page, import_chain(page, tmp_path))
    processor(page, "Tag them").click(button="right")
    page.get_by_role("menuitem", name="Stop").click()
    start_group_and_wait_for_data(page)
    processor(page, "Tag them").click(button="right")
    page.get_by_role("menuitem", name="Stop").click()  # so the first queue grows and the second stays empty
    first = queue_label(page, "Make greetings", "Tag them")
    expect(first.get_by_test_id("queued-count")).not_to_have_attribute("data-count", "0")
    expect(first.get_by_test_id("sparkline")).to_be_visible(timeout=5000)
    now = int(time.time() * 1000)
    for minutes_ago in (3, 2, 1):  # three status history points, as the minute recorder takes them
        server.controller.history.capture(now_ms=now - minutes_ago * 60_000)

    page.get_by_test_id("summary").click()
    dialog = page.get_by_role("dialog", name="Summary")
    table = dialog.get_by_test_id("summary-connections")
    expect(table.get_by_test_id("summary-row")).to_have_count(2)
    expect(table.get_by_test_id("summary-row").first).to_contain_text("Make greetings")
    expect(table.get_by_test_id("summary-row").last).to_contain_text("Tag them")
    table.get_by_role("columnheader", name=re.compile("^Queued [▲▼]")).click()  # now ascending
    expect(table.get_by_test_id("summary-row").first).to_contain_text("Tag them")
    dialog.get_by_role("button", name=re.compile("^Processors")).click()
    expect(dialog.get_by_test_id("summary-processors").get_by_test_id("summary-row")).to_have_count(3)
    screenshot(page, "summary")
    dialog.get_by_role("button", name=re.compile("^Connections")).click()
    expect(table.get_by_test_id("summary-row").last).to_contain_text("Make greetings")  # the order stays ascending
    table.get_by_test_id("summary-row").last.click()
    panel = page.get_by_test_id("status-panel")
    expect(panel).to_contain_text("Connection status history")
    queued = panel.locator("[data-testid=chart][data-field=queuedCount]")
    expect(queued).to_have_attribute("data-points", re.compile("^[4-9]$"))  # 3 recorded + the live value

    first.click(button="right")
    page.get_by_role("menuitem", name="Status history").click()
    processor(page, "Make greetings").click(button="right")
    page.get_by_role("menuitem", name="Status history").click()
    expect(panel).to_contain_text("Make greetings")
    expect(panel.locator("[data-testid=chart]")).to_have_count(4)
    expect(panel.locator("[data-testid=chart][data-field=outputCount]")).to_have_attribute(
        "data-points", re.compile("^[4-9]$"))
    panel.get_by_role("button", name="Last day").click()
    expect(panel.locator("[data-testid=chart][data-field=outputCount]")).to_have_attribute(
        "data-points", re.compile("^[4-9]$"))
    panel.get_by_role("button", name="Last hour").click()
    page.get_by_test_id("canvas").click(position={"x": 700, "y": 760})
    screenshot(page, "status-history")
    stop_group(page)


def flow_position(page: Page, name: str) -> tuple[float, float]:
    """Where a processor sits on the flow (its box's transform), whatever the zoom or an animation."""
    transform = str(processor(page, name).locator("xpath=..").evaluate("e => e.style.transform"))
    found = re.search(r"translate\(([-\d.]+)px, ([-\d.]+)px\)", transform)
    assert found is not None, transform
    return float(found.group(1)), float(found.group(2))


def test_copy_paste_and_auto_layout_are_undoable(logged_in: Page, tmp_path: Path) -> None:
    page = logged_in
    enter(page, import_chain(page, tmp_path))
    page.get_by_test_id("auto-layout").click()
    expect(page.get_by_test_id("undo")).to_have_attribute("title", re.compile("^Undo auto-layout"))
    first = CHAIN[0][0]  # imported at (600, 500): wait for the canvas to show where the layout put it
    expect(processor(page, first).locator("xpath=..")).not_to_have_attribute(
        "style", re.compile(r"translate\(600px, 500px\)"))
    xs, ys = zip(*(flow_position(page, label) for label, _ in CHAIN), strict=True)
    assert ys[0] < ys[1] < ys[2], f"the layout does not follow the connections: {ys}"
    assert max(xs) - min(xs) < 5, f"a chain is laid out in one column: {xs}"

    processor(page, "Make greetings").click()
    processor(page, "Tag them").click(modifiers=["Control"])
    page.keyboard.press("Control+c")
    expect(page.get_by_test_id("info")).to_contain_text("Copied 2 component(s) and 1 connection(s)")
    page.keyboard.press("Control+v")
    expect(processor(page, "Make greetings")).to_have_count(2)
    expect(processor(page, "Tag them")).to_have_count(2)
    expect(queue_label(page, "Make greetings", "Tag them")).to_have_count(2)
    expect(processor(page, "Log them")).to_have_count(1)
    screenshot(page, "pasted")
    page.keyboard.press("Control+z")
    expect(processor(page, "Make greetings")).to_have_count(1)
    expect(queue_label(page, "Make greetings", "Tag them")).to_have_count(1)
    page.keyboard.press("Control+z")  # and the layout
    expect(page.get_by_test_id("redo")).to_have_attribute("title", re.compile("^Redo auto-layout"))

    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("empty-hint")).to_be_visible()
    page.keyboard.press("Control+z")  # all three processors and both connections come back
    expect(page.get_by_test_id("statusbar")).to_contain_text("■ 3")
    page.get_by_test_id("fit-view").click()  # only boxes on screen are drawn: show them all
    for label, _ in CHAIN:
        expect(processor(page, label)).to_have_count(1)
    expect(page.locator("[data-testid=queue-label]")).to_have_count(2)


def test_ports_funnels_and_labels_come_from_the_palette(logged_in: Page) -> None:
    page = logged_in
    canvas = page.get_by_test_id("canvas")
    page.get_by_test_id("palette-input-port").drag_to(canvas, target_position={"x": 300, "y": 120})
    page.get_by_test_id("palette-output-port").drag_to(canvas, target_position={"x": 300, "y": 420})
    page.get_by_test_id("palette-funnel").drag_to(canvas, target_position={"x": 600, "y": 260})
    page.get_by_test_id("palette-label").drag_to(canvas, target_position={"x": 700, "y": 500})
    expect(page.locator("[data-testid=port]")).to_have_count(2)
    expect(page.locator("[data-testid=port]").first).to_contain_text("Input Port 1")
    funnel = page.get_by_test_id("funnel")
    expect(funnel).to_be_visible()
    expect(page.locator(".label-node")).to_contain_text("Double-click to edit")
    page.once("dialog", lambda d: d.accept("Ingest starts here"))
    page.locator(".label-node").dblclick()
    expect(page.locator(".label-node")).to_contain_text("Ingest starts here")
    page.once("dialog", lambda d: d.accept("orders in"))
    page.locator("[data-testid=port]").first.dblclick()
    expect(page.locator("[data-testid=port]").first).to_contain_text("orders in")
    funnel.click()
    page.keyboard.press("Delete")
    expect(funnel).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("funnel")).to_be_visible()
    screenshot(page, "ports-funnel-label")
