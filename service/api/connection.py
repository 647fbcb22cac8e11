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
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from clinkg.service.api.answers import AnswerViews, question
from clinkg.service.api.models import DISCLAIMER, DifferentialRequest
from clinkg.service.language.intake import IntakeReader, Mention, Reading
from clinkg.service.language.search import SearchIndex
from clinkg.service.ranking.answer import Question, ScopedQuery, UnresolvedError, answer, resolve
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.hierarchy import release_hierarchy
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.ranking.lru import BoundedCache
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
    _reader: IntakeReader | None = field(default=None, repr=False)
    _reader_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reader(self) -> IntakeReader:
        """The note reader of this graph, built on first use (its target rules take a second to make)."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = IntakeReader(self.index)
            return self._reader


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
        SearchIndex.from_graph(index, hpo, ranking.resolver),
        AnswerCache(settings.answer_cache_size, max_bytes=settings.answer_cache_bytes, weigh=len),
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
                    memory_mb=self._settings.sparql_worker_memory_mb,
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


class NoteTooLongError(ValueError):
    """A note longer than CLINKG_MAX_NOTE_CHARS (413); the message gives the limit, never the note."""


class UnknownItemsError(UnresolvedError):
    """Unknown references (422), each with up to three suggestions from search."""

    def __init__(self, message: str, unknown: tuple[str, ...], suggestions: list[dict[str, Any]]) -> None:
        super().__init__(message, unknown)
        self.suggestions = suggestions


SUGGESTIONS = 3
UNKNOWN = "unknown in this release ('unknown': 'ignore')"
NO_HP_CODE = "no HP code: the HPO ranking cannot use it (the curated graph does: red flags, triage)"
SUGGESTED_TYPES = frozenset({"finding", "cause"})  # what 'present' and 'absent' take


@dataclass(frozen=True)
class Prepared:
    """A differential request made ready: its resolved query, the references it left out (`"unknown":
    "ignore"`), and what its `text` was read as."""

    query: ScopedQuery
    ignored: tuple[str, ...] = ()
    reading: Reading | None = None


def read_note(text: str, served: Served) -> Reading:
    """A note read against the served graph: NoteTooLongError past the limit, UnresolvedError (422) when
    blank."""
    if len(text) > served.settings.max_note_chars:
        raise NoteTooLongError(f"the text is longer than {served.settings.max_note_chars} characters")
    if not text.strip():
        raise UnresolvedError("the text is empty")
    return served.reader().read(text)


def _with_note(asked: Question, reading: Reading) -> Question:
    """The question with what the note says: its items joined (explicit items win), its context fields
    filling those the request left empty."""
    present = list(asked.present)
    absent = list(asked.absent)
    for mention in reading.present:
        if mention.id not in present and mention.id not in absent:
            present.append(mention.id)
    for mention in reading.absent:
        if mention.id not in present and mention.id not in absent:
            absent.append(mention.id)
    return replace(
        asked,
        present=tuple(present),
        absent=tuple(absent),
        onset=asked.onset or reading.onset,
        laterality=asked.laterality or reading.laterality,
        course=asked.course or reading.course,
        age=asked.age if asked.age is not None else reading.age,
    )


def suggestions(served: Served, unknown: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each unknown reference with the best findings and history items search finds for it."""
    found = []
    for ref in unknown:
        hits = [h for h in served.search.search(ref, limit=10) if h.type in SUGGESTED_TYPES]
        found.append(
            {"ref": ref, "suggestions": [{"id": h.id, "label": h.label} for h in hits[:SUGGESTIONS]]}
        )
    return found


def prepare(request: DifferentialRequest, served: Served) -> Prepared:
    """A request as POST /v1/differential answers it (module functions above): its text read, its
    references resolved, unknown ones rejected with suggestions or left out as asked."""
    asked = question(request)
    reading = None
    if request.text is not None:
        reading = read_note(request.text, served)
        asked = _with_note(asked, reading)
        if not asked.present:
            raise UnresolvedError("nothing in the text was recognised as a finding or history item")
    try:
        return Prepared(_resolve(asked, request, served), (), reading)
    except UnresolvedError as exc:
        if not exc.unknown or request.packet is not None:
            raise
        if request.unknown == "reject":
            raise UnknownItemsError(str(exc), exc.unknown, suggestions(served, exc.unknown)) from None
        left = set(exc.unknown)
        kept = replace(
            asked,
            present=tuple(r for r in asked.present if r not in left),
            absent=tuple(r for r in asked.absent if r not in left),
        )
        if not kept.present:
            raise UnknownItemsError(
                "no item in 'present' is known", exc.unknown, suggestions(served, exc.unknown)
            ) from None
        return Prepared(_resolve(kept, request, served), exc.unknown, reading)


def _resolve(asked: Question, request: DifferentialRequest, served: Served) -> ScopedQuery:
    """A question as a resolved query. UnresolvedError (422) names what is wrong: more items than the scope
    allows (CLINKG_MAX_FINDINGS in scope curated, CLINKG_MAX_HPO_TERMS in scopes hpo and all), or the
    references; a phenopacket's unknown terms by their JSON paths."""
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


def intake_json(reading: Reading) -> dict[str, Any]:
    """A reading as POST /v1/intake shows it (IntakeResponse)."""

    def listed(mentions: list[Mention]) -> list[dict[str, Any]]:
        return [
            {"id": m.id, "label": m.label, "span": {"start": m.start, "end": m.end, "text": m.text}}
            for m in mentions
        ]

    return {
        "present": listed(reading.present),
        "absent": listed(reading.absent),
        "history": listed(reading.history),
        "uncertain": listed(reading.uncertain),
        "onset": reading.onset,
        "laterality": reading.laterality,
        "course": reading.course,
        "age": reading.age,
        "unmatched": [{"start": a, "end": b, "text": t} for a, b, t in reading.unmatched],
        "disclaimer": DISCLAIMER,
    }


def _extras(request: DifferentialRequest, prepared: Prepared) -> dict[str, Any]:
    """What an answer adds for its own request: what it ignored, what its text was read as."""
    extra: dict[str, Any] = {}
    ignored = [{"ref": ref, "reason": UNKNOWN} for ref in prepared.ignored]
    ignored += [{"ref": ref, "reason": NO_HP_CODE} for ref in prepared.query.hpo_uncoded]
    if ignored or request.unknown == "ignore":
        extra["ignored"] = ignored
    if prepared.reading is not None:
        extra["read_from_text"] = intake_json(prepared.reading)
    return extra


def answer_bytes(request: DifferentialRequest, served: Served) -> bytes:
    """The body POST /v1/differential answers (UnresolvedError where the route answers 422). Answers are
    cached by resolved query; what a request ignored or read from its text is added to the cached body."""
    prepared = prepare(request, served)
    query, verbose = prepared.query, request.verbose
    body = served.answers.get_or_compute(
        (query, verbose), lambda: served.views.dumps(answer(query, served.ranking), verbose)
    )
    return _with_extras(body, request, prepared)


def fresh_answer_bytes(request: DifferentialRequest, served: Served) -> bytes:
    """The same body computed afresh, never from the answer cache (the pieces the views keep are used):
    what the benchmarks time."""
    prepared = prepare(request, served)
    body = served.views.dumps(answer(prepared.query, served.ranking), request.verbose)
    return _with_extras(body, request, prepared)


def answer_json(request: DifferentialRequest, served: Served) -> dict[str, Any]:
    """The answer as JSON values, computed afresh: for tests and `clinkg rank`."""
    found: dict[str, Any] = orjson.loads(fresh_answer_bytes(request, served))
    return found


def _with_extras(body: bytes, request: DifferentialRequest, prepared: Prepared) -> bytes:
    extra = _extras(request, prepared)
    return body[:-1] + b"," + orjson.dumps(extra)[1:] if extra else body
