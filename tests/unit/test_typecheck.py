"""Type checking sees through the package-dir mapping: a type error across layers is reported.

`make typecheck` checks build/typecheck/clinkg, links laid out as the installed package. Here a module
outside the project plants a cross-layer error (a Content where an int is declared); mypy must report it
with the real type, which it cannot do when clinkg.* imports are Any.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("content", "ontology", "loaders", "queries", "service")


def layout(target: Path) -> Path:
    """The same tree of links `make typecheck` makes."""
    package = target / "clinkg"
    package.mkdir(parents=True)
    for module in (REPO / "clinkg").glob("*.py"):
        shutil.copy(module, package / module.name)
    for folder in FOLDERS:
        (package / folder).symlink_to(REPO / folder, target_is_directory=True)
    return target


@pytest.mark.slow
def test_a_planted_cross_layer_type_error_is_caught(tmp_path: Path) -> None:
    root = layout(tmp_path / "typecheck")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from clinkg.loaders.content import load_content\n\ncount: int = load_content()\n", encoding="utf-8"
    )
    result = subprocess.run(  # noqa: S603 - our interpreter, our files
        [
            sys.executable,
            "-m",
            "mypy",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(probe),
        ],
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(root), "PATH": ""},
        cwd=tmp_path,
        check=False,
    )
    assert 'expression has type "Content", variable has type "int"' in result.stdout, result.stdout
