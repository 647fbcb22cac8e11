"""SPARQL in worker processes that can be stopped: pyoxigraph has no way to cancel a running query from
Python, so a query past its budget ends with its process, and a fresh worker takes its place.

The pool is also the concurrency limit of /sparql: a query waits at most `queue_wait_s` for a ready
worker, then the answer is 503 with Retry-After instead of a queue that grows without bound.

What keeps a worker honest:
- It is a small process (`python -c` running service/sparql/exec.py's `worker_main`: pyoxigraph and
  the exec module, not the app), under an address-space cap (RLIMIT_AS), with a stack deep enough for
  what the endpoint's shape limits let through.
- It dies with the server (PR_SET_PDEATHSIG, and a watchdog on the pipe and the parent pid), and it ends
  itself when a query outlives its budget, so no query runs on unwatched.
- It serves the release it was started on: the store path is resolved once, when the pool is made, so a
  rebuild that switches `current` does not reach replacements.
- One long-lived thread (the keeper) starts every worker, in the background and outside any query's
  budget, and replaces those that die, busy or idle. PDEATHSIG fires when the thread that started a
  process ends, so no short-lived thread may start one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import NotRequired, TypedDict

import anyio.to_thread

from clinkg.service.sparql.exec import (
    ProtocolError,
    QueryFailedError,
    memory_detail,
    receive_message,
    send_message,
)

log = logging.getLogger("clinkg")

ENTRY = "from clinkg.service.sparql.exec import worker_main; worker_main()"
START_TIMEOUT_S = 60.0  # a worker that has not opened its store by then is replaced
KILL_GRACE_S = 1.0  # the worker ends itself at the budget; the server kills it this much later
WATCH_INTERVAL_S = 1.0  # how often idle workers are checked for life when nothing else happens
MAX_BACKOFF_S = 30.0  # between attempts when workers cannot start (a missing store)
REPLY_HEAD_BYTES = 1 << 20


class Job(TypedDict):
    """One query for a worker, with every limit it runs under."""

    query: str
    dataset: dict[str, list[str]] | None
    federation: bool
    accept: str | None
    formats: list[str]
    timeout_s: float
    max_rows: int
    max_bytes: int
    max_nesting: int
    max_operators: int
    prefixes: NotRequired[dict[str, str]]  # declared in a graph written as Turtle or TriG


class _WorkerWasDeadError(Exception):
    """The worker was gone before it got the job: the job can go to another one."""


class _Worker:
    def __init__(self, process: subprocess.Popen[bytes], sock: socket.socket) -> None:
        self.process = process
        self.sock = sock

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_code(self, wait_s: float) -> int | None:
        """The worker's exit code once it has ended (its pipe closed), or None if it lingers."""
        try:
            return self.process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.exit_code(10)
        self.sock.close()

    def stop(self) -> None:
        # The worker's watchdog ends it when its pipe closes; kill it if that does not happen.
        self.sock.close()
        if self.exit_code(5) is None:
            self.kill()


def _describe(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"exit code {code}"


class SparqlWorkers:
    """A fixed number of worker processes over one read-only store, pinned to the release it is now."""

    def __init__(
        self,
        store_path: Path,
        size: int,
        retry_after_s: int = 1,
        queue_wait_s: float = 1.0,
        memory_mb: int = 1024,
        kill_grace_s: float = KILL_GRACE_S,
    ) -> None:
        self.store_path = store_path.resolve()  # `current` read once: replacements open the same release
        self.size = size
        self.retry_after_s = retry_after_s
        self.queue_wait_s = queue_wait_s
        self.memory_mb = memory_mb
        self.kill_grace_s = kill_grace_s
        self.error: str | None = None  # why workers cannot start, while they cannot
        self._lock = threading.Lock()
        self._idle: deque[_Worker] = deque()
        self._all: set[_Worker] = set()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._filled = False  # every worker of the first round answered its ping
        self._starting: _Worker | None = None
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name="sparql-keeper", daemon=True)
        self._keeper.start()

    @property
    def ready(self) -> bool:
        """True once every worker has started and answered a ping, while at least one is alive."""
        with self._lock:
            return self._filled and bool(self._all)

    def pids(self) -> list[int]:
        """The process ids of the workers alive now, for operators and tests."""
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)

    def state(self) -> str:
        """Why the pool is not ready (or that it is), for /ready."""
        with self._lock:
            live, filled = len(self._all), self._filled
        if self.size < 1:
            return "no SPARQL worker (CLINKG_SPARQL_WORKERS is 0)"
        if filled and live:
            return f"{live} of {self.size} SPARQL workers ready"
        if self.error:
            return f"SPARQL workers cannot start: {self.error}"
        return f"SPARQL workers are starting ({live} of {self.size} ready)"

    async def run(self, job: Job) -> tuple[str, bytes]:
        """Run one query job on a ready worker; QueryFailedError (503) when none is free within the queue
        wait, when the budget runs out, or when the worker dies; the worker's own refusals as they are."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.queue_wait_s
        while True:
            worker = await self._acquire(deadline)
            try:
                # The pipe is read in a thread: a large answer never holds the event loop.
                return await anyio.to_thread.run_sync(self._exchange, worker, job)
            except _WorkerWasDeadError:
                continue

    async def _acquire(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        while True:
            wake: asyncio.Future[None] = loop.create_future()
            worker = self._take(loop, wake)
            if worker is not None:
                return worker
            try:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise QueryFailedError(503, self._busy())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake, remaining)
            finally:
                with self._lock, contextlib.suppress(ValueError):
                    self._waiters.remove((loop, wake))

    def _busy(self) -> str:
        with self._lock:
            live = len(self._all)
        if not live and self.error:
            return f"SPARQL workers cannot start: {self.error}; retry later"
        if live < self.size:
            return f"SPARQL workers are starting ({live} of {self.size} ready); retry shortly"
        return f"all {self.size} SPARQL workers are busy; retry shortly"

    def _take(self, loop: asyncio.AbstractEventLoop, wake: asyncio.Future[None]) -> _Worker | None:
        """A live idle worker, or None with `wake` registered to hear of the next one."""
        dead: list[_Worker] = []
        found = None
        with self._lock:
            while self._idle:
                worker = self._idle.popleft()
                if worker.alive:
                    found = worker
                    break
                dead.append(worker)
                self._all.discard(worker)
            if found is None:
                self._waiters.append((loop, wake))
        for worker in dead:  # died while idle: never handed a query
            worker.kill()
        if dead:
            self._wake.set()
        return found

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker not in self._all:  # the pool was closed meanwhile
                closed = True
            else:
                closed = False
                self._idle.append(worker)
        if closed:
            worker.stop()
        self._notify()

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        self._wake.set()  # the keeper starts a replacement, outside any query's budget

    def _notify(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, wake in waiters:
            with contextlib.suppress(RuntimeError):  # a loop that has closed has no one waiting
                loop.call_soon_threadsafe(_set, wake)

    def _exchange(self, worker: _Worker, job: Job) -> tuple[str, bytes]:
        """In a thread: send the job, read the answer by the budget; keep or replace the worker."""
        deadline = time.monotonic() + job["timeout_s"] + self.kill_grace_s
        try:
            send_message(worker.sock, job, deadline=deadline)
        except OSError:
            self._retire(worker)
            raise _WorkerWasDeadError from None
        try:
            head, body = receive_message(worker.sock, REPLY_HEAD_BYTES, job["max_bytes"], deadline)
        except TimeoutError:
            self._retire(worker)  # killing the process is the only way to stop the query's CPU
            raise QueryFailedError(503, _timeout_detail(job["timeout_s"])) from None
        except (EOFError, OSError) as exc:
            code = worker.exit_code(5)
            log.warning("SPARQL worker %s ended on a query: %s", worker.process.pid, _describe(code))
            self._retire(worker)
            raise QueryFailedError(503, self._death_detail(code, job["timeout_s"], exc)) from None
        except (ProtocolError, ValueError) as exc:
            self._retire(worker)
            raise QueryFailedError(500, f"the SPARQL worker answered out of protocol: {exc}") from None
        if head.get("retire"):
            self._retire(worker)
        else:
            self._give_back(worker)
        if head.get("ok"):
            return str(head["media"]), body
        raise QueryFailedError(int(head["status"]), str(head["detail"]))

    def _death_detail(self, code: int | None, timeout_s: float, exc: Exception) -> str:
        if code == -signal.SIGALRM:
            return _timeout_detail(timeout_s)
        if code == -signal.SIGABRT and self.memory_mb > 0:
            # An allocation refused under RLIMIT_AS aborts the process (Rust's allocation-failure path).
            return memory_detail(self.memory_mb * 2**20)
        if code is None:
            return f"the SPARQL worker stopped answering ({type(exc).__name__}) and was replaced; retry"
        return f"the SPARQL worker ended on this query ({_describe(code)}) and was replaced; retry"

    def _keep(self) -> None:
        # This thread must outlive every worker it started (PDEATHSIG): nothing may end it but close().
        backoff = 0.0
        while not self._closing.is_set():
            self._wake.clear()
            try:
                backoff = self._fill(backoff)
            except Exception:
                log.exception("the SPARQL worker keeper failed; it carries on")
                backoff = MAX_BACKOFF_S
            self._wake.wait(backoff or WATCH_INTERVAL_S)

    def _fill(self, backoff: float) -> float:
        """Drop dead idle workers and start the missing ones; the wait before the next attempt."""
        self._drop_dead_idle()
        while not self._closing.is_set() and self._missing() > 0:
            try:
                worker = self._start()
            except RuntimeError as exc:
                self.error = str(exc)
                log.warning("%s", exc)
                return min(max(2 * backoff, 0.5), MAX_BACKOFF_S)
            self.error = None
            with self._lock:
                self._all.add(worker)
                self._idle.append(worker)
                self._filled = self._filled or len(self._all) >= self.size
            self._notify()
        return 0.0

    def _missing(self) -> int:
        with self._lock:
            return self.size - len(self._all)

    def _drop_dead_idle(self) -> None:
        with self._lock:
            dead = [worker for worker in self._idle if not worker.alive]
            for worker in dead:
                self._idle.remove(worker)
                self._all.discard(worker)
        for worker in dead:
            worker.kill()

    def _start(self) -> _Worker:
        """Start one worker and wait for its ping (the keeper thread only; see the module docstring)."""
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and entry, no shell
                [
                    sys.executable,
                    "-P",  # not the working folder on sys.path: only the installed clinkg
                    "-c",
                    ENTRY,
                    str(theirs.fileno()),
                    str(os.getpid()),
                    str(self.store_path),
                    str(self.memory_mb * 2**20),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                # One malloc arena (a worker runs one query at a time): each arena reserves 64 MB of
                # address space, which RLIMIT_AS counts.
                env={**os.environ, "MALLOC_ARENA_MAX": "1"},
            )
        except OSError as exc:
            ours.close()
            raise RuntimeError(f"a SPARQL worker could not be started: {exc}") from exc
        finally:
            theirs.close()
        worker = self._starting = _Worker(process, ours)
        try:
            head, _ = receive_message(ours, REPLY_HEAD_BYTES, 0, time.monotonic() + START_TIMEOUT_S)
        except (TimeoutError, EOFError, OSError, ProtocolError, ValueError):
            worker.kill()
            raise RuntimeError(f"a SPARQL worker did not start ({_describe(process.returncode)})") from None
        finally:
            self._starting = None
        if not head.get("ready"):
            worker.kill()
            raise RuntimeError(str(head.get("detail", "a SPARQL worker did not start")))
        return worker

    def close(self) -> None:
        """Stop the keeper, so that it starts no more, then every worker (any still running when the
        keeper ends is killed by the kernel: PDEATHSIG)."""
        self._closing.set()
        self._wake.set()
        starting = self._starting
        if starting is not None:
            starting.kill()
        self._keeper.join(timeout=START_TIMEOUT_S)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.stop()
        self._notify()


def _set(wake: asyncio.Future[None]) -> None:
    if not wake.done():
        wake.set_result(None)


def _timeout_detail(timeout_s: float) -> str:
    return f"the query did not finish within {timeout_s} s and was stopped"
