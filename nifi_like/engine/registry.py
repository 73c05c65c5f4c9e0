"""Processor types: found through the ``nifi_like.processors`` entry-point group."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from nifi_like.api.processor import Processor

log = logging.getLogger(__name__)
GROUP = "nifi_like.processors"


def short_type(type_name: str) -> str:
    """The class name of a type given short or fully qualified (any package)."""
    return type_name.rsplit(".", 1)[-1]


class ProcessorRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[Processor]] = {}
        for entry in entry_points(group=GROUP):
            try:
                cls = entry.load()
            except Exception as exc:  # a broken third-party package must not stop the engine
                log.error("cannot load processor %s from %s: %s", entry.name, entry.value, exc)
                continue
            self.register(cls)

    def register(self, cls: type[Processor]) -> None:
        self._types[cls.__name__] = cls

    def resolve(self, type_name: str) -> type[Processor] | None:
        return self._types.get(short_type(type_name))

    def types(self) -> list[type[Processor]]:
        return sorted(self._types.values(), key=lambda c: c.__name__)
