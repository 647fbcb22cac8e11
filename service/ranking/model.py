"""The records of ranking: a resolved query and what the differential answers for it. Data only."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinkg.service.ranking.graph_index import Entity
from clinkg.service.ranking.paths import Path


@dataclass(frozen=True)
class Query:
    """A resolved request: entity ids, not references. Present and absent items are kept as sorted sets,
    so two requests that differ only in order or repetition are the same query (and the same cache key)."""

    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    onset: str | None = None
    laterality: str | None = None
    course: str | None = None
    age: int | None = None
    contributors: bool = False  # list exposures, medications and states among the candidates too
    limit: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "present", tuple(sorted(set(self.present))))
        object.__setattr__(self, "absent", tuple(sorted(set(self.absent))))


@dataclass(slots=True)
class Support:
    """Why a candidate is there: the items that support it and those that count against it."""

    score: float = 0.0
    matched: dict[str, tuple[float, str]] = field(default_factory=dict)  # item -> (weight >= 0, route)
    against: dict[str, tuple[float, str]] = field(default_factory=dict)  # item -> (weight < 0, reason)
    paths: list[Path] = field(default_factory=list)
    # What the support was made of: the memoized contributions (compared by identity), the red flags
    # concerned and the absent items. Equal bases give equal supports, so a cache of what depends on the
    # support alone can key on it (service/api/answers.py) without hashing the rest.
    basis: tuple[object, ...] = ()


@dataclass(slots=True)  # not frozen: made ten times per answer, and frozen init costs more
class Candidate:
    entity: Entity
    support: Support
    rank: int  # candidates that share a rank are tied: nothing in the graph orders them


@dataclass(frozen=True)
class RaisedFlag:
    flag: Entity
    triggered_by: tuple[str, ...]
    conditions: dict[str, str]
    concerns: tuple[str, ...]  # the causes the flag points to


@dataclass(frozen=True)
class TestAdvice:
    test: Entity
    for_causes: tuple[str, ...]
    separates: tuple[str, ...]  # mechanism categories among the candidates that the test assesses


@dataclass(frozen=True)
class Reason:
    by: str  # the flag, cause or reported item that asks for the level (entity id)
    rule: str
    detail: str


@dataclass(frozen=True)
class Triage:
    level: str
    reasons: tuple[Reason, ...]
    action: str | None
    safety_net: str | None
    wording_from: str | None  # the flag or triage advice the action (and safety net) are the words of


@dataclass
class Differential:
    candidates: list[Candidate]
    red_flags: list[RaisedFlag]
    triage: Triage
    tests: list[TestAdvice]
    tests_of: dict[str, tuple[str, ...]]
