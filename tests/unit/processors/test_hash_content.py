"""HashContent and CryptographicHashContent: digests of the content into attributes."""

from __future__ import annotations

import hashlib

import pytest

from nifi_like.testing import TestRunner
from processors.transform.cryptographic_hash_content import CryptographicHashContent
from processors.transform.hash_content import HashContent

CONTENT = b"The quick brown fox jumps over the lazy dog" * 50_000


@pytest.mark.parametrize(("algorithm", "expected"), [
    ("MD5", hashlib.md5(CONTENT).hexdigest()),
    ("SHA-256", hashlib.sha256(CONTENT).hexdigest()),
    ("SHA-512/256", hashlib.new("sha512_256", CONTENT).hexdigest()),
    ("SHA3-384", hashlib.sha3_384(CONTENT).hexdigest()),
    ("BLAKE2-160", hashlib.blake2b(CONTENT, digest_size=20).hexdigest()),
])
def test_cryptographic_hash_content_writes_content_algorithm(algorithm: str, expected: str) -> None:
    with TestRunner(CryptographicHashContent, properties={"hash_algorithm": algorithm}) as runner:
        runner.enqueue(CONTENT)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_attribute_equals(f"content_{algorithm}", expected)
        flowfile.assert_content_equals(CONTENT)


def test_empty_content_is_hashed_unless_it_should_fail() -> None:
    with TestRunner(CryptographicHashContent) as runner:
        runner.enqueue(b"")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_equals(
            "content_SHA-256", hashlib.sha256(b"").hexdigest())
    with TestRunner(CryptographicHashContent, properties={"fail_when_empty": "true"}) as runner:
        runner.enqueue(b"")
        runner.enqueue(b"x")
        runner.run()
        runner.get_flowfiles_for_relationship("failure")[0].assert_attribute_not_exists("content_SHA-256")
        runner.assert_transferred("success", 1)


def test_hash_content_uses_the_named_attribute_and_md5_by_default() -> None:
    with TestRunner(HashContent) as runner:
        runner.enqueue(b"abc")
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_attribute_equals("hash.value", "900150983cd24fb0d6963f7d28e17f72")
    with TestRunner(HashContent, properties={"Hash Attribute Name": "sha", "Hash Algorithm": "SHA-1"}) as runner:
        runner.enqueue(b"abc")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_attribute_equals(
            "sha", "a9993e364706816aba3e25717850c26c9cd0d89d")


def test_an_unknown_algorithm_is_a_validation_error() -> None:
    with TestRunner(HashContent, properties={"Hash Algorithm": "CRC32"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'Hash Algorithm'" in error and "'CRC32' is not one of the allowed values" in error
    with TestRunner(CryptographicHashContent, properties={"hash_algorithm": "MD2"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'hash_algorithm'" in error
