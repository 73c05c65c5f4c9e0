"""Single-user login: scrypt-hashed credentials in ``<data>/login.json``, HS256 bearer tokens.

As NiFi's single-user mode: one username and password; if none are set at first start a
password is generated, printed once and only its hash kept. ``POST /access/token`` trades the
credentials for a JWT signed with a key kept in ``<data>/jwt.key`` (mode 0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from nifi_like.flow.store import write_atomically
from nifi_like.web.errors import TooManyRequests, Unauthorized

LOGIN_FILE = "login.json"
KEY_FILE = "jwt.key"
TOKEN_LIFETIME = 12 * 3600
ISSUER = "nifi-like"
INVALID_CREDENTIALS = "The supplied username and password are not valid."
# scrypt cost: 16 MiB of memory and ~50 ms per check, as OWASP suggests for interactive logins.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_FAILURES, FAILURE_WINDOW = 5, 60.0


@dataclass(frozen=True)
class Credentials:
    username: str
    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def matches(self, username: str, password: str) -> bool:
        candidate = _scrypt(password, self.salt, self.n, self.r, self.p)
        same_user = hmac.compare_digest(username.encode(), self.username.encode())
        return hmac.compare_digest(candidate, self.digest) and same_user


def _scrypt(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _write_private(path: str, data: bytes) -> None:
    write_atomically(path, data)
    os.chmod(path, 0o600)


def set_single_user_credentials(data_dir: str, username: str, password: str) -> None:
    """Store new credentials (hashed) and a new token key, so tokens issued before stop working."""
    if not username.strip():
        raise ValueError("the username must not be blank")
    if len(password) < 12:
        raise ValueError("the password must be at least 12 characters long (NiFi's rule)")
    os.makedirs(data_dir, exist_ok=True)
    salt = secrets.token_bytes(16)
    record = {"username": username, "scrypt": {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                                               "salt": base64.b64encode(salt).decode(),
                                               "hash": base64.b64encode(_scrypt(password, salt)).decode()}}
    _write_private(os.path.join(data_dir, LOGIN_FILE), json.dumps(record, indent=2).encode())
    _write_private(os.path.join(data_dir, KEY_FILE), secrets.token_hex(32).encode())


def load_credentials(data_dir: str) -> Credentials | None:
    path = os.path.join(data_dir, LOGIN_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fh:
            record = json.load(fh)
        params = record["scrypt"]
        return Credentials(str(record["username"]), base64.b64decode(params["salt"]),
                           base64.b64decode(params["hash"]), int(params["n"]), int(params["r"]), int(params["p"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a valid login file ({exc}); reset it with "
                         "`nifi-like set-single-user-credentials`") from exc


def ensure_credentials(data_dir: str) -> Credentials:
    """The stored credentials; at first start, generate them and print the password once."""
    credentials = load_credentials(data_dir)
    if credentials is not None:
        return credentials
    username = str(uuid.uuid4())
    password = secrets.token_urlsafe(24)
    set_single_user_credentials(data_dir, username, password)
    print("nifi-like: generated single-user credentials (shown only once; only their hash is stored):\n"
          f"  Username: {username}\n  Password: {password}\n"
          "nifi-like: change them with `nifi-like set-single-user-credentials USER PASSWORD --data DIR`",
          flush=True)
    credentials = load_credentials(data_dir)
    assert credentials is not None
    return credentials


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _load_key(data_dir: str) -> bytes:
    path = os.path.join(data_dir, KEY_FILE)
    if not os.path.exists(path):
        _write_private(path, secrets.token_hex(32).encode())
    with open(path, "rb") as fh:
        return bytes.fromhex(fh.read().decode().strip())


class TokenService:
    """Issues and checks HS256 JWTs; remembers logged-out tokens until they expire."""

    _HEADER = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())

    def __init__(self, data_dir: str, credentials: Credentials, lifetime: int = TOKEN_LIFETIME) -> None:
        self.credentials = credentials
        self.lifetime = lifetime
        self._key = _load_key(data_dir)
        self._revoked: dict[str, float] = {}  # jti -> expiry
        self._failures: dict[str, deque[float]] = {}

    def _sign(self, signing_input: str) -> str:
        return _b64url(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims = {"sub": self.credentials.username, "iss": ISSUER, "iat": issued, "exp": issued + self.lifetime,
                  "jti": str(uuid.uuid4())}
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self._HEADER}.{payload}"
        return f"{signing_input}.{self._sign(signing_input)}"

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or Unauthorized saying why it is not accepted."""
        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("The bearer token is not a JWT")
        header_b64, payload_b64, signature = parts
        if not hmac.compare_digest(self._sign(f"{header_b64}.{payload_b64}"), signature):
            raise Unauthorized("The bearer token's signature is not valid")
        try:
            header = json.loads(_b64url_decode(header_b64))
            claims: dict[str, Any] = json.loads(_b64url_decode(payload_b64))
        except ValueError:
            raise Unauthorized("The bearer token is malformed") from None
        if header.get("alg") != "HS256" or not isinstance(claims, dict):
            raise Unauthorized("The bearer token is malformed")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            raise Unauthorized("The bearer token has expired; log in again")
        if claims.get("sub") != self.credentials.username or claims.get("jti") in self._revoked:
            raise Unauthorized("The bearer token is no longer valid; log in again")
        return claims

    def revoke(self, claims: dict[str, Any]) -> None:
        now = time.time()
        self._revoked = {jti: exp for jti, exp in self._revoked.items() if exp > now}
        self._revoked[str(claims.get("jti"))] = float(claims.get("exp") or now)

    # -- failed-login throttling ---------------------------------------------------------
    def check_throttle(self, client: str) -> None:
        failures = self._failures.get(client)
        now = time.monotonic()
        while failures and failures[0] <= now - FAILURE_WINDOW:
            failures.popleft()
        if failures and len(failures) >= MAX_FAILURES:
            wait = int(failures[0] + FAILURE_WINDOW - now) + 1
            raise TooManyRequests(f"Too many failed login attempts from {client}; try again in {wait} seconds.")

    def record_failure(self, client: str) -> None:
        if len(self._failures) > 10_000:  # bound memory under a distributed guessing attack
            self._failures.clear()
        self._failures.setdefault(client, deque()).append(time.monotonic())

    def clear_failures(self, client: str) -> None:
        self._failures.pop(client, None)
