"""ListenHTTP in a running flow: every request answered 200 is in the flow, exactly once."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from nifi_like.flow_testing import FlowRunner
from processors.ingest.listen_http import ListenHTTP
from tests.support.flows import connection, flow, processor
from tests.unit.processors.local_http import free_port


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_acknowledged_post_reaches_the_sink_once() -> None:
    port = free_port()
    listener = processor("Listen", "ListenHTTP", {"Listening Port": str(port)})
    sink = processor("Received", "LogAttribute", auto_terminate=("success",))
    document = flow([listener, sink], [connection(listener, sink, ["success"])])
    bodies = [f"record {i}".encode() for i in range(300)]
    with FlowRunner(document, outputs=["Received"], processors=[ListenHTTP]) as runner:
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda body: post(f"http://127.0.0.1:{port}/contentListener", body), bodies))
        assert statuses == [200] * len(bodies)
        runner.run_until_idle(timeout=20)
        assert sorted(ff.content for ff in runner.outputs("Received")) == sorted(bodies)
