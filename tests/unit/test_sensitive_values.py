"""Sensitive values: the cipher and key file, and what protect / reveal / omit / mask do to a flow."""

from __future__ import annotations

import copy
import stat
from pathlib import Path
from typing import Any

import pytest

from nifi_like.api import Processor, PropertyDescriptor, validators
from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.cipher import PropertyCipher, SensitiveKeyError, is_encrypted
from nifi_like.flow.sensitive import MASK, Sensitivity, keep_masked
from nifi_like.flow.validation import property_problems

SECRET = "s3cret-value"


def _flow() -> dict[str, Any]:
    encrypt = {"identifier": "e", "name": "enc", "type": "EncryptContent",
               "properties": {"Mode": "Encrypt", "Password": SECRET}}
    unknown = {"identifier": "u", "name": "gone", "type": "NotInstalled", "properties": {"Token": "t0k", "Plain": "x"},
               "propertyDescriptors": {"Token": {"name": "Token", "sensitive": True}}}
    child = {"identifier": "g2", "name": "child", "processors": [unknown]}
    return {"flowContents": {"identifier": "g", "name": "root", "processors": [encrypt], "processGroups": [child]},
            "parameterContexts": {"ctx": {"name": "ctx", "parameters": [
                {"name": "pw", "sensitive": True, "value": "param-secret"},
                {"name": "plain", "sensitive": False, "value": "visible"}]}}}


@pytest.fixture
def cipher(tmp_path: Path) -> PropertyCipher:
    return PropertyCipher(str(tmp_path / "keys" / "sensitive.key"), str(tmp_path / "data"))


def test_protect_encrypts_exactly_the_sensitive_values_and_reveal_restores_them(cipher: PropertyCipher) -> None:
    sensitivity = Sensitivity(ProcessorRegistry())
    original = _flow()
    stored = sensitivity.protect(original, cipher)
    assert original == _flow(), "protect must not change the flow in memory"
    encrypt = stored["flowContents"]["processors"][0]
    unknown = stored["flowContents"]["processGroups"][0]["processors"][0]
    parameters = stored["parameterContexts"]["ctx"]["parameters"]
    assert is_encrypted(encrypt["properties"]["Password"]) and encrypt["properties"]["Mode"] == "Encrypt"
    assert encrypt["propertyDescriptors"]["Password"]["sensitive"] is True
    assert is_encrypted(unknown["properties"]["Token"]) and unknown["properties"]["Plain"] == "x"
    assert is_encrypted(parameters[0]["value"]) and parameters[1]["value"] == "visible"
    assert SECRET not in repr(stored) and "param-secret" not in repr(stored)
    again = sensitivity.protect(original, cipher)
    assert again["flowContents"]["processors"][0]["properties"]["Password"] != encrypt["properties"]["Password"], \
        "each encryption takes a fresh nonce"
    revealed = sensitivity.reveal(copy.deepcopy(stored), cipher, "flow.json")
    assert revealed["flowContents"]["processors"][0]["properties"]["Password"] == SECRET
    assert revealed["flowContents"]["processGroups"][0]["processors"][0]["properties"]["Token"] == "t0k"
    assert revealed["parameterContexts"]["ctx"]["parameters"][0]["value"] == "param-secret"


def test_the_key_is_made_on_first_use_private_and_a_tampered_value_is_refused(cipher: PropertyCipher) -> None:
    key_file = Path(cipher.key_file)
    Sensitivity(ProcessorRegistry()).protect({"flowContents": {"identifier": "g", "processors": []}}, cipher)
    assert not key_file.exists(), "no sensitive value, no key"
    value = cipher.encrypt(SECRET)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cipher.decrypt(value, "here") == SECRET
    tampered = value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]
    with pytest.raises(SensitiveKeyError, match="here cannot be decrypted"):
        cipher.decrypt(tampered, "here")
    key_file.write_text("not a key\n")
    with pytest.raises(SensitiveKeyError, match="not 64 hex digits"):
        PropertyCipher(str(key_file), cipher.key_file + ".data").decrypt(value, "here")


def test_export_omits_and_the_api_masks(cipher: PropertyCipher) -> None:
    sensitivity = Sensitivity(ProcessorRegistry())
    exported = sensitivity.omit(sensitivity.protect(_flow(), cipher))
    assert "Password" not in exported["flowContents"]["processors"][0]["properties"]
    assert exported["flowContents"]["processGroups"][0]["processors"][0]["properties"] == {"Plain": "x"}
    assert exported["parameterContexts"]["ctx"]["parameters"][0]["value"] is None
    encrypt = _flow()["flowContents"]["processors"][0]
    assert sensitivity.mask(encrypt, dict(encrypt["properties"])) == {"Mode": "Encrypt", "Password": MASK}
    changes = keep_masked(encrypt["properties"], {"Password": MASK, "Mode": "Decrypt"}, {"Password"}.__contains__)
    assert changes == {"Mode": "Decrypt"}, "the mask sent back means: unchanged"


class _SecretCount(Processor):
    COUNT = PropertyDescriptor("Count", sensitive=True, validator=validators.POSITIVE_INTEGER)
    PLAIN = PropertyDescriptor("Plain", validator=validators.POSITIVE_INTEGER)


def test_a_validation_error_does_not_echo_a_sensitive_value() -> None:
    problems = property_problems(_SecretCount, {"Count": "hunter22", "Plain": "visible7"}, "SecretCount[x]",
                                 require=False)
    assert len(problems) == 2, problems
    assert "hunter22" not in problems[0] and "not shown: the property is sensitive" in problems[0]
    assert "visible7" in problems[1], "a plain value is still named"
