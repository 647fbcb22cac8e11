"""One test per content rejection rule: each names the file and the line of the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinkg.loaders.codes import hpo_release
from clinkg.loaders.content import load_content
from clinkg.loaders.errors import ContentError

from ...conftest import Edit


def problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(directory)
    return [str(p) for p in info.value.problems]


def test_minimal_fixture_is_valid(minimal_dir: Path) -> None:
    content = load_content(minimal_dir)
    assert [c.id for c in content.causes] == ["dehydration", "diuretics"]


def test_unknown_key_is_rejected_with_its_line(minimal_dir: Path, edit: Edit) -> None:
    edit("causes.yaml", "    kind: medication\n", "    kind: medication\n    dosage: high\n")
    assert problems(minimal_dir) == ["causes.yaml:16: dosage: unknown key"]


def test_duplicate_key_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "    label: fatigue\n", "    label: fatigue\n    label: tiredness\n")
    assert problems(minimal_dir) == ["findings.yaml:15: duplicate key 'label' (first at line 14)"]


def test_duplicate_id_across_files_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("mechanisms.yaml", "  - id: fluid-loss\n", "  - id: dehydration\n")
    found = problems(minimal_dir)
    assert "mechanisms.yaml:2: duplicate id 'dehydration' (first at causes.yaml:2)" in found


def test_dangling_relation_reference_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("relations.yaml", "    object: fatigue\n", "    object: tiredness\n")
    assert problems(minimal_dir) == ["relations.yaml:18: object 'tiredness' is not a known id"]


def test_dangling_red_flag_criterion_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("red_flags.yaml", "all_of: [leg-weakness]", "all_of: [leg-weakness, arm-weakness]")
    assert problems(minimal_dir) == ["red_flags.yaml:6: criteria: 'arm-weakness' is not a known id"]


def test_red_flag_criterion_must_be_a_finding(minimal_dir: Path, edit: Edit) -> None:
    edit("red_flags.yaml", "all_of: [leg-weakness]", "all_of: [leg-weakness, diuretics]")
    assert problems(minimal_dir) == ["red_flags.yaml:6: criteria: 'diuretics' is a cause, not a finding"]


def test_relation_ends_must_fit_the_predicate(minimal_dir: Path, edit: Edit) -> None:
    edit("relations.yaml", "acts_through\n    object: fluid-loss\n", "acts_through\n    object: fatigue\n")
    assert problems(minimal_dir) == [
        "relations.yaml:11: acts_through needs a Mechanism as object; 'fatigue' is a Finding"
    ]


def test_duplicate_relation_is_rejected(minimal_dir: Path) -> None:
    path = minimal_dir / "relations.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.split("  - subject: dehydration\n")[0].removeprefix("relations:\n")
    path.write_text(text + first, encoding="utf-8")
    assert problems(minimal_dir) == [
        "relations.yaml:46: duplicate relation ('diuretics', 'causes', 'dehydration') (first at line 2)"
    ]


def test_malformed_code_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "exact_match: [HP:0012378]", "exact_match: [HP:12378]")
    (problem,) = problems(minimal_dir)
    assert problem.startswith("findings.yaml:16: exact_match.0: String should match pattern")


def test_unknown_hpo_code_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "exact_match: [HP:0012378]", "exact_match: [HP:9999999]")
    (problem,) = problems(minimal_dir)
    assert problem.startswith("findings.yaml:16: unverifiable code: HP:9999999 is not a term of HPO")


def test_obsolete_hpo_code_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    obsolete = sorted(hpo_release().obsolete)[0]
    edit("findings.yaml", "exact_match: [HP:0012378]", f"exact_match: [{obsolete}]")
    (problem,) = problems(minimal_dir)
    assert problem.startswith(f"findings.yaml:16: unverifiable code: {obsolete} is obsolete in HPO")


def test_unknown_icd10cm_code_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("causes.yaml", "ICD10CM:E86.0", "ICD10CM:E86.7")
    (problem,) = problems(minimal_dir)
    assert problem.startswith("causes.yaml:6: unverifiable code: ICD10CM:E86.7 is not a code of ICD-10-CM")


def test_finding_codes_must_be_hpo(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "exact_match: [HP:0012378]", "exact_match: [ICD10CM:R53.83]")
    assert problems(minimal_dir) == ["findings.yaml:16: finding cross-reference ICD10CM:R53.83 must be HP"]


def test_paragraph_beyond_the_section_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("mechanisms.yaml", "        paragraph: 1\n", "        paragraph: 3\n")
    assert problems(minimal_dir) == [
        "mechanisms.yaml:6: section 'Causes' of 'test-source' has 2 paragraphs, not 3"
    ]


def test_unknown_section_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("tests.yaml", "        section: Causes\n", "        section: causes\n")
    assert problems(minimal_dir) == ["tests.yaml:6: source 'test-source' has no section 'causes'"]


def test_unknown_source_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("tests.yaml", "      - source: test-source\n", "      - source: a-textbook\n")
    assert problems(minimal_dir) == ["tests.yaml:6: unknown source 'a-textbook'"]


def test_missing_provenance_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("relations.yaml", "    statement: Low body water shows as tiredness.\n", "")
    assert problems(minimal_dir) == ["relations.yaml:16: statement: Field required"]


def test_empty_statement_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("relations.yaml", "    statement: Low body water shows as tiredness.\n", "    statement: '  '\n")
    assert problems(minimal_dir) == ["relations.yaml:22: statement: String should have at least 1 character"]


def test_bad_enum_value_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("mechanisms.yaml", "category: fluid-electrolyte", "category: plumbing")
    (problem,) = problems(minimal_dir)
    assert problem.startswith("mechanisms.yaml:4: category: Input should be 'nerve', 'muscle'")


def test_bad_id_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "  - id: fatigue\n", "  - id: Fatigue_1\n")
    found = problems(minimal_dir)
    assert found[0].startswith("findings.yaml:13: id: String should match pattern")


def test_repeated_synonym_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "synonyms: [weak legs]", "synonyms: [weak legs, Leg Weakness]")
    assert problems(minimal_dir) == [
        "findings.yaml:5: 'leg-weakness' repeats a label or synonym: 'leg weakness'"
    ]


def test_red_flag_without_criteria_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("red_flags.yaml", "      all_of: [leg-weakness]\n", "      supporting: [leg-weakness]\n")
    assert problems(minimal_dir) == [
        "red_flags.yaml:6: red flag 'rf-sudden-weakness' has no all_of or any_of criteria"
    ]


def test_yaml_syntax_error_names_the_line(minimal_dir: Path, edit: Edit) -> None:
    edit("causes.yaml", "    synonyms: [fluid loss]\n", "    synonyms: [fluid loss\n")
    (problem,) = problems(minimal_dir)
    assert problem.startswith("causes.yaml:") and "YAML syntax error" in problem


def test_missing_file_is_rejected(minimal_dir: Path) -> None:
    (minimal_dir / "tests.yaml").unlink()
    found = problems(minimal_dir)
    assert "tests.yaml: file is missing" in found


def test_wrong_top_level_key_is_rejected(minimal_dir: Path, edit: Edit) -> None:
    edit("tests.yaml", "tests:\n", "diagnostics:\n")
    found = problems(minimal_dir)
    assert "tests.yaml:1: expected exactly one top-level key 'tests', found 'diagnostics'" in found


def test_every_problem_is_reported_at_once(minimal_dir: Path, edit: Edit) -> None:
    edit("causes.yaml", "    kind: medication\n", "    kind: medication\n    dosage: high\n")
    edit("relations.yaml", "    object: fatigue\n", "    object: tiredness\n")
    assert len(problems(minimal_dir)) == 2


def test_labels_are_unique_within_a_kind_whatever_the_case(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "    label: fatigue\n", "    label: Leg Weakness\n")
    assert problems(minimal_dir) == [
        "findings.yaml:14: label 'Leg Weakness' is already used by 'leg-weakness' (line 2)"
    ]


def test_two_triage_advices_for_one_level_are_rejected(minimal_dir: Path) -> None:
    path = minimal_dir / "triage.yaml"
    text = path.read_text(encoding="utf-8")
    second = text.split("triage:\n")[1].replace("id: triage-consult", "id: triage-consult-again")
    path.write_text(text + second.replace("label: See a clinician", "label: See a doctor"), encoding="utf-8")
    assert problems(minimal_dir) == ["triage.yaml:15: level 'consult' already has advice 'triage-consult'"]


def test_form_of_joins_findings_only(minimal_dir: Path) -> None:
    path = minimal_dir / "relations.yaml"
    text = path.read_text(encoding="utf-8")
    extra = """
  - subject: fatigue
    predicate: form_of
    object: dehydration
    source: test-source
    section: Causes
    paragraph: 1
    statement: Not a finding.
"""
    path.write_text(text + extra, encoding="utf-8")
    (problem,) = problems(minimal_dir)
    assert "form_of needs a Finding as object; 'dehydration' is a Cause" in problem


def test_a_finding_hpo_places_under_another_must_be_stated_as_its_form(minimal_dir: Path, edit: Edit) -> None:
    # HP:0009053 (distal lower limb muscle weakness) is a kind of HP:0007340, leg-weakness's code.
    edit("findings.yaml", "exact_match: [HP:0012378]", "exact_match: [HP:0009053]")
    assert problems(minimal_dir) == [
        "findings.yaml:16: HPO makes HP:0009053 a kind of HP:0007340: add a relation 'fatigue' form_of "
        "'leg-weakness'"
    ]


def test_mapping_relations_are_checked_like_exact_ones(minimal_dir: Path, edit: Edit) -> None:
    edit("findings.yaml", "exact_match: [HP:0012378]", "broad_match: [ICD10CM:R53.83]")
    assert problems(minimal_dir) == ["findings.yaml:16: finding cross-reference ICD10CM:R53.83 must be HP"]
