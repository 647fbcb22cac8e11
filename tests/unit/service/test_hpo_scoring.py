"""HPO scoring on a hand-made index: information content, the routes of a present term with the
frequencies phenotype.hpoa states, the cost of an unexplained term, NOT annotations, excluded terms in
proportion to how often the disease has them, and the size division, each as service/ranking/hpo_rank.py
documents it; the explanation of every disease adds up to its score."""

from __future__ import annotations

import math

import pytest

from clinkg.service.ranking.hpo_rank import Annotation, HpoIndex
from clinkg.service.ranking.weights import HpoWeights

# root > general > specific, general > sibling, root > other.
LABELS = {"HP:1": "root", "HP:2": "general", "HP:3": "specific", "HP:4": "other", "HP:5": "sibling"}
PARENTS = {"HP:2": ("HP:1",), "HP:3": ("HP:2",), "HP:4": ("HP:1",), "HP:5": ("HP:2",)}
DISEASES = {"D:a": "A", "D:b": "B", "D:c": "C"}
# Weights of this test, round numbers that make each route visible (the served ones are in the yaml).
W = HpoWeights(
    ancestor_discount=0.5,
    unexplained=1.0,
    not_annotated=1.0,
    absent_annotated=1.0,
    unknown_frequency=1.0,
    frequency_floor=0.01,
    size_exponent=0.5,
    candidates=20,
)


def row(disease: str, term: str, frequency: float | None, negated: bool = False, line: int = 1) -> Annotation:
    return Annotation(disease, term, negated, "hpoa", line, "statement", "PCS", ("PMID:1",), frequency, None)


@pytest.fixture(scope="module")
def hpo() -> HpoIndex:
    rows = [
        row("D:a", "HP:3", 0.9, line=1),  # a has the specific term, in 90%
        row("D:b", "HP:2", None, line=2),  # b has the general one, frequency not stated
        row("D:b", "HP:4", 1.0, line=3),  # b always has "other"
        row("D:c", "HP:4", 0.1, line=4),  # c rarely has it
        row("D:c", "HP:2", None, negated=True, line=5),  # c is recorded as NOT having the general term
    ]
    return HpoIndex(LABELS, PARENTS, DISEASES, rows)


def scores(hpo: HpoIndex, present: list[str], absent: list[str] = ()) -> dict[str, float]:  # type: ignore[assignment]
    return dict(zip(hpo.disease_ids, hpo.scores(present, absent, W)[0], strict=True))


def test_information_content_is_computed_from_the_annotations(hpo: HpoIndex) -> None:
    # Three diseases have positive annotations; HP:2 is at or above those of a and b.
    assert hpo.ic["HP:2"] == pytest.approx(math.log(3 / 2))
    assert hpo.ic["HP:3"] == pytest.approx(math.log(3))
    assert hpo.ic["HP:1"] == pytest.approx(0.0)


def test_each_route_weighs_the_information_content_and_the_stated_frequency(hpo: HpoIndex) -> None:
    exact = hpo.explain("D:a", 0.0, ["HP:3"], [], W).matched[0]
    assert (exact.route, exact.weight) == ("exact", pytest.approx(hpo.ic["HP:3"] + math.log(0.9)))
    general = hpo.explain("D:a", 0.0, ["HP:2"], [], W).matched[0]
    assert (general.route, general.annotated) == ("more_specific", "HP:3")
    assert general.weight == pytest.approx(hpo.ic["HP:2"] + math.log(0.9))
    # b has only the ancestor of the reported term; its frequency is not stated (taken as 1.0 here).
    specific = hpo.explain("D:b", 0.0, ["HP:3"], [], W).matched[0]
    assert (specific.route, specific.annotated, specific.via) == ("more_general", "HP:2", "HP:2")
    assert specific.weight == pytest.approx((0.5 * hpo.ic["HP:2"] - 1.0) / math.sqrt(2))
    # a has a sibling form of the reported term, through their shared parent.
    sibling = hpo.explain("D:a", 0.0, ["HP:5"], [], W).matched[0]
    assert (sibling.route, sibling.annotated, sibling.via) == ("related", "HP:3", "HP:2")
    assert sibling.weight == pytest.approx(0.5 * hpo.ic["HP:2"] + math.log(0.9) - 1.0)


def test_a_rare_feature_is_weaker_evidence_than_a_frequent_one_never_worse_than_none(hpo: HpoIndex) -> None:
    found = scores(hpo, ["HP:4"])
    assert found["D:b"] * math.sqrt(2) == pytest.approx(hpo.ic["HP:4"])  # always: ln 1 = 0
    assert hpo.ic["HP:4"] + math.log(0.1) < -1.0  # below the cost of leaving the term unexplained
    assert found["D:c"] == pytest.approx(-1.0)
    assert hpo.explain("D:c", found["D:c"], ["HP:4"], [], W).against[0][2] == pytest.approx(-1.0)


def test_an_unexplained_term_costs_and_a_not_annotation_counts_against(hpo: HpoIndex) -> None:
    found = scores(hpo, ["HP:3"])
    # c has nothing below HP:2 and is annotated NOT HP:2, an ancestor of the reported term.
    assert found["D:c"] == pytest.approx(-1.0 - hpo.ic["HP:3"])
    against = {
        reason.split(" ")[0]: weight for _, reason, weight in hpo.explain("D:c", 0.0, ["HP:3"], [], W).against
    }
    assert against == {"no": pytest.approx(-1.0), "annotated": pytest.approx(-hpo.ic["HP:3"])}


def test_an_excluded_term_counts_in_proportion_to_its_frequency(hpo: HpoIndex) -> None:
    without, excluded = scores(hpo, ["HP:2"]), scores(hpo, ["HP:2"], ["HP:4"])
    # b always has HP:4: excluding it costs the floor; c has it in 10%: little; a lacks it: nothing.
    assert (excluded["D:b"] - without["D:b"]) * math.sqrt(2) == pytest.approx(math.log(0.01))
    assert excluded["D:c"] - without["D:c"] == pytest.approx(math.log(0.9))
    assert excluded["D:a"] == without["D:a"]


@pytest.mark.parametrize(
    ("present", "absent"), [(["HP:3"], []), (["HP:5", "HP:4"], ["HP:3"]), (["HP:2", "HP:3"], ["HP:4"])]
)
def test_the_explanation_adds_up_to_the_score(hpo: HpoIndex, present: list[str], absent: list[str]) -> None:
    for disease, score in scores(hpo, present, absent).items():
        why = hpo.explain(disease, score, present, absent, W)
        assert sum(m.weight for m in why.matched) + sum(a[2] for a in why.against) == pytest.approx(score)


def test_candidates_are_the_diseases_a_present_term_reaches_best_first_ties_by_id(hpo: HpoIndex) -> None:
    assert [s.disease for s in hpo.rank(["HP:4"], [], 10, W)] == ["D:b", "D:c"]  # a lacks HP:4
    assert [s.disease for s in hpo.rank(["HP:2"], [], 10, W)] == ["D:a", "D:b"]
    tied = HpoIndex(LABELS, PARENTS, DISEASES, [row("D:b", "HP:3", 0.5), row("D:a", "HP:3", 0.5)])
    assert [s.disease for s in tied.rank(["HP:3"], [], 10, W)] == ["D:a", "D:b"]


def test_entries_of_other_sources_with_the_same_name_share_one_slot() -> None:
    diseases = {
        "OMIM:1": "Foo syndrome",
        "ORPHA:1": "FOO  Syndrome",  # the same name, but for case and spacing
        "OMIM:2": "Bar disease",
        "OMIM:3": "Bar disease",  # one source, one name, two entries: ambiguous, never grouped
        "ORPHA:2": "Bar disease",
        "ORPHA:3": "Baz",
    }
    rows = [row(d, "HP:3", 0.5, line=i) for i, d in enumerate(sorted(diseases), start=1)]
    rows.append(row("ORPHA:1", "HP:4", 0.5, line=9))  # ORPHA:1 also explains "other": it scores higher
    index = HpoIndex(LABELS, PARENTS, diseases, rows)
    assert index.same_disease == {"OMIM:1": ("ORPHA:1",), "ORPHA:1": ("OMIM:1",)}
    slots = index.rank(["HP:3", "HP:4"], [], 10, W)
    assert [s.disease for s in slots] == ["ORPHA:1", "OMIM:2", "OMIM:3", "ORPHA:2", "ORPHA:3"]
    first = slots[0]
    assert [twin for twin, _ in first.same] == ["OMIM:1"] and first.same[0][1] < first.score
    # Five slots are five diseases; a limit counts slots, not entries.
    assert len(index.rank(["HP:3", "HP:4"], [], 2, W)) == 2
    # A namespace filter keeps the twins of that source only.
    (only,) = index.rank(["HP:3", "HP:4"], [], 1, W, namespaces=["OMIM"])
    assert only.disease == "OMIM:1" and only.same == ()
