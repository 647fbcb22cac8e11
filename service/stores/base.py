"""The protocol every backend implements: run a named query from the library, return plain rows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Row = dict[str, Any]


class BackendUnavailableError(Exception):
    """The store cannot answer (missing, corrupt, unreachable, or the query ran past its budget); the
    message says why. The API answers 503."""


class QueryRefusedError(Exception):
    """The database refused a user's query on its own grounds; the message is the database's reason."""


class QueryInvalidError(QueryRefusedError):
    """The query is not valid (syntax, types, an unknown function). The API answers 400."""


class WriteRefusedError(QueryRefusedError):
    """The query would write, or call what a read-only user may not. The API answers 403."""


class Backend(ABC):
    """A read-only graph store that answers the query library by name.

    Rows are dicts of plain Python values: IRIs as strings, integers as int, other literals as str,
    unbound variables absent. Parameters are entity IRIs (strings) bound as typed terms, never spliced.
    """

    name: str
    content_hash: str | None = None

    @abstractmethod
    def run(self, query_name: str, parameters: Mapping[str, str] | None = None) -> list[Row]:
        """Run the library query `query_name` with `parameters` bound."""

    @abstractmethod
    def triple_count(self) -> int:
        """How many statements the store holds (triples, or nodes + relationships)."""

    def snapshot_path(self, name: str) -> Path | None:
        """Where a derived file of this store's release may be kept (None: nowhere, compute each start)."""
        return None

    def ping(self) -> None:
        """Raise BackendUnavailableError when the store cannot answer now."""
        self.run("entities")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""
