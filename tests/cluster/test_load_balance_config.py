"""Load-balancing settings of a connection, as NiFi names them, in flow files and over REST."""

from __future__ import annotations

import pytest

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.model import Flow
from nifi_like.flow.validation import flow_problems
from tests.integration.web.conftest import Api
from tests.support.flows import connection, flow, processor


def _problems(**fields: str) -> list[str]:
    gen = processor("gen", "GenerateFlowFile")
    log = processor("log", "LogAttribute", auto_terminate=("success",))
    document = flow([gen, log], [connection(gen, log, ["success"], name="lb", **fields)])
    return flow_problems(Flow(document), ProcessorRegistry())


def test_flow_defaults_to_no_load_balancing_and_accepts_nifi_values() -> None:
    assert _problems() == []
    assert _problems(loadBalanceStrategy="PARTITION_BY_ATTRIBUTE", partitioningAttribute="customer",
                     loadBalanceCompression="COMPRESS_ATTRIBUTES_AND_CONTENT") == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"loadBalanceStrategy": "RANDOM"}, "load balance strategy 'RANDOM' is not one of DO_NOT_LOAD_BALANCE, "
                                        "ROUND_ROBIN, PARTITION_BY_ATTRIBUTE, SINGLE_NODE"),
    ({"loadBalanceCompression": "GZIP"}, "load balance compression 'GZIP' is not one of DO_NOT_COMPRESS"),
    ({"loadBalanceStrategy": "PARTITION_BY_ATTRIBUTE"}, "PARTITION_BY_ATTRIBUTE needs a partitioning attribute"),
])
def test_bad_load_balance_settings_name_the_connection_and_the_allowed_values(fields: dict[str, str],
                                                                               message: str) -> None:
    problems = _problems(**fields)
    assert len(problems) == 1 and problems[0].startswith("Connection[lb, ") and message in problems[0], problems


async def test_rest_sets_load_balancing_and_refuses_unknown_values(api: Api) -> None:
    root = await api.root_id()
    gen = await api.create_processor(root, "GenerateFlowFile")
    log = await api.create_processor(root, "LogAttribute", autoTerminatedRelationships=["success"])
    conn = await api.connect(root, gen, log, ["success"])
    assert conn["component"]["loadBalanceStrategy"] == "DO_NOT_LOAD_BALANCE"
    assert conn["component"]["loadBalanceStatus"] == "LOAD_BALANCE_NOT_CONFIGURED"
    changed = await api.ok("PUT", f"/connections/{conn['id']}", {
        "revision": conn["revision"], "component": {
            "id": conn["id"], "loadBalanceStrategy": "PARTITION_BY_ATTRIBUTE",
            "loadBalancePartitionAttribute": "customer", "loadBalanceCompression": "COMPRESS_ATTRIBUTES_ONLY"}})
    component = changed["component"]
    assert (component["loadBalanceStrategy"], component["loadBalancePartitionAttribute"],
            component["loadBalanceCompression"]) == ("PARTITION_BY_ATTRIBUTE", "customer", "COMPRESS_ATTRIBUTES_ONLY")
    assert component["loadBalanceStatus"] == "LOAD_BALANCE_INACTIVE"
    assert api.controller.connections[conn["id"]].load_balance == ("PARTITION_BY_ATTRIBUTE", "customer",
                                                                   "COMPRESS_ATTRIBUTES_ONLY")
    refused = await api.put(f"/connections/{conn['id']}", {
        "revision": changed["revision"], "component": {"id": conn["id"], "loadBalanceStrategy": "RANDOM"}})
    assert refused.status == 400 and "RANDOM" in refused.text and "ROUND_ROBIN" in refused.text
    unset = await api.put(f"/connections/{conn['id']}", {
        "revision": changed["revision"], "component": {"id": conn["id"], "loadBalancePartitionAttribute": ""}})
    assert unset.status == 400 and "needs a partitioning attribute" in unset.text
