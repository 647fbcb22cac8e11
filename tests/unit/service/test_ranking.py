"""The ranking's rules, one at a time, on a small made-up graph (tests/fixtures/ranking) that gives each
rule one place to act, so that these tests do not move when the curated content does. The graph is loaded
into an in-memory Oxigraph store and read back through the query library, as the service reads it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from clinkg.loaders.build import fill_store
from clinkg.loaders.content import load_content
from clinkg.service.ranking.answer import Question, UnresolvedError, answer, resolve
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.differential import differential
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.model import Differential, Query
from clinkg.service.stores.oxigraph import OxigraphBackend

FIXTURE = Path(__file__).parents[2] / "fixtures" / "ranking"


@pytest.fixture(scope="module")
def r() -> Ranking:
    store = ox.Store()
    fill_store(store, load_content(FIXTURE))
    return Ranking(GraphIndex.load(OxigraphBackend(store)))


def ask(r: Ranking, *present: str, **fields: object) -> Differential:
    return differential(r, Query(present=present, **fields))  # type: ignore[arg-type]


def scores(result: Differential) -> dict[str, float]:
    return {c.entity.id: round(c.support.score, 4) for c in result.candidates}


# --- paths and weights ------------------------------------------------------------------------------------


def test_a_direct_link_beats_a_mechanism_and_each_finding_counts_once(r: Ranking) -> None:
    # ordinary presents with weakness (1.0) and acts through a mechanism that shows as weakness (0.8).
    assert scores(ask(r, "weakness"))["ordinary"] == r.weights.path.direct


def test_a_subtype_inherits_its_parent_s_paths_discounted(r: Ranking) -> None:
    found = ask(r, "weakness")
    assert scores(found)["ordinary-form"] == round(r.weights.path.direct * r.weights.path.subtype, 4)


def test_a_form_reaches_the_causes_of_its_general_finding_discounted(r: Ranking) -> None:
    found = scores(ask(r, "collapse"))
    assert found["alarm"] == r.weights.path.direct  # its own link wins over the one through weakness
    assert found["ordinary"] == r.weights.path.direct * r.weights.path.form_of


def test_a_history_item_supports_what_it_leads_to_along_the_chain(r: Ranking) -> None:
    found = ask(r, "pill", contributors=True)
    w = r.weights
    assert scores(found)["ordinary"] == round(w.history_item * w.path.chain_step**2, 4)
    assert scores(found)["pill"] == w.history_item


def test_a_confirmed_qualifier_adds_and_a_contradicted_one_goes_against(r: Ranking) -> None:
    w = r.weights
    progressive = ask(r, "weakness", course="progressive")
    ordinary = next(c for c in progressive.candidates if c.entity.id == "ordinary")
    assert ordinary.support.matched["weakness"] == (w.path.direct + w.qualifier_match, "direct")
    gradual = ask(r, "weakness", onset="gradual")
    alarm = next(c for c in gradual.candidates if c.entity.id == "alarm")
    assert alarm.support.matched["weakness"][0] == w.path.direct  # never below the path's own weight
    assert alarm.support.against["weakness"][0] == w.qualifier_conflict


def test_the_best_path_is_the_one_that_contradicts_least(r: Ranking) -> None:
    # ordinary's own edge says progressive; its mechanism's edge says nothing of the course.
    temporary = ask(r, "weakness", course="temporary")
    ordinary = next(c for c in temporary.candidates if c.entity.id == "ordinary")
    assert ordinary.support.matched["weakness"] == (r.weights.path.mechanism, "mechanism")
    assert "weakness" not in ordinary.support.against


# --- absent findings ------------------------------------------------------------------------------------


def test_an_absent_finding_counts_against_the_causes_that_have_it_or_its_forms(r: Ranking) -> None:
    found = ask(r, "weakness", "ache", absent=("collapse",))
    assert "collapse" in next(c for c in found.candidates if c.entity.id == "alarm").support.against
    assert "collapse" not in next(c for c in found.candidates if c.entity.id == "ordinary").support.against
    # Weakness absent rules out collapse too: alarm has collapse, so it counts against alarm.
    ruled_out = ask(r, "ache", "alt-one", absent=("weakness",))
    assert "weakness" in next(c for c in ruled_out.candidates if c.entity.id == "alarm").support.against


def test_an_absent_alternative_criterion_does_not_count_against_the_flag_s_cause(r: Ranking) -> None:
    found = ask(r, "weakness", "alt-two", absent=("alt-one",))
    alarm = next(c for c in found.candidates if c.entity.id == "alarm")
    assert alarm.support.against == {}


# --- red flags --------------------------------------------------------------------------------------------


def test_a_criterion_is_met_by_a_form_of_its_finding(r: Ranking) -> None:
    found = ask(r, "collapse", "alt-one")
    assert [f.flag.id for f in found.red_flags] == ["rf-alternatives"]
    assert found.red_flags[0].triggered_by == ("collapse", "alt-one")
    assert [f.flag.id for f in ask(r, "collapse", onset="sudden").red_flags] == ["rf-sudden"]


def test_a_flagged_cause_comes_first_whatever_the_scores(r: Ranking) -> None:
    found = ask(r, "weakness", "ache", "alt-one", absent=("collapse",))
    assert found.candidates[0].entity.id == "alarm"
    assert found.tests[0].test.id == "scan"  # the flagged cause's specific test first


# --- triage ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "level", "rules"),
    [
        (("weakness",), "consult", {"needs_assessment"}),
        (("soreness",), "self_care", {"self_limiting"}),
        (("soreness", "effort"), "self_care", {"self_limiting"}),
        (("weakness", "soreness"), "consult", {"needs_assessment"}),
        (("collapse",), "emergency", {"must_not_miss"}),  # characteristic, and weakness is implied
        (("alt-one",), "consult", {"needs_assessment"}),  # characteristic, but alone
        (("weakness", "alt-one"), "emergency", {"red_flag", "must_not_miss"}),
        (("weakness", "ache"), "consult", {"needs_assessment"}),  # ache is characteristic of a consult
    ],
)
def test_triage_rules(r: Ranking, present: tuple[str, ...], level: str, rules: set[str]) -> None:
    triage = ask(r, *present).triage
    assert triage.level == level
    assert {reason.rule for reason in triage.reasons} == rules
    assert triage.wording_from in {"rf-alternatives", f"triage-{level.replace('_', '-')}"}


def test_absent_findings_never_change_triage(r: Ranking) -> None:
    assert ask(r, "collapse", absent=("alt-one", "alt-two")).triage.level == "emergency"


# --- candidates -----------------------------------------------------------------------------------------


def test_equal_candidates_share_a_rank_and_urgency_orders_equal_scores(r: Ranking) -> None:
    ranks = {c.entity.id: c.rank for c in ask(r, "weakness").candidates}
    assert ranks["alarm"] == 1  # the same score as ordinary and twin, more urgent
    assert ranks["ordinary"] == ranks["twin"] == 2
    assert ranks["benign"] == 4


def test_contributors_are_listed_only_on_request_and_the_limit_holds(r: Ranking) -> None:
    listed = {c.entity.id for c in ask(r, "soreness", "effort").candidates}
    assert listed == {"benign"}
    listed = {c.entity.id for c in ask(r, "soreness", "effort", contributors=True).candidates}
    assert listed == {"benign", "effort"}
    assert len(ask(r, "weakness", limit=2).candidates) == 2


def test_the_query_is_a_set_of_items(r: Ranking) -> None:
    assert Query(present=("b", "a", "a")) == Query(present=("a", "b"))
    first = ask(r, "weakness", "ache", "soreness")
    second = differential(r, replace(Query(present=("soreness", "ache", "weakness"))))
    assert scores(first) == scores(second)


# --- resolution and scopes ------------------------------------------------------------------------------


def test_resolution_names_every_problem(r: Ranking) -> None:
    with pytest.raises(UnresolvedError, match="unknown ids in 'present': nowhere"):
        resolve(Question(present=("weakness", "nowhere")), r)
    with pytest.raises(UnresolvedError, match="findings and history items only, not: scan"):
        resolve(Question(present=("scan",)), r)
    with pytest.raises(UnresolvedError, match="both present and absent"):
        resolve(Question(present=("Weakness",), absent=("clinkg:weakness",)), r)
    with pytest.raises(UnresolvedError, match="needs a release with the HPO graph"):
        resolve(Question(present=("weakness",), scope="hpo"), r)


def test_the_entry_answers_a_resolved_query(r: Ranking) -> None:
    query = resolve(Question(present=("Weakness", "clinkg:alt-one")), r)
    assert query.curated.present == ("alt-one", "weakness")
    result = answer(query, r)
    assert result.differential.triage.level == "emergency" and result.hpo == []
