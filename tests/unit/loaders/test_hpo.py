"""The HPO importer: parsing hp.obo and phenotype.hpoa, frequencies, N-Triples, streaming and the sample SHACL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from clinkg.loaders.build import ExtraGraph, build
from clinkg.loaders.hpo.graph import hpo_statements
from clinkg.loaders.hpo.rdf import (
    SHP,
    annotation_lines,
    assertion_iri,
    hpo_ntriples,
    hpo_shapes,
    source_lines,
    term_lines,
    validate_sample,
)
from clinkg.loaders.hpo.read import (
    Annotation,
    Ontology,
    hpoa_version,
    iter_annotations,
    iter_obo_terms,
    parse_frequency,
    parse_row,
    read_ontology,
    statement,
)
from clinkg.ontology import CKG, CURATED_GRAPH, HP, HPO_GRAPH, ID, ONTOLOGY_GRAPH

HEADER = (
    "#description: test\n#version: 2099-01-01\n"
    "database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\t"
    "aspect\tbiocuration\n"
)


def row(disease: str = "OMIM:100050", term: str = "HP:0000316", **cells: str) -> str:
    values = {
        "name": 'A "quoted" \\ disease',
        "qualifier": "",
        "reference": "PMID:1;PMID:2",
        "evidence": "PCS",
        "onset": "",
        "frequency": "1/2",
        "sex": "",
        "modifier": "",
        "aspect": "P",
    } | cells
    order = ("name", "qualifier")
    rest = ("reference", "evidence", "onset", "frequency", "sex", "modifier", "aspect")
    return "\t".join(
        [disease, *(values[k] for k in order), term, *(values[k] for k in rest), "HPO:test[2020-01-01]"]
    )


@pytest.fixture(scope="module")
def hpo() -> Ontology:
    return read_ontology()


@pytest.fixture
def hpoa(tmp_path: Path) -> Path:
    path = tmp_path / "phenotype.hpoa"
    rows = [
        row("OMIM:1", "HP:0000316"),
        row("OMIM:1", "HP:0000316", reference="PMID:3"),  # the same pair again, its own provenance
        row("OMIM:1", "HP:0000006", aspect="I", frequency=""),
        row("OMIM:2", "HP:0007340", qualifier="NOT", frequency="HP:0040281", onset="HP:0003577"),
        row("OMIM:3", "HP:0001250", frequency="25%", sex="FEMALE", modifier="HP:0012828"),
        row("OMIM:3", "HP:0001251", name="Another name", frequency=""),
    ]
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- hp.obo
def test_obo_stanzas_give_current_terms_with_exact_synonyms_only() -> None:
    obo = """format-version: 1.2

[Term]
id: HP:0000002
name: Abnormality of body height
def: "Deviation \\"from\\" the norm." [ref]
synonym: "Height abnormality" EXACT layperson []
synonym: "Abnormality of body height" EXACT []
synonym: "Stature issue" RELATED []
synonym: "Old name" EXACT obsolete_synonym []
is_a: HP:0000001 ! All
is_a: HP:0001507 ! Growth abnormality

[Term]
id: HP:0000003
name: gone
is_obsolete: true

[Typedef]
id: part_of
name: part of
"""
    terms = list(iter_obo_terms(obo.splitlines(keepends=True)))
    assert [t.id for t in terms] == ["HP:0000002"]
    term = terms[0]
    assert term.definition == 'Deviation "from" the norm.'
    assert term.synonyms == ("Height abnormality",)
    assert term.parents == ("HP:0000001", "HP:0001507")


def test_the_shipped_ontology(hpo: Ontology) -> None:
    assert hpo.release.startswith("hp/releases/")
    assert hpo.label("HP:0007340") == "Lower limb muscle weakness"
    assert {"HP:0000118", "HP:0007340"} <= hpo.findings
    assert "HP:0003577" not in hpo.findings  # Congenital onset: a plain term, not a finding
    assert "HP:0003577" in hpo.terms
    assert len(hpo.terms) > 18_000


def test_frequency_terms_take_the_midpoint_of_their_own_definition(hpo: Ontology) -> None:
    assert hpo.frequencies["HP:0040281"] == pytest.approx(0.895)  # Very frequent: 80% to 99%
    assert hpo.frequencies["HP:0040283"] == pytest.approx(0.17)  # Occasional: 5% to 29%
    assert hpo.frequencies["HP:0040280"] == 1.0  # Obligate: 100%
    assert hpo.frequencies["HP:0040285"] == 0.0  # Excluded: 0%


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1/2", 0.5),
        ("3/3", 1.0),
        ("0/5", 0.0),
        ("2/0", None),
        ("5/3", None),
        ("25%", 0.25),
        ("12.5%", 0.125),
        ("150%", None),
        ("HP:0040281", 0.895),
        ("HP:0000316", None),
        ("often", None),
    ],
)
def test_frequencies_parse(raw: str, value: float | None, hpo: Ontology) -> None:
    parsed = parse_frequency(raw, hpo.frequencies)
    assert parsed == (None if value is None else pytest.approx(value))


# ---------------------------------------------------------------- phenotype.hpoa
def test_a_row_parses_with_its_line_number() -> None:
    parsed = parse_row(row(qualifier="NOT", onset="HP:0003577", modifier="HP:0012828;HP:0012825"), 42)
    assert parsed.line == 42
    assert parsed.negated
    assert parsed.references == ("PMID:1", "PMID:2")
    assert parsed.onset == "HP:0003577"
    assert parsed.modifiers == ("HP:0012828", "HP:0012825")
    assert parsed.sex is None


@pytest.mark.parametrize(
    "line", [row() + "\textra", row(qualifier="MAYBE"), row(term="HP:123"), row(disease="nope")]
)
def test_a_malformed_row_names_its_line(line: str) -> None:
    with pytest.raises(ValueError, match="line 7"):
        parse_row(line, 7)


def test_rows_stream_with_limit_and_chosen_diseases(hpoa: Path) -> None:
    rows = iter_annotations(hpoa, limit=2)
    assert isinstance(rows, Iterator)  # a generator: the file is read as rows are taken
    assert [r.line for r in rows] == [4, 5]
    chosen = list(iter_annotations(hpoa, limit=1, diseases={"OMIM:3"}))
    assert [(r.line, r.disease) for r in chosen] == [(4, "OMIM:1"), (8, "OMIM:3"), (9, "OMIM:3")]
    assert hpoa_version(hpoa) == "2099-01-01"


def test_statements_are_generated_sentences(hpoa: Path, hpo: Ontology) -> None:
    rows = {r.line: r for r in iter_annotations(hpoa)}
    assert statement(rows[4], hpo) == (
        'OMIM:1 A "quoted" \\ disease presents with Hypertelorism (HP:0000316), frequency 1/2; '
        "reference PMID:1, PMID:2, evidence PCS."
    )
    negated = statement(rows[7], hpo)
    assert "does not present with Lower limb muscle weakness (HP:0007340)" in negated
    assert "frequency Very frequent (HP:0040281)" in negated
    assert "onset Congenital onset (HP:0003577)" in negated


# ---------------------------------------------------------------- N-Triples
def test_the_emitter_is_a_generator_that_never_needs_all_rows(hpo: Ontology) -> None:
    pulled = itertools.count()

    def endless() -> Iterator[Annotation]:
        template = parse_row(row(), 1)
        for n in itertools.count(1):
            next(pulled)
            yield replace(template, line=n, disease=f"OMIM:{n}")

    before_rows = sum(len(term_lines(t, hpo)) for t in hpo.terms.values()) + len(source_lines("v"))
    lines = list(itertools.islice(hpo_ntriples(hpo, endless(), "v"), before_rows + 200))
    assert any(str(CKG.presentsWith) in line for line in lines[before_rows:])
    assert next(pulled) < 50  # an endless input still yields: rows are taken one at a time


def _graph(hpoa: Path, hpo: Ontology) -> Graph:
    text = "".join(hpo_ntriples(hpo, iter_annotations(hpoa), "2099-01-01"))
    return Graph().parse(data=text, format="nt")


def test_rows_become_edges_and_assertions(hpoa: Path, hpo: Ontology) -> None:
    g = _graph(hpoa, hpo)
    d1, d2, d3 = (ID[f"OMIM:{n}"] for n in (1, 2, 3))
    assert (d1, CKG.presentsWith, HP["0000316"]) in g
    assert (d2, CKG.notPresentsWith, HP["0007340"]) in g
    assert (d2, CKG.presentsWith, HP["0007340"]) not in g
    assert set(g.objects(d1, RDF.type)) == {CKG.Cause, CKG.Condition}
    assert g.value(d1, RDFS.label) == Literal('A "quoted" \\ disease')
    assert g.value(d3, SKOS.altLabel) == Literal("Another name")  # a second name in the file
    assert len(list(g.subjects(RDF.type, CKG.Assertion))) == 5  # the inheritance row is skipped
    first, again = URIRef(assertion_iri("2099-01-01", 4)), URIRef(assertion_iri("2099-01-01", 5))
    assert g.value(first, RDF.object) == g.value(again, RDF.object) == HP["0000316"]
    assert g.value(first, CKG.paragraph) == Literal(4, datatype=XSD.integer)
    assert g.value(first, CKG.section) == Literal("phenotype.hpoa")
    assert g.value(first, CKG.source) == ID["source/phenotype-hpoa-2099-01-01"]
    assert set(g.objects(first, CKG.reference)) == {Literal("PMID:1"), Literal("PMID:2")}
    assert g.value(first, CKG.frequencyValue) == Literal("0.5", datatype=XSD.decimal)
    negated = URIRef(assertion_iri("2099-01-01", 7))
    assert g.value(negated, RDF.predicate) == CKG.notPresentsWith
    assert g.value(negated, CKG.frequency) == Literal("HP:0040281")
    assert g.value(negated, CKG.frequencyValue) == Literal("0.895", datatype=XSD.decimal)
    assert g.value(negated, CKG.onsetTerm) == HP["0003577"]
    third = URIRef(assertion_iri("2099-01-01", 8))
    assert g.value(third, CKG.sex) == Literal("FEMALE")
    assert g.value(third, CKG.modifierTerm) == HP["0012828"]


def test_terms_are_findings_or_plain_terms_with_their_hierarchy(hpoa: Path, hpo: Ontology) -> None:
    g = _graph(hpoa, hpo)
    assert (HP["0007340"], RDF.type, CKG.Finding) in g
    assert (HP["0007340"], CKG.isA, HP["0003690"]) in g
    assert g.value(HP["0007340"], RDFS.label) == Literal("Lower limb muscle weakness")
    assert Literal("Leg weakness") in set(g.objects(HP["0007340"], SKOS.altLabel))
    assert (HP["0003577"], RDF.type, CKG.Finding) not in g  # an onset term
    assert g.value(HP["0003577"], RDFS.label) == Literal("Congenital onset")


# ---------------------------------------------------------------- SHACL on the sample
def test_curated_rules_do_not_target_the_hpo_sample() -> None:
    shapes = hpo_shapes()
    assert not list(shapes.objects(SHP.EntityShape, SH.targetClass))
    assert not list(shapes.objects(SHP.GraphChecks, SH.targetNode))
    assert list(shapes.objects(SHP.AssertionShape, SH.targetClass)) == [CKG.Assertion]
    assert list(shapes.objects(SHP.HpoAnnotationShape, SH.target))


@pytest.fixture(scope="module")
def sample(hpo: Ontology) -> list[str]:
    collected: list[str] = []
    rows = iter_annotations(limit=150, diseases={"ORPHA:79406"})
    for _ in hpo_ntriples(hpo, rows, hpoa_version(), sample=collected):
        pass
    return collected


def test_the_sample_conforms(sample: list[str]) -> None:
    assert any("notPresentsWith" in line for line in sample)
    assert validate_sample(sample) == []


def test_a_broken_sample_is_reported(sample: list[str], hpo: Ontology) -> None:
    assertion = next(line.split(" ", 1)[0] for line in sample if str(CKG.evidence) in line)
    broken = [line for line in sample if not (line.startswith(assertion) and str(CKG.evidence) in line)]
    edge = next(
        line
        for line in sample
        if f"> <{CKG.presentsWith}> " in line and not line.startswith("<https://w3id.org/clinkg/id/hpoa/")
    )
    broken.remove(edge)
    messages = [v.message for v in validate_sample(broken)]
    assert any("exactly one evidence code" in m for m in messages), messages
    assert any("the HPO edge this assertion describes is missing" in m for m in messages), messages


def test_annotation_lines_are_valid_ntriples(hpo: Ontology) -> None:
    annotation = parse_row(row(name='Line\nbreak "and" \\ slash'), 9)
    text = "".join(annotation_lines(annotation, hpo, "v"))
    assert len(list(ox.parse(text, ox.RdfFormat.N_TRIPLES))) == len(text.splitlines())


# ---------------------------------------------------------------- release and property graph
def test_an_extra_graph_is_bulk_loaded_beside_the_curated_one(minimal_dir: Path, tmp_path: Path) -> None:
    def write(path: Path) -> dict[str, object]:
        path.write_text(f'<{HP["0007340"]}> <{RDFS.label}> "x" .\n', encoding="utf-8")
        return {"terms": 1}

    phases: list[str] = []
    result = build(tmp_path / "out", minimal_dir, [ExtraGraph("hpo", HPO_GRAPH, write)], phases.append)
    assert phases == ["validate", "artifacts", "hpo", "store", "switch"]
    assert result.manifest["hpo"] == {"terms": 1, "graph": str(HPO_GRAPH), "triples": 1}
    assert result.manifest["triples_total"] == result.manifest["triples"] + 1
    store = ox.Store.read_only(str(result.release / "store"))
    graphs = {str(g.value) for g in store.named_graphs()}
    assert graphs == {str(CURATED_GRAPH), str(ONTOLOGY_GRAPH), str(HPO_GRAPH)}
    assert (result.release / "hpo.nt").is_file()


def test_property_graph_statements_stream_with_mapped_types() -> None:
    planned = hpo_statements(limit=40, diseases={"ORPHA:79406"})
    assert isinstance(planned, Iterator)
    texts = [text for text, _ in planned]
    assert any(":Entity:Finding" in t for t in texts)
    assert any("[r:IS_A]" in t for t in texts)
    assert any("[r:NOT_PRESENTS_WITH {" in t for t in texts)
    assert any("[r:PRESENTS_WITH {" in t for t in texts)
    assert "Release {graph: 'hpo'}" in texts[-1]
