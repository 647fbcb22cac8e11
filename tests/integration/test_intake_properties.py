"""Free-text intake never turns a denied finding into a reported one: a property over every finding of the
curated graph (Hypothesis), the way test_safety_properties.py holds the differential.

A note reports some findings by their labels and denies others ("Denies X.", "No X or Y.", "Pt has no X,
no fever."); whatever the order and the company, a denied finding is never read as present, and a
reported one is never silenced by the denial next to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinkg.service.api.connection import Served, serve
from clinkg.service.language.words import polarity_token, words
from clinkg.service.stores.oxigraph import OxigraphBackend

from .properties import property_settings

pytestmark = pytest.mark.integration

PROPERTY = property_settings(2000)
DENIALS = ("Denies {}.", "No {}.", "Pt denies {} or fever.", "She has no {}, no fever.", "Negative for {}.")
REPORTS = ("{}.", "Reports {}.", "Complains of {} since Monday.")


@pytest.fixture(scope="module")
def served(build_dir: Path) -> Served:
    return serve(OxigraphBackend.open(build_dir / "store"))


@pytest.fixture(scope="module")
def names(served: Served) -> list[tuple[str, str]]:
    """(finding id, name) for every label and synonym of every finding that a note saying only that name
    reads as that finding, present, and that says no "can't", "lack of" or other negation of its own: the
    names a clinician could deny ("no lack of energy" is not how anyone denies fatigue)."""
    reader = served.reader()
    context = reader.nlp.get_pipe("medspacy_context")
    cues = [
        re.compile(rf"(?<![\w']){re.escape(rule.literal.lower())}(?![\w'])")
        for rule in context.rules
        if rule.category == "NEGATED_EXISTENCE"
    ]
    found = []
    for entity in sorted(served.index.entities.values(), key=lambda e: e.id):
        if entity.type != "finding":
            continue
        for name in dict.fromkeys([entity.label, *entity.synonyms]):
            # A name that says no of its own ("can't feel anything", "walking is hard", "lack of energy": a
            # polarity word as search or intake reads it, or one of ConText's negation cues) is not denied
            # by a prefix but doubly negated.
            said = name.lower()
            if (
                words(name).polarity
                or any(polarity_token(word) for word in re.findall(r"[\w']+", said))
                or any(cue.search(said) for cue in cues)
            ):
                continue
            if {m.id for m in reader.read(f"{name}.").present} == {entity.curie}:
                found.append((entity.curie, name))
    return found


@st.composite
def notes(draw: st.DrawFn, names: list[tuple[str, str]]) -> tuple[str, set[str], set[str]]:
    """A note of reported and denied findings in any order: (text, reported ids, denied ids); one name per
    finding."""
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique_by=lambda n: n[0]))
    denied = set(draw(st.lists(st.sampled_from(chosen), max_size=len(chosen), unique=True)))
    sentences = [draw(st.sampled_from(DENIALS if n in denied else REPORTS)).format(n[1]) for n in chosen]
    order = draw(st.permutations(range(len(sentences))))
    text = " ".join(sentences[i] for i in order)
    return text, {i for i, _ in chosen if (i, _) not in denied}, {i for i, _ in denied}


@PROPERTY
@given(data=st.data())
def test_a_denied_finding_is_never_read_as_present(
    served: Served, names: list[tuple[str, str]], data: st.DataObject
) -> None:
    text, reported, denied = data.draw(notes(names))
    reading = served.reader().read(text)
    present = {m.id for m in reading.present}
    assert not present & denied, text
    assert denied <= {m.id for m in reading.absent}, text


def test_most_names_can_be_denied(names: list[tuple[str, str]]) -> None:
    """The property above covers the graph: nearly every finding name reads as its finding on its own."""
    assert len(names) >= 400
