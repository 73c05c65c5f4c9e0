"""One client connection a processor keeps across its triggers (a broker, a message server)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Connection(Protocol):
    @property
    def is_connected(self) -> bool: ...

    def connect(self) -> object: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=Connection)


class HeldConnection(Generic[C]):
    """Made by ``make`` and connected on first use, made and connected again once it has dropped,
    closed by ``close`` (on_stopped). Safe for concurrent tasks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: C | None = None

    def get(self, make: Callable[[], C]) -> C:
        with self._lock:
            if self._connection is None or not self._connection.is_connected:
                if self._connection is not None:
                    self._connection.close()
                    self._connection = None
                connection = make()
                connection.connect()
                self._connection = connection
            return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
