"""Random request bodies against every mutating route: a 4xx (or success), never a 500."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from tests.integration.web.conftest import Api

KEYS = ("revision", "version", "clientId", "component", "id", "name", "type", "state", "config", "properties",
        "schedulingPeriod", "autoTerminatedRelationships", "source", "destination", "groupId",
        "selectedRelationships", "position", "x", "y", "backPressureObjectThreshold", "components", "label",
        "concurrentlySchedulableTaskCount", "bends", "style", "width", "flowfileConcurrency", "File Size")
SCALARS: tuple[Any, ...] = (None, True, False, 0, -1, 1, 2**70, 1.5, "", "x", "RUNNING", "STOPPED", "1 sec",
                            "success", "root", "00000000-0000-0000-0000-000000000000")


def random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice(SCALARS)
    if roll < 0.5:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def plausible(rng: random.Random, ids: list[str]) -> dict[str, Any]:
    """Mostly well-formed bodies, some with a part broken, to get past the first checks."""
    body: dict[str, Any] = {"revision": {"version": rng.choice([0, 0, 0, 1, 2]),
                                         "clientId": rng.choice([None, "c"])},
                            "component": {"id": rng.choice([None, *ids]), "name": rng.choice(["n", "m", None]),
                                          "type": rng.choice(["GenerateFlowFile", "LogAttribute", "Nope"]),
                                          "source": {"id": rng.choice(ids), "type": "PROCESSOR"},
                                          "destination": {"id": rng.choice(ids), "type": "PROCESSOR"},
                                          "selectedRelationships": rng.choice([["success"], ["nope"]]),
                                          "config": {"properties": {"Batch Size": rng.choice(["2", "x", None])},
                                                     "schedulingPeriod": rng.choice(["1 sec", "soon"])}},
                            "state": rng.choice(["RUNNING", "STOPPED", "DISABLED", "ENABLED", "RUN_ONCE"])}
    if rng.random() < 0.5:
        body["component"] = {k: v for k, v in body["component"].items() if rng.random() < 0.5}
    for _ in range(rng.choice([0, 0, 1, 2])):
        target = rng.choice([body, body["component"], body["revision"]])
        target[rng.choice(KEYS)] = random_json(rng)
    return body


async def test_random_bodies_never_cause_a_server_error(api: Api) -> None:
    root = await api.root_id()
    generate = await api.create_processor(root, "GenerateFlowFile")
    log = await api.create_processor(root, "LogAttribute")
    conn = await api.connect(root, generate, log, ["success"])
    group = await api.create_group(root, "fuzz")
    ids = [generate["id"], log["id"], conn["id"], group["id"], root]
    rng = random.Random(5)
    routes = [r for r in api.client.app.router.routes() if r.method in ("POST", "PUT")]
    assert len(routes) > 15
    seen: dict[int, int] = {}
    for route in routes:
        info = route.resource.get_info() if route.resource is not None else {}
        template = info.get("path") or info.get("formatter", "")
        if not template.startswith("/nifi-api") or template.endswith("/access/token") or "upload" in template:
            continue
        for attempt in range(60):
            path = re.sub(r"\{[^}]+\}", lambda _: rng.choice(ids), template)[len("/nifi-api"):]
            body = plausible(rng, ids) if attempt % 2 else random_json(rng)
            reply = await api.call(route.method, path, raw=json.dumps(body).encode())
            assert reply.status < 500, f"{route.method} {path} {body!r}: {reply.status} {reply.text}"
            seen[reply.status] = seen.get(reply.status, 0) + 1
            if reply.status >= 400:
                assert reply.text.strip(), f"{route.method} {path}: an error without a message"
    assert seen.get(400, 0) > 100 and sum(n for status, n in seen.items() if status < 300) > 5, seen
