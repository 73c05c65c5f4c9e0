"""RecordPath: the subset of NiFi's RecordPath language that names a field: ``/name``, ``/parent/child``,
``/list[0]`` (an array element; negative indexes count from the end)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_SEGMENT = re.compile(r"([^/\[\]]+)((?:\[-?\d+\])*)\Z")
_INDEX = re.compile(r"\[(-?\d+)\]")


class RecordPathError(ValueError):
    """A RecordPath this implementation cannot evaluate."""


class RecordPath:
    def __init__(self, text: str) -> None:
        self.text = text
        if not text.startswith("/") or text == "/":
            raise RecordPathError(f"RecordPath '{text}' must start with '/' and name a field, e.g. /name")
        steps: list[str | int] = []
        for segment in text[1:].split("/"):
            match = _SEGMENT.match(segment)
            if match is None:
                raise RecordPathError(f"RecordPath '{text}': '{segment}' is not a field name (only /field, "
                                      "/parent/child and /array[index] are supported)")
            steps.append(match.group(1))
            steps.extend(int(index) for index in _INDEX.findall(match.group(2)))
        self.steps = tuple(steps)

    @property
    def field_name(self) -> str:
        """The last field name on the path."""
        return next(step for step in reversed(self.steps) if isinstance(step, str))

    @property
    def top_level(self) -> str | None:
        """The field name when the path is a single top-level field, else None."""
        return self.steps[0] if len(self.steps) == 1 and isinstance(self.steps[0], str) else None

    def get(self, record: Mapping[str, Any]) -> Any:
        """The value at the path, or None when any step is missing."""
        value: Any = record
        for step in self.steps:
            value = _step(value, step)
            if value is None:
                return None
        return value

    def set(self, record: dict[str, Any], value: Any) -> None:
        """Put ``value`` at the path, creating missing parent records; a missing array element is skipped."""
        target: Any = record
        for step, following in zip(self.steps, self.steps[1:], strict=False):
            child = _step(target, step)
            if child is None:
                if isinstance(step, int) or not isinstance(target, dict):
                    return
                child = target[step] = [] if isinstance(following, int) else {}
            target = child
        last = self.steps[-1]
        if isinstance(last, str) and isinstance(target, dict):
            target[last] = value
        elif isinstance(last, int) and isinstance(target, list) and -len(target) <= last < len(target):
            target[last] = value


def _step(value: Any, step: str | int) -> Any:
    if isinstance(step, str):
        return value.get(step) if isinstance(value, Mapping) else None
    if isinstance(value, list) and -len(value) <= step < len(value):
        return value[step]
    return None


@lru_cache(maxsize=256)
def compile_path(text: str) -> RecordPath:
    return RecordPath(text.strip())


def path_problem(value: str) -> str | None:
    """Validator for a property holding a RecordPath."""
    try:
        compile_path(value)
    except RecordPathError as exc:
        return f"is not a valid RecordPath: {exc}"
    return None
