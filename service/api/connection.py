"""The service's link to its store: opened at start, reopened on demand after a failure, and what the
service builds from the graph it serves (the graph index, ranking, answer views, search index, caches).

A Neo4j that is down when the service starts (or a store that cannot be opened) does not keep the service
from starting: requests that need the graph answer 503 with the reason, and the next request after
`retry_s` tries again, so the service recovers without a restart when the store comes back.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clinkg.service.api.answers import AnswerViews, question
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.ranking.answer import ScopedQuery, UnresolvedError, answer, resolve
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.hierarchy import release_hierarchy
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.ranking.lru import BoundedCache
from clinkg.service.ranking.search import SearchIndex
from clinkg.service.settings import Settings
from clinkg.service.sparql.workers import SparqlWorkers
from clinkg.service.stores.base import Backend, BackendUnavailableError
from clinkg.service.stores.oxigraph import OxigraphBackend

log = logging.getLogger("clinkg")

AnswerCache = BoundedCache[tuple[ScopedQuery, bool], bytes]


@dataclass
class Served:
    """Everything built from one connected graph; built together, replaced together."""

    backend: Backend
    index: GraphIndex
    ranking: Ranking
    views: AnswerViews
    search: SearchIndex
    answers: AnswerCache  # serialized answers by (resolved query, verbose)
    settings: Settings  # what it is served under (limits): one dependency gives a route all it needs


def serve(backend: Backend, settings: Settings | None = None) -> Served:
    """Build everything the service serves from a backend (the lifespan does this; tests and benchmarks
    too, to answer in process exactly as the service does)."""
    settings = settings or Settings()
    index = GraphIndex.load(backend)
    hpo = HpoIndex.load(backend, backend.snapshot_path("hpo_index.json"))
    index.hierarchy = release_hierarchy(backend, hpo)
    ranking = Ranking(index, hpo)
    return Served(
        backend,
        index,
        ranking,
        AnswerViews(index, ranking.weights, hpo),
        SearchIndex.from_graph(index),
        AnswerCache(settings.answer_cache_size),
        settings,
    )


def freeze_heap() -> None:
    """Move every object alive now (the graph just built) out of the cyclic collector's reach.

    A full release's index is millions of long-lived objects; without this each full collection walks them
    all, and the pause lands in whichever request allocated last (HPO answers' mean fell from 8.8 to 6.4 ms
    in bench/hpo_bench.py's patients). `GraphConnection.close` gives them back (`gc.unfreeze`), so a
    replaced graph can still be freed.
    """
    gc.collect()
    gc.freeze()


class GraphConnection:
    """The backend and what is built from it, the SPARQL workers over it, or why there are none."""

    def __init__(
        self,
        open_backend: Callable[[], Backend],
        settings: Settings,
        *,
        owns_backend: bool,
    ) -> None:
        self._open = open_backend
        self._owns = owns_backend
        self._settings = settings
        self._retry_s = settings.reconnect_interval_s
        self._lock = threading.Lock()
        self._last_attempt = 0.0
        self.served: Served | None = None
        self.workers: SparqlWorkers | None = None
        self.error: str | None = None

    @property
    def backend(self) -> Backend | None:
        return self.served.backend if self.served else None

    @property
    def connected(self) -> bool:
        return self.served is not None

    def connect(self) -> None:
        """Open the store and build everything served from it now; keeps the reason when it fails."""
        with self._lock:
            if self.served is not None:
                return
            self._last_attempt = time.monotonic()
            try:
                backend = self._open()
                served = serve(backend, self._settings)
            except BackendUnavailableError as exc:
                self.error = str(exc)
                log.warning("graph store unavailable: %s", exc)
                raise
            if isinstance(backend, OxigraphBackend) and backend.path is not None:
                self.workers = SparqlWorkers(
                    backend.path,
                    self._settings.sparql_workers,
                    queue_wait_s=self._settings.sparql_queue_wait_s,
                )
            self.served, self.error = served, None
            freeze_heap()

    def ensure(self) -> Served:
        """What is served, reconnecting (at most once per retry interval) after a failure."""
        if self.served is not None:
            return self.served
        if time.monotonic() - self._last_attempt < self._retry_s:
            raise BackendUnavailableError(self.error or "the graph store is not connected yet")
        self.connect()
        assert self.served is not None  # noqa: S101 - connect() set it or raised
        return self.served

    def close(self) -> None:
        """Stop the workers and release the store."""
        if self.workers is not None:
            self.workers.close()
        if self.served is not None and self._owns:
            self.served.backend.close()
        gc.unfreeze()


def resolve_request(request: DifferentialRequest, served: Served) -> ScopedQuery:
    """A request as the resolved query POST /v1/differential answers. UnresolvedError (422) names what is
    wrong: more items than the scope allows (CLINKG_MAX_FINDINGS in scope curated, CLINKG_MAX_HPO_TERMS in
    scopes hpo and all), or the references; a phenopacket's unknown terms by their JSON paths."""
    asked = question(request)
    settings = served.settings
    limit = settings.max_findings if asked.scope == "curated" else settings.max_hpo_terms
    if len(asked.present) + len(asked.absent) > limit:
        raise UnresolvedError(
            f"at most {limit} items in 'present' and 'absent' together (or phenotypic features of a "
            f"phenopacket) in scope '{asked.scope}'"
        )
    try:
        return resolve(asked, served.ranking)
    except UnresolvedError as exc:
        if request.packet is None:
            raise
        raise request.packet.unresolved(exc) from None


def answer_json(request: DifferentialRequest, served: Served) -> dict[str, Any]:
    """The answer POST /v1/differential gives, in process (UnresolvedError where the route answers 422):
    for tests, benchmarks and `clinkg rank`, which answer exactly as the service does without HTTP."""
    query = resolve_request(request, served)
    return served.views.to_json(answer(query, served.ranking), request.verbose)
