"""EncryptContent: password-based AES-GCM encryption and decryption of FlowFile content.

NiFi 1.x's EncryptContent with a password, a key derivation function and the AES_GCM algorithm
(NiFi 2 has only EncryptContentAge / EncryptContentPGP). Each FlowFile gets a random salt and IV;
the content is laid out as NiFi lays out password-based ciphertext:
``salt | "NiFiSALT" | IV | "NiFiIV" | ciphertext | 16-byte GCM tag``. The key is 256 bits, derived
with PBKDF2-HMAC-SHA512 (160,000 iterations) or scrypt (N=2^14, r=8, p=1); byte-for-byte
compatibility with NiFi's own output is not claimed. Content is streamed in both directions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import IO, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from nifi_like.api import (
    AllowableValue,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

ENCRYPT, DECRYPT = "Encrypt", "Decrypt"
PBKDF2 = AllowableValue("PBKDF2", "PBKDF2", "PBKDF2-HMAC-SHA512 with 160,000 iterations and a 16 byte random salt")
SCRYPT = AllowableValue("SCRYPT", "Scrypt", "scrypt (N=16384, r=8, p=1) with a 16 byte random salt")
AES_GCM = AllowableValue("AES_GCM", "AES/GCM/NoPadding", "AES with a 256 bit key in Galois/Counter Mode, which also "
                                                         "authenticates the content")
SALT_DELIMITER = b"NiFiSALT"
IV_DELIMITER = b"NiFiIV"
SALT_LENGTH = 16
IV_LENGTH = 16
TAG_LENGTH = 16
PBKDF2_ITERATIONS = 160_000
CHUNK = 1 << 16
FAILURE_REASON = "encryptcontent.failure.reason"


class CryptoError(Exception):
    """The content cannot be decrypted (wrong password, altered or not encrypted content)."""


def derive_key(kdf: str, password: str, salt: bytes) -> bytes:
    if kdf == SCRYPT.value:
        return Scrypt(salt=salt, length=32, n=1 << 14, r=8, p=1).derive(password.encode("utf-8"))
    return PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt,
                      iterations=PBKDF2_ITERATIONS).derive(password.encode("utf-8"))


def encrypt_stream(source: IO[bytes], out: IO[bytes], key: bytes, salt: bytes, iv: bytes) -> int:
    """Write the header and the ciphertext of ``source``; return the plaintext length."""
    encryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    out.write(salt + SALT_DELIMITER + iv + IV_DELIMITER)
    length = 0
    while chunk := source.read(CHUNK):
        length += len(chunk)
        out.write(encryptor.update(chunk))
    out.write(encryptor.finalize())
    out.write(encryptor.tag)
    return length


def read_header(source: IO[bytes]) -> tuple[bytes, bytes]:
    header = source.read(SALT_LENGTH + len(SALT_DELIMITER) + IV_LENGTH + len(IV_DELIMITER))
    salt, rest = header[:SALT_LENGTH], header[SALT_LENGTH:]
    if not rest.startswith(SALT_DELIMITER) or not rest.endswith(IV_DELIMITER):
        raise CryptoError("the content does not start with a salt and an IV (NiFiSALT / NiFiIV): it was not "
                          "encrypted by EncryptContent")
    return salt, rest[len(SALT_DELIMITER): len(SALT_DELIMITER) + IV_LENGTH]


def decrypt_stream(source: IO[bytes], out: IO[bytes], key: bytes, iv: bytes) -> int:
    """Write the plaintext of what follows the header; the last 16 bytes are the tag. Raises
    CryptoError when the tag does not match (the written output must then be discarded)."""
    decryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).decryptor()
    held = b""
    length = 0
    while chunk := source.read(CHUNK):
        held += chunk
        if len(held) > TAG_LENGTH:
            body, held = held[:-TAG_LENGTH], held[-TAG_LENGTH:]
            plain = decryptor.update(body)
            length += len(plain)
            out.write(plain)
    if len(held) < TAG_LENGTH:
        raise CryptoError("the content is too short to hold an authentication tag")
    try:
        out.write(decryptor.finalize_with_tag(held))
    except InvalidTag:
        raise CryptoError("the authentication tag does not match: wrong password, or the content was altered") from None
    return length


class EncryptContent(Processor):
    """Encrypts or Decrypts a FlowFile using a password-based key (PBKDF2 or scrypt) and AES in GCM mode, which
    also detects any change to the encrypted content. Decryption of content that was altered, not encrypted, or
    encrypted with another password routes the FlowFile, unchanged, to failure."""

    tags = ("encryption", "decryption", "password", "AES", "GCM", "PBKDF2", "scrypt")
    nifi_type = "org.apache.nifi.processors.standard.EncryptContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "encryptcontent.action": "\"encrypted\" or \"decrypted\" depending on the processor operation",
        "encryptcontent.algorithm": "The algorithm used for the cryptographic operation",
        "encryptcontent.kdf": "The key derivation function used",
        "encryptcontent.salt": "The raw salt in hex encoding",
        "encryptcontent.salt_length": "The raw salt length in bytes",
        "encryptcontent.iv": "The Initialization Vector in hex encoding",
        "encryptcontent.iv_length": "The IV length in bytes",
        "encryptcontent.pbkdf2_iterations": "The number of PBKDF2 iterations used (when the KDF is PBKDF2)",
        "encryptcontent.plaintext_length": "The plaintext length in bytes",
        "encryptcontent.cipher_text_length": "The cipher text length in bytes (header and tag included)",
        "encryptcontent.timestamp": "The timestamp at which the cryptographic operation occurred in "
                                    "'yyyy-MM-dd HH:mm:ss.SSS Z' format",
        FAILURE_REASON: "Why the content could not be encrypted or decrypted (a nifi_like addition)",
    }

    MODE = PropertyDescriptor("Mode", description="Specifies whether the content should be encrypted or decrypted",
                              required=True, default=ENCRYPT, allowable_values=(ENCRYPT, DECRYPT))
    KEY_DERIVATION_FUNCTION = PropertyDescriptor(
        "Key Derivation Function", description="Specifies the key derivation function to generate the key from the "
                                               "password (and salt)", required=True, default=PBKDF2.value,
        allowable_values=(PBKDF2, SCRYPT))
    ENCRYPTION_ALGORITHM = PropertyDescriptor(
        "Encryption Algorithm", description="The Encryption Algorithm to use", required=True,
        default=AES_GCM.value, allowable_values=(AES_GCM,))
    PASSWORD = PropertyDescriptor("Password", description="The Password to use for encrypting or decrypting the data",
                                  required=True, sensitive=True, validator=validators.NON_EMPTY)

    SUCCESS = Relationship("success", "Any FlowFile that is successfully encrypted or decrypted will be routed to "
                                      "success")
    FAILURE = Relationship("failure", "Any FlowFile that cannot be encrypted or decrypted will be routed to failure")

    BATCH = 10

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        mode = context.get_property(self.MODE).value
        kdf = context.get_property(self.KEY_DERIVATION_FUNCTION).value or PBKDF2.value
        password = context.get_property(self.PASSWORD).value or ""
        for flowfile in session.get_batch(self.BATCH):
            if mode == DECRYPT:
                self._decrypt(context, session, flowfile, kdf, password)
            else:
                self._encrypt(session, flowfile, kdf, password)

    def _encrypt(self, session: ProcessSession, flowfile: FlowFile, kdf: str, password: str) -> None:
        salt, iv = os.urandom(SALT_LENGTH), os.urandom(IV_LENGTH)
        key = derive_key(kdf, password, salt)
        plaintext = flowfile.size

        def encrypt(source: IO[bytes], out: IO[bytes]) -> None:
            encrypt_stream(source, out, key, salt, iv)

        flowfile = session.transform(flowfile, encrypt)
        attributes = _attributes("encrypted", kdf, salt, iv, plaintext, flowfile.size)
        session.transfer(session.put_all_attributes(flowfile, attributes), self.SUCCESS)

    def _decrypt(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, kdf: str,
                 password: str) -> None:
        ciphertext = flowfile.size
        try:
            with session.read(flowfile) as stream:
                salt, iv = read_header(stream)
            key = derive_key(kdf, password, salt)

            def decrypt(source: IO[bytes], out: IO[bytes]) -> None:
                read_header(source)
                decrypt_stream(source, out, key, iv)

            decrypted = session.transform(flowfile, decrypt)
        except CryptoError as exc:
            context.logger.error(f"cannot decrypt {flowfile}: {exc}; routing to failure")
            session.transfer(session.put_attribute(flowfile, FAILURE_REASON, str(exc)), self.FAILURE)
            return
        attributes = _attributes("decrypted", kdf, salt, iv, decrypted.size, ciphertext)
        session.transfer(session.put_all_attributes(decrypted, attributes), self.SUCCESS)


def _attributes(action: str, kdf: str, salt: bytes, iv: bytes, plaintext: int, ciphertext: int) -> dict[str, str]:
    now = datetime.now().astimezone()
    attributes = {
        "encryptcontent.action": action, "encryptcontent.algorithm": AES_GCM.value, "encryptcontent.kdf": kdf,
        "encryptcontent.salt": salt.hex(), "encryptcontent.salt_length": str(len(salt)),
        "encryptcontent.iv": iv.hex(), "encryptcontent.iv_length": str(len(iv)),
        "encryptcontent.plaintext_length": str(plaintext), "encryptcontent.cipher_text_length": str(ciphertext),
        "encryptcontent.timestamp": f"{now:%Y-%m-%d %H:%M:%S}.{now.microsecond // 1000:03d} {now:%z}",
    }
    if kdf == PBKDF2.value:
        attributes["encryptcontent.pbkdf2_iterations"] = str(PBKDF2_ITERATIONS)
    return attributes
