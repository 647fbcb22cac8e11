"""A Ranking: the graph index with everything ranking derives from it, built once per served graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinkg.ontology import urgency_ranks
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.hpo_graph import HpoGraph
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.ranking.memo import Memo
from clinkg.service.ranking.paths import Path, walk_from_finding, walk_from_history
from clinkg.service.ranking.resolver import Resolver
from clinkg.service.ranking.tables import Tables, build_tables
from clinkg.service.ranking.weights import Weights, weights


@dataclass
class Ranking:
    """What the differential needs: the curated graph index, the HPO index of the release (when it has
    one), the weights, the request-independent tables and the memo of request-independent results; and
    what reads references against both graphs (the resolver) and walks the HPO graph for the routes."""

    index: GraphIndex
    hpo: HpoIndex | None = None
    weights: Weights = field(default_factory=weights)
    tables: Tables = field(init=False)
    memo: Memo = field(default_factory=Memo)
    # Diagnoses more urgent than the default: the only causes that can be must-not-miss.
    must_not_miss_causes: tuple[str, ...] = field(init=False)
    # Causes of the kinds listed as candidates (conditions), and every entity's urgency rank (the
    # default level's when it has none): request-independent parts of a candidate's order.
    listable: frozenset[str] = field(init=False)
    urgency_rank: dict[str, int] = field(init=False)
    resolver: Resolver = field(init=False)
    hpo_graph: HpoGraph | None = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.index, self.hpo, self.index.hierarchy)
        self.hpo_graph = None if self.hpo is None else HpoGraph(self.hpo, self.index)
        self.tables = build_tables(self.index)
        ranks, default = urgency_ranks(), self.weights.triage.default
        self.must_not_miss_causes = tuple(
            cause
            for cause in self.tables.has
            if self.index.entities[cause].kind in self.weights.candidate_kinds
            and ranks[self.index.entities[cause].urgency or default] > ranks[default]
        )
        entities = self.index.entities.values()
        self.listable = frozenset(e.id for e in entities if e.kind in self.weights.candidate_kinds)
        self.urgency_rank = {e.id: ranks[e.urgency or default] for e in entities}

    def finding_paths(self, finding: str) -> tuple[Path, ...]:
        """Every path from a finding to a cause (walked once per finding)."""
        found = self.memo.finding_paths.get(finding)
        if found is None:
            found = self.memo.finding_paths[finding] = walk_from_finding(self.index, finding, self.weights)
        return found

    def history_paths(self, item: str) -> tuple[Path, ...]:
        """Every path from a history item to the causes it is or leads to (walked once per item)."""
        found = self.memo.history_paths.get(item)
        if found is None:
            found = self.memo.history_paths[item] = walk_from_history(self.index, item, self.weights)
        return found
