"""The typed memo of request-independent results that a Ranking keeps for as long as its graph is served."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinkg.service.ranking.lru import BoundedCache
from clinkg.service.ranking.model import Reason, TestAdvice
from clinkg.service.ranking.paths import Path

# (item, onset, side, course, older or not): everything an item's contributions depend on.
ContributionKey = tuple[str, str | None, str | None, str | None, bool]


@dataclass(frozen=True, eq=False, slots=True)
class Contribution:
    """What one reported item gives one cause: its best path, the weight it adds (path and confirmed
    qualifiers) and, when the item's edge contradicts a reported qualifier, the weight that takes away
    (< 0) and why. Compared by identity: each is made once and kept by the memo."""

    cause: str
    item: str
    weight: float
    route: str
    path: Path
    conflict: float = 0.0
    conflict_reason: str = ""


# cause -> the item's contribution to it, in the order the walk found the causes
Contributions = dict[str, Contribution]
TestsKey = tuple[tuple[str, ...], frozenset[str]]


@dataclass
class Memo:
    """Results that depend on the graph and the weights only, computed on first use.

    The finding and history walks, and the causes an absent finding counts against, are bounded by the
    graph's items; the contributions by items x qualifier combinations; the test rankings by request,
    hence bounded."""

    finding_paths: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    history_paths: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    contributions: dict[ContributionKey, Contributions] = field(default_factory=dict)
    penalised: dict[str, frozenset[str]] = field(default_factory=dict)
    item_reasons: dict[str, tuple[str, Reason]] = field(default_factory=dict)
    tests: BoundedCache[TestsKey, list[TestAdvice]] = field(default_factory=lambda: BoundedCache(4096))
