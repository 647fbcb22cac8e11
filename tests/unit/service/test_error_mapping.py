"""Errors are mapped by their class and status code, never by words in a message."""

from __future__ import annotations

import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from clinkg.service.stores.base import BackendUnavailableError, QueryInvalidError, WriteRefusedError
from clinkg.service.stores.cypher import neo4j_refusal

URI = "bolt://db:7687"


def neo4j_error(code: str, message: str) -> Exception:
    """The exception the driver raises for a server failure with this status code."""
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("Neo.ClientError.Statement.SyntaxError", "Invalid input ')'", QueryInvalidError),
        # The message speaks of reading and writing; the code says it is a syntax error: 400, not 403.
        ("Neo.ClientError.Statement.SyntaxError", "cannot read or write here", QueryInvalidError),
        (
            "Neo.ClientError.Statement.AccessMode",
            "Writing in read access mode not allowed",
            WriteRefusedError,
        ),
        ("Neo.ClientError.Security.Forbidden", "Executing procedure is not allowed", WriteRefusedError),
        (
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            "timed out",
            BackendUnavailableError,
        ),
        ("Neo.TransientError.General.MemoryPoolOutOfMemoryError", "out of memory", BackendUnavailableError),
        ("Neo.DatabaseError.General.UnknownError", "boom", BackendUnavailableError),
    ],
)
def test_a_neo4j_error_maps_by_its_status_code(code: str, message: str, expected: type[Exception]) -> None:
    mapped = neo4j_refusal(neo4j_error(code, message), URI)
    assert type(mapped) is expected
    assert message in str(mapped)


def test_an_unreachable_server_is_unavailable_naming_it() -> None:
    mapped = neo4j_refusal(ServiceUnavailable("connection refused"), URI)
    assert isinstance(mapped, BackendUnavailableError) and URI in str(mapped)


def test_an_unknown_error_is_left_as_it_is() -> None:
    error = RuntimeError("a bug of ours")
    assert neo4j_refusal(error, URI) is error
