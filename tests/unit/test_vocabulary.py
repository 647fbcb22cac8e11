"""Each vocabulary is defined once, in the ontology; every other place that spells it out agrees."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from rdflib import Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import SH

from clinkg import ontology
from clinkg.loaders import models as content
from clinkg.ontology import CKG
from clinkg.service.api import models as api
from clinkg.service.ranking import weights


def values(annotation: Any) -> frozenset[str]:
    """The strings of a Literal[...] (or Literal[...] | None, or list[Literal[...]])."""
    if typing.get_origin(annotation) is typing.Literal:
        return frozenset(typing.get_args(annotation))
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            found.update(typing.get_args(arg))
        elif typing.get_args(arg):
            found |= values(arg)
    return frozenset(found)


def field(model: type[Any], name: str) -> frozenset[str]:
    return values(model.model_fields[name].annotation)


@pytest.mark.parametrize(
    ("scheme", "spelled"),
    [
        ("Onsets", lambda: values(content.Onset)),
        ("Onsets", lambda: field(api.DifferentialRequest, "onset")),
        ("Sides", lambda: values(content.Side)),
        ("Sides", lambda: field(api.DifferentialRequest, "laterality")),
        ("Lateralities", lambda: field(content.Qualifiers, "laterality")),
        ("Courses", lambda: field(content.Qualifiers, "course")),
        ("ReportedCourses", lambda: field(api.DifferentialRequest, "course")),
        ("AgeGroups", lambda: field(content.Qualifiers, "age_group")),
        ("CriterionGroups", lambda: frozenset(content.Criteria.model_fields)),
        ("CauseKinds", lambda: values(content.CauseKind)),
        ("FindingKinds", lambda: values(content.FindingKind)),
        ("MechanismCategories", lambda: values(content.MechanismCategory)),
        ("TestCategories", lambda: values(content.TestCategory)),
    ],
)
def test_python_types_spell_the_ontology_s_vocabulary(scheme: str, spelled: Any) -> None:
    assert spelled() == ontology.vocabulary(scheme)


@pytest.mark.parametrize(
    "spelled",
    [
        lambda: values(content.Urgency),
        lambda: values(api.Urgency),
        lambda: field(weights.TriagePolicy, "default"),
    ],
)
def test_urgency_is_spelled_as_the_ontology_s_levels(spelled: Any) -> None:
    assert spelled() == frozenset(ontology.urgency_ranks())


def shape_values(path: str) -> list[frozenset[str]]:
    """The sh:in lists of every property shape on `path` in shapes.ttl."""
    shapes = Graph().parse(data=ontology.resource("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    found = []
    for prop in shapes.subjects(SH.path, CKG[path]):
        listed = shapes.value(prop, SH["in"])
        if listed is not None:
            found.append(frozenset(str(v) for v in Collection(shapes, listed) if isinstance(v, Literal)))
    return found


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("onset", lambda: ontology.vocabulary("Onsets")),
        ("laterality", lambda: ontology.vocabulary("Lateralities")),
        ("course", lambda: ontology.vocabulary("Courses")),
        ("ageGroup", lambda: ontology.vocabulary("AgeGroups")),
        ("criterionGroup", lambda: ontology.vocabulary("CriterionGroups")),
        ("urgency", lambda: frozenset(ontology.urgency_ranks())),
    ],
)
def test_shapes_allow_exactly_the_vocabulary(path: str, expected: Any) -> None:
    lists = shape_values(path)
    assert lists and all(found == expected() for found in lists)


def test_category_and_kind_shapes_allow_exactly_the_vocabularies() -> None:
    lists = set(shape_values("category")) | set(shape_values("kind"))
    for scheme in ("MechanismCategories", "TestCategories", "CauseKinds"):
        assert ontology.vocabulary(scheme) in lists, scheme


def test_every_reported_value_agrees_with_qualifier_values_that_exist() -> None:
    for reported, qualifiers in (("Sides", "Lateralities"), ("ReportedCourses", "Courses")):
        agreements = ontology.agreements(reported)
        assert set(agreements) == ontology.vocabulary(reported)
        for agreeing in agreements.values():
            assert agreeing and agreeing <= ontology.vocabulary(qualifiers)
