"""Backends that answer the Cypher library: Neo4j (official driver, read transactions with a timeout)
and FalkorDB (RESP client; used to execute the library in tests, where no Neo4j server exists).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import clinkg.queries as queries
from clinkg.ontology import ID
from clinkg.service.stores.base import (
    Backend,
    BackendUnavailableError,
    QueryInvalidError,
    Row,
    WriteRefusedError,
)
from clinkg.service.stores.cypher_guard import bounded, plan_refusal

Executor = Callable[[str, Mapping[str, Any]], list[Row]]
# A user query's answer: its columns, at most the row limit of rows (value lists), whether more matched.
UserRows = tuple[list[str], list[list[Any]], bool]


class UserExecutor(Protocol):
    """Runs user Cypher read-only within `timeout_s` (the backend's own budget when None)."""

    def __call__(
        self, text: str, parameters: Mapping[str, Any], limit: int, timeout_s: float | None = None
    ) -> UserRows: ...


COUNT_NODES = "MATCH (n:Entity) RETURN count(n) AS total"
COUNT_RELATIONSHIPS = "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS total"
RELEASE = "MATCH (r:Release {graph: 'curated'}) RETURN r.content_hash AS content_hash"


def entity_id(reference: str) -> str:
    """Cypher parameters are entity ids; the backend protocol passes IRIs."""
    return reference.removeprefix(str(ID))


class CypherBackend(Backend):
    """Runs `queries/cypher/NAME.cypher` through an executor that returns rows as dicts."""

    def __init__(
        self,
        name: str,
        execute: Executor,
        run_user: UserExecutor,
        close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.execute = execute
        self.run_user = run_user
        self._close = close
        found = execute(RELEASE, {})
        self.content_hash = found[0]["content_hash"] if found else None
        # Counted once at connection, so /health never waits on the database.
        self._totals = sum(int(execute(q, {})[0]["total"]) for q in (COUNT_NODES, COUNT_RELATIONSHIPS))

    def run(self, query_name: str, parameters: Mapping[str, str] | None = None) -> list[Row]:
        query = queries.load(query_name, "cypher")
        bound: dict[str, Any] = {name: None for name in query.parameters}
        bound.update({k: entity_id(v) for k, v in (parameters or {}).items()})
        return [{k: v for k, v in row.items() if v is not None} for row in self.execute(query.text, bound)]

    def ping(self) -> None:
        self.execute("RETURN 1 AS one", {})

    def triple_count(self) -> int:
        return self._totals

    def close(self) -> None:
        if self._close is not None:
            self._close()


def jsonable(value: Any) -> Any:
    """A Cypher result value as JSON: nodes, relationships and paths as maps, temporal values as text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    labels = getattr(value, "labels", None)
    if labels is not None and hasattr(value, "items"):
        return {"labels": sorted(labels), "properties": jsonable(dict(value.items()))}
    if hasattr(value, "start_node") and hasattr(value, "end_node"):
        return {
            "type": value.type,
            "start": value.start_node.get("id"),
            "end": value.end_node.get("id"),
            "properties": jsonable(dict(value.items())),
        }
    if hasattr(value, "nodes") and hasattr(value, "relationships"):
        return {"nodes": jsonable(list(value.nodes)), "relationships": jsonable(list(value.relationships))}
    if hasattr(value, "properties") and hasattr(value, "labels"):  # FalkorDB node
        return {"labels": sorted(value.labels), "properties": jsonable(value.properties)}
    if hasattr(value, "properties") and hasattr(value, "relation"):  # FalkorDB edge
        return {"type": value.relation, "properties": jsonable(value.properties)}
    return str(value)


# Neo4j status codes (the driver's classification of its errors, not their wording) that say what a
# refusal was: a write in a read transaction, a procedure a reader may not call, a query past its timeout.
WRITE_CODES = frozenset({"Neo.ClientError.Statement.AccessMode", "Neo.ClientError.Security.Forbidden"})
TIMEOUT_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)


def neo4j_refusal(exc: Exception, uri: str) -> Exception:
    """The error a Neo4j driver exception stands for, by its class and status code: the store is away or
    out of time (BackendUnavailableError), the query writes (WriteRefusedError), the query is not valid
    (QueryInvalidError); anything else is raised as it is (a fault of ours, a 500)."""
    from neo4j.exceptions import (
        ClientError,
        DatabaseError,
        ServiceUnavailable,
        SessionExpired,
        TransientError,
    )

    code = getattr(exc, "code", None) or ""
    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return BackendUnavailableError(f"Neo4j at {uri} is unavailable: {exc}")
    if code in TIMEOUT_CODES:
        return BackendUnavailableError(f"the query ran past its budget: {message}")
    if isinstance(exc, TransientError | DatabaseError):
        return BackendUnavailableError(f"Neo4j could not answer now: {message}")
    if code in WRITE_CODES:
        return WriteRefusedError(message)
    if isinstance(exc, ClientError):
        return QueryInvalidError(message)
    return exc


def read_checked(tx: Any, text: str, parameters: Mapping[str, Any], limit: int) -> UserRows:
    """In one READ transaction `tx`: EXPLAIN the query and refuse it unless the planner says it only
    reads (WriteRefusedError), then run it and read at most limit + 1 records; the rest is discarded."""
    plan = tx.run("EXPLAIN " + text, dict(parameters)).consume()
    reason = plan_refusal(plan.query_type)
    if reason:
        raise WriteRefusedError(reason)
    result = tx.run(text, dict(parameters))
    rows: list[list[Any]] = []
    for record in result:
        if len(rows) == limit:
            return list(result.keys()), rows, True
        rows.append([jsonable(v) for v in record.values()])
    return list(result.keys()), rows, False


def neo4j_backend(uri: str, user: str, password: str, database: str, timeout_s: float) -> CypherBackend:
    """A backend over the official Neo4j driver: READ access mode, a transaction timeout per query."""
    import neo4j
    from neo4j.exceptions import DriverError, Neo4jError

    driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
    default_timeout_s = timeout_s

    def execute(text: str, parameters: Mapping[str, Any]) -> list[Row]:
        query = neo4j.Query(text, timeout=timeout_s)
        try:
            records, _, _ = driver.execute_query(
                query, dict(parameters), database_=database, routing_=neo4j.RoutingControl.READ
            )
        except (Neo4jError, DriverError) as exc:
            found = neo4j_refusal(exc, uri)
            # The library's own query refused as invalid is a fault of ours: raised as it is (a 500).
            raise (exc if isinstance(found, QueryInvalidError | WriteRefusedError) else found) from exc
        return [record.data() for record in records]

    def run_user(
        text: str, parameters: Mapping[str, Any], limit: int, timeout_s: float | None = None
    ) -> UserRows:
        @neo4j.unit_of_work(timeout=timeout_s if timeout_s is not None else default_timeout_s)
        def work(tx: Any) -> UserRows:
            return read_checked(tx, text, parameters, limit)

        try:
            # A fetch size of limit + 1 keeps the server from building rows nobody reads.
            with driver.session(
                database=database, default_access_mode=neo4j.READ_ACCESS, fetch_size=limit + 1
            ) as session:
                return session.execute_read(work)
        except (Neo4jError, DriverError) as exc:
            raise neo4j_refusal(exc, uri) from exc

    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        raise BackendUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from exc
    return CypherBackend("neo4j", execute, run_user, driver.close)


# FalkorDB reports a query stopped by its timeout as a plain ResponseError: a refusal that arrives once
# (nearly) the whole budget is spent is read as the budget running out, whatever its words.
LATE_FRACTION = 0.9
# FalkorDB's syntax errors quote the query whole; a 100 KB query need not come back in the answer.
MESSAGE_CHARS = 500


def shortened(message: str) -> str:
    """A database message cut to MESSAGE_CHARS characters."""
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


def falkordb_backend(graph: Any, timeout_s: float = 10.0) -> CypherBackend:
    """A backend over a FalkorDB graph (tests and local experiments); user queries get `timeout_s`
    unless the caller gives their own budget."""
    log = logging.getLogger("clinkg")
    default_timeout_s = timeout_s

    def columns(result: Any) -> list[str]:
        return [column[1] if isinstance(column, (list, tuple)) else str(column) for column in result.header]

    def query(text: str, parameters: Mapping[str, Any], budget_s: float | None = None) -> Any:
        from redis.exceptions import ConnectionError as Unreachable
        from redis.exceptions import ResponseError
        from redis.exceptions import TimeoutError as Late

        started = time.monotonic()
        try:
            if budget_s is None:
                return graph.ro_query(text, dict(parameters))
            return graph.ro_query(text, dict(parameters), timeout=max(1, math.ceil(budget_s * 1000)))
        except (Unreachable, Late) as exc:
            log.warning("FalkorDB is unavailable: %s", exc)
            raise BackendUnavailableError("FalkorDB is unavailable") from exc
        except ResponseError as exc:  # FalkorDB's refusal of the query itself
            if budget_s is not None and time.monotonic() - started >= LATE_FRACTION * budget_s:
                raise BackendUnavailableError(f"the query ran past its budget of {budget_s:g} s") from exc
            raise QueryInvalidError(shortened(str(exc))) from exc

    def explain(text: str, parameters: Mapping[str, Any]) -> None:
        from redis.exceptions import RedisError, ResponseError

        try:
            graph.explain(text, dict(parameters))  # planned, never run
        except ResponseError as exc:
            raise QueryInvalidError(shortened(str(exc))) from exc
        except RedisError as exc:
            raise BackendUnavailableError("FalkorDB is unavailable") from exc

    def check_parameters(parameters: Mapping[str, Any]) -> None:
        # The client writes parameters into the query text: what it cannot write is the user's mistake.
        from falkordb.helpers import stringify_param_value

        problem = "a parameter cannot be sent to FalkorDB: names and map keys must be non-empty, no backticks"
        if any(not name or "`" in name for name in parameters):
            raise QueryInvalidError(problem)
        try:
            for value in parameters.values():
                stringify_param_value(value)
        except (ValueError, TypeError) as exc:
            raise QueryInvalidError(problem) from exc

    def execute(text: str, parameters: Mapping[str, Any]) -> list[Row]:
        result = query(text, parameters)
        return [dict(zip(columns(result), row, strict=True)) for row in result.result_set]

    def run_user(
        text: str, parameters: Mapping[str, Any], limit: int, timeout_s: float | None = None
    ) -> UserRows:
        # FalkorDB builds its whole reply before sending it: the query itself must stop at limit + 1.
        check_parameters(parameters)
        rewritten = bounded(text, limit + 1, parameters)
        if rewritten is None:
            explain(text, parameters)  # the database's own words for the mistake, when it has some
            raise QueryInvalidError("a string, comment, quoted name or bracket of the query is not closed")
        result = query(rewritten, parameters, timeout_s if timeout_s is not None else default_timeout_s)
        rows = [[jsonable(v) for v in row] for row in result.result_set[: limit + 1]]
        return columns(result), rows[:limit], len(rows) > limit

    return CypherBackend("falkordb", execute, run_user)
