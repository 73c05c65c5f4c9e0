"""The connection dialog's prioritizers and load balancing, and a processor's execution (placement),
set in the browser and read back through the REST API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.server import RunningServer
from tests.e2e.test_canvas import processor, queue_label
from tests.e2e.test_canvas_tools import enter, import_chain
from tests.support.cluster import ETCD, Etcd, Node
from tests.support.cluster import PASSWORD as CLUSTER_PASSWORD
from tests.support.cluster import USER as CLUSTER_USER

PRIORITIZER = "org.apache.nifi.prioritizer.NewestFlowFileFirstPrioritizer"


def rest_get(page: Page, server: RunningServer, path: str) -> dict[str, Any]:
    """GET /nifi-api{path} with the tab's own login token."""
    token = page.evaluate("sessionStorage.getItem('nifi-like-token')")
    response = page.request.get(f"{server.url}/nifi-api{path}", headers={"Authorization": f"Bearer {token}"})
    assert response.ok, response.text()
    body: dict[str, Any] = response.json()
    return body


def open_connection_dialog(page: Page, source: str, destination: str) -> Any:
    queue_label(page, source, destination).click(button="right")
    page.get_by_role("menuitem", name="Configure", exact=True).click()
    dialog = page.get_by_role("dialog", name="Configure Connection")
    expect(dialog.get_by_label("Load balance strategy")).to_be_visible()
    return dialog


def connection_id(page: Page, server: RunningServer, group_name: str, source: str) -> str:
    root = rest_get(page, server, "/flow/process-groups/root")["processGroupFlow"]["flow"]
    group_id = next(g["id"] for g in root["processGroups"] if g["component"]["name"] == group_name)
    flow = rest_get(page, server, f"/flow/process-groups/{group_id}")["processGroupFlow"]["flow"]
    return str(next(c["id"] for c in flow["connections"] if c["component"]["source"]["name"] == source))


def set_execution(page: Page, name: str, type_name: str, mode: str, instances: str | None = None) -> str:
    """Sets a processor's Execution in its configuration dialog; returns the processor's id."""
    processor(page, name).dblclick()
    dialog = page.get_by_role("dialog", name=f"Configure {type_name}")
    dialog.get_by_label("Execution", exact=True).select_option(mode)
    if instances is not None:
        dialog.get_by_label("Instances", exact=True).fill(instances)
    dialog.get_by_test_id("config-apply").click()
    expect(dialog).to_be_hidden()
    return str(processor(page, name).evaluate("e => e.closest('.react-flow__node').dataset.id"))


def test_prioritizers_load_balancing_and_execution_are_saved(logged_in: Page, server: RunningServer,
                                                             tmp_path: Path) -> None:
    page = logged_in
    enter(page, import_chain(page, tmp_path))
    conn_id = connection_id(page, server, "Greetings", "Make greetings")

    # An ordered prioritizer list and round robin load balancing, saved and read back over REST.
    dialog = open_connection_dialog(page, "Make greetings", "Tag them")
    dialog.get_by_role("button", name="Add PriorityAttributePrioritizer").click()
    dialog.get_by_role("button", name="Add NewestFlowFileFirstPrioritizer").click()
    dialog.get_by_role("button", name="Move NewestFlowFileFirstPrioritizer up").click()
    expect(dialog.get_by_test_id("selected-prioritizers").locator("li")).to_have_text(
        ["NewestFlowFileFirstPrioritizer↑↓✕", "PriorityAttributePrioritizer↑↓✕"])
    dialog.get_by_label("Load balance strategy").select_option("ROUND_ROBIN")
    dialog.get_by_label("Load balance compression").select_option("COMPRESS_ATTRIBUTES_ONLY")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    saved = rest_get(page, server, f"/connections/{conn_id}")["component"]
    assert saved["prioritizers"] == [PRIORITIZER, "org.apache.nifi.prioritizer.PriorityAttributePrioritizer"]
    assert saved["loadBalanceStrategy"] == "ROUND_ROBIN"
    assert saved["loadBalanceCompression"] == "COMPRESS_ATTRIBUTES_ONLY"

    # The dialog shows what was saved; partitioning without an attribute is refused by the server,
    # whose message is shown next to the attribute field, and nothing changes.
    dialog = open_connection_dialog(page, "Make greetings", "Tag them")
    expect(dialog.get_by_label("Load balance strategy")).to_have_value("ROUND_ROBIN")
    expect(dialog.get_by_test_id("selected-prioritizers").locator("li").first).to_have_attribute(
        "data-prioritizer", "NewestFlowFileFirstPrioritizer")
    dialog.get_by_label("Load balance strategy").select_option("PARTITION_BY_ATTRIBUTE")
    expect(dialog.get_by_label("Partitioning attribute")).to_have_value("")
    dialog.get_by_role("button", name="Apply").click()
    error = dialog.locator('.field-error[data-field="partitioningAttribute"]')
    expect(error).to_contain_text("partitioning attribute")
    screenshot(page, "connection-partition-error")
    assert rest_get(page, server, f"/connections/{conn_id}")["component"]["loadBalanceStrategy"] == "ROUND_ROBIN"
    dialog.get_by_label("Partitioning attribute").fill("customer")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_be_hidden()
    saved = rest_get(page, server, f"/connections/{conn_id}")["component"]
    assert (saved["loadBalanceStrategy"], saved["loadBalancePartitionAttribute"]) == ("PARTITION_BY_ATTRIBUTE",
                                                                                      "customer")

    # Primary node only: saved as executionNode PRIMARY, shown as a badge on the box.
    badge = processor(page, "Tag them").get_by_test_id("placement-badge")
    expect(badge).to_have_count(0)
    proc_id = set_execution(page, "Tag them", "UpdateAttribute", "PRIMARY")
    config = rest_get(page, server, f"/processors/{proc_id}")["component"]["config"]
    assert config["executionNode"] == "PRIMARY"
    expect(badge).to_have_text("P")
    expect(badge).to_have_attribute("title", "Primary node only")

    # N instances: executionNode ALL with nifiLikeInstances.
    proc_id = set_execution(page, "Log them", "LogAttribute", "INSTANCES", "3")
    expect(processor(page, "Log them").get_by_test_id("placement-badge")).to_have_text("×3")
    config = rest_get(page, server, f"/processors/{proc_id}")["component"]["config"]
    assert (config["executionNode"], config["nifiLikeInstances"]) == ("ALL", 3)
    screenshot(page, "processor-placement-badges")
    assert (ARTIFACTS / "processor-placement-badges.png").exists()


def test_placement_badge_lists_the_nodes_in_a_cluster(browser: Browser, canvas_built: None, tmp_path: Path) -> None:
    """On a one-node cluster (real etcd, a node process): the badge's tooltip names the node it runs on."""
    if not os.path.exists(ETCD):
        pytest.skip("etcd-server is not installed")
    etcd = Etcd(str(tmp_path / "etcd"))
    node = Node(str(tmp_path), "n1", etcd.url)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        node.wait_ready()
        for name, config in (("Primary", {"executionNode": "PRIMARY"}), ("Two", {"nifiLikeInstances": 2})):
            body = {"revision": {"version": 0}, "component": {
                "type": "UpdateAttribute", "name": name, "position": {"x": 100 + 400 * len(name), "y": 100},
                "config": config}}
            reply = node.call("POST", "/process-groups/root/processors", body)
            assert reply.status_code == 201, reply.text
            assert "nifiLikePlacement" in reply.json()["component"]
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{node.port}/nifi/")
        page.get_by_label("Username").fill(CLUSTER_USER)
        page.get_by_label("Password").fill(CLUSTER_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        primary = processor(page, "Primary").get_by_test_id("placement-badge")
        expect(primary).to_have_text("P")
        expect(primary).to_have_attribute("title", "Primary node only; runs on:\nn1")
        # Two instances wanted, one node to place them on: it runs once, on n1.
        two = processor(page, "Two").get_by_test_id("placement-badge")
        expect(two).to_have_text("×2")
        expect(two).to_have_attribute("title", "2 instances; runs on:\nn1")
        screenshot(page, "cluster-placement-badges")
    finally:
        context.close()
        node.stop()
        etcd.stop()
