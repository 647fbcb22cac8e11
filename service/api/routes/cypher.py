"""POST /v1/cypher: user Cypher, read-only (the guard, then the database's own checks), with a timeout, a
row limit and a bounded number of queries running at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from clinkg.service.api.deps import BackendDep, CypherSlotsDep, SettingsDep
from clinkg.service.api.models import errors
from clinkg.service.stores.base import BackendUnavailableError, QueryRefusedError
from clinkg.service.stores.cypher import CypherBackend, UserRows
from clinkg.service.stores.cypher_guard import MAX_QUERY_CHARS, refusal

router = APIRouter(prefix="/v1", tags=["cypher"], responses=errors(400, 401, 403, 413, 422, 503))
log = logging.getLogger("clinkg")

# Parameter names as Cypher writes them unquoted ($name); FalkorDB's client splices names into the query.
ParameterName = Annotated[str, StringConstraints(pattern=r"^\w+$", max_length=200)]
INTEGER_RANGE = (-(2**63), 2**63 - 1)  # Cypher's INTEGER; the drivers fail on anything wider


class CypherRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "query": "MATCH (c:Cause)-[:PRESENTS_WITH]->(f:Finding {id: $finding}) "
                    "RETURN c.id, c.label",
                    "parameters": {"finding": "saddle-anesthesia"},
                }
            ]
        },
    )

    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        examples=["MATCH (c:Cause) RETURN c.id, c.label LIMIT 5"],
    )
    parameters: dict[ParameterName, Any] = Field(default_factory=dict)

    @field_validator("parameters")
    @classmethod
    def _integers_fit(cls, value: dict[str, Any]) -> dict[str, Any]:
        pending: list[Any] = [value]  # a loop, not recursion: JSON may nest deeper than the stack
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif type(item) is int and not INTEGER_RANGE[0] <= item <= INTEGER_RANGE[1]:
                raise ValueError("integer parameters must fit in 64 bits")
        return value


class CypherResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when more rows than the row limit matched.")


class _Outcome:
    """What a query's own thread returned or raised, and whether it is done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.rows: UserRows | None = None
        self.error: Exception | None = None

    def run(self, work: Callable[[], UserRows], slots: threading.BoundedSemaphore) -> None:
        try:
            self.rows = work()
        except Exception as exc:  # handed to the request's thread, which answers for it
            self.error = exc
        finally:
            # The slot comes back when the database has given the query up (its own timeout), not when
            # the client stopped waiting: the number of queries the database runs stays bounded.
            slots.release()
            self.done.set()


@router.post("/cypher", response_model=CypherResult)
def post_cypher(
    request: CypherRequest, backend: BackendDep, settings: SettingsDep, slots: CypherSlotsDep
) -> CypherResult:
    """Run a read-only Cypher query on the Neo4j backend (503 on the embedded RDF store)."""
    if not isinstance(backend, CypherBackend):
        raise HTTPException(
            status_code=503,
            detail="Cypher needs the Neo4j backend (CLINKG_BACKEND=neo4j); this service runs on the embedded "
            "RDF store: use /sparql instead",
        )
    # The slot first: however cheap the scan, no more than cypher_concurrency queries are read at once.
    if not slots.acquire(blocking=False):
        raise HTTPException(
            status_code=503,
            detail=f"{settings.cypher_concurrency} Cypher queries are already running; retry shortly",
            headers={"Retry-After": "1"},
        )
    budget = settings.cypher_timeout_s
    outcome = _Outcome()

    def work() -> UserRows:
        return backend.run_user(request.query, request.parameters, settings.cypher_row_limit, budget)

    try:
        reason = refusal(request.query)
        if reason:
            raise HTTPException(status_code=403, detail=reason)
        # The query runs in its own thread, which gives the slot back, so that the answer comes within the
        # budget even when the database is late to give the query up.
        threading.Thread(target=outcome.run, args=(work, slots), name="clinkg-cypher", daemon=True).start()
    except BaseException:
        slots.release()
        raise
    if not outcome.done.wait(budget):
        raise BackendUnavailableError(f"the query ran past its budget of {budget:g} s")
    if outcome.error is not None:
        # The database's refusals (QueryInvalidError: 400, WriteRefusedError: 403) and an unavailable or
        # late store (503) are mapped by class in the app; anything else is ours, and stays in the log.
        if isinstance(outcome.error, QueryRefusedError | BackendUnavailableError):
            raise outcome.error
        log.error("a Cypher query failed inside the service", exc_info=outcome.error)
        raise HTTPException(status_code=500, detail="the query failed inside the service; see the server log")
    assert outcome.rows is not None  # noqa: S101 - set whenever no error was
    columns, rows, truncated = outcome.rows
    return CypherResult(columns=columns, rows=rows, truncated=truncated)
