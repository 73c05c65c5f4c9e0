"""The provenance log: one record per commit, events addressed by id."""

from __future__ import annotations

from typing import Any

import msgpack

from nifi_like.repository import Repository, provenance_log


def _commit(repo: Repository, names: list[str]) -> None:
    packed = msgpack.packb([[name] for name in names])
    repo.writer.call(lambda txn, batch: provenance_log.append(repo.env, txn, batch.allocate_event_ids(len(names)),
                                                              packed))


def test_events_get_consecutive_ids_across_records_and_restarts(tmp_path: Any) -> None:
    repo = Repository(str(tmp_path))
    _commit(repo, ["a", "b", "c"])
    _commit(repo, ["d"])
    repo.close()
    repo = Repository(str(tmp_path))
    _commit(repo, ["e", "f"])
    with repo.env.read() as txn:
        assert [(i, e[0]) for i, e in provenance_log.iter_events(repo.env, txn)] == [
            (1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e"), (6, "f")]
        assert [i for i, _ in provenance_log.iter_events(repo.env, txn, start_id=3)] == [3, 4, 5, 6]
        assert [i for i, _ in provenance_log.iter_events(repo.env, txn, start_id=5)] == [5, 6]
        assert list(provenance_log.iter_events(repo.env, txn, start_id=7)) == []
    repo.close()
