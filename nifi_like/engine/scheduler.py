"""Runs processors: timer-, CRON- and event-driven, concurrent tasks, run duration, yield,
penalty and administrative yield.

Each concurrent task of a running processor is a driver thread: a plain ``on_trigger`` runs
in it, an ``async def on_trigger`` runs on the event loop while the driver waits. Lifecycle
calls (on_scheduled, on_stopped) run on a small thread pool."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from nifi_like.api.files import FileRoots
from nifi_like.api.units import parse_time_period
from nifi_like.engine import cron, quarantine
from nifi_like.engine.context import StandardProcessContext
from nifi_like.engine.session import StandardProcessSession
from nifi_like.monitoring.bulletins import BulletinBoard

if TYPE_CHECKING:
    from nifi_like.api.flowfile import FlowFile
    from nifi_like.engine.connection import Connection
    from nifi_like.engine.node import Node
    from nifi_like.repository import Repository

log = logging.getLogger(__name__)
IDLE_WAIT = 1.0  # longest sleep while waiting for data or space; also bounds penalty checks
MAX_INFLIGHT = 4  # commits of one task still on their way to disk while it triggers again


class Placement(Protocol):
    """Where processors may run in a cluster; checked before every trigger."""

    def permits(self, node: Node) -> bool:
        """May ``node`` trigger on this node now (its placement, and for primary-only work a
        valid fencing token)?"""
        ...

    def fencing_token(self) -> int | None:
        """The token of this node's current primary term, or None when it is not the primary."""
        ...


def _finish(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


class Scheduler:
    def __init__(self, repo: Repository, bulletins: BulletinBoard, file_roots: FileRoots, *, max_threads: int = 10,
                 administrative_yield: float = 30.0, provenance: bool = True) -> None:
        self.repo = repo
        self.bulletins = bulletins
        self.file_roots = file_roots
        self.administrative_yield = administrative_yield
        self.provenance = provenance
        self.executor = ThreadPoolExecutor(max_threads, thread_name_prefix="nifi-task")
        self._tasks: dict[str, list[asyncio.Future[None]]] = {}
        self._stopping: set[str] = set()  # nodes whose stop waits for their tasks to end
        self._running: dict[str, Node] = {}  # component id -> the node object its tasks run on
        self.placement: Placement | None = None  # None: a standalone node runs everything

    def permits(self, node: Node) -> bool:
        return self.placement is None or self.placement.permits(node)

    def context_for(self, node: Node) -> StandardProcessContext:
        if node.context is None:
            node.context = StandardProcessContext(node, self.repo.state_manager(node.id), self.bulletins,
                                                  self.file_roots, self.placement)
        return node.context

    async def start(self, node: Node) -> None:
        """Call on_scheduled, then run the node's concurrent tasks until ``stop``.

        The node is claimed before on_scheduled runs, so a start racing it does nothing and a stop
        racing it wins (the processor is then stopped again, never left running); a start while a
        stop still waits for the old tasks does nothing either."""
        if node.id in self._tasks or node.id in self._stopping:
            return
        claim: list[asyncio.Future[None]] = []
        self._tasks[node.id] = claim
        self._running[node.id] = node  # the object the tasks run on, whatever replaces it in the flow
        loop = asyncio.get_running_loop()
        node.loop = loop
        node.context = None
        context = self.context_for(node)
        try:
            await loop.run_in_executor(self.executor, node.processor.on_scheduled, context)
        except BaseException:
            if self._tasks.get(node.id) is claim:
                del self._tasks[node.id]
                self._running.pop(node.id, None)
            raise
        if self._tasks.get(node.id) is not claim:  # stopped while on_scheduled ran
            await loop.run_in_executor(self.executor, node.processor.on_stopped, context)
            return
        node.run_state = "RUNNING"
        node.yielded_until = 0.0
        node.signal.clear()
        claim.extend(self._spawn(node, context, index, loop) for index in range(max(1, node.concurrent_tasks)))

    async def run_once(self, node: Node) -> None:
        """on_scheduled, one trigger (committed and durable), on_stopped; the node stays stopped."""
        loop = asyncio.get_running_loop()
        node.loop = loop
        node.context = None
        context = self.context_for(node)
        await loop.run_in_executor(self.executor, node.processor.on_scheduled, context)
        on_loop = loop if inspect.iscoroutinefunction(node.processor.on_trigger) else None

        def once() -> None:
            pending = self._trigger(node, context, on_loop)
            if pending is not None:
                self._settle(node, *pending)

        try:
            await loop.run_in_executor(self.executor, once)
        finally:
            try:
                await loop.run_in_executor(self.executor, node.processor.on_stopped, context)
            except Exception as exc:
                self._bulletin(node, f"on_stopped failed: {exc!r}")

    def _spawn(self, node: Node, context: StandardProcessContext, index: int,
               loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        """One concurrent task: a driver thread, so a trigger costs no hop through the event loop."""
        done: asyncio.Future[None] = loop.create_future()

        def drive() -> None:
            try:
                self._run(node, context, loop)
            except BaseException:
                log.exception("scheduler task of %s ended unexpectedly", node.name)
            finally:
                loop.call_soon_threadsafe(_finish, done)

        threading.Thread(target=drive, name=f"{node.name}#{index}", daemon=True).start()
        return done

    async def stop(self, node: Node) -> None:
        """Stop triggering; wait for triggers in progress to finish and commit; on_stopped."""
        tasks = self._tasks.pop(node.id, [])
        # The tasks run on the node object that was started; a flow change may have put another
        # object for the same component in its place meanwhile: stop the one the tasks see.
        running = self._running.pop(node.id, node)
        for each in (running, node):
            if each.run_state == "RUNNING":
                each.run_state = "STOPPED"
            each.wake(force=True)
        if tasks:
            self._stopping.add(node.id)
            try:
                await asyncio.gather(*tasks, return_exceptions=True)
                context = self.context_for(running)
                try:
                    await asyncio.get_running_loop().run_in_executor(self.executor, running.processor.on_stopped,
                                                                     context)
                except Exception as exc:
                    self._bulletin(node, f"on_stopped failed: {exc!r}")
            finally:
                self._stopping.discard(node.id)

    def is_scheduled(self, node: Node) -> bool:
        return node.id in self._tasks

    def _run(self, node: Node, context: StandardProcessContext, loop: asyncio.AbstractEventLoop) -> None:
        strategy = node.scheduling_strategy
        period = 0.0 if strategy != "TIMER_DRIVEN" else parse_time_period(node.scheduling_period)
        next_run = time.monotonic()
        if strategy == "CRON_DRIVEN":
            next_run = self._next_cron(node)
        on_loop = loop if inspect.iscoroutinefunction(node.processor.on_trigger) else None
        # A session's commit overlaps the next trigger (group commit does the fsync for both);
        # it is settled (stats, on_commit callbacks, failure handling) before any wait.
        inflight: deque[tuple[StandardProcessSession, Future[Any]]] = deque()
        try:
            while node.run_state == "RUNNING":
                node.waiting = True  # before the checks: a change after them will wake us
                node.signal.clear()
                now = time.monotonic()
                delay = max(node.yielded_until - now, next_run - now)
                if delay > 0 or node.outgoing_full() or (node.needs_input() and not node.has_input()) \
                        or not self.permits(node):
                    while inflight:
                        self._settle(node, *inflight.popleft())
                    node.signal.wait(delay if delay > 0 else node.input_wait(IDLE_WAIT))
                    node.waiting = False
                    continue
                node.waiting = False
                started = time.monotonic()
                pending = self._trigger(node, context, on_loop)
                if pending is not None:
                    inflight.append(pending)
                while len(inflight) > MAX_INFLIGHT or (inflight and inflight[0][1].done()):
                    self._settle(node, *inflight.popleft())
                if strategy == "CRON_DRIVEN":
                    next_run = self._next_cron(node)
                elif period:
                    next_run = started + period
        finally:
            while inflight:
                self._settle(node, *inflight.popleft())

    @staticmethod
    def _next_cron(node: Node) -> float:
        fire = cron.next_fire(node.scheduling_period, datetime.now())
        return time.monotonic() + max(0.0, fire.timestamp() - time.time())

    def _trigger(self, node: Node, context: StandardProcessContext,
                 loop: asyncio.AbstractEventLoop | None) -> tuple[StandardProcessSession, Future[Any]] | None:
        """Run on_trigger (for the run duration; async ones on the event loop) and start the
        commit; None if it failed."""
        session = StandardProcessSession(node, self.repo, provenance=self.provenance)
        node.task_started()
        started = time.perf_counter_ns()
        try:
            deadline = time.monotonic() + node.run_duration_ms / 1000
            while True:
                if loop is None:
                    node.processor.on_trigger(context, session)
                else:
                    coroutine = node.processor.on_trigger(context, session)
                    asyncio.run_coroutine_threadsafe(coroutine, loop).result()  # type: ignore[arg-type]
                if not self._keep_going(node, deadline):
                    break
            return session, session.commit_async()
        except Exception as exc:
            damaged = session.take_damaged()
            session.rollback()
            if damaged:
                self._quarantine(node, damaged)
            else:
                self._failed(node, exc)
            return None
        finally:
            node.task_ended()
            node.stats.record(tasks=1, task_nanos=time.perf_counter_ns() - started)

    def _settle(self, node: Node, session: StandardProcessSession, future: Future[Any]) -> None:
        try:
            session.finish_commit(future)  # waits for durability; rolls back and raises on failure
        except Exception as exc:
            self._failed(node, exc)

    def _failed(self, node: Node, exc: Exception) -> None:
        node.yield_for(self.administrative_yield)
        self._bulletin(node, f"failed to process session due to {exc!r}; administratively yielded for "
                             f"{self.administrative_yield:g} sec")
        log.debug("trigger of %s failed", node.name, exc_info=exc)

    def _quarantine(self, node: Node, damaged: list[tuple[Connection, int, FlowFile, str]]) -> None:
        """Damaged content cannot get better by retrying: move those FlowFiles aside, say so, carry on."""
        try:
            quarantine.move(self.repo, node.id, damaged)
        except Exception as exc:  # not moved: they go back to their queues
            for conn, seq, ff, _ in damaged:
                conn.restore([(seq, ff)])
            self._failed(node, exc)
            return
        for _, _, ff, reason in damaged:
            self._bulletin(node, f"FlowFile {ff.id} ({ff.attributes.get('filename')}) quarantined: {reason}; "
                                 "it left its queue, nothing was delivered; list with `nifi-like quarantine "
                                 "--data DIR`")

    def _keep_going(self, node: Node, deadline: float) -> bool:
        return (node.run_duration_ms > 0 and time.monotonic() < deadline and node.run_state == "RUNNING"
                and self.permits(node)
                and node.yielded_until <= time.monotonic() and not node.outgoing_full()
                and (not node.needs_input() or node.has_input()))

    def _bulletin(self, node: Node, message: str) -> None:
        log.error("%s[%s]: %s", node.name, node.id, message)
        self.bulletins.add("ERROR", node.id, node.name, message, node.group_id)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True)
