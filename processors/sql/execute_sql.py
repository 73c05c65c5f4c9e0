"""ExecuteSQL: run a SQL select query and write its rows, streamed, as a JSON array of objects."""

from __future__ import annotations

import base64
import decimal
import itertools
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, ClassVar

import orjson

from nifi_like.api import (
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.dbcp_api import (
    POSTGRESQL,
    Connection,
    DBCPService,
    describe,
    is_database_error,
    split_statements,
)
from processors.sql.sql_args import SqlArgumentError, parameters

ROW_COUNT = "executesql.row.count"
DURATION = "executesql.query.duration"
EXECUTION_TIME = "executesql.query.executiontime"
FETCH_TIME = "executesql.query.fetchtime"
RESULTSET_INDEX = "executesql.resultset.index"
ERROR_MESSAGE = "executesql.error.message"
INPUT_UUID = "input.flowfile.uuid"
FRAGMENT_ID = "fragment.identifier"
FRAGMENT_COUNT = "fragment.count"
FRAGMENT_INDEX = "fragment.index"
MIME_JSON = "application/json"
_FETCH_DEFAULT = 1000


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)  # exact: a float would round it
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


class _Query:
    """One running query: its rows, fetched lazily in chunks, and the column names."""

    def __init__(self, connection: Connection, sql: str, params: Sequence[Any], fetch_size: int) -> None:
        started = time.monotonic()
        self.cursor = connection.cursor()
        prepared = connection.prepare(sql) if params else sql
        values = [connection.adapt(value) for value in params] or None
        if connection.dialect == POSTGRESQL:  # streamed row by row: the result set is never held whole
            self._rows: Iterator[Any] = iter(self.cursor.stream(prepared, values))
        else:
            self.cursor.arraysize = fetch_size
            self.cursor.execute(prepared, values or ())
            self._rows = iter(self.cursor)
        self._head = list(itertools.islice(self._rows, 1))  # runs the query (PostgreSQL) and sets columns
        self.execution_ms = int((time.monotonic() - started) * 1000)
        self.fetch_ms = 0
        self._fetch_size = fetch_size
        self.exhausted = not self._head

    @property
    def columns(self) -> list[str]:
        return [column[0] for column in self.cursor.description or ()]

    def chunks(self, limit: int) -> Iterator[list[Any]]:
        """The next ``limit`` rows (0: all that are left), in chunks of at most the fetch size."""
        left = limit or -1
        while left != 0 and not self.exhausted:
            started = time.monotonic()
            size = self._fetch_size if left < 0 else min(self._fetch_size, left)
            chunk, self._head = self._head, []
            chunk += itertools.islice(self._rows, size - len(chunk))
            self.fetch_ms += int((time.monotonic() - started) * 1000)
            if len(chunk) < size:
                self.exhausted = True
            if not chunk:
                return
            if left > 0:
                left -= len(chunk)
            yield chunk


class ExecuteSQL(Processor):
    """Executes provided SQL select query. Query result will be written as a JSON array of objects (one per
    row, keyed by column name; nifi_like writes JSON where NiFi writes Avro: DECIMAL/NUMERIC values are
    strings so no precision is lost, binary values are base64, dates and times ISO 8601). Streaming is used so
    arbitrarily large result sets are supported. This processor can be scheduled to run on a timer, or cron
    expression, using the standard scheduling methods, or it can be triggered by an incoming FlowFile. If it
    is triggered by an incoming FlowFile, then attributes of that FlowFile will be available when evaluating
    the select query, and the query may use the ? to escape parameters. In this case, the parameters to use
    must exist as FlowFile attributes with the naming convention sql.args.N.type and sql.args.N.value, where N
    is a positive integer. The sql.args.N.type is expected to be a number indicating the JDBC Type. The content
    of the FlowFile is expected to be in UTF-8 format. FlowFile attribute 'executesql.row.count' indicates how
    many rows were selected. A query that fails sends the incoming FlowFile to failure with
    executesql.error.message; without an incoming FlowFile the error is logged and the processor yields."""

    tags = ("sql", "select", "jdbc", "query", "database", "json")
    nifi_type = "org.apache.nifi.processors.standard.ExecuteSQL"
    input_requirement = InputRequirement.INPUT_ALLOWED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ROW_COUNT: "Contains the number of rows returned by the query. If 'Max Rows Per Flow File' is set, then "
                   "this number will reflect the number of rows in the Flow File instead of the entire result set.",
        DURATION: "Combined duration of the query execution time and fetch time in milliseconds. If 'Max Rows "
                  "Per Flow File' is set, then this number will reflect only the fetch time for the rows in the "
                  "Flow File instead of the entire result set.",
        EXECUTION_TIME: "Duration of the query execution time in milliseconds.",
        FETCH_TIME: "Duration of the result set fetch time in milliseconds.",
        RESULTSET_INDEX: "Assuming multiple result sets are returned, the zero based index of this result set.",
        ERROR_MESSAGE: "If processing an incoming flow file causes an Exception, the Flow File is routed to "
                       "failure and this attribute is set to the exception message.",
        FRAGMENT_ID: "If 'Max Rows Per Flow File' is set then all FlowFiles from the same query result set will "
                     "have the same value for the fragment.identifier attribute.",
        FRAGMENT_COUNT: "If 'Max Rows Per Flow File' is set, this is the total number of FlowFiles produced by a "
                        "single ResultSet.",
        FRAGMENT_INDEX: "If 'Max Rows Per Flow File' is set, the position of this FlowFile in the list of outgoing "
                        "FlowFiles that were all derived from the same result set FlowFile.",
        INPUT_UUID: "If the processor has an incoming connection, outgoing FlowFiles will have this attribute set "
                    "to the value of the input FlowFile's UUID. If there is no incoming connection, the "
                    "attribute will not be added.",
        "mime.type": "application/json (nifi_like: NiFi writes Avro)",
    }

    CONNECTION_POOL = PropertyDescriptor(
        "Database Connection Pooling Service", description="The Controller Service that is used to obtain "
        "connection to database", required=True, controller_service=DBCPService)
    PRE_QUERY = PropertyDescriptor(
        "sql-pre-query", display_name="SQL Pre-Query", description="A semicolon-delimited list of queries "
        "executed before the main SQL query is executed. For example, set session properties before main "
        "query. It's possible to include semicolons in the statements themselves by escaping them with a "
        "backslash ('\\;'). Results/outputs from these queries will be suppressed if there are no errors.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SQL_SELECT_QUERY = PropertyDescriptor(
        "SQL select query", description="The SQL select query to execute. The query can be empty, a constant "
        "value, or built from attributes using Expression Language. If this property is specified, it will be "
        "used regardless of the content of incoming flowfiles. If this property is empty, the content of the "
        "incoming flow file is expected to contain a valid SQL select query, to be issued by the processor to "
        "the database. Note that Expression Language is not evaluated for flow file contents.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    POST_QUERY = PropertyDescriptor(
        "sql-post-query", display_name="SQL Post-Query", description="A semicolon-delimited list of queries "
        "executed after the main SQL query is executed. Example like setting session properties after main "
        "query. It's possible to include semicolons in the statements themselves by escaping them with a "
        "backslash ('\\;'). Results/outputs from these queries will be suppressed if there are no errors.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    MAX_ROWS = PropertyDescriptor(
        "esql-max-rows", display_name="Max Rows Per Flow File", description="The maximum number of result rows "
        "that will be included in a single FlowFile. This will allow you to break up very large result sets "
        "into multiple FlowFiles. If the value specified is zero, then all rows are returned in a single "
        "FlowFile.", default="0", required=True, validator=validators.NON_NEGATIVE_INTEGER,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    FETCH_SIZE = PropertyDescriptor(
        "esql-fetch-size", display_name="Fetch Size", description="The number of result rows to be fetched from "
        "the result set at a time. This is a hint to the database driver and may not be honored and/or exact. "
        "If the value specified is zero, then the hint is ignored (1000 rows here).", default="0", required=True,
        validator=validators.NON_NEGATIVE_INTEGER, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    SUCCESS = Relationship("success", "Successfully created FlowFile from SQL query result set.")
    FAILURE = Relationship("failure", "SQL query execution failed. Incoming FlowFile will be penalized and "
                                      "routed to this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        incoming: FlowFile | None = None
        if context.has_incoming_connection():
            incoming = session.get()
            if incoming is None:
                return
        try:
            sql = self._query(context, session, incoming)
            params = parameters(incoming.attributes) if incoming is not None else []
            self._execute(context, session, incoming, sql, params)
        except Exception as exc:
            if not (is_database_error(exc) or isinstance(exc, (SqlArgumentError, _NoQuery))):
                raise
            self._failed(context, session, incoming, describe(exc) if is_database_error(exc) else str(exc))

    def _query(self, context: ProcessContext, session: ProcessSession, incoming: FlowFile | None) -> str:
        configured = context.get_property(self.SQL_SELECT_QUERY)
        if configured.is_set:
            sql = configured.evaluate(incoming).value or ""
        elif incoming is not None:
            try:
                sql = session.read_bytes(incoming).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _NoQuery(f"the content is not UTF-8 text: {exc}") from exc
        else:
            sql = ""
        if not sql.strip():
            raise _NoQuery("there is no query: 'SQL select query' is not set and the content is empty")
        return sql

    def _execute(self, context: ProcessContext, session: ProcessSession, incoming: FlowFile | None, sql: str,
                 params: list[Any]) -> None:
        pool: DBCPService = context.get_property(self.CONNECTION_POOL).as_controller_service()
        max_rows = context.get_property(self.MAX_ROWS).evaluate(incoming).as_int() or 0
        fetch_size = context.get_property(self.FETCH_SIZE).evaluate(incoming).as_int() or _FETCH_DEFAULT
        made: list[FlowFile] = []
        with pool.connection() as connection:
            try:
                for statement in split_statements(context.get_property(self.PRE_QUERY).evaluate(incoming).value or ""):
                    connection.execute(statement)
                query = _Query(connection, sql, params, fetch_size)
                fragment = str(uuid.uuid4())
                while True:
                    made.append(self._write_one(session, incoming, query, max_rows, len(made), fragment))
                    if max_rows == 0 or query.exhausted:
                        break
                for statement in split_statements(context.get_property(self.POST_QUERY).evaluate(incoming).value
                                                  or ""):
                    connection.execute(statement)
            except BaseException:
                session.remove(made)
                raise
        if max_rows and len(made) > 1 and made[-1].attributes.get(ROW_COUNT) == "0":
            session.remove(made.pop())  # the result ended exactly at a FlowFile boundary
        for flowfile in made:
            extra = {INPUT_UUID: incoming.attributes["uuid"]} if incoming is not None else {}
            if max_rows:
                extra |= {FRAGMENT_ID: flowfile.attributes[FRAGMENT_ID], FRAGMENT_COUNT: str(len(made))}
            flowfile = session.put_all_attributes(flowfile, extra)
            if incoming is None:
                session.provenance.receive(flowfile, pool.url)
            else:
                session.provenance.fetch(flowfile, pool.url)
            session.transfer(flowfile, self.SUCCESS)
        if incoming is not None:
            session.remove(incoming)

    def _write_one(self, session: ProcessSession, incoming: FlowFile | None, query: _Query, max_rows: int,
                   index: int, fragment: str) -> FlowFile:
        flowfile = session.create(incoming) if incoming is not None else session.create()
        count = 0
        fetch_before = query.fetch_ms

        def write(out: IO[bytes]) -> None:
            nonlocal count
            out.write(b"[")
            columns: list[str] | None = None
            for chunk in query.chunks(max_rows):
                columns = columns or query.columns
                for row in chunk:
                    out.write(b"," if count else b"")
                    out.write(orjson.dumps(dict(zip(columns, row, strict=False)), default=_json_default))
                    count += 1
            out.write(b"]")

        flowfile = session.write(flowfile, write)
        fetch_ms = query.fetch_ms - fetch_before
        attributes = {ROW_COUNT: str(count), EXECUTION_TIME: str(query.execution_ms), FETCH_TIME: str(fetch_ms),
                      DURATION: str(query.execution_ms + fetch_ms), RESULTSET_INDEX: "0", "mime.type": MIME_JSON}
        if max_rows:
            attributes |= {FRAGMENT_ID: fragment, FRAGMENT_INDEX: str(index)}
        return session.put_all_attributes(flowfile, attributes)

    def _failed(self, context: ProcessContext, session: ProcessSession, incoming: FlowFile | None,
                message: str) -> None:
        if incoming is None:
            context.logger.error(f"Unable to execute SQL select query; yielding: {message}")
            context.yield_()
            return
        context.logger.error(f"Unable to execute SQL select query for {incoming}; routing to failure: {message}")
        flowfile = session.put_attribute(incoming, ERROR_MESSAGE, message)
        session.transfer(session.penalize(flowfile), self.FAILURE)


class _NoQuery(ValueError):
    """No usable query text: the reason is the message."""
