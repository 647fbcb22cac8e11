"""Backends that answer the Cypher library: Neo4j (official driver, read transactions with a timeout)
and FalkorDB (RESP client; used to execute the library in tests, where no Neo4j server exists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import clinkg.queries as queries
from clinkg.ontology import ID
from clinkg.service.stores.base import (
    Backend,
    BackendUnavailableError,
    QueryInvalidError,
    Row,
    WriteRefusedError,
)

Executor = Callable[[str, Mapping[str, Any]], list[Row]]
# Runs user Cypher read-only: (text, parameters, row limit) -> (columns, rows as value lists, truncated)
UserExecutor = Callable[[str, Mapping[str, Any], int], tuple[list[str], list[list[Any]], bool]]
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


def neo4j_backend(uri: str, user: str, password: str, database: str, timeout_s: float) -> CypherBackend:
    """A backend over the official Neo4j driver: READ access mode, a transaction timeout per query."""
    import neo4j
    from neo4j.exceptions import DriverError, Neo4jError

    driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))

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
        text: str, parameters: Mapping[str, Any], limit: int
    ) -> tuple[list[str], list[list[Any]], bool]:
        def work(tx: Any) -> tuple[list[str], list[list[Any]], bool]:
            result = tx.run(neo4j.Query(text, timeout=timeout_s), dict(parameters))
            rows: list[list[Any]] = []
            for record in result:
                if len(rows) == limit:
                    return list(result.keys()), rows, True
                rows.append([jsonable(v) for v in record.values()])
            return list(result.keys()), rows, False

        try:
            with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except (Neo4jError, DriverError) as exc:
            raise neo4j_refusal(exc, uri) from exc

    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        raise BackendUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from exc
    return CypherBackend("neo4j", execute, run_user, driver.close)


def falkordb_backend(graph: Any) -> CypherBackend:
    """A backend over a FalkorDB graph (tests and local experiments)."""

    def columns(result: Any) -> list[str]:
        return [column[1] if isinstance(column, (list, tuple)) else str(column) for column in result.header]

    def query(text: str, parameters: Mapping[str, Any]) -> Any:
        from redis.exceptions import ConnectionError as Unreachable
        from redis.exceptions import ResponseError
        from redis.exceptions import TimeoutError as Late

        try:
            return graph.ro_query(text, dict(parameters))
        except (Unreachable, Late) as exc:
            raise BackendUnavailableError(f"FalkorDB is unavailable: {exc}") from exc
        except ResponseError as exc:  # FalkorDB's refusal of the query itself
            raise QueryInvalidError(str(exc)) from exc

    def execute(text: str, parameters: Mapping[str, Any]) -> list[Row]:
        result = query(text, parameters)
        return [dict(zip(columns(result), row, strict=True)) for row in result.result_set]

    def run_user(
        text: str, parameters: Mapping[str, Any], limit: int
    ) -> tuple[list[str], list[list[Any]], bool]:
        result = query(text, parameters)
        rows = [[jsonable(v) for v in row] for row in result.result_set[: limit + 1]]
        return columns(result), rows[:limit], len(rows) > limit

    return CypherBackend("falkordb", execute, run_user)
