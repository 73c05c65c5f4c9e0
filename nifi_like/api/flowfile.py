"""The FlowFile value: attributes plus a reference to content."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: A content claim: ``None`` for empty content, ``(0, key)`` for content kept inline in the
#: repository, ``(1, file_no, offset, length)`` for a byte range of an append-only claim file.
Claim = tuple[Any, ...] | None


class FlowFile:
    """An immutable FlowFile. Session operations return a new value; never mutate one."""

    __slots__ = ("attributes", "claim", "entry_date", "id", "lineage_start_date", "penalized_until", "size")

    def __init__(self, attributes: Mapping[str, str], size: int, claim: Claim, entry_date: int,
                 lineage_start_date: int, penalized_until: int = 0) -> None:
        self.id: str = attributes["uuid"]
        self.attributes: Mapping[str, str] = attributes
        self.size = size
        self.claim = claim
        self.entry_date = entry_date  # epoch ms when it entered this node
        self.lineage_start_date = lineage_start_date  # epoch ms of its oldest ancestor
        self.penalized_until = penalized_until  # epoch ms; 0 when not penalized

    @property
    def uuid(self) -> str:
        return self.id

    def get_attribute(self, key: str) -> str | None:
        return self.attributes.get(key)

    def evolve(self, **changes: Any) -> FlowFile:
        """A copy with some fields replaced (used by the session)."""
        fields = {name: getattr(self, name) for name in self.__slots__ if name != "id"}
        fields.update(changes)
        return FlowFile(**fields)

    def with_attributes(self, attributes: Mapping[str, str]) -> FlowFile:
        return FlowFile(attributes, self.size, self.claim, self.entry_date, self.lineage_start_date,
                        self.penalized_until)

    def with_content(self, claim: Claim, size: int) -> FlowFile:
        return FlowFile(self.attributes, size, claim, self.entry_date, self.lineage_start_date,
                        self.penalized_until)

    def pack(self) -> list[Any]:
        return [self.attributes, self.size, self.claim, self.entry_date,
                self.lineage_start_date, self.penalized_until]

    @classmethod
    def unpack(cls, record: list[Any]) -> FlowFile:
        attributes, size, claim, entry, lineage, penalty = record
        return cls(attributes, size, tuple(claim) if claim is not None else None, entry, lineage, penalty)

    def __repr__(self) -> str:
        return f"FlowFile(uuid={self.id!r}, filename={self.attributes.get('filename')!r}, size={self.size})"
