"""Load benchmark (issue 7, deliverable 6): the curated graph served by uvicorn, a sustained mix of
differential, search, entity and SPARQL requests for a bounded time, loopback only.

Two wrk processes run at the same time against one service process:

- "mix": rotates differential POSTs (varied bodies), `GET /v1/search`, `GET /v1/entities/{id}` and light
  `GET /sparql` SELECT/ASK queries;
- "differential": POSTs only the differential (varied bodies), so its own latency under the mixed load
  is measured.

Reports throughput, latency percentiles, non-2xx answers (by status) and socket errors per process; the
goal is zero errors and a differential p99 under 100 ms. Run by `make bench` (bench/run.py) or alone:
`python bench/load_bench.py [--seconds N]`. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import seed_bench  # noqa: E402 - after the path is set

from clinkg.loaders.build import build  # noqa: E402
from clinkg.service.ranking.graph_index import GraphIndex  # noqa: E402
from clinkg.service.stores.oxigraph import OxigraphBackend  # noqa: E402

GOAL_P99_MS = 100.0
SEARCHES = ["leg weakness", "numb groin", "HP:0007340", "back pain", "weak legs", "cant walk", "diuretic"]
ID = "https://w3id.org/clinkg/id/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SPARQL = [
    f"SELECT ?label WHERE {{ <{ID}stroke> {RDFS_LABEL} ?label }}",
    f"ASK {{ <{ID}leg-weakness> ?p ?o }}",
    f"SELECT ?s ?label WHERE {{ ?s {RDFS_LABEL} ?label }} LIMIT 10",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}cauda-equina-syndrome> ?p ?o }}",
]
# One round of the mix: 3 differential, 2 search, 2 entity, 1 SPARQL in 8 requests.
ROUND = ["differential", "search", "entity", "differential", "sparql", "search", "entity", "differential"]
Request = tuple[str, str, str | None]  # method, path with query, JSON body


def mix_requests(index: GraphIndex, bodies: list[dict[str, Any]]) -> list[tuple[str, Request]]:
    """The mix as (kind, request) in rotation order; each kind cycles through its own variants."""
    causes = [e.id for e in index.of_type("cause")]
    findings = [e.id for e in index.of_type("finding")]
    entities = [*causes[::4], *findings[::4], "HP:0007340"]
    variants: dict[str, list[Request]] = {
        "differential": [("POST", "/v1/differential", json.dumps(b)) for b in bodies],
        "search": [("GET", "/v1/search?" + urlencode({"q": q}), None) for q in SEARCHES],
        "entity": [("GET", f"/v1/entities/{quote(e, safe=':')}", None) for e in entities],
        "sparql": [("GET", "/sparql?" + urlencode({"query": q}), None) for q in SPARQL],
    }
    rounds = max(len(v) for v in variants.values())
    position = dict.fromkeys(variants, 0)
    rotation: list[tuple[str, Request]] = []
    for _ in range(rounds):
        for kind in ROUND:
            options = variants[kind]
            rotation.append((kind, options[position[kind] % len(options)]))
            position[kind] += 1
    return rotation


def _lua_string(text: str) -> str:
    if not text.isascii():
        raise ValueError(f"wrk scripts take ASCII only: {text!r}")
    return json.dumps(text)  # an ASCII JSON string is a valid Lua string literal


def lua_script(requests: list[Request]) -> str:
    """A wrk script that sends `requests` in turn, counts non-2xx answers by status and prints
    exact latency percentiles (microseconds) when done."""
    rows = ",\n  ".join(
        f"{{{_lua_string(m)}, {_lua_string(p)}, {'nil' if b is None else _lua_string(b)}}}"
        for m, p, b in requests
    )
    return f"""local reqs = {{
  {rows}
}}
local json = {{["Content-Type"] = "application/json"}}
local i = 0
statuses = {{}}  -- a global: done() reads each thread's copy with thread:get
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  i = i % #reqs + 1
  local r = reqs[i]
  if r[3] then
    return wrk.format(r[1], r[2], json, r[3])
  end
  return wrk.format(r[1], r[2])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local merged = {{}}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {{}}) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  io.write("CLINKG-STATUSES")
  for code, n in pairs(merged) do
    io.write(" ", code, "=", n)
  end
  io.write("\\n")
  io.write(string.format("CLINKG-LATENCY-US p999=%d max=%d\\n", latency:percentile(99.9), latency.max))
end
"""


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT_MS[unit]


def parse_wrk(out: str) -> dict[str, Any]:
    """Figures from wrk's report (run with --latency and lua_script's done())."""
    figures: dict[str, Any] = {}
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.MULTILINE):
        figures[f"p{pct}_ms"] = round(_ms(value), 2)
    extra = re.search(r"CLINKG-LATENCY-US p999=(\d+) max=(\d+)", out)
    if extra:
        figures["p99.9_ms"] = round(int(extra[1]) / 1000, 2)
        figures["max_ms"] = round(int(extra[2]) / 1000, 2)
    done = re.search(r"^\s+(\d+) requests in ([\d.]+\w+)", out, re.MULTILINE)
    figures["requests"] = int(done[1]) if done else 0
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    figures["rps"] = round(float(rps[1]), 1) if rps else 0.0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = int(non_2xx[1]) if non_2xx else 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    names = ("connect", "read", "write", "timeout")
    counts = map(int, sockets.groups()) if sockets else (0, 0, 0, 0)  # wrk prints the line only when any
    figures["socket_errors"] = dict(zip(names, counts, strict=True))
    statuses = re.search(r"^CLINKG-STATUSES(.*)$", out, re.MULTILINE)
    pairs = (item.split("=") for item in (statuses[1].split() if statuses else []))
    figures["statuses"] = {code: int(n) for code, n in sorted(pairs)}
    figures["errors"] = figures["non_2xx"] + sum(figures["socket_errors"].values())
    return figures


def _start_wrk(url: str, script: str, seconds: int, connections: int) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [  # noqa: S607 - wrk from PATH, as seed_bench
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            script,
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _preflight(url: str, requests: list[Request]) -> None:
    """Every distinct request answers 200 once before the load (and warms the service)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        for method, path, body in dict.fromkeys(requests):
            response = client.request(
                method, path, content=body, headers={"Content-Type": "application/json"} if body else None
            )
            if response.status_code != 200:
                raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")


def run(
    seconds: int = 60,
    mix_connections: int = 24,
    differential_connections: int = 8,
    env_overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Both wrk processes for `seconds` against one service on the curated graph; the figures."""
    if not 16 <= mix_connections + differential_connections <= 64:
        raise ValueError("total concurrency must be between 16 and 64")
    with tempfile.TemporaryDirectory(prefix="clinkg-load-") as tmp:
        out = Path(tmp) / "build"
        build(out)
        backend = OxigraphBackend.open(out / "store")
        index = GraphIndex.load(backend)
        bodies = seed_bench.varied_requests(index)
        rotation = mix_requests(index, bodies)
        differential: list[Request] = [("POST", "/v1/differential", json.dumps(b)) for b in bodies]
        scripts = {}
        for name, requests in (("mix", [r for _, r in rotation]), ("differential", differential)):
            path = Path(tmp) / f"{name}.lua"
            path.write_text(lua_script(requests), encoding="utf-8")
            scripts[name] = str(path)
        env = {**os.environ, "CLINKG_BUILD_DIR": str(out), "PYTHONPATH": str(HERE), **(env_overrides or {})}
        server, url, _ = seed_bench._serve("clinkg.service.asgi:app", env)
        try:
            _preflight(url, [r for _, r in rotation])
            processes = {
                "mix": _start_wrk(url, scripts["mix"], seconds, mix_connections),
                "differential": _start_wrk(url, scripts["differential"], seconds, differential_connections),
            }
            reports = {name: p.communicate(timeout=seconds + 60)[0] for name, p in processes.items()}
        finally:
            seed_bench._stop(server)
    for name, process in processes.items():
        if process.returncode != 0:
            raise RuntimeError(f"wrk ({name}) failed:\n{reports[name]}")
    figures: dict[str, Any] = {
        "seconds": seconds,
        "connections": {
            "mix": mix_connections,
            "differential": differential_connections,
            "total": mix_connections + differential_connections,
        },
        "mix_share": {kind: round(ROUND.count(kind) / len(ROUND), 3) for kind in dict.fromkeys(ROUND)},
        "settings": env_overrides or {},
        "mix": parse_wrk(reports["mix"]),
        "differential": parse_wrk(reports["differential"]),
    }
    figures["total_rps"] = round(figures["mix"]["rps"] + figures["differential"]["rps"], 1)
    figures["errors"] = figures["mix"]["errors"] + figures["differential"]["errors"]
    figures["differential_p99_ms"] = figures["differential"].get("p99_ms")
    figures["goal_met"] = figures["errors"] == 0 and (figures["differential_p99_ms"] or 1e9) < GOAL_P99_MS
    for name in ("mix", "differential"):
        if figures[name]["errors"]:
            print(f"wrk ({name}) reported errors:\n{reports[name]}")
    return figures


def table(figures: dict[str, Any]) -> str:
    """The figures as a small text table."""
    columns = ["rps", "requests", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms", "errors"]
    rows = [["process", *columns, "statuses"]]
    for name in ("mix", "differential"):
        part = figures[name]
        statuses = " ".join(f"{k}x{v}" for k, v in part["statuses"].items()) or "-"
        rows.append([name, *(str(part.get(c, "-")) for c in columns), statuses])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    c = figures["connections"]
    verdict = "met" if figures["goal_met"] else "NOT met"
    lines.append(
        f"{figures['seconds']} s at {c['total']} connections ({c['mix']} mix + {c['differential']} "
        f"differential); total {figures['total_rps']} req/s; errors {figures['errors']}; goal (0 errors, "
        f"differential p99 < {GOAL_P99_MS:.0f} ms) {verdict}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--mix-connections", type=int, default=24)
    parser.add_argument("--differential-connections", type=int, default=8)
    parser.add_argument("--set", action="append", default=[], metavar="CLINKG_X=V", help="service setting")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    figures = run(args.seconds, args.mix_connections, args.differential_connections, overrides)
    print(table(figures))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
