"""A real etcd per test (on free loopback ports, in the test's temp dir), killed after it; and the
REST client fixture of the web tests, for the connection settings of load balancing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.web.conftest import api  # noqa: F401
from tests.support.cluster import ETCD, Etcd

pytestmark = pytest.mark.skipif(not os.path.exists(ETCD), reason="etcd-server is not installed")


@pytest.fixture
def etcd(tmp_path: Any) -> Iterator[Etcd]:
    server = Etcd(str(tmp_path / "etcd"))
    yield server
    server.stop()
