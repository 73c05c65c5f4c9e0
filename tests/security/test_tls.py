"""`nifi-like run` serves HTTPS (and the live-status websocket as wss) with the certificate named in
the configuration; clients verify it against the CA made in the test. Plain HTTP and clients that do
not trust the CA get nowhere; with tls_client_ca a client needs a certificate of that CA too."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.support.certs import CertificateAuthority
from tests.support.engine_process import ROOT, EngineProcess

USER, PASSWORD = "operator", "a-long-test-password-1"


def _engine(tmp_path: Path, web_conf: str) -> EngineProcess:
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run([sys.executable, "-m", "nifi_like.cli", "set-single-user-credentials", USER, PASSWORD,
                    "--data", str(data)], cwd=ROOT, check=True, capture_output=True, timeout=60)
    engine = EngineProcess(str(data), web_conf=web_conf)
    engine.wait_started()
    return engine


def _trusting(ca: CertificateAuthority) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca.issued.certificate))


async def _login(client: aiohttp.ClientSession, base: str, context: ssl.SSLContext) -> str:
    async with client.post(f"{base}/nifi-api/access/token", data={"username": USER, "password": PASSWORD},
                           ssl=context) as answer:
        assert answer.status == 201, await answer.text()
        return await answer.text()


async def test_https_and_wss_with_the_configured_certificate(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path)
    server = ca.issue("server", server=True)
    engine = _engine(tmp_path, f"tls_certificate = {json.dumps(str(server.certificate))}\n"
                               f"tls_private_key = {json.dumps(str(server.private_key))}\n")
    base = f"https://127.0.0.1:{engine.port}"
    try:
        trusting = _trusting(ca)
        async with aiohttp.ClientSession() as client:
            token = await _login(client, base, trusting)
            async with client.get(f"{base}/nifi-api/flow/current-user", ssl=trusting,
                                  headers={"Authorization": f"Bearer {token}"}) as answer:
                assert answer.status == 200 and (await answer.json())["identity"] == USER
            async with client.get(f"{base}/nifi-api/flow/about", ssl=trusting) as answer:
                assert answer.status == 401, "HTTPS must not make the login optional"
            ws = await client.ws_connect(f"wss://127.0.0.1:{engine.port}/nifi-api/flow/live", ssl=trusting)
            await ws.send_str(json.dumps({"type": "auth", "token": token}))
            message = await ws.receive(timeout=10)
            assert message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data)["type"] == "snapshot"
            await ws.close()

            with pytest.raises(aiohttp.ClientConnectorCertificateError):  # the system CAs do not know it
                async with client.get(f"{base}/nifi-api/access/config", ssl=ssl.create_default_context()):
                    pass
            with pytest.raises(aiohttp.ClientError):  # no plain HTTP on the TLS port
                async with client.get(f"http://127.0.0.1:{engine.port}/nifi-api/access/config") as answer:
                    await answer.read()
    finally:
        assert engine.stop() == 0
    log = (tmp_path / "engine.log").read_text()
    assert f"web UI at https://127.0.0.1:{engine.port}/nifi/" in log


async def test_client_certificates_are_required_with_a_client_ca(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path)
    server, client_cert = ca.issue("server", server=True), ca.issue("client", server=False)
    stranger = CertificateAuthority(tmp_path, "another CA").issue("stranger", server=False)
    engine = _engine(tmp_path, f"tls_certificate = {json.dumps(str(server.certificate))}\n"
                               f"tls_private_key = {json.dumps(str(server.private_key))}\n"
                               f"tls_client_ca = {json.dumps(str(ca.issued.certificate))}\n")
    base = f"https://127.0.0.1:{engine.port}"
    try:
        async with aiohttp.ClientSession() as client:
            for who in (None, stranger):
                context = _trusting(ca)
                if who is not None:
                    context.load_cert_chain(str(who.certificate), str(who.private_key))
                with pytest.raises(aiohttp.ClientError):
                    async with client.get(f"{base}/nifi-api/access/config", ssl=context) as answer:
                        await answer.read()
            context = _trusting(ca)
            context.load_cert_chain(str(client_cert.certificate), str(client_cert.private_key))
            assert await _login(client, base, context)
    finally:
        assert engine.stop() == 0


@pytest.mark.parametrize("setting", ["tls_certificate = \"/nonexistent/cert.pem\"\ntls_private_key = \"/nonexistent/k\"",
                                     "tls_certificate = \"{cert}\""])
def test_a_bad_tls_setting_refuses_the_start_naming_it(tmp_path: Path, setting: str) -> None:
    ca = CertificateAuthority(tmp_path)
    conf = tmp_path / "nifi_like.toml"
    conf.write_text("[web]\n" + setting.format(cert=ca.issued.certificate) + "\n")
    result = subprocess.run([sys.executable, "-m", "nifi_like.cli", "run", "--data", str(tmp_path / "data"),
                             "--port", "0", "--conf", str(conf)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    print(result.stderr.strip())
    assert result.returncode == 2
    assert "[web] tls_" in result.stderr
