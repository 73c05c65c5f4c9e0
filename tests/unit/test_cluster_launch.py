"""Reading ``[cluster] url`` / ``--cluster``: the two schemes, and what each needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster.launch import ETCD, cluster_plan
from cluster.static import SCHEME as STATIC
from nifi_like.config import Settings


def _secret(tmp_path: Path, mode: int = 0o600) -> str:
    path = tmp_path / "cluster.secret"
    path.write_text("0123456789abcdef0123456789abcdef\n")
    path.chmod(mode)
    return str(path)


def test_unknown_scheme_is_refused_naming_the_supported_ones() -> None:
    with pytest.raises(ValueError, match=r"--cluster 'zk://h:1': unknown scheme \(supported: etcd://\.\.\., "
                                         r"static://\.\.\.\)"):
        cluster_plan(Settings(cluster_url="zk://h:1"))


def test_etcd_runs_without_a_secret_and_defaults_the_node_id(tmp_path: Path) -> None:
    plan = cluster_plan(Settings(cluster_url="etcd://127.0.0.1:2379", port=8081))
    assert (plan.scheme, plan.node_id, plan.secret) == (ETCD, "127.0.0.1:8081", None)
    plan = cluster_plan(Settings(cluster_url="etcd://127.0.0.1:2379", cluster_node_id="n1",
                                 cluster_secret_file=_secret(tmp_path)))
    assert (plan.node_id, plan.secret) == ("n1", b"0123456789abcdef0123456789abcdef")


def test_a_set_secret_file_must_be_private_even_with_etcd(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="readable by other users; chmod 600") as caught:
        cluster_plan(Settings(cluster_url="etcd://127.0.0.1:2379", cluster_secret_file=_secret(tmp_path, 0o644)))
    assert "0123456789abcdef" not in str(caught.value)


def test_static_needs_a_node_id_and_a_secret(tmp_path: Path) -> None:
    url = "static://n1@127.0.0.1:8081:6342,n2@127.0.0.1:8082:6343"
    with pytest.raises(ValueError, match="needs --node-id"):
        cluster_plan(Settings(cluster_url=url))
    with pytest.raises(ValueError, match=r"set \[cluster\] secret_file"):
        cluster_plan(Settings(cluster_url=url, cluster_node_id="n1"))
    plan = cluster_plan(Settings(cluster_url=url, cluster_node_id="n1", cluster_secret_file=_secret(tmp_path)))
    assert (plan.scheme, plan.node_id) == (STATIC, "n1")
