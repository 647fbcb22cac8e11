"""The one resolver (service/ranking/resolver.py) on the real curated graph, read back from an in-memory
Oxigraph store through the query library as the service reads it: every form a reference may take, what
it names and how; uncited HP terms through the release's hierarchy and, on a release with the HPO graph
(here a small hand-made HPO index of real terms and diseases), HP terms and diseases of their own; and the
differential's resolution, which goes through it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clinkg.loaders.build import fill_store
from clinkg.loaders.content import load_content
from clinkg.service.ranking.answer import Question, UnresolvedError, resolve
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.hierarchy import Hierarchy
from clinkg.service.ranking.hpo_rank import Annotation, HpoIndex
from clinkg.service.ranking.resolver import Resolution, Resolver, name_key
from clinkg.service.stores.oxigraph import OxigraphBackend

# Real HPO relations: distal lower limb muscle weakness is a lower limb muscle weakness (HP:0007340, which
# the curated leg-weakness cites), itself a limb muscle weakness, itself a muscle weakness; seizure stands
# apart. Only leg-weakness cites any of them.
LABELS = {
    "HP:0001324": "Muscle weakness",
    "HP:0003690": "Limb muscle weakness",
    "HP:0007340": "Lower limb muscle weakness",
    "HP:0009053": "Distal lower limb muscle weakness",
    "HP:0001250": "Seizure",
}
PARENTS: dict[str, tuple[str, ...]] = {
    "HP:0003690": ("HP:0001324",),
    "HP:0007340": ("HP:0003690",),
    "HP:0009053": ("HP:0007340",),
}
DISEASES = {
    "OMIM:620106": "Spastic paraplegia 88, autosomal dominant",
    "ORPHA:1401": "CHAND syndrome",
}


def _row(disease: str, term: str, line: int) -> Annotation:
    return Annotation(disease, term, False, "hpoa", line, "statement", "PCS", ("PMID:1",), 1.0, None)


@pytest.fixture(scope="module")
def index() -> GraphIndex:
    store = ox.Store()
    fill_store(store, load_content())
    return GraphIndex.load(OxigraphBackend(store))


@pytest.fixture(scope="module")
def curated(index: GraphIndex) -> Resolver:
    """A curated release that kept its HPO hierarchy (as `clinkg build` does)."""
    return Resolver(index, hierarchy=Hierarchy(PARENTS))


@pytest.fixture(scope="module")
def hpo() -> HpoIndex:
    rows = [_row("OMIM:620106", "HP:0007340", 1), _row("ORPHA:1401", "HP:0001250", 2)]
    return HpoIndex(LABELS, PARENTS, DISEASES, rows)


@pytest.fixture(scope="module")
def with_hpo(index: GraphIndex, hpo: HpoIndex) -> Resolver:
    return Resolver(index, hpo)


def found(resolver: Resolver, reference: str) -> Resolution:
    result = resolver.resolve(reference)
    assert result is not None, f"{reference!r} did not resolve"
    return result


# --- curated forms ----------------------------------------------------------------------------------------

STROKE_IRI = "https://w3id.org/clinkg/id/stroke"


@pytest.mark.parametrize(
    ("reference", "entity", "matched"),
    [
        ("stroke", "stroke", "id"),
        ("  Stroke ", "stroke", "id"),  # an id, any case (the label is "Stroke" too: the id is read first)
        ("LEG-WEAKNESS", "leg-weakness", "id"),
        ("clinkg:stroke", "stroke", "curie"),
        ("CLINKG:Stroke", "stroke", "curie"),
        (STROKE_IRI, "stroke", "iri"),
        ("https:/w3id.org/clinkg/id/stroke", "stroke", "iri"),  # slashes merged on the way
        ("HTTPS://W3ID.ORG/clinkg/id/stroke", "stroke", "iri"),
        ("HP:0007340", "leg-weakness", "curie"),
        ("HP_0007340", "leg-weakness", "curie"),
        ("hp:0007340", "leg-weakness", "curie"),
        ("http://purl.obolibrary.org/obo/HP_0007340", "leg-weakness", "iri"),
        ("ICD10CM:G61.0", "guillain-barre-syndrome", "curie"),
        ("icd10cm:g61.0", "guillain-barre-syndrome", "curie"),
        ("http://purl.bioontology.org/ontology/ICD10CM/G61.0", "guillain-barre-syndrome", "iri"),
        ("G61.0", "guillain-barre-syndrome", "code"),
        ("g61.0", "guillain-barre-syndrome", "code"),
        ("G610", "guillain-barre-syndrome", "code"),
        ("G35", "multiple-sclerosis", "code"),
        ("Guillain-Barré syndrome", "guillain-barre-syndrome", "label"),
        ("guillain-barré   SYNDROME", "guillain-barre-syndrome", "label"),
        ("weak legs", "leg-weakness", "synonym"),
        ("  Weak \t LEGS ", "leg-weakness", "synonym"),
        ("GBS", "guillain-barre-syndrome", "synonym"),
    ],
)
def test_every_form_names_the_curated_entity(
    curated: Resolver, reference: str, entity: str, matched: str
) -> None:
    result = found(curated, reference)
    assert (result.kind, result.id, result.entity, result.matched) == ("entity", entity, entity, matched)
    assert result.reference == reference


def test_a_code_says_which_code_it_went_through(curated: Resolver) -> None:
    icd = found(curated, "g610")
    assert icd.via == "ICD10CM:G61.0" and icd.term is None
    hp = found(curated, "HP_0007340")
    assert hp.via == hp.term == "HP:0007340" and not hp.through_ancestor


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "   ",
        "nowhere",
        "HP:9999999",  # no such term
        "HP:0001324",  # a real term, but neither cited nor below a cited one, and no HPO graph here
        "ICD10CM:A00.0",  # a real code no entity cites
        "A00.0",
        "OMIM:620106",  # diseases exist only in the HPO graph
        "clinkg:nowhere",
        "https://w3id.org/clinkg/id/nowhere",
        "http://purl.obolibrary.org/obo/HP_9999999",
        "weak legs and arms",
        "G61.0 weakness",
    ],
)
def test_unknown_references_resolve_to_nothing(curated: Resolver, reference: str) -> None:
    assert curated.resolve(reference) is None


def test_an_uncited_term_names_its_nearest_cited_ancestor_s_entity(curated: Resolver) -> None:
    result = found(curated, "hp_0009053")
    assert (result.kind, result.id, result.entity) == ("entity", "leg-weakness", "leg-weakness")
    assert result.term == "HP:0009053" and result.via == "HP:0007340" and result.through_ancestor


def test_without_a_hierarchy_only_cited_terms_resolve(index: GraphIndex) -> None:
    bare = Resolver(index)
    assert bare.resolve("HP:0009053") is None
    assert found(bare, "HP:0007340").entity == "leg-weakness"


def test_entity_is_what_the_curated_graph_takes(curated: Resolver) -> None:
    assert curated.entity("http://purl.obolibrary.org/obo/HP_0009053") == "leg-weakness"
    assert curated.entity("nowhere") is None


def test_names_are_compared_without_case_and_extra_whitespace() -> None:
    assert name_key("  Leg \n\t WEAKNESS ") == name_key("leg weakness") == "leg weakness"


# --- a release with the HPO graph ----------------------------------------------------------------------------


def test_a_cited_term_still_names_the_curated_entity_with_the_term_at_hand(with_hpo: Resolver) -> None:
    result = found(with_hpo, "http://purl.obolibrary.org/obo/HP_0007340")
    assert (result.kind, result.id, result.term) == ("entity", "leg-weakness", "HP:0007340")
    term = with_hpo.in_graph(result, "hpo")
    assert term is not None and (term.kind, term.id, term.entity) == (
        "hpo_term",
        "HP:0007340",
        "leg-weakness",
    )


@pytest.mark.parametrize("reference", ["HP:0009053", "hp_0009053", "Distal lower limb muscle weakness"])
def test_an_uncited_term_names_itself_and_stands_for_its_ancestor_s_entity(
    with_hpo: Resolver, reference: str
) -> None:
    result = found(with_hpo, reference)
    assert (result.kind, result.id, result.term) == ("hpo_term", "HP:0009053", "HP:0009053")
    assert result.entity == "leg-weakness" and result.via == "HP:0007340"
    curated_reading = with_hpo.in_graph(result, "curated")
    assert curated_reading is not None and (curated_reading.kind, curated_reading.id) == (
        "entity",
        "leg-weakness",
    )


def test_a_term_without_a_cited_ancestor_has_no_curated_reading(with_hpo: Resolver) -> None:
    result = found(with_hpo, "seizure")
    assert (result.kind, result.id, result.matched, result.entity) == (
        "hpo_term",
        "HP:0001250",
        "label",
        None,
    )
    assert with_hpo.in_graph(result, "curated") is None


@pytest.mark.parametrize(
    ("reference", "disease", "matched"),
    [
        ("OMIM:620106", "OMIM:620106", "curie"),
        ("omim:620106", "OMIM:620106", "curie"),
        ("ORPHA_1401", "ORPHA:1401", "curie"),
        ("https://w3id.org/clinkg/id/ORPHA:1401", "ORPHA:1401", "iri"),
        ("clinkg:OMIM:620106", "OMIM:620106", "curie"),
        ("chand  syndrome", "ORPHA:1401", "label"),
    ],
)
def test_diseases_of_the_hpo_graph(with_hpo: Resolver, reference: str, disease: str, matched: str) -> None:
    result = found(with_hpo, reference)
    assert (result.kind, result.id, result.matched, result.entity) == ("hpo_disease", disease, matched, None)
    assert with_hpo.in_graph(result, "hpo") == result and with_hpo.in_graph(result, "curated") is None


def test_a_curated_entity_has_no_hpo_reading_of_its_own(with_hpo: Resolver) -> None:
    assert with_hpo.in_graph(found(with_hpo, "leg-weakness"), "hpo") is None


# --- the differential's resolution goes through it ------------------------------------------------------------


def test_the_differential_takes_every_form(index: GraphIndex) -> None:
    r = Ranking(index)
    plain = resolve(Question(present=("leg-weakness", "guillain-barre-syndrome")), r)
    spelled = resolve(
        Question(present=("HP_0007340", "https://w3id.org/clinkg/id/guillain-barre-syndrome")), r
    )
    coded = resolve(Question(present=("weak legs", "g61.0")), r)
    assert plain == spelled == coded


def test_the_differential_names_the_unknown_references(index: GraphIndex) -> None:
    with pytest.raises(UnresolvedError, match="unknown ids in 'present': nowhere, HP:9999999") as caught:
        resolve(Question(present=("HP_0007340", "nowhere", "HP:9999999")), Ranking(index))
    assert caught.value.unknown == ("nowhere", "HP:9999999")


def test_scope_hpo_takes_terms_however_named(index: GraphIndex, hpo: HpoIndex) -> None:
    r = Ranking(index, hpo)
    query = resolve(Question(present=("Distal lower limb muscle weakness", "hp_0001250"), scope="hpo"), r)
    assert query.hpo_present == ("HP:0001250", "HP:0009053")
    assert query.curated.present == ("leg-weakness",)  # the uncited term, through its cited ancestor


def test_a_disease_is_not_something_a_patient_presents_with(index: GraphIndex, hpo: HpoIndex) -> None:
    r = Ranking(index, hpo)
    with pytest.raises(UnresolvedError, match="not diseases: OMIM:620106"):
        resolve(Question(present=("HP:0007340", "OMIM:620106"), scope="hpo"), r)
    with pytest.raises(UnresolvedError, match=r"findings and history items only, not: ORPHA:1401 \(an HPO"):
        resolve(Question(present=("leg-weakness", "ORPHA:1401")), r)
