"""DBCPConnectionPool: a bounded pool of SQLite (sqlite3) or PostgreSQL (psycopg 3) connections, configured
with NiFi's property names and JDBC-style URLs as NiFi users write them."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from nifi_like.api import (
    ConfigurationContext,
    ExpressionLanguageScope,
    PropertyDescriptor,
    parse_time_period,
    validators,
)
from processors.services.dbcp_api import (
    POSTGRESQL,
    SQLITE,
    Connection,
    DatabaseUnavailable,
    DBCPService,
    describe,
)
from processors.services.ssl_context_service import SSLContextService

#: Driver class names NiFi flows carry, and the Python drivers they stand for here.
DRIVERS = {"org.sqlite.JDBC": SQLITE, "sqlite3": SQLITE, "org.postgresql.Driver": POSTGRESQL,
           "psycopg": POSTGRESQL}
#: How long a connection attempt may take before the server is called unreachable.
CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed 'Database Connection URL': the dialect and what its driver's connect() takes."""

    dialect: str
    target: str  # SQLite: the file path (or ':memory:'); PostgreSQL: a libpq conninfo URI
    options: dict[str, str]
    display: str  # without credentials

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl:
        """Accepts jdbc:sqlite:PATH, sqlite:///PATH, jdbc:postgresql://HOST[:PORT]/DB[?k=v&..],
        jdbc:postgresql:DB, postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB[?k=v] and postgres://...;
        raises ValueError naming what is wrong."""
        text = url.strip()
        lowered = text.lower()
        if lowered.startswith("jdbc:sqlite:"):
            return cls._sqlite(text[len("jdbc:sqlite:"):], text)
        if lowered.startswith("sqlite:"):
            rest = text[len("sqlite:"):]
            if not rest.startswith("//"):
                raise ValueError(f"'{url}' is not a SQLite URL such as sqlite:///path/to/file.db")
            return cls._sqlite(rest[2:], text)
        if lowered.startswith("jdbc:postgresql:"):
            rest = text[len("jdbc:postgresql:"):]
            return cls._postgres("postgresql:" + (rest if rest.startswith("//") else "///" + rest))
        if lowered.startswith(("postgresql://", "postgres://")):
            return cls._postgres(text)
        raise ValueError(f"'{url}' is not a database URL this build supports (jdbc:sqlite:..., sqlite:///..., "
                         "jdbc:postgresql://host:port/db, postgresql://host:port/db)")

    @classmethod
    def _sqlite(cls, path: str, original: str) -> DatabaseUrl:
        path, _, query = path.partition("?")
        if not path:
            raise ValueError(f"'{original}' names no SQLite database file")
        if path != ":memory:":
            path = unquote(path)
            while path.startswith("//"):
                path = path[1:]
        return cls(SQLITE, path, dict(parse_qsl(query)), f"sqlite:{path}")

    @classmethod
    def _postgres(cls, uri: str) -> DatabaseUrl:
        parts = urlsplit(uri)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ValueError(f"'{uri}' has an invalid port: {exc}") from exc
        host = parts.hostname or "localhost"
        netloc = host + (f":{parts.port}" if parts.port else "")
        options = dict(parse_qsl(parts.query))
        if parts.username:
            options.setdefault("user", unquote(parts.username))
        if parts.password:
            options.setdefault("password", unquote(parts.password))
        database = parts.path.lstrip("/")
        target = f"postgresql://{netloc}/{database}"
        return cls(POSTGRESQL, target, options, target)


class DBCPConnectionPool(DBCPService):
    """Provides Database Connection Pooling Service. Connections can be asked from pool and returned after
    usage. SQLite (Python's sqlite3) and PostgreSQL (psycopg 3) are the databases this build has; the URL
    chooses which, written as for JDBC (jdbc:sqlite:/path/db.sqlite, jdbc:postgresql://host:5432/db) or
    plainly (sqlite:///path/db.sqlite, postgresql://host:5432/db). Calls block: processors use them from
    plain (threaded) on_trigger methods, never on the event loop."""

    tags = ("dbcp", "jdbc", "database", "connection", "pooling", "store", "sqlite", "postgresql")
    nifi_type = "org.apache.nifi.dbcp.DBCPConnectionPool"

    DATABASE_URL = PropertyDescriptor(
        "Database Connection URL", description="A database connection URL used to connect to a database: "
        "jdbc:sqlite:PATH or sqlite:///PATH for SQLite; jdbc:postgresql://HOST:PORT/DB or "
        "postgresql://HOST:PORT/DB for PostgreSQL (libpq parameters such as sslmode may follow after '?')",
        required=True, expression_language=ExpressionLanguageScope.ENVIRONMENT,
        validator=lambda value: _url_problem(value))
    DRIVER_NAME = PropertyDescriptor(
        "Database Driver Class Name", description="Database driver class name: org.sqlite.JDBC or sqlite3 for "
        "SQLite, org.postgresql.Driver or psycopg for PostgreSQL. When not set, the URL decides.",
        allowable_values=tuple(DRIVERS), expression_language=ExpressionLanguageScope.ENVIRONMENT)
    DB_USER = PropertyDescriptor(
        "Database User", description="Database user name", expression_language=ExpressionLanguageScope.ENVIRONMENT)
    DB_PASSWORD = PropertyDescriptor("Password", description="The password for the database user", sensitive=True)
    MAX_WAIT_TIME = PropertyDescriptor(
        "Max Wait Time", description="The maximum amount of time that the pool will wait (when there are no "
        "available connections) for a connection to be returned before failing, or -1 to wait indefinitely.",
        default="500 millis", required=True, validator=lambda v: None if v.strip() == "-1" else
        validators.TIME_PERIOD(v))
    MAX_TOTAL_CONNECTIONS = PropertyDescriptor(
        "Max Total Connections", description="The maximum number of active connections that can be allocated "
        "from this pool at the same time, or negative for no limit.", default="8", required=True,
        validator=validators.INTEGER)
    VALIDATION_QUERY = PropertyDescriptor(
        "Validation-query", display_name="Validation query", description="Validation query used to validate "
        "connections before returning them. When connection is invalid, it gets dropped and new valid "
        "connection will be returned. NOTE: Using validation might have some performance penalty.",
        expression_language=ExpressionLanguageScope.ENVIRONMENT)
    SSL_CONTEXT_SERVICE = PropertyDescriptor(
        "SSL Context Service", description="TLS for PostgreSQL connections (sslmode verify-full with the "
        "truststore as root certificate, the keystore as client certificate). nifi_like: NiFi puts TLS "
        "settings in the JDBC URL, which works here too.", controller_service=SSLContextService)

    def __init__(self) -> None:
        self._url: DatabaseUrl | None = None
        self._lock = threading.Condition()
        self._idle: deque[Any] = deque()
        self._active = 0
        self._limit = 8
        self._wait: float | None = 0.5
        self._validation: str | None = None
        self._connect_options: dict[str, Any] = {}
        self._closed = True

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        driver = properties.get(self.DRIVER_NAME.name)
        url = properties.get(self.DATABASE_URL.name) or ""
        if not driver or "${" in url or _url_problem(url):
            return []
        dialect = DatabaseUrl.parse(url).dialect
        if DRIVERS.get(driver) != dialect:
            return [f"'Database Driver Class Name' {driver} is not a {dialect} driver, but the URL is a {dialect} URL"]
        return []

    # -- lifecycle ------------------------------------------------------------------------------
    def on_enabled(self, context: ConfigurationContext) -> None:
        url = DatabaseUrl.parse(context.get_property(self.DATABASE_URL).evaluate().value or "")
        options: dict[str, Any] = dict(url.options)
        user = context.get_property(self.DB_USER).evaluate().value
        password = context.get_property(self.DB_PASSWORD).value
        if url.dialect == POSTGRESQL:
            if user:
                options["user"] = user
            if password:
                options["password"] = password
            options.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
            ssl = context.get_property(self.SSL_CONTEXT_SERVICE).as_controller_service()
            if ssl is not None:
                options.update(_libpq_ssl(ssl))
        elif url.target != ":memory:":
            directory = os.path.dirname(os.path.abspath(url.target))
            if not os.path.isdir(directory):
                raise ValueError(f"the directory of the SQLite database {url.target} does not exist")
        limit = int(context.get_property(self.MAX_TOTAL_CONNECTIONS).value or "8")
        wait = (context.get_property(self.MAX_WAIT_TIME).value or "500 millis").strip()
        with self._lock:
            self._url = url
            self._connect_options = options
            self._limit = limit if limit > 0 else 1 << 30
            self._wait = None if wait == "-1" else parse_time_period(wait)
            self._validation = context.get_property(self.VALIDATION_QUERY).evaluate().value or None
            self._closed = False

    def on_disabled(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = list(self._idle), deque()
            self._lock.notify_all()
        for raw in idle:
            _close(raw)

    # -- DBCPService ----------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self._require_url().dialect

    @property
    def url(self) -> str:
        return self._require_url().display

    def _require_url(self) -> DatabaseUrl:
        if self._url is None:
            raise DatabaseUnavailable("the DBCPConnectionPool is not enabled")
        return self._url

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        raw = self._borrow()
        lent = Connection(raw, self._require_url().dialect)
        try:
            yield lent
        except BaseException:
            lent.broken = lent.broken or _is_broken(raw)
            raise
        finally:
            self._give_back(raw, lent.broken)

    def _borrow(self) -> Any:
        deadline = None if self._wait is None else time.monotonic() + self._wait
        with self._lock:
            while True:
                if self._closed:
                    raise DatabaseUnavailable("the DBCPConnectionPool is disabled")
                if self._idle:
                    raw = self._idle.popleft()
                    self._active += 1
                    break
                if self._active < self._limit:
                    raw = None
                    self._active += 1
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise DatabaseUnavailable(f"no connection was returned to the pool within Max Wait Time "
                                              f"({self._wait:g} s); all {self._limit} are in use")
                self._lock.wait(remaining)
        try:
            return self._validated(raw)
        except BaseException:
            with self._lock:
                self._active -= 1
                self._lock.notify()
            raise

    def _validated(self, raw: Any) -> Any:
        if raw is not None and self._validation:
            try:
                raw.cursor().execute(self._validation).fetchall()
                return raw
            except Exception:  # a dead connection: drop it and open a fresh one
                _close(raw)
                raw = None
        return raw if raw is not None else self._open()

    def _give_back(self, raw: Any, broken: bool) -> None:
        with self._lock:
            self._active -= 1
            keep = not broken and not self._closed
            if keep:
                self._idle.append(raw)
            self._lock.notify()
        if not keep:
            _close(raw)

    def _open(self) -> Any:
        url = self._require_url()
        try:
            if url.dialect == SQLITE:
                timeout = float(url.options.get("busy_timeout", "5000")) / 1000
                return sqlite3.connect(url.target, timeout=timeout, isolation_level=None, check_same_thread=False)
            import psycopg
            return psycopg.connect(url.target, autocommit=True, **self._connect_options)
        except Exception as exc:
            raise DatabaseUnavailable(f"cannot connect to {url.display}: {describe(exc)}") from exc


def _url_problem(value: str) -> str | None:
    try:
        DatabaseUrl.parse(value)
    except ValueError as exc:
        return f"is not a usable database URL: {exc}"
    return None


def _libpq_ssl(service: SSLContextService) -> dict[str, str]:
    options = {"sslmode": "verify-full" if service.ca_file else "require"}
    if service.ca_file:
        options["sslrootcert"] = service.ca_file
    if service.certificate_file:
        options["sslcert"] = service.certificate_file
        options["sslkey"] = service.key_file or service.certificate_file
    if service.key_password:
        options["sslpassword"] = service.key_password
    return options


def _is_broken(raw: Any) -> bool:
    closed = getattr(raw, "closed", False)
    if closed:
        return True
    info = getattr(raw, "info", None)  # psycopg: a transaction left in error or unknown state
    if info is not None:
        import psycopg
        return bool(info.transaction_status not in (psycopg.pq.TransactionStatus.IDLE,))
    return bool(getattr(raw, "in_transaction", False))


def _close(raw: Any) -> None:
    try:
        raw.close()
    except Exception:  # closing a broken connection may fail too; it is dropped either way
        pass
