"""Saving the flow: atomically (temp file, fsync, rename, fsync dir), with an archive of replaced flows."""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import TYPE_CHECKING, Any

from nifi_like.flow.errors import FlowError
from nifi_like.flow.shape import shape_problems

if TYPE_CHECKING:
    from nifi_like.flow.cipher import PropertyCipher
    from nifi_like.flow.sensitive import Sensitivity

FLOW_FILE = "flow.json"
ARCHIVE_DIR = "flow-archive"


def write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parse_flow_json(text: bytes | str, source: str) -> dict[str, Any]:
    """Parse a flow definition; a registry snapshot or a bare process group is accepted too."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowError([f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"], source) from exc
    if not isinstance(document, dict):
        raise FlowError(["the top level is not a JSON object"], source)
    if "flowContents" not in document:
        if "processors" in document or "processGroups" in document:
            document = {"flowContents": document}
        else:
            raise FlowError(["it has no 'flowContents' (expected a NiFi flow definition)"], source)
    if not isinstance(document["flowContents"], dict):
        raise FlowError(["'flowContents' is not a JSON object"], source)
    document["flowContents"].setdefault("identifier", document["flowContents"].get("instanceIdentifier")
                                        or "00000000-0000-0000-0000-000000000000")
    problems = shape_problems(document)
    if problems:
        raise FlowError(problems, source)
    return document


class FlowStore:
    """flow.json in the data directory. Given a cipher, sensitive values are encrypted in the file and
    decrypted on load; without one the file is read and written as it is (export, status)."""

    def __init__(self, data_dir: str, sensitive: tuple[Sensitivity, PropertyCipher] | None = None) -> None:
        self.data_dir = data_dir
        self.path = os.path.join(data_dir, FLOW_FILE)
        self.sensitive = sensitive

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def load(self) -> dict[str, Any]:
        with open(self.path, "rb") as fh:
            document = parse_flow_json(fh.read(), self.path)
        if self.sensitive is not None:
            sensitivity, cipher = self.sensitive
            sensitivity.reveal(document, cipher, self.path)
        return document

    def save(self, document: dict[str, Any]) -> None:
        os.makedirs(self.data_dir, exist_ok=True)
        if self.sensitive is not None:
            sensitivity, cipher = self.sensitive
            document = sensitivity.protect(document, cipher)
        write_atomically(self.path, json.dumps(document, indent=2, sort_keys=False).encode())

    def archive(self) -> str | None:
        """Keep a copy of the current flow before it is replaced; return where."""
        if not self.exists():
            return None
        directory = os.path.join(self.data_dir, ARCHIVE_DIR)
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**6}-flow.json")
        shutil.copy2(self.path, target)
        return target
