"""EncryptContent: AES-GCM with a password-derived key; what is decrypted is what was encrypted."""

from __future__ import annotations

import os
import re

import pytest

from nifi_like.testing import MockFlowFile, TestRunner
from processors.transform.encrypt_content import FAILURE_REASON, IV_DELIMITER, SALT_DELIMITER, EncryptContent


def encrypt(content: bytes, password: str = "s3cret", kdf: str = "PBKDF2") -> MockFlowFile:
    with TestRunner(EncryptContent, properties={"Password": password, "Key Derivation Function": kdf}) as runner:
        runner.enqueue(content)
        runner.run()
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        return flowfile


def decrypt(content: bytes, password: str = "s3cret", kdf: str = "PBKDF2") -> TestRunner:
    runner = TestRunner(EncryptContent, properties={"Password": password, "Mode": "Decrypt",
                                                    "Key Derivation Function": kdf})
    runner.enqueue(content, {"filename": "secret.bin"})
    runner.run()
    return runner


@pytest.mark.parametrize("kdf", ["PBKDF2", "SCRYPT"])
def test_encrypted_content_decrypts_to_the_original(kdf: str) -> None:
    plaintext = os.urandom(200_000)  # larger than a chunk and than inline content
    encrypted = encrypt(plaintext, kdf=kdf)
    assert encrypted.content[16:24] == SALT_DELIMITER and encrypted.content[40:46] == IV_DELIMITER
    assert plaintext not in encrypted.content
    assert encrypted.size == len(plaintext) + 16 + 8 + 16 + 6 + 16
    encrypted.assert_attribute_equals("encryptcontent.action", "encrypted")
    encrypted.assert_attribute_equals("encryptcontent.kdf", kdf)
    encrypted.assert_attribute_equals("encryptcontent.plaintext_length", str(len(plaintext)))
    encrypted.assert_attribute_equals("encryptcontent.salt", encrypted.content[:16].hex())
    encrypted.assert_attribute_equals("encryptcontent.salt_length", "16")
    encrypted.assert_attribute_equals("encryptcontent.iv", encrypted.content[24:40].hex())
    encrypted.assert_attribute_equals("encryptcontent.iv_length", "16")
    encrypted.assert_attribute_equals("encryptcontent.cipher_text_length", str(encrypted.size))
    encrypted.assert_attribute_equals("encryptcontent.algorithm", "AES_GCM")
    assert ("encryptcontent.pbkdf2_iterations" in encrypted.attributes) == (kdf == "PBKDF2")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}",
                        encrypted.attributes["encryptcontent.timestamp"])
    with decrypt(encrypted.content, kdf=kdf) as runner:
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals(plaintext)
        flowfile.assert_attribute_equals("encryptcontent.action", "decrypted")


def test_the_same_content_encrypts_differently_each_time() -> None:
    assert encrypt(b"same").content != encrypt(b"same").content


def test_a_wrong_password_routes_the_unchanged_flowfile_to_failure() -> None:
    encrypted = encrypt(b"top secret").content
    with decrypt(encrypted, password="guess") as runner:
        [flowfile] = runner.get_flowfiles_for_relationship("failure")
        flowfile.assert_content_equals(encrypted)
        assert "wrong password" in (flowfile.get_attribute(FAILURE_REASON) or "")
        assert runner.bulletins


def test_altered_ciphertext_is_detected() -> None:
    encrypted = bytearray(encrypt(b"transfer 100 EUR").content)
    encrypted[50] ^= 0x01
    with decrypt(bytes(encrypted)) as runner:
        runner.assert_all_transferred("failure", 1)


def test_content_that_was_never_encrypted_goes_to_failure() -> None:
    with decrypt(b"just some plain text that is long enough to have a header") as runner:
        [flowfile] = runner.get_flowfiles_for_relationship("failure")
        assert "was not encrypted" in (flowfile.get_attribute(FAILURE_REASON) or "")
    with decrypt(b"") as runner:
        runner.assert_all_transferred("failure", 1)


def test_empty_content_round_trips() -> None:
    encrypted = encrypt(b"")
    with decrypt(encrypted.content) as runner:
        [flowfile] = runner.get_flowfiles_for_relationship("success")
        flowfile.assert_content_equals(b"")


def test_a_password_is_required() -> None:
    with TestRunner(EncryptContent) as runner:
        assert any("Password" in error for error in runner.assert_not_valid())
