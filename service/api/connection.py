"""The service's link to its store: opened at start, reopened on demand after a failure.

A Neo4j that is down when the service starts (or a store that cannot be opened) does not keep the service
from starting: requests that need the graph answer 503 with the reason, and the next request after
`retry_s` tries again, so the service recovers without a restart when the store comes back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.sparql.workers import SparqlWorkers
from clinkg.service.stores.base import Backend, BackendUnavailableError
from clinkg.service.stores.oxigraph import OxigraphBackend

log = logging.getLogger("clinkg")


class GraphConnection:
    """The backend, the graph index built from it and the SPARQL workers over it, or why there are none."""

    def __init__(
        self,
        open_backend: Callable[[], Backend],
        *,
        sparql_workers: int,
        sparql_queue_wait_s: float = 1.0,
        owns_backend: bool,
        retry_s: float = 2.0,
    ) -> None:
        self._open = open_backend
        self._owns = owns_backend
        self._sparql_workers = sparql_workers
        self._sparql_queue_wait_s = sparql_queue_wait_s
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._last_attempt = 0.0
        self.backend: Backend | None = None
        self.index: GraphIndex | None = None
        self.workers: SparqlWorkers | None = None
        self.error: str | None = None

    @property
    def connected(self) -> bool:
        return self.index is not None

    def connect(self) -> None:
        """Open the store and build the index now; keeps the reason when it fails."""
        with self._lock:
            if self.index is not None:
                return
            self._last_attempt = time.monotonic()
            try:
                backend = self._open()
                index = GraphIndex.load(backend)
            except BackendUnavailableError as exc:
                self.error = str(exc)
                log.warning("graph store unavailable: %s", exc)
                raise
            if isinstance(backend, OxigraphBackend) and backend.path is not None:
                self.workers = SparqlWorkers(
                    backend.path, self._sparql_workers, queue_wait_s=self._sparql_queue_wait_s
                )
            self.backend, self.index, self.error = backend, index, None

    def ensure(self) -> tuple[Backend, GraphIndex]:
        """The backend and index, reconnecting (at most once per retry interval) after a failure."""
        if self.backend is not None and self.index is not None:
            return self.backend, self.index
        if time.monotonic() - self._last_attempt < self._retry_s:
            raise BackendUnavailableError(self.error or "the graph store is not connected yet")
        self.connect()
        assert self.backend is not None and self.index is not None  # noqa: S101 - connect() set both
        return self.backend, self.index

    def close(self) -> None:
        """Stop the workers and release the store."""
        if self.workers is not None:
            self.workers.close()
        if self.backend is not None and self._owns:
            self.backend.close()
