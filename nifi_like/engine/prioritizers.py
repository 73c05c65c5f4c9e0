"""Queue prioritizers, by NiFi's names: each maps a FlowFile to a sort key (lower first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nifi_like.api.flowfile import FlowFile

KeyFn = Callable[[FlowFile], Any]


def _priority_attribute(flowfile: FlowFile) -> Any:
    value = flowfile.attributes.get("priority")
    if value is None:
        return (2, 0, "")
    try:
        return (0, int(value), "")
    except ValueError:
        return (1, 0, value)


PRIORITIZERS: dict[str, KeyFn | None] = {
    "FirstInFirstOutPrioritizer": None,
    "OldestFlowFileFirstPrioritizer": lambda ff: ff.entry_date,
    "NewestFlowFileFirstPrioritizer": lambda ff: -ff.entry_date,
    "PriorityAttributePrioritizer": _priority_attribute,
}


def short_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def key_function(names: list[str]) -> KeyFn | None:
    """One key function for a prioritizer chain; None means plain FIFO (queue order)."""
    functions: list[KeyFn] = []
    for name in names:
        fn = PRIORITIZERS.get(short_name(name), "unknown")
        if fn == "unknown":
            raise ValueError(f"unknown prioritizer '{name}' (known: {', '.join(PRIORITIZERS)})")
        if fn is None:
            break  # FIFO decides everything after it
        functions.append(fn)  # type: ignore[arg-type]
    if not functions:
        return None
    if len(functions) == 1:
        return functions[0]
    return lambda ff: tuple(fn(ff) for fn in functions)
