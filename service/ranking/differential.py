"""The curated differential: candidates, red flags, triage and tests for a resolved query. Pure functions.

Scores are sums of our ranking weights (ranking_weights.yaml), never probabilities. Red flags are
evaluated on their own and always reported when triggered, and the causes they point to are listed
first, whatever the scores say. The answer depends on the set of reported items, never on their order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from clinkg import ontology
from clinkg.ontology import urgency_ranks
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import Edge
from clinkg.service.ranking.memo import Contribution, Contributions
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


def _finding_contributions(r: Ranking, finding: str, query: Query) -> Contributions:
    """Per cause, the finding's best path with its qualifier bonus and the qualifiers it contradicts.

    Depends only on the finding and the qualifiers (onset, side, course, older or not), so it is memoised:
    a running service computes each combination once.
    """
    w = r.weights
    older = query.age is not None and query.age >= w.older_adult_min_age
    key = (finding, query.onset, query.laterality, query.course, older)
    cached = r.memo.contributions.get(key)
    if cached is not None:
        return cached
    best: dict[str, tuple[float, Path, float, tuple[str, ...]]] = {}
    for path in r.finding_paths(finding):
        bonus, conflicts = _qualifier_fit(finding_edge(path), query, w)
        value = path.weight + bonus + w.qualifier_conflict * len(conflicts)
        if path.end not in best or value > best[path.end][0]:
            best[path.end] = (value, path, bonus, conflicts)
    found = r.memo.contributions[key] = {
        cause: Contribution(
            cause,
            finding,
            path.weight + bonus,
            path.route,
            path,
            w.qualifier_conflict * len(conflicts) if conflicts else 0.0,
            "; ".join(conflicts),
        )
        for cause, (_, path, bonus, conflicts) in best.items()
    }
    return found


def _history_contributions(r: Ranking, item: str) -> Contributions:
    """Per cause, the history item's best path (qualifiers do not apply to history)."""
    key = (item, None, None, None, False)
    cached = r.memo.contributions.get(key)
    if cached is not None:
        return cached
    best: dict[str, Path] = {}
    for path in r.history_paths(item):
        if path.end not in best or path.weight > best[path.end].weight:
            best[path.end] = path
    found = r.memo.contributions[key] = {
        cause: Contribution(cause, item, path.weight, "history", path) for cause, path in best.items()
    }
    return found


def _contributions(r: Ranking, query: Query) -> list[Contributions]:
    """Each present item's contributions, in the query's (canonical) order."""
    entities = r.index.entities
    return [
        _finding_contributions(r, item, query)
        if entities[item].type == "finding"
        else _history_contributions(r, item)
        for item in query.present
    ]


def _penalised(r: Ranking, finding: str) -> frozenset[str]:
    """The causes an absent finding counts against: each cause that has it (or one of its forms: absent
    leg weakness rules out paralysis too), unless it is one of several alternative criteria of a red flag
    pointing to the cause."""
    found = r.memo.penalised.get(finding)
    if found is None:
        t = r.tables
        ruled_out = t.forms_down[finding]
        found = r.memo.penalised[finding] = frozenset(
            cause for cause, has in t.has.items() if (has & ruled_out) - t.alternatives[cause]
        )
    return found


@dataclass
class _Tally:
    """The scores and the number of supporting items per cause (the causes found), summed in the
    query's canonical order (so equal queries give bit-equal scores), and who counts against whom."""

    score: dict[str, float] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)  # cause -> the most urgent flag's rank
    absent: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # cause -> (item, reason)
    by_cause: dict[str, list[Contribution]] = field(default_factory=dict)  # in the query's order


def _tally(r: Ranking, query: Query, by_item: list[Contributions], flags: list[RaisedFlag]) -> _Tally:
    w = r.weights
    tally = _Tally()
    score, count, by_cause = tally.score, tally.count, tally.by_cause
    for contributions in by_item:
        for cause, c in contributions.items():
            value = score.get(cause, 0.0) + c.weight
            if c.conflict:
                value += c.conflict
            score[cause] = value
            count[cause] = count.get(cause, 0) + 1
            found = by_cause.get(cause)
            if found is None:
                by_cause[cause] = [c]
            else:
                found.append(c)
    ranks = urgency_ranks()
    for raised in flags:
        level = ranks[raised.flag.urgency or w.triage.default]
        for cause in raised.concerns:
            score[cause] = score.get(cause, 0.0) + w.red_flag_concern
            count[cause] = count.get(cause, 0) + 1
            tally.flagged[cause] = max(tally.flagged.get(cause, 0), level)
    for item in query.absent:
        if r.index.entities[item].type == "finding":
            against = [c for c in _penalised(r, item) if c in score]
            reason = "a finding the cause has is marked absent"
        else:
            against = [item] if item in score else []
            reason = "marked absent in the history"
        for cause in against:
            score[cause] += w.absent_expected
            tally.absent.setdefault(cause, []).append((item, reason))
    return tally


def _support(r: Ranking, cause: str, tally: _Tally, flags: list[RaisedFlag]) -> Support:
    """A listed cause's support: one explanation per supporting item (the path that gave its weight)."""
    matched: dict[str, tuple[float, str]] = {}
    against: dict[str, tuple[float, str]] = {}
    paths: list[Path] = []
    contributions = tally.by_cause.get(cause, [])
    for c in contributions:
        matched[c.item] = (c.weight, c.route)
        if c.conflict:
            against[c.item] = (c.conflict, c.conflict_reason)
        paths.append(c.path)
    concerned: list[str] = []
    if cause in tally.flagged:
        concern = r.weights.red_flag_concern
        for raised in flags:
            if cause in raised.concerns:
                matched[raised.flag.id] = (concern, "red_flag")
                concerned.append(raised.flag.id)
    absent = tally.absent.get(cause, [])
    for item, reason in absent:
        against[item] = (r.weights.absent_expected, reason)
    basis = (*contributions, tuple(concerned), tuple(absent))
    return Support(tally.score[cause], matched, against, paths, basis)


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


def _ranked(r: Ranking, query: Query, tally: _Tally, flags: list[RaisedFlag]) -> list[Candidate]:
    """The listed candidates in order, each with its rank: causes a red flag points to first, then by
    score, then must-not-miss (urgency) first, then by how many items support them. Candidates equal on
    all of these share a rank; their order within it is only the id's, for a stable answer."""
    listable = r.listable if not query.contributors else None
    flagged, count = tally.flagged, tally.count
    listed = []
    for cause, score in tally.score.items():
        concern = flagged.get(cause, 0)
        if not concern and (score <= 0 or (listable is not None and cause not in listable)):
            continue
        listed.append(((-concern, -round(score, 9), -r.urgency_rank[cause], -count[cause]), cause))
    listed.sort()
    limit = query.limit or r.weights.candidates
    entities = r.index.entities
    result: list[Candidate] = []
    previous: tuple[int, float, int, int] | None = None
    for position, (order, cause) in enumerate(listed):
        if position >= limit and cause not in flagged:
            break
        rank = result[-1].rank if order == previous else position + 1
        result.append(Candidate(entities[cause], _support(r, cause, tally, flags), rank))
        previous = order
    return result


def differential(r: Ranking, query: Query) -> Differential:
    """Rank the causes for a resolved query, raise red flags, set triage, recommend tests."""
    by_item = _contributions(r, query)
    had = r.tables.implied(query.present)
    flags = raised_flags(r, query, had)
    tally = _tally(r, query, by_item, flags)
    candidates = _ranked(r, query, tally, flags)
    top = tuple(c.entity.id for c in candidates[: r.weights.tests_for_top])
    tests = _tests(r, top, frozenset(tally.flagged))
    return Differential(candidates, flags, triage(r, query, flags, had), tests, r.tables.tests_of)
