"""The key that encrypts sensitive values at rest, and the AES-256-GCM cipher that uses it.

As NiFi's ``nifi.sensitive.props.key``, the key lives apart from the data it protects: a file named
by ``[security] sensitive_props_key_file``, which may not lie inside the data directory (a copy
of the data directory must not carry its own key). It is created (mode 0600) the first time a
sensitive value is stored. A stored value reads ``enc{<base64 of 12-byte nonce + ciphertext + tag>}``.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX, SUFFIX = "enc{", "}"
NONCE = 12
CONTEXT = b"nifi-like sensitive value v1"  # associated data: a value encrypted for something else does not decrypt


class SensitiveKeyError(ValueError):
    """The key file is missing, unreadable, misplaced, or not the key the values were encrypted with."""


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX) and value.endswith(SUFFIX)


def _inside(path: str, directory: str) -> bool:
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return os.path.commonpath([path, directory]) == directory


class PropertyCipher:
    """Encrypts and decrypts sensitive values with the key in ``key_file`` (read once, created on first use)."""

    def __init__(self, key_file: str, data_dir: str) -> None:
        self.key_file = os.path.abspath(os.path.expanduser(key_file))
        if _inside(self.key_file, data_dir):
            raise SensitiveKeyError(
                f"[security] sensitive_props_key_file {self.key_file} is inside the data directory "
                f"{os.path.abspath(data_dir)}; keep the key outside it, so that a copy of the data does not carry "
                "the key to its sensitive values")
        self._key: bytes | None = None

    def _read(self) -> bytes:
        try:
            with open(self.key_file, "rb") as fh:
                text = fh.read().decode("ascii").strip()
            key = bytes.fromhex(text)
        except OSError as exc:
            raise SensitiveKeyError(f"cannot read the sensitive properties key {self.key_file}: {exc.strerror}") \
                from exc
        except (UnicodeDecodeError, ValueError):
            raise SensitiveKeyError(f"the sensitive properties key {self.key_file} is not 64 hex digits") from None
        if len(key) != 32:
            raise SensitiveKeyError(f"the sensitive properties key {self.key_file} is not 64 hex digits (256 bits)")
        return key

    def _create(self) -> None:
        os.makedirs(os.path.dirname(self.key_file), mode=0o700, exist_ok=True)
        try:
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use that one
            return
        try:
            os.write(fd, (secrets.token_hex(32) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def key(self, *, create: bool) -> bytes:
        if self._key is None:
            if not os.path.exists(self.key_file):
                if not create:
                    raise SensitiveKeyError(
                        f"the sensitive properties key {self.key_file} does not exist, but the flow holds values "
                        "encrypted with it; restore that file, or point [security] sensitive_props_key_file at it")
                self._create()
            self._key = self._read()
        return self._key

    def encrypt(self, plaintext: str) -> str:
        nonce = secrets.token_bytes(NONCE)
        sealed = AESGCM(self.key(create=True)).encrypt(nonce, plaintext.encode("utf-8"), CONTEXT)
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii") + SUFFIX

    def decrypt(self, value: str, where: str) -> str:
        """The plaintext of an ``enc{...}`` value; ``where`` names the value in the error."""
        key = self.key(create=False)
        try:
            raw = base64.b64decode(value[len(PREFIX):-len(SUFFIX)], validate=True)
            return AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], CONTEXT).decode("utf-8")
        except (binascii.Error, ValueError, InvalidTag):
            raise SensitiveKeyError(
                f"{where} cannot be decrypted with the key in {self.key_file}: the value is damaged or was "
                "encrypted with another key; restore the key file it was encrypted with") from None
