"""POST /v1/differential: candidate causes with paths, red flags, triage and tests.

The answer is built as plain dicts and serialized once with orjson: building ~20 candidates with their
paths as pydantic models cost ten times the ranking itself. `DifferentialResponse` documents the shape
(OpenAPI) and a test validates real answers against it.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from clinkg.service.api.deps import IndexDep, SettingsDep
from clinkg.service.api.models import (
    DISCLAIMER,
    SCORING,
    SCORING_HPO,
    DifferentialRequest,
    DifferentialResponse,
    errors,
)
from clinkg.service.ranking.differential import Candidate, Differential, Query, differential
from clinkg.service.ranking.graph_index import IMPLIED, Edge, GraphIndex
from clinkg.service.ranking.hpo_rank import HpoIndex, Match
from clinkg.service.ranking.memo import BoundedCache
from clinkg.service.ranking.paths import Path
from clinkg.service.ranking.triage import Triage
from clinkg.service.ranking.weights import Weights, weights

router = APIRouter(prefix="/v1", tags=["differential"], responses=errors(400, 401, 413, 422, 503))
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


def edge_public(index: GraphIndex, edge: Edge) -> dict[str, Any]:
    """An edge as the API shows it, with its provenance (built once per edge: edges never change)."""
    key = ("edge_public", id(edge))
    cached = index.cache.get(key)
    if cached is None:
        p = edge.provenance
        cached = index.cache[key] = {
            "predicate": edge.predicate,
            "from": index.entities[edge.subject].curie,
            "to": index.entities[edge.object].curie,
            "qualifiers": edge.qualifiers,
            "provenance": {
                "source": p.source,
                "section": p.section,
                "paragraph": p.paragraph,
                "statement": p.statement,
            },
        }
    return cached  # type: ignore[return-value]


def _path_public(index: GraphIndex, path: Path) -> orjson.Fragment:
    # Paths are memoised objects of the index, so each is serialized once and reused as raw JSON.
    key = ("path_json", id(path))
    cached = index.cache.get(key)
    if cached is None:
        cached = index.cache[key] = orjson.Fragment(
            orjson.dumps(
                {
                    "nodes": [index.brief(n) for n in path.nodes],
                    "edges": [edge_public(index, e) for e in path.edges],
                    "route": path.route,
                    "weight": round(path.weight, 4),
                }
            )
        )
        index.cache[("path_obj", id(path))] = path  # keeps the id valid for as long as the entry lives
    return cached  # type: ignore[return-value]


def _tests_json(index: GraphIndex, ids: tuple[str, ...]) -> orjson.Fragment:
    key = ("tests_json", ids)
    cached = index.cache.get(key)
    if cached is None:
        cached = index.cache[key] = orjson.Fragment(orjson.dumps([index.entities[t].curie for t in ids]))
    return cached  # type: ignore[return-value]


def _candidate_public(index: GraphIndex, candidate: Candidate, tests_of: dict[str, tuple[str, ...]],
                      w: Weights) -> dict[str, Any]:  # fmt: skip
    entities = index.entities
    entity, support = candidate.entity, candidate.support
    paths = sorted(support.paths, key=lambda p: (-p.weight, p.nodes))[: w.paths_per_candidate]
    matched = sorted(support.matched.items(), key=lambda m: (-m[1][0], m[0]))
    against = sorted(support.against.items(), key=lambda a: (a[1][0], a[0]))
    return {
        "id": entity.curie,
        "label": entity.label,
        "graph": "curated",
        "rank": candidate.rank,
        "score": round(support.score, 4),
        "urgency": entity.urgency or w.triage.default,
        "matched": [
            {"id": entities[i].curie, "label": entities[i].label, "route": route, "weight": round(v, 4)}
            for i, (v, route) in matched
        ],
        "against": [
            {"id": entities[i].curie, "label": entities[i].label, "reason": why, "weight": round(v, 4)}
            for i, (v, why) in against
        ],
        "paths": [_path_public(index, p) for p in paths],
        "tests": _tests_json(index, tests_of.get(entity.id, ())),
    }


def triage_public(index: GraphIndex, triage: Triage) -> dict[str, Any]:
    """The triage as the API shows it: level, every reason, action and safety net with their source."""
    entities = index.entities
    return {
        "level": triage.level,
        "reason": [{"by": entities[r.by].curie, "rule": r.rule, "detail": r.detail} for r in triage.reasons],
        "action": triage.action,
        "safety_net": triage.safety_net,
        "wording_from": entities[triage.wording_from].curie if triage.wording_from else None,
    }


def to_response(index: GraphIndex, result: Differential, w: Weights) -> dict[str, Any]:
    """The public answer: every candidate explained by its paths, every triggered red flag, the triage."""
    entities = index.entities
    candidates = [_candidate_public(index, c, result.tests_of, w) for c in result.candidates]
    flags = [
        {
            "id": r.flag.curie,
            "label": r.flag.label,
            "urgency": r.flag.urgency,
            "action": r.flag.action or "",
            "triggered_by": [entities[f].curie for f in r.triggered_by],
            "conditions": r.conditions,
            "concerns": [index.brief(c) for c in r.concerns],
        }
        for r in result.red_flags
    ]
    tests = []
    for advice in result.tests:
        rationale = "Evaluates " + ", ".join(entities[c].label for c in advice.for_causes)
        if advice.separates:
            rationale += (
                f"; assesses {' and '.join(advice.separates)} mechanisms, which tells these causes apart"
            )
        tests.append(
            {
                "id": advice.test.curie,
                "label": advice.test.label,
                "rationale": rationale,
                "for": [entities[c].curie for c in advice.for_causes],
                "separates": list(advice.separates),
            }
        )
    return {
        "candidates": candidates,
        "red_flags": flags,
        "triage": triage_public(index, result.triage),
        "tests": tests,
        "scope": "curated",
        "disclaimer": DISCLAIMER,
        "scoring": SCORING,
    }


def resolve_query(request: DifferentialRequest, index: GraphIndex, *, quiet: bool = False) -> Query:
    """The request's items as entity ids (422 naming unknown or misplaced ones; `quiet` drops them)."""
    present, present_problems = resolve_items(index, "present", request.present)
    absent, absent_problems = resolve_items(index, "absent", request.absent)
    if (present_problems or absent_problems) and not quiet:
        raise HTTPException(status_code=422, detail="; ".join(present_problems + absent_problems))
    both = sorted(set(present) & set(absent))
    if both:
        # Two references (a label and a code, say) that name the same entity, one present and one absent.
        names = ", ".join(index.entities[i].curie for i in both)
        raise HTTPException(status_code=422, detail=f"an item cannot be both present and absent: {names}")
    return Query(
        present=present,
        absent=absent,
        onset=request.onset,
        laterality=request.laterality,
        course=request.course,
        age=request.age,
        contributors=request.include_contributors,
        limit=request.limit,
    )


@router.post("/differential", response_model=DifferentialResponse)
async def post_differential(request: DifferentialRequest, index: IndexDep, settings: SettingsDep) -> Response:
    """Rank candidate causes for the present findings and history, with the paths that explain each."""
    if len(request.present) + len(request.absent) > settings.max_findings:
        raise HTTPException(
            status_code=422,
            detail=f"at most {settings.max_findings} items in 'present' and 'absent' together",
        )
    memo = index.cache.get("answers")
    if memo is None:
        memo = index.cache["answers"] = BoundedCache[bytes](settings.answer_cache_size)
    if request.scope == "curated":
        # Keyed by the resolved, frozen query: equal queries give byte-identical answers, whatever the
        # spelling or order of the references.
        query = resolve_query(request, index)
        body = memo.get_or_compute(  # type: ignore[attr-defined]
            ("curated", query), lambda: orjson.dumps(curated_response(query, index))
        )
    else:
        key = ("hpo", request.model_dump_json())
        body = memo.get_or_compute(key, lambda: orjson.dumps(answer(request, index)))  # type: ignore[attr-defined]
    return Response(body, media_type="application/json")


def answer(request: DifferentialRequest, index: GraphIndex) -> dict[str, Any]:
    """The differential for a parsed request (422 naming unknown or misplaced ids)."""
    if request.scope == "curated":
        return curated_response(resolve_query(request, index), index)
    hpo = index.hpo
    if hpo is None:
        raise HTTPException(
            status_code=422,
            detail=f"scope '{request.scope}' needs a release with the HPO graph (`clinkg import hpo`); "
            "this service has the curated graph only",
        )
    w = weights()
    present, present_problems = hpo_terms(index, hpo, "present", request.present)
    absent, absent_problems = hpo_terms(index, hpo, "absent", request.absent)
    if not present and not present_problems and request.scope == "hpo":
        present_problems.append("scope 'hpo' needs at least one HP term in 'present' (or a finding with one)")
    if present_problems or absent_problems:
        raise HTTPException(status_code=422, detail="; ".join(present_problems + absent_problems))
    # Red flags and triage come from the curated graph whatever the scope: every item it knows takes part.
    result = curated_response(resolve_query(request, index, quiet=True), index)
    if request.scope == "hpo":
        result["candidates"], result["tests"] = [], []
    limit = request.limit or w.hpo.candidates
    ranked = hpo.rank(present, absent, limit, w.hpo)
    offset = len(result["candidates"])
    result["candidates"] = result["candidates"] + [
        hpo_candidate_public(hpo, hpo.explain(d, s, present, absent, w.hpo), rank)
        for rank, (d, s) in enumerate(ranked, start=offset + 1)
    ]
    result["scope"] = request.scope
    result["disclaimer"] = DISCLAIMER
    result["scoring"] = SCORING_HPO if request.scope == "hpo" else f"{SCORING}. {SCORING_HPO}"
    return result


def curated_response(query: Query, index: GraphIndex) -> dict[str, Any]:
    """The curated differential of a resolved query, as the API answers it."""
    w = weights()
    return to_response(index, differential(index, query, w), w)


def hpo_terms(
    index: GraphIndex, hpo: HpoIndex, field: str, refs: list[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The HP terms of one request field: HP CURIEs, or curated items by their HP codes.

    A curated item without an HP code of the release is fine: it takes part in the curated graph (red
    flags, and the curated candidates of scope "all") only. An item neither graph knows is a problem.
    """
    terms: list[str] = []
    unknown: list[str] = []
    for ref in refs:
        upper = ref.strip().upper()
        found = [upper] if hpo.known(upper) else []
        if not found:
            entity = index.resolve(ref)
            if entity is None:
                unknown.append(ref)
                continue
            # Codes the entity implies (exact, close or broader): a patient who has it has those terms.
            found = [code for code in index.entities[entity].codes(IMPLIED) if hpo.known(code)]
        terms.extend(term for term in found if term not in terms)
    problems = []
    if unknown:
        problems.append(
            f"unknown in both the HPO graph and the curated graph in '{field}' (give HP CURIEs such as "
            f"HP:0007340, or curated ids): {', '.join(unknown)}"
        )
    return tuple(terms), problems


def _hpo_node(hpo: HpoIndex, node: str) -> dict[str, str]:
    if node in hpo.disease_labels:
        return {"id": node, "label": hpo.disease_labels[node], "type": "cause"}
    return {"id": node, "label": hpo.labels[node], "type": "finding"}


def _is_a_edge(hpo: HpoIndex, lower: str, upper: str) -> dict[str, Any]:
    return {
        "predicate": "is_a",
        "from": lower,
        "to": upper,
        "qualifiers": {},
        "provenance": {
            "source": "hp.obo",
            "section": f"[Term] {lower}",
            "paragraph": None,
            "statement": f"{lower} {hpo.labels[lower]} is a kind of {upper} {hpo.labels[upper]} in the HPO.",
        },
    }


def _hpo_path(hpo: HpoIndex, disease: str, match: Match) -> dict[str, Any]:
    """From the reported term through the is_a chain to the annotated term, then to the disease."""
    if match.route == "more_specific":
        chain = hpo.chain(match.annotated, match.term)[::-1]  # reported term first
        steps = [_is_a_edge(hpo, low, up) for up, low in zip(chain, chain[1:], strict=False)]
    elif match.route == "more_general":
        chain = hpo.chain(match.term, match.annotated)
        steps = [_is_a_edge(hpo, low, up) for low, up in zip(chain, chain[1:], strict=False)]
    else:
        chain, steps = [match.term], []
    a = match.annotation
    qualifiers: dict[str, str | float] = {}
    if a.frequency is not None:
        qualifiers["frequency"] = a.frequency
    if a.onset is not None:
        qualifiers["onset"] = a.onset
    annotation = {
        "predicate": "presents_with",
        "from": disease,
        "to": match.annotated,
        "qualifiers": qualifiers,
        "provenance": {
            "source": a.source,
            "section": "phenotype.hpoa",
            "paragraph": a.paragraph,
            "statement": a.statement,
            "evidence": a.evidence,
            "references": list(a.references),
        },
    }
    return {
        "nodes": [_hpo_node(hpo, n) for n in (*chain, disease)],
        "edges": [*steps, annotation],
        "route": f"hpo_{match.route}",
        "weight": round(match.weight, 4),
    }


def hpo_candidate_public(hpo: HpoIndex, candidate: Any, rank: int) -> dict[str, Any]:
    """An HPO disease as a candidate of the answer, explained by one path per matched term."""
    return {
        "id": candidate.disease,
        "label": candidate.label,
        "graph": "hpo",
        "rank": rank,
        "score": round(candidate.score, 4),
        "urgency": None,
        "matched": [
            {
                "id": m.term,
                "label": hpo.labels[m.term],
                "route": f"hpo_{m.route}",
                "weight": round(m.weight, 4),
            }
            for m in candidate.matched
        ],
        "against": [
            {"id": term, "label": hpo.labels[term], "reason": reason, "weight": round(weight, 4)}
            for term, reason, weight in candidate.against
        ],
        "paths": [_hpo_path(hpo, candidate.disease, m) for m in candidate.matched],
        "tests": [],
    }
