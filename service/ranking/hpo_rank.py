"""Ranking the diseases of the imported HPO graph for HP terms: the differential's scope "hpo".

How a disease is scored (the one description; README "How candidates are ranked" points here). The model
follows the likelihood-ratio idea of LIRICAL (Robinson et al., AJHG 2020): each term the request gives
adds the log of how much more often a patient with the disease shows it (or lacks it) than a patient
drawn from every annotated disease. The weights named below are ours, in ranking_weights.yaml under
`hpo:`; they were chosen on the simulated patients of bench/hpo_quality.py and are not facts about any
disease.

- Background. IC(t) = ln(|D| / |D(t)|), where D(t) is the set of diseases annotated with the term t or
  with a more specific term (a descendant of t), and D every disease with an annotation. IC(t) is minus
  the log of the share of diseases that have t: the denominator of the likelihood ratio. It is computed
  from the annotations of the loaded release, a property of the annotation corpus.
- Frequency. f(t, d) is the largest frequency that phenotype.hpoa states for t or a more specific term
  in the disease (HPO frequency terms at the midpoint of their range, n/m, percentages). A row without
  a frequency counts as `unknown_frequency`, our assumption, not the source's. Frequencies and their
  complements are taken as at least `frequency_floor`, so that no log is of zero.
- A present term t, through its best route (one contribution per term):
  - `exact` (annotated with t) or `more_specific` (annotated with a descendant of t):
    IC(t) + ln f(t, d);
  - `more_general` (annotated with an ancestor a of t) or `related` (annotated with another descendant
    of an ancestor a of t: a sibling form): `ancestor_discount` x IC(a) + ln f(a, d) - `unexplained`;
    the best ancestor counts;
  - none of these better than -`unexplained`: the disease does not explain the term, which costs
    `unexplained`. (Every disease has the root, so every term has at least this route.)
  - A present term also counts against a disease annotated NOT t or NOT one of its ancestors (the
    disease is recorded as lacking it): -`not_annotated` x IC(t) for each such row.
- A term reported absent (excluded) counts against a disease that has it or a more specific form, in
  proportion to how often the disease has it: `absent_annotated` x ln(1 - f(t, d)). An obligate feature
  (100%) that is excluded costs -ln(`frequency_floor`); one the disease rarely shows costs little. An
  excluded term the disease is not annotated with changes nothing. (The likelihood ratio's denominator,
  1 - |D(t)|/|D|, is the same for every disease, so it is left out: an excluded term never raises one.)
- score = the sum over the request's terms, divided by n^`size_exponent`, n being how many terms the
  disease is annotated with: a disease annotated with hundreds of terms matches some of any patient's
  terms by chance. `matched` and `against` show each contribution divided the same way, so that they add
  up to the score. A disease is a candidate when it has at least one present term or a more specific
  form of it (route exact or more_specific), whatever the sign of its score. Ties are broken by disease
  id, so that answers do not depend on the store's row order.
- One disease, one slot. phenotype.hpoa carries no cross-references between its sources, so entries of
  different sources (OMIM, ORPHA, DECIPHER) with the same name (compared without case and punctuation)
  are taken as one disease: the best-scoring entry takes the slot and the others are listed with it
  (`HpoCandidate.same_disease`, with their own scores) instead of taking slots of their own. A name
  shared by two entries of one source is ambiguous (a disease of several loci, say), so such names do
  not group at all.
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import orjson

from clinkg import ontology
from clinkg.service.ranking.ids import local_id, xref_curie
from clinkg.service.ranking.lru import BoundedCache
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
    """How a present term reached a disease: the route, the annotated term (through the ancestor `via`
    for routes more_general and related) and the contribution on the score's scale."""

    term: str
    route: str  # exact | more_specific | more_general | related
    annotated: str
    weight: float
    annotation: Annotation
    via: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class _Form:
    """A term annotated to a disease, as `HpoIndex._form_rows` ranks it."""

    term: str
    ancestors: frozenset[str]
    key: tuple[float, float, int]
    row: Annotation
    frequency: float  # NaN when no row states one


_Reach = tuple[str, Annotation, float, float]  # the form reached, its row, f, ln f


class Ranked(NamedTuple):
    """A slot of the ranking: the disease, its score and its same-named entries of other sources (with
    their scores, best first) that take no slot of their own."""

    disease: str
    score: float
    same: tuple[tuple[str, float], ...] = ()


@dataclass
class HpoCandidate:
    disease: str
    label: str
    score: float
    matched: list[Match] = field(default_factory=list)
    against: list[tuple[str, str, float]] = field(default_factory=list)  # term, reason, weight
    same_disease: list[tuple[str, str, float]] = field(default_factory=list)  # id, label, score


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
        synonyms: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.labels = dict(sorted(labels.items()))
        self.synonyms = synonyms or {}  # term or disease -> its other names (for search)
        self.parents = parents
        self.disease_ids = sorted(diseases)
        self.disease_labels = diseases
        self.position = {d: i for i, d in enumerate(self.disease_ids)}
        self.namespace = np.array([d.partition(":")[0] for d in self.disease_ids])
        self._ancestors: dict[str, frozenset[str]] = {}
        self._above: dict[str, tuple[str, ...]] = {}
        self._divisors: dict[float, FloatArray] = {}
        self._log_frequencies: dict[tuple[str, float, float], FloatArray] = {}
        self._ancestor_values: dict[tuple[str, float, float, float, float], FloatArray] = {}
        self._needs: BoundedCache[tuple[tuple[str, ...], tuple[str, ...]], frozenset[str]] = BoundedCache(64)
        self.term_order = {t: i for i, t in enumerate(self.labels)}  # labels are sorted by id
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
        # term -> diseases that have it or a more specific form, with the largest frequency stated for
        # those rows (NaN when none states one)
        propagated: dict[str, list[int]] = defaultdict(list)
        propagated_frequency: dict[str, list[float]] = defaultdict(list)
        for disease, terms in self.positive.items():
            position = self.position[disease]
            best: dict[str, float] = {}
            for term, rows in terms.items():
                frequency = _stated_frequency(rows)
                for ancestor in self.ancestors(term):
                    if ancestor not in best or best[ancestor] < frequency:
                        best[ancestor] = frequency
            for term, frequency in best.items():
                propagated[term].append(position)
                propagated_frequency[term].append(frequency)
        self.direct = {t: np.array(sorted(v), dtype=np.int32) for t, v in direct.items()}
        self.negated = {t: np.array(sorted(v), dtype=np.int32) for t, v in negated.items()}
        self.propagated = {t: np.array(v, dtype=np.int32) for t, v in propagated.items()}
        self.propagated_frequency = {
            t: np.where(np.array(v) < 0, np.nan, np.array(v)) for t, v in propagated_frequency.items()
        }
        annotated = max(len(self.positive), 1)
        # A term nothing is annotated at or below gets the largest IC: it is as specific as a term can be.
        self.ic = {t: math.log(annotated / max(len(self.propagated.get(t, ())), 1)) for t in self.labels}
        self.annotation_count = sum(len(rows) for terms in self.positive.values() for rows in terms.values())
        self.same_disease = _same_name_groups(self.disease_labels)
        # Built once (~0.5 s for a full release): explaining a candidate starts from its forms.
        self._forms = {disease: self._form_rows(disease) for disease in self.positive}
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
        synonyms: dict[str, list[str]] = defaultdict(list)
        for entity, synonym in rows["synonyms"]:
            synonyms[entity].append(synonym)
        return cls(
            labels,
            {t: tuple(sorted(p)) for t, p in parents.items()},
            rows["diseases"],
            annotations,
            {entity: tuple(names) for entity, names in synonyms.items()},
        )

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

    def above(self, term: str) -> tuple[str, ...]:
        """Every term above `term` (not itself), the most informative first, then by id: the order in
        which a present term's ancestor routes are tried (memoised, as `ancestors`)."""
        known = self._above.get(term)
        if known is None:
            known = self._above[term] = tuple(
                sorted(self.ancestors(term) - {term}, key=lambda a: (-self.ic[a], a))
            )
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

    def _log_frequency(self, term: str, w: HpoWeights) -> FloatArray:
        """ln f(term, d) for the diseases of `propagated[term]` (the module docstring); kept per term and
        weights, since the general terms are shared by most requests."""
        key = (term, w.unknown_frequency, w.frequency_floor)
        found = self._log_frequencies.get(key)
        if found is None:
            stated = self.propagated_frequency[term]
            stated = np.where(np.isnan(stated), w.unknown_frequency, stated)
            found = self._log_frequencies[key] = np.log(np.clip(stated, w.frequency_floor, 1.0))
        return found

    def _ancestor_value(self, ancestor: str, w: HpoWeights) -> FloatArray:
        """What matching through `ancestor` gives the diseases of `propagated[ancestor]`; kept per term and
        weights, like the log frequencies it is made of."""
        key = (ancestor, w.unknown_frequency, w.frequency_floor, w.ancestor_discount, w.unexplained)
        found = self._ancestor_values.get(key)
        if found is None:
            found = self._ancestor_values[key] = (
                w.ancestor_discount * self.ic[ancestor] - w.unexplained + self._log_frequency(ancestor, w)
            )
        return found

    def _present(self, term: str, w: HpoWeights, total: FloatArray, reached: npt.NDArray[np.bool_]) -> None:
        """Add a present term's contribution to every disease's `total`; mark the diseases it reaches."""
        contribution = np.full(len(self.disease_ids), -w.unexplained, dtype=np.float64)
        for ancestor in self.above(term):
            hit = self.propagated.get(ancestor)
            if hit is not None:
                contribution[hit] = np.maximum(contribution[hit], self._ancestor_value(ancestor, w))
        hit = self.propagated.get(term)
        if hit is not None:
            value = self.ic[term] + self._log_frequency(term, w)
            contribution[hit] = np.maximum(contribution[hit], value)
            reached[hit] = True
        total += contribution
        for ancestor in self.ancestors(term):
            negated = self.negated.get(ancestor, _EMPTY)
            if negated.size:
                total[negated] -= w.not_annotated * self.ic[term]

    @staticmethod
    def _absent_value(frequency: FloatArray | float, w: HpoWeights) -> FloatArray | float:
        """What an excluded term costs the diseases that have it with this frequency (module docstring)."""
        stated = np.where(np.isnan(frequency), w.unknown_frequency, frequency)
        value: FloatArray | float = w.absent_annotated * np.log(np.maximum(1.0 - stated, w.frequency_floor))
        return value

    def scores(
        self, present: Sequence[str], absent: Sequence[str], w: HpoWeights
    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """The score of every disease (positions as in `disease_ids`), and which ones a present term
        reaches through route exact or more_specific (the candidates)."""
        total = np.zeros(len(self.disease_ids), dtype=np.float64)
        reached = np.zeros(len(self.disease_ids), dtype=np.bool_)
        for term in present:
            self._present(term, w, total, reached)
        for term in absent:
            hit = self.propagated.get(term)
            if hit is not None:
                total[hit] += self._absent_value(self.propagated_frequency[term], w)
        return total / self._size_divisor(w.size_exponent), reached

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
        namespaces: Sequence[str] = (),
    ) -> list[Ranked]:
        """The best `limit` slots, best first: candidates (diseases a present term reaches, of the given
        sources when `namespaces` names any: OMIM, ORPHA, DECIPHER), one slot per disease (module
        docstring: same-named entries of other sources share their best entry's slot)."""
        if w is None:
            from clinkg.service.ranking.weights import weights

            w = weights().hpo
        total, reached = self.scores(present, absent, w)
        shown = np.isin(self.namespace, list(namespaces)) if namespaces else None
        if shown is not None:
            reached &= shown
        candidates = np.flatnonzero(reached)
        # Positions follow sorted disease ids, so a stable sort on -score breaks ties by id.
        order = candidates[np.argsort(-total[candidates], kind="stable")]
        slots: list[Ranked] = []
        taken: set[str] = set()
        for i in order:
            if limit is not None and len(slots) >= limit:
                break
            disease = self.disease_ids[i]
            if disease in taken:
                continue
            twins = [
                (twin, float(total[self.position[twin]]))
                for twin in self.same_disease.get(disease, ())
                if shown is None or shown[self.position[twin]]
            ]
            twins.sort(key=lambda pair: (-pair[1], pair[0]))
            taken.update(twin for twin, _ in twins)
            slots.append(Ranked(disease, float(total[i]), tuple(twins)))
        return slots

    def explain(
        self, disease: str, score: float, present: Sequence[str], absent: Sequence[str], w: HpoWeights
    ) -> HpoCandidate:
        """Why a disease scored what it did: each present term's route with its phenotype.hpoa row, and
        what counts against; every weight divided as the score is, so that they add up to it."""
        candidate = HpoCandidate(disease, self.disease_labels[disease], score)
        divisor = float(self._size_divisor(w.size_exponent)[self.position[disease]])
        forms = self._disease_forms(disease, self._needed(present, absent), w)
        negative = self.negative.get(disease, {})
        for term in present:
            match = self._best_match(term, forms, w)
            if match is None:
                reason = "no annotation of the disease explains it, nor a more general form of it"
                candidate.against.append((term, reason, -w.unexplained / divisor))
            else:
                candidate.matched.append(replace(match, weight=match.weight / divisor))
            for ancestor in sorted(self.ancestors(term)) if negative else ():
                rows = negative.get(ancestor)
                if rows:
                    reason = f"annotated NOT {ancestor} {self.labels[ancestor]} (phenotype.hpoa line "
                    reason += f"{rows[0].paragraph})"
                    candidate.against.append((term, reason, -w.not_annotated * self.ic[term] / divisor))
        for term in absent:
            found = forms.get(term)
            if found is not None:
                annotated_term, row, frequency, _ = found
                value = float(self._absent_value(frequency, w))
                shown = "no frequency stated" if math.isnan(frequency) else f"frequency {frequency:.2f}"
                reason = (
                    f"reported absent, but annotated with {annotated_term} {self.labels[annotated_term]} "
                    f"({shown}, phenotype.hpoa line {row.paragraph})"
                )
                candidate.against.append((term, reason, value / divisor))
        return candidate

    def _form_rows(self, disease: str) -> tuple[_Form, ...]:
        """Each term annotated to the disease, ranked as a form (the largest stated frequency, then the
        most informative term, then the smallest id), with its ancestors, frequency and chosen row."""
        forms: list[_Form] = []
        for form, rows in self.positive.get(disease, {}).items():
            frequency = _stated_frequency(rows)
            row = max(rows, key=lambda r: (-1.0 if r.frequency is None else r.frequency, -r.paragraph))
            key = (frequency, self.ic[form], -self.term_order[form])
            stated = math.nan if frequency < 0 else frequency
            forms.append(_Form(form, self.ancestors(form), key, row, stated))
        return tuple(forms)

    def _disease_forms(self, disease: str, needed: frozenset[str], w: HpoWeights) -> dict[str, _Reach]:
        """For every term of `needed` the disease has a form of: the best form (`_form_rows`), its row,
        f(term, d) and ln f as the weights take it."""
        best: dict[str, _Form] = {}
        for form in self._forms.get(disease, ()):
            for term in form.ancestors & needed:
                known = best.get(term)
                if known is None or form.key > known.key:
                    best[term] = form
        reach: dict[str, _Reach] = {}
        logs: dict[str, float] = {}
        for term, f in best.items():
            log_f = logs.get(f.term)
            if log_f is None:
                log_f = logs[f.term] = self._log_f(f.frequency, w)
            reach[term] = (f.term, f.row, f.frequency, log_f)
        return reach

    def _needed(self, present: Sequence[str], absent: Sequence[str]) -> frozenset[str]:
        """The terms whose forms explaining a request looks up: the present terms with their ancestors, and
        the absent terms (kept for the request's candidates, which share them)."""
        key = (tuple(present), tuple(absent))
        return self._needs.get_or_compute(
            key, lambda: frozenset(absent).union(*(self.ancestors(t) for t in present))
        )

    def _log_f(self, frequency: float, w: HpoWeights) -> float:
        stated = w.unknown_frequency if math.isnan(frequency) else frequency
        return math.log(min(max(stated, w.frequency_floor), 1.0))

    def _best_match(self, term: str, forms: dict[str, _Reach], w: HpoWeights) -> Match | None:
        """The route the vector scoring takes for this term and disease, on the unscaled scale; None when
        none beats the cost of leaving the term unexplained."""
        best: Match | None = None
        found = forms.get(term)
        if found is not None:
            form, row, _, log_f = found
            route = "exact" if form == term else "more_specific"
            best = Match(term, route, form, self.ic[term] + log_f, row)
        for ancestor in self.above(term):
            found = forms.get(ancestor)
            if found is None:
                continue
            form, row, _, log_f = found
            value = w.ancestor_discount * self.ic[ancestor] - w.unexplained + log_f
            if best is None or value > best.weight:
                route = "more_general" if form == ancestor else "related"
                best = Match(term, route, form, value, row, ancestor)
        if best is None or best.weight <= -w.unexplained:
            return None
        return best


def _name_key(label: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in label.casefold()).split())


def _same_name_groups(labels: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each disease that shares its name with entries of other sources: those entries (module docstring,
    "One disease, one slot")."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for disease, label in labels.items():
        by_name[_name_key(label)].append(disease)
    groups: dict[str, tuple[str, ...]] = {}
    for members in by_name.values():
        sources = [m.partition(":")[0] for m in members]
        if len(members) < 2 or len(set(sources)) != len(sources):
            continue
        for member in members:
            groups[member] = tuple(sorted(m for m in members if m != member))
    return groups


def _stated_frequency(rows: Sequence[Annotation]) -> float:
    """The largest frequency the rows state, -1 when none states one."""
    return max((r.frequency for r in rows if r.frequency is not None), default=-1.0)


SNAPSHOT_FORMAT = 2  # 2: with the synonyms


def _query_rows(backend: Backend) -> dict[str, Any]:
    """The rows of hpo_diseases, hpo_terms, hpo_synonyms and hpo_annotations in one backend-neutral form."""
    diseases = {local_id(row["disease"]): row["label"] for row in backend.run("hpo_diseases")}
    if not diseases:
        return {"diseases": {}, "terms": [], "annotations": [], "synonyms": []}
    synonyms = sorted(
        [_term_id(local_id(row["entity"])), row["synonym"]] for row in backend.run("hpo_synonyms")
    )
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
        "synonyms": synonyms,
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
