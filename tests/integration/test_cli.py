"""The installed `clinkg` command, run as a user would: from an empty folder, in a fresh process."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from clinkg.loaders.codes import check_code
from clinkg.ontology import CKG, HP, ICD10CM

from ..conftest import FIXTURES, REPO

pytestmark = pytest.mark.integration
CLINKG = shutil.which("clinkg", path=str(Path(sys.executable).parent)) or "clinkg"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINKG_")}
    env["CLINKG_BUILD_DIR"] = str(cwd / "default-build")
    env["COLUMNS"] = "200"
    return subprocess.run([CLINKG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty")


def test_validate_exits_zero_on_the_curated_content(empty: Path) -> None:
    result = run("validate", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_validate_reports_file_and_line_and_exits_one(tmp_path: Path, minimal_dir: Path) -> None:
    path = minimal_dir / "relations.yaml"
    path.write_text(path.read_text().replace("    object: fatigue\n", "    object: tiredness\n"))
    result = run("validate", "--content", str(minimal_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert "relations.yaml:18: object 'tiredness' is not a known id" in result.stderr


def test_export_nt_from_an_empty_folder(empty: Path) -> None:
    result = run("export", "--format", "nt", "--out", "graph.nt", cwd=empty)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(empty / "graph.nt", format="nt")
    assert len(graph) >= 300
    entities = [s for s in graph.subjects(RDF.type, None) if (s, RDF.type, CKG.Assertion) not in graph]
    kinds = (CKG.Cause, CKG.Mechanism, CKG.Finding, CKG.RedFlag, CKG.DiagnosticTest)
    concepts = {s for s in entities if any((s, RDF.type, kind) in graph for kind in kinds)}
    assert len(concepts) >= 80
    assert all(graph.value(s, RDFS.label) for s in concepts)
    for predicate in (CKG.causes, CKG.presentsWith, CKG.actsThrough, CKG.evaluatedBy):
        for s, o in graph.subject_objects(predicate):
            stated = [a for a in graph.subjects(RDF.subject, s) if (a, RDF.object, o) in graph]
            assert stated and all(graph.value(a, CKG.statement) for a in stated), (s, predicate, o)
    xrefs = list(graph.objects(None, SKOS.exactMatch))
    assert len(xrefs) >= 25
    for iri in xrefs:
        text = str(iri)
        curie = (
            "HP:" + text.removeprefix(str(HP))
            if text.startswith(str(HP))
            else "ICD10CM:" + text.removeprefix(str(ICD10CM))
        )
        assert isinstance(iri, URIRef) and check_code(curie) is None, curie


@pytest.mark.parametrize(
    ("fmt", "name", "parser"), [("ttl", "g.ttl", "turtle"), ("jsonld", "g.jsonld", "json-ld")]
)
def test_export_other_rdf_formats(empty: Path, fmt: str, name: str, parser: str) -> None:
    result = run("export", "--format", fmt, "--out", name, cwd=empty)
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(empty / name, format=parser)) >= 300


def test_export_kgx(tmp_path: Path) -> None:
    result = run("export", "--format", "kgx", "--out", "clinkg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    nodes = (tmp_path / "clinkg_nodes.tsv").read_text().splitlines()
    edges = (tmp_path / "clinkg_edges.tsv").read_text().splitlines()
    assert nodes[0].startswith("id\tcategory\tname") and len(nodes) > 80
    assert edges[0].startswith("id\tsubject\tpredicate\tobject") and len(edges) > 250


def test_stats_json(empty: Path) -> None:
    result = run("stats", "--json", cwd=empty)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["classes"]["Cause"] >= 29 and stats["classes"]["RedFlag"] >= 5
    assert stats["xrefs"]["HP"] + stats["xrefs"]["ICD10CM"] >= 25


def test_build_then_a_failed_build_keeps_the_previous(tmp_path: Path, minimal_dir: Path) -> None:
    out = tmp_path / "out"
    assert run("build", "--out", str(out), cwd=tmp_path).returncode == 0
    before = (out / "clinkg.nt").read_bytes()
    assert run("build", "--out", str(out), "--if-needed", cwd=tmp_path).stdout.startswith("up to date")
    path = minimal_dir / "causes.yaml"
    path.write_text(path.read_text().replace("ICD10CM:E86.0", "ICD10CM:E86.7"))
    failed = run("build", "--out", str(out), "--content", str(minimal_dir), cwd=tmp_path)
    assert failed.returncode == 1
    assert "causes.yaml:6: unverifiable code: ICD10CM:E86.7" in failed.stderr
    assert (out / "clinkg.nt").read_bytes() == before


def test_build_goes_to_the_configured_folder_not_the_working_one(tmp_path: Path) -> None:
    assert run("build", cwd=tmp_path).returncode == 0
    assert (tmp_path / "default-build" / "current" / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["default-build"]


@pytest.mark.slow
def test_the_wheel_ships_content_ontology_and_queries(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("clinkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "clinkg/content/causes.yaml",
        "clinkg/content/relations.yaml",
        "clinkg/ontology/clinkg.ttl",
        "clinkg/ontology/shapes.ttl",
        "clinkg/ontology/mapping.tsv",
        "clinkg/loaders/build.py",
        "clinkg/cli.py",
        "clinkg/service/api/routes/differential.py",
        "clinkg/service/stores/oxigraph.py",
        "clinkg/service/ranking/ranking_weights.yaml",
        "clinkg/service/sparql/router.py",
        "clinkg/queries/sparql/edges.rq",
        "clinkg/queries/cypher/edges.cypher",
        "clinkg/loaders/cypher/merge_nodes.cypher",
    ):
        assert required in names, required


PHENOPACKETS = FIXTURES / "phenopackets"
TSV_HEADER = ["file", "diagnosis", "rank", "top_candidate", "present", "excluded"]


def tsv(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines(), delimiter="\t"))


def test_rank_writes_a_row_per_phenopacket_and_reports_the_malformed_one(
    tmp_path: Path, hpo_build_dir: Path
) -> None:
    folder = tmp_path / "packets"
    folder.mkdir()
    for name in ("spg88.json", "spg88_diseases.json", "malformed.json"):
        shutil.copy(PHENOPACKETS / name, folder / name)
    result = run("rank", str(folder), "--build-dir", str(hpo_build_dir.parent), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    header, *rows = tsv(result.stdout)
    assert header == TSV_HEADER
    assert [Path(row[0]).name for row in rows] == ["spg88.json", "spg88_diseases.json"]  # sorted, one failed
    for row, present, excluded in zip(rows, ("5", "2"), ("2", "1"), strict=True):
        _, diagnosis, rank, top, *counts = row
        assert diagnosis == "OMIM:620106"  # interpretations, then diseases
        assert 1 <= int(rank) <= 100 and top
        assert (top == diagnosis) == (rank == "1")
        assert counts == [present, excluded]
    assert "malformed.json: phenopacket.phenotypicFeatures[2].type.id" in result.stderr
    assert "sentinel" not in result.stderr + result.stdout
    assert "1 of 3 files failed" in result.stderr


def test_rank_reports_bad_json_and_unknown_terms_and_goes_on(tmp_path: Path, hpo_build_dir: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"phenotypicFeatures": [', encoding="utf-8")
    unknown = tmp_path / "unknown.json"
    data = json.loads((PHENOPACKETS / "spg88_diseases.json").read_text(encoding="utf-8"))
    data["phenotypicFeatures"][1]["type"]["id"] = "HP:9999999"
    unknown.write_text(json.dumps(data), encoding="utf-8")
    good = PHENOPACKETS / "spg88.json"
    out = tmp_path / "ranks.tsv"
    release = str(hpo_build_dir.parent)
    result = run(
        "rank", str(broken), str(unknown), str(good), "--out", str(out), "--build-dir", release, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stdout == ""
    header, *rows = tsv(out.read_text(encoding="utf-8"))
    assert header == TSV_HEADER and [row[0] for row in rows] == [str(good)]
    assert "broken.json: not valid JSON" in result.stderr
    assert "unknown.json: " in result.stderr and "phenopacket.phenotypicFeatures[1].type.id" in result.stderr
    assert "HP:9999999" not in result.stderr

    clean = run("rank", str(good), "--limit", "5", "--build-dir", release, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert tsv(clean.stdout)[1][0] == str(good)
