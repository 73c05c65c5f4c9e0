"""Issue 5's acceptance workflow, driven by the real nipyapi 1.8.1 client against a served engine."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from nifi_like.engine.controller import FlowController
from nifi_like.web import serve, set_single_user_credentials
from tests.integration.web.conftest import PASSWORD, USER

nipyapi = pytest.importorskip("nipyapi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def server_url(make_controller: Callable[..., FlowController]) -> AsyncIterator[str]:
    controller = make_controller()
    await controller.load(None)
    set_single_user_credentials(controller.settings.data_dir, USER, PASSWORD)
    port = free_port()
    runner = await serve(controller, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/nifi-api"
    finally:
        await runner.cleanup()


@pytest.fixture
def nifi_config() -> Iterator[Any]:
    cfg = nipyapi.config.nifi_config
    saved = (cfg.host, cfg.verify_ssl, dict(cfg.api_key))
    yield cfg
    cfg.host, cfg.verify_ssl = saved[0], saved[1]
    cfg.api_key = saved[2]
    cfg.api_client = None


def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.2)


def acceptance_workflow(url: str, cfg: Any) -> None:
    """What a user's nipyapi script does (shared/reference/nipyapi-1.8.1.md, section 5)."""
    canvas, nifi = nipyapi.canvas, nipyapi.nifi
    cfg.host = url
    cfg.verify_ssl = False
    cfg.api_client = None
    token = nifi.AccessApi().create_access_token(username=USER, password=PASSWORD)
    nipyapi.security.set_service_auth_token(token=token, service="nifi")
    assert nipyapi.security.get_service_access_status().identity == USER
    assert nipyapi.system.get_nifi_version_info().ni_fi_version

    root = canvas.get_process_group(canvas.get_root_pg_id(), "id")
    group = canvas.create_process_group(root, f"acceptance-{uuid.uuid4().hex[:6]}", (400.0, 400.0))
    generate = canvas.create_processor(group, canvas.get_processor_type("GenerateFlowFile"), (0.0, 0.0),
                                       config=nifi.ProcessorConfigDTO(scheduling_period="100 ms"))
    update = canvas.create_processor(group, canvas.get_processor_type("UpdateAttribute"), (0.0, 200.0))
    log = canvas.create_processor(group, canvas.get_processor_type("LogAttribute"), (0.0, 400.0))
    generate = canvas.update_processor(generate, nifi.ProcessorConfigDTO(
        properties={"File Size": "1 KB", "Batch Size": "10"}))
    update = canvas.update_processor(update, nifi.ProcessorConfigDTO(properties={"acceptance": "yes"}))
    assert update.component.config.descriptors["acceptance"].dynamic is True
    first = canvas.create_connection(generate, update, ["success"])
    second = canvas.create_connection(update, log, ["success"])
    log = canvas.update_processor(log, nifi.ProcessorConfigDTO(auto_terminated_relationships=["success"]))
    for proc in (generate, update, log):
        current = canvas.get_processor(proc.id, "id")
        assert current.component.validation_status == "VALID", current.component.validation_errors
        assert current.status.run_status == "Stopped"

    stale = canvas.get_processor(generate.id, "id")
    canvas.update_processor(stale, name="renamed once")
    with pytest.raises(nifi.rest.ApiException) as refused:
        nifi.ProcessorsApi().update_processor(id=stale.id, body=nifi.ProcessorEntity(
            id=stale.id, revision=stale.revision, component=nifi.ProcessorDTO(id=stale.id, name="stale")))
    assert refused.value.status == 400
    assert canvas.get_processor(generate.id, "id").component.name == "renamed once"

    assert canvas.schedule_process_group(group.id, True)
    until(lambda: canvas.get_processor(log.id, "id").status.aggregate_snapshot.flow_files_in > 0, 12,
          "LogAttribute receiving FlowFiles")
    assert canvas.schedule_processor(log, False)
    until(lambda: canvas.get_connection(second.id).status.aggregate_snapshot.flow_files_queued >= 10, 12,
          "the queue before LogAttribute growing")
    group_entity = canvas.get_process_group_status(group.id, "all")
    assert group_entity.status.aggregate_snapshot.flow_files_queued >= 10
    snapshots = nifi.FlowApi().get_process_group_status(group.id).process_group_status.aggregate_snapshot
    queued = {s.id: s.connection_status_snapshot.flow_files_queued for s in snapshots.connection_status_snapshots}
    assert snapshots.flow_files_queued >= queued[second.id] >= 10

    listed = canvas.list_flowfiles(second)
    head = listed[0]
    assert head.size == 1024
    assert canvas.list_flowfiles(second)[0].uuid == head.uuid
    details = canvas.get_flowfile_details(second, head.uuid)
    assert details.attributes["uuid"] == head.uuid and details.attributes["acceptance"] == "yes"
    content = canvas.get_flowfile_content(second, head.uuid, decode="bytes")
    assert len(content) == 1024

    assert canvas.schedule_process_group(group.id, False)
    for conn in (first, second):
        canvas.purge_connection(conn.id)
        assert canvas.get_connection(conn.id).status.aggregate_snapshot.flow_files_queued == 0
    for conn in (first, second):
        canvas.delete_connection(canvas.get_connection(conn.id))
    for proc in (generate, update, log):
        canvas.delete_processor(canvas.get_processor(proc.id, "id"))
    canvas.delete_process_group(canvas.get_process_group(group.id, "id"))

    assert canvas.get_processor(generate.id, "id") is None
    assert canvas.get_process_group(group.id, "id") is None
    with pytest.raises(nifi.rest.ApiException) as missing:
        nifi.ConnectionsApi().get_connection(first.id)
    assert missing.value.status == 404
    assert all(pg.id != group.id for pg in canvas.list_all_process_groups())


async def test_nipyapi_acceptance_workflow(server_url: str, nifi_config: Any) -> None:
    await asyncio.wait_for(asyncio.to_thread(acceptance_workflow, server_url, nifi_config), timeout=90)


def parameters_workflow(url: str, cfg: Any) -> None:
    """nipyapi's parameters module: create, assign, upsert, delete a parameter, unassign, delete."""
    canvas, nifi, parameters = nipyapi.canvas, nipyapi.nifi, nipyapi.parameters
    cfg.host = url
    cfg.verify_ssl = False
    cfg.api_client = None
    token = nifi.AccessApi().create_access_token(username=USER, password=PASSWORD)
    nipyapi.security.set_service_auth_token(token=token, service="nifi")
    context = parameters.create_parameter_context(
        "settings", description="for the test",
        parameters=[parameters.prepare_parameter("greeting", "hello"),
                    parameters.prepare_parameter("password", "s3cret", sensitive=True)])
    assert parameters.get_parameter_context("settings", "name", greedy=False).id == context.id
    group = canvas.create_process_group(canvas.get_process_group(canvas.get_root_pg_id(), "id"), "p", (0.0, 0.0))
    group = parameters.assign_context_to_process_group(group, context.id)
    assert group.component.parameter_context.id == context.id
    context = parameters.upsert_parameter_to_context(context, parameters.prepare_parameter("greeting", "hi"))
    values = {p.parameter.name: p.parameter.value for p in context.component.parameters}
    assert values == {"greeting": "hi", "password": "********"}
    context = parameters.delete_parameter_from_context(context, "greeting")
    assert [p.parameter.name for p in context.component.parameters] == ["password"]
    parameters.remove_context_from_process_group(group)
    parameters.delete_parameter_context(context)
    assert parameters.list_all_parameter_contexts() == []
    canvas.delete_process_group(canvas.get_process_group(group.id, "id"))


async def test_nipyapi_parameters_workflow(server_url: str, nifi_config: Any) -> None:
    await asyncio.wait_for(asyncio.to_thread(parameters_workflow, server_url, nifi_config), timeout=60)
