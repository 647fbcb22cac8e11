"""Safety of the differential as properties over the whole curated graph (Hypothesis).

Requests are drawn from every finding and history item of the real curated graph, with any onset, side,
course and age. Each property runs at least 1,000 examples with a derandomized profile, so CI is
repeatable. Counter-examples Hypothesis shrank while the rules were reworked are named tests in
test_triage_regressions.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinkg.ontology import urgency_ranks
from clinkg.service.api.connection import Served, answer_json, serve
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.ranking.differential import differential
from clinkg.service.ranking.model import Differential, Query
from clinkg.service.ranking.weights import weights
from clinkg.service.stores.oxigraph import OxigraphBackend

from .properties import property_settings

pytestmark = pytest.mark.integration

PROPERTY = property_settings(1000)


@pytest.fixture(scope="module")
def served(build_dir: Path) -> Served:
    return serve(OxigraphBackend.open(build_dir / "store"))


# The strategies need the graph's item ids before any test runs; they are read from the packaged content,
# which is what the build_dir fixture builds.
def _content_items() -> list[str]:
    from clinkg.loaders.content import load_content

    content = load_content()
    return sorted(f.id for f in content.findings) + sorted(c.id for c in content.causes)


ITEMS = _content_items()
ONSETS = st.sampled_from([None, "sudden", "rapid", "gradual"])
SIDES = st.sampled_from([None, "unilateral", "bilateral"])
COURSES = st.sampled_from([None, "temporary", "intermittent", "progressive"])
AGES = st.one_of(st.none(), st.integers(min_value=0, max_value=110))


@st.composite
def queries(draw: st.DrawFn, max_present: int = 8, max_absent: int = 6) -> Query:
    """A request as a resolved query: present items, disjoint absent items, qualifiers, age."""
    present = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=max_present, unique=True))
    others = [i for i in ITEMS if i not in present]
    absent = draw(st.lists(st.sampled_from(others), max_size=max_absent, unique=True))
    return Query(
        present=tuple(present),
        absent=tuple(absent),
        onset=draw(ONSETS),
        laterality=draw(SIDES),
        course=draw(COURSES),
        age=draw(AGES),
    )


def level(result: Differential) -> int:
    return urgency_ranks()[result.triage.level]


def unused(draw: st.DrawFn, query: Query) -> str:
    taken = set(query.present) | set(query.absent)
    return draw(st.sampled_from([i for i in ITEMS if i not in taken]))


@PROPERTY
@given(data=st.data())
def test_adding_a_present_item_never_lowers_triage(served: Served, data: st.DataObject) -> None:
    query = data.draw(queries())
    extra = unused(data.draw, query)
    before = differential(served.ranking, query)
    after = differential(served.ranking, replace(query, present=(*query.present, extra)))
    assert level(after) >= level(before), (query, extra, before.triage, after.triage)


@PROPERTY
@given(data=st.data())
def test_an_absent_finding_never_lowers_triage_nor_silences_a_flag(
    served: Served, data: st.DataObject
) -> None:
    ranks = urgency_ranks()
    query = data.draw(queries())
    extra = unused(data.draw, query)
    before = differential(served.ranking, query)
    after = differential(served.ranking, replace(query, absent=(*query.absent, extra)))
    flagged = {r.flag.id for r in before.red_flags}
    assert flagged <= {r.flag.id for r in after.red_flags}, (query, extra)
    most_urgent_flag = max((ranks[r.flag.urgency or "consult"] for r in before.red_flags), default=0)
    assert level(after) >= most_urgent_flag, (query, extra)
    # Stronger, and the design: absent findings lower scores, never triage.
    assert after.triage.level == before.triage.level, (query, extra)


@PROPERTY
@given(query=queries())
def test_a_flagged_cause_is_in_the_top_3_and_one_of_its_tests_among_the_first_3(
    served: Served, query: Query
) -> None:
    result = differential(served.ranking, query)
    top3 = [c.entity.id for c in result.candidates[:3]]
    first_tests = {a.test.id for a in result.tests[:3]}
    for raised in result.red_flags:
        for cause in raised.concerns:
            assert cause in top3, (query, raised.flag.id, top3)
            if result.tests_of.get(cause):
                assert first_tests & set(result.tests_of[cause]), (query, cause, first_tests)


@PROPERTY
@given(data=st.data())
def test_the_answer_does_not_depend_on_the_order_of_the_items(served: Served, data: st.DataObject) -> None:
    query = data.draw(queries())
    body: dict[str, Any] = {
        "present": list(query.present),
        "absent": list(query.absent),
        "onset": query.onset,
        "laterality": query.laterality,
        "course": query.course,
        "age": query.age,
    }
    shuffled = {
        **body,
        "present": data.draw(st.permutations(query.present)),
        "absent": data.draw(st.permutations(query.absent)),
    }
    first = orjson.dumps(answer_json(DifferentialRequest.model_validate(body), served))
    second = orjson.dumps(answer_json(DifferentialRequest.model_validate(shuffled), served))
    assert first == second, query


@PROPERTY
@given(query=queries(), limit=st.one_of(st.none(), st.integers(min_value=1, max_value=15)))
def test_candidates_have_positive_support_honour_the_limit_and_declare_their_ties(
    served: Served, query: Query, limit: int | None
) -> None:
    w = weights()
    result = differential(served.ranking, replace(query, limit=limit))
    flagged = {c for r in result.red_flags for c in r.concerns}
    ranks = urgency_ranks()
    listed = [c for c in result.candidates if c.entity.id not in flagged]
    assert len(listed) <= (limit or w.candidates)
    for c in result.candidates:
        assert all(weight >= 0 for weight, _ in c.support.matched.values()), c
        assert all(weight < 0 for weight, _ in c.support.against.values()), c
        assert c.entity.id in flagged or c.support.score > 0, c
        assert c.entity.id in flagged or c.entity.kind in w.candidate_kinds, c

    def key(c: Any) -> tuple[bool, float, int, int]:
        return (
            c.entity.id not in flagged,
            -round(c.support.score, 9),
            -ranks[c.entity.urgency or w.triage.default],
            -len(c.support.matched),
        )

    for earlier, later in zip(result.candidates, result.candidates[1:], strict=False):
        if key(earlier) == key(later):
            assert earlier.rank == later.rank, (earlier, later)  # a tie is declared, not broken
        else:
            assert key(earlier) < key(later) and later.rank > earlier.rank


@PROPERTY
@given(query=queries())
def test_every_triage_level_has_a_reason_and_the_content_s_wording(served: Served, query: Query) -> None:
    result = differential(served.ranking, query)
    triage = result.triage
    assert triage.reasons, query
    assert triage.action, query
    flagged = [r for r in result.red_flags if r.flag.urgency == triage.level]
    advice = served.ranking.tables.advice[triage.level]
    assert triage.wording_from in ({r.flag.id for r in flagged} if flagged else {advice.id})
    assert triage.safety_net == advice.safety_net
