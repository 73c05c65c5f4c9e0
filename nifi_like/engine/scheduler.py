"""Runs processors: timer-, CRON- and event-driven, concurrent tasks, run duration, yield,
penalty and administrative yield. Sync ``on_trigger`` runs on a thread pool; async on the loop."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nifi_like.api.units import parse_time_period
from nifi_like.engine import cron
from nifi_like.engine.context import StandardProcessContext
from nifi_like.engine.session import StandardProcessSession
from nifi_like.monitoring.bulletins import BulletinBoard

if TYPE_CHECKING:
    from nifi_like.engine.node import Node
    from nifi_like.repository import Repository

log = logging.getLogger(__name__)
IDLE_WAIT = 1.0  # longest sleep while waiting for data or space; also bounds penalty checks
MAX_INFLIGHT = 1  # commits of one task still on their way to disk while it triggers again


class Scheduler:
    def __init__(self, repo: Repository, bulletins: BulletinBoard, *, max_threads: int = 10,
                 administrative_yield: float = 30.0, provenance: bool = True) -> None:
        self.repo = repo
        self.bulletins = bulletins
        self.administrative_yield = administrative_yield
        self.provenance = provenance
        self.executor = ThreadPoolExecutor(max_threads, thread_name_prefix="nifi-task")
        self._tasks: dict[str, list[asyncio.Task[None]]] = {}

    def context_for(self, node: Node) -> StandardProcessContext:
        if node.context is None:
            node.context = StandardProcessContext(node, self.repo.state_manager(node.id), self.bulletins)
        return node.context

    async def start(self, node: Node) -> None:
        """Call on_scheduled, then run the node's concurrent tasks until ``stop``."""
        if node.id in self._tasks:
            return
        loop = asyncio.get_running_loop()
        node.loop = loop
        node.wakeup = asyncio.Event()
        node.context = None
        context = self.context_for(node)
        await loop.run_in_executor(self.executor, node.processor.on_scheduled, context)
        node.run_state = "RUNNING"
        node.yielded_until = 0.0
        self._tasks[node.id] = [loop.create_task(self._run(node, context), name=f"{node.name}#{index}")
                                for index in range(max(1, node.concurrent_tasks))]

    async def stop(self, node: Node) -> None:
        """Stop triggering; wait for triggers in progress to finish and commit; on_stopped."""
        tasks = self._tasks.pop(node.id, [])
        if node.run_state == "RUNNING":
            node.run_state = "STOPPED"
        node.wake(force=True)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            context = self.context_for(node)
            try:
                await asyncio.get_running_loop().run_in_executor(self.executor, node.processor.on_stopped, context)
            except Exception as exc:
                self._bulletin(node, f"on_stopped failed: {exc!r}")

    def is_scheduled(self, node: Node) -> bool:
        return node.id in self._tasks

    async def _run(self, node: Node, context: StandardProcessContext) -> None:
        strategy = node.scheduling_strategy
        period = 0.0 if strategy != "TIMER_DRIVEN" else parse_time_period(node.scheduling_period)
        next_run = time.monotonic()
        if strategy == "CRON_DRIVEN":
            next_run = self._next_cron(node)
        is_async = inspect.iscoroutinefunction(node.processor.on_trigger)
        # A session's commit overlaps the next trigger (group commit does the fsync for both);
        # it is settled (stats, on_commit callbacks, failure handling) before any wait.
        inflight: deque[tuple[StandardProcessSession, Future[Any]]] = deque()
        assert node.wakeup is not None
        try:
            while node.run_state == "RUNNING":
                node.waiting = True  # before the checks: a change after them will wake us
                node.wakeup.clear()
                now = time.monotonic()
                delay = max(node.yielded_until - now, next_run - now)
                idle = node.outgoing_full() or (node.needs_input() and not node.has_input())
                if delay > 0 or idle:
                    while inflight:
                        await self._settle(node, *inflight.popleft())
                    await self._wait(node, delay if delay > 0 else IDLE_WAIT)
                    continue
                node.waiting = False
                started = time.monotonic()
                pending = await self._trigger(node, context, is_async)
                if pending is not None:
                    inflight.append(pending)
                while len(inflight) > MAX_INFLIGHT or (inflight and inflight[0][1].done()):
                    await self._settle(node, *inflight.popleft())
                if strategy == "CRON_DRIVEN":
                    next_run = self._next_cron(node)
                elif period:
                    next_run = started + period
        finally:
            while inflight:
                await self._settle(node, *inflight.popleft())

    @staticmethod
    def _next_cron(node: Node) -> float:
        fire = cron.next_fire(node.scheduling_period, datetime.now())
        return time.monotonic() + max(0.0, fire.timestamp() - time.time())

    @staticmethod
    async def _wait(node: Node, timeout: float) -> None:
        assert node.wakeup is not None
        try:
            await asyncio.wait_for(node.wakeup.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            node.waiting = False

    async def _trigger(self, node: Node, context: StandardProcessContext,
                       is_async: bool) -> tuple[StandardProcessSession, Future[Any]] | None:
        """Run on_trigger (for the run duration) and start the commit; None if it failed."""
        session = StandardProcessSession(node, self.repo, provenance=self.provenance)
        node.active_threads += 1
        started = time.perf_counter_ns()
        try:
            if is_async:
                future = await self._run_async(node, context, session)
            else:
                future = await asyncio.get_running_loop().run_in_executor(self.executor, self._run_sync, node,
                                                                          context, session)
            return session, future
        except Exception as exc:
            session.rollback()
            self._failed(node, exc)
            return None
        finally:
            node.active_threads -= 1
            node.stats.record(tasks=1, task_nanos=time.perf_counter_ns() - started)

    async def _settle(self, node: Node, session: StandardProcessSession, future: Future[Any]) -> None:
        if not future.done():
            try:  # shielded: a cancelled waiter must not cancel the commit itself
                await asyncio.shield(asyncio.wrap_future(future))
            except Exception:
                pass  # finish_commit rolls back and re-raises it
        try:
            session.finish_commit(future)
        except Exception as exc:
            self._failed(node, exc)

    def _failed(self, node: Node, exc: Exception) -> None:
        node.yield_for(self.administrative_yield)
        self._bulletin(node, f"failed to process session due to {exc!r}; administratively yielded for "
                             f"{self.administrative_yield:g} sec")
        log.debug("trigger of %s failed", node.name, exc_info=exc)

    def _keep_going(self, node: Node, deadline: float) -> bool:
        return (node.run_duration_ms > 0 and time.monotonic() < deadline and node.run_state == "RUNNING"
                and node.yielded_until <= time.monotonic() and not node.outgoing_full()
                and (not node.needs_input() or node.has_input()))

    def _run_sync(self, node: Node, context: StandardProcessContext,
                  session: StandardProcessSession) -> Future[Any]:
        deadline = time.monotonic() + node.run_duration_ms / 1000
        while True:
            node.processor.on_trigger(context, session)
            if not self._keep_going(node, deadline):
                break
        return session.commit_async()

    async def _run_async(self, node: Node, context: StandardProcessContext,
                         session: StandardProcessSession) -> Future[Any]:
        deadline = time.monotonic() + node.run_duration_ms / 1000
        while True:
            await node.processor.on_trigger(context, session)  # type: ignore[misc]
            if not self._keep_going(node, deadline):
                break
        return session.commit_async()

    def _bulletin(self, node: Node, message: str) -> None:
        log.error("%s[%s]: %s", node.name, node.id, message)
        self.bulletins.add("ERROR", node.id, node.name, message, node.group_id)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True)
