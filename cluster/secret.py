"""The secret the nodes of a cluster share to authenticate each other (HMAC keys)."""

from __future__ import annotations

import os

MIN_LENGTH = 16


def load_cluster_secret(path: str) -> bytes:
    """The key in ``path`` (surrounding whitespace ignored). Errors name the file, never the key."""
    if not path:
        raise ValueError("a cluster needs a shared secret: set [cluster] secret_file in the configuration "
                         "to a file holding the same random key on every node (e.g. `openssl rand -hex 32`)")
    try:
        with open(path, "rb") as fh:
            secret = fh.read().strip()
    except OSError as exc:
        raise ValueError(f"cannot read the cluster secret file {path}: {exc.strerror}") from exc
    if len(secret) < MIN_LENGTH:
        raise ValueError(f"the cluster secret in {path} is shorter than {MIN_LENGTH} bytes")
    if os.stat(path).st_mode & 0o077:
        raise ValueError(f"the cluster secret file {path} is readable by other users; chmod 600 it")
    return secret
