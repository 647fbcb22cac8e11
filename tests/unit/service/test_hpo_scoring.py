"""HPO scoring on a hand-made index: information content, the three kinds of match, NOT annotations,
absent terms and the size division, each as service/ranking/hpo_rank.py documents it."""

from __future__ import annotations

import math

import pytest

from clinkg.service.ranking.hpo_rank import Annotation, HpoIndex
from clinkg.service.ranking.weights import weights

# A tiny hierarchy: root > general > specific, and root > other.
LABELS = {"HP:1": "root", "HP:2": "general", "HP:3": "specific", "HP:4": "other"}
PARENTS = {"HP:2": ("HP:1",), "HP:3": ("HP:2",), "HP:4": ("HP:1",)}
DISEASES = {"D:a": "A", "D:b": "B", "D:c": "C"}


def row(disease: str, term: str, negated: bool = False, line: int = 1) -> Annotation:
    return Annotation(disease, term, negated, "hpoa", line, "statement", "PCS", ("PMID:1",), None, None)


@pytest.fixture(scope="module")
def hpo() -> HpoIndex:
    rows = [
        row("D:a", "HP:3", line=1),  # a has the specific term
        row("D:b", "HP:2", line=2),  # b has the general one
        row("D:b", "HP:4", line=3),
        row("D:c", "HP:4", line=4),
        row("D:c", "HP:2", negated=True, line=5),  # c is recorded as NOT having the general term
    ]
    return HpoIndex(LABELS, PARENTS, DISEASES, rows)


def test_information_content_is_computed_from_the_annotations(hpo: HpoIndex) -> None:
    # Three diseases have positive annotations; HP:2 is at or above the annotations of a and b.
    assert hpo.ic["HP:2"] == pytest.approx(math.log(3 / 2))
    assert hpo.ic["HP:3"] == pytest.approx(math.log(3 / 1))
    assert hpo.ic["HP:1"] == pytest.approx(0.0)


def test_the_three_matches(hpo: HpoIndex) -> None:
    w = weights().hpo
    general = hpo.explain("D:a", 0.0, ["HP:2"], [], w).matched[0]
    assert (general.route, general.annotated, general.weight) == ("more_specific", "HP:3", hpo.ic["HP:2"])
    specific = hpo.explain("D:b", 0.0, ["HP:3"], [], w).matched[0]
    assert (specific.route, specific.annotated) == ("more_general", "HP:2")
    assert specific.weight == pytest.approx(w.ancestor_discount * hpo.ic["HP:2"])
    exact = hpo.explain("D:a", 0.0, ["HP:3"], [], w).matched[0]
    assert (exact.route, exact.weight) == ("exact", hpo.ic["HP:3"])


def test_not_annotations_and_absent_terms_count_against(hpo: HpoIndex) -> None:
    w = weights().hpo
    scores = dict(zip(hpo.disease_ids, hpo.scores(["HP:2"], [], w), strict=True))
    assert scores["D:c"] < 0  # NOT HP:2
    against = hpo.explain("D:c", 0.0, ["HP:2"], [], w).against
    assert against and against[0][2] == pytest.approx(-w.not_annotated * hpo.ic["HP:2"])
    with_absent = dict(zip(hpo.disease_ids, hpo.scores(["HP:4"], ["HP:2"], w), strict=True))
    without = dict(zip(hpo.disease_ids, hpo.scores(["HP:4"], [], w), strict=True))
    assert with_absent["D:b"] < without["D:b"]  # b is annotated with the absent term


def test_the_score_is_divided_by_a_power_of_the_annotation_count(hpo: HpoIndex) -> None:
    w = weights().hpo
    scores = dict(zip(hpo.disease_ids, hpo.scores(["HP:4"], [], w), strict=True))
    assert scores["D:b"] == pytest.approx(hpo.ic["HP:4"] / 2**w.size_exponent)  # b has two terms
    assert scores["D:c"] == pytest.approx(hpo.ic["HP:4"] / 1**w.size_exponent)


def test_ranking_keeps_positive_scores_best_first_and_ties_by_id(hpo: HpoIndex) -> None:
    ranked = hpo.rank(["HP:4"], [], 10, weights().hpo)
    assert [d for d, _ in ranked] == ["D:c", "D:b"]
    assert all(score > 0 for _, score in ranked)
