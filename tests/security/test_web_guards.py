"""The guards in front of every route: the whole route table walked without a login, Host and Origin
checks (DNS rebinding, cross-site requests and websockets), Bearer-only tokens (nothing for CSRF to
ride on) and the login throttle. tests/integration/web/test_access.py walks the protected routes;
here the walk also pins down which few routes answer without a login, and covers every method."""

from __future__ import annotations

import json
import re
import uuid

import aiohttp

from nifi_like.web.public import PUBLIC_ATTR
from tests.integration.web.conftest import PASSWORD, USER, Api

# The only routes that answer without a token: logging in, how to log in, the API description, the
# canvas's static files (and the redirect to them), and the websocket, which takes its token as the
# first message and closes with 4401 without it.
PUBLIC = {("POST", "/nifi-api/access/token"), ("GET", "/nifi-api/authentication/configuration"),
          ("GET", "/nifi-api/access/config"), ("GET", "/nifi-api/openapi.json"), ("GET", "/nifi-api/flow/live"),
          ("GET", "/"), ("GET", "/nifi"), ("GET", "/nifi/{tail}")}
EVIL = "http://evil.example"


def _template(route: aiohttp.web.AbstractRoute) -> str:
    info = route.resource.get_info() if route.resource is not None else {}
    return str(info.get("path") or info.get("formatter", ""))


async def test_walk_of_the_route_table_without_a_login(api: Api) -> None:
    public, protected = set(), 0
    for route in api.client.app.router.routes():
        template = _template(route)
        method = "GET" if route.method == "HEAD" else route.method
        if getattr(route.handler, PUBLIC_ATTR, False):
            public.add((method, re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", template)))
            continue
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
        for headers in ({}, {"Authorization": "Bearer x.y.z"}, {"Authorization": f"Basic {USER}:{PASSWORD}"},
                        {"Cookie": f"__Secure-Authorization-Bearer={api.token}"}):
            response = await api.client.request(route.method, path, headers=headers, data=b"{}")
            assert response.status == 401, f"{route.method} {path} with {headers} answered {response.status}"
            if route.method != "HEAD":
                assert (await response.json())["message"] if response.content_type == "application/json" \
                    else (await response.text()).strip(), f"{route.method} {path}: a 401 without a reason"
        protected += 1
    print(f"\nroute walk: {protected} protected routes answered 401 four ways; public: {sorted(public)}")
    assert public == PUBLIC, f"routes answering without a login changed: {sorted(public ^ PUBLIC)}"
    assert protected > 60


async def test_login_sets_no_cookie_and_a_cookie_is_never_a_login(api: Api) -> None:
    response = await api.client.post("/nifi-api/access/token", data={"username": USER, "password": PASSWORD})
    assert response.status == 201
    assert "Set-Cookie" not in response.headers, "a session cookie would let other sites ride on the login"
    api.client.session.cookie_jar.update_cookies({"__Secure-Authorization-Bearer": await response.text(),
                                                  "Authorization": f"Bearer {await response.text()}"})
    assert (await api.client.get("/nifi-api/flow/about")).status == 401


async def test_no_cross_origin_read_is_granted(api: Api) -> None:
    response = await api.client.options("/nifi-api/flow/about", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
    assert "Access-Control-Allow-Origin" not in response.headers
    response = await api.client.get("/nifi-api/flow/about", headers={"Origin": EVIL,
                                                                      "Authorization": f"Bearer {api.token}"})
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_rebound_host_names_are_refused_on_every_kind_of_route(api: Api) -> None:
    for method, path in (("GET", "/nifi-api/flow/about"), ("POST", "/nifi-api/access/token"), ("GET", "/nifi/"),
                         ("GET", "/nifi-api/flow/live")):
        response = await api.client.request(method, path, headers={"Host": "rebound.evil.example",
                                                                   "Authorization": f"Bearer {api.token}"})
        assert response.status == 421, f"{method} {path} answered {response.status} to a foreign Host"
    for host in ("127.0.0.1:8080", "localhost", "[::1]:9000"):
        response = await api.client.get("/nifi-api/flow/about", headers={"Host": host,
                                                                          "Authorization": f"Bearer {api.token}"})
        assert response.status == 200, host


async def test_cross_site_websocket_and_writes_are_refused(api: Api) -> None:
    try:
        ws = await api.client.ws_connect("/nifi-api/flow/live", headers={"Origin": EVIL})
    except aiohttp.WSServerHandshakeError as exc:
        assert exc.status == 403
    else:
        await ws.close()
        raise AssertionError("a websocket from another site was accepted")
    ws = await api.client.ws_connect("/nifi-api/flow/live", headers={"Origin": "http://127.0.0.1:8080"})
    await ws.send_str(json.dumps({"type": "auth", "token": api.token}))
    assert json.loads((await ws.receive(timeout=10)).data)["type"] == "snapshot"
    await ws.close()
    root = await api.root_id()
    for method in ("POST", "PUT", "DELETE"):
        response = await api.client.request(method, f"/nifi-api/process-groups/{root}/process-groups",
                                            headers={"Origin": EVIL, "Authorization": f"Bearer {api.token}"},
                                            data=json.dumps({"revision": {"version": 0}, "component": {"name": "x"}}))
        assert response.status in (403, 405), f"{method} from {EVIL} answered {response.status}"
    login = await api.client.post("/nifi-api/access/token", data={"username": USER, "password": PASSWORD},
                                  headers={"Origin": EVIL})
    assert login.status == 403, "a login form on another site must not obtain a token"


async def test_failed_logins_are_throttled_per_client(api: Api) -> None:
    statuses = [(await api.login(password=f"wrong-password-{n}")).status for n in range(7)]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429], statuses
    throttled = await api.login()
    assert throttled.status == 429 and "try again in" in throttled.text, "the right password skips the throttle"
