"""The differential: candidates, red flags, triage and tests for reported findings. Pure functions.

Scores are sums of our ranking weights (ranking_weights.yaml), never probabilities. Red flags are
evaluated on their own and always reported when triggered, whatever the ranking says.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from rdflib.namespace import RDF, RDFS

from clinkg import ontology
from clinkg.ontology import CKG

from .bounded_cache import BoundedCache
from .graph_index import Edge, Entity, GraphIndex
from .paths import Path, paths_from_finding, paths_from_history
from .weights import Weights

# The request's side against the curated laterality qualifiers it agrees with.
SIDES = {
    "unilateral": {"one-leg", "one-side-of-body", "one-or-both-legs"},
    "bilateral": {"both-legs", "symmetric-ascending", "one-or-both-legs"},
}


@dataclass(frozen=True)
class Query:
    """A resolved request: entity ids, not references."""

    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    onset: str | None = None
    laterality: str | None = None
    age: int | None = None


@dataclass
class Support:
    """Why a candidate is there: the items that support it and those that count against it."""

    score: float = 0.0
    matched: dict[str, tuple[float, str]] = field(default_factory=dict)  # item -> (weight, route)
    against: dict[str, tuple[float, str]] = field(default_factory=dict)  # item -> (weight, reason)
    paths: list[Path] = field(default_factory=list)
    qualifier_matches: int = 0


@dataclass(frozen=True)
class RaisedFlag:
    flag: Entity
    triggered_by: tuple[str, ...]
    conditions: dict[str, str]
    concerns: tuple[str, ...]  # the causes the flag points to


@dataclass(frozen=True)
class TestAdvice:
    test: Entity
    for_causes: tuple[str, ...]
    separates: tuple[str, ...]  # mechanism categories among the candidates that the test assesses


@dataclass
class Differential:
    candidates: list[tuple[Entity, Support]]
    red_flags: list[RaisedFlag]
    triage: str
    tests: list[TestAdvice]
    tests_of: dict[str, tuple[str, ...]]


@cache
def urgency_ranks() -> dict[str, int]:
    """Urgency level -> rank, from the ontology's ckg:UrgencyLevel individuals."""
    graph = ontology.graph()
    return {
        str(graph.value(level, RDFS.label)): int(graph.value(level, CKG.rank).toPython())  # type: ignore[union-attr]
        for level in graph.subjects(RDF.type, CKG.UrgencyLevel)
    }


@dataclass(frozen=True)
class FlagPattern:
    flag: Entity
    all_of: frozenset[str]
    any_of: frozenset[str]
    ordered: tuple[str, ...]  # all_of, any_of, supporting: the order findings are reported in
    concerns: tuple[str, ...]


@dataclass(frozen=True)
class Static:
    """Request-independent facts the differential needs, computed once per graph index."""

    flags: tuple[FlagPattern, ...]
    categories_of: dict[str, frozenset[str]]  # cause -> categories of the mechanisms it acts through
    tests_of: dict[str, tuple[str, ...]]  # cause -> tests that evaluate it
    assessed: dict[str, frozenset[str]]  # test -> categories of the mechanisms it assesses


def static(index: GraphIndex) -> Static:
    """The differential's precomputed tables for this index (cached on it)."""
    cached = index.cache.get("differential-static")
    if cached is not None:
        return cached  # type: ignore[return-value]
    flags = []
    for flag in index.of_type("red_flag"):
        groups: dict[str, list[str]] = defaultdict(list)
        for edge in index.out_edges.get(flag.id, ()):
            if edge.predicate == "has_criterion":
                groups[edge.qualifiers.get("criterion_group", "all_of")].append(edge.object)
        ordered = tuple(dict.fromkeys(groups["all_of"] + groups["any_of"] + groups["supporting"]))
        flags.append(
            FlagPattern(
                flag,
                frozenset(groups["all_of"]),
                frozenset(groups["any_of"]),
                ordered,
                tuple(concerns(index, flag)),
            )
        )

    def targets(node: str, predicate: str) -> list[str]:
        return [e.object for e in index.out_edges.get(node, ()) if e.predicate == predicate]

    def mechanism_categories(nodes: list[str]) -> frozenset[str]:
        return frozenset(
            index.entities[n].category or "" for n in nodes if index.entities[n].type == "mechanism"
        ) - {""}

    causes = index.of_type("cause")
    result = Static(
        flags=tuple(flags),
        categories_of={c.id: mechanism_categories(targets(c.id, "acts_through")) for c in causes},
        tests_of={c.id: tuple(targets(c.id, "evaluated_by")) for c in causes},
        assessed={t.id: mechanism_categories(targets(t.id, "assesses")) for t in index.of_type("test")},
    )
    index.cache["differential-static"] = result
    return result


def _qualifier_score(edge: Edge, query: Query, w: Weights) -> tuple[float, int]:
    score, matches = 0.0, 0
    if query.onset and "onset" in edge.qualifiers:
        agree = edge.qualifiers["onset"] == query.onset
        score += w.qualifier_match if agree else w.qualifier_conflict
        matches += agree
    if query.laterality and "laterality" in edge.qualifiers:
        agree = edge.qualifiers["laterality"] in SIDES[query.laterality]
        score += w.qualifier_match if agree else w.qualifier_conflict
        matches += agree
    older = query.age is not None and query.age >= w.older_adult_min_age
    if older and edge.qualifiers.get("age_group") == "older-adults":
        score += w.qualifier_match
        matches += 1
    return score, matches


def _best_paths(
    index: GraphIndex, finding: str, query: Query, w: Weights
) -> dict[str, tuple[float, int, Path]]:
    """Per cause, the best path from a finding and its value under the query's qualifiers.

    Depends only on the finding and the qualifiers (onset, side, older or not), so it is memoised on the
    index: a running service computes each combination once.
    """
    older = query.age is not None and query.age >= w.older_adult_min_age
    key = ("best", finding, query.onset, query.laterality, older, w)
    cached = index.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    best: dict[str, tuple[float, int, Path]] = {}
    for path in paths_from_finding(index, finding, w):
        bonus, matches = _qualifier_score(path.edges[0], query, w)
        value = path.weight + bonus
        end = path.nodes[-1]
        if end not in best or value > best[end][0]:
            best[end] = (value, matches, path)
    index.cache[key] = best
    return best


def _support(index: GraphIndex, query: Query, w: Weights) -> dict[str, Support]:
    found: dict[str, Support] = defaultdict(Support)
    for item in query.present:
        entity = index.entities[item]
        if entity.type == "finding":
            # One explanation per supporting item: the path that gave its contribution.
            for cause, (value, matches, path) in _best_paths(index, item, query, w).items():
                support = found[cause]
                support.score += value
                support.matched[item] = (value, path.route)
                support.qualifier_matches += matches
                support.paths.append(path)
        elif entity.type == "cause":
            best_history: dict[str, Path] = {}
            for path in paths_from_history(index, item, w):
                if path.end not in best_history or path.weight > best_history[path.end].weight:
                    best_history[path.end] = path
            for cause, path in best_history.items():
                found[cause].score += path.weight
                found[cause].matched[item] = (path.weight, "history")
                found[cause].paths.append(path)
    return found


def _penalise_absent(index: GraphIndex, query: Query, found: dict[str, Support], w: Weights) -> None:
    for item in query.absent:
        entity = index.entities[item]
        if entity.type == "finding":
            linked = {p.end for p in paths_from_finding(index, item, w)}
            reason = "an expected finding is marked absent"
        else:
            linked = {item}
            reason = "marked absent in the history"
        for cause in linked & set(found):
            if item not in found[cause].against:
                found[cause].score += w.absent_expected
                found[cause].against[item] = (w.absent_expected, reason)


def _raised_flags(index: GraphIndex, query: Query) -> list[RaisedFlag]:
    present = set(query.present)
    raised: list[RaisedFlag] = []
    for pattern in static(index).flags:
        flag = pattern.flag
        if not pattern.all_of <= present or (pattern.any_of and not present & pattern.any_of):
            continue
        if flag.when_onset and query.onset not in flag.when_onset:
            continue
        if flag.when_laterality and query.laterality not in flag.when_laterality:
            continue
        conditions = {"onset": query.onset} if flag.when_onset and query.onset else {}
        if flag.when_laterality and query.laterality:
            conditions["laterality"] = query.laterality
        raised.append(
            RaisedFlag(flag, tuple(f for f in pattern.ordered if f in present), conditions, pattern.concerns)
        )
    return raised


def concerns(index: GraphIndex, flag: Entity) -> list[str]:
    """The causes a red flag raises concern for."""
    return [e.object for e in index.out_edges.get(flag.id, ()) if e.predicate == "raises_concern_for"]


def _flag_criteria_absent(index: GraphIndex, query: Query, found: dict[str, Support], w: Weights) -> None:
    """A red-flag finding marked absent lowers the causes that flag points to."""
    absent = set(query.absent)
    for pattern in static(index).flags:
        for item in pattern.all_of & absent:
            for cause in pattern.concerns:
                if cause in found and item not in found[cause].against:
                    found[cause].score += w.absent_expected
                    found[cause].against[item] = (
                        w.absent_expected,
                        f"a criterion of '{pattern.flag.label}' is absent",
                    )


def _tests(index: GraphIndex, top: list[str]) -> list[TestAdvice]:
    memo = index.cache.get("tests-memo")
    if memo is None:
        memo = index.cache["tests-memo"] = BoundedCache[list[TestAdvice]](4096)
    return memo.get_or_compute(tuple(top), lambda: _rank_tests(index, top))  # type: ignore[attr-defined, no-any-return]


def _rank_tests(index: GraphIndex, top: list[str]) -> list[TestAdvice]:
    tables = static(index)
    evaluates: dict[str, list[str]] = defaultdict(list)
    for cause in top:
        for test in tables.tests_of.get(cause, ()):
            evaluates[test].append(cause)
    advice: list[TestAdvice] = []
    for test, causes in evaluates.items():
        among = frozenset().union(*(tables.categories_of.get(c, frozenset()) for c in causes))
        separates = tuple(sorted(tables.assessed.get(test, frozenset()) & among))
        advice.append(TestAdvice(index.entities[test], tuple(causes), separates))
    # A test that tells mechanisms apart ranks first; one that every candidate shares tells nothing apart.
    advice.sort(
        key=lambda a: (-len(a.separates), len(a.for_causes) == len(top), -len(a.for_causes), a.test.id)
    )
    return advice


def differential(index: GraphIndex, query: Query, w: Weights) -> Differential:
    """Rank the causes for a resolved query, raise red flags, set triage, recommend tests."""
    found = _support(index, query, w)
    flags = _raised_flags(index, query)
    for raised in flags:
        for cause in raised.concerns:
            support = found[cause]
            support.score += w.red_flag_concern
            support.matched[raised.flag.id] = (w.red_flag_concern, "red_flag")
    _penalise_absent(index, query, found, w)
    _flag_criteria_absent(index, query, found, w)
    ranked = sorted(
        ((index.entities[c], s) for c, s in found.items() if index.entities[c].type == "cause"),
        key=lambda pair: (-pair[1].score, pair[0].label.casefold()),
    )
    ranks = urgency_ranks()
    levels = [r.flag.urgency or w.default_triage for r in flags]
    if ranked:
        best = ranked[0][1].score
        for entity, support in ranked:
            if best <= 0 or support.score < w.top_fraction * best:
                break
            # Only a specifically supported candidate with nothing against it sets triage on its own.
            specific = len(support.matched) >= 2 or support.qualifier_matches
            if specific and not support.against:
                levels.append(entity.urgency or w.default_triage)
    triage = max(levels, key=lambda level: ranks[level]) if levels else w.default_triage
    tests = _tests(index, [e.id for e, _ in ranked[: w.tests_for_top]])
    return Differential(ranked, flags, triage, tests, static(index).tests_of)
