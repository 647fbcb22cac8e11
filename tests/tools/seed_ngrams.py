"""Write tests/fixtures/seed_ngrams.txt: fingerprints of the source documents for the content tests.

The copy test needs every run of nine words of the sources, and the number test the numbers they give.
The sources live outside the repo (../shared/seeds), so the repo keeps fingerprints instead: a truncated
SHA-256 of each nine-word run (never the words themselves) and the list of numbers. Run it when a source
changes: `.venv/bin/python tests/tools/seed_ngrams.py`.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2] / "shared" / "seeds"
OUT = HERE.parent / "fixtures" / "seed_ngrams.txt"
N = 9


def words(text: str) -> list[str]:
    """Lower-case words, as the copy test splits them."""
    return re.findall(r"[a-z0-9']+", text.lower())


def fingerprint(gram: str) -> str:
    return hashlib.sha256(gram.encode("utf-8")).hexdigest()[:16]


def grams(tokens: list[str], n: int = N) -> set[str]:
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def fingerprints(seeds: Path = SEEDS) -> tuple[list[str], list[str]]:
    """(sorted fingerprints of every nine-word run, sorted numbers) of the source documents."""
    texts = [p.read_text(encoding="utf-8", errors="ignore") for p in sorted(seeds.glob("*.txt"))]
    found: set[str] = set()
    numbers: set[str] = set()
    for text in texts:
        found |= {fingerprint(g) for g in grams(words(text))}
        numbers |= set(re.findall(r"\d+", text.lower()))
    return sorted(found), sorted(numbers)


def render(seeds: Path = SEEDS) -> str:
    prints, numbers = fingerprints(seeds)
    header = [
        "# Fingerprints of the source documents (../shared/seeds), written by tests/tools/seed_ngrams.py:",
        "# the numbers they give, then a truncated SHA-256 of every run of nine words (not the words).",
        f"numbers: {' '.join(numbers)}",
    ]
    return "\n".join(header + prints) + "\n"


if __name__ == "__main__":
    if not SEEDS.is_dir():
        sys.exit(f"no source documents at {SEEDS}")
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
