"""Bulletins: warnings and errors of components, kept per component and on a board."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Bulletin:
    id: int
    timestamp: float
    level: str
    source_id: str
    source_name: str
    group_id: str
    message: str


class BulletinBoard:
    def __init__(self, per_component: int = 5, board_size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._per_component = per_component
        self._by_component: dict[str, deque[Bulletin]] = {}
        self._board: deque[Bulletin] = deque(maxlen=board_size)

    def add(self, level: str, source_id: str, source_name: str, message: str, group_id: str = "") -> Bulletin:
        bulletin = Bulletin(next(self._ids), time.time(), level, source_id, source_name, group_id, message)
        with self._lock:
            self._by_component.setdefault(source_id, deque(maxlen=self._per_component)).append(bulletin)
            self._board.append(bulletin)
        return bulletin

    def for_component(self, source_id: str) -> list[Bulletin]:
        with self._lock:
            return list(self._by_component.get(source_id, ()))

    def all(self, after_id: int = 0, limit: int | None = None) -> list[Bulletin]:
        with self._lock:
            items = [b for b in self._board if b.id > after_id]
        return items[-limit:] if limit else items
