"""Reading a GA4GH phenopacket into the differential's findings, and naming problems by JSON path only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clinkg.service.api.phenopacket import PhenopacketError, read

from ...conftest import FIXTURES


def packet(**extra: Any) -> dict[str, Any]:
    return {"id": "p", "phenotypicFeatures": [{"type": {"id": "HP:0002061"}}], **extra}


def test_the_fixture_reads_as_its_terms_age_sex_and_diagnosis() -> None:
    data = json.loads((FIXTURES / "phenopackets" / "spg88.json").read_text(encoding="utf-8"))
    reported = read(data)
    assert reported.present == ("HP:0031936", "HP:0003487", "HP:0002395", "HP:0002061", "HP:0007340")
    assert reported.absent == ("HP:0001250", "HP:0000365")
    assert (reported.age, reported.sex, reported.diagnoses) == (34, "MALE", ("OMIM:620106",))


@pytest.mark.parametrize(
    ("duration", "years"),
    [("P5Y3M", 5), ("P5Y", 5), ("P18M", 1), ("P3M", 0), ("P400D", 1), ("P2Y6M10DT3H", 2), ("P0D", 0)],
)
def test_the_age_is_whole_years_of_the_iso8601_duration(duration: str, years: int) -> None:
    data = packet(subject={"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": duration}}})
    assert read(data).age == years


def test_diagnoses_come_from_interpretations_else_from_diseases_not_excluded() -> None:
    diseases = [{"term": {"id": "OMIM:1"}, "excluded": True}, {"term": {"id": "OMIM:2"}}]
    assert read(packet(diseases=diseases)).diagnoses == ("OMIM:2",)
    interpretation = {"id": "i", "progressStatus": "SOLVED", "diagnosis": {"disease": {"id": "OMIM:3"}}}
    assert read(packet(diseases=diseases, interpretations=[interpretation])).diagnoses == ("OMIM:3",)
    assert read(packet()).diagnoses == ()


def test_a_repeated_term_counts_once() -> None:
    data = packet()
    data["phenotypicFeatures"] *= 2
    assert read(data).present == ("HP:0002061",)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (["secret"], "phenopacket"),
        (
            packet(subject={"timeAtLastEncounter": {"age": {}, "ageRange": {}}}),
            "phenopacket.subject.timeAtLastEncounter",
        ),
        (
            packet(subject={"timeAtLastEncounter": {"age": {"iso8601duration": "P200Y"}}}),
            "phenopacket.subject.timeAtLastEncounter.age.iso8601duration",
        ),
        (packet(metaData={"created": "secret"}), "phenopacket.metaData.created"),
        (
            packet(phenotypicFeatures=[{"type": {"label": "secret"}}]),
            "phenopacket.phenotypicFeatures[0].type.id",
        ),
        (
            packet(phenotypicFeatures=[{"type": {"id": "secret"}}]),
            "phenopacket.phenotypicFeatures[0].type.id",
        ),
        (
            packet(phenotypicFeatures=[{"type": {"id": "HP:1"}, "excluded": True}]),
            "phenopacket.phenotypicFeatures",
        ),
        (
            packet(phenotypicFeatures=[{"type": {"id": "HP:1"}}, {"type": {"id": "HP:1"}, "excluded": True}]),
            "phenopacket.phenotypicFeatures[1].excluded",
        ),
        (
            packet(measurements=[{"value": {"quantity": {"value": "secret"}}}]),
            "phenopacket.measurements[0].value.quantity.value",
        ),
    ],
)
def test_a_problem_is_named_by_its_path_never_its_value(data: Any, path: str) -> None:
    with pytest.raises(PhenopacketError) as caught:
        read(data)
    assert caught.value.path == path
    assert "secret" not in str(caught.value)
