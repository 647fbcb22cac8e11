"""API shapes (requests and public responses), separate from the graph records."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from clinkg.service.api.phenopacket import PhenopacketError, Reported, read

DISCLAIMER = (
    "Decision support for clinicians, not a diagnosis. Candidates are ranked by clinkg's own documented "
    "weights (not probabilities) over curated knowledge with cited sources; a red flag that is triggered "
    "is always reported. Clinical judgement decides."
)
SCORING = "score = sum of clinkg ranking weights (ranking_weights.yaml); not a probability"
SCORING_HPO = (
    "HPO candidates: score = sum of the matched terms' weights (information content times clinkg "
    "factors), divided by a small power of the disease's annotation count "
    "(service/ranking/hpo_rank.py); not a probability, and not comparable with curated scores"
)
Scope = Literal["curated", "hpo", "all"]

Urgency = Literal["emergency", "consult", "self_care"]


class ErrorDetail(BaseModel):
    """Every error: a message, or for request validation the list of problems (loc, msg, type)."""

    detail: str | list[dict[str, Any]]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer."""
    meaning = {
        400: "The body could not be parsed, or the query was refused by the database.",
        401: "A bearer token is required (CLINKG_API_TOKEN is set).",
        403: "A write, or a procedure call, on a read-only surface.",
        404: "No such entity.",
        413: "The request body is larger than CLINKG_MAX_BODY_BYTES.",
        422: "Invalid input: unknown ids, out-of-range parameters, malformed JSON.",
        503: "The store is unavailable, busy (Retry-After), or the query ran past its budget.",
    }
    return {status: {"model": ErrorDetail, "description": meaning[status]} for status in statuses}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _encodable(value: str) -> str:
    """The text, if UTF-8 can encode it: Python's JSON parser accepts a lone surrogate (`"\\ud800"`),
    which every later step (the note reader, orjson, logs) would fail on."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("string_unicode", "the text holds a lone surrogate, not Unicode") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]


# Requests that answer 200 on the curated release, for the OpenAPI document (Swagger's "Try it out" sends
# the first; tests/integration/test_openapi_examples.py sends each to the live service).
DIFFERENTIAL_EXAMPLES: dict[str, dict[str, Any]] = {
    "findings": {
        "summary": "Findings present and absent, with onset and age",
        "value": {
            "present": ["leg-weakness", "saddle-anesthesia", "urinary-retention"],
            "absent": ["back-pain"],
            "onset": "sudden",
            "age": 54,
        },
    },
    "text": {
        "summary": "A patient's words",
        "value": {"text": "Can't pass urine, can't feel my bum and my legs have gone weak."},
    },
    "codes": {
        "summary": "HPO codes and labels",
        "value": {"present": ["HP:0007340", "urinary retention"], "laterality": "bilateral", "limit": 5},
    },
    "phenopacket": {
        "summary": "A GA4GH phenopacket, ranked in the curated graph",
        "value": {
            "phenopacket": {
                "id": "example-1",
                "subject": {"id": "patient-1", "timeAtLastEncounter": {"age": {"iso8601duration": "P67Y"}}},
                "phenotypicFeatures": [
                    {"type": {"id": "HP:0007340", "label": "Lower limb muscle weakness"}},
                    {"type": {"id": "HP:0000016", "label": "Urinary retention"}},
                    {"type": {"id": "HP:0001269", "label": "Hemiparesis"}, "excluded": True},
                ],
            },
            "scope": "curated",
            "limit": 5,
        },
    },
}


class DifferentialRequest(Strict):
    """Findings and history items present and absent (ids, CURIEs, cross-reference CURIEs or labels), or
    a GA4GH phenopacket instead of `present` and `absent`."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [{"required": ["present"]}, {"required": ["phenopacket"]}, {"required": ["text"]}],
            "examples": [example["value"] for example in DIFFERENTIAL_EXAMPLES.values()],
        }
    )

    present: list[Text] = Field(
        default_factory=list,
        description=(
            "Findings or history items that are present (required unless a phenopacket or a text is given)."
        ),
    )
    absent: list[Text] = Field(default_factory=list, description="Findings or history items ruled out.")
    phenopacket: dict[str, Any] | None = Field(
        default=None,
        description=(
            "A GA4GH Phenopacket (schema v2, its JSON form in camelCase) instead of `present` and `absent`: "
            "phenotypicFeatures[].type.id are the present terms, or absent ones when `excluded` is true; "
            "subject.timeAtLastEncounter.age.iso8601duration gives `age` in whole years (unless `age` is "
            "given). subject.sex is read but not used by the ranking. `scope` defaults to hpo. A malformed "
            "phenopacket is a 422 naming the JSON path of the problem."
        ),
    )
    text: Text | None = Field(
        default=None,
        description=(
            "A clinician's note or a patient's words, read as POST /v1/intake reads them: the findings and "
            "history items it reports join `present`, those it denies join `absent`, and its onset, "
            "laterality, course and age fill the fields the request leaves empty. Patient data: never "
            "logged, never repeated in an error."
        ),
    )
    unknown: Literal["reject", "ignore"] = Field(
        default="reject",
        description=(
            "reject: an unknown item is a 422 listing each with up to three suggestions. ignore: the "
            "answer leaves unknown items out and lists them under `ignored`."
        ),
    )
    onset: Literal["sudden", "rapid", "gradual"] | None = Field(
        default=None, description="sudden; rapid (over hours or days); gradual."
    )
    laterality: Literal["unilateral", "bilateral"] | None = None
    course: Literal["temporary", "intermittent", "progressive"] | None = Field(
        default=None,
        description="How the weakness has behaved: temporary, intermittent (comes and goes), progressive.",
    )
    # Strict: JSON true is not the age 1, nor "70" the age 70.
    age: int | None = Field(default=None, ge=0, le=130, strict=True, description="Age in years.")
    include_contributors: bool = Field(
        default=False,
        description=(
            "Also list exposures, medications and bodily states (overexertion, diuretics, increased "
            "urination) as candidates; by default they support the conditions they lead to and show in "
            "their paths."
        ),
    )
    scope: Scope = Field(
        default="curated",
        description=(
            "curated: the curated graph; hpo: every disease of the imported HPO graph, ranked for HP terms "
            "(or curated findings with an HP code); all: both lists, curated candidates first. Red flags "
            "of the curated graph are evaluated in every scope."
        ),
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        le=200,
        description=(
            "How many candidates of each graph (defaults in ranking_weights.yaml: 10 curated, 20 HPO). The "
            "causes a triggered red flag points to are always listed."
        ),
    )

    namespaces: list[Literal["OMIM", "ORPHA", "DECIPHER"]] | None = Field(
        default=None,
        description=(
            'Scopes hpo and all: list only HPO diseases of these sources (e.g. ["OMIM"]). Without it, '
            "entries of different sources with the same name share one slot (`same_disease`)."
        ),
    )
    verbose: bool = Field(
        default=False,
        description=(
            "Inline every node and edge (with its provenance) in every path. By default paths name them by "
            "id and the answer lists each once, under `nodes` and `edges`."
        ),
    )

    _packet: Reported | None = PrivateAttr(default=None)

    @property
    def packet(self) -> Reported | None:
        """What the phenopacket reports, read when the request was validated (None without one)."""
        return self._packet

    @model_validator(mode="after")
    def _present_or_absent(self) -> DifferentialRequest:
        if self.phenopacket is not None:
            given = sorted({"present", "absent", "text"} & self.model_fields_set)
            if given:
                named = " and ".join(f"'{name}'" for name in given)
                raise ValueError(f"give either 'phenopacket' or {named}, not both")
            try:
                self._packet = read(self.phenopacket)
            except PhenopacketError as exc:  # named by path only: a phenopacket is patient data
                raise PydanticCustomError("phenopacket_invalid", "{problem}", {"problem": str(exc)}) from None
            if "scope" not in self.model_fields_set:
                self.scope = "hpo"
            return self
        if not self.present and self.text is None:
            raise ValueError("'present' needs at least one item (or give a 'phenopacket' or a 'text')")
        both = sorted(set(self.present) & set(self.absent))
        if both:
            raise ValueError(f"an item cannot be both present and absent: {', '.join(both)}")
        return self


class IntakeRequest(Strict):
    """A note to read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Woke up with her left leg weak. No back pain, denies bladder problems. "
                    "On furosemide."
                }
            ]
        }
    )

    text: Text = Field(
        description=(
            "A clinician's note or a patient's message, in English (at most CLINKG_MAX_NOTE_CHARS "
            "characters). Patient data: never logged, never repeated in an error."
        ),
        examples=["Woke up with her left leg weak. No back pain, denies bladder problems. On furosemide."],
    )


class Span(BaseModel):
    start: int = Field(description="Offset of the first character in the text.")
    end: int = Field(description="Offset just past the last character.")
    text: str


class Mentioned(BaseModel):
    id: str
    label: str
    span: Span


class IntakeResponse(BaseModel):
    """What the note says, directly usable as a differential request (`present`, `absent` ids and the
    context fields)."""

    present: list[Mentioned] = Field(description="Findings the patient has now, and history items reported.")
    absent: list[Mentioned] = Field(description="Findings and history items the note denies.")
    history: list[Mentioned] = Field(description="Findings of the past, not current: not sent as present.")
    uncertain: list[Mentioned] = Field(description="Possible or suspected: neither present nor absent.")
    onset: Literal["sudden", "rapid", "gradual"] | None
    laterality: Literal["unilateral", "bilateral"] | None
    course: Literal["temporary", "intermittent", "progressive"] | None
    age: int | None
    unmatched: list[Span] = Field(description="Sentences in which nothing was recognised.")
    disclaimer: str


class NodeRef(BaseModel):
    id: str
    label: str
    type: str


class ProvenancePublic(BaseModel):
    source: str
    section: str
    paragraph: int | None = Field(description="Paragraph of the source; the line of phenotype.hpoa.")
    statement: str
    evidence: str | None = Field(default=None, description="HPO evidence code (IEA, PCS, TAS).")
    references: list[str] | None = Field(default=None, description="The annotation's references.")


class EdgePublic(BaseModel):
    predicate: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    qualifiers: dict[str, str | float]
    provenance: ProvenancePublic

    model_config = ConfigDict(populate_by_name=True)


class PathPublic(BaseModel):
    """A path with its nodes and edges inline (verbose answers, /v1/paths)."""

    nodes: list[NodeRef]
    edges: list[EdgePublic]
    route: str
    weight: float


class PathCompact(BaseModel):
    """A path naming its nodes and edges; the answer's `nodes` and `edges` hold each once."""

    nodes: list[str]
    edges: list[str] = Field(description="Keys of the answer's `edges`.")
    route: str
    weight: float


class NodeBrief(BaseModel):
    label: str
    type: str


class Match(BaseModel):
    id: str
    label: str
    route: str
    weight: float


class Against(BaseModel):
    id: str
    label: str
    reason: str
    weight: float


SAME_DISEASE_REASON = "same disease name in phenotype.hpoa, another source"


class SameDisease(BaseModel):
    id: str
    label: str
    score: float = Field(description="This entry's own score, on the candidate's scale.")
    reason: str = Field(description="Why it is taken as the same disease.")


class CandidatePublic(BaseModel):
    id: str
    label: str
    graph: Literal["curated", "hpo"] = Field(description="The graph the candidate comes from.")
    rank: int = Field(
        description="1 for the first candidate; candidates that share a rank are tied (nothing orders them)."
    )
    score: float
    urgency: Urgency | None = Field(description="The cause's urgency (curated causes; none for HPO).")
    matched: list[Match]
    against: list[Against]
    paths: list[PathCompact] | list[PathPublic]
    tests: list[str] = Field(description="Ids of the tests that evaluate this cause (details under 'tests').")
    same_disease: list[SameDisease] = Field(
        default_factory=list,
        description=(
            "HPO candidates: entries of other sources (OMIM, ORPHA, DECIPHER) with the same disease name, "
            "listed with the candidate instead of taking slots of their own (one disease, one slot)."
        ),
    )


class RedFlagPublic(BaseModel):
    id: str
    label: str
    urgency: Urgency
    action: str
    triggered_by: list[str]
    conditions: dict[str, str]
    concerns: list[NodeRef]


class TestPublic(BaseModel):
    id: str
    label: str
    rationale: str
    for_: list[str] = Field(alias="for", serialization_alias="for")
    separates: list[str]

    model_config = ConfigDict(populate_by_name=True)


class TriageReason(BaseModel):
    by: str = Field(description="The red flag, cause or reported item that asks for the level.")
    rule: Literal["red_flag", "must_not_miss", "needs_assessment", "self_limiting"]
    detail: str


class TriagePublic(BaseModel):
    level: Urgency
    reason: list[TriageReason] = Field(description="Everything that asks for this level.")
    action: str | None = Field(description="What to do: the triggered flag's action, or the level's advice.")
    safety_net: str | None = Field(description="What should make the person seek care sooner, when known.")
    wording_from: str | None = Field(
        description="The red flag or triage advice whose words action and safety net are (its citations: "
        "/v1/entities/{id})."
    )


class Ignored(BaseModel):
    ref: str
    reason: str


class DifferentialResponse(BaseModel):
    candidates: list[CandidatePublic]
    red_flags: list[RedFlagPublic]
    triage: TriagePublic
    tests: list[TestPublic]
    scope: Scope
    nodes: dict[str, NodeBrief] | None = Field(
        default=None, description="Every node the paths name, once (compact answers)."
    )
    edges: dict[str, EdgePublic] | None = Field(
        default=None, description="Every edge the paths name, once, with its provenance (compact answers)."
    )
    disclaimer: str = DISCLAIMER
    scoring: str = SCORING
    ignored: list[Ignored] | None = Field(
        default=None,
        description=(
            'Items the answer left out, each with why: unknown ones (with `"unknown": "ignore"`), and in '
            "scopes hpo and all the curated items with no HP code, which the HPO ranking cannot use."
        ),
    )
    read_from_text: IntakeResponse | None = Field(
        default=None, description="What the request's `text` was read as (as POST /v1/intake reads it)."
    )
