"""StandardSSLContextService: validation, and TLS to PostgreSQL through DBCPConnectionPool (MQTT's TLS is in
test_mqtt.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.services.dbcp_connection_pool import DBCPConnectionPool
from processors.services.ssl_context_service import StandardSSLContextService
from processors.services.testing import ServiceTestRunner
from processors.sql.execute_sql import ExecuteSQL
from tests.support.servers import Server, TlsFiles


def test_ssl_context_service_validation(tls_files: TlsFiles, tmp_path: Path) -> None:
    with ServiceTestRunner(ExecuteSQL, {"Database Connection Pooling Service": "db"}) as runner:
        runner.add_controller_service("empty", StandardSSLContextService, {})
        with pytest.raises(AssertionError, match="at least one of 'Keystore Filename' and 'Truststore Filename'"):
            runner.enable_controller_service("empty")
        runner.add_controller_service("missing", StandardSSLContextService, {"Truststore Filename": str(tmp_path / "no")})
        with pytest.raises(AssertionError, match="is not a readable file"):
            runner.enable_controller_service("missing")
        not_pem = tmp_path / "not.pem"
        not_pem.write_text("hello")
        runner.add_controller_service("garbage", StandardSSLContextService, {"Truststore Filename": str(not_pem)})
        with pytest.raises(ValueError, match="could not be loaded"):
            runner.enable_controller_service("garbage")
        runner.add_controller_service("good", StandardSSLContextService, {
            "Keystore Filename": tls_files.client_cert, "Key Filename": tls_files.client_key,
            "Truststore Filename": tls_files.ca_cert, "SSL Protocol": "TLSv1.3"})
        runner.enable_controller_service("good")


@pytest.mark.parametrize("trusted", [True, False])
def test_postgres_connections_use_tls_from_the_ssl_context_service(postgres: Server, tls_files: TlsFiles,
                                                                   trusted: bool) -> None:
    query = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    with ServiceTestRunner(ExecuteSQL, {"Database Connection Pooling Service": "db", "SQL select query": query}) as runner:
        runner.add_controller_service("tls", StandardSSLContextService, {
            "Truststore Filename": tls_files.ca_cert if trusted else tls_files.client_cert})
        runner.add_controller_service("db", DBCPConnectionPool, {
            "Database Connection URL": f"jdbc:postgresql://127.0.0.1:{postgres.port}/postgres",
            "Database User": "postgres", "Password": postgres.extra["password"], "SSL Context Service": "tls"})
        runner.enable_controller_service("tls")
        runner.enable_controller_service("db")
        runner._node.incoming.clear()  # a source
        runner.run()
        if trusted:
            assert runner.get_flowfiles_for_relationship("success")[0].content == b'[{"ssl":true}]'
        else:  # the server's certificate is not signed by the configured truststore
            assert runner.is_yielded
            assert any("certificate verify failed" in b.message for b in runner.bulletins)
