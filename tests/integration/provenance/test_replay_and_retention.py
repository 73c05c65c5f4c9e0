"""Replay sends recorded content again; retention removes old events and the content only they held."""

from __future__ import annotations

import time
from typing import Any

import pytest

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.provenance.index import last_indexed
from nifi_like.provenance.replay import ReplayError, replay_event
from nifi_like.provenance.retention import Retention
from tests.conftest import eventually
from tests.integration.provenance.support import run_pipeline

BIG = 64  # inline content limit for these tests: larger content goes to claim files


async def test_replay_of_a_modification_delivers_the_same_content_again(
        make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry)
    controller, provenance = pipeline.controller, pipeline.provenance
    await controller.stop(pipeline.ids["bracket"])
    modified = provenance.query(event_type="CONTENT_MODIFIED").events[-1]
    assert modified.source_queue_id == pipeline.ids["to_bracket"]
    input_content = controller.repo.content.read_bytes(modified.input_claim)
    output_content = controller.repo.content.read_bytes(modified.claim)
    assert input_content in (b"1-a", b"1-b") and output_content == b"<" + input_content + b">"

    result = replay_event(controller, modified.event_id, requested_by="tester")
    queue = pipeline.queue("to_bracket")
    assert result.connection_id == queue.id and queue.count == 1
    [(_, queued)] = queue.peek(10)
    assert queued.id == result.flowfile.id != modified.flowfile_uuid
    assert controller.repo.content.read_bytes(queued.claim) == input_content, "the input content, again"
    assert {k: v for k, v in queued.attributes.items() if k != "uuid"} == \
        {k: v for k, v in modified.input_attributes.items() if k != "uuid"}

    provenance.catch_up()
    [replayed] = provenance.query(event_type="REPLAY").events
    assert replayed.event_id == result.replay_event_id
    assert replayed.parent_uuids == (modified.flowfile_uuid,) and replayed.child_uuids == (queued.id,)
    assert replayed.details == "Replay requested by tester"

    await controller.start(pipeline.ids["bracket"])
    await eventually(lambda: provenance.query(event_type="CONTENT_MODIFIED", flowfile_uuid=queued.id).total == 1)
    [again] = provenance.query(event_type="CONTENT_MODIFIED", flowfile_uuid=queued.id).events
    assert controller.repo.content.read_bytes(again.claim) == output_content


async def test_replay_refuses_events_without_a_single_queued_input(make_controller: Any,
                                                              registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry)
    [join] = pipeline.provenance.query(event_type="JOIN").events
    with pytest.raises(ReplayError, match="JOIN"):
        replay_event(pipeline.controller, join.event_id)
    [create] = pipeline.provenance.query(event_type="CREATE").events
    with pytest.raises(ReplayError, match="did not come from a queue"):
        replay_event(pipeline.controller, create.event_id)
    assert create.to_dto()["replayAvailable"] is False
    with pytest.raises(ReplayError, match="does not exist"):
        replay_event(pipeline.controller, 10**9)


def _index_keys(controller: Any, prefixes: bytes = b"fcyn") -> int:
    env = controller.repo.env
    with env.read() as txn:
        return sum(1 for key, _ in txn.cursor(db=env.dbs["prov_index"]) if key[:1] in [bytes([p]) for p in prefixes])


async def test_retention_removes_old_events_and_the_content_only_they_held(
        make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry, inline_content_max=BIG)
    controller, provenance = pipeline.controller, pipeline.provenance
    dropped_parts = [e for e in provenance.query(event_type="DROP").events if e.component_id == pipeline.ids["merge"]]
    claims = [e.claim for e in dropped_parts]
    assert all(claim is not None for claim in claims)
    for claim in claims:  # the parts are gone from every queue, but their events keep their content
        assert controller.repo.content.read_bytes(claim).startswith(b"<1-")
    [(_, merged)] = pipeline.queue("merged").peek(1)
    events_before = provenance.query().total

    # a retention a day in the future: every event is older than its 24 hours
    retention = Retention(controller.repo.env, controller.repo.writer, controller.repo.content, batch_size=3,
                          clock=lambda: time.time() + 86_400 * 2)
    steps = []
    while removed := retention.step():
        steps.append(removed)
    assert sum(steps) == events_before and len(steps) > 1, "bounded batches"
    assert provenance.query().total == 0 and _index_keys(controller) == 0
    for claim in claims:
        with pytest.raises(Exception, match="missing"):
            controller.repo.content.read_bytes(claim)
    assert controller.repo.content.read_bytes(merged.claim) == b"<1-a>+<1-b>", "queued content stays"
    with controller.repo.env.read() as txn:
        assert last_indexed(txn, controller.repo.env) > 0


def _count(controller: Any, db: str) -> int:
    env = controller.repo.env
    with env.read() as txn:
        return int(txn.stat(env.dbs[db])["entries"])


async def test_retention_by_size_releases_every_claim_file_reference(
        make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry, inline_content_max=2)
    controller, provenance = pipeline.controller, pipeline.provenance
    await controller.start(pipeline.ids["sink"])
    await eventually(lambda: pipeline.queue("merged").count == 0)
    await controller.stop(pipeline.ids["sink"])
    provenance.catch_up()
    assert _count(controller, "claimrefs") > 0, "dropped FlowFiles' content is kept for their events"
    young = Retention(controller.repo.env, controller.repo.writer, controller.repo.content)
    assert young.step() == 0, "nothing is older than 24 hours and storage is under 1 GB"
    by_size = Retention(controller.repo.env, controller.repo.writer, controller.repo.content, max_bytes=1)
    while by_size.step():
        pass
    assert provenance.query().total == 0
    assert _count(controller, "claimrefs") == 0 and _count(controller, "content") == 0
