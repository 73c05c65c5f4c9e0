"""Login, tokens and the checks every request passes before it reaches the API."""

from __future__ import annotations

import json
import os
import re
import stat
import uuid

from nifi_like.web.auth import INVALID_CREDENTIALS, LOGIN_FILE, ensure_credentials
from nifi_like.web.public import PUBLIC_ATTR
from tests.integration.web.conftest import PASSWORD, USER, Api


async def test_every_api_route_requires_a_login(api: Api) -> None:
    checked = 0
    for route in api.client.app.router.routes():
        if getattr(route.handler, PUBLIC_ATTR, False) or route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter", "")
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = await api.client.request(route.method, path)
        assert response.status == 401, f"{route.method} {path} answered {response.status} without a token"
        bad = await api.client.request(route.method, path, headers={"Authorization": "Bearer x.y.z"})
        assert bad.status == 401, f"{route.method} {path} accepted a forged token"
        checked += 1
    assert checked > 40


async def test_login_answers_a_raw_jwt_as_text(api: Api) -> None:
    reply = await api.login()
    assert reply.status == 201
    assert reply.content_type == "text/plain"
    assert reply.text.count(".") == 2 and not reply.text.startswith('"')
    user = await api.get("/flow/current-user")
    assert user.status == 200
    assert user.json["identity"] == USER and user.json["anonymous"] is False


async def test_wrong_credentials_are_refused_and_then_throttled(api: Api) -> None:
    for _ in range(5):
        reply = await api.login(password="wrong-password-123")
        assert (reply.status, reply.text) == (400, INVALID_CREDENTIALS)
    throttled = await api.login()
    assert throttled.status == 429
    assert "Too many failed login attempts" in throttled.text


async def test_logout_ends_the_token(api: Api) -> None:
    assert (await api.call("DELETE", "/access/logout")).status == 200
    reply = await api.get("/flow/about")
    assert reply.status == 401
    assert "log in again" in reply.text


async def test_tokens_of_other_keys_are_refused(api: Api) -> None:
    header, payload, _ = api.token.split(".")
    assert (await api.get("/flow/about", token=f"{header}.{payload}.AAAA")).status == 401


async def test_unknown_host_names_are_refused(api: Api) -> None:
    response = await api.client.get("/nifi-api/flow/about", headers={"Host": "evil.example:8080",
                                                                     "Authorization": f"Bearer {api.token}"})
    assert response.status == 421
    assert "evil.example" in await response.text()


async def test_cross_site_writes_are_refused(api: Api) -> None:
    root = await api.root_id()
    response = await api.client.post(f"/nifi-api/process-groups/{root}/process-groups",
                                      data=json.dumps({"revision": {"version": 0}, "component": {"name": "x"}}),
                                      headers={"Authorization": f"Bearer {api.token}", "Origin": "http://evil.example"})
    assert response.status == 403


async def test_login_helpers_and_canvas_need_no_token(api: Api) -> None:
    for path in ("/nifi-api/authentication/configuration", "/nifi-api/access/config", "/nifi"):
        response = await api.client.get(path)
        assert response.status == 200, path


def test_generated_password_is_printed_once_and_only_its_hash_kept(tmp_path: object, capsys: object) -> None:
    data_dir = str(tmp_path)
    credentials = ensure_credentials(data_dir)
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    password = re.search(r"Password: (\S+)", printed).group(1)  # type: ignore[union-attr]
    assert credentials.matches(credentials.username, password)
    with open(os.path.join(data_dir, LOGIN_FILE)) as fh:
        assert password not in fh.read()
    assert stat.S_IMODE(os.stat(os.path.join(data_dir, LOGIN_FILE)).st_mode) == 0o600
    ensure_credentials(data_dir)
    assert "Password" not in capsys.readouterr().out  # type: ignore[attr-defined]
    assert not credentials.matches(credentials.username, PASSWORD)
