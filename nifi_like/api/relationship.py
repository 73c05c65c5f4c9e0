"""Relationships: the named exits of a processor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relationship:
    name: str
    description: str = ""
    auto_terminate_default: bool = False

    def __str__(self) -> str:
        return self.name
