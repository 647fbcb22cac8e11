"""Request-independent tables of the differential, computed once per graph index (by its Ranking).

They say what the curated graph means for ranking and triage: which findings a cause has, which findings
are forms of which, which findings only one cause explains, the red flags' patterns, and which tests
evaluate which causes and assess which mechanisms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clinkg.service.ranking.graph_index import Entity, GraphIndex


@dataclass(frozen=True)
class FlagPattern:
    """A red flag's criteria: every all_of finding, at least one any_of finding (when it lists any)."""

    flag: Entity
    all_of: frozenset[str]
    any_of: frozenset[str]
    ordered: tuple[str, ...]  # all_of, any_of, supporting: the order criteria are reported in
    concerns: tuple[str, ...]  # the causes the flag points to


@dataclass(frozen=True)
class Tables:
    """What the differential needs to know about the graph, whatever the request."""

    flags: tuple[FlagPattern, ...]
    forms_up: dict[str, frozenset[str]]  # finding -> itself and every finding it is a form of
    forms_down: dict[str, frozenset[str]]  # finding -> itself and every form of it
    has: dict[str, frozenset[str]]  # cause -> the findings it has (its own, and its supertypes')
    characteristic: dict[str, frozenset[str]]  # cause -> its findings that no cause outside its family has
    alternatives: dict[str, frozenset[str]]  # cause -> any_of criteria of the red flags pointing to it
    categories_of: dict[str, frozenset[str]]  # cause -> categories of the mechanisms it acts through
    tests_of: dict[str, tuple[str, ...]]  # cause -> tests that evaluate it
    assessed: dict[str, frozenset[str]]  # test -> categories of the mechanisms it assesses
    evaluated: dict[str, int]  # test -> how many causes of the graph it evaluates (fewer: more specific)
    advice: dict[str, Entity]  # urgency level -> the triage advice for it

    def implied(self, present: tuple[str, ...]) -> frozenset[str]:
        """The findings a person has who reports these items: the reported findings and every finding
        they are forms of (history items imply none)."""
        return frozenset().union(*(self.forms_up[f] for f in present if f in self.forms_up))


def closure(start: str, step: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """`start` and every node reached from it by `step`, transitively."""
    seen = {start}
    frontier = [start]
    while frontier:
        frontier = [n for node in frontier for n in step.get(node, ()) if n not in seen]
        seen.update(frontier)
    return frozenset(seen)


def _targets(index: GraphIndex, node: str, predicate: str) -> list[str]:
    return [e.object for e in index.out_edges.get(node, ()) if e.predicate == predicate]


def build_tables(index: GraphIndex) -> Tables:
    """The tables of a graph index (a Ranking builds them once)."""
    findings = [f.id for f in index.of_type("finding")]
    causes = [c.id for c in index.of_type("cause")]
    up: dict[str, list[str]] = {f: _targets(index, f, "form_of") for f in findings}
    down: dict[str, list[str]] = defaultdict(list)
    for finding, generals in up.items():
        for general in generals:
            down[general].append(finding)

    own: dict[str, set[str]] = {c: set() for c in causes}
    for cause in causes:
        own[cause].update(_targets(index, cause, "presents_with"))
        for mechanism in _targets(index, cause, "acts_through"):
            own[cause].update(_targets(index, mechanism, "manifests_as"))
    supertypes = {c: closure(c, {x: _targets(index, x, "subtype_of") for x in causes}) for c in causes}
    has = {c: frozenset().union(*(own[s] for s in supertypes[c])) for c in causes}
    subtypes: dict[str, set[str]] = defaultdict(set)
    for cause, above in supertypes.items():
        for s in above:
            subtypes[s].add(cause)
    family = {c: supertypes[c] | subtypes[c] for c in causes}
    explainers: dict[str, set[str]] = defaultdict(set)
    for cause, found in has.items():
        for finding in found:
            explainers[finding].add(cause)
    characteristic = {c: frozenset(f for f in has[c] if explainers[f] <= family[c]) for c in causes}

    flags = []
    alternatives: dict[str, set[str]] = defaultdict(set)
    for flag in index.of_type("red_flag"):
        groups: dict[str, list[str]] = defaultdict(list)
        for edge in index.out_edges.get(flag.id, ()):
            if edge.predicate == "has_criterion":
                groups[edge.qualifiers.get("criterion_group", "all_of")].append(edge.object)
        concerns = tuple(_targets(index, flag.id, "raises_concern_for"))
        for cause in concerns:
            alternatives[cause].update(groups["any_of"])
        ordered = tuple(dict.fromkeys(groups["all_of"] + groups["any_of"] + groups["supporting"]))
        flags.append(
            FlagPattern(flag, frozenset(groups["all_of"]), frozenset(groups["any_of"]), ordered, concerns)
        )

    def mechanism_categories(nodes: list[str]) -> frozenset[str]:
        return frozenset(
            index.entities[n].category or "" for n in nodes if index.entities[n].type == "mechanism"
        ) - {""}

    tests_of = {c: tuple(_targets(index, c, "evaluated_by")) for c in causes}
    evaluated: dict[str, int] = defaultdict(int)
    for tests in tests_of.values():
        for test in tests:
            evaluated[test] += 1
    return Tables(
        flags=tuple(flags),
        forms_up={f: closure(f, up) for f in findings},
        forms_down={f: closure(f, down) for f in findings},
        has=has,
        characteristic=characteristic,
        alternatives={c: frozenset(alternatives.get(c, ())) for c in causes},
        categories_of={c: mechanism_categories(_targets(index, c, "acts_through")) for c in causes},
        tests_of=tests_of,
        assessed={
            t.id: mechanism_categories(_targets(index, t.id, "assesses")) for t in index.of_type("test")
        },
        evaluated=dict(evaluated),
        advice={a.urgency: a for a in index.of_type("triage_advice") if a.urgency},
    )
