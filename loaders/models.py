"""Pydantic models of the curated content files (see content/README.md for the schema)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Curie = Annotated[str, StringConstraints(pattern=r"^(HP:\d{7}|ICD10CM:[A-Z0-9.]+)$")]

Urgency = Literal["emergency", "consult", "self_care"]
CauseKind = Literal["condition", "exposure", "medication", "state"]
FindingKind = Literal["symptom", "sign", "risk-factor"]
MechanismCategory = Literal[
    "nerve",
    "muscle",
    "circulation",
    "cns",
    "fluid-electrolyte",
    "endocrine-metabolic",
    "immune-inflammatory",
    "nerve-root-compression",
]
TestCategory = Literal["history", "examination", "blood", "imaging", "electrodiagnostic"]
Onset = Literal["sudden", "rapid", "gradual"]
Side = Literal["unilateral", "bilateral"]
Predicate = Literal[
    "causes",
    "subtype_of",
    "acts_through",
    "manifests_as",
    "presents_with",
    "risk_factor_for",
    "evaluated_by",
    "assesses",
    "form_of",
]
# The SKOS mapping relations a cross-reference states, as content keys (see Coded).
MATCH_KEYS = ("exact_match", "close_match", "broad_match", "narrow_match")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Locator(Strict):
    """Where a statement comes from, and the statement in our own words."""

    source: Id
    section: str
    paragraph: Annotated[int, Field(ge=1)]
    statement: Text


class Section(Strict):
    heading: str
    paragraphs: Annotated[int, Field(ge=1)]


class Source(Strict):
    id: Id
    title: Text
    kind: Text
    seed_file: str | None = None
    sections: Annotated[list[Section], Field(min_length=1)]


class Entity(Strict):
    id: Id
    label: Text
    synonyms: list[Text] = []
    definition: Text
    provenance: Annotated[list[Locator], Field(min_length=1)]


class Coded(Entity):
    """An entity with cross-references, each under the SKOS relation it has to the code's own meaning.

    exact_match: the code's official description is the concept; close_match: near enough to use in its
    place for most purposes; broad_match: the code is broader than the concept; narrow_match: narrower.
    """

    exact_match: list[Curie] = []
    close_match: list[Curie] = []
    broad_match: list[Curie] = []
    narrow_match: list[Curie] = []

    def codes(self) -> list[tuple[str, str]]:
        """(relation, CURIE) of every cross-reference, relations in MATCH_KEYS order."""
        return [(key, code) for key in MATCH_KEYS for code in getattr(self, key)]


class Cause(Coded):
    kind: CauseKind
    urgency: Urgency | None = None


class Mechanism(Entity):
    category: MechanismCategory


class Finding(Coded):
    kind: FindingKind


class DiagnosticTest(Entity):
    category: TestCategory


class Criteria(Strict):
    all_of: list[Id] = []
    any_of: list[Id] = []
    supporting: list[Id] = []


class When(Strict):
    onset: list[Onset] = []
    laterality: list[Side] = []


class RedFlag(Entity):
    urgency: Urgency
    action: Text
    criteria: Criteria
    when: When = When()
    raises_concern_for: Annotated[list[Id], Field(min_length=1)]


class TriageAdvice(Entity):
    """What to do at one urgency level, and what should make a person seek care sooner."""

    urgency: Urgency
    action: Text
    safety_net: Text | None = None


class Qualifiers(Strict):
    onset: Onset | None = None
    laterality: (
        Literal["one-leg", "one-side-of-body", "one-or-both-legs", "both-legs", "symmetric-ascending"] | None
    ) = None
    course: (
        Literal["temporary", "intermittent", "progressive", "intermittent-or-progressive", "chronic"] | None
    ) = None
    age_group: Literal["older-adults"] | None = None
    timing: Text | None = None
    context: Text | None = None


class Relation(Strict):
    subject: Id
    predicate: Predicate
    object: Id
    qualifiers: Qualifiers = Qualifiers()
    source: Id
    section: str
    paragraph: Annotated[int, Field(ge=1)]
    statement: Text

    @property
    def locator(self) -> Locator:
        return Locator(
            source=self.source, section=self.section, paragraph=self.paragraph, statement=self.statement
        )


@dataclass(frozen=True)
class ContentFile:
    """One content file: its name, its top-level key, its record model and its class (mapping.tsv)."""

    name: str
    key: str
    model: type[Strict]
    class_name: str | None


# In the order entities are read and written; relations come last.
ENTITY_FILES: tuple[ContentFile, ...] = (
    ContentFile("sources.yaml", "sources", Source, "source"),
    ContentFile("causes.yaml", "causes", Cause, "cause"),
    ContentFile("mechanisms.yaml", "mechanisms", Mechanism, "mechanism"),
    ContentFile("findings.yaml", "findings", Finding, "finding"),
    ContentFile("tests.yaml", "tests", DiagnosticTest, "test"),
    ContentFile("red_flags.yaml", "red_flags", RedFlag, "red_flag"),
    ContentFile("triage.yaml", "triage", TriageAdvice, "triage_advice"),
)
RELATIONS_FILE = ContentFile("relations.yaml", "relations", Relation, None)

# top-level key of an entity file -> its class (a `yaml` name of mapping.tsv)
CLASS_OF_KEY: dict[str, str] = {spec.key: spec.class_name for spec in ENTITY_FILES if spec.class_name}
