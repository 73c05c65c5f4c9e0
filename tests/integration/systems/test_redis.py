"""RedisDistributedMapCacheClientService (the map_cache_api contract) and Put/FetchDistributedMapCache
against a real redis-server."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from processors.cache.fetch_distributed_map_cache import FetchDistributedMapCache
from processors.cache.put_distributed_map_cache import PutDistributedMapCache
from processors.services.map_cache_api import CacheUnavailable
from processors.services.redis_connection_pool_service import RedisConnectionPoolService
from processors.services.redis_distributed_map_cache_client_service import (
    RedisDistributedMapCacheClientService,
)
from processors.services.testing import ServiceTestRunner
from tests.support.servers import Server, free_port


def with_cache(processor: type, properties: dict[str, str], port: int, ttl: str = "0 secs") -> ServiceTestRunner:
    runner = ServiceTestRunner(processor, {"Distributed Cache Service": "cache", **properties})
    runner.add_controller_service("pool", RedisConnectionPoolService, {
        "Connection String": f"127.0.0.1:{port}", "Communication Timeout": "2 secs"})
    runner.add_controller_service("cache", RedisDistributedMapCacheClientService, {
        "redis-connection-pool": "pool", "redis-cache-ttl": ttl})
    runner.enable_controller_service("pool")
    runner.enable_controller_service("cache")
    return runner


def key() -> str:
    return f"nifi-like-test-{uuid.uuid4().hex}"


def test_put_then_fetch_round_trip_with_update_strategies(redis_server: Server) -> None:
    name = key()
    with with_cache(PutDistributedMapCache, {"Cache Entry Identifier": "${id}"}, redis_server.port) as put:
        put.enqueue(b"\x00binary\xff", {"id": name})
        put.run()
        put.assert_all_transferred("success", 1)
        put.get_flowfiles_for_relationship("success")[0].assert_attribute_equals("cached", "true")
        put.set_property("Cache update strategy", "keeporiginal")
        put.clear_transfer_state()
        put.enqueue(b"newer", {"id": name})
        put.run()
        put.assert_all_transferred("failure", 1)  # kept the original: not cached, to failure as in NiFi
        put.get_flowfiles_for_relationship("failure")[0].assert_attribute_equals("cached", "false")
    assert redis.Redis(port=redis_server.port).get(name) == b"\x00binary\xff"
    with with_cache(FetchDistributedMapCache, {"Cache Entry Identifier": "${id}"}, redis_server.port) as fetch:
        fetch.enqueue(b"to be replaced", {"id": name})
        fetch.enqueue(b"unknown", {"id": key()})
        fetch.run()
        fetch.assert_transferred("success", 1)
        fetch.assert_transferred("not-found", 1)
        fetch.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"\x00binary\xff")
        fetch.get_flowfiles_for_relationship("not-found")[0].assert_content_equals(b"unknown")


def test_fetch_into_an_attribute_is_truncated_to_the_max_length(redis_server: Server) -> None:
    name = key()
    redis.Redis(port=redis_server.port).set(name, "é" * 300)
    with with_cache(FetchDistributedMapCache, {"Cache Entry Identifier": name, "Put Cache Value In Attribute": "v",
                                               "Max Length To Put In Attribute": "10"}, redis_server.port) as fetch:
        fetch.enqueue(b"content stays")
        fetch.run()
        out = fetch.get_flowfiles_for_relationship("success")[0]
        out.assert_attribute_equals("v", "é" * 10)
        out.assert_content_equals(b"content stays")


def test_bad_input_goes_to_failure_with_the_reason(redis_server: Server) -> None:
    with with_cache(PutDistributedMapCache, {"Cache Entry Identifier": "${id}", "Max cache entry size": "4 B"},
                    redis_server.port) as put:
        put.enqueue(b"x")  # no id attribute
        put.enqueue(b"too large", {"id": key()})
        put.run()
        put.assert_all_transferred("failure", 2)
        reasons = [ff.get_attribute("cache.error.message") or "" for ff in put.get_flowfiles_for_relationship("failure")]
        assert reasons[0] == "the Cache Entry Identifier evaluated to an empty value"
        assert "larger than Max cache entry size" in reasons[1]


def test_unreachable_redis_routes_to_failure_penalized_and_yields() -> None:
    port = free_port()
    with with_cache(PutDistributedMapCache, {"Cache Entry Identifier": "k"}, port) as put:
        put.enqueue(b"a")
        put.enqueue(b"b")
        put.run()
        put.assert_all_transferred("failure", 2)
        flowfile = put.get_flowfiles_for_relationship("failure")[0]
        assert f"Redis at redis://127.0.0.1:{port}/0: ConnectionError" in (flowfile.get_attribute("cache.error.message") or "")
        assert flowfile.is_penalized and put.is_yielded
    with with_cache(FetchDistributedMapCache, {"Cache Entry Identifier": "k"}, port) as fetch:
        fetch.enqueue(b"a")
        fetch.run()
        fetch.assert_all_transferred("failure", 1)
        assert fetch.is_yielded


def test_cache_client_contract_revisions_and_ttl(redis_server: Server) -> None:
    with with_cache(PutDistributedMapCache, {"Cache Entry Identifier": "unused"}, redis_server.port) as runner:
        cache = runner.services.nodes["cache"].service
        assert isinstance(cache, RedisDistributedMapCacheClientService)
        name = key().encode()
        assert cache.fetch(name) is None
        assert cache.replace(name, b"v1", None)  # absent: a None revision creates it
        assert not cache.replace(name, b"v1 again", None)
        entry = cache.fetch(name)
        assert entry is not None and entry.value == b"v1"
        assert cache.replace(name, b"v2", entry.revision)
        assert not cache.replace(name, b"stale", entry.revision)  # someone (we) changed it since
        assert cache.get(name) == b"v2"
        assert not cache.put_if_absent(name, b"x")
        assert cache.get_and_put_if_absent(name, b"x") == b"v2"
        other = key().encode()
        assert cache.get_and_put_if_absent(other, b"first") is None and cache.get(other) == b"first"
        assert cache.contains_key(other) and cache.remove(other) and not cache.contains_key(other)
        assert cache.remove_all([name, other]) == 1
    with with_cache(PutDistributedMapCache, {"Cache Entry Identifier": "unused"}, redis_server.port,
                    ttl="200 millis") as runner:
        cache = runner.services.nodes["cache"].service
        assert isinstance(cache, RedisDistributedMapCacheClientService)
        short = key().encode()
        cache.put(short, b"soon gone")
        ttl_ms = redis.Redis(port=redis_server.port).pttl(short)
        assert 0 < ttl_ms <= 200
        deadline = time.monotonic() + 5
        while cache.contains_key(short) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not cache.contains_key(short)
        runner.disable_controller_service("cache")
        with pytest.raises(CacheUnavailable, match="not enabled"):
            cache.get(short)
