"""SPARQL in worker processes that can be stopped: pyoxigraph has no way to cancel a running query from
Python, so a query past its budget is ended by killing its process, and a fresh worker takes its place.

The pool is also the concurrency limit of /sparql: when every worker is busy, the answer is 503 with
Retry-After instead of a queue that grows without bound.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import anyio.to_thread

from clinkg.service.sparql.exec import QueryFailedError

_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a process holding RocksDB and threads


def _work(store_path: str, conn: Connection) -> None:
    import pyoxigraph as ox

    from clinkg.service.sparql.exec import execute

    store = ox.Store.read_only(store_path)
    while True:
        job = conn.recv()
        if job is None:
            return
        text, dataset, federation, accept, formats = job
        if dataset is not None:
            dataset = {
                "default_graph": [ox.NamedNode(iri) for iri in dataset["default_graph"]],
                "named_graphs": [ox.NamedNode(iri) for iri in dataset["named_graphs"]],
            }
        try:
            conn.send(("ok", *execute(store, text, dataset, federation, accept, formats)))
        except QueryFailedError as failure:
            conn.send(("fail", failure.status, failure.detail))
        except Exception as exc:  # anything else is the query's failure, not the worker's
            conn.send(("fail", 500, f"the query failed: {exc}"))


class _Worker:
    def __init__(self, store_path: Path) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(target=_work, args=(str(store_path), child), daemon=True)
        self.process.start()
        child.close()

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()


class SparqlWorkers:
    """A fixed number of worker processes over one read-only store."""

    def __init__(
        self, store_path: Path, size: int, retry_after_s: int = 1, queue_wait_s: float = 1.0
    ) -> None:
        self.store_path = store_path
        self.size = size
        self.retry_after_s = retry_after_s
        self.queue_wait_s = queue_wait_s
        self._free: asyncio.Semaphore | None = None
        self._idle: list[_Worker] = [_Worker(store_path) for _ in range(size)]
        self._lock = threading.Lock()
        self._all: set[_Worker] = set(self._idle)

    def _take(self) -> _Worker | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        fresh = _Worker(self.store_path)
        with self._lock:
            self._all.discard(worker)
            self._all.add(fresh)
            self._idle.append(fresh)

    async def run(self, job: tuple[Any, ...], timeout_s: float) -> tuple[str, bytes]:
        """Run one query job; QueryFailedError with 503 when all workers stay busy or the budget runs out."""
        if self._free is None:  # made in the serving event loop
            self._free = asyncio.Semaphore(self.size)
        try:
            # A short, bounded wait for a free worker absorbs bursts; beyond it the answer is 503.
            await asyncio.wait_for(self._free.acquire(), self.queue_wait_s)
        except TimeoutError:
            raise QueryFailedError(503, f"all {self.size} SPARQL workers are busy; retry shortly") from None
        try:
            return await self._run(job, timeout_s)
        finally:
            self._free.release()

    async def _run(self, job: tuple[Any, ...], timeout_s: float) -> tuple[str, bytes]:
        worker = self._take()
        if worker is None:  # only while a killed worker is being replaced
            raise QueryFailedError(503, f"all {self.size} SPARQL workers are busy; retry shortly")
        try:
            worker.conn.send(job)
            ready = await anyio.to_thread.run_sync(worker.conn.poll, timeout_s)
        except (OSError, EOFError):
            ready = False
        if not ready:
            # Killing the process is the only way to stop the query's CPU; a new worker replaces it.
            await asyncio.get_running_loop().run_in_executor(None, self._replace, worker)
            raise QueryFailedError(503, f"the query did not finish within {timeout_s} s and was stopped")
        try:
            answer = worker.conn.recv()
        except (OSError, EOFError):
            await asyncio.get_running_loop().run_in_executor(None, self._replace, worker)
            raise QueryFailedError(503, "the SPARQL worker stopped; please retry") from None
        self._give_back(worker)
        if answer[0] == "fail":
            raise QueryFailedError(answer[1], answer[2])
        return answer[1], answer[2]

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._all, self._idle = list(self._all), set(), []
        for worker in workers:
            worker.stop()
