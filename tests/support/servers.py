"""Real servers for tests: mosquitto, redis-server, nats-server and PostgreSQL, each started from its
Debian binary on a free loopback port in a temporary directory, and stopped (then killed) at the end.

scripts/install-system-deps.sh installs the binaries (CI runs it before pytest). A test that needs a
server whose binary is missing is skipped with a reason naming the binary; nothing else skips.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MOSQUITTO = "/usr/sbin/mosquitto"
REDIS_SERVER = "/usr/bin/redis-server"
NATS_SERVER = "/usr/sbin/nats-server"
PG_BIN = "/usr/lib/postgresql/15/bin"
POSTGRES_PASSWORD = "pg-test-secret"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing_binary(path: str) -> str | None:
    """Why a server cannot be started here (its binary is missing), or None."""
    if os.access(path, os.X_OK):
        return None
    return f"{path} is not installed (scripts/install-system-deps.sh installs it)"


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Server:
    """A server process started by a test; ``stop`` ends it (SIGTERM, then SIGKILL) and removes its directory."""

    name: str
    port: int
    directory: str
    process: subprocess.Popen[bytes]
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> str:
        return os.path.join(self.directory, f"{self.name}.log")

    def log_tail(self, limit: int = 2000) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                return fh.read()[-limit:].decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_ready(self, ready: Callable[[], bool], timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready within {timeout:g} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def pause(self) -> None:
        """Stop the process (SIGSTOP) so it accepts connections but never answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def _spawn(name: str, args: Sequence[str], directory: str, port: int, *,
           user: str | None = None) -> Server:
    log = open(os.path.join(directory, f"{name}.log"), "ab")
    command = list(args) if user is None else ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups",
                                                  *args]
    try:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=directory)
    finally:
        log.close()
    return Server(name, port, directory, process)


# -- TLS material ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TlsFiles:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files."""

    ca_cert: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str


def make_tls_files(directory: str) -> TlsFiles:
    os.chmod(directory, 0o755)  # mosquitto drops to its own user before it reads them
    now = datetime.datetime.now(datetime.UTC)

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def write_key(path: str, private: ec.EllipticCurvePrivateKey) -> str:
        with open(path, "wb") as fh:
            fh.write(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        os.chmod(path, 0o644)  # readable by the server processes started as another user
        return path

    def write_cert(path: str, cert: x509.Certificate) -> str:
        with open(path, "wb") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))
        return path

    ca_key = key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nifi_like test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))

    def issue(common_name: str, private: ec.EllipticCurvePrivateKey, server: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
                   .issuer_name(ca_name).public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1)))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    server_key, client_key = key(), key()
    return TlsFiles(
        ca_cert=write_cert(os.path.join(directory, "ca.pem"), ca),
        server_cert=write_cert(os.path.join(directory, "server.pem"), issue("localhost", server_key, True)),
        server_key=write_key(os.path.join(directory, "server-key.pem"), server_key),
        client_cert=write_cert(os.path.join(directory, "client.pem"), issue("nifi_like client", client_key, False)),
        client_key=write_key(os.path.join(directory, "client-key.pem"), client_key),
    )


# -- the servers -------------------------------------------------------------------------------
def start_mosquitto(tls: TlsFiles | None = None) -> Server:
    """mosquitto with an anonymous plain listener; with ``tls``, also a TLS listener that requires a
    client certificate (its port in ``extra['tls_port']``)."""
    directory = tempfile.mkdtemp(prefix="nifi_like-mosquitto-")
    port = free_port()
    lines = [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false",
             "max_queued_messages 100000", "max_inflight_messages 100"]
    tls_port = 0
    if tls is not None:
        tls_port = free_port()
        lines += [f"listener {tls_port} 127.0.0.1", f"cafile {tls.ca_cert}", f"certfile {tls.server_cert}",
                  f"keyfile {tls.server_key}", "require_certificate true"]
    conf = os.path.join(directory, "mosquitto.conf")
    with open(conf, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(directory, 0o755)
    server = _spawn("mosquitto", [MOSQUITTO, "-c", conf], directory, port)
    server.wait_ready(lambda: _port_open(port) and (tls_port == 0 or _port_open(tls_port)))
    if tls_port:
        server.extra["tls_port"] = str(tls_port)
    return server


def start_redis() -> Server:
    directory = tempfile.mkdtemp(prefix="nifi_like-redis-")
    port = free_port()
    server = _spawn("redis", [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", directory, "--protected-mode", "yes"], directory, port)
    server.wait_ready(lambda: _port_open(port))
    return server


def start_nats() -> Server:
    directory = tempfile.mkdtemp(prefix="nifi_like-nats-")
    port = free_port()
    server = _spawn("nats", [NATS_SERVER, "-a", "127.0.0.1", "-p", str(port)], directory, port)
    server.wait_ready(lambda: _port_open(port))
    return server


def start_postgres(tls: TlsFiles | None = None) -> Server:
    """PostgreSQL 15 run as user ``postgres`` (initdb and postgres refuse root): password
    authentication (scram) on loopback TCP, trust on its unix socket (``extra['socket_dir']``); with
    ``tls``, TLS is offered too (clients choose with sslmode)."""
    directory = tempfile.mkdtemp(prefix="nifi_like-postgres-")
    entry = pwd.getpwnam("postgres")
    os.chown(directory, entry.pw_uid, entry.pw_gid)
    data = os.path.join(directory, "data")
    pwfile = os.path.join(directory, "pwfile")
    with open(pwfile, "w") as fh:
        fh.write(POSTGRES_PASSWORD + "\n")
    os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    init = subprocess.run(
        ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", f"{PG_BIN}/initdb", "-D", data,
         "-U", "postgres", f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
         "--no-sync", "-E", "UTF8", "--locale=C"],
        capture_output=True, cwd=directory, timeout=120)
    if init.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stdout.decode()}{init.stderr.decode()}")
    port = free_port()
    options = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
               "-c", "max_connections=50"]
    if tls is not None:
        key = os.path.join(directory, "server-key.pem")  # postgres wants its key private to itself
        shutil.copyfile(tls.server_key, key)
        os.chown(key, entry.pw_uid, entry.pw_gid)
        os.chmod(key, 0o600)
        options += ["-c", "ssl=on", "-c", f"ssl_cert_file={tls.server_cert}", "-c", f"ssl_key_file={key}"]
    server = _spawn("postgres", [f"{PG_BIN}/postgres", "-D", data, "-p", str(port), "-h", "127.0.0.1",
                                 "-k", directory, *options], directory, port, user="postgres")
    server.extra["socket_dir"] = directory
    server.extra["password"] = POSTGRES_PASSWORD

    def ready() -> bool:
        check = subprocess.run([f"{PG_BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"],
                               capture_output=True)
        return check.returncode == 0

    server.wait_ready(ready)
    return server
