"""DistributedMapCacheServer + DistributedMapCacheClientService over a real loopback socket, and the
processors that use them: PutDistributedMapCache, FetchDistributedMapCache, DetectDuplicate."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import msgpack
import pytest

from nifi_like.testing import TestRunner
from processors.cache.fetch_distributed_map_cache import FetchDistributedMapCache
from processors.cache.put_distributed_map_cache import PutDistributedMapCache
from processors.routing.detect_duplicate import DetectDuplicate
from processors.services.distributed_map_cache_client import DistributedMapCacheClientService
from processors.services.map_cache_api import CacheEntry, CacheUnavailable, DistributedMapCacheClient
from tests.unit.processors.map_cache import CLIENT, SERVER, add_map_cache, add_unreachable_cache


def client_of(runner: TestRunner) -> DistributedMapCacheClientService:
    service = runner.services.instance(CLIENT)
    assert isinstance(service, DistributedMapCacheClientService)
    return service


def test_client_operations_and_revision_checked_replace() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner)
        cache = client_of(runner)
        assert isinstance(cache, DistributedMapCacheClient)
        assert cache.get(b"a") is None and cache.fetch(b"a") is None and not cache.contains_key(b"a")
        assert cache.put_if_absent(b"a", b"1") and not cache.put_if_absent(b"a", b"2")
        assert cache.get(b"a") == b"1" and cache.contains_key(b"a")
        entry = cache.fetch(b"a")
        assert isinstance(entry, CacheEntry) and entry.key == b"a" and entry.value == b"1"
        revision = entry.revision
        assert not cache.replace(b"a", b"stale", None), "None (absent) must not match a cached key"
        assert cache.replace(b"a", b"3", revision)
        assert not cache.replace(b"a", b"4", revision), "a used revision must not match again"
        assert cache.get(b"a") == b"3"
        assert cache.replace(b"new", b"x", None) and cache.get(b"new") == b"x"
        assert cache.get_and_put_if_absent(b"new", b"y") == b"x" and cache.get(b"new") == b"x"
        assert cache.get_and_put_if_absent(b"other", b"first") is None and cache.get(b"other") == b"first"
        assert cache.remove_all([b"new", b"other", b"never"]) == 2
        with pytest.raises(ValueError, match="not a revision"):
            cache.replace(b"a", b"x", "sha256:not-ours")
        assert cache.remove(b"a") and not cache.remove(b"a")
        cache.put(b"a", b"5")
        again = cache.fetch(b"a")
        assert again is not None and again.revision != revision, "a key stored again gets a new revision"
        assert not cache.replace(b"a", b"6", revision), "the revision from before the removal does not match"
        cache.put(b"k" * 2000, b"long keys work")
        assert cache.get(b"k" * 2000) == b"long keys work"


def test_persistence_directory_keeps_entries_across_a_restart(tmp_path: Path) -> None:
    properties = {"Persistence Directory": str(tmp_path / "cache")}
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner, properties)
        cache = client_of(runner)
        cache.put(b"kept", b"value")
        cache.put(b"gone", b"x")
        assert cache.remove(b"gone")
        kept = cache.fetch(b"kept")
        assert kept is not None
        runner.disable_controller_service(CLIENT)
        runner.disable_controller_service(SERVER)
        runner.enable_controller_service(SERVER)
        runner.enable_controller_service(CLIENT)
        assert cache.get(b"kept") == b"value"
        assert cache.get(b"gone") is None
        assert cache.replace(b"kept", b"new", kept.revision), "revisions survive the restart"
        cache.put(b"after", b"y")
        after = cache.fetch(b"after")
        assert after is not None and after.revision != kept.revision, "revisions keep counting after a restart"
        assert not cache.replace(b"kept", b"stale", kept.revision)


def test_without_persistence_a_restart_empties_the_cache() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner)
        client_of(runner).put(b"a", b"1")
        runner.disable_controller_service(SERVER)
        runner.enable_controller_service(SERVER)
        assert client_of(runner).get(b"a") is None


@pytest.mark.parametrize(("strategy", "evicted"), [("First In, First Out", b"a"), ("Least Recently Used", b"b"),
                                                   ("Least Frequently Used", b"b")])
def test_eviction_strategies(strategy: str, evicted: bytes) -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner, {"Maximum Cache Entries": "2", "Eviction Strategy": strategy})
        cache = client_of(runner)
        cache.put(b"a", b"1")
        cache.put(b"b", b"2")
        assert cache.get(b"a") == b"1"  # 'a' is used again: more recent and more frequent than 'b'
        cache.put(b"c", b"3")
        assert cache.get(evicted) is None
        assert cache.get(b"c") == b"3"
        assert sum(cache.contains_key(k) for k in (b"a", b"b", b"c")) == 2


def test_unreachable_server_is_an_error_naming_it() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_unreachable_cache(runner)
        port = runner.services.nodes[CLIENT].properties["Server Port"]
        with pytest.raises(CacheUnavailable, match=f"127.0.0.1:{port}"):
            client_of(runner).get(b"a")


def test_a_value_over_the_maximum_read_size_is_refused_and_the_server_keeps_serving() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner, {"maximum-read-size": "1 KB"})
        cache = client_of(runner)
        with pytest.raises(CacheUnavailable, match="larger than the maximum read size"):
            cache.put(b"big", b"x" * 10_000)
        cache.put(b"small", b"ok")
        assert cache.get(b"small") == b"ok"


def test_a_client_speaking_something_else_is_told_so() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        port = add_map_cache(runner)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            payload = msgpack.packb(["GET / HTTP/1.0"])
            sock.sendall(struct.pack(">I", len(payload)) + payload)
            length = struct.unpack(">I", sock.recv(4))[0]
            status, message = msgpack.unpackb(sock.recv(length))
        assert status == "error" and "not a nifi_like-map-cache client" in message
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"\xff\xff\xff\xffjunk")  # a frame length far over the limit
        client_of(runner).put(b"still", b"serving")
        assert client_of(runner).get(b"still") == b"serving"


def test_server_port_in_use_is_a_clear_error() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        port = add_map_cache(runner)
        from processors.services.distributed_map_cache_server import DistributedMapCacheServer
        runner.add_controller_service("second", DistributedMapCacheServer, {"Port": str(port)})
        with pytest.raises(Exception, match=f"cannot listen on 127.0.0.1:{port}"):
            runner.enable_controller_service("second")


# -- PutDistributedMapCache ---------------------------------------------------------------

def test_put_caches_content_under_the_evaluated_key(expression_language: None) -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "${id}",
                                             "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner)
        runner.enqueue(b"first", {"id": "a"})
        runner.enqueue(b"second", {"id": "b"})
        runner.run()
        runner.assert_all_transferred("success", count=2)
        for flowfile in runner.get_flowfiles_for_relationship("success"):
            flowfile.assert_attribute_equals("cached", "true")
        assert client_of(runner).get(b"a") == b"first"
        runner.enqueue(b"replaced", {"id": "a"})
        runner.run()
        assert client_of(runner).get(b"a") == b"replaced"


def test_put_keep_original_routes_an_existing_key_to_failure(expression_language: None) -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "${id}", "Distributed Cache Service": CLIENT,
                                             "Cache update strategy": "keeporiginal"}) as runner:
        add_map_cache(runner)
        runner.enqueue(b"first", {"id": "a"})
        runner.enqueue(b"second", {"id": "a"})
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_equals("cached", "true")
        [kept_out] = runner.get_flowfiles_for_relationship("failure")
        kept_out.assert_attribute_equals("cached", "false")
        assert client_of(runner).get(b"a") == b"first"


def test_put_bad_input_goes_to_failure_penalized(expression_language: None) -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "${id}", "Distributed Cache Service": CLIENT,
                                             "Max cache entry size": "10 B"}) as runner:
        add_map_cache(runner)
        runner.enqueue(b"no key")
        runner.enqueue(b"far too large for the cache", {"id": "big"})
        runner.run()
        failed = runner.get_flowfiles_for_relationship("failure")
        assert len(failed) == 2 and all(f.is_penalized for f in failed)
        assert client_of(runner).get(b"big") is None
        assert any("no attribute for given Cache Entry Identifier" in b.message for b in runner.bulletins)


def test_put_with_the_server_down_goes_to_failure_with_a_bulletin() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k", "Distributed Cache Service": CLIENT}) as runner:
        add_unreachable_cache(runner)
        runner.enqueue(b"x")
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert failed.is_penalized
        assert any("Unable to communicate with cache" in b.message for b in runner.bulletins)


def test_put_needs_a_cache_service() -> None:
    with TestRunner(PutDistributedMapCache, {"Cache Entry Identifier": "k"}) as runner:
        assert any("Distributed Cache Service" in p for p in runner.assert_not_valid())


# -- FetchDistributedMapCache -------------------------------------------------------------

def test_fetch_replaces_content_or_routes_not_found(expression_language: None) -> None:
    with TestRunner(FetchDistributedMapCache, {"Cache Entry Identifier": "${id}",
                                               "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner)
        client_of(runner).put(b"a", b"cached value")
        runner.enqueue(b"old", {"id": "a"})
        runner.enqueue(b"old", {"id": "missing"})
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"cached value")
        runner.get_flowfiles_for_relationship("not-found")[0].assert_content_equals(b"old")


def test_fetch_into_attributes_truncated_and_per_key(expression_language: None) -> None:
    with TestRunner(FetchDistributedMapCache, {"Cache Entry Identifier": "${id}",
                                               "Distributed Cache Service": CLIENT,
                                               "Put Cache Value In Attribute": "found",
                                               "Max Length To Put In Attribute": "4"}) as runner:
        add_map_cache(runner)
        client_of(runner).put(b"a", "héllo world".encode())
        client_of(runner).put(b"b", b"bee")
        runner.enqueue(b"kept", {"id": "a"})
        runner.enqueue(b"kept", {"id": "a, b"})
        runner.run()
        single, several = runner.get_flowfiles_for_relationship("success")
        single.assert_attribute_equals("found", "héll")
        single.assert_content_equals(b"kept")
        several.assert_attribute_equals("found.a", "héll")
        several.assert_attribute_equals("found.b", "bee")


def test_fetch_bad_input_and_unreachable_cache_go_to_failure(expression_language: None) -> None:
    with TestRunner(FetchDistributedMapCache, {"Cache Entry Identifier": "${id}",
                                               "Distributed Cache Service": CLIENT}) as runner:
        add_map_cache(runner)
        runner.enqueue(b"", {"id": "a,b"})  # several keys need an attribute to put them in
        runner.enqueue(b"")  # no id: a blank key
        runner.run()
        failed = runner.get_flowfiles_for_relationship("failure")
        assert len(failed) == 2 and all(f.is_penalized for f in failed)
        runner.disable_controller_service(CLIENT)
        runner.disable_controller_service(SERVER)
        runner.enable_controller_service(CLIENT)  # its server is gone
        runner.enqueue(b"", {"id": "a"})
        runner.run()
        runner.assert_all_transferred("failure", count=3)
        assert any("Unable to communicate with cache" in b.message for b in runner.bulletins)


# -- DetectDuplicate over the shared cache ------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_detect_duplicate_shares_identifiers_through_the_cache_service(expression_language: None) -> None:
    clock = Clock()
    properties = {"Cache Entry Identifier": "${id}", "FlowFile Description": "from ${filename}",
                  "Distributed Cache Service": CLIENT, "Age Off Duration": "10 sec"}
    with TestRunner(DetectDuplicate(wall_clock=clock), properties) as runner:
        add_map_cache(runner)
        runner.enqueue(b"1", {"id": "a", "filename": "one"})
        runner.enqueue(b"2", {"id": "a", "filename": "two"})
        runner.run()
        runner.assert_transferred("non-duplicate", 1)
        [duplicate] = runner.get_flowfiles_for_relationship("duplicate")
        duplicate.assert_attribute_equals("original.flowfile.description", "from one")
        assert client_of(runner).contains_key(b"a"), "the identifier is in the shared cache"
        clock.now += 11
        runner.enqueue(b"3", {"id": "a", "filename": "three"})
        runner.run()
        runner.assert_transferred("non-duplicate", 2)  # aged off, cached again
        runner.enqueue(b"4", {"id": "a"})
        runner.run()
        assert runner.get_flowfiles_for_relationship("duplicate")[-1].get_attribute(
            "original.flowfile.description") == "from three"


def test_detect_duplicate_with_the_cache_down_goes_to_failure(expression_language: None) -> None:
    with TestRunner(DetectDuplicate, {"Cache Entry Identifier": "${id}", "Distributed Cache Service": CLIENT}) as runner:
        add_unreachable_cache(runner)
        runner.enqueue(b"", {"id": "a"})
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
        assert failed.is_penalized
