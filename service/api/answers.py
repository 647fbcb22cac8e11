"""Answers as the API shows them: the ranking's records serialized to JSON-ready values.

Compact by default: each path names its nodes and edges by id, and the answer carries every node it
mentions once (`nodes`) and every edge once with its provenance (`edges`), so that a statement shared by
twenty paths is sent once. `verbose` inlines them in every path instead, as earlier versions did.

Serialized pieces that depend only on the graph (an edge, a path, a list of tests) are built once and kept
in the typed caches of `AnswerViews`, which the app builds with the graph it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from clinkg.service.api.models import (
    DISCLAIMER,
    SAME_DISEASE_REASON,
    SCORING,
    SCORING_HPO,
    DifferentialRequest,
)
from clinkg.service.ranking.answer import Answer, Question
from clinkg.service.ranking.graph_index import Edge, GraphIndex
from clinkg.service.ranking.hpo_graph import Step
from clinkg.service.ranking.hpo_rank import Annotation, HpoCandidate, HpoIndex, Match
from clinkg.service.ranking.lru import BoundedCache
from clinkg.service.ranking.model import Candidate, Differential, TestAdvice, Triage
from clinkg.service.ranking.paths import Path
from clinkg.service.ranking.weights import Weights

JSON = dict[str, Any]
_ChainKey = tuple[str, str, str, str | None]  # term, route, annotated, via
_CandidateKey = tuple[object, ...]
# The candidate's JSON up to `"rank":`, after the rank, and its node and edge table entries.
_CandidatePieces = tuple[
    bytes, bytes, tuple[tuple[str, orjson.Fragment], ...], tuple[tuple[str, orjson.Fragment], ...]
]
_HpoWalk = tuple[tuple[str, ...], tuple[tuple[str, orjson.Fragment], ...]]  # nodes; (edge key, edge JSON)
_HpoChain = _HpoWalk  # the is_a part of a walk: its terms and their edges


def question(request: DifferentialRequest) -> Question:
    """A differential request as ranking's question: its findings are `present` and `absent`, or those its
    phenopacket reports (with the phenopacket's age unless the request gives one)."""
    # The phenopacket field first: reading the private `packet` goes through pydantic's slow attribute path.
    packet = request.packet if request.phenopacket is not None else None
    if packet is None:
        present, absent, age = tuple(request.present), tuple(request.absent), request.age
    else:
        present, absent = packet.present, packet.absent
        age = packet.age if request.age is None else request.age
    return Question(
        present=present,
        absent=absent,
        onset=request.onset,
        laterality=request.laterality,
        course=request.course,
        age=age,
        scope=request.scope,
        limit=request.limit,
        contributors=request.include_contributors,
        namespaces=tuple(request.namespaces or ()),
    )


def kept(value: Any) -> orjson.Fragment:
    """A value serialized once to be kept: copied out to its own size, because orjson's output keeps the
    4 KB buffer it was written into (a cache of 15,000 small node entries held 59 MB, not 1.3 MB)."""
    return orjson.Fragment(bytes(memoryview(orjson.dumps(value))))


def edge_public(index: GraphIndex, edge: Edge) -> JSON:
    """An edge as the API shows it, with its provenance."""
    p = edge.provenance
    return {
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


def is_a_edge(hpo: HpoIndex, lower: str, upper: str) -> JSON:
    """An is_a edge of the HPO as the API shows it: the hierarchy of hp.obo is its provenance."""
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


def annotation_edge(a: Annotation) -> JSON:
    """A phenotype.hpoa row as an edge from the disease to the term, with the row as its provenance."""
    qualifiers: dict[str, str | float] = {}
    if a.frequency is not None:
        qualifiers["frequency"] = a.frequency
    if a.onset is not None:
        qualifiers["onset"] = a.onset
    return {
        "predicate": "not_presents_with" if a.negated else "presents_with",
        "from": a.disease,
        "to": a.term,
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


def mapping_edge(index: GraphIndex, hpo: HpoIndex, entity_id: str, predicate: str, code: str) -> JSON:
    """A curated entity's mapping to an HP code (exact_match, close_match, ...): our curation, checked
    against hp.obo when the release was built."""
    entity = index.entities[entity_id]
    return {
        "predicate": predicate,
        "from": entity.curie,
        "to": code,
        "qualifiers": {},
        "provenance": {
            "source": "clinkg",
            "section": "cross-references",
            "paragraph": None,
            "statement": (
                f"{entity.curie} {entity.label} has the {predicate.replace('_', ' ')} {code} "
                f"{hpo.labels[code]} (SKOS), verified against hp.obo at build time."
            ),
        },
    }


def step_public(index: GraphIndex, hpo: HpoIndex, step: Step | Edge) -> JSON:
    """An edge of a path through the HPO graph (ranking/hpo_graph.py) as the API shows it."""
    if isinstance(step, Edge):
        return edge_public(index, step)
    if step.annotation is not None:
        return annotation_edge(step.annotation)
    if step.predicate == "is_a":
        return is_a_edge(hpo, step.subject, step.object)
    return mapping_edge(index, hpo, step.subject, step.predicate, step.object)


def node_ref(index: GraphIndex, hpo: HpoIndex | None, node: str) -> JSON:
    """{id, label, type} of a node of either graph: our entity, an HP term or an HPO disease."""
    if node in index.entities:
        return index.brief(node)
    if hpo is not None and node in hpo.disease_labels:
        return {"id": node, "label": hpo.disease_labels[node], "type": "hpo_disease"}
    if hpo is not None and node in hpo.labels:
        return {"id": node, "label": hpo.labels[node], "type": "hpo_term"}
    raise KeyError(node)


def _path_order(path: Path) -> tuple[float, tuple[str, ...]]:
    return (-path.weight, path.nodes)


def _heaviest(entry: tuple[str, tuple[float, str]]) -> tuple[float, str]:
    return (-entry[1][0], entry[0])


def _lightest(entry: tuple[str, tuple[float, str]]) -> tuple[float, str]:
    return (entry[1][0], entry[0])


@dataclass
class _Tables:
    """The nodes and edges one compact answer mentions, each once."""

    nodes: dict[str, Any] = field(default_factory=dict)
    edges: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnswerViews:
    """Serializes answers of one graph; keeps what it serialized that depends on the graph only."""

    index: GraphIndex
    weights: Weights
    hpo: HpoIndex | None = None
    edge_ids: dict[Edge, str] = field(init=False)
    edge_json: dict[Edge, orjson.Fragment] = field(default_factory=dict)
    node_json: dict[str, orjson.Fragment] = field(default_factory=dict)
    path_json: dict[tuple[Path, bool], orjson.Fragment] = field(default_factory=dict)
    path_refs: dict[
        Path, tuple[tuple[tuple[str, orjson.Fragment], ...], tuple[tuple[str, orjson.Fragment], ...]]
    ] = field(default_factory=dict)
    tests_json: dict[tuple[str, ...], orjson.Fragment] = field(default_factory=dict)
    # Keyed by request-chosen supports, so bounded; about 1 KB each.
    candidate_json: BoundedCache[_CandidateKey, _CandidatePieces] = field(
        default_factory=lambda: BoundedCache(8192)
    )
    advice_json: BoundedCache[tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...], orjson.Fragment] = (
        field(default_factory=lambda: BoundedCache(4096))
    )
    entry_json: dict[tuple[str, float, str, str], orjson.Fragment] = field(default_factory=dict)
    hpo_node_json: dict[str, orjson.Fragment] = field(default_factory=dict)
    is_a_json: dict[tuple[str, str], orjson.Fragment] = field(default_factory=dict)  # as many as hp.obo has
    # Keyed by request-chosen matches, so bounded. A chain is a few term ids and shared edge pieces; an
    # annotation row's edge about 0.5 KB (a release has ~270k rows): 32,768 of them take ~16 MB.
    hpo_chains: BoundedCache[_ChainKey, _HpoChain] = field(default_factory=lambda: BoundedCache(32768))
    annotation_json: BoundedCache[int, orjson.Fragment] = field(default_factory=lambda: BoundedCache(32768))

    def __post_init__(self) -> None:
        # Edge ids follow the index's canonical edge order: the same graph gives the same ids.
        self.edge_ids = {edge: f"e{position}" for position, edge in enumerate(self.index.edges)}

    # --- curated pieces ------------------------------------------------------------------------------------

    def _edge(self, edge: Edge) -> orjson.Fragment:
        found = self.edge_json.get(edge)
        if found is None:
            found = self.edge_json[edge] = kept(edge_public(self.index, edge))
        return found

    def _node(self, node: str) -> orjson.Fragment:
        found = self.node_json.get(node)
        if found is None:
            entity = self.index.entities[node]
            found = self.node_json[node] = kept({"label": entity.label, "type": entity.type})
        return found

    def _path(self, path: Path, verbose: bool, tables: _Tables) -> orjson.Fragment:
        key = (path, verbose)
        found = self.path_json.get(key)
        if found is None:
            if verbose:
                value: JSON = {
                    "nodes": [self.index.brief(n) for n in path.nodes],
                    "edges": [edge_public(self.index, e) for e in path.edges],
                }
            else:
                value = {
                    "nodes": [self.index.entities[n].curie for n in path.nodes],
                    "edges": [self.edge_ids[e] for e in path.edges],
                }
            value.update(route=path.route, weight=round(path.weight, 4))
            found = self.path_json[key] = kept(value)
        if not verbose:
            refs = self.path_refs.get(path)
            if refs is None:
                nodes = tuple((self.index.entities[n].curie, self._node(n)) for n in path.nodes)
                edges = tuple((self.edge_ids[e], self._edge(e)) for e in path.edges)
                refs = self.path_refs[path] = (nodes, edges)
            tables.nodes.update(refs[0])
            tables.edges.update(refs[1])
        return found

    def _tests(self, ids: tuple[str, ...]) -> orjson.Fragment:
        found = self.tests_json.get(ids)
        if found is None:
            curies = [self.index.entities[t].curie for t in ids]
            found = self.tests_json[ids] = kept(curies)
        return found

    def _entry(self, item: str, weight: float, why: str, key: str) -> orjson.Fragment:
        """A matched (key "route") or against (key "reason") entry."""
        memo = self.entry_json
        found = memo.get((item, weight, why, key))
        if found is None:
            entity = self.index.entities[item]
            found = memo[(item, weight, why, key)] = kept(
                {"id": entity.curie, "label": entity.label, key: why, "weight": round(weight, 4)}
            )
        return found

    def _candidate_value(
        self, c: Candidate, tests_of: dict[str, tuple[str, ...]], verbose: bool, tables: _Tables
    ) -> tuple[JSON, JSON]:
        """A curated candidate's JSON before and after its rank (the only field that depends on the rest
        of the answer)."""
        entity, support, entry = c.entity, c.support, self._entry
        paths = sorted(support.paths, key=_path_order)[: self.weights.paths_per_candidate]
        head = {"id": entity.curie, "label": entity.label, "graph": "curated"}
        tail = {
            "score": round(support.score, 4),
            "urgency": entity.urgency or self.weights.triage.default,
            "matched": [
                entry(i, v, route, "route")
                for i, (v, route) in sorted(support.matched.items(), key=_heaviest)
            ],
            "against": [
                entry(i, v, why, "reason") for i, (v, why) in sorted(support.against.items(), key=_lightest)
            ],
            "paths": [self._path(p, verbose, tables) for p in paths],
            "tests": self._tests(tests_of.get(entity.id, ())),
        }
        return head, tail

    def candidate(
        self, c: Candidate, tests_of: dict[str, tuple[str, ...]], verbose: bool, tables: _Tables
    ) -> orjson.Fragment:
        """A curated candidate with its rank, score, matched and against items, paths and tests.

        Everything but the rank follows from the cause and its support (the graph's tests of a cause do not
        change), so the rest is serialized once per support and kept, with the node and edge table entries
        its paths need. Supports recur across requests; their `basis` (the ranking's memoized per-item
        contributions, hashed by identity, with the flags and absent items) is a cheap key."""
        key = (c.entity.id, verbose, c.support.basis)
        found = self.candidate_json.get(key)
        if found is None:
            own = _Tables()
            head, tail = self._candidate_value(c, tests_of, verbose, own)
            found = (
                orjson.dumps(head)[:-1] + b',"rank":',
                b"," + orjson.dumps(tail)[1:],
                tuple(own.nodes.items()),
                tuple(own.edges.items()),
            )
            self.candidate_json.put(key, found)
        before, after, nodes, edges = found
        tables.nodes.update(nodes)
        tables.edges.update(edges)
        return orjson.Fragment(b"%s%d%s" % (before, c.rank, after))

    def triage(self, triage: Triage) -> JSON:
        """Level, every reason, action and safety net, and whose words they are."""
        entities = self.index.entities
        return {
            "level": triage.level,
            "reason": [
                {"by": entities[r.by].curie, "rule": r.rule, "detail": r.detail} for r in triage.reasons
            ],
            "action": triage.action,
            "safety_net": triage.safety_net,
            "wording_from": entities[triage.wording_from].curie if triage.wording_from else None,
        }

    def _curated(self, result: Differential, verbose: bool, tables: _Tables) -> JSON:
        entities = self.index.entities
        flags = [
            {
                "id": r.flag.curie,
                "label": r.flag.label,
                "urgency": r.flag.urgency,
                "action": r.flag.action or "",
                "triggered_by": [entities[f].curie for f in r.triggered_by],
                "conditions": r.conditions,
                "concerns": [self.index.brief(c) for c in r.concerns],
            }
            for r in result.red_flags
        ]
        return {
            "candidates": [self.candidate(c, result.tests_of, verbose, tables) for c in result.candidates],
            "red_flags": flags,
            "triage": self.triage(result.triage),
            "tests": self._advice(result.tests),
        }

    def _advice(self, tests: list[TestAdvice]) -> orjson.Fragment:
        """The recommended tests with their rationale, serialized once per list."""
        key = tuple((a.test.id, a.for_causes, a.separates) for a in tests)
        found = self.advice_json.get(key)
        if found is None:
            entities = self.index.entities
            value = []
            for advice in tests:
                rationale = "Evaluates " + ", ".join(entities[c].label for c in advice.for_causes)
                if advice.separates:
                    rationale += (
                        f"; assesses {' and '.join(advice.separates)} mechanisms, which tells these causes "
                        "apart"
                    )
                value.append(
                    {
                        "id": advice.test.curie,
                        "label": advice.test.label,
                        "rationale": rationale,
                        "for": [entities[c].curie for c in advice.for_causes],
                        "separates": list(advice.separates),
                    }
                )
            found = kept(value)
            self.advice_json.put(key, found)
        return found

    # --- HPO pieces ----------------------------------------------------------------------------------------

    def _hpo_node(self, hpo: HpoIndex, node: str) -> JSON:
        if node in hpo.disease_labels:
            return {"id": node, "label": hpo.disease_labels[node], "type": "cause"}
        return {"id": node, "label": hpo.labels[node], "type": "finding"}

    def _hpo_brief(self, hpo: HpoIndex, node: str) -> orjson.Fragment:
        """A term's or disease's entry in the compact answer's node table."""
        found = self.hpo_node_json.get(node)
        if found is None:
            whole = self._hpo_node(hpo, node)
            found = self.hpo_node_json[node] = kept({"label": whole["label"], "type": whole["type"]})
        return found

    def _is_a_json(self, hpo: HpoIndex, lower: str, upper: str) -> orjson.Fragment:
        found = self.is_a_json.get((lower, upper))
        if found is None:
            edge = kept(is_a_edge(hpo, lower, upper))
            found = self.is_a_json[(lower, upper)] = edge
        return found

    def _hpo_walk(self, hpo: HpoIndex, disease: str, match: Match) -> _HpoWalk:
        """From the reported term through the is_a chain to the annotated term, then to the disease: down
        to a more specific form, up to a more general one, or up to the shared ancestor and down again to a
        related (sibling) form. Nodes and serialized edges: the chain is the terms' (kept per term and
        route, and shared by every disease annotated with that term), the last edge the annotation row's."""
        chain, steps = self.hpo_chains.get_or_compute(
            (match.term, match.route, match.annotated, match.via), lambda: self._is_a_steps(hpo, match)
        )
        row = match.annotation
        annotation = self.annotation_json.get_or_compute(row.paragraph, lambda: kept(annotation_edge(row)))
        return (*chain, disease), (*steps, (f"hpoa:{row.paragraph}", annotation))

    def _is_a_steps(self, hpo: HpoIndex, match: Match) -> _HpoChain:
        chain, steps = [match.term], []
        if match.route in ("more_general", "related"):
            rise = hpo.chain(match.term, match.via or match.annotated)
            chain, steps = rise, [(low, up) for low, up in zip(rise, rise[1:], strict=False)]
        if match.route in ("more_specific", "related"):
            fall = hpo.chain(match.annotated, chain[-1])[::-1]  # from the top of the chain down
            chain = [*chain, *fall[1:]]
            steps += [(low, up) for up, low in zip(fall, fall[1:], strict=False)]
        return tuple(chain), tuple((f"is_a:{low}>{up}", self._is_a_json(hpo, low, up)) for low, up in steps)

    def _hpo_path(self, hpo: HpoIndex, disease: str, match: Match, verbose: bool, tables: _Tables) -> JSON:
        nodes, edges = self._hpo_walk(hpo, disease, match)
        path: JSON
        if verbose:
            path = {"nodes": [self._hpo_node(hpo, n) for n in nodes], "edges": [e for _, e in edges]}
        else:
            path = {"nodes": list(nodes), "edges": [key for key, _ in edges]}
            for node in nodes:
                if node not in tables.nodes:
                    tables.nodes[node] = self._hpo_brief(hpo, node)
            for key, edge in edges:
                if key not in tables.edges:
                    tables.edges[key] = edge
        path.update(route=f"hpo_{match.route}", weight=round(match.weight, 4))
        return path

    def hpo_candidate(
        self, hpo: HpoIndex, candidate: HpoCandidate, rank: int, verbose: bool, tables: _Tables
    ) -> JSON:
        """An HPO disease as a candidate, explained by one path per matched term."""
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
            "paths": [self._hpo_path(hpo, candidate.disease, m, verbose, tables) for m in candidate.matched],
            "tests": [],
            "same_disease": [
                {"id": twin, "label": label, "score": round(score, 4), "reason": SAME_DISEASE_REASON}
                for twin, label, score in candidate.same_disease
            ],
        }

    # --- the whole answer ----------------------------------------------------------------------------------

    def dumps(self, answer: Answer, verbose: bool = False) -> bytes:
        """The answer's JSON bytes."""
        # Copied out to its own size: answers are kept in the answer cache (see `kept`).
        return bytes(memoryview(orjson.dumps(self.to_json(answer, verbose))))

    def to_json(self, answer: Answer, verbose: bool = False) -> JSON:
        """The public answer: every candidate explained by its paths, every triggered red flag, the triage,
        the tests; compact (nodes and edges once, in tables) unless `verbose`."""
        tables = _Tables()
        body = self._curated(answer.differential, verbose, tables)
        scope = answer.query.scope
        if answer.hpo and self.hpo is not None:
            offset = len(body["candidates"])
            body["candidates"] += [
                self.hpo_candidate(self.hpo, c, rank, verbose, tables)
                for rank, c in enumerate(answer.hpo, start=offset + 1)
            ]
        body["scope"] = scope
        if not verbose:
            body["nodes"] = tables.nodes
            body["edges"] = tables.edges
        body["disclaimer"] = DISCLAIMER
        body["scoring"] = {"curated": SCORING, "hpo": SCORING_HPO, "all": f"{SCORING}. {SCORING_HPO}"}[scope]
        return body
