"""The curated leg-weakness content: coverage of the source's concepts, codes, chains, own words."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph
from rdflib.namespace import RDFS

from clinkg.loaders.codes import check_code, code_names
from clinkg.loaders.content import Content
from clinkg.loaders.models import Coded
from clinkg.loaders.rdf import entity_iri, full_graph

from ...conftest import REPO, SEEDS
from ...tools import seed_ngrams

CAUSES = {
    "overexertion", "delayed-onset-muscle-soreness", "dehydration", "electrolyte-imbalance", "sodium-imbalance",
    "potassium-imbalance", "diuretics", "increased-urination", "sciatica", "herniated-disc", "spinal-stenosis",
    "piriformis-syndrome", "peripheral-neuropathy", "uncontrolled-diabetes", "stroke", "multiple-sclerosis",
    "guillain-barre-syndrome", "viral-infection", "sarcopenia", "physical-inactivity", "hormone-changes",
    "chronic-inflammation", "thyroid-dysfunction", "hyperthyroidism", "hypothyroidism", "thyroid-myopathy",
    "peripheral-artery-disease", "rheumatoid-arthritis", "cauda-equina-syndrome",
}  # fmt: skip
FINDINGS = {
    "leg-weakness", "generalized-weakness", "one-sided-weakness", "exercise-muscle-soreness", "fatigue",
    "lightheadedness", "muscle-cramps", "leg-pain", "numbness", "tingling", "paralysis", "breathing-difficulty",
    "decreased-muscle-mass", "muscle-wasting", "claudication", "difficulty-walking", "stumbling",
    "saddle-anesthesia", "urinary-retention", "urinary-incontinence", "bowel-incontinence", "severe-back-pain",
    "older-age",
}  # fmt: skip
TESTS = {
    "medical-history", "reflex-examination", "sensory-examination", "strength-testing", "electrolyte-panel",
    "thyroid-function-tests", "inflammation-markers", "mri", "ct-scan", "emg", "nerve-conduction-study",
}  # fmt: skip
RED_FLAGS = {
    "rf-sudden-leg-weakness", "rf-rapidly-progressing-weakness", "rf-saddle-anesthesia-with-leg-weakness",
    "rf-cauda-equina-syndrome", "rf-gbs-breathing",
}  # fmt: skip
CATEGORIES = {
    "nerve", "muscle", "circulation", "cns", "fluid-electrolyte", "endocrine-metabolic", "immune-inflammatory",
    "nerve-root-compression",
}  # fmt: skip


@pytest.fixture(scope="module")
def graph(curated: Content) -> Graph:
    return full_graph(curated)


def ask(graph: Graph, query: str) -> bool:
    result = graph.query(
        "PREFIX ckg: <https://w3id.org/clinkg/ontology#>\nPREFIX clinkg: <https://w3id.org/clinkg/id/>\n"
        + query
    )
    return bool(result.askAnswer)


def test_every_concept_of_the_source_is_covered(curated: Content) -> None:
    assert {c.id for c in curated.causes} >= CAUSES
    assert {f.id for f in curated.findings} >= FINDINGS
    assert {t.id for t in curated.tests} >= TESTS
    assert {r.id for r in curated.red_flags} >= RED_FLAGS
    assert {m.category for m in curated.mechanisms} == CATEGORIES


def test_cause_kinds(curated: Content) -> None:
    kinds = {c.id: c.kind for c in curated.causes}
    assert kinds["diuretics"] == "medication"
    assert {kinds["overexertion"], kinds["physical-inactivity"]} == {"exposure"}
    assert kinds["dehydration"] == "condition"


def coded(curated: Content) -> list[Coded]:
    return [e for _, e in curated.entities() if isinstance(e, Coded)]


def test_every_code_verifies_and_there_are_at_least_25(curated: Content) -> None:
    codes = [code for e in coded(curated) for _, code in e.codes()]
    assert len(codes) >= 25
    assert [c for c in codes if check_code(c) is not None] == []
    assert any(c.startswith("HP:") for c in codes) and any(c.startswith("ICD10CM:") for c in codes)


def test_key_codes(curated: Content) -> None:
    xrefs = {e.id: set(e.exact_match) for e in coded(curated)}
    assert "HP:0007340" in xrefs["leg-weakness"]
    assert "ICD10CM:G61.0" in xrefs["guillain-barre-syndrome"]
    assert "ICD10CM:G83.4" in xrefs["cauda-equina-syndrome"]
    assert "HP:0004417" in xrefs["claudication"]


def normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def test_every_exact_match_is_named_like_the_concept(curated: Content) -> None:
    # exactMatch claims the code's official description is the concept: the terminology's own name (or,
    # for HPO, one of its EXACT synonyms) must be the label or a synonym. Anything looser is a close,
    # broad or narrow match.
    mismatched = {}
    for entity in coded(curated):
        ours = {normal(name) for name in (entity.label, *entity.synonyms)}
        for code in entity.exact_match:
            theirs = {normal(name) for name in code_names(code)}
            if not ours & theirs:
                mismatched[f"{entity.id} {code}"] = sorted(theirs)
    assert mismatched == {}


@pytest.mark.parametrize(
    ("entity", "code", "relation"),
    [
        ("electrolyte-imbalance", "ICD10CM:E87.8", "close_match"),  # a catch-all
        ("viral-infection", "ICD10CM:B34.9", "close_match"),  # a current infection, not a past one
        ("sciatica", "ICD10CM:M54.3", "narrow_match"),  # excludes disc-related sciatica
        ("sodium-imbalance", "HP:0002902", "narrow_match"),  # hyponatremia: a direction the source lacks
        ("potassium-imbalance", "HP:0002900", "narrow_match"),
    ],
)
def test_codes_that_are_not_the_concept_say_so(
    curated: Content, entity: str, code: str, relation: str
) -> None:
    found = {e.id: e for e in coded(curated)}[entity]
    assert (relation, code) in found.codes()


def test_no_label_synonym_or_exact_code_claims_a_direction_the_source_does_not_give(curated: Content) -> None:
    for entity in coded(curated):
        if entity.id in ("sodium-imbalance", "potassium-imbalance"):
            words = " ".join((entity.label, *entity.synonyms)).casefold()
            assert not re.search(r"\b(low|high|hypo|hyper)", words), entity.id
            assert not {"HP:0002902", "HP:0002900", "ICD10CM:E87.1", "ICD10CM:E87.6"} & set(
                entity.exact_match
            )


def test_synonyms_do_not_change_meaning(curated: Content) -> None:
    synonyms = {e.id: {s.casefold() for s in e.synonyms} for _, e in curated.entities()}
    assert "feeling dizzy" not in synonyms["lightheadedness"]
    assert "high blood sugar" not in synonyms["uncontrolled-diabetes"]


def test_plain_words_are_synonyms(curated: Content) -> None:
    synonyms = {f.id: " | ".join(f.synonyms).lower() for f in curated.findings}
    assert "groin" in synonyms["saddle-anesthesia"]
    assert "walking" in synonyms["claudication"] and "rest" in synonyms["claudication"]


def test_every_edge_has_complete_provenance(curated: Content) -> None:
    sections = {s.heading: s.paragraphs for s in curated.sources[0].sections}
    for edge in curated.edges():
        loc = edge.locator
        assert loc.source == "leg-weakness-article"
        assert 1 <= loc.paragraph <= sections[loc.section]
        assert loc.statement.strip()


def test_red_flags_have_urgency_action_and_criteria(curated: Content) -> None:
    flags = {r.id: r for r in curated.red_flags}
    for flag in flags.values():
        assert flag.urgency == "emergency"
        assert flag.criteria.all_of or flag.criteria.any_of
    cauda = flags["rf-cauda-equina-syndrome"]
    assert set(cauda.criteria.all_of) == {"leg-weakness", "saddle-anesthesia"}
    assert {"urinary-retention", "bowel-incontinence", "severe-back-pain"} <= set(cauda.criteria.any_of)
    assert "surgical decompression" in cauda.action
    assert flags["rf-sudden-leg-weakness"].when.onset == ["sudden"]
    assert flags["rf-rapidly-progressing-weakness"].when.onset == ["rapid"]
    assert "breathing-difficulty" in flags["rf-gbs-breathing"].criteria.all_of


@pytest.mark.parametrize(
    "path",
    [
        "clinkg:diuretics ckg:causes clinkg:increased-urination . clinkg:increased-urination ckg:causes clinkg:dehydration",
        "clinkg:dehydration (ckg:presentsWith|ckg:actsThrough/ckg:manifestsAs) clinkg:leg-weakness",
        "clinkg:uncontrolled-diabetes ckg:causes clinkg:peripheral-neuropathy",
        "clinkg:herniated-disc ckg:causes clinkg:sciatica . clinkg:spinal-stenosis ckg:causes clinkg:sciatica",
        "clinkg:herniated-disc ckg:actsThrough clinkg:sciatic-nerve-compression",
        "clinkg:piriformis-syndrome ckg:actsThrough clinkg:sciatic-nerve-compression",
        "clinkg:sciatic-nerve-compression ckg:manifestsAs clinkg:leg-weakness",
        "clinkg:viral-infection ckg:causes clinkg:guillain-barre-syndrome",
        "clinkg:hyperthyroidism ckg:causes clinkg:thyroid-myopathy . clinkg:hypothyroidism ckg:causes clinkg:thyroid-myopathy",
        "clinkg:thyroid-dysfunction ckg:causes clinkg:thyroid-myopathy",
        "clinkg:physical-inactivity ckg:causes clinkg:sarcopenia . clinkg:older-age ckg:riskFactorFor clinkg:sarcopenia",
        "clinkg:overexertion ckg:causes clinkg:delayed-onset-muscle-soreness",
        "clinkg:emg ckg:assesses clinkg:muscle-fibre-disorder . clinkg:emg ckg:assesses clinkg:peripheral-nerve-damage",
        "clinkg:mri ckg:assesses clinkg:interrupted-brain-blood-flow . clinkg:mri ckg:assesses clinkg:sciatic-nerve-compression",
        "clinkg:peripheral-artery-disease ckg:actsThrough/ckg:manifestsAs clinkg:claudication",
    ],
)
def test_causal_chains_and_links(graph: Graph, path: str) -> None:
    assert ask(graph, f"ASK {{ {path} }}"), path


@pytest.mark.parametrize(
    ("subject", "obj", "qualifier", "value"),
    [
        ("stroke", "leg-weakness", "onset", "sudden"),
        ("stroke", "leg-weakness", "laterality", "one-side-of-body"),
        ("guillain-barre-syndrome", "leg-weakness", "laterality", "symmetric-ascending"),
        ("guillain-barre-syndrome", "leg-weakness", "onset", "rapid"),
        ("sciatica", "leg-weakness", "laterality", "one-leg"),
        (
            "delayed-onset-muscle-soreness",
            "exercise-muscle-soreness",
            "timing",
            "peaks one to three days after the activity",
        ),
        ("peripheral-artery-disease", "claudication", "context", "during physical activity"),
    ],
)
def test_qualifiers_from_the_source(
    curated: Content, subject: str, obj: str, qualifier: str, value: str
) -> None:
    found = [
        e for e in curated.edges() if (e.subject, e.predicate, e.object) == (subject, "presents_with", obj)
    ]
    assert found and found[0].qualifiers.get(qualifier) == value


def test_age_group_qualifier_is_used(curated: Content) -> None:
    assert any(e.qualifiers.get("age_group") == "older-adults" for e in curated.edges())


def test_every_concept_has_a_label(graph: Graph, curated: Content) -> None:
    for _, entity in curated.entities():
        assert graph.value(entity_iri(entity.id), RDFS.label) is not None, entity.id


FINGERPRINTS = REPO / "tests" / "fixtures" / "seed_ngrams.txt"


def seed_fingerprints() -> tuple[set[str], set[str]]:
    """(fingerprints of the sources' nine-word runs, the numbers they give), from the repo's fixture."""
    lines = FINGERPRINTS.read_text(encoding="utf-8").splitlines()
    numbers = next(line for line in lines if line.startswith("numbers:")).removeprefix("numbers:").split()
    prints = {line for line in lines if line and not line.startswith(("#", "numbers:"))}
    return prints, set(numbers)


def test_the_fingerprints_in_the_repo_are_those_of_the_sources() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found at {SEEDS}: the repo's fingerprints are used as they are")
    assert FINGERPRINTS.read_text(encoding="utf-8") == seed_ngrams.render(SEEDS), (
        "a source changed: run tests/tools/seed_ngrams.py"
    )


def test_no_statement_repeats_nine_words_of_the_source() -> None:
    prints, _ = seed_fingerprints()
    assert len(prints) > 100, "no source text was fingerprinted"
    copied = {
        path.name: sorted(
            gram
            for gram in seed_ngrams.grams(seed_ngrams.words(path.read_text(encoding="utf-8")))
            if seed_ngrams.fingerprint(gram) in prints
        )
        for path in sorted((REPO / "content").glob("*.yaml"))
    }
    assert {name: runs for name, runs in copied.items() if runs} == {}


def test_no_number_the_source_does_not_give(curated: Content) -> None:
    _, numbers = seed_fingerprints()
    allowed = numbers | {"one", "two", "three"}
    content_text = " ".join(
        (REPO / "content" / n).read_text(encoding="utf-8")
        for n in (
            "causes.yaml",
            "findings.yaml",
            "mechanisms.yaml",
            "red_flags.yaml",
            "tests.yaml",
            "relations.yaml",
            "triage.yaml",
        )
    )
    # Digits inside codes (HP:0007340, ICD10CM:G61.0) and paragraph numbers are not clinical numbers.
    prose = re.sub(r"(HP:\d+|ICD10CM:[A-Z0-9.]+|paragraph: \d+)", "", content_text)
    assert set(re.findall(r"\d+", prose)) <= allowed
