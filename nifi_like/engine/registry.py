"""Component types: processors from the ``nifi_like.processors`` entry-point group, controller
services from ``nifi_like.controller_services``."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any

from nifi_like.api.controller_service import ControllerService
from nifi_like.api.processor import Processor

log = logging.getLogger(__name__)
GROUP = "nifi_like.processors"
SERVICE_GROUP = "nifi_like.controller_services"


def short_type(type_name: str) -> str:
    """The class name of a type given short or fully qualified (any package)."""
    return type_name.rsplit(".", 1)[-1]


def _load(group: str) -> list[Any]:
    loaded = []
    for entry in entry_points(group=group):
        try:
            loaded.append(entry.load())
        except Exception as exc:  # a broken third-party package must not stop the engine
            log.error("cannot load %s from %s: %s", entry.name, entry.value, exc)
    return loaded


class ProcessorRegistry:
    #: Whether processors restricted to EXECUTE_CODE may be used ([security] allow_execute_code).
    allow_execute_code = False

    def __init__(self) -> None:
        self._types: dict[str, type[Processor]] = {}
        self._services: dict[str, type[ControllerService]] = {}
        for cls in _load(GROUP):
            self.register(cls)
        for cls in _load(SERVICE_GROUP):
            self.register_service(cls)

    def register(self, cls: type[Processor]) -> None:
        self._types[cls.__name__] = cls

    def register_service(self, cls: type[ControllerService]) -> None:
        self._services[cls.__name__] = cls

    def resolve(self, type_name: str) -> type[Processor] | None:
        return self._types.get(short_type(type_name))

    def resolve_service(self, type_name: str) -> type[ControllerService] | None:
        return self._services.get(short_type(type_name))

    def types(self) -> list[type[Processor]]:
        return sorted(self._types.values(), key=lambda c: c.__name__)

    def service_types(self) -> list[type[ControllerService]]:
        return sorted(self._services.values(), key=lambda c: c.__name__)
