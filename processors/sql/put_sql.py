"""PutSQL: run each FlowFile's SQL statement (its content, or the SQL Statement property) in one database
transaction per trigger; statements that fail go to failure or retry with the reason, the rest commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

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
from processors.services.dbcp_api import Connection, DBCPService, describe, is_database_error, is_transient
from processors.sql.sql_args import SqlArgumentError, parameters

GENERATED_KEY = "sql.generated.key"
ERROR_MESSAGE = "putsql.error.message"
ERROR_KIND = "putsql.error.kind"
FRAGMENT_ID = "fragment.identifier"
FRAGMENT_COUNT = "fragment.count"
FRAGMENT_INDEX = "fragment.index"


class _Failed(Exception):
    """A FlowFile's statement failed; ``retry`` says whether it may succeed later."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class PutSQL(Processor):
    """Executes a SQL UPDATE or INSERT command. The content of an incoming FlowFile is expected to be the SQL
    command to execute. The SQL command may use the ? to escape parameters. In this case, the parameters to use
    must exist as FlowFile attributes with the naming convention sql.args.N.type and sql.args.N.value, where N is
    a positive integer. The sql.args.N.type is expected to be a number indicating the JDBC Type. The content of
    the FlowFile is expected to be in UTF-8 format.

    Up to 'Batch Size' FlowFiles run in one database transaction; each statement runs under its own savepoint,
    so a statement that fails is undone alone. A statement with an error in the SQL or its data (syntax,
    missing table, constraint violation, bad sql.args) goes to 'failure'; one that failed because the database
    could not be reached, was locked or aborted the transaction goes to 'retry', penalized. Both get
    putsql.error.message and putsql.error.kind. When the transaction itself cannot commit, every FlowFile of
    it goes to 'retry'. With 'Rollback On Failure' any error instead rolls back the transaction and the
    session, so the FlowFiles stay queued (penalized) and the processor yields."""

    tags = ("sql", "put", "rdbms", "database", "update", "insert", "relational")
    nifi_type = "org.apache.nifi.processors.standard.PutSQL"
    input_requirement = InputRequirement.INPUT_REQUIRED
    reads_attributes: ClassVar[Mapping[str, str]] = {
        "fragment.identifier": "If the Support Fragmented Transactions property is true, this attribute is used "
                               "to determine whether or not two FlowFiles belong to the same transaction.",
        "fragment.count": "If the Support Fragmented Transactions property is true, this attribute is used to "
                          "determine how many FlowFiles are needed to complete the transaction.",
        "fragment.index": "If the Support Fragmented Transactions property is true, this attribute is used to "
                          "determine the order that the FlowFiles in a transaction should be evaluated.",
        "sql.args.N.type": "Incoming FlowFiles are expected to be parametrized SQL statements. The type of each "
                           "Parameter is specified as an integer that represents the JDBC Type of the parameter.",
        "sql.args.N.value": "The value of the Parameters are specified as sql.args.1.value, sql.args.2.value, and "
                            "so on. The type of the sql.args.1.value Parameter is specified by sql.args.1.type.",
        "sql.args.N.format": "Optional: for binary types ascii (default), hex or base64; for DATE, TIME and "
                             "TIMESTAMP a pattern such as yyyy-MM-dd HH:mm:ss (ISO 8601 or epoch millis when "
                             "not set).",
    }
    writes_attributes: ClassVar[Mapping[str, str]] = {
        GENERATED_KEY: "If the database generated a key for an INSERT statement and the Obtain Generated Keys "
                       "property is set to true, this attribute will be added to indicate the generated key, if "
                       "possible (SQLite: the row id; PostgreSQL: the first column of a RETURNING clause).",
        ERROR_MESSAGE: "nifi_like: why the statement failed (error class, SQLSTATE when known, message), on "
                       "FlowFiles routed to failure or retry",
        ERROR_KIND: "nifi_like: 'sql' (routed to failure) or 'connection' (routed to retry)",
    }

    CONNECTION_POOL = PropertyDescriptor(
        "JDBC Connection Pool", description="Specifies the JDBC Connection Pool to use in order to convert the "
        "JSON message to a SQL statement. The Connection Pool is necessary in order to determine the "
        "appropriate database column types.", required=True, controller_service=DBCPService)
    SQL_STATEMENT = PropertyDescriptor(
        "putsql-sql-statement", display_name="SQL Statement", description="The SQL statement to execute. The "
        "statement can be empty, a constant value, or built from attributes using Expression Language. If this "
        "property is specified, it will be used regardless of the content of incoming FlowFiles. If this "
        "property is empty, the content of the incoming FlowFile is expected to contain a valid SQL statement, "
        "to be issued by the processor to the database.",
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    SUPPORT_TRANSACTIONS = PropertyDescriptor(
        "Support Fragmented Transactions", description="If true, when a FlowFile is consumed by this Processor, "
        "the Processor will first check the fragment.identifier and fragment.count attributes of that FlowFile. "
        "If the fragment.count value is greater than 1, the Processor will not process any FlowFile with that "
        "fragment.identifier until all are available; at that point, it will process all FlowFiles with that "
        "fragment.identifier as a single transaction, in the order specified by the FlowFiles' fragment.index "
        "attributes. This Provides atomicity of those SQL statements. If any statement of the transaction "
        "fails, all of its FlowFiles go to failure (or retry) together.",
        allowable_values=("true", "false"), default="true", validator=validators.BOOLEAN)
    AUTO_COMMIT = PropertyDescriptor(
        "database-session-autocommit", display_name="Database Session AutoCommit", description="The autocommit "
        "mode to set on the database connection being used. If set to true, every statement commits on its "
        "own (fragmented transactions and Rollback On Failure then cannot undo earlier statements).",
        allowable_values=("true", "false"), default="false", validator=validators.BOOLEAN)
    BATCH_SIZE = PropertyDescriptor(
        "Batch Size", description="The preferred number of FlowFiles to put to the database in a single "
        "transaction", required=True, default="100", validator=validators.POSITIVE_INTEGER)
    OBTAIN_GENERATED_KEYS = PropertyDescriptor(
        "Obtain Generated Keys", description="If true, any key that is automatically generated by the database "
        "will be added to the FlowFile that generated it using the sql.generate.key attribute. This may result "
        "in slightly slower performance and is not supported by all databases.",
        allowable_values=("true", "false"), default="false", validator=validators.BOOLEAN)
    ROLLBACK_ON_FAILURE = PropertyDescriptor(
        "rollback-on-failure", display_name="Rollback On Failure", description="Specify how to handle error. By "
        "default (false), if an error occurs while processing a FlowFile, the FlowFile will be routed to "
        "'failure' or 'retry' relationship based on error type, and processor can continue with next FlowFile. "
        "Instead, you may want to rollback currently processed FlowFiles and stop further processing "
        "immediately. In that case, you can do so by enabling this 'Rollback On Failure' property. If enabled, "
        "failed FlowFiles will stay in the input relationship without penalizing it and being processed "
        "repeatedly until it gets processed successfully or removed by other means.",
        allowable_values=("true", "false"), default="false", required=True, validator=validators.BOOLEAN)

    SUCCESS = Relationship("success", "A FlowFile is routed to this relationship after the database is "
                                      "successfully updated")
    RETRY = Relationship("retry", "A FlowFile is routed to this relationship if the database cannot be updated "
                                  "but attempting the operation again may succeed")
    FAILURE = Relationship("failure", "A FlowFile is routed to this relationship if the database cannot be "
                                      "updated and retrying the operation will also fail, such as an invalid "
                                      "query or an integrity constraint violation")

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        if (properties.get(self.AUTO_COMMIT.name) or "false") != "true":
            return []
        problems = []
        if (properties.get(self.SUPPORT_TRANSACTIONS.name) or "true") == "true":
            problems.append("'Database Session AutoCommit' true cannot be combined with 'Support Fragmented "
                            "Transactions' true (a fragmented transaction needs one database transaction)")
        if properties.get(self.ROLLBACK_ON_FAILURE.name) == "true":
            problems.append("'Database Session AutoCommit' true cannot be combined with 'Rollback On Failure' "
                            "true (committed statements cannot be rolled back)")
        return problems

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(context.get_property(self.BATCH_SIZE).as_int() or 100)
        if not flowfiles:
            return
        groups = self._groups(context, session, flowfiles)
        if not groups:
            return
        pool: DBCPService = context.get_property(self.CONNECTION_POOL).as_controller_service()
        rollback_on_failure = context.get_property(self.ROLLBACK_ON_FAILURE).as_bool()
        autocommit = context.get_property(self.AUTO_COMMIT).as_bool()
        pending = [flowfile for group in groups for flowfile in group]
        outcome: list[tuple[list[FlowFile], _Failed | None, list[Any]]] = []
        try:
            with pool.connection() as connection:
                if not autocommit:
                    connection.begin()
                for index, group in enumerate(groups):
                    failure, keys = self._run_group(context, session, connection, group, index, autocommit)
                    if failure is not None and (rollback_on_failure or (failure.retry and not autocommit)):
                        # the transaction is lost (or must be): nothing of this batch is in the database
                        connection.rollback()
                        if rollback_on_failure:
                            self._give_back(context, session, failure)
                        else:
                            self._all_to_retry(context, session, pending, str(failure))
                        return
                    outcome.append((group, failure, keys))
                    if failure is not None and failure.retry:
                        break  # autocommit: what ran is committed; the rest waits for the next trigger
                if not autocommit:
                    connection.commit()
        except Exception as exc:
            if not is_database_error(exc):
                raise
            if rollback_on_failure:
                self._give_back(context, session, _Failed(describe(exc), retry=True))
            else:
                self._all_to_retry(context, session, pending, describe(exc))
            return
        self._route(context, session, pool, outcome, pending)

    # -- grouping -------------------------------------------------------------------------------
    def _groups(self, context: ProcessContext, session: ProcessSession,
                flowfiles: list[FlowFile]) -> list[list[FlowFile]]:
        """One group per FlowFile, or per complete fragmented transaction (incomplete ones go back to the queue)."""
        if not context.get_property(self.SUPPORT_TRANSACTIONS).as_bool():
            return [[flowfile] for flowfile in flowfiles]
        groups: list[list[FlowFile]] = []
        fragments: dict[str, list[FlowFile]] = {}
        for flowfile in flowfiles:
            identifier = flowfile.attributes.get(FRAGMENT_ID)
            count = flowfile.attributes.get(FRAGMENT_COUNT, "1")
            if identifier and count.strip() not in ("", "1"):
                if identifier not in fragments:
                    fragments[identifier] = []
                    groups.append(fragments[identifier])
                fragments[identifier].append(flowfile)
            else:
                groups.append([flowfile])
        complete: list[list[FlowFile]] = []
        for group in groups:
            problem = _fragment_problem(group)
            if problem == "incomplete":
                session.transfer(group)  # back to the queue until the rest arrives
            elif problem:
                for flowfile in group:
                    self._fail(context, session, flowfile, _Failed(problem, retry=False))
            else:
                complete.append(sorted(group, key=lambda ff: int(ff.attributes.get(FRAGMENT_INDEX, "0"))))
        return complete

    # -- running --------------------------------------------------------------------------------
    def _run_group(self, context: ProcessContext, session: ProcessSession, connection: Connection,
                   group: list[FlowFile], index: int, autocommit: bool) -> tuple[_Failed | None, list[Any]]:
        savepoint = f"putsql_{index}"
        obtain_keys = context.get_property(self.OBTAIN_GENERATED_KEYS).as_bool()
        if not autocommit:
            connection.savepoint(savepoint)
        keys: list[Any] = []
        try:
            for flowfile in group:
                statement = self._statement(context, session, flowfile)
                try:
                    params = parameters(flowfile.attributes)
                except SqlArgumentError as exc:
                    raise _Failed(str(exc), retry=False) from exc
                cursor = connection.execute(statement, params)
                keys.append(_generated_key(connection, cursor) if obtain_keys else None)
        except _Failed as failed:
            if not autocommit:
                connection.rollback_to(savepoint)
            return failed, []
        except Exception as exc:
            if not is_database_error(exc):
                raise
            retry = is_transient(exc)
            if not autocommit and not retry:
                connection.rollback_to(savepoint)
            return _Failed(describe(exc), retry=retry), []
        if not autocommit:
            connection.release(savepoint)
        return None, keys

    def _statement(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile) -> str:
        configured = context.get_property(self.SQL_STATEMENT)
        if configured.is_set:
            statement = configured.evaluate(flowfile).value or ""
        else:
            try:
                statement = session.read_bytes(flowfile).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _Failed(f"the content is not UTF-8 text: {exc}", retry=False) from exc
        if not statement.strip():
            raise _Failed("there is no SQL statement: the content is empty and SQL Statement is not set",
                          retry=False)
        return statement

    # -- routing --------------------------------------------------------------------------------
    def _route(self, context: ProcessContext, session: ProcessSession, pool: DBCPService,
               outcome: list[tuple[list[FlowFile], _Failed | None, list[Any]]], flowfiles: list[FlowFile]) -> None:
        routed: set[str] = set()
        for group, failure, keys in outcome:
            for position, flowfile in enumerate(group):
                routed.add(flowfile.id)
                if failure is not None:
                    self._fail(context, session, flowfile, failure)
                    continue
                if keys and keys[position] is not None:
                    flowfile = session.put_attribute(flowfile, GENERATED_KEY, str(keys[position]))
                session.provenance.send(flowfile, pool.url)
                session.transfer(flowfile, self.SUCCESS)
        untouched = [ff for ff in flowfiles if ff.id not in routed]
        if untouched:
            session.transfer(untouched)  # after a connection failure: tried again next trigger

    def _fail(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile, failure: _Failed) -> None:
        relationship = self.RETRY if failure.retry else self.FAILURE
        context.logger.error(f"Failed to update database for {flowfile}; routing to {relationship.name}: {failure}")
        flowfile = session.put_all_attributes(flowfile, {ERROR_MESSAGE: str(failure),
                                                         ERROR_KIND: "connection" if failure.retry else "sql"})
        if failure.retry:
            flowfile = session.penalize(flowfile)
        session.transfer(flowfile, relationship)

    def _all_to_retry(self, context: ProcessContext, session: ProcessSession, flowfiles: list[FlowFile],
                      message: str) -> None:
        failure = _Failed(message, retry=True)
        for flowfile in flowfiles:
            self._fail(context, session, flowfile, failure)
        context.yield_()

    def _give_back(self, context: ProcessContext, session: ProcessSession, failure: _Failed) -> None:
        context.logger.error(f"Rolling back the session (Rollback On Failure): {failure}")
        session.rollback(penalize=True)
        context.yield_()


def _fragment_problem(group: list[FlowFile]) -> str | None:
    """None when the group is a complete fragmented transaction (or a single FlowFile), 'incomplete'
    when fragments are missing, else why the fragment attributes are unusable."""
    first = group[0].attributes
    if FRAGMENT_ID not in first or len(group) == 1 and first.get(FRAGMENT_COUNT, "1").strip() in ("", "1"):
        return None
    try:
        count = int(first.get(FRAGMENT_COUNT, ""))
        indexes = sorted(int(ff.attributes.get(FRAGMENT_INDEX, "")) for ff in group)
    except ValueError:
        return (f"fragment.count or fragment.index of the transaction {first[FRAGMENT_ID]} is not an integer")
    if len(set(indexes)) != len(indexes) or len(group) > count:
        return f"the transaction {first[FRAGMENT_ID]} has repeated fragment.index values or more than fragment.count FlowFiles"
    return "incomplete" if len(group) < count else None


def _generated_key(connection: Connection, cursor: Any) -> Any:
    if connection.dialect == "sqlite":
        return cursor.lastrowid
    if cursor.description:
        row = cursor.fetchone()
        return row[0] if row else None
    return None
