"""GET /v1/entities and /v1/entities/{id}: browse entities and see every edge with its provenance.

An entity is named by any reference the resolver reads (ranking/resolver.py): our id, a CURIE, an IRI
(URL-encoded or with its slashes as they are), a code, an exact label or synonym. On a release with the
HPO graph, HP terms and HPO diseases have pages of their own.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from clinkg.service.api.answers import annotation_edge, is_a_edge, mapping_edge, node_ref
from clinkg.service.api.deps import IndexDep, ServedDep, SettingsDep
from clinkg.service.api.models import NodeRef, ProvenancePublic, errors
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import Entity, GraphIndex
from clinkg.service.ranking.hpo_graph import HpoGraph
from clinkg.service.ranking.resolver import Graph, Resolution

router = APIRouter(prefix="/v1", tags=["entities"], responses=errors(401, 404, 422, 503))
EntityType = Literal["cause", "mechanism", "finding", "red_flag", "test", "triage_advice", "source"]


class Mapping(BaseModel):
    code: str
    relation: Literal["exact", "close", "broad", "narrow"] = Field(
        description="The SKOS mapping relation: the code means the concept (exact), nearly (close), "
        "something broader (broad) or narrower (narrow)."
    )


class EntitySummary(BaseModel):
    id: str
    label: str
    type: str
    kind: str | None
    category: str | None
    urgency: str | None
    synonyms: list[str]
    xrefs: list[str] = Field(description="Codes whose official description is the concept (exact matches).")
    mappings: list[Mapping] = Field(description="Every cross-reference with its SKOS mapping relation.")


class EntityList(BaseModel):
    items: list[EntitySummary]
    total: int


class EdgeView(BaseModel):
    predicate: str
    direction: Literal["out", "in"]
    other: NodeRef
    qualifiers: dict[str, str | float] = Field(
        description="Curated edges: onset, laterality, ...; HPO annotations: frequency (0-1) and onset (an "
        "HP term)."
    )
    provenance: list[ProvenancePublic]


class _Detail(EntitySummary):
    definition: str
    action: str | None
    safety_net: str | None
    when: dict[str, list[str]]
    citations: list[ProvenancePublic]
    edges: list[EdgeView]


class EntityDetail(_Detail):
    """A curated entity."""

    type: EntityType


class HpoTermDetail(_Detail):
    """An HP term of the release's HPO graph: its is_a parents (out) and children (in), the curated
    entities mapping to it (in), and how many diseases carry it."""

    type: Literal["hpo_term"]
    annotated_diseases: int = Field(
        description="HPO diseases annotated with the term or a more specific one (phenotype.hpoa)."
    )
    directly_annotated_diseases: int = Field(description="HPO diseases annotated with the term itself.")
    curated: NodeRef | None = Field(
        description="The curated entity the term stands for in the curated graph (the differential's curated "
        "side): the entity citing it, else the one citing its nearest cited ancestor; none when neither."
    )


class HpoDiseaseDetail(_Detail):
    """A disease of the release's HPO graph with every phenotype.hpoa row as an edge (presents_with, or
    not_presents_with for a NOT row), the row being its provenance (paragraph = line)."""

    type: Literal["hpo_disease"]
    same_disease: list[NodeRef] = Field(
        description="Entries of other sources with the same name, taken as the same disease by the ranking."
    )


AnyDetail = Annotated[EntityDetail | HpoTermDetail | HpoDiseaseDetail, Field(discriminator="type")]


def _summary(entity: Entity) -> dict[str, object]:
    return {
        "id": entity.curie,
        "label": entity.label,
        "type": entity.type,
        "kind": entity.kind,
        "category": entity.category,
        "urgency": entity.urgency,
        "synonyms": entity.synonyms,
        "xrefs": entity.xrefs,
        "mappings": [{"code": code, "relation": relation} for relation, code in entity.mappings],
    }


def _provenance(p: object) -> ProvenancePublic:
    return ProvenancePublic.model_validate(p, from_attributes=True)


def find(ranking: Ranking, reference: str, graph: Graph | None = None) -> Resolution:
    """What a reference names (in one graph when `graph` is given), or 404 naming the reference only."""
    found = ranking.resolver.resolve(reference)
    if found is not None and graph is not None:
        found = ranking.resolver.in_graph(found, graph)
    if found is None:
        raise HTTPException(
            status_code=404,
            detail=f"no entity '{reference}' (use an id, a CURIE, an IRI, a code or an exact label)",
        )
    return found


@router.get("/entities", response_model=EntityList)
async def list_entities(
    index: IndexDep,
    settings: SettingsDep,
    type: Annotated[  # noqa: A002 - the API's parameter name
        EntityType | None, Query(openapi_examples={"causes": {"summary": "Causes only", "value": "cause"}})
    ] = None,
    limit: Annotated[
        int, Query(ge=1, openapi_examples={"five": {"summary": "Five a page", "value": 5}})
    ] = 50,
    offset: Annotated[
        int, Query(ge=0, openapi_examples={"first": {"summary": "First page", "value": 0}})
    ] = 0,
) -> EntityList:
    """Entities of one type (or all), sorted by id, a page at a time."""
    if limit > settings.entities_limit_max:
        raise HTTPException(status_code=422, detail=f"limit must be at most {settings.entities_limit_max}")
    chosen = index.of_type(type)
    page = chosen[offset : offset + limit]
    return EntityList(items=[EntitySummary.model_validate(_summary(e)) for e in page], total=len(chosen))


# `:path` lets an IRI keep its slashes, raw or URL-encoded (the router sees them decoded either way).
@router.get("/entities/{entity_id:path}", response_model=AnyDetail)
async def get_entity(
    entity_id: Annotated[
        str,
        PathParam(
            description="Our id, a clinkg: or cross-reference CURIE (HP:0007340, HP_0007340, ICD10CM:G61.0, "
            "OMIM:620106), a full IRI (URL-encoded or not), a bare ICD-10-CM code (G61.0) or an exact label "
            "or synonym; case and extra whitespace do not matter.",
            openapi_examples={
                "id": {"summary": "Our id", "value": "cauda-equina-syndrome"},
                "code": {"summary": "An HPO code", "value": "HP:0007340"},
                "icd": {"summary": "An ICD-10-CM CURIE", "value": "ICD10CM:G61.0"},
                "label": {"summary": "A label", "value": "stroke"},
            },
        ),
    ],
    served: ServedDep,
    graph: Annotated[
        Graph | None,
        Query(
            description="Read the reference in one graph: `curated` (the curated entity standing for "
            "it) or `hpo` (the HP term or HPO disease it names). By default a code a curated entity cites "
            "names that entity, and an HP term no entity cites names the term.",
            openapi_examples={"curated": {"summary": "The curated reading", "value": "curated"}},
        ),
    ] = None,
) -> EntityDetail | HpoTermDetail | HpoDiseaseDetail:
    """One entity with its synonyms, codes, definition, citations and every edge with provenance; an HP
    term or an HPO disease on a release with the HPO graph."""
    ranking = served.ranking
    found = find(ranking, entity_id, graph)
    if found.kind == "entity":
        return _entity_detail(ranking.index, found.id)
    hpo_graph = ranking.hpo_graph
    assert hpo_graph is not None  # noqa: S101 - only a release with the HPO graph names its terms and diseases
    if found.kind == "hpo_term":
        return _term_detail(hpo_graph, found)
    return _disease_detail(hpo_graph, found.id)


def _entity_detail(index: GraphIndex, entity_id: str) -> EntityDetail:
    entity = index.entities[entity_id]
    edges = [
        EdgeView(
            predicate=e.predicate,
            direction=direction,  # type: ignore[arg-type]
            other=NodeRef(**index.brief(e.object if direction == "out" else e.subject)),
            qualifiers={**e.qualifiers},
            provenance=[_provenance(e.provenance)],
        )
        for direction, found in (("out", index.out_edges), ("in", index.in_edges))
        for e in found.get(entity.id, ())
    ]
    when = {k: v for k, v in (("onset", entity.when_onset), ("laterality", entity.when_laterality)) if v}
    return EntityDetail.model_validate(
        {
            **_summary(entity),
            "definition": entity.definition,
            "action": entity.action,
            "safety_net": entity.safety_net,
            "when": when,
            "citations": [_provenance(c) for c in entity.citations],
            "edges": edges,
        }
    )


def _no_curation(node: str, label: str, kind: str) -> dict[str, object]:
    """The fields of a page that only curated entities fill."""
    return {
        "id": node,
        "label": label,
        "type": kind,
        "kind": None,
        "category": None,
        "urgency": None,
        "synonyms": [],
        "xrefs": [],
        "mappings": [],
        "definition": "",
        "action": None,
        "safety_net": None,
        "when": {},
        "citations": [],
    }


def _edge(edge: dict[str, object], direction: str, other: dict[str, object]) -> EdgeView:
    return EdgeView.model_validate(
        {
            "predicate": edge["predicate"],
            "direction": direction,
            "other": other,
            "qualifiers": edge["qualifiers"],
            "provenance": [edge["provenance"]],
        }
    )


def _term_detail(hpo_graph: HpoGraph, found: Resolution) -> HpoTermDetail:
    hpo, index, term = hpo_graph.hpo, hpo_graph.index, found.id
    edges = [
        _edge(is_a_edge(hpo, term, up), "out", node_ref(index, hpo, up)) for up in hpo_graph.parents(term)
    ]
    edges += [
        _edge(is_a_edge(hpo, low, term), "in", node_ref(index, hpo, low)) for low in hpo_graph.children(term)
    ]
    edges += [
        _edge(mapping_edge(index, hpo, entity, f"{relation}_match", term), "in", index.brief(entity))
        for entity, relation in hpo_graph.cited_by.get(term, ())
    ]
    direct, annotated = hpo_graph.diseases_with(term)
    stand_in = found.entity  # the curated side of the differential takes the term as this entity
    return HpoTermDetail.model_validate(
        {
            **_no_curation(term, hpo.labels[term], "hpo_term"),
            "edges": edges,
            "annotated_diseases": annotated,
            "directly_annotated_diseases": direct,
            "curated": None if stand_in is None else index.brief(stand_in),
        }
    )


def _disease_detail(hpo_graph: HpoGraph, disease: str) -> HpoDiseaseDetail:
    hpo, index = hpo_graph.hpo, hpo_graph.index
    edges = [
        _edge(annotation_edge(row), "out", node_ref(index, hpo, row.term))
        for row in hpo_graph.annotations(disease)
    ]
    return HpoDiseaseDetail.model_validate(
        {
            **_no_curation(disease, hpo.disease_labels[disease], "hpo_disease"),
            "edges": edges,
            "same_disease": [node_ref(index, hpo, twin) for twin in hpo.same_disease.get(disease, ())],
        }
    )
