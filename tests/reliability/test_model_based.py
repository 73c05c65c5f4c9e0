"""Queue + session + crash against a model: a multiset of committed FlowFile ids per connection.

Hypothesis drives sessions on a flow src -> A -> mid -> B -> sink of ENABLED (not scheduled)
processors: sessions create, move and drop FlowFiles and stay open across steps; some commit,
some roll back, and a crash closes the repository with the open sessions never committed and
opens it again. After every step each connection counts exactly what the model holds, and after
a crash what is on disk is exactly the model, every FlowFile with its own content.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from nifi_like.config import load_settings
from nifi_like.engine.controller import FlowController
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.engine.session import StandardProcessSession
from tests.reliability.conftest import Counts
from tests.support import processors as test_processors
from tests.support.flows import connection, flow, processor

EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "60"))
LARGE = 70 * 1024  # above the inline limit: stored in a claim file


def _content(ident: str, large: bool) -> bytes:
    return ident.encode() + (b"#" * LARGE if large else b"")


@dataclass
class OpenSession:
    """A session that has not committed yet, and what it will do to the model when it does."""

    session: StandardProcessSession
    taken_from: str | None = None
    taken: list[str] = field(default_factory=list)
    adds_to: str | None = None
    adds: list[str] = field(default_factory=list)


class QueueSessionCrash(RuleBasedStateMachine):
    totals: Counter[str] = Counter()  # over every example of a run, for the reliability counts

    def __init__(self) -> None:
        super().__init__()
        self.totals["examples"] += 1
        self.directory = tempfile.mkdtemp(prefix="model-")
        self.loop = asyncio.new_event_loop()
        self.registry = ProcessorRegistry()
        for cls in test_processors.ALL:
            self.registry.register(cls)
        src = processor("src", "Emit", state="ENABLED")
        mid = processor("mid", "Pass", state="ENABLED")
        sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
        a, b = connection(src, mid, ["success"]), connection(mid, sink, ["success"])
        self.ids = {"src": src["identifier"], "mid": mid["identifier"], "sink": sink["identifier"],
                    "A": a["identifier"], "B": b["identifier"]}
        self.model: dict[str, Counter[str]] = {"A": Counter(), "B": Counter()}
        self.large: dict[str, bool] = {}
        self.open: list[OpenSession] = []
        self.counter = 0
        self.crashes = 0
        self.controller = self._open(flow([src, mid, sink], [a, b]))

    def _open(self, document: dict[str, object] | None) -> FlowController:
        controller = FlowController(load_settings(None, data_dir=os.path.join(self.directory, "data"),
                                                  durability="nosync"), registry=self.registry)
        self.loop.run_until_complete(controller.load(document))
        return controller

    def _session(self, name: str) -> StandardProcessSession:
        return StandardProcessSession(self.controller.nodes[self.ids[name]], self.controller.repo)

    def _available(self, queue: str) -> Counter[str]:
        held = Counter(ident for s in self.open if s.taken_from == queue for ident in s.taken)
        return self.model[queue] - held

    # -- rules ---------------------------------------------------------------------------
    @precondition(lambda self: len(self.open) < 4)
    @rule(count=st.integers(1, 4), large=st.booleans())
    def create(self, count: int, large: bool) -> None:
        session = self._session("src")
        made = []
        for _ in range(count):
            self.counter += 1
            ident = f"ff{self.counter}"
            flowfile = session.put_attribute(session.write(session.create(), _content(ident, large)), "mid", ident)
            session.transfer(flowfile, test_processors.Emit.SUCCESS)
            self.large[ident] = large
            made.append(ident)
        self.open.append(OpenSession(session, adds_to="A", adds=made))

    @precondition(lambda self: len(self.open) < 4)
    @rule(queue=st.sampled_from(["A", "B"]), count=st.integers(1, 5), drop_by_remove=st.booleans())
    def take(self, queue: str, count: int, drop_by_remove: bool) -> None:
        available = self._available(queue)
        session = self._session("mid" if queue == "A" else "sink")
        taken = session.get_batch(count)
        idents = [ff.attributes["mid"] for ff in taken]
        assert len(idents) == min(count, sum(available.values())), (idents, available)
        assert not Counter(idents) - available, f"took {idents} but only {sorted(available)} were available"
        for ff in taken:
            if queue == "B" and drop_by_remove:
                session.remove(ff)
            else:
                session.transfer(ff, test_processors.Pass.SUCCESS)  # A -> B; B -> auto-terminated
        self.open.append(OpenSession(session, taken_from=queue, taken=idents,
                                     adds_to="B" if queue == "A" else None, adds=idents if queue == "A" else []))

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        pending = self.open.pop(data.draw(st.integers(0, len(self.open) - 1)))
        pending.session.commit()
        self.totals["commits"] += 1
        if pending.taken_from:
            self.model[pending.taken_from] -= Counter(pending.taken)
        if pending.adds_to:
            self.model[pending.adds_to] += Counter(pending.adds)

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        self.open.pop(data.draw(st.integers(0, len(self.open) - 1))).session.rollback()

    @rule()
    def crash(self) -> None:
        """Close the repository with the open sessions never committed, then open it again."""
        self.open.clear()
        self.loop.run_until_complete(self.controller.shutdown())
        self.controller = self._open(None)
        self.crashes += 1
        self.totals["crashes"] += 1
        self.totals["flowfiles checked after a crash"] += sum(sum(self.model[q].values()) for q in ("A", "B"))
        repo = self.controller.repo
        for queue in ("A", "B"):
            key = self.controller.connections[self.ids[queue]].key
            stored = [ff for _, ff in repo.load_queue(key, -1, 1_000_000)]
            assert Counter(ff.attributes["mid"] for ff in stored) == self.model[queue], queue
            for ff in stored:
                ident = ff.attributes["mid"]
                assert repo.content.read_bytes(ff.claim) == _content(ident, self.large[ident]), ident

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def connections_count_the_model(self) -> None:
        for queue in ("A", "B"):
            conn = self.controller.connections[self.ids[queue]]
            assert conn.count == sum(self.model[queue].values()), (queue, conn.count, self.model[queue])

    def teardown(self) -> None:
        try:
            for pending in self.open:
                pending.session.rollback()
            self.loop.run_until_complete(self.controller.shutdown())
        finally:
            self.loop.close()
            shutil.rmtree(self.directory, ignore_errors=True)


SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_queue_session_crash_matches_the_model(counts: Counts) -> None:
    QueueSessionCrash.totals = Counter()
    run_state_machine_as_test(QueueSessionCrash, settings=SETTINGS)
    totals = QueueSessionCrash.totals
    counts(state_machine_runs=totals["examples"], commits=totals["commits"], crashes=totals["crashes"],
           flowfiles_checked_after_a_crash=totals["flowfiles checked after a crash"])
