"""Neo4j for real, in a testcontainers container: the loader, the backend and the read-only guard.

Skipped, with the reason printed, where no Docker engine answers (as on our machines and in CI).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from clinkg.loaders.content import Content
from clinkg.loaders.neo4j import data_statements, load_neo4j

pytestmark = pytest.mark.integration
IMAGE = "neo4j:5.26-community"
PASSWORD = "clinkg-test-password"  # noqa: S105 - a throwaway container's password
CLINKG = str(Path(sys.executable).parent / "clinkg")


def _docker_reason() -> str | None:
    try:
        import docker

        docker.from_env().ping()
    except Exception as exc:
        return f"no Docker engine answers ({type(exc).__name__}: {exc}); Neo4j container tests need one"
    return None


@pytest.fixture(scope="module")
def neo4j_uri() -> Iterator[str]:
    reason = _docker_reason()
    if reason:
        print(f"SKIP Neo4j tests: {reason}")
        pytest.skip(reason)
    from testcontainers.neo4j import Neo4jContainer

    with Neo4jContainer(IMAGE, password=PASSWORD) as container:
        yield container.get_connection_url()


@pytest.fixture(scope="module")
def driver(neo4j_uri: str) -> Iterator[Any]:
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_uri, auth=("neo4j", PASSWORD)) as drv:
        yield drv


def count(driver: Any, query: str) -> int:
    records, _, _ = driver.execute_query(query)
    return int(records[0][0])


def graph_snapshot(driver: Any) -> list[list[Any]]:
    """Every node id with its outgoing relationships, in a fixed order."""
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) OPTIONAL MATCH (n)-[r]->(m) RETURN n.id, type(r), m.id ORDER BY n.id, type(r), m.id"
    )
    return [r.values() for r in records]


def test_load_creates_every_node_and_relationship_with_constraints(driver: Any, curated: Content) -> None:
    load_neo4j(driver, "neo4j", curated)
    assert count(driver, "MATCH (n:Entity) RETURN count(n)") == sum(1 for _ in curated.entities()) + len(
        curated.sources
    )
    assert count(driver, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r)") == sum(1 for _ in curated.edges())
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name)")
    assert "clinkg_entity_id" in records[0][0]


def test_loading_twice_leaves_the_same_graph(driver: Any, curated: Content) -> None:
    load_neo4j(driver, "neo4j", curated)
    first = graph_snapshot(driver)
    load_neo4j(driver, "neo4j", curated)
    assert graph_snapshot(driver) == first


def test_a_failing_load_leaves_the_previous_graph(
    driver: Any, curated: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    import neo4j

    from clinkg.loaders import neo4j as loader

    load_neo4j(driver, "neo4j", curated)
    before = count(driver, "MATCH (n:Entity) RETURN count(n)")

    def broken(content: Content) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from list(data_statements(content))[:3]
        yield "THIS IS NOT CYPHER", {}

    monkeypatch.setattr(loader, "data_statements", broken)
    with pytest.raises(neo4j.exceptions.Neo4jError):
        loader.load_neo4j(driver, "neo4j", curated)
    assert count(driver, "MATCH (n:Entity) RETURN count(n)") == before


def test_a_load_killed_at_any_point_leaves_the_previous_graph(
    neo4j_uri: str, driver: Any, curated: Content
) -> None:
    """SIGKILL of `clinkg load neo4j` mid-run: the server rolls the open transaction back."""
    load_neo4j(driver, "neo4j", curated)
    before = graph_snapshot(driver)
    command = [CLINKG, "load", "neo4j", "--uri", neo4j_uri, "--user", "neo4j", "--database", "neo4j"]
    environment = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    for delay in (0.5, 1.0, 2.0, 3.0):
        process = subprocess.Popen(
            command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert graph_snapshot(driver) == before, f"killed at {delay} s"
    assert subprocess.run(command, env=environment, capture_output=True, timeout=300).returncode == 0
    assert graph_snapshot(driver) == before


def test_the_backend_answers_the_differential_like_the_embedded_store(
    neo4j_uri: str, driver: Any, curated: Content, build_dir: Any
) -> None:
    from clinkg.service.api.connection import answer_json, serve
    from clinkg.service.api.models import DifferentialRequest
    from clinkg.service.stores.cypher import neo4j_backend
    from clinkg.service.stores.oxigraph import OxigraphBackend

    load_neo4j(driver, "neo4j", curated)
    graph = serve(neo4j_backend(neo4j_uri, "neo4j", PASSWORD, "neo4j", 10.0))
    embedded = serve(OxigraphBackend.open(build_dir / "store"))
    for body in (
        {"present": ["leg-weakness", "saddle-anesthesia", "urinary-retention"]},
        {"present": ["leg-weakness", "viral-infection"], "onset": "rapid", "laterality": "bilateral"},
        {"present": ["claudication"]},
    ):
        request = DifferentialRequest.model_validate(body)
        assert orjson.dumps(answer_json(request, graph)) == orjson.dumps(answer_json(request, embedded))


def test_writes_through_the_backend_are_refused_by_the_read_transaction(neo4j_uri: str, driver: Any) -> None:
    from clinkg.service.stores.cypher import neo4j_backend

    backend = neo4j_backend(neo4j_uri, "neo4j", PASSWORD, "neo4j", 10.0)
    with pytest.raises(Exception, match="(?i)write|read"):
        backend.run_user("CREATE (n:Intruder) RETURN n", {}, 10)
    assert count(driver, "MATCH (n:Intruder) RETURN count(n)") == 0


def test_the_database_plan_decides_what_a_user_query_may_do(
    neo4j_uri: str, driver: Any, curated: Content
) -> None:
    # Issue 17, item 12: past the linear pre-check, EXPLAIN in a READ transaction must plan a read.
    from clinkg.service.stores.base import WriteRefusedError
    from clinkg.service.stores.cypher import neo4j_backend

    load_neo4j(driver, "neo4j", curated)
    backend = neo4j_backend(neo4j_uri, "neo4j", PASSWORD, "neo4j", 10.0)
    columns, rows, truncated = backend.run_user(
        "MATCH (n) CALL { WITH n RETURN n.id AS id } RETURN id LIMIT 3", {}, 10
    )
    assert columns == ["id"] and 0 < len(rows) <= 3 and not truncated
    with pytest.raises(WriteRefusedError):  # run_user is past the guard: the plan alone refuses it
        backend.run_user("MERGE (n:Intruder {id: 'x'}) RETURN n", {}, 10)
    assert count(driver, "MATCH (n:Intruder) RETURN count(n)") == 0


def test_an_hpo_release_is_switched_in_one_transaction(
    neo4j_uri: str, driver: Any, curated: Content, hpo_build_dir: Path
) -> None:
    """On real Neo4j: a new HPO release beside the current one, a failed load unseen, then the switch;
    the HPO queries answer what the embedded store answers for the same slice."""
    from clinkg.loaders.hpo.graph import load_hpo_neo4j
    from clinkg.service.ranking.hpo_rank import HpoIndex
    from clinkg.service.stores.cypher import neo4j_backend
    from clinkg.service.stores.oxigraph import OxigraphBackend

    from .conftest import HPO_DISEASES, HPO_LIMIT

    load_neo4j(driver, "neo4j", curated)
    load_hpo_neo4j(driver, "neo4j", limit=200, release="old")
    backend = neo4j_backend(neo4j_uri, "neo4j", PASSWORD, "neo4j", 30.0)
    before = backend.run("hpo_diseases")
    load_hpo_neo4j(driver, "neo4j", limit=HPO_LIMIT, diseases=HPO_DISEASES)
    assert count(driver, "MATCH (n:Entity {graph: 'hpo', release: 'old'}) RETURN count(n)") == 0
    assert len(backend.run("hpo_diseases")) > len(before)
    embedded = HpoIndex.load(OxigraphBackend.open(hpo_build_dir / "store"))
    through_neo4j = HpoIndex.load(backend)
    assert embedded is not None and through_neo4j is not None
    assert through_neo4j.positive == embedded.positive and through_neo4j.ic == embedded.ic
