"""Benchmarks on the curated (seed) graph: in-process differential latency, HTTP throughput of the
differential next to a FastAPI hello-world POST served the same way, and service start-up time.

Run by `make bench` (bench/run.py); prints figures, asserts nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from clinkg.loaders.build import build
from clinkg.service.api.connection import Served, fresh_answer_bytes, serve
from clinkg.service.api.models import DifferentialRequest
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.server import free_port
from clinkg.service.stores.oxigraph import OxigraphBackend

HERE = Path(__file__).parent
REQUESTS: list[dict[str, Any]] = [
    {"present": ["leg-weakness", "difficulty-walking"], "onset": "sudden", "laterality": "unilateral"},
    {"present": ["leg-weakness", "saddle-anesthesia", "urinary-retention", "severe-back-pain"]},
    {"present": ["leg-weakness", "viral-infection"], "onset": "rapid", "laterality": "bilateral"},
    {"present": ["claudication"]},
    {"present": ["exercise-muscle-soreness", "overexertion"]},
    {"present": ["leg-weakness"]},
]
HTTP_BODY = REQUESTS[1]


def varied_requests(index: GraphIndex, count: int = 64, seed: int = 7) -> list[dict[str, Any]]:
    """`count` distinct realistic requests (1-4 findings, sometimes onset, side or a history item)."""
    import random

    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs, not security
    findings = sorted(e.id for e in index.of_type("finding"))
    history = ["diuretics", "viral-infection", "overexertion", "uncontrolled-diabetes", "physical-inactivity"]
    seen: set[str] = set()
    bodies: list[dict[str, Any]] = []
    while len(bodies) < count:
        body: dict[str, Any] = {"present": ["leg-weakness", *rng.sample(findings, rng.randint(0, 3))]}
        if rng.random() < 0.3:
            body["present"].append(rng.choice(history))
        if rng.random() < 0.5:
            body["onset"] = rng.choice(["sudden", "rapid", "gradual"])
        if rng.random() < 0.5:
            body["laterality"] = rng.choice(["unilateral", "bilateral"])
        body["present"] = list(dict.fromkeys(body["present"]))
        text = json.dumps(body, sort_keys=True)
        if text not in seen:
            seen.add(text)
            bodies.append(body)
    return bodies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def in_process(served: Served, rounds: int = 300) -> dict[str, float]:
    """Latency of the differential in process: resolve, rank, explain, serialize the JSON answer."""
    parsed = [DifferentialRequest.model_validate(r) for r in REQUESTS]
    for request in parsed:  # warm the per-finding path cache, as a running service has
        fresh_answer_bytes(request, served)
    samples: list[float] = []
    for _ in range(rounds):
        for request in parsed:
            start = time.perf_counter()
            fresh_answer_bytes(request, served)
            samples.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": statistics.median(samples), "p95_ms": percentile(samples, 0.95)}


def answer_bytes(served: Served) -> dict[str, int]:
    """Mean size of an answer over the varied requests: compact (the default) and verbose."""
    bodies = varied_requests(served.index)
    sizes = {}
    for name, verbose in (("answer_bytes", False), ("answer_bytes_verbose", True)):
        total = sum(
            len(fresh_answer_bytes(DifferentialRequest.model_validate({**b, "verbose": verbose}), served))
            for b in bodies
        )
        sizes[name] = round(total / len(bodies))
    return sizes


def _serve(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start uvicorn on `target` (one worker, no access log); returns process, URL, start-up seconds."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--app-dir",
            str(HERE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def wrk_post(url: str, bodies: list[dict[str, Any]], seconds: int, connections: int) -> float:
    """Requests per second from wrk (a separate, efficient load tool) POSTing the JSON bodies in turn."""
    lines = ", ".join(json.dumps(json.dumps(b)) for b in bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            f"local bodies = {{{lines}}}\n"
            "local i = 0\n"
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            "request = function()\n"
            "  i = i % #bodies + 1\n"
            "  return wrk.format(nil, nil, nil, bodies[i])\n"
            "end\n"
        )
    try:
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", script.name, url],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))


def run(seconds: int = 4, connections: int = 16, rounds: int = 4) -> dict[str, Any]:
    """All seed figures, measured in this one run (HTTP: the best of `rounds` turns of `seconds` each)."""
    with tempfile.TemporaryDirectory(prefix="clinkg-bench-") as tmp:
        out = Path(tmp) / "build"
        build(out)
        backend = OxigraphBackend.open(out / "store")
        served = serve(backend)
        index = served.index
        latency = in_process(served)
        sizes = answer_bytes(served)
        env = {**os.environ, "CLINKG_BUILD_DIR": str(out), "PYTHONPATH": str(HERE)}
        figures: dict[str, Any] = {
            "differential_p50_ms": round(latency["p50_ms"], 4),
            "differential_p95_ms": round(latency["p95_ms"], 4),
            **sizes,
        }
        if shutil.which("wrk") is None:
            print("wrk not found: HTTP throughput not measured (make bench installs it)")
            return figures
        bodies = varied_requests(index)
        # All three servers up at once, measured in turns, each figure the best of its turns: a burst of
        # other work on this 2-core machine during one turn no longer decides a ratio.
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        try:
            for name, cache_size in (
                ("http_differential_rps", "1024"),
                ("http_differential_uncached_rps", "0"),
            ):
                server, url, startup = _serve(
                    "clinkg.service.asgi:app", {**env, "CLINKG_ANSWER_CACHE_SIZE": cache_size}
                )
                servers[name] = (server, f"{url}/v1/differential")
                figures.setdefault("startup_s", round(startup, 3))
                for body in bodies:
                    if httpx.post(f"{url}/v1/differential", json=body).status_code != 200:
                        raise RuntimeError(f"differential failed for {body}")
            hello, hello_url, _ = _serve("hello_app:app", env)
            servers["http_hello_rps"] = (hello, f"{hello_url}/hello")
            for _ in range(rounds):
                for name, (_, url) in servers.items():
                    rps = wrk_post(url, bodies, seconds, connections)
                    figures[name] = max(figures.get(name, 0.0), round(rps, 1))
        finally:
            for server, _ in servers.values():
                _stop(server)
        figures["http_ratio"] = round(figures["http_differential_rps"] / figures["http_hello_rps"], 3)
        figures["http_uncached_ratio"] = round(
            figures["http_differential_uncached_rps"] / figures["http_hello_rps"], 3
        )
        figures["varied_requests"] = len(bodies)
        return figures
