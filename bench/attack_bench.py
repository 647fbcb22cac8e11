"""The red team's attacks (issue 17) against a real `clinkg serve`, each while /health is polled.

For every attack: what the attacker got (status, seconds) and /health's latency while it ran (p99, max,
failures). The goal: every attack answered 4xx or an honest 503 within its budget, and /health p99 under
100 ms throughout. Also the service's resident memory (main process and SPARQL workers) at rest and after
the attacks. Prints figures, asserts nothing (the regression tests live in tests/).

    .venv/bin/python bench/attack_bench.py
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).parent))

from memory_bench import service  # noqa: E402 - after the path is set

from clinkg.loaders.build import build  # noqa: E402

MB = 1024 * 1024


def _rss(process: psutil.Process) -> dict[str, float]:
    children = process.children(recursive=True)
    main = process.memory_info().rss / MB
    workers = sum(child.memory_info().rss for child in children) / MB
    return {"main_mb": round(main, 1), "workers_mb": round(workers, 1), "total_mb": round(main + workers, 1)}


class HealthProbe:
    """Polls /health every 20 ms on its own connection while an attack runs."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.times: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                tick = time.perf_counter()
                try:
                    ok = client.get(f"{self.url}/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.times.append((time.perf_counter() - tick) * 1000)
                self.failures += not ok
                time.sleep(0.02)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.times) or [0.0]
        return {
            "health_p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
            "health_max_ms": round(ordered[-1], 1),
            "health_failures": self.failures,
            "health_probes": len(self.times),
        }


def _raw(url: str, payload: bytes, read_s: float = 30.0) -> str:
    """Send raw bytes on a new connection; the status line the server answers (or what happened)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_s) as sock:
        try:
            sock.sendall(payload)
            answer = sock.recv(200)
        except OSError as exc:
            return f"connection {type(exc).__name__}"
    return answer.split(b"\r\n", 1)[0].decode("latin-1") or "closed"


def attacks(url: str) -> dict[str, Callable[[], str]]:
    big_header = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (8 * MB) + b"\r\n\r\n"
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"

    def sparql(query: str) -> Callable[[], str]:
        def run() -> str:
            response = httpx.post(f"{url}/sparql", data={"query": query}, timeout=120)
            return str(response.status_code)

        return run

    def idle_connections() -> str:
        held = []
        for _ in range(500):
            held.append(socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))))
        deadline = time.monotonic() + 60
        closed = 0
        for sock in held:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(OSError):  # a reset is the server closing it too
                closed += sock.recv(1) in (b"", b"H")  # EOF, or the 408 it sends before closing
            sock.close()
        return f"{closed}/500 idle connections closed by the server"

    def cypher() -> str:
        response = httpx.post(f"{url}/v1/cypher", json={"query": "'\\" * 50000}, timeout=120)
        return str(response.status_code)

    def padded_bodies() -> str:
        statuses: set[int] = set()
        with httpx.Client(timeout=30) as client:
            for i in range(1100):
                body = '{"present": ["clinkg:leg-weakness"]' + " " * (100_000 + i) + "}"
                statuses.add(
                    client.post(
                        f"{url}/v1/differential", content=body, headers={"content-type": "application/json"}
                    ).status_code
                )
        return ",".join(str(s) for s in sorted(statuses))

    return {
        "8 MiB header": lambda: _raw(url, big_header),
        "SPARQL ORDER BY over a cross join (memory)": sparql(f"{cross} ORDER BY ?c ?f LIMIT 1"),
        "SPARQL cross join LIMIT 500000 (output)": sparql(f"{cross} LIMIT 500000"),
        "SPARQL 3,000 nested braces": sparql("SELECT * WHERE " + "{" * 3000 + "}" * 3000),
        "Cypher quadratic guard input": cypher,
        "500 idle connections": idle_connections,
        "1,100 whitespace-padded differential bodies": padded_bodies,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="clinkg-attack-") as tmp:
        out = Path(tmp) / "build"
        build(out)
        with service(out, {}) as (url, process):
            figures: dict[str, Any] = {"at_rest": _rss(process), "attacks": {}}
            for name, attack in attacks(url).items():
                with HealthProbe(url) as probe:
                    tick = time.perf_counter()
                    try:
                        outcome = attack()
                    except Exception as exc:  # noqa: BLE001 - what the attacker saw is the figure
                        outcome = f"{type(exc).__name__}"
                    seconds = time.perf_counter() - tick
                figures["attacks"][name] = {"outcome": outcome, "s": round(seconds, 2), **probe.figures()}
            figures["after"] = _rss(process)
    return figures


def table(figures: dict[str, Any]) -> str:
    lines = [f"at rest: {figures['at_rest']}", f"after the attacks: {figures['after']}"]
    lines.append(f"{'attack':<46} {'outcome':<40} {'s':>6} {'/health p99':>11} {'max':>7} {'fail':>5}")
    for name, row in figures["attacks"].items():
        lines.append(
            f"{name:<46} {row['outcome'][:40]:<40} {row['s']:>6} {row['health_p99_ms']:>11} "
            f"{row['health_max_ms']:>7} {row['health_failures']:>5}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    result = run()
    print(table(result))
    worst = max(r["health_p99_ms"] for r in result["attacks"].values())
    print(json.dumps({"worst_health_p99_ms": worst}))
