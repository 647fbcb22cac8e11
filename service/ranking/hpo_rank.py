"""Ranking the diseases of the imported HPO graph for HP terms: the differential's scope "hpo".

How a disease is scored (the one description; README "How candidates are ranked" points here, and the
weights named below are ours, in ranking_weights.yaml under `hpo:`):

- Information content. IC(t) = ln(|D| / |D(t)|), where D(t) is the set of diseases annotated with the
  term t or with a more specific term (a descendant of t), and D every disease with an annotation. It is
  computed from the annotations of the loaded release: a rare, specific term weighs more than a common,
  general one. It is a property of the annotation corpus, not a probability of anything clinical.
- A present term t supports a disease through its best match, one contribution per term:
  - `exact`: the disease is annotated with t -> IC(t);
  - `more_specific`: the disease is annotated with a descendant of t (it shows a more specific form of
    what was reported) -> IC(t);
  - `more_general`: the disease is annotated only with an ancestor a of t (a more general form of what
    was reported) -> `ancestor_discount` x IC(a). IC(a) <= IC(t) already, the discount says that a general
    annotation is weaker evidence still.
- A present term counts against a disease annotated NOT t, or NOT an ancestor of t (the disease is
  recorded as lacking it): -`not_annotated` x IC(t).
- A term reported absent counts against a disease annotated with it or with a more specific form:
  -`absent_annotated` x IC(t).
- score = the sum over the request's terms, divided by n^`size_exponent`, n being how many terms the
  disease is annotated with: a disease annotated with hundreds of terms matches a few of any patient's
  terms by chance, and the division offsets that (the role the disease-to-patient half plays in the
  symmetric similarities other tools use). The exponent was chosen on the simulated patients of
  bench/hpo_quality.py (0 gave top-10 recall 0.90, 0.2 gave 0.97, 0.5 gave 0.89); it is our weight,
  not a fact about any disease. A disease is a candidate when its score is above zero. Ties are broken
  by disease id, so that answers do not depend on the store's row order.

Frequency and onset qualifiers are shown with each annotation but do not change the score (a later
change may use them; the source frequencies are not probabilities of the patient's presentation).
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from clinkg import ontology
from clinkg.service.ranking.ids import local_id, xref_curie
from clinkg.service.ranking.weights import HpoWeights
from clinkg.service.stores.base import Backend

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
_EMPTY: IntArray = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class Annotation:
    """One phenotype.hpoa row of the loaded graph, with what its provenance says."""

    disease: str
    term: str
    negated: bool
    source: str
    paragraph: int
    statement: str
    evidence: str
    references: tuple[str, ...]
    frequency: float | None
    onset: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """How a present term reached a disease: the route, the annotated term and the contribution."""

    term: str
    route: str  # exact | more_specific | more_general
    annotated: str
    weight: float
    annotation: Annotation


@dataclass
class HpoCandidate:
    disease: str
    label: str
    score: float
    matched: list[Match] = field(default_factory=list)
    against: list[tuple[str, str, float]] = field(default_factory=list)  # term, reason, weight


def _term_id(value: str) -> str:
    """HP:0007340 from either backend's form (an HPO IRI from RDF, the CURIE from the property graph)."""
    return xref_curie(value)


def _predicates() -> dict[str, str]:
    names = ("presents_with", "not_presents_with")
    rows = [ontology.name("relation", name) for name in names]
    return {**{str(row.rdf): n for n, row in zip(names, rows, strict=True)},
            **{row.neo4j: n for n, row in zip(names, rows, strict=True)}}  # fmt: skip


class HpoIndex:
    """The HPO terms, diseases and annotations of a release, indexed for ranking every disease at once."""

    def __init__(
        self,
        labels: dict[str, str],
        parents: dict[str, tuple[str, ...]],
        diseases: dict[str, str],
        annotations: Iterable[Annotation],
    ) -> None:
        self.labels = dict(sorted(labels.items()))
        self.parents = parents
        self.disease_ids = sorted(diseases)
        self.disease_labels = diseases
        self.position = {d: i for i, d in enumerate(self.disease_ids)}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._divisors: dict[float, FloatArray] = {}
        # disease -> annotated term -> its rows (a disease and a term can share several rows)
        self.positive: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        self.negative: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        direct: dict[str, list[int]] = defaultdict(list)
        negated: dict[str, list[int]] = defaultdict(list)
        for row in annotations:
            if row.disease not in self.position or row.term not in self.labels:
                continue
            table = self.negative if row.negated else self.positive
            first = row.term not in table[row.disease]
            table[row.disease][row.term].append(row)
            if first:
                (negated if row.negated else direct)[row.term].append(self.position[row.disease])
        propagated: dict[str, list[int]] = defaultdict(list)
        for disease, terms in self.positive.items():
            position = self.position[disease]
            for term in set().union(*(self.ancestors(t) for t in terms)):
                propagated[term].append(position)
        self.direct = {t: np.array(sorted(v), dtype=np.int32) for t, v in direct.items()}
        self.negated = {t: np.array(sorted(v), dtype=np.int32) for t, v in negated.items()}
        self.propagated = {t: np.array(sorted(v), dtype=np.int32) for t, v in propagated.items()}
        annotated = max(len(self.positive), 1)
        # A term nothing is annotated at or below gets the largest IC: it is as specific as a term can be.
        self.ic = {t: math.log(annotated / max(len(self.propagated.get(t, ())), 1)) for t in self.labels}
        self.annotation_count = sum(len(rows) for terms in self.positive.values() for rows in terms.values())
        self.annotation_count += sum(len(rows) for terms in self.negative.values() for rows in terms.values())

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, backend: Backend, snapshot: Path | None = None) -> HpoIndex | None:
        """The HPO graph of the backend's release, or None when the release has none.

        Reading ~270k annotation rows through SPARQL takes Oxigraph tens of seconds, so the rows the
        queries answered are kept in `snapshot` (a file of the release folder, keyed by the store's
        content hash and size) and read from there on the next start of the same release.
        """
        key = f"{SNAPSHOT_FORMAT}:{backend.content_hash}:{backend.triple_count()}"
        rows = _read_snapshot(snapshot, key) if snapshot is not None else None
        if rows is None:
            rows = _query_rows(backend)
            if snapshot is not None and rows["diseases"]:
                _write_snapshot(snapshot, key, rows)
        if not rows["diseases"]:
            return None
        labels: dict[str, str] = {}
        parents: dict[str, list[str]] = defaultdict(list)
        for term, label, parent in rows["terms"]:
            labels[term] = label
            if parent is not None:
                parents[term].append(parent)
        annotations = (
            Annotation(disease, term, negated, source, line, statement, evidence, tuple(refs), freq, onset)
            for disease, term, negated, source, line, statement, evidence, refs, freq, onset in rows[
                "annotations"
            ]
        )
        return cls(labels, {t: tuple(sorted(p)) for t, p in parents.items()}, rows["diseases"], annotations)

    # ------------------------------------------------------------------ the hierarchy

    def ancestors(self, term: str) -> frozenset[str]:
        """The term and every term above it (memoised: the hierarchy never changes while serving)."""
        known = self._ancestors.get(term)
        if known is None:
            found = {term}
            for parent in self.parents.get(term, ()):
                found |= self.ancestors(parent)
            known = self._ancestors[term] = frozenset(found)
        return known

    def chain(self, lower: str, upper: str) -> list[str]:
        """The shortest is_a chain from `lower` up to its ancestor `upper`, both included."""
        queue: deque[list[str]] = deque([[lower]])
        seen = {lower}
        while queue:
            path = queue.popleft()
            if path[-1] == upper:
                return path
            for parent in self.parents.get(path[-1], ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append([*path, parent])
        raise ValueError(f"{upper} is not an ancestor of {lower}")

    def known(self, term: str) -> bool:
        return term in self.labels

    # ------------------------------------------------------------------ ranking

    def scores(self, present: Sequence[str], absent: Sequence[str], w: HpoWeights) -> FloatArray:
        """The score of every disease (positions as in `disease_ids`)."""
        total = np.zeros(len(self.disease_ids), dtype=np.float64)
        for term in present:
            contribution = np.zeros(len(self.disease_ids), dtype=np.float64)
            for ancestor in self.ancestors(term) - {term}:
                hit = self.direct.get(ancestor, _EMPTY)
                if hit.size:
                    value = w.ancestor_discount * self.ic[ancestor]
                    contribution[hit] = np.maximum(contribution[hit], value)
            # Exact and more specific matches outweigh any ancestor match (IC grows downwards).
            contribution[self.propagated.get(term, _EMPTY)] = self.ic[term]
            total += contribution
            for ancestor in self.ancestors(term):
                hit = self.negated.get(ancestor, _EMPTY)
                if hit.size:
                    total[hit] -= w.not_annotated * self.ic[term]
        for term in absent:
            total[self.propagated.get(term, _EMPTY)] -= w.absent_annotated * self.ic[term]
        return total / self._size_divisor(w.size_exponent)

    def _size_divisor(self, exponent: float) -> FloatArray:
        divisor = self._divisors.get(exponent)
        if divisor is None:
            sizes = np.array([len(self.positive.get(d, ())) for d in self.disease_ids], dtype=np.float64)
            divisor = self._divisors[exponent] = np.maximum(sizes, 1.0) ** exponent
        return divisor

    def rank(
        self,
        present: Sequence[str],
        absent: Sequence[str] = (),
        limit: int | None = 10,
        w: HpoWeights | None = None,
    ) -> list[tuple[str, float]]:
        """(disease, score) of the best `limit` diseases with a score above zero, best first."""
        if w is None:
            from clinkg.service.ranking.weights import weights

            w = weights().hpo
        total = self.scores(present, absent, w)
        positive = np.flatnonzero(total > 0)
        if limit is not None and positive.size > limit:
            # The `limit` best, plus every disease tied with the last of them (ties go by id below).
            cut = np.partition(total[positive], positive.size - limit)[positive.size - limit]
            positive = positive[total[positive] >= cut]
        # Positions follow sorted disease ids, so a stable sort on -score breaks ties by id.
        order = positive[np.argsort(-total[positive], kind="stable")]
        if limit is not None:
            order = order[:limit]
        return [(self.disease_ids[i], float(total[i])) for i in order]

    def explain(
        self, disease: str, score: float, present: Sequence[str], absent: Sequence[str], w: HpoWeights
    ) -> HpoCandidate:
        """Why a disease scored what it did: the best match of each present term and what counts against."""
        candidate = HpoCandidate(disease, self.disease_labels[disease], score)
        annotated = self.positive.get(disease, {})
        for term in present:
            match = self._best_match(term, annotated, w)
            if match is not None:
                candidate.matched.append(match)
            for ancestor in sorted(self.ancestors(term)):
                rows = self.negative.get(disease, {}).get(ancestor)
                if rows:
                    reason = f"annotated NOT {ancestor} {self.labels[ancestor]} (phenotype.hpoa line "
                    reason += f"{rows[0].paragraph})"
                    candidate.against.append((term, reason, -w.not_annotated * self.ic[term]))
        for term in absent:
            for annotated_term in sorted(annotated):
                if term in self.ancestors(annotated_term):
                    reason = (
                        f"reported absent, but annotated with {annotated_term} {self.labels[annotated_term]}"
                    )
                    candidate.against.append((term, reason, -w.absent_annotated * self.ic[term]))
                    break
        return candidate

    def _best_match(self, term: str, annotated: dict[str, list[Annotation]], w: HpoWeights) -> Match | None:
        if term in annotated:
            return Match(term, "exact", term, self.ic[term], annotated[term][0])
        below = [a for a in annotated if term in self.ancestors(a)]
        if below:
            # The most specific of the disease's forms of the term (then by id: one answer per request).
            best = max(below, key=lambda a: (self.ic[a], _reverse(a)))
            return Match(term, "more_specific", best, self.ic[term], annotated[best][0])
        above = [a for a in self.ancestors(term) if a in annotated and a != term]
        if above:
            best = max(above, key=lambda a: (self.ic[a], _reverse(a)))
            return Match(term, "more_general", best, w.ancestor_discount * self.ic[best], annotated[best][0])
        return None


def _reverse(term: str) -> tuple[int, ...]:
    """A key under which max() prefers the smallest id."""
    return tuple(-ord(c) for c in term)


SNAPSHOT_FORMAT = 1


def _query_rows(backend: Backend) -> dict[str, Any]:
    """The rows of hpo_diseases, hpo_terms and hpo_annotations in one backend-neutral form."""
    diseases = {local_id(row["disease"]): row["label"] for row in backend.run("hpo_diseases")}
    if not diseases:
        return {"diseases": {}, "terms": [], "annotations": []}
    terms = [
        [_term_id(row["term"]), row["label"], _term_id(row["parent"]) if "parent" in row else None]
        for row in backend.run("hpo_terms")
    ]
    predicates = _predicates()
    grouped: dict[tuple[str, str, int], list[Any]] = {}
    for row in backend.run("hpo_annotations"):
        disease, term, line = local_id(row["disease"]), _term_id(row["term"]), int(row["paragraph"])
        seen = grouped.get((disease, term, line))
        if seen is not None:  # the same row again, for its next reference
            seen[7].append(row["reference"])
            continue
        frequency = row.get("frequency_value")
        grouped[(disease, term, line)] = [
            disease,
            term,
            predicates[row["predicate"]] == "not_presents_with",
            local_id(row["source"]),
            line,
            row["statement"],
            row["evidence"],
            [row["reference"]],
            None if frequency is None else float(frequency),
            _term_id(row["onset"]) if "onset" in row else None,
        ]
    annotations = sorted(grouped.values(), key=lambda v: (v[0], v[1], v[4]))
    for values in annotations:
        values[7] = sorted(set(values[7]))
    return {
        "diseases": dict(sorted(diseases.items())),
        "terms": sorted(terms, key=repr),
        "annotations": annotations,
    }


def _read_snapshot(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data


def _write_snapshot(path: Path, key: str, rows: dict[str, Any]) -> None:
    """Write the snapshot atomically; a read-only release folder only costs the next start its time."""
    try:
        partial = path.with_suffix(".partial")
        partial.write_bytes(orjson.dumps({"key": key, **rows}))
        os.replace(partial, path)
    except OSError as exc:
        logging.getLogger(__name__).warning("HPO index snapshot not written to %s: %s", path, exc)
