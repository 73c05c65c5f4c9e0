"""Build flow definitions (NiFi's JSON shape) in tests."""

from __future__ import annotations

import uuid
from typing import Any


def uid() -> str:
    return str(uuid.uuid4())


def processor(name: str, type_name: str, properties: dict[str, str] | None = None, *, state: str = "RUNNING",
              auto_terminate: tuple[str, ...] = (), period: str = "0 sec", tasks: int = 1,
              identifier: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"identifier": identifier or uid(), "name": name, "type": type_name, "properties": properties or {},
            "scheduledState": state, "autoTerminatedRelationships": list(auto_terminate),
            "schedulingPeriod": period, "concurrentlySchedulableTaskCount": tasks, **extra}


def connection(source: dict[str, Any], destination: dict[str, Any], relationships: list[str], *,
               threshold: int = 10_000, identifier: str | None = None, **extra: Any) -> dict[str, Any]:
    def end(component: dict[str, Any]) -> dict[str, Any]:
        return {"id": component["identifier"], "type": component.get("componentType", "PROCESSOR")}
    return {"identifier": identifier or uid(), "name": extra.pop("name", ""), "source": end(source),
            "destination": end(destination), "selectedRelationships": relationships,
            "backPressureObjectThreshold": threshold, **extra}


def flow(processors: list[dict[str, Any]], connections: list[dict[str, Any]], **group: Any) -> dict[str, Any]:
    return {"flowContents": {"identifier": uid(), "name": "test", "processors": processors,
                             "connections": connections, **group}}
