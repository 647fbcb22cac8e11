"""The committed page assets (service/web/static) are what web/package-lock.json builds: esbuild run
again from the locked packages gives the same files, byte for byte. Skipped, with the reason, where the
locked packages are not installed (`npm ci --prefix web`; .ci/run installs them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
STATIC = ROOT / "service" / "web" / "static"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_committed_assets_are_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("web assets: node is not installed")
    if not (WEB / "node_modules" / "esbuild").exists():
        pytest.skip("web assets: the locked packages are not installed (npm ci --prefix web)")
    out = tmp_path / "static"
    subprocess.run([node, str(WEB / "build.mjs"), str(out)], check=True, cwd=WEB, timeout=300)
    built, committed = _files(out), _files(STATIC)
    assert sorted(built) == sorted(committed), "a file is missing or extra: run npm run --prefix web build"
    changed = [name for name in built if built[name] != committed[name]]
    assert changed == [], f"stale assets (npm run --prefix web build): {changed}"
