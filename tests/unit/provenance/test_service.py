"""The background service indexes new events and enforces retention on its own."""

from __future__ import annotations

import time
from typing import Any

import pytest

from nifi_like.provenance.service import ProvenanceRepository
from nifi_like.repository import Repository
from tests.unit.provenance.helpers import commit, event


def _wait(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert check()


def test_background_indexing_and_age_retention(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    service = ProvenanceRepository(repo, max_age_s=60, interval=0.02, retention_interval=0.02)
    service.start()
    try:
        now = int(time.time() * 1000)
        commit(repo, event("CREATE", "old", now - 3_600_000))
        commit(repo, event("CREATE", "young", now))
        _wait(lambda: service.lag() == 0 and service.query().total == 1)
        assert [e.flowfile_uuid for e in service.query().events] == ["young"]
        assert service.lineage("young").events[0].event_type == "CREATE"
        assert service.retention.removed == 1 and service.errors == 0
    finally:
        service.close()
        repo.close()


def test_duty_must_be_a_fraction(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path), durability="nosync")
    try:
        with pytest.raises(ValueError, match="duty"):
            ProvenanceRepository(repo, duty=0)
    finally:
        repo.close()
