"""Message digests by their Java names, shared by HashContent and CryptographicHashContent.
Not a processor module."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO, Any

_CHUNK = 1 << 20

#: Java algorithm name -> a new hashlib object. BLAKE2-n is BLAKE2b with an n-bit digest, as NiFi's.
ALGORITHMS: dict[str, Callable[[], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-224": hashlib.sha224,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
    "SHA-512/224": lambda: hashlib.new("sha512_224"),
    "SHA-512/256": lambda: hashlib.new("sha512_256"),
    "SHA3-224": hashlib.sha3_224,
    "SHA3-256": hashlib.sha3_256,
    "SHA3-384": hashlib.sha3_384,
    "SHA3-512": hashlib.sha3_512,
    "BLAKE2-160": lambda: hashlib.blake2b(digest_size=20),
    "BLAKE2-256": lambda: hashlib.blake2b(digest_size=32),
    "BLAKE2-384": lambda: hashlib.blake2b(digest_size=48),
    "BLAKE2-512": lambda: hashlib.blake2b(digest_size=64),
}


def hex_digest(algorithm: str, stream: IO[bytes]) -> str:
    """The lowercase hex digest of everything ``stream`` holds, read in chunks."""
    digest = ALGORITHMS[algorithm]()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return str(digest.hexdigest())
