"""The provenance repository of a running engine: store, background indexing and retention.

One background thread indexes new events and enforces retention, each in bounded batches
through the writer, so a session commit never waits for either. ``start``/``close`` are
called by the flow controller (close before the repository closes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nifi_like.provenance.index import Indexer
from nifi_like.provenance.lineage import Lineage, compute_lineage
from nifi_like.provenance.retention import DEFAULT_MAX_AGE_S, DEFAULT_MAX_BYTES, Retention
from nifi_like.provenance.store import ProvenanceQuery, ProvenanceStore, QueryResult

if TYPE_CHECKING:
    from nifi_like.repository import Repository

log = logging.getLogger(__name__)
RELEASE_INTERVAL = 2.0  # seconds between handing mapped database pages back (Environment.release_pages)


class ProvenanceRepository:
    def __init__(self, repo: Repository, *, max_age_s: float = DEFAULT_MAX_AGE_S,
                 max_bytes: int = DEFAULT_MAX_BYTES, interval: float = 0.25,
                 retention_interval: float = 5.0, index_batch: int = 2_000, duty: float = 0.1,
                 report: Callable[[str, str], None] | None = None) -> None:
        """``report(level, message)`` is told when maintenance starts failing and when it recovers."""
        self.repo = repo
        self.report = report
        self.store = ProvenanceStore(repo.env)
        # an index batch shares a group commit with sessions: 2,000 events (~10,000 keys) keep it near
        # 20 ms with sync durability; the total cost per event is the same at any batch size
        self.indexer = Indexer(repo.env, repo.writer, batch_size=index_batch)
        self.retention = Retention(repo.env, repo.writer, repo.content, max_age_s=max_age_s, max_bytes=max_bytes)
        self.interval = interval
        if not 0 < duty <= 1:
            raise ValueError(f"provenance maintenance duty must be in (0, 1], not {duty}")
        self.duty = duty
        self.retention_interval = retention_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0
        self.failing: str | None = None  # the error of the current outage, if any

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()  # started again after a close
            self._thread = threading.Thread(target=self._run, name="provenance-maintenance", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        next_retention = 0.0
        next_release = 0.0
        while not self._stop.is_set():
            started = time.monotonic()
            if started >= next_release:  # scans map the file's pages in: hand them back regularly
                self.repo.env.release_pages()
                next_release = started + RELEASE_INTERVAL
            commits = self.repo.writer.commits
            indexed = removed = 0
            try:
                indexed = self.indexer.step()
                if started >= next_retention or indexed:
                    removed = self.retention.step()
                    if not removed:
                        next_retention = time.monotonic() + self.retention_interval
            except Exception as exc:  # keep maintaining: a failed batch is retried on the next round
                self._failed(exc)
            else:
                self._recovered()
            if indexed or removed:
                # While sessions commit, background work takes at most ``duty`` of the time: under
                # a sustained peak the index lags (searches scan the unindexed tail) rather than
                # slowing the flow. When only this thread commits, it catches up at full speed.
                if self.repo.writer.commits - commits > bool(indexed) + bool(removed):
                    self._stop.wait(min(1.0, (time.monotonic() - started) * (1 / self.duty - 1)))
            else:
                self._wake.wait(self.interval)
                self._wake.clear()

    def _failed(self, exc: Exception) -> None:
        """Say so once per outage (a full disk fails every round until space is freed)."""
        self.errors += 1
        if self.failing is None:
            self.failing = str(exc)
            log.error("provenance indexing or retention failed: %s; retrying every %g s (sessions and their "
                      "events are not affected; searches scan the events not indexed yet)", exc, self.interval,
                      exc_info=exc)
            if self.report is not None:
                self.report("ERROR", f"Provenance indexing or retention failed: {exc}; retrying every "
                                     f"{self.interval:g} s. Sessions and their events are not affected.")

    def _recovered(self) -> None:
        if self.failing is not None:
            log.warning("provenance indexing and retention work again (after: %s)", self.failing)
            if self.report is not None:
                self.report("INFO", f"Provenance indexing and retention work again (after: {self.failing})")
            self.failing = None

    def catch_up(self) -> None:
        """Index every committed event now (tests, shutdown, the CLI on a writable repository)."""
        while self.indexer.step():
            pass

    # -- reads -----------------------------------------------------------------------------
    def query(self, query: ProvenanceQuery | None = None, **terms: Any) -> QueryResult:
        return self.store.query(query, **terms)

    def lineage(self, flowfile_uuid: str) -> Lineage:
        return compute_lineage(self.store, flowfile_uuid)

    def lag(self) -> int:
        return self.store.lag()
