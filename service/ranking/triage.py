"""Triage: how soon the person needs care, why, and what to do. Pure functions over the graph index.

The level is the most urgent of three kinds of reason (ranking_weights.yaml, `triage`):
- `red_flag`: a triggered red flag, at its urgency;
- `must_not_miss`: a cause more urgent than a consult, supported by enough reported items, one of them a
  finding characteristic of it (no cause outside its family has that finding);
- `needs_assessment` / `self_limiting`: each reported item on its own asks for a consult, or for self-care
  when every cause it can point to is self-care.
Each kind only grows when a present item is added, so more evidence never lowers triage; absent findings
take no part, so a pertinent negative never silences a triggered flag or a must-not-miss cause.
The action and safety net are the wording of the triggered flag or of the level's triage advice (content,
with provenance); where the content says nothing, the answer says nothing.
"""

from __future__ import annotations

from clinkg.ontology import urgency_ranks
from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.model import Query, RaisedFlag, Reason, Triage

RED_FLAG = "red_flag"
MUST_NOT_MISS = "must_not_miss"
NEEDS_ASSESSMENT = "needs_assessment"
SELF_LIMITING = "self_limiting"


def item_level(r: Ranking, item: str) -> str:
    """What one reported item asks for on its own: self-care when every cause it can point to is
    self-care, otherwise the default (a consult)."""
    entities = r.index.entities
    paths = r.finding_paths(item) if entities[item].type == "finding" else r.history_paths(item)
    reached = {p.end for p in paths}
    benign = bool(reached) and all(entities[c].urgency == "self_care" for c in reached)
    return "self_care" if benign else r.weights.triage.default


def item_reason(r: Ranking, item: str) -> tuple[str, Reason]:
    """The level one reported item asks for on its own, with its reason (memoised: it is the item's)."""
    found = r.memo.item_reasons.get(item)
    if found is None:
        level, label = item_level(r, item), r.index.entities[item].label
        rule, detail = (
            (SELF_LIMITING, f"every cause {label} points to in the graph is self-limiting")
            if level == "self_care"
            else (NEEDS_ASSESSMENT, f"{label} can come from causes that need assessment")
        )
        found = r.memo.item_reasons[item] = (level, Reason(item, rule, detail))
    return found


def must_not_miss(r: Ranking, present: tuple[str, ...], had: frozenset[str]) -> list[tuple[str, str]]:
    """(cause, why) for every cause more urgent than the default that the present items specifically
    support: findings it has (reported, or implied as the general form of a reported one) plus history
    items that lead to it number at least `must_not_miss_min_evidence`, and one of those findings is
    characteristic of it."""
    t, w, index = r.tables, r.weights, r.index
    history = [i for i in present if i not in t.forms_up]
    leads = {h: {p.end for p in r.history_paths(h)} for h in history}
    found = []
    for cause in r.must_not_miss_causes:
        characteristic = sorted(had & t.characteristic[cause])
        if not characteristic:
            continue
        shown = sorted(had & t.has[cause])
        led = [h for h in history if cause in leads[h]]
        if len(shown) + len(led) >= w.triage.must_not_miss_min_evidence:
            label, entity = index.entities, index.entities[cause]
            why = (
                f"{', '.join(label[f].label for f in characteristic)}: characteristic of {entity.label}; "
                f"supported by {', '.join(label[i].label for i in (*shown, *led))}"
            )
            found.append((cause, why))
    return found


def triage(r: Ranking, query: Query, flags: list[RaisedFlag], had: frozenset[str]) -> Triage:
    """The level, every reason that asks for it, and the action and safety net to show (`had`: the
    findings the present items imply, Tables.implied)."""
    ranks = urgency_ranks()
    entities, w = r.index.entities, r.weights
    asks: list[tuple[str, Reason]] = []
    for raised in flags:
        level = raised.flag.urgency or w.triage.default
        met = ", ".join(entities[f].label for f in raised.triggered_by)
        asks.append((level, Reason(raised.flag.id, RED_FLAG, f"{raised.flag.label}: {met}")))
    for cause, why in must_not_miss(r, query.present, had):
        asks.append((entities[cause].urgency or w.triage.default, Reason(cause, MUST_NOT_MISS, why)))
    for item in query.present:
        asks.append(item_reason(r, item))
    level = max((lvl for lvl, _ in asks), key=lambda lvl: ranks[lvl], default=w.triage.default)
    reasons = tuple(reason for lvl, reason in asks if lvl == level)
    advice = r.tables.advice.get(level)
    at_level = [r for r in flags if (r.flag.urgency or w.triage.default) == level]
    action: str | None = advice.action if advice else None
    source: str | None = advice.id if advice else None
    if at_level:
        # The flag whose pattern the most reported findings meet speaks; ties go to the flag id only to be
        # stable (every triggered flag is in the answer with its own action).
        speaker = min(at_level, key=lambda r: (-len(r.triggered_by), r.flag.id)).flag
        action, source = speaker.action, speaker.id
    return Triage(level, reasons, action, advice.safety_net if advice else None, source)
