"""The ProcessContext handed to processors, and their component log."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from nifi_like.api.files import FileRoots
from nifi_like.api.processor import ComponentLog, ProcessContext, PropertyValue, StateManager
from nifi_like.api.properties import PropertyDescriptor
from nifi_like.api.relationship import Relationship
from nifi_like.monitoring.bulletins import BulletinBoard

if TYPE_CHECKING:
    from nifi_like.engine.node import Node
    from nifi_like.engine.scheduler import Placement

_LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "WARN": logging.WARNING,
           "ERROR": logging.ERROR}


class NodeLog(ComponentLog):
    """Logs under ``nifi_like.processors.<Type>``; warnings and errors also become bulletins."""

    def __init__(self, node: Node, bulletins: BulletinBoard) -> None:
        self._node = node
        self._bulletins = bulletins
        self._log = logging.getLogger(f"nifi_like.component.{node.type_name.rsplit('.', 1)[-1]}")

    def log(self, level: str, message: str) -> None:
        level = level.upper()
        self._log.log(_LEVELS.get(level, logging.INFO), "%s[%s] %s", self._node.name, self._node.id, message)
        if _LEVELS.get(level, 0) >= logging.WARNING:
            self._bulletins.add("WARNING" if level == "WARN" else level, self._node.id, self._node.name, message,
                                self._node.group_id)


class StandardProcessContext(ProcessContext):
    def __init__(self, node: Node, state: StateManager, bulletins: BulletinBoard, file_roots: FileRoots,
                 placement: Placement | None = None) -> None:
        self._node = node
        self._placement = placement
        self._file_roots = file_roots
        self.identifier = node.id
        self.name = node.name
        self._state = state
        self._log = NodeLog(node, bulletins)
        self._descriptors = {d.name: d for d in type(node.processor).property_descriptors()}
        self._values: dict[str, PropertyValue] = {}

    def get_property(self, descriptor: PropertyDescriptor | str) -> PropertyValue:
        name = descriptor if isinstance(descriptor, str) else descriptor.name
        value = self._values.get(name)
        if value is None:
            raw = self._node.properties.get(name)
            declared = self._descriptors.get(name)
            if raw is None and declared is not None:
                raw = declared.default
            value = self._values[name] = PropertyValue(raw, self._node.parameters, self._node.service_lookup)
        return value

    @property
    def properties(self) -> Mapping[str, str | None]:
        merged: dict[str, str | None] = {name: d.default for name, d in self._descriptors.items()}
        merged.update(self._node.properties)
        return merged

    @property
    def descriptors(self) -> list[PropertyDescriptor]:
        return list(self._descriptors.values())

    def yield_(self) -> None:
        self._node.yield_for(self._node.yield_ms / 1000)

    @property
    def state(self) -> StateManager:
        return self._state

    @property
    def file_roots(self) -> FileRoots:
        return self._file_roots

    @property
    def max_concurrent_tasks(self) -> int:
        return self._node.concurrent_tasks

    def has_incoming_connection(self) -> bool:
        return bool(self._node.incoming)

    def is_auto_terminated(self, relationship: Relationship) -> bool:
        return relationship.name in self._node.auto_terminated

    def fencing_token(self) -> int | None:
        return 0 if self._placement is None else self._placement.fencing_token()

    def _logger(self) -> ComponentLog:
        return self._log
