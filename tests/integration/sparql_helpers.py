"""Helpers of the SPARQL worker tests: a live service whose app (and worker pool) the test can reach, waits
on conditions (never on fixed times), and the processes of a service run as a command."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import psutil
from fastapi import FastAPI

from clinkg.service.api.app import create_app
from clinkg.service.server import in_thread
from clinkg.service.settings import Settings
from clinkg.service.sparql.workers import SparqlWorkers

ASK = "ASK { ?s ?p ?o }"


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    """A live service with these settings on a free loopback port; yields its URL and its app."""
    app = create_app(settings)
    with in_thread(settings, app=app) as url:
        yield url, app


def pool(app: FastAPI) -> SparqlWorkers:
    """The SPARQL worker pool of a live service's app."""
    workers: SparqlWorkers | None = app.state.connection.workers
    if workers is None:
        raise AssertionError("the service has no SPARQL workers")
    return workers


def until(condition: Callable[[], bool], what: str, within_s: float = 60.0) -> None:
    """Wait for a condition (not for a fixed time): polls until it holds, fails naming it after `within_s`,
    a deadline far beyond what the condition needs on a loaded machine."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within_s} s")
        time.sleep(0.05)


def ready(url: str) -> bool:
    """True when /ready says ready."""
    try:
        return httpx.get(f"{url}/ready", timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


def sparql(url: str, query: str, **params: str) -> httpx.Response:
    """The answer to one query, sent as an application/sparql-query body (no URL length limit)."""
    return httpx.post(
        f"{url}/sparql",
        content=query.encode(),
        params=params,
        headers={"content-type": "application/sparql-query"},
        timeout=120,
    )


def gone(process: psutil.Process) -> bool:
    """True when the process has ended (a zombie waiting for its parent has ended too)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def cpu_s(process: psutil.Process) -> float:
    """CPU seconds (user + system) the process has used; 0 once it is gone."""
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(times.user + times.system)
