"""Shared fixtures: a small valid content folder to break on purpose, and the real curated content."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from clinkg.loaders.content import Content, load_content

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture
def minimal_dir(tmp_path: Path) -> Path:
    """A private copy of the minimal valid content, to be edited by the test."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


Edit = Callable[[str, str, str], None]


@pytest.fixture
def edit(minimal_dir: Path) -> Edit:
    """Replace one exact piece of text in one content file (fails if the text is not there once)."""

    def _edit(file: str, old: str, new: str) -> None:
        path = minimal_dir / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit


@pytest.fixture(scope="session")
def curated() -> Content:
    """The curated content shipped in the package, loaded and checked once."""
    return load_content()
