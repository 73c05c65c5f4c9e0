"""PutSQL and ExecuteSQL through DBCPConnectionPool, against SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from processors.services.dbcp_connection_pool import DatabaseUrl, DBCPConnectionPool
from processors.services.testing import ServiceTestRunner
from processors.sql.execute_sql import ExecuteSQL
from processors.sql.put_sql import PutSQL
from tests.support.servers import Server, free_port


def pg_url(server: Server) -> str:
    return f"jdbc:postgresql://127.0.0.1:{server.port}/postgres"


def pool_properties(url: str, server: Server | None = None, **extra: str) -> dict[str, str]:
    properties = {"Database Connection URL": url}
    if server is not None:
        properties |= {"Database User": "postgres", "Password": server.extra["password"],
                       "Database Driver Class Name": "org.postgresql.Driver"}
    return properties | extra


def runner_with_pool(processor: type, properties: dict[str, str], pool: dict[str, str]) -> ServiceTestRunner:
    key = "JDBC Connection Pool" if processor is PutSQL else "Database Connection Pooling Service"
    runner = ServiceTestRunner(processor, {key: "db", **properties})
    runner.add_controller_service("db", DBCPConnectionPool, pool)
    runner.enable_controller_service("db")
    return runner


@pytest.fixture
def pg_table(postgres: Server) -> Iterator[str]:
    table = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="postgres",
                         password=postgres.extra["password"], dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2), "
                     f"seen TIMESTAMP)")
        yield table
        conn.execute(f"DROP TABLE {table}")


def pg_rows(server: Server, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", password=server.extra["password"],
                         dbname="postgres") as conn:
        return list(conn.execute(sql).fetchall())


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "test.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, qty INTEGER)")
    return path


# -- the pool ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "dialect", "target"), [
    ("jdbc:sqlite:/var/db/a.db", "sqlite", "/var/db/a.db"),
    ("sqlite:///var/db/a.db", "sqlite", "/var/db/a.db"),
    ("sqlite:////var/db/a.db", "sqlite", "/var/db/a.db"),
    ("jdbc:sqlite::memory:", "sqlite", ":memory:"),
    ("jdbc:postgresql://db.example:5433/sales", "postgresql", "postgresql://db.example:5433/sales"),
    ("jdbc:postgresql:sales", "postgresql", "postgresql://localhost/sales"),
    ("postgresql://u:p%40ss@127.0.0.1/x", "postgresql", "postgresql://127.0.0.1/x"),
])
def test_database_urls_are_read_as_nifi_users_write_them(url: str, dialect: str, target: str) -> None:
    parsed = DatabaseUrl.parse(url)
    assert (parsed.dialect, parsed.target) == (dialect, target)
    if "u:p" in url:
        assert parsed.options == {"user": "u", "password": "p@ss"}
        assert "p@ss" not in parsed.display


def test_pool_refuses_unknown_urls_and_mismatched_drivers(tmp_path: Path) -> None:
    with ServiceTestRunner(PutSQL, {"JDBC Connection Pool": "db"}) as runner:
        runner.add_controller_service("db", DBCPConnectionPool, {"Database Connection URL": "jdbc:mysql://h/db"})
        with pytest.raises(AssertionError, match="not a database URL this build supports"):
            runner.enable_controller_service("db")
        runner.add_controller_service("db2", DBCPConnectionPool, {
            "Database Connection URL": f"jdbc:sqlite:{tmp_path}/x.db", "Database Driver Class Name": "org.postgresql.Driver"})
        with pytest.raises(AssertionError, match="not a sqlite driver"):
            runner.enable_controller_service("db2")


def test_pool_waits_max_wait_time_then_reports_exhaustion(sqlite_db: Path) -> None:
    from processors.services.dbcp_api import DatabaseUnavailable
    with runner_with_pool(PutSQL, {}, pool_properties(f"jdbc:sqlite:{sqlite_db}", **{
            "Max Total Connections": "1", "Max Wait Time": "50 millis", "Validation-query": "SELECT 1"})) as runner:
        pool = runner.services.nodes["db"].service
        assert isinstance(pool, DBCPConnectionPool)
        with pool.connection() as first:
            assert first.execute("SELECT 1").fetchone() == (1,)
            with pytest.raises(DatabaseUnavailable, match="Max Wait Time"), pool.connection():
                pass
        with pool.connection() as again:  # returned: usable again
            assert again.execute("SELECT 2").fetchone() == (2,)


# -- PutSQL on SQLite ----------------------------------------------------------------------------
def test_putsql_inserts_with_sql_args_and_reports_generated_keys(sqlite_db: Path) -> None:
    with runner_with_pool(PutSQL, {"Obtain Generated Keys": "true"},
                          pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        for name, qty in (("apple", "3"), ("pear", "5")):
            runner.enqueue("INSERT INTO items (name, qty) VALUES (?, ?)", {
                "sql.args.1.type": "12", "sql.args.1.value": name, "sql.args.2.type": "4", "sql.args.2.value": qty})
        runner.run()
        runner.assert_all_transferred("success", 2)
        keys = [ff.get_attribute("sql.generated.key") for ff in runner.get_flowfiles_for_relationship("success")]
        assert keys == ["1", "2"]
        sends = [event for event in runner.provenance_events if event["event_type"] == "SEND"]
        assert [event["transit_uri"] for event in sends] == [f"sqlite:{sqlite_db}"] * 2
    with sqlite3.connect(sqlite_db) as conn:
        assert conn.execute("SELECT name, qty FROM items ORDER BY id").fetchall() == [("apple", 3), ("pear", 5)]


def test_putsql_routes_bad_sql_and_bad_args_to_failure_and_commits_the_rest(sqlite_db: Path) -> None:
    with runner_with_pool(PutSQL, {}, pool_properties(f"sqlite:///{sqlite_db}")) as runner:
        runner.enqueue("INSERT INTO items (name, qty) VALUES ('ok', 1)")
        runner.enqueue("INSERT INTO no_such_table VALUES (1)")
        runner.enqueue("INSERT INTO items (name, qty) VALUES (?, ?)", {
            "sql.args.1.type": "12", "sql.args.1.value": "x", "sql.args.2.type": "4", "sql.args.2.value": "many"})
        runner.enqueue("INSERT INTO items (name, qty) VALUES ('ok', 2)")  # UNIQUE violation
        runner.enqueue("")
        runner.enqueue("INSERT INTO items (name, qty) VALUES ('fine', 3)")
        runner.run()
        runner.assert_transferred("success", 2)
        runner.assert_transferred("failure", 4)
        runner.assert_transferred("retry", 0)
        reasons = [ff.get_attribute("putsql.error.message") or "" for ff in runner.get_flowfiles_for_relationship("failure")]
        assert "no such table: no_such_table" in reasons[0]
        assert "sql.args.2.value 'many' is not a INTEGER" in reasons[1]
        assert "UNIQUE constraint failed" in reasons[2]
        assert "there is no SQL statement" in reasons[3]
        assert {ff.get_attribute("putsql.error.kind") for ff in runner.get_flowfiles_for_relationship("failure")} == {"sql"}
    with sqlite3.connect(sqlite_db) as conn:
        assert conn.execute("SELECT name FROM items ORDER BY id").fetchall() == [("ok",), ("fine",)]


def test_putsql_fragmented_transaction_is_all_or_nothing(sqlite_db: Path) -> None:
    def fragment(sql: str, index: int, identifier: str, count: int = 2) -> dict[str, str]:
        return {"fragment.identifier": identifier, "fragment.count": str(count), "fragment.index": str(index)}

    with runner_with_pool(PutSQL, {}, pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        runner.enqueue("INSERT INTO items (name) VALUES ('a2')", fragment("", 1, "good"))
        runner.enqueue("INSERT INTO items (name) VALUES ('a1')", fragment("", 0, "good"))
        runner.enqueue("INSERT INTO items (name) VALUES ('b1')", fragment("", 0, "bad"))
        runner.enqueue("INSERT INTO items (nope) VALUES ('b2')", fragment("", 1, "bad"))
        runner.enqueue("INSERT INTO items (name) VALUES ('c1')", fragment("", 0, "waiting", count=3))
        runner.run()
        runner.assert_transferred("success", 2)
        runner.assert_transferred("failure", 2)
        assert runner.queue_size == 1  # the incomplete transaction waits for its other fragments
    with sqlite3.connect(sqlite_db) as conn:
        assert conn.execute("SELECT name FROM items ORDER BY id").fetchall() == [("a1",), ("a2",)]


def test_putsql_rollback_on_failure_keeps_everything_queued(sqlite_db: Path) -> None:
    with runner_with_pool(PutSQL, {"rollback-on-failure": "true"}, pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        runner.enqueue("INSERT INTO items (name) VALUES ('first')")
        runner.enqueue("INSERT INTO bogus VALUES (1)")
        runner.run()
        runner.assert_transferred("success", 0)
        runner.assert_transferred("failure", 0)
        assert runner.queue_size == 2
        assert runner.is_yielded
    with sqlite3.connect(sqlite_db) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (0,)


def test_putsql_autocommit_with_transactions_is_invalid(sqlite_db: Path) -> None:
    with runner_with_pool(PutSQL, {"database-session-autocommit": "true"},
                          pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        assert any("Support Fragmented Transactions" in p for p in runner.assert_not_valid())


# -- PutSQL and ExecuteSQL on PostgreSQL ---------------------------------------------------------
def test_putsql_postgres_types_and_failures(postgres: Server, pg_table: str) -> None:
    with runner_with_pool(PutSQL, {"Obtain Generated Keys": "true"}, pool_properties(pg_url(postgres), postgres)) as runner:
        runner.enqueue(f"INSERT INTO {pg_table} (id, name, price, seen) VALUES (?, ?, ?, ?) RETURNING id", {
            "sql.args.1.type": "4", "sql.args.1.value": "7", "sql.args.2.type": "12", "sql.args.2.value": "50% off",
            "sql.args.3.type": "3", "sql.args.3.value": "12.34",
            "sql.args.4.type": "93", "sql.args.4.value": "2024-05-06 07:08:09"})
        runner.enqueue(f"INSERT INTO {pg_table} (id, name) VALUES (7, 'duplicate')")
        runner.enqueue(f"SELEC nonsense FROM {pg_table}")
        runner.enqueue(f"INSERT INTO {pg_table} (id, name) VALUES (8, 'literal 100%')")
        runner.run()
        runner.assert_transferred("success", 2)
        runner.assert_transferred("failure", 2)
        first = runner.get_flowfiles_for_relationship("success")[0]
        first.assert_attribute_equals("sql.generated.key", "7")
        reasons = [ff.get_attribute("putsql.error.message") or "" for ff in runner.get_flowfiles_for_relationship("failure")]
        assert "UniqueViolation [SQLSTATE 23505]" in reasons[0]
        assert "SQLSTATE 42601" in reasons[1]
    rows = pg_rows(postgres, f"SELECT id, name, price::text, seen::text FROM {pg_table} ORDER BY id")
    assert rows == [(7, "50% off", "12.34", "2024-05-06 07:08:09"), (8, "literal 100%", None, None)]


def test_putsql_unreachable_database_routes_to_retry_penalized(tmp_path: Path) -> None:
    url = f"jdbc:postgresql://127.0.0.1:{free_port()}/postgres"
    with runner_with_pool(PutSQL, {}, pool_properties(url, **{"Database User": "postgres"})) as runner:
        runner.enqueue("INSERT INTO t VALUES (1)")
        runner.enqueue("INSERT INTO t VALUES (2)")
        runner.run()
        runner.assert_all_transferred("retry", 2)
        for flowfile in runner.get_flowfiles_for_relationship("retry"):
            assert "cannot connect to postgresql://127.0.0.1" in (flowfile.get_attribute("putsql.error.message") or "")
            flowfile.assert_attribute_equals("putsql.error.kind", "connection")
            assert flowfile.is_penalized
        assert runner.is_yielded


def test_putsql_wrong_password_is_a_retry_with_the_reason(postgres: Server) -> None:
    pool = pool_properties(pg_url(postgres), postgres) | {"Password": "wrong"}
    with runner_with_pool(PutSQL, {}, pool) as runner:
        runner.enqueue("SELECT 1")
        runner.run()
        runner.assert_all_transferred("retry", 1)
        message = runner.get_flowfiles_for_relationship("retry")[0].get_attribute("putsql.error.message") or ""
        assert "password authentication failed" in message
        assert "wrong" not in message


def test_executesql_streams_rows_as_json_with_attributes(postgres: Server, pg_table: str) -> None:
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="postgres", password=postgres.extra["password"],
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f"INSERT INTO {pg_table} SELECT g, 'n' || g, g * 1.5, TIMESTAMP '2024-01-01' "
                     f"FROM generate_series(1, 25) g")
    query = f"SELECT id, name, price, seen FROM {pg_table} WHERE id > ? ORDER BY id"
    with runner_with_pool(ExecuteSQL, {"esql-max-rows": "10", "esql-fetch-size": "4"},
                          pool_properties(pg_url(postgres), postgres)) as runner:
        source = runner.enqueue(query, {"sql.args.1.type": "4", "sql.args.1.value": "5"})
        runner.run()
        out = runner.get_flowfiles_for_relationship("success")
        assert [ff.get_attribute("executesql.row.count") for ff in out] == ["10", "10"]
        rows = [row for ff in out for row in json.loads(ff.content)]
        assert [row["id"] for row in rows] == list(range(6, 26))
        assert rows[0] == {"id": 6, "name": "n6", "price": "9.00", "seen": "2024-01-01T00:00:00"}
        assert {ff.get_attribute("fragment.count") for ff in out} == {"2"}
        assert [ff.get_attribute("fragment.index") for ff in out] == ["0", "1"]
        for flowfile in out:
            flowfile.assert_attribute_equals("input.flowfile.uuid", source.attributes["uuid"])
            flowfile.assert_attribute_equals("mime.type", "application/json")
            for name in ("executesql.query.duration", "executesql.query.executiontime", "executesql.query.fetchtime"):
                assert int(flowfile.get_attribute(name) or "-1") >= 0
        runner.assert_transferred("failure", 0)


def test_executesql_bad_query_goes_to_failure_with_the_error(sqlite_db: Path) -> None:
    with runner_with_pool(ExecuteSQL, {}, pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        runner.enqueue("SELECT * FROM missing_table")
        runner.enqueue("SELECT 1 AS one")
        runner.enqueue("SELECT ?", {"sql.args.1.type": "999", "sql.args.1.value": "x"})
        runner.run(3)
        runner.assert_transferred("failure", 2)
        failures = runner.get_flowfiles_for_relationship("failure")
        assert "no such table: missing_table" in (failures[0].get_attribute("executesql.error.message") or "")
        assert "sql.args.1.type '999' is not a JDBC type" in (failures[1].get_attribute("executesql.error.message") or "")
        assert failures[0].is_penalized
        ok = runner.get_flowfiles_for_relationship("success")
        assert json.loads(ok[0].content) == [{"one": 1}]
        ok[0].assert_attribute_equals("executesql.row.count", "1")


def test_executesql_without_input_runs_the_property_query_and_yields_on_error(sqlite_db: Path) -> None:
    with sqlite3.connect(sqlite_db) as conn:
        conn.execute("INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2)")
    with runner_with_pool(ExecuteSQL, {"SQL select query": "SELECT name, qty FROM items ORDER BY id",
                                       "sql-pre-query": "PRAGMA foreign_keys = ON"},
                          pool_properties(f"jdbc:sqlite:{sqlite_db}")) as runner:
        runner._node.incoming.clear()  # a source, as when nothing is connected to it
        runner.run()
        out = runner.get_flowfiles_for_relationship("success")
        assert json.loads(out[0].content) == [{"name": "a", "qty": 1}, {"name": "b", "qty": 2}]
        runner.set_property("SQL select query", "SELECT * FROM gone")
        runner.run()
        assert runner.is_yielded
        assert any("no such table: gone" in bulletin.message for bulletin in runner.bulletins)
