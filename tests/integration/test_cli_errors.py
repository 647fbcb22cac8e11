"""The `clinkg` command's errors an operator makes or meets: one line naming the problem, exit 1, never a
traceback."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clinkg import cli
from clinkg.loaders import build as build_module
from clinkg.loaders.build import current_release

pytestmark = pytest.mark.integration
CLINKG = shutil.which("clinkg", path=str(Path(sys.executable).parent)) or "clinkg"


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLINKG_")}
    clean.update(CLINKG_BUILD_DIR=str(cwd / "build"), COLUMNS="200", **env)
    return subprocess.run([CLINKG, *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("CLINKG_BACKEND", "postgres", "serve"),
        ("CLINKG_BACKEND", "postgres", "validate"),
        ("CLINKG_PORT", "eighty", "serve"),
        ("CLINKG_MAX_URL_BYTES", "1000000", "serve"),
        ("CLINKG_CORS_ORIGINS", "not json", "serve"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_1(
    tmp_path: Path, variable: str, value: str, command: str
) -> None:
    result = _run(command, cwd=tmp_path, **{variable: value})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: invalid setting")
    assert variable.removeprefix("CLINKG_").lower() in lines[0].lower()
    assert value not in lines[0]  # the value may be a secret: named by variable only


def test_a_full_disk_during_a_build_is_one_line_and_exit_1(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli.app, ["build", "--content", str(minimal_dir), "--out", str(out)]).exit_code == 0
    before = current_release(out)

    def disk_full(path: Path, *args: object, **kwargs: object) -> dict[str, int]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(build_module, "write_store", disk_full)
    result = runner.invoke(cli.app, ["build", "--content", str(minimal_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert not isinstance(result.exception, OSError)
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert current_release(out) == before
    assert list((out / "releases").glob(".staging-*")) == []
