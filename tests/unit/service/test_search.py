"""Search over a small hand-built graph index: each tolerance, CURIEs, the type filter, limit, ranking."""

from __future__ import annotations

import pytest

from clinkg.service.ranking.graph_index import Entity, GraphIndex
from clinkg.service.ranking.search import SearchIndex, singular, tokens, within


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    entities = [
        Entity(
            "leg-weakness",
            "finding",
            "Leg weakness",
            synonyms=["weak legs"],
            mappings=[("exact", "HP:0007340")],
        ),
        Entity("muscle-cramps", "finding", "Muscle cramps and spasms", synonyms=["leg cramps"]),
        Entity("claudication", "finding", "Claudication", synonyms=["leg pain when walking"]),
        Entity("saddle-anesthesia", "finding", "Saddle anesthesia", synonyms=["numbness in the groin"]),
        Entity("numbness", "finding", "Numbness", synonyms=["numb feet"]),
        Entity("lightheadedness", "finding", "Lightheadedness", synonyms=["light-headed"]),
        Entity("gbs", "cause", "Guillain-Barré syndrome", mappings=[("exact", "ICD10CM:G61.0")]),
        Entity("weakness-test", "test", "Muscle strength testing", synonyms=["leg weakness test"]),
        Entity("mri", "test", "Magnetic resonance imaging", synonyms=["MRI scan"]),
    ]
    return SearchIndex.from_graph(GraphIndex({e.id: e for e in entities}, []))


def ids(index: SearchIndex, q: str) -> list[str]:
    return [hit.id for hit in index.search(q)]


def test_case_is_ignored(index: SearchIndex) -> None:
    assert ids(index, "LEG WEAKNESS")[0] == "clinkg:leg-weakness"


def test_accents_are_ignored(index: SearchIndex) -> None:
    assert ids(index, "guillain barre syndrome")[0] == "clinkg:gbs"
    assert tokens("Guillain-Barré") == tokens("guillain barre")


def test_hyphens_and_punctuation_are_ignored(index: SearchIndex) -> None:
    assert ids(index, "light headed")[0] == "clinkg:lightheadedness"
    assert ids(index, "lightheaded")[0] == "clinkg:lightheadedness"
    assert ids(index, "saddle-anesthesia!")[0] == "clinkg:saddle-anesthesia"


def test_plurals_are_singularised(index: SearchIndex) -> None:
    assert singular("cramps") == "cramp" and singular("legs") == "leg" and singular("numbness") == "numbness"
    top = index.search("muscle cramp")[0]
    assert top.id == "clinkg:muscle-cramps"
    assert index.search("weak leg")[0].score == 95.0


def test_small_typos_are_tolerated(index: SearchIndex) -> None:
    assert ids(index, "claudicaton")[0] == "clinkg:claudication"
    assert ids(index, "klaudicatio")[0] == "clinkg:claudication"
    assert ids(index, "numbnes")[0] in {"clinkg:numbness", "clinkg:saddle-anesthesia"}


def test_typo_distance_depends_on_word_length() -> None:
    assert within("cramp", "cramb", 1) and not within("cramp", "clamb", 1)
    assert within("claudicaton", "claudication", 2) and not within("abc", "abcdef", 2)


def test_short_words_are_not_fuzzed(index: SearchIndex) -> None:
    assert ids(index, "leq") == []


def test_cross_reference_curies_match_in_any_case(index: SearchIndex) -> None:
    for q in ("HP:0007340", "hp:0007340", "HP_0007340"):
        hit = index.search(q)[0]
        assert (hit.id, hit.matched, hit.score) == ("clinkg:leg-weakness", "HP:0007340", 100.0)
    assert ids(index, "ICD10CM:G61.0") == ["clinkg:gbs"]
    assert ids(index, "clinkg:mri")[0] == "clinkg:mri"


def test_multi_word_queries_find_the_finding(index: SearchIndex) -> None:
    assert ids(index, "numb groin")[0] == "clinkg:saddle-anesthesia"
    assert ids(index, "leg pain walking")[0] == "clinkg:claudication"
    assert ids(index, "numbness in the groin")[0] == "clinkg:saddle-anesthesia"


def test_type_filter(index: SearchIndex) -> None:
    hits = index.search("leg weakness", type="test")
    assert [hit.id for hit in hits] == ["clinkg:weakness-test"]
    assert index.search("HP:0007340", type="test") == []


def test_limit(index: SearchIndex) -> None:
    assert len(index.search("leg")) >= 3
    assert len(index.search("leg", limit=2)) == 2


def test_exact_ranks_before_phrase_subset_and_fuzzy(index: SearchIndex) -> None:
    hits = index.search("leg weakness")
    assert hits[0].id == "clinkg:leg-weakness" and hits[0].score == 100.0
    assert hits[0].score > hits[1].score
    synonym = index.search("weak legs")[0]
    assert (synonym.id, synonym.score, synonym.matched) == ("clinkg:leg-weakness", 95.0, "weak legs")
    phrase = index.search("muscle cramps")[0].score
    subset = index.search("numb groin")[0].score
    fuzzy = index.search("claudicaton")[0].score
    assert 95.0 > phrase > subset > fuzzy > 0


def test_ties_are_ordered_by_label(index: SearchIndex) -> None:
    hits = index.search("leg")
    tied = [hit.label for hit in hits if hit.score == hits[0].score]
    assert tied == sorted(tied, key=str.casefold) and len(tied) > 1


def test_blank_query_finds_nothing(index: SearchIndex) -> None:
    assert index.search("  ") == []
    assert index.search("--") == []
