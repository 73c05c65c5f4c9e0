"""Engine settings: defaults here, overridden by a TOML file (conf/nifi_like.toml documents each)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from typing import Any

from nifi_like.api.units import parse_data_size, parse_time_period

DEFAULT_CONF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "conf", "nifi_like.toml")


@dataclass
class Settings:
    data_dir: str = "data"
    # [repository]
    durability: str = "sync"
    map_size: int = 1 << 30
    inline_content_max: int = 64 * 1024
    claim_file_max: int = 128 * 1024 * 1024
    # [queues]
    queue_window: int = 20_000
    # [scheduler]
    max_threads: int = 10
    administrative_yield: float = 30.0
    gc_young_threshold: int = 10_000
    # [provenance]
    provenance_enabled: bool = True
    provenance_max_storage_time: float = 24 * 3600.0  # seconds
    provenance_max_storage_size: int = 1 << 30
    # [bulletins]
    bulletins_per_component: int = 5
    # [security]
    file_roots: list[str] = field(default_factory=lambda: ["in", "out"])
    sensitive_props_key_file: str = "~/.nifi_like/sensitive.key"
    allow_execute_code: bool = False
    # [web]
    host: str = "127.0.0.1"
    port: int = 8080
    tls_certificate: str = ""
    tls_private_key: str = ""
    tls_client_ca: str = ""
    # [cluster]
    cluster_url: str = ""
    cluster_node_id: str = ""
    cluster_node_address: str = "127.0.0.1"
    cluster_name: str = "default"
    cluster_heartbeat: float = 5.0  # seconds
    cluster_lease_ttl: float = 15.0  # seconds
    cluster_load_balance_port: int = 6342
    cluster_secret_file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError("expected a list of directory paths, e.g. [\"in\", \"/srv/exchange\"]")
    return list(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false (without quotes)")
    return value


#: TOML key (section.key) -> (Settings field, converter)
_KEYS: dict[str, tuple[str, Any]] = {
    "repository.durability": ("durability", str),
    "repository.initial_map_size": ("map_size", parse_data_size),
    "repository.inline_content_max": ("inline_content_max", parse_data_size),
    "repository.claim_file_max": ("claim_file_max", parse_data_size),
    "queues.window": ("queue_window", int),
    "scheduler.max_threads": ("max_threads", int),
    "scheduler.administrative_yield": ("administrative_yield", parse_time_period),
    "scheduler.gc_young_threshold": ("gc_young_threshold", int),
    "provenance.enabled": ("provenance_enabled", bool),
    "provenance.max_storage_time": ("provenance_max_storage_time", parse_time_period),
    "provenance.max_storage_size": ("provenance_max_storage_size", parse_data_size),
    "bulletins.per_component": ("bulletins_per_component", int),
    "security.file_roots": ("file_roots", _string_list),
    "web.host": ("host", str),
    "web.port": ("port", int),
    "cluster.url": ("cluster_url", str),
    "cluster.node_id": ("cluster_node_id", str),
    "cluster.node_address": ("cluster_node_address", str),
    "cluster.name": ("cluster_name", str),
    "cluster.heartbeat_interval": ("cluster_heartbeat", parse_time_period),
    "cluster.lease_ttl": ("cluster_lease_ttl", parse_time_period),
    "cluster.load_balance_port": ("cluster_load_balance_port", int),
    "cluster.secret_file": ("cluster_secret_file", str),
    "security.sensitive_props_key_file": ("sensitive_props_key_file", str),
    "security.allow_execute_code": ("allow_execute_code", _boolean),
    "web.tls_certificate": ("tls_certificate", str),
    "web.tls_private_key": ("tls_private_key", str),
    "web.tls_client_ca": ("tls_client_ca", str),
}


def engine_directories(settings: Settings) -> list[str]:
    """Directories no file processor may use, whatever the file roots: the data directory
    (repository, flow, login, keys), the shipped configuration and the engine's code."""
    package = os.path.dirname(os.path.abspath(__file__))
    return [settings.data_dir, os.path.dirname(DEFAULT_CONF), package]


def load_settings(path: str | None = None, **overrides: Any) -> Settings:
    """Settings from a TOML file (the shipped conf/nifi_like.toml by default) plus overrides."""
    settings = Settings()
    path = path or (DEFAULT_CONF if os.path.exists(DEFAULT_CONF) else None)
    if path:
        with open(path, "rb") as fh:
            try:
                document = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{path}: {exc}") from exc
        for section, values in document.items():
            if not isinstance(values, dict):
                raise ValueError(f"{path}: '{section}' should be a [section]")
            for key, value in values.items():
                name = f"{section}.{key}"
                if name not in _KEYS:
                    settings.extra[name] = value
                    continue
                attr, convert = _KEYS[name]
                try:
                    setattr(settings, attr, convert(value))
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"{path}: {name} = {value!r}: {exc}") from exc
    known = {f.name for f in fields(Settings)}
    for key, value in overrides.items():
        if key not in known:
            raise TypeError(f"unknown setting '{key}'")
        if value is not None:
            setattr(settings, key, value)
    return settings
