"""SPARQL worker processes as `clinkg serve` runs them: small, started outside any query's budget, gone with
a server killed by SIGKILL, and ending a query past its budget by themselves when nobody is left to stop
them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from clinkg.service.server import free_port
from clinkg.service.sparql.exec import QueryFailedError
from clinkg.service.sparql.workers import Job, SparqlWorkers

from .sparql_helpers import ASK, cpu_s, gone, ready, sparql, until

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CLINKG = str(Path(sys.executable).parent / "clinkg")
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # billions of rows
MB = 2**20


@contextmanager
def clinkg_serve(
    build_dir: Path, **settings: str
) -> Iterator[tuple[str, psutil.Process, list[psutil.Process]]]:
    """`clinkg serve` on the session's store, ready; yields its URL, its process and its workers (each
    killed at the end if still there)."""
    port = free_port()
    env = {**os.environ, "CLINKG_STORE_PATH": str(build_dir / "store")}
    env |= {f"CLINKG_{name.upper()}": value for name, value in settings.items()}
    process = subprocess.Popen(  # noqa: S603 - the installed command
        [CLINKG, "serve", "--port", str(port), "--no-build"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = psutil.Process(process.pid)
    workers: list[psutil.Process] = []
    try:
        url = f"http://127.0.0.1:{port}"
        until(lambda: process.poll() is not None or ready(url), "clinkg serve ready")
        assert process.poll() is None, "clinkg serve ended"
        # Every child is a worker (multiprocessing's resource tracker, which an older pool started, is not).
        children = server.children()
        workers.extend(c for c in children if "resource_tracker" not in " ".join(c.cmdline()))
        yield url, server, workers
    finally:
        process.kill()
        process.wait(timeout=30)
        for worker in workers:
            with contextlib.suppress(psutil.Error):
                worker.kill()


def test_a_busy_worker_dies_with_a_server_killed_by_sigkill(build_dir: Path) -> None:
    with clinkg_serve(build_dir, sparql_timeout_s="600", sparql_workers="1") as (url, server, workers):
        (worker,) = workers
        baseline = cpu_s(worker)

        def heavy() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server dies under it
                sparql(url, CROSS_JOIN)

        threading.Thread(target=heavy, daemon=True).start()
        until(lambda: cpu_s(worker) > baseline + 0.5, "the worker busy with the cross join")
        server.send_signal(signal.SIGKILL)
        until(lambda: gone(worker), "the worker gone with its server")


def test_the_query_after_a_timeout_waits_for_a_ready_worker_and_keeps_its_budget(build_dir: Path) -> None:
    """The replacement for a stopped worker starts in the background: the next query waits for it (within
    the queue wait), and its budget starts when a ready worker has it, not while the worker starts up."""
    settings = {"sparql_timeout_s": "1", "sparql_workers": "1", "sparql_queue_wait_s": "60"}
    with clinkg_serve(build_dir, **settings) as (url, _, _):
        for _ in range(3):
            timed_out = sparql(url, CROSS_JOIN)
            assert timed_out.status_code == 503 and "did not finish" in timed_out.json()["detail"]
            answer = sparql(url, ASK)
            assert answer.status_code == 200, answer.text


def test_a_worker_is_small_and_the_curated_service_at_rest_fits_in_300_mb(build_dir: Path) -> None:
    with clinkg_serve(build_dir) as (url, server, workers):
        assert sparql(url, ASK).status_code == 200
        assert len(workers) == 2
        for worker in workers:
            # What a worker has mapped: pyoxigraph and the interpreter, never the app's libraries.
            mapped = " ".join(m.path for m in worker.memory_maps())
            for library in ("pydantic_core", "numpy", "spacy", "bm25s", "rapidfuzz", "uvloop"):
                assert library not in mapped, library
            assert worker.memory_info().rss < 80 * MB
        sizes = [p.memory_info().rss for p in (server, *workers)]
        print(f"RSS at rest: main {sizes[0] // MB} MB, workers {[s // MB for s in sizes[1:]]} MB")
        assert sum(sizes) <= 300 * MB


def test_a_worker_ends_a_query_past_its_budget_by_itself(
    build_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server would stop the query a minute late: the worker's own timer ends it first (its process
    ends by SIGALRM, which the server reports as the timeout)."""
    workers = SparqlWorkers(build_dir / "store", 1, queue_wait_s=60, kill_grace_s=60)
    job = Job(
        query=CROSS_JOIN,
        dataset=None,
        federation=False,
        accept=None,
        formats=[],
        timeout_s=1.0,
        max_rows=1000,
        max_bytes=MB,
        max_nesting=64,
        max_operators=1000,
    )
    try:
        with caplog.at_level(logging.WARNING, logger="clinkg"), pytest.raises(QueryFailedError) as failure:
            asyncio.run(workers.run(job))
    finally:
        workers.close()
    assert failure.value.status == 503
    assert "did not finish within 1.0 s" in failure.value.detail
    assert any("signal SIGALRM" in record.getMessage() for record in caplog.records)
