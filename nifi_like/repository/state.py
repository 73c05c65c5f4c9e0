"""Per-component state: a versioned string map per component, stored through the writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgpack

from nifi_like.api.processor import StateManager, StateMap
from nifi_like.repository.environment import Environment
from nifi_like.repository.writer import Batch, Writer


def read_state(env: Environment, component_id: str, txn: Any | None = None) -> StateMap:
    if txn is None:
        with env.read() as reader:
            return read_state(env, component_id, reader)
    raw = txn.get(component_id.encode(), db=env.dbs["state"])
    if raw is None:
        return StateMap({}, -1)
    version, values = msgpack.unpackb(raw)
    return StateMap(values, version)


def write_state(env: Environment, txn: Any, component_id: str, values: Mapping[str, str]) -> int:
    version = read_state(env, component_id, txn).version + 1
    txn.put(component_id.encode(), msgpack.packb([version, dict(values)]), db=env.dbs["state"])
    return version


class StoredStateManager(StateManager):
    """The state of one component, durable once a call returns."""

    def __init__(self, env: Environment, writer: Writer, component_id: str) -> None:
        self._env = env
        self._writer = writer
        self._id = component_id

    def get_state(self) -> StateMap:
        return read_state(self._env, self._id)

    def set_state(self, values: Mapping[str, str]) -> None:
        self._writer.call(lambda txn, _batch: write_state(self._env, txn, self._id, values))

    def replace(self, old: StateMap, values: Mapping[str, str]) -> bool:
        def swap(txn: Any, _batch: Batch) -> bool:
            if read_state(self._env, self._id, txn).version != old.version:
                return False
            write_state(self._env, txn, self._id, values)
            return True
        return bool(self._writer.call(swap))

    def clear(self) -> None:
        self._writer.call(lambda txn, _b: txn.delete(self._id.encode(), db=self._env.dbs["state"]))
