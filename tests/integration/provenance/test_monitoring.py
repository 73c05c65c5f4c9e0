"""Prometheus metrics and status history of a running flow match the controller's status."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.monitoring.history import MINUTE_MS, HistoryRecorder, StatusHistory
from nifi_like.monitoring.metrics import render
from tests.conftest import eventually
from tests.integration.provenance.support import run_pipeline


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    matches = [value for (metric, sample_labels), value in samples.items()
               if metric == name and all(dict(sample_labels).get(k) == v for k, v in labels.items())]
    assert len(matches) == 1, f"{name} {labels}: {len(matches)} samples"
    return matches[0]


async def test_metrics_parse_and_match_the_status(make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry)
    controller = pipeline.controller
    await controller.start(pipeline.ids["emit"])  # more events, not indexed yet: a provenance lag
    await controller.schedule_group(controller.flow.root["identifier"], "STOPPED")
    lag_before = pipeline.provenance.lag()  # the flow is stopped: the lag can only shrink (indexing)
    samples = _samples(render(controller))
    status = controller.status()
    assert lag_before >= _value(samples, "nifi_like_provenance_lag_events") >= pipeline.provenance.lag()

    for conn in status["connections"]:
        assert _value(samples, "nifi_like_connection_queued_count", connection_id=conn["id"]) == conn["queued_count"]
        assert _value(samples, "nifi_like_connection_queued_bytes", connection_id=conn["id"]) == conn["queued_bytes"]
        assert _value(samples, "nifi_like_connection_backpressure_object_threshold",
                      connection_id=conn["id"]) == conn["object_threshold"]
        full = conn["queued_count"] >= conn["object_threshold"] or conn["queued_bytes"] >= conn["size_threshold"]
        assert _value(samples, "nifi_like_connection_backpressure_enabled", connection_id=conn["id"]) == full
    for proc in status["processors"]:
        assert _value(samples, "nifi_like_processor_flowfiles_received", processor_id=proc["id"]) == proc["in_count"]
        assert _value(samples, "nifi_like_processor_flowfiles_sent", processor_id=proc["id"]) == proc["out_count"]
    assert _value(samples, "nifi_like_processor_flowfiles_sent", processor_id=pipeline.ids["split"]) >= 2

    batches = controller.repo.writer.batches
    assert 0 < _value(samples, "nifi_like_commit_latency_seconds_count") <= batches
    assert _value(samples, "nifi_like_commit_latency_seconds_bucket", le="+Inf") == \
        _value(samples, "nifi_like_commit_latency_seconds_count")
    assert _value(samples, "nifi_like_lmdb_file_bytes") == controller.repo.env.size_on_disk()
    assert _value(samples, "nifi_like_lmdb_database_bytes", database="provenance") > 0

    pipeline.provenance.catch_up()
    again = _samples(render(controller))
    assert _value(again, "nifi_like_provenance_lag_events") == 0
    assert _value(again, "nifi_like_commit_latency_seconds_count") >= \
        _value(samples, "nifi_like_commit_latency_seconds_count"), "the histogram accumulates"


async def test_status_history_keeps_one_point_a_minute_for_a_day(make_controller: Any,
                                                                 registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry)
    controller = pipeline.controller
    recorder = HistoryRecorder(controller)
    start = 1_700_000_000_000 // MINUTE_MS * MINUTE_MS
    recorder.capture(start)
    recorder.capture(start + MINUTE_MS + 123)

    history = StatusHistory(controller.repo.env)
    entity = history.history(pipeline.ids["split"])
    assert entity is not None
    status = entity["statusHistory"]
    assert status["componentDetails"]["Name"] == "split"
    assert [p["timestamp"] for p in status["aggregateSnapshots"]] == [start, start + MINUTE_MS]
    metrics = status["aggregateSnapshots"][-1]["statusMetrics"]
    stats = controller.nodes[pipeline.ids["split"]].stats.snapshot()
    assert metrics["inputCount"] == stats["in_count"] == 1 and metrics["outputCount"] == stats["out_count"] == 2
    assert metrics["taskCount"] == stats["tasks"] > 0
    assert {d["field"] for d in status["fieldDescriptors"]} >= {"inputCount", "outputCount", "taskMillis"}

    queued = history.history(pipeline.ids["merged"])
    assert queued is not None
    assert queued["statusHistory"]["aggregateSnapshots"][-1]["statusMetrics"] == {"queuedCount": 1,
                                                                                  "queuedBytes": 11}
    group = history.history(controller.flow.root["identifier"])
    assert group is not None
    group_metrics = group["statusHistory"]["aggregateSnapshots"][-1]["statusMetrics"]
    assert group_metrics["queuedCount"] == sum(c.count for c in controller.connections.values()) == 1

    recorder.capture(start + 1440 * MINUTE_MS)  # a day later: the first point has aged out
    points = history.history(pipeline.ids["split"])["statusHistory"]["aggregateSnapshots"]  # type: ignore[index]
    assert [p["timestamp"] for p in points] == [start + MINUTE_MS, start + 1440 * MINUTE_MS]
    window = history.history(pipeline.ids["split"], start_ms=start + 2 * MINUTE_MS)
    assert window is not None and len(window["statusHistory"]["aggregateSnapshots"]) == 1
    assert history.history("00000000-0000-4000-8000-000000000000") is None


async def test_history_recorder_captures_on_its_own(make_controller: Any, registry: ProcessorRegistry) -> None:
    pipeline = await run_pipeline(make_controller, registry)
    recorder = HistoryRecorder(pipeline.controller, interval=0.05)
    recorder.start()
    try:
        history = StatusHistory(pipeline.controller.repo.env)
        await eventually(lambda: history.history(pipeline.ids["bracket"]) is not None)
    finally:
        recorder.close()
