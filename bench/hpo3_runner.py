"""Rank simulated patients with `hpo3` (the Rust HPO library), for bench/hpo_quality.py.

This script runs inside its own venv (build/bench/hpo3-venv): `hpo3` installs under the import name
`pyhpo`, the same as the pure-Python `pyhpo` that clinkg depends on, so the two cannot share one venv.
It uses nothing from clinkg and only the standard library besides `hpo3`.

    python hpo3_runner.py IN.json OUT.json

IN:  {"patients": [{"terms": ["HP:...", ...], "disease": "OMIM:..."}, ...], "limit": 10}
OUT: {"version", "ontology_version", "kind", "method", "combine", "omim_diseases", "orpha_diseases",
      "load_s", "enrichment_ms", "results": [{"ranking": [CURIE, ...], "ms": float, "gold_known": bool,
      "gold_rank": int | null, "dropped": [HP ids], "replaced": {old: new},
      "enrichment": {"ranking": [CURIE, ...], "gold_rank": int | null}}, ...]}

The ranking is the one hpo3's documentation shows for "the similarity of a patient's HPO terms to all
diseases": `pyhpo.helper.batch_set_similarity` over (patient HPOSet, disease HPOSet) pairs with
kind="omim", method="graphic", combine="funSimAvg" (also the defaults of `HPOSet.similarity`), over every
OMIM and ORPHA disease of hpo3's built-in data. `ms` is the time to rank one patient against all of them:
building the pairs, the batch similarity (multi-threaded in Rust) and picking the best `limit`.

The second ranking, `enrichment`, is hpo3's hypergeometric disease enrichment
(`helper.batch_omim_disease_enrichment` and `helper.batch_orpha_disease_enrichment`, run over every
patient in one batch each): OMIM and ORPHA diseases together, by p-value ascending (smaller is more
enriched), ties by CURIE. `enrichment_ms` is the batch time divided by the number of patients.
"""

from __future__ import annotations

import heapq
import json
import sys
import time
from typing import Any

from pyhpo import HPOSet, Ontology, helper  # hpo3's import name

KIND = "omim"
METHOD = "graphic"
COMBINE = "funSimAvg"


def patient_set(terms: list[str]) -> tuple[Any, list[str], dict[str, str]]:
    """The patient's HPOSet as a user would build it: terms this release does not know are dropped,
    obsolete ones are replaced by their replacement (dropped when they have none)."""
    kept: list[Any] = []
    dropped: list[str] = []
    replaced: dict[str, str] = {}
    for term_id in terms:
        try:
            term = Ontology.get_hpo_object(term_id)
        except RuntimeError:  # hpo3 raises RuntimeError("Unknown HPO term") for ids it lacks
            dropped.append(term_id)
            continue
        if term.is_obsolete:
            replacement = term.replaced_by
            if replacement is None:
                dropped.append(term_id)
                continue
            term = Ontology.get_hpo_object(replacement)
            replaced[term_id] = term.id
        kept.append(term)
    return HPOSet(kept), dropped, replaced


def rank_by_enrichment(patients: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], float]:
    """Each patient's diseases by hypergeometric enrichment p-value (OMIM and ORPHA merged), and the
    mean time per patient of the two batch calls."""
    sets = [patient_set(patient["terms"])[0] for patient in patients]
    ranked = [i for i, hposet in enumerate(sets) if len(hposet) > 0]
    tick = time.perf_counter()
    omim = helper.batch_omim_disease_enrichment([sets[i] for i in ranked])
    orpha = helper.batch_orpha_disease_enrichment([sets[i] for i in ranked])
    ms = (time.perf_counter() - tick) * 1000 / max(1, len(ranked))
    answers: list[dict[str, Any]] = [{"ranking": [], "gold_rank": None} for _ in patients]
    for i, omim_rows, orpha_rows in zip(ranked, omim, orpha, strict=True):
        pvalues = [(row["enrichment"], f"OMIM:{row['item'].id}") for row in omim_rows]
        pvalues += [(row["enrichment"], f"ORPHA:{row['item'].id}") for row in orpha_rows]
        pvalues.sort()
        order = [curie for _, curie in pvalues]
        gold = patients[i]["disease"]
        answers[i] = {
            "ranking": order[:limit],
            "gold_rank": order.index(gold) + 1 if gold in order else None,
        }
    return answers, ms


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit("usage: hpo3_runner.py IN.json OUT.json")
    with open(argv[1], encoding="utf-8") as source:
        request = json.load(source)
    limit = int(request.get("limit", 10))

    started = time.perf_counter()
    Ontology()
    # Sorted by CURIE so that equal scores are ordered by id, as clinkg's ranker orders its ties.
    diseases = sorted(
        [(f"OMIM:{d.id}", d) for d in Ontology.omim_diseases]
        + [(f"ORPHA:{d.id}", d) for d in Ontology.orpha_diseases],
        key=lambda pair: pair[0],
    )
    ids = [curie for curie, _ in diseases]
    position = {curie: i for i, curie in enumerate(ids)}
    disease_sets = [disease.hpo_set() for _, disease in diseases]
    load_s = time.perf_counter() - started

    results: list[dict[str, Any]] = []
    for patient in request["patients"]:
        hposet, dropped, replaced = patient_set(patient["terms"])
        gold = position.get(patient["disease"])
        if len(hposet) == 0:
            results.append({"ranking": [], "ms": 0.0, "gold_known": gold is not None, "gold_rank": None,
                            "dropped": dropped, "replaced": replaced})  # fmt: skip
            continue
        tick = time.perf_counter()
        scores = helper.batch_set_similarity(
            [(hposet, other) for other in disease_sets], kind=KIND, method=METHOD, combine=COMBINE
        )
        # nlargest is stable: among equal scores the earlier (smaller) CURIE comes first.
        best = heapq.nlargest(limit, range(len(scores)), key=scores.__getitem__)
        ms = (time.perf_counter() - tick) * 1000
        gold_rank = None
        if gold is not None:
            # 1-based rank of the true disease in the full ordering (score desc, then id).
            mine = scores[gold]
            gold_rank = 1 + sum(1 for i, s in enumerate(scores) if s > mine or (s == mine and i < gold))
        results.append({"ranking": [ids[i] for i in best], "ms": ms, "gold_known": gold is not None,
                        "gold_rank": gold_rank, "dropped": dropped, "replaced": replaced})  # fmt: skip

    enrichment, enrichment_ms = rank_by_enrichment(request["patients"], limit)
    for result, enriched in zip(results, enrichment, strict=True):
        result["enrichment"] = enriched

    import pyhpo

    answer = {
        "version": pyhpo.__version__,
        "backend": pyhpo.__backend__,
        "ontology_version": Ontology.version(),
        "kind": KIND,
        "method": METHOD,
        "combine": COMBINE,
        "omim_diseases": len(Ontology.omim_diseases),
        "orpha_diseases": len(Ontology.orpha_diseases),
        "load_s": load_s,
        "enrichment_ms": enrichment_ms,
        "results": results,
    }
    with open(argv[2], "w", encoding="utf-8") as out:
        json.dump(answer, out)


if __name__ == "__main__":
    main(sys.argv)
