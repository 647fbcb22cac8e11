"""The curated differential: candidates, red flags, triage and tests for a resolved query. Pure functions.

Scores are sums of our ranking weights (ranking_weights.yaml), never probabilities. Red flags are
evaluated on their own and always reported when triggered, and the causes they point to are listed
first, whatever the scores say. The answer depends on the set of reported items, never on their order.
"""

from __future__ import annotations

from collections import defaultdict

from clinkg import ontology
from clinkg.ontology import urgency_ranks
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import Edge
from clinkg.service.ranking.memo import BestPaths
from clinkg.service.ranking.model import (
    Candidate,
    Differential,
    Query,
    RaisedFlag,
    Support,
    TestAdvice,
)
from clinkg.service.ranking.paths import Path, finding_edge
from clinkg.service.ranking.triage import triage
from clinkg.service.ranking.weights import Weights

# The request's side or course -> the edge qualifiers that agree with it (any other value contradicts it),
# from the ontology's vocabularies (ckg:agreesWith).
SIDES = ontology.agreements("Sides")
COURSES = ontology.agreements("ReportedCourses")


def _qualifier_fit(edge: Edge | None, query: Query, w: Weights) -> tuple[float, tuple[str, ...]]:
    """The bonus for the qualifiers a request confirms, and the ones it contradicts, described."""
    if edge is None:
        return 0.0, ()
    stated = edge.qualifiers
    bonus, conflicts = 0.0, []
    for name, reported, agreeing in (
        ("onset", query.onset, frozenset({query.onset})),
        ("laterality", query.laterality, SIDES.get(query.laterality or "", frozenset())),
        ("course", query.course, COURSES.get(query.course or "", frozenset())),
    ):
        if reported and name in stated:
            if stated[name] in agreeing:
                bonus += w.qualifier_match
            else:
                conflicts.append(f"reported {name} '{reported}'; the source gives '{stated[name]}'")
    older = query.age is not None and query.age >= w.older_adult_min_age
    if older and stated.get("age_group") == "older-adults":
        bonus += w.qualifier_match
    return bonus, tuple(conflicts)


def _best_paths(r: Ranking, finding: str, query: Query) -> BestPaths:
    """Per cause, the best path from a finding, its qualifier bonus and the qualifiers it contradicts.

    Depends only on the finding and the qualifiers (onset, side, course, older or not), so it is memoised:
    a running service computes each combination once.
    """
    w = r.weights
    older = query.age is not None and query.age >= w.older_adult_min_age
    key = (finding, query.onset, query.laterality, query.course, older)
    cached = r.memo.best_paths.get(key)
    if cached is not None:
        return cached
    best: BestPaths = {}
    values: dict[str, float] = {}
    for path in r.finding_paths(finding):
        bonus, conflicts = _qualifier_fit(finding_edge(path), query, w)
        value = path.weight + bonus + w.qualifier_conflict * len(conflicts)
        if path.end not in best or value > values[path.end]:
            best[path.end], values[path.end] = (path, bonus, conflicts), value
    r.memo.best_paths[key] = best
    return best


def _support(r: Ranking, query: Query) -> dict[str, Support]:
    w = r.weights
    found: dict[str, Support] = defaultdict(Support)
    for item in query.present:
        if r.index.entities[item].type == "finding":
            # One explanation per supporting item: the path that gave its contribution.
            for cause, (path, bonus, conflicts) in _best_paths(r, item, query).items():
                support = found[cause]
                support.matched[item] = (path.weight + bonus, path.route)
                support.score += path.weight + bonus
                if conflicts:
                    support.against[item] = (w.qualifier_conflict * len(conflicts), "; ".join(conflicts))
                    support.score += w.qualifier_conflict * len(conflicts)
                support.paths.append(path)
        else:
            best_history: dict[str, Path] = {}
            for path in r.history_paths(item):
                if path.end not in best_history or path.weight > best_history[path.end].weight:
                    best_history[path.end] = path
            for cause, path in best_history.items():
                found[cause].matched[item] = (path.weight, "history")
                found[cause].score += path.weight
                found[cause].paths.append(path)
    return found


def _penalise_absent(r: Ranking, query: Query, found: dict[str, Support]) -> None:
    """An absent finding counts against each cause that has it (or one of its forms: absent leg weakness
    rules out paralysis too), unless it is one of several alternative criteria of a red flag pointing to
    the cause; an absent history item counts against itself."""
    t, w = r.tables, r.weights
    for item in query.absent:
        if r.index.entities[item].type == "finding":
            ruled_out = t.forms_down[item]
            for cause, support in found.items():
                if cause in t.has and (t.has[cause] & ruled_out) - t.alternatives[cause]:
                    support.against[item] = (w.absent_expected, "a finding the cause has is marked absent")
                    support.score += w.absent_expected
        elif item in found:
            found[item].against[item] = (w.absent_expected, "marked absent in the history")
            found[item].score += w.absent_expected


def raised_flags(r: Ranking, query: Query, had: frozenset[str]) -> list[RaisedFlag]:
    """Every red flag whose pattern the present findings meet (`had`: the findings they imply); a
    criterion is met by the named finding or by any form of it (paralysis meets "leg weakness")."""
    t = r.tables
    findings = [f for f in query.present if f in t.forms_up]
    raised: list[RaisedFlag] = []
    for pattern in t.flags:
        flag = pattern.flag
        if not pattern.all_of <= had or (pattern.any_of and not had & pattern.any_of):
            continue
        if flag.when_onset and query.onset not in flag.when_onset:
            continue
        if flag.when_laterality and query.laterality not in flag.when_laterality:
            continue
        conditions = {"onset": query.onset} if flag.when_onset and query.onset else {}
        if flag.when_laterality and query.laterality:
            conditions["laterality"] = query.laterality
        meeting = [f for criterion in pattern.ordered for f in findings if criterion in t.forms_up[f]]
        raised.append(RaisedFlag(flag, tuple(dict.fromkeys(meeting)), conditions, pattern.concerns))
    return raised


def _tests(r: Ranking, top: tuple[str, ...], urgent: frozenset[str]) -> list[TestAdvice]:
    return r.memo.tests.get_or_compute((top, urgent), lambda: _rank_tests(r, top, urgent))


def _rank_tests(r: Ranking, top: tuple[str, ...], urgent: frozenset[str]) -> list[TestAdvice]:
    """Tests for the top candidates: first those for a cause a red flag points to, then those that tell
    the candidates' mechanisms apart, then those that fewer candidates share; a test that evaluates few
    causes of the whole graph is more specific than one that evaluates them all."""
    t = r.tables
    evaluates: dict[str, list[str]] = defaultdict(list)
    for cause in top:
        for test in t.tests_of.get(cause, ()):
            evaluates[test].append(cause)
    advice: list[TestAdvice] = []
    for test, causes in evaluates.items():
        among = frozenset().union(*(t.categories_of.get(c, frozenset()) for c in causes))
        separates = tuple(sorted(t.assessed.get(test, frozenset()) & among))
        advice.append(TestAdvice(r.index.entities[test], tuple(causes), separates))
    advice.sort(
        key=lambda a: (
            not urgent & set(a.for_causes),
            -len(a.separates),
            len(a.for_causes) == len(top),
            -len(a.for_causes),
            t.evaluated.get(a.test.id, 0),
            a.test.id,
        )
    )
    return advice


def _ranked(r: Ranking, found: dict[str, Support], flagged: dict[str, int], query: Query) -> list[Candidate]:
    """The listed candidates in order, each with its rank: causes a red flag points to first, then by
    score, then must-not-miss (urgency) first, then by how many items support them. Candidates equal on
    all of these share a rank; their order within it is only the id's, for a stable answer."""
    ranks = urgency_ranks()
    w = r.weights
    default = w.triage.default
    kinds = None if query.contributors else w.candidate_kinds
    listed = []
    entities = r.index.entities
    for cause, support in found.items():
        entity = entities[cause]
        concern = flagged.get(cause, 0)
        if not concern and (support.score <= 0 or (kinds is not None and entity.kind not in kinds)):
            continue
        order = (-concern, -round(support.score, 9), -ranks[entity.urgency or default], -len(support.matched))
        listed.append((order, cause, entity, support))
    listed.sort(key=lambda row: (row[0], row[1]))
    limit = query.limit or w.candidates
    result: list[Candidate] = []
    previous: tuple[int, float, int, int] | None = None
    for position, (order, _, entity, support) in enumerate(listed):
        if position >= limit and entity.id not in flagged:
            break
        rank = result[-1].rank if order == previous else position + 1
        result.append(Candidate(entity, support, rank))
        previous = order
    return result


def differential(r: Ranking, query: Query) -> Differential:
    """Rank the causes for a resolved query, raise red flags, set triage, recommend tests."""
    w = r.weights
    found = _support(r, query)
    had = r.tables.implied(query.present)
    flags = raised_flags(r, query, had)
    ranks = urgency_ranks()
    flagged: dict[str, int] = {}
    for raised in flags:
        for cause in raised.concerns:
            found[cause].matched[raised.flag.id] = (w.red_flag_concern, "red_flag")
            found[cause].score += w.red_flag_concern
            level = ranks[raised.flag.urgency or w.triage.default]
            flagged[cause] = max(flagged.get(cause, 0), level)
    _penalise_absent(r, query, found)
    candidates = _ranked(r, found, flagged, query)
    top = tuple(c.entity.id for c in candidates[: w.tests_for_top])
    tests = _tests(r, top, frozenset(flagged))
    return Differential(candidates, flags, triage(r, query, flags, had), tests, r.tables.tests_of)
