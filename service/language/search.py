"""Search: the entities a person's words name, best first, the way a clinical dictionary ranks them.

Every entity of the curated graph is found by its label, its synonyms (patient words too), its codes and
the names the release's HPO gives its exact codes (hp.obo's label and exact synonyms); on a release with
the HPO graph, every HP term (label and exact synonyms) and every disease as well. An HP term that is a
curated entity's exact code is that entity: one hit, the curated one (its answers explain themselves).
Names and queries are normalised alike (service/language/words.py: stems, polarity tokens, stop words).

Finding the names: a BM25 index (`bm25s`) over the names' words returns the `RETRIEVE` best names for
the query's words and their variants: the word itself, the clinical words an everyday word stands for
(function_words.yaml: "hurt" -> pain), the vocabulary words it is a prefix of (3+ characters), and, for
a word the vocabulary lacks, the words within a small edit distance as written (`rapidfuzz`, optimal
string alignment, so a swap of two letters is one edit: 1 edit for 4-7 characters, 2 for 8+), so that a
correctly spelt word is never "corrected".

A query word the vocabulary lacks that is two of the names' words run together ("footdrop", "backpain")
is read as those two words.

Ranking them (the scores are ours, for ordering only): each query word gets the best grade any word of
the name gives it (whole 1.0, everyday equivalent 0.9, prefix 0.85, typo 0.6); `quality` is their mean,
`coverage` the share of the name's words the query accounts for (a shorter name the query explains ranks
higher). An entity takes the score of its best name:

    exact   100  the label or a code equals the query; 95 a synonym does (spaces ignored too)
    phrase  70 + 10 quality + 10 coverage   every query word found, in order, as a run of the name
    words   50 + 10 quality + 10 coverage   every query word found, any order
    some    45 quality + 5 coverage - 5     some query words found (typos included)

so a phrase matched whole beats one matched word by word, and all words beat some. Polarity: a name whose
meaning is turned around ("cannot pee", "trouble passing urine") matches a query that is turned around
too ("can't pass urine"). It is judged word by word: a matched word in the scope of a polarity token on
one side only turns the match ("peeing myself without realising" is not turned against "peeing myself",
whose "without" scopes over "realising"). A turned name ("passing water a lot" for "difficulty passing
water") keeps a tenth of its "some" score, so it ranks below any name that matches even one word the
right way round.

Names of more specific HP terms count for the curated entity they resolve to (a term's nearest ancestor
that an entity has as its exact code: "foot drop", an HP term below lower limb muscle weakness, finds Leg
weakness), at `NARROWER` x their score so that an entity's own names win ties.

An observable mechanism passes its score to each finding it manifests as whose own names have at least
half of the query's words ("loss of muscle mass" names the mechanism of muscle loss, and the finding
Decreased muscle mass, what one observes of it, has "muscle mass"), marked `via` the mechanism.

Equal scores are ordered by what the entity is, never by the alphabet: the curated graph first (its
answers explain themselves), then findings, causes, red flags, mechanisms, tests; then the score of the
entity's own names (for findings reached through a mechanism); then the more connected entity (edges in
the curated graph, annotated diseases or terms in the HPO graph); then the shorter label. Only entities
equal in all of these fall back to their id.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
from rapidfuzz import process
from rapidfuzz.distance import OSA

from clinkg.service.language.names import entity_names
from clinkg.service.language.words import Words, equivalents, words
from clinkg.service.ranking.graph_index import IDENTIFYING, GraphIndex
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.ranking.resolver import Resolver

WHOLE, EQUIVALENT, PREFIX, TYPO = 1.0, 0.9, 0.85, 0.6
EXACT_LABEL, EXACT_SYNONYM = 100.0, 95.0
PREFIX_MIN_CHARS = 3
PREFIX_EXPANSIONS = 50  # vocabulary words a prefix may stand for ("mus" -> muscle, muscular, ...)
RETRIEVE = 400  # names BM25 hands to the ranking
# A name whose polarity is the query's opposite keeps a tenth of its "some" score (at most 4.5): below
# every name that matches a word or two the right way round, above nothing at all.
TURNED = 0.1
NARROWER = 0.97  # a more specific term's name counts a little less than the entity's own names
TYPE_ORDER = {"finding": 0, "cause": 1, "red_flag": 2, "mechanism": 3, "test": 4, "triage_advice": 5}


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the public id, label, type, graph, score, the name that matched and, for a
    finding reached through a mechanism's name, that mechanism's id."""

    id: str
    label: str
    type: str
    graph: str
    score: float
    matched: str
    via: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str  # public: clinkg:..., HP:..., OMIM:...
    label: str
    type: str
    graph: str  # curated | hpo
    degree: int
    shows: tuple[int, ...] = ()  # a mechanism's findings (manifests_as), as entry positions


@dataclass(frozen=True, slots=True)
class _Name:
    entry: int
    text: str
    is_label: bool
    words: Words
    weight: float = 1.0  # NARROWER for the name of a more specific HP term


def typo_limit(word: str) -> int:
    """How many edits a query word may be away from a name word."""
    if len(word) >= 8:
        return 2
    return 1 if len(word) >= 4 else 0


class SearchIndex:
    """The names of a graph's entities (and of its HPO graph), indexed once, searched per request."""

    def __init__(
        self, graph: GraphIndex, hpo: HpoIndex | None = None, resolver: Resolver | None = None
    ) -> None:
        self.resolver = resolver
        self.entries: list[_Entry] = []
        self.names: list[_Name] = []
        self.by_code: dict[str, tuple[int, str]] = {}  # upper-cased code -> (entry, the code as written)
        self.by_compact: dict[str, list[int]] = {}
        position = {entity_id: i for i, entity_id in enumerate(sorted(graph.entities))}
        named = entity_names(graph)
        for entity_id in sorted(graph.entities):
            entity = graph.entities[entity_id]
            shows: tuple[int, ...] = ()
            if entity.type == "mechanism":
                shows = tuple(
                    position[e.object]
                    for e in graph.out_edges.get(entity_id, ())
                    if e.predicate == "manifests_as"
                )
            degree = len(graph.out_edges.get(entity_id, ())) + len(graph.in_edges.get(entity_id, ()))
            here = self._add(entity.curie, entity.label, entity.type, "curated", degree, shows)
            self._add_names(here, named[entity_id].own, first_is_label=True)
            self._add_names(here, named[entity_id].narrower, weight=NARROWER)
            for code in (entity.curie, entity.id, *entity.codes(IDENTIFYING)):
                self.by_code.setdefault(code.upper(), (here, code))
        if hpo is not None:
            exact = {code for entity in graph.entities.values() for code in entity.xrefs}
            for term, label in hpo.labels.items():
                if term in exact:  # a curated entity's exact code: the same concept, one hit
                    continue
                diseases = len(hpo.propagated.get(term, ()))
                here = self._add(term, label, "finding", "hpo", diseases)
                self._add_names(here, (label, *hpo.synonyms.get(term, ())), first_is_label=True)
            for disease, label in hpo.disease_labels.items():
                terms = len(hpo.positive.get(disease, ()))
                here = self._add(disease, label, "cause", "hpo", terms)
                self._add_names(here, (label, *hpo.synonyms.get(disease, ())), first_is_label=True)
        self.entry_names: list[list[int]] = [[] for _ in self.entries]
        for n, name in enumerate(self.names):
            self.entry_names[name.entry].append(n)
        for i, entry in enumerate(self.entries):
            self.by_code.setdefault(entry.id.upper(), (i, entry.id))
        corpus = [list(name.words.content) or list(name.words.tokens) for name in self.names]
        self.vocabulary = sorted({word for tokens in corpus for word in tokens})
        self.known = frozenset(self.vocabulary)
        # Typos are judged on words as written (stems are too short to judge: "wekness" stems to "wek").
        spelled: dict[str, str] = {}
        for name in self.names:
            for written, stemmed in zip(name.words.raw, name.words.tokens, strict=True):
                if stemmed in self.known:
                    spelled.setdefault(written, stemmed)
        self.spelled = spelled
        self.written = sorted(spelled)
        self.bm25: bm25s.BM25 | None = None
        if corpus:  # a graph with no names (a store without the curated graph) has nothing to index
            self.bm25 = bm25s.BM25()
            self.bm25.index(corpus, show_progress=False)

    def _add(
        self, public: str, label: str, type_: str, graph: str, degree: int, shows: tuple[int, ...] = ()
    ) -> int:
        self.entries.append(_Entry(public, label, type_, graph, degree, shows))
        return len(self.entries) - 1

    def _add_names(
        self, entry: int, texts: Iterable[str], first_is_label: bool = False, weight: float = 1.0
    ) -> None:
        for rank, text in enumerate(dict.fromkeys(texts)):
            found = words(text)
            if found.tokens:
                self.by_compact.setdefault(found.compact, []).append(len(self.names))
                self.names.append(_Name(entry, text, first_is_label and rank == 0, found, weight))

    @classmethod
    def from_graph(
        cls, graph: GraphIndex, hpo: HpoIndex | None = None, resolver: Resolver | None = None
    ) -> SearchIndex:
        """The search index of a graph (build it once per graph and keep it); with the release's resolver,
        every identifier it reads (IRIs, bare ICD-10-CM codes, ...) is an exact match too."""
        return cls(graph, hpo, resolver)

    # ------------------------------------------------------------------ searching

    def search(self, q: str, type: str | None = None, limit: int = 10) -> list[Hit]:  # noqa: A002
        """Entities matching `q`, best first, at most `limit`, only of `type` when given."""
        text = q.strip()
        query = self._decompounded(words(text))
        best: dict[int, tuple[float, str]] = {}  # entry -> (score, matched name)
        # An OBO IRI's local name writes the CURIE with an underscore (HP_0007340).
        coded = self.by_code.get(text.upper()) or self.by_code.get(text.upper().replace("_", ":", 1))
        if coded is None:
            coded = self._identified(text)
        if coded is not None:
            best[coded[0]] = (EXACT_LABEL, coded[1])
        if query.tokens:
            written = dict(zip(query.tokens, query.raw, strict=True))
            grades = {word: self._grades(word, written[word]) for word in query.content or query.tokens}
            for position in self._retrieve(query, grades):
                name = self.names[position]
                score = _score(name.words, name.is_label, query, grades) * name.weight
                if score > 0 and score > best.get(name.entry, (0.0, ""))[0]:
                    best[name.entry] = (score, name.text)
        own = {entry: score for entry, (score, _) in best.items()}
        via: dict[int, int] = {}
        for entry, (score, matched) in list(best.items()):
            for finding in self.entries[entry].shows:
                if score > best.get(finding, (0.0, ""))[0] and self._observes(finding, query):
                    best[finding] = (score, matched)
                    via[finding] = entry
        chosen = [e for e in best if type is None or self.entries[e].type == type]
        chosen.sort(key=lambda e: self._order(e, best[e][0], own.get(e, 0.0)))
        return [
            Hit(
                id=self.entries[e].id,
                label=self.entries[e].label,
                type=self.entries[e].type,
                graph=self.entries[e].graph,
                score=round(best[e][0], 3),
                matched=best[e][1],
                via=self.entries[via[e]].id if e in via else None,
            )
            for e in chosen[:limit]
        ]

    def _decompounded(self, query: Words) -> Words:
        """The query with each word the vocabulary lacks that is two of its words run together ("footdrop",
        "backpain") written apart, so that it can match a name's two words."""
        parts: list[str] = []
        changed = False
        for written, stemmed in zip(query.raw, query.tokens, strict=True):
            split = None if stemmed in self.known else self._split(written)
            changed = changed or split is not None
            parts.append(split or written)
        if not changed:
            return query
        return words(" ".join(parts))

    def _split(self, written: str) -> str | None:
        """`written` as two words of the names as written, each of 3 letters or more, else None."""
        if len(written) < 2 * PREFIX_MIN_CHARS or not written.isalpha():
            return None
        for cut in range(PREFIX_MIN_CHARS, len(written) - PREFIX_MIN_CHARS + 1):
            left, right = written[:cut], written[cut:]
            if left in self.spelled and right in self.spelled:
                return f"{left} {right}"
        return None

    def _identified(self, text: str) -> tuple[int, str] | None:
        """The entry an identifier names as the release's resolver reads it (an IRI, a bare ICD-10-CM
        code): names and words are search's own business."""
        if self.resolver is None:
            return None
        found = self.resolver.resolve(text)
        if found is None or found.matched not in ("id", "curie", "iri", "code"):
            return None
        for key in (f"clinkg:{found.entity}" if found.entity else None, found.term, found.id):
            if key is not None and key.upper() in self.by_code:
                return self.by_code[key.upper()][0], text
        return None

    def _order(self, entry: int, score: float, own: float) -> tuple[float, int, int, float, int, int, str]:
        e = self.entries[entry]
        graph = 0 if e.graph == "curated" else 1
        return (-score, graph, TYPE_ORDER.get(e.type, 9), -own, -e.degree, len(e.label), e.id)

    def _observes(self, finding: int, query: Words) -> bool:
        """Whether one of the finding's own names has at least half of the query's words."""
        said = set(query.content)
        if not said:
            return False
        return any(
            2 * len(said & set(self.names[n].words.content)) >= len(said) for n in self.entry_names[finding]
        )

    def _retrieve(self, query: Words, grades: dict[str, dict[str, float]]) -> list[int]:
        """The names worth ranking: the run-together form's, and BM25's best for every word variant."""
        found = set(self.by_compact.get(query.compact, ()))
        variants = sorted({word for graded in grades.values() for word in graded})
        if variants and self.bm25 is not None:
            k = min(RETRIEVE, len(self.names))
            documents, scores = self.bm25.retrieve([variants], k=k, show_progress=False, n_threads=0)
            found.update(documents[0][scores[0] > 0].tolist())
        return sorted(found)

    def _grades(self, word: str, written: str) -> dict[str, float]:
        """Vocabulary words that `word` (a stem, `written` as the query has it) matches, with the grade of
        each match."""
        found: dict[str, float] = {}
        if word in self.known:
            found[word] = WHOLE
        for clinical in equivalents(word):
            if clinical in self.known:
                found.setdefault(clinical, EQUIVALENT)
        if len(word) >= PREFIX_MIN_CHARS:
            start = bisect.bisect_right(self.vocabulary, word)
            for vocab_word in self.vocabulary[start : start + PREFIX_EXPANSIONS]:
                if not vocab_word.startswith(word):
                    break
                found[vocab_word] = PREFIX
        limit = typo_limit(written)
        if word not in self.known and limit and not found:
            # OSA distance: a swap of two letters ("tierd") is one edit.
            for spelt, _, _ in process.extract(
                written, self.written, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                found.setdefault(self.spelled[spelt], TYPO)
        return found


def _score(name: Words, is_label: bool, query: Words, grades: dict[str, dict[str, float]]) -> float:
    """The score of one name for the query (module docstring)."""
    if query.joined == name.joined or (
        query.compact == name.compact and bool(name.polarity) == bool(query.polarity)
    ):
        return EXACT_LABEL if is_label else EXACT_SYNONYM
    asked = query.content or query.tokens
    target = name.content or name.tokens
    matched: set[str] = set()
    total, complete, turned = 0.0, True, False
    for word in asked:
        grade, hit = 0.0, ""
        for name_word in target:
            g = grades[word].get(name_word, 0.0)
            if g > grade:
                grade, hit = g, name_word
        total += grade
        complete = complete and grade >= PREFIX
        if hit:
            matched.add(hit)
            # Turned around: a word said in the scope of "can't" on one side and plainly on the other.
            turned = turned or (word in query.negated) != (hit in name.negated)
    quality = total / len(asked)
    coverage = len(matched) / len(target)
    some = 45 * quality + 5 * coverage - 5
    if turned:
        return TURNED * max(some, 0.0)
    if not complete:
        return some
    if _is_run(target, asked, grades):
        return 70 + 10 * quality + 10 * coverage
    return 50 + 10 * quality + 10 * coverage


def _is_run(name_words: tuple[str, ...], asked: tuple[str, ...], grades: dict[str, dict[str, float]]) -> bool:
    """Whether the query's words match, in order, a contiguous run of the name's words (whole or prefix)."""
    span = len(asked)
    for start in range(len(name_words) - span + 1):
        if all(grades[w].get(name_words[start + k], 0.0) >= PREFIX for k, w in enumerate(asked)):
            return True
    return False
