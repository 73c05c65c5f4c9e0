"""Provenance of a real flow: a FlowFile split, modified, routed and merged."""

from __future__ import annotations

from typing import Any

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.provenance import cli
from nifi_like.provenance.lineage import compute_lineage
from nifi_like.provenance.store import ProvenanceQuery
from tests.conftest import eventually
from tests.integration.provenance.support import Pipeline, run_pipeline


def _by_type(pipeline: Pipeline, event_type: str) -> list[Any]:
    return pipeline.provenance.query(event_type=event_type).events


async def _pipeline(make_controller: Any, registry: ProcessorRegistry) -> tuple[Pipeline, str, list[str], str]:
    pipeline = await run_pipeline(make_controller, registry)
    [create] = _by_type(pipeline, "CREATE")
    [fork] = _by_type(pipeline, "FORK")
    [join] = _by_type(pipeline, "JOIN")
    return pipeline, create.flowfile_uuid, sorted(fork.child_uuids), join.flowfile_uuid


async def test_split_modify_route_merge_lineage_has_parents_children_and_event_types(
        make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline, original, parts, merged = await _pipeline(make_controller, registry)
    lineage = compute_lineage(pipeline.provenance.store, original)

    assert lineage.children_of(original) == set(parts)
    assert lineage.parents_of(merged) == set(parts)
    for part in parts:
        assert lineage.parents_of(part) == {original}
        assert lineage.children_of(part) == {merged}
        assert [e.event_type for e in lineage.events_of(part)] == ["CONTENT_MODIFIED", "ROUTE", "DROP"]
    assert [e.event_type for e in lineage.events_of(original)] == ["CREATE", "FORK", "DROP"]
    assert [e.event_type for e in lineage.events_of(merged)] == ["JOIN"]
    assert lineage.descendants(original) == {*parts, merged}
    assert lineage.ancestors(merged) == {original, *parts}
    components = {e.event_type: e.component_id for e in lineage.events}
    assert components["FORK"] == pipeline.ids["split"] and components["JOIN"] == pipeline.ids["merge"]

    # both directions: the merged FlowFile's lineage is the same graph
    from_merged = compute_lineage(pipeline.provenance.store, merged)
    assert {e.event_id for e in from_merged.events} == {e.event_id for e in lineage.events}

    dto = lineage.to_dto()
    flowfile_nodes = {n["flowFileUuid"] for n in dto["nodes"] if n["type"] == "FLOWFILE"}
    assert flowfile_nodes == {original, *parts, merged}
    event_nodes = [n for n in dto["nodes"] if n["type"] == "EVENT"]
    assert sorted(n["eventType"] for n in event_nodes) == sorted(e.event_type for e in lineage.events)
    ids = {n["id"] for n in dto["nodes"]}
    assert all(link["sourceId"] in ids and link["targetId"] in ids for link in dto["links"])
    join_node = next(n for n in event_nodes if n["eventType"] == "JOIN")
    into_join = {link["flowFileUuid"] for link in dto["links"] if link["targetId"] == join_node["id"]}
    assert into_join == set(parts), "each part's history leads into the JOIN"
    assert {(link["sourceId"], link["targetId"]) for link in dto["links"]} >= {(join_node["id"], merged)}


async def test_queries_filter_page_and_sort_newest_first(make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline, original, parts, merged = await _pipeline(make_controller, registry)
    provenance = pipeline.provenance
    everything = provenance.query()
    ids = [e.event_id for e in everything.events]
    assert ids == sorted(ids, reverse=True) and everything.total == len(ids) == 10 and everything.total_exact

    by_bracket = provenance.query(component_id=pipeline.ids["bracket"])
    assert [e.event_type for e in by_bracket.events] == ["CONTENT_MODIFIED"] * 2
    assert {e.flowfile_uuid for e in by_bracket.events} == set(parts)

    by_uuid = provenance.query(flowfile_uuid=parts[0])
    assert [e.event_type for e in by_uuid.events] == ["DROP", "JOIN", "ROUTE", "CONTENT_MODIFIED", "FORK"]

    filename = everything.events[-1].attributes["filename"]
    named = provenance.query(filename=filename)
    assert named.total > 0 and all(e.attributes["filename"] == filename for e in named.events)
    assert provenance.query(filename="no-such-file").total == 0

    drops = provenance.query(event_type="drop")
    assert drops.total == 3
    page = provenance.query(ProvenanceQuery(max_results=4, offset=4))
    assert [e.event_id for e in page.events] == ids[4:8] and page.total == 10

    first = everything.events[-1].timestamp_ms
    assert provenance.query(start_ms=first - 1000, end_ms=first + 3_600_000).total == 10
    assert provenance.query(end_ms=first - 1).total == 0
    assert provenance.query(start_ms=everything.events[0].timestamp_ms + 1).total == 0

    event = provenance.store.event(by_bracket.events[0].event_id)
    assert event is not None and event.eventType == "CONTENT_MODIFIED"
    dto = event.to_dto()
    assert dto["componentId"] == pipeline.ids["bracket"] and dto["flowFileUuid"] in parts
    assert {"name": "bracketed", "value": "yes", "previousValue": None} in dto["attributes"]


async def test_new_events_are_found_before_and_after_indexing(make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline, original, parts, merged = await _pipeline(make_controller, registry)
    provenance = pipeline.provenance
    await pipeline.controller.start(pipeline.ids["emit"])  # a second FlowFile, not yet indexed
    await pipeline.controller.stop(pipeline.ids["emit"])
    await eventually(lambda: pipeline.queue("merged").count == 2)
    assert provenance.query(event_type="CREATE").total == 2, "searches also scan events not indexed yet"
    newest_create = provenance.query(event_type="CREATE").events[0]
    assert len(compute_lineage(provenance.store, newest_create.flowfile_uuid).events) == 10
    provenance.catch_up()
    assert provenance.lag() == 0
    assert provenance.query(event_type="CREATE").total == 2


async def test_cli_prints_lineage_of_a_stopped_engine(make_controller: Any, registry: ProcessorRegistry,
                                                      capsys: Any) -> None:
    pipeline, original, parts, merged = await _pipeline(make_controller, registry)
    data_dir = pipeline.controller.settings.data_dir
    await pipeline.controller.shutdown()
    assert cli.main(["--data", data_dir, "--flowfile", merged]) == 0
    out = capsys.readouterr().out
    for uuid in (original, *parts, merged):
        assert uuid in out
    assert out.count("CONTENT_MODIFIED") == 2 and "JOIN" in out and "FORK" in out
    assert cli.main(["--data", data_dir, "--flowfile", "00000000-0000-4000-8000-000000000000"]) == 1
    assert "no provenance events" in capsys.readouterr().err
