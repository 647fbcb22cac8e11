"""POST /v1/differential: candidate causes with paths, red flags, triage and tests."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from ...deps import IndexDep
from ...differential import Differential, Query, differential
from ...graph_index import Edge, GraphIndex
from ...paths import Path
from ...weights import Weights, weights
from ..models import (
    Against,
    CandidatePublic,
    DifferentialRequest,
    DifferentialResponse,
    EdgePublic,
    Match,
    NodeRef,
    PathPublic,
    ProvenancePublic,
    RedFlagPublic,
    TestPublic,
)

router = APIRouter(prefix="/v1", tags=["differential"])
HISTORY_OR_FINDING = {"finding", "cause"}


def resolve_items(index: GraphIndex, field: str, refs: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Entity ids for the references of one request field, and the problems with the others."""
    ids: list[str] = []
    unknown: list[str] = []
    misplaced: list[str] = []
    for ref in refs:
        found = index.resolve(ref)
        if found is None:
            unknown.append(ref)
        elif index.entities[found].type not in HISTORY_OR_FINDING:
            misplaced.append(f"{ref} (a {index.entities[found].type})")
        elif found not in ids:
            ids.append(found)
    problems = []
    if unknown:
        problems.append(f"unknown ids in '{field}': {', '.join(unknown)}")
    if misplaced:
        problems.append(f"'{field}' takes findings and history items only, not: {', '.join(misplaced)}")
    return tuple(ids), problems


def edge_public(index: GraphIndex, edge: Edge) -> EdgePublic:
    """An edge as the API shows it, with its provenance."""
    p = edge.provenance
    return EdgePublic(
        predicate=edge.predicate,
        from_=index.entities[edge.subject].curie,  # type: ignore[call-arg]
        to=index.entities[edge.object].curie,
        qualifiers=edge.qualifiers,
        provenance=ProvenancePublic(
            source=p.source, section=p.section, paragraph=p.paragraph, statement=p.statement
        ),
    )


def _path_public(index: GraphIndex, path: Path) -> PathPublic:
    return PathPublic(
        nodes=[NodeRef(**index.brief(n)) for n in path.nodes],
        edges=[edge_public(index, e) for e in path.edges],
        route=path.route,
        weight=round(path.weight, 4),
    )


def to_response(index: GraphIndex, result: Differential, w: Weights) -> DifferentialResponse:
    """The public answer: every candidate explained by its paths, every triggered red flag."""
    candidates = []
    for entity, support in result.candidates:
        paths = sorted(support.paths, key=lambda p: (-p.weight, len(p.nodes), p.nodes))[
            : w.paths_per_candidate
        ]
        candidates.append(
            CandidatePublic(
                id=entity.curie,
                label=entity.label,
                score=round(support.score, 4),
                urgency=entity.urgency or w.default_triage,  # type: ignore[arg-type]
                matched=[
                    Match(
                        id=index.entities[i].curie,
                        label=index.entities[i].label,
                        route=route,
                        weight=round(v, 4),
                    )
                    for i, (v, route) in support.matched.items()
                ],
                against=[
                    Against(id=index.entities[i].curie, label=index.entities[i].label, reason=why, weight=v)
                    for i, (v, why) in support.against.items()
                ],
                paths=[_path_public(index, p) for p in paths],
                tests=[NodeRef(**index.brief(t)) for t in result.tests_of.get(entity.id, [])],
            )
        )
    flags = [
        RedFlagPublic(
            id=r.flag.curie,
            label=r.flag.label,
            urgency=r.flag.urgency,  # type: ignore[arg-type]
            action=r.flag.action or "",
            triggered_by=[index.entities[f].curie for f in r.triggered_by],
            conditions=r.conditions,
            concerns=[
                NodeRef(**index.brief(e.object))
                for e in index.out_edges.get(r.flag.id, ())
                if e.predicate == "raises_concern_for"
            ],
        )
        for r in result.red_flags
    ]
    tests = []
    for advice in result.tests:
        names = ", ".join(index.entities[c].label for c in advice.for_causes)
        rationale = f"Evaluates {names}"
        if advice.separates:
            rationale += (
                f"; assesses {' and '.join(advice.separates)} mechanisms, which tells these causes apart"
            )
        tests.append(
            TestPublic(
                id=advice.test.curie,
                label=advice.test.label,
                rationale=rationale,
                for_=[index.entities[c].curie for c in advice.for_causes],  # type: ignore[call-arg]
                separates=list(advice.separates),
            )
        )
    return DifferentialResponse(candidates=candidates, red_flags=flags, triage=result.triage, tests=tests)  # type: ignore[arg-type]


@router.post("/differential", response_model=DifferentialResponse)
def post_differential(request: DifferentialRequest, index: IndexDep) -> DifferentialResponse:
    """Rank candidate causes for the present findings and history, with the paths that explain each."""
    present, present_problems = resolve_items(index, "present", request.present)
    absent, absent_problems = resolve_items(index, "absent", request.absent)
    if present_problems or absent_problems:
        raise HTTPException(status_code=422, detail="; ".join(present_problems + absent_problems))
    query = Query(
        present=present,
        absent=absent,
        onset=request.onset,
        laterality=request.laterality,
        age=request.age,
    )
    w = weights()
    return to_response(index, differential(index, query, w), w)
