"""The same answers from either store: the graph index and the differential through the Cypher library
(executed on a real FalkorDB server) equal those through the SPARQL library on Oxigraph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from clinkg.service.api.connection import Served, answer_json, serve
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.stores.cypher import falkordb_backend
from clinkg.service.stores.oxigraph import OxigraphBackend

pytestmark = pytest.mark.integration

CASES: list[dict[str, Any]] = [
    {"present": ["leg-weakness", "difficulty-walking"], "onset": "sudden", "laterality": "unilateral"},
    {"present": ["leg-weakness", "saddle-anesthesia", "urinary-retention", "severe-back-pain"]},
    {"present": ["leg-weakness", "viral-infection"], "onset": "rapid", "laterality": "bilateral"},
    {"present": ["claudication"]},
    {"present": ["exercise-muscle-soreness", "overexertion"]},
    {"present": ["leg-weakness", "severe-back-pain"], "absent": ["saddle-anesthesia"]},
    {"present": ["leg-weakness", "diuretics"], "age": 80},
]


@pytest.fixture(scope="module")
def indexes(falkordb_graph: Any, build_dir: Path) -> tuple[Served, Served]:
    return serve(OxigraphBackend.open(build_dir / "store")), serve(falkordb_backend(falkordb_graph))


def test_both_backends_give_the_same_graph_index(indexes: tuple[Served, Served]) -> None:
    embedded, cypher = (served.index for served in indexes)
    assert embedded.entities == cypher.entities
    key = lambda e: (e.subject, e.predicate, e.object)  # noqa: E731
    assert sorted(embedded.edges, key=key) == sorted(cypher.edges, key=key)


@pytest.mark.parametrize("body", CASES, ids=[str(i) for i in range(len(CASES))])
def test_the_differential_is_the_same_on_both_backends(
    indexes: tuple[Served, Served], body: dict[str, Any]
) -> None:
    embedded, cypher = indexes
    request = DifferentialRequest.model_validate(body)
    # Answers hold pre-serialized JSON fragments: compare the bytes a client receives.
    assert orjson.dumps(answer_json(request, cypher)) == orjson.dumps(answer_json(request, embedded))
