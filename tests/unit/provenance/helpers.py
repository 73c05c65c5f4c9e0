"""Write provenance records straight through the writer, as a session commit does."""

from __future__ import annotations

from typing import Any

import msgpack

from nifi_like.repository import Repository, provenance_log


def event(event_type: str, uuid: str, ts: int, *, component: str = "proc-1", parents: tuple[str, ...] = (),
          children: tuple[str, ...] = (), attributes: dict[str, str] | None = None,
          previous: dict[str, str] | None = None, claim: Any = None, previous_claim: Any = None,
          source: str | None = "queue-1", holds: int = 0) -> tuple[Any, ...]:
    attrs = {"uuid": uuid, "filename": f"{uuid}.txt", **(attributes or {})}
    return (event_type, ts, 1, ts, component, "TestProcessor", uuid, parents, children, previous, attrs,
            previous_claim, claim, 3, None, None, None, "group-1", source, holds)


def commit(repo: Repository, *events: tuple[Any, ...]) -> int:
    """Store one commit record; return the id of its first event."""
    packed = msgpack.packb(list(events))

    def write(txn: Any, batch: Any) -> int:
        first: int = batch.allocate_event_ids(len(events))
        provenance_log.append(repo.env, txn, first, packed)
        return first
    result: int = repo.writer.call(write)
    return result
