"""The ranking weights (ranking_weights.yaml), validated once per process."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class PathWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    direct: float
    mechanism: float
    risk_factor: float
    form_of: float = Field(gt=0, le=1)
    subtype: float
    chain_step: float


class HpoWeights(BaseModel):
    """Weights of the HPO ranking (scope "hpo"); how they are used: service/ranking/hpo_rank.py."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ancestor_discount: float = Field(ge=0, le=1)
    unexplained: float = Field(ge=0)
    not_annotated: float = Field(ge=0)
    absent_annotated: float = Field(ge=0)
    unknown_frequency: float = Field(gt=0, le=1)
    frequency_floor: float = Field(gt=0, lt=1)
    size_exponent: float = Field(ge=0, le=1)
    candidates: int = Field(ge=1)


class TriagePolicy(BaseModel):
    """How triage is set; documented in ranking_weights.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    must_not_miss_min_evidence: int = Field(ge=1)
    default: Literal["emergency", "consult", "self_care"]


class Weights(BaseModel):
    """Our ranking weights; documented in ranking_weights.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: PathWeights
    max_chain_depth: int
    history_item: float
    qualifier_match: float
    qualifier_conflict: float
    absent_expected: float
    red_flag_concern: float
    candidates: int = Field(ge=1)
    candidate_kinds: frozenset[str]
    tests_for_top: int
    paths_per_candidate: int
    triage: TriagePolicy
    older_adult_min_age: int
    hpo: HpoWeights


@cache
def weights() -> Weights:
    """The packaged ranking weights."""
    text = (files("clinkg.service.ranking") / "ranking_weights.yaml").read_text(encoding="utf-8")
    return Weights.model_validate(yaml.safe_load(text))
