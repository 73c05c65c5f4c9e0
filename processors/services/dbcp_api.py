"""What SQL processors see of a connection pool: ``DBCPService`` (the controller-service base a property
names), the connection it lends, and how a database error is classified (transient: retry; else: failure).

Connections are DB-API connections in autocommit mode; a processor that wants a transaction says
``BEGIN``/``COMMIT`` (``Connection.begin``/``commit``), so SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

import abc
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from nifi_like.api import ControllerService, ProcessException

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
#: SQLSTATE classes of PostgreSQL errors worth retrying: connection exception, transaction rollback
#: (serialization failure, deadlock), insufficient resources, operator intervention, system error.
_TRANSIENT_SQLSTATE = ("08", "40", "53", "57", "58")
_SQLITE_TRANSIENT = re.compile(r"database is locked|database table is locked|unable to open database|disk I/O",
                               re.IGNORECASE)
#: '?' placeholders, skipping quoted strings, quoted identifiers and comments.
_PLACEHOLDER_SCAN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|(\?)|(%)", re.DOTALL)


class DatabaseUnavailable(ProcessException):
    """No connection could be had (server down, pool exhausted for Max Wait Time): worth a retry."""


class Connection:
    """A pooled connection lent to one task; ``discard`` marks it broken so the pool closes it."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self.broken = False

    def cursor(self) -> Any:
        return self.raw.cursor()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run one statement with '?' placeholders (translated for the driver); returns the cursor."""
        cursor = self.raw.cursor()
        if params:
            cursor.execute(self.prepare(sql), [self.adapt(value) for value in params])
        else:
            cursor.execute(sql)
        return cursor

    def prepare(self, sql: str) -> str:
        """``sql`` with '?' placeholders in the driver's style (psycopg: %s, and a literal % doubled)."""
        if self.dialect == SQLITE:
            return sql

        def swap(match: re.Match[str]) -> str:
            if match.group(1):
                return "%s"
            if match.group(2):
                return "%%"
            return match.group(0).replace("%", "%%")
        return _PLACEHOLDER_SCAN.sub(swap, sql)

    def adapt(self, value: Any) -> Any:
        if self.dialect == SQLITE:
            import datetime
            import decimal
            if isinstance(value, (datetime.date, datetime.time)):
                return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
            if isinstance(value, decimal.Decimal):
                return str(value)
        return value

    def begin(self) -> None:
        self.raw.cursor().execute("BEGIN")

    def commit(self) -> None:
        self.raw.cursor().execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.raw.cursor().execute("ROLLBACK")
        except Exception:  # the transaction is gone with the connection: nothing to undo
            self.broken = True

    def savepoint(self, name: str) -> None:
        self.raw.cursor().execute(f"SAVEPOINT {name}")

    def rollback_to(self, name: str) -> None:
        self.raw.cursor().execute(f"ROLLBACK TO SAVEPOINT {name}")

    def release(self, name: str) -> None:
        self.raw.cursor().execute(f"RELEASE SAVEPOINT {name}")


def is_transient(error: BaseException) -> bool:
    """Whether a database error may go away by itself (connection lost, locked, deadlock): retry it.
    Errors in the statement or the data (syntax, missing table, constraint) are not."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, sqlite3.Error):
        return isinstance(error, sqlite3.OperationalError) and bool(_SQLITE_TRANSIENT.search(str(error)))
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    if isinstance(error, psycopg.Error):
        sqlstate = error.sqlstate or ""
        if sqlstate:
            return sqlstate.startswith(_TRANSIENT_SQLSTATE)
        return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))
    return isinstance(error, (ConnectionError, TimeoutError))


def is_database_error(error: BaseException) -> bool:
    """Errors a SQL processor routes (to failure or retry) instead of letting them roll the session back."""
    if isinstance(error, (sqlite3.Error, DatabaseUnavailable, ConnectionError, TimeoutError)):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, psycopg.Error)


def describe(error: BaseException) -> str:
    """One line: the error's class and message (with PostgreSQL's SQLSTATE when there is one)."""
    sqlstate = getattr(error, "sqlstate", None)
    message = " ".join(str(error).split()) or repr(error)
    return f"{type(error).__name__}{f' [SQLSTATE {sqlstate}]' if sqlstate else ''}: {message}"


class DBCPService(ControllerService, abc.ABC):
    """Base of every database connection pool a SQL processor can name."""

    @property
    @abc.abstractmethod
    def dialect(self) -> str:
        """SQLITE or POSTGRESQL."""

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """The database URL without credentials, for provenance transit URIs."""

    @abc.abstractmethod
    def connection(self) -> AbstractContextManager[Connection]:
        """Borrow a connection (blocking up to the pool's Max Wait Time; DatabaseUnavailable after),
        returned to the pool (or closed, if it broke) when the block ends."""


def split_statements(text: str) -> Iterator[str]:
    """Statements of a semicolon-delimited list where '\\;' is a literal semicolon (NiFi's pre/post-query)."""
    for part in re.split(r"(?<!\\);", text):
        statement = part.replace("\\;", ";").strip()
        if statement:
            yield statement
