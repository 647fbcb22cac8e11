"""The protocol every backend implements: run a named query from the library, return plain rows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Row = dict[str, Any]


class BackendUnavailableError(Exception):
    """The store cannot answer (missing, corrupt or unreachable); the message says why."""


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
