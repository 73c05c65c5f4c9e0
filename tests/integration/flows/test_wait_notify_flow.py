"""Wait + Notify in a running flow, with the map cache server and client as the flow's controller services:
SplitText's original waits until every split has been notified, then it is released once."""

from __future__ import annotations

import time
from typing import Any

from nifi_like.flow_testing import FlowRunner
from tests.support.flows import connection, flow, processor, uid
from tests.unit.processors.local_http import free_port


def _service(type_name: str, properties: dict[str, str]) -> dict[str, Any]:
    return {"identifier": uid(), "name": type_name.rsplit(".", 1)[-1], "type": type_name, "properties": properties,
            "scheduledState": "ENABLED"}


def split_and_wait(port: int) -> dict[str, Any]:
    server = _service("org.apache.nifi.distributed.cache.server.map.DistributedMapCacheServer", {"Port": str(port)})
    client = _service("org.apache.nifi.distributed.cache.client.DistributedMapCacheClientService",
                      {"Server Hostname": "127.0.0.1", "Server Port": str(port)})
    cache = {"distributed-cache-service": client["identifier"], "release-signal-id": "${fragment.identifier}"}
    source = processor("In", "LogAttribute", auto_terminate=("success",))
    split = processor("Split", "SplitText", {"Line Split Count": "1"}, auto_terminate=("failure",))
    notify = processor("Notify", "Notify", cache, auto_terminate=("failure",))
    wait = processor("Wait", "Wait", {**cache, "target-signal-count": "${fragment.count}"},
                     auto_terminate=("expired", "failure"))
    notified = processor("Notified", "LogAttribute", auto_terminate=("success",))
    released = processor("Released", "LogAttribute", auto_terminate=("success",))
    return flow([source, split, notify, wait, notified, released],
                [connection(source, split, ["success"]), connection(split, notify, ["splits"]),
                 connection(split, wait, ["original"]), connection(notify, notified, ["success"]),
                 connection(wait, wait, ["wait"]), connection(wait, released, ["success"])],
                controllerServices=[server, client])


def test_the_original_is_released_once_every_split_is_notified() -> None:
    with FlowRunner(split_and_wait(free_port()), inputs=["In"], outputs=["Notified", "Released"]) as runner:
        runner.enqueue("In", b"one\ntwo\nthree\n")
        runner.enqueue("In", b"four\nfive\n")
        deadline = time.monotonic() + 30
        while len(runner.outputs("Released")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        released = sorted(runner.outputs("Released"), key=lambda ff: ff.content)
        assert [ff.content for ff in released] == [b"four\nfive\n", b"one\ntwo\nthree\n"]
        assert [ff.get_attribute("wait.counter.total") for ff in released] == ["2", "3"]
        assert all("wait.start.timestamp" not in ff.attributes for ff in released)
        assert len(runner.outputs("Notified")) == 5
        assert {ff.get_attribute("notified") for ff in runner.outputs("Notified")} == {"true"}
