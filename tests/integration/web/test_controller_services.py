"""Controller services over REST as NiFi clients use them: create, configure, enable, reference, delete."""

from __future__ import annotations

from typing import Any

from tests.integration.web.conftest import Api


async def _create_service(api: Api, group: str) -> dict[str, Any]:
    types = (await api.ok("GET", "/flow/controller-service-types"))["controllerServiceTypes"]
    sequence = next(t for t in types if t["type"].endswith(".Sequence"))
    assert sequence["description"].startswith("A controller service handing out")
    result: dict[str, Any] = await api.ok("POST", f"/process-groups/{group}/controller-services", {
        "revision": {"version": 0}, "component": {"type": sequence["type"], "name": "numbers"}}, 201)
    return result


async def test_service_lifecycle_through_the_api(api: Api) -> None:
    root = await api.root_id()
    service = await _create_service(api, root)
    service_id = service["id"]
    assert service["component"]["state"] == "DISABLED" and service["revision"]["version"] == 0
    assert "Start" in service["component"]["descriptors"]

    bad = await api.put(f"/controller-services/{service_id}", {
        "revision": {"version": 0}, "component": {"id": service_id, "properties": {"Start": "soon"}}})
    assert bad.status == 400 and "'soon' is not an integer" in bad.text
    updated = await api.ok("PUT", f"/controller-services/{service_id}", {
        "revision": {"version": 0}, "component": {"id": service_id, "properties": {"Start": "7"}}})
    assert updated["component"]["properties"]["Start"] == "7" and updated["revision"]["version"] == 1
    stale = await api.put(f"/controller-services/{service_id}/run-status",
                          {"revision": {"version": 0}, "state": "ENABLED"})
    assert stale.status == 400
    enabled = await api.ok("PUT", f"/controller-services/{service_id}/run-status",
                           {"revision": {"version": 1}, "state": "ENABLED"})
    assert enabled["component"]["state"] == "ENABLED" and enabled["status"]["runStatus"] == "ENABLED"
    locked = await api.put(f"/controller-services/{service_id}", {
        "revision": {"version": 2}, "component": {"id": service_id, "properties": {"Start": "8"}}})
    assert locked.status == 409

    processors = (await api.ok("GET", "/flow/processor-types"))["processorTypes"]
    number_type = next(t["type"] for t in processors if t["type"].endswith(".Number"))
    number = await api.ok("POST", f"/process-groups/{root}/processors", {
        "revision": {"version": 0}, "component": {"type": number_type, "config": {
            "properties": {"Sequence": service_id}, "autoTerminatedRelationships": ["success"]}}}, 201)
    assert number["component"]["validationStatus"] == "VALID", number["component"].get("validationErrors")
    started = await api.put(f"/processors/{number['id']}/run-status", {"revision": {"version": 0},
                                                                        "state": "RUNNING"})
    assert started.status == 200, started.text
    listed = (await api.ok("GET", f"/flow/process-groups/{root}/controller-services"))["controllerServices"]
    assert [s["id"] for s in listed] == [service_id]
    assert [r["id"] for r in listed[0]["component"]["referencingComponents"]] == [number["id"]]

    refused = await api.put(f"/controller-services/{service_id}/run-status",
                            {"revision": {"version": 2}, "state": "DISABLED"})
    assert refused.status == 409 and "referenced by running components" in refused.text
    assert (await api.delete(f"/controller-services/{service_id}", 2)).status == 409
    await api.ok("PUT", f"/processors/{number['id']}/run-status", {"revision": {"version": 1}, "state": "STOPPED"})
    await api.ok("PUT", f"/controller-services/{service_id}/run-status", {"revision": {"version": 2},
                                                                         "state": "DISABLED"})
    still_used = await api.delete(f"/controller-services/{service_id}", 3)
    assert still_used.status == 409 and "referenced by" in still_used.text
    assert (await api.delete(f"/processors/{number['id']}", 2)).status == 200
    assert (await api.delete(f"/controller-services/{service_id}", 3)).status == 200
    assert (await api.get(f"/controller-services/{service_id}")).status == 404


async def test_unknown_service_type_and_id(api: Api) -> None:
    root = await api.root_id()
    reply = await api.post(f"/process-groups/{root}/controller-services", {
        "revision": {"version": 0}, "component": {"type": "org.apache.nifi.dbcp.HikariCPConnectionPool"}})
    assert reply.status == 400 and "unknown controller service type" in reply.text
    assert (await api.get("/controller-services/5d0d3f0a-0000-4000-8000-000000000000")).status == 404
