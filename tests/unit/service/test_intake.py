"""Free-text intake on a hand-made graph: rules made from the graph's names, overlapping matches, ConText
negation, hypotheticals, family and history, and the context fields (service/language/intake.py)."""

from __future__ import annotations

import pytest

from clinkg.service.language.intake import IntakeReader, Reading
from clinkg.service.language.words import polarity_token, words
from clinkg.service.ranking.graph_index import Edge, Entity, GraphIndex, Provenance


@pytest.fixture(scope="module")
def reader() -> IntakeReader:
    entities = [
        Entity("leg-weakness", "finding", "Leg weakness", synonyms=["weak legs", "reduced leg power"]),
        Entity("paralysis", "finding", "Paralysis", synonyms=["no leg power"]),
        Entity("leg-pain", "finding", "Leg pain"),
        Entity("back-pain", "finding", "Back pain", synonyms=["low back pain"]),
        Entity("retention", "finding", "Urinary retention", synonyms=["cannot pee"]),
        Entity("incontinence", "finding", "Bowel incontinence"),
        Entity("numbness", "finding", "Numbness", synonyms=["numb skin"]),
        Entity("virus", "cause", "Recent viral infection", synonyms=["viral infection"]),
        Entity("diuretics", "cause", "Diuretics", synonyms=["furosemide"]),
        Entity("ms", "cause", "Multiple sclerosis"),
        Entity("mechanism", "mechanism", "Nerve compression"),  # not something a note reports
        Entity("getting-weaker", "finding", "Progressive weakness", synonyms=["getting weaker"]),
        Entity("older-age", "finding", "Older age", synonyms=["getting on in years"]),
        Entity("leg-numbness", "finding", "Leg numbness", synonyms=["numb leg"]),
        Entity("saddle", "finding", "Saddle anaesthesia", synonyms=["numb bottom"]),
        Entity("gait", "finding", "Difficulty walking", synonyms=["abnormal gait"]),
        Entity("severe-back-pain", "finding", "Severe back pain"),
        Entity("gbs", "cause", "Guillain-Barre syndrome", synonyms=["GBS"]),
    ]
    provenance = Provenance("source", "section", 1, "statement")
    edges = [
        Edge("saddle", "form_of", "numbness", {}, provenance),
        Edge("severe-back-pain", "form_of", "back-pain", {}, provenance),
        Edge("paralysis", "form_of", "leg-weakness", {}, provenance),
    ]
    return IntakeReader(GraphIndex({e.id: e for e in entities}, edges))


def found(reading: Reading, where: str) -> set[str]:
    mentions = getattr(reading, where)
    return {m.id.removeprefix("clinkg:") for m in mentions}


def test_names_match_in_either_order_with_words_between(reader: IntakeReader) -> None:
    assert found(reader.read("My legs are very weak."), "present") == {"leg-weakness"}
    assert found(reader.read("Weakness in both legs."), "present") == {"leg-weakness"}


def test_overlapping_matches_keep_the_set_that_explains_most(reader: IntakeReader) -> None:
    # "leg ... pain" spans both, but two findings explain four name words.
    reading = reader.read("Leg weakness and back pain since Monday.")
    assert found(reading, "present") == {"leg-weakness", "back-pain"}


def test_negation_hypotheticals_family_and_history(reader: IntakeReader) -> None:
    reading = reader.read(
        "Weak legs. Denies back pain. No numbness or bowel incontinence. Return if she cannot pee. "
        "Mother had multiple sclerosis. Had a viral infection two weeks ago. On furosemide."
    )
    assert found(reading, "present") == {"leg-weakness", "virus", "diuretics"}
    assert found(reading, "absent") == {"back-pain", "numbness", "incontinence"}


def test_a_name_that_says_no_is_not_negated_by_its_own_words(reader: IntakeReader) -> None:
    reading = reader.read("She can't pee since last night.")
    assert found(reading, "present") == {"retention"} and reading.absent == []


def test_a_one_word_rule_that_other_names_share_is_not_made(reader: IntakeReader) -> None:
    # "getting weaker" keeps only "weak", which Leg weakness has too: it must not claim every "weak".
    assert "getting-weaker" not in found(reader.read("My legs are weak."), "present")


def test_typos_and_everyday_words(reader: IntakeReader) -> None:
    assert found(reader.read("numbess in my toes, no pain in my legs tho"), "present") == {"numbness"}
    assert found(reader.read("cant wee since this morning"), "present") == {"retention"}


def test_spans_point_into_the_text(reader: IntakeReader) -> None:
    text = "Sudden weak legs."
    (mention,) = reader.read(text).present
    assert text[mention.start : mention.end] == mention.text == "weak legs"


def test_context_fields(reader: IntakeReader) -> None:
    reading = reader.read("74-year-old woman, left leg weak, came on over a few days, getting worse.")
    assert (reading.age, reading.laterality, reading.onset, reading.course) == (
        74,
        "unilateral",
        "rapid",
        "progressive",
    )
    assert reader.read("Weak legs for 2 years, comes and goes.").age is None
    both = reader.read("Both legs weak, suddenly.")
    assert (both.laterality, both.onset) == ("bilateral", "sudden")


def test_sentences_with_nothing_recognised_are_unmatched(reader: IntakeReader) -> None:
    reading = reader.read("Weak legs. The weather is nice.")
    assert [text for _, _, text in reading.unmatched] == ["The weather is nice."]


def test_polarity_words() -> None:
    assert polarity_token("not") == "no" and polarity_token("n't") == "no"
    assert polarity_token("trouble") == "difficult" and polarity_token("unable") == "no"
    assert polarity_token("legs") is None
    assert words("can't pass urine").polarity == frozenset({"no"})
    assert words("trouble passing urine").content == words("passing urine").content


def test_pseudo_negations_leave_the_finding_present(reader: IntakeReader) -> None:
    assert found(reader.read("No improvement in the leg weakness since Monday."), "present") == {
        "leg-weakness"
    }
    assert found(reader.read("Not only weak legs but numbness too."), "absent") == set()


def test_a_name_that_keeps_one_word_matches_only_as_written(reader: IntakeReader) -> None:
    # "getting on in years" keeps one word, "year": the rule must not claim every "year" in a note.
    assert found(reader.read("37-year-old with weak legs since last year."), "present") == {"leg-weakness"}
    assert found(reader.read("She is getting on in years."), "present") == {"older-age"}


def test_muscle_power_grades_read_as_weakness_or_its_absence(reader: IntakeReader) -> None:
    reduced = reader.read("Power 3/5 in both legs, 4+/5 on the left.")
    assert found(reduced, "present") == {"leg-weakness"}
    full = reader.read("Back pain. Leg power 5/5.")
    assert found(full, "present") == {"back-pain"} and found(full, "absent") == {"leg-weakness"}


def test_two_findings_said_in_one_breath_share_their_words(reader: IntakeReader) -> None:
    # "leg numb and weak": leg numbness and leg weakness, though the two matches share "leg".
    assert found(reader.read("Now her right leg is numb and weak."), "present") == {
        "leg-numbness",
        "leg-weakness",
    }
    negated = reader.read("Denies leg numbness or weakness.")
    assert found(negated, "absent") == {"leg-numbness", "leg-weakness"} and negated.present == []


def test_a_shared_word_never_adds_a_form_of_the_finding_or_a_bare_no(reader: IntakeReader) -> None:
    # Numbness beside saddle anaesthesia (a form of it) adds nothing; "No ... pee" is not retention (the
    # "pee fine" denies it, as a function said to work).
    assert found(reader.read("Numb bottom skin since this morning."), "present") == {"saddle"}
    reading = reader.read("No leg numbness, can pee fine.")
    assert "retention" not in found(reading, "present") and found(reading, "absent") == {
        "leg-numbness",
        "retention",
    }
    assert found(reader.read("No leg numbness, walking fine."), "absent") == {"leg-numbness", "gait"}


def test_a_name_never_matches_across_the_end_of_a_sentence(reader: IntakeReader) -> None:
    # "Weak. Legs fine" is not weak legs, and "... pee. No back pain" keeps its "No" for the back pain.
    reading = reader.read("She can pee. No back pain.")
    assert found(reading, "absent") == {"back-pain"} and "retention" not in found(reading, "present")
    assert "leg-weakness" not in found(reader.read("Feels weak. Legs are fine though."), "present")


def test_a_negation_cue_never_takes_the_first_word_of_the_finding(reader: IntakeReader) -> None:
    # medspaCy's "no" also takes a following "abnormal" ("no abnormal findings"); a cue overlapping the
    # finding is pruned, so "No abnormal gait" was read as abnormal gait, present.
    reading = reader.read("No abnormal gait.")
    assert found(reading, "absent") == {"gait"} and reading.present == []


def test_a_question_mark_on_a_word_queries_it(reader: IntakeReader) -> None:
    # "?GBS" after a full stop: the "?" starts the queried sentence, it does not end the one before.
    reading = reader.read("Weak legs, no back pain. ?GBS - for nerve conduction studies.")
    assert found(reading, "uncertain") == {"gbs"} and "gbs" not in found(reading, "present")
    assert found(reader.read("Weak legs? GBS."), "present") == {"leg-weakness", "gbs"}


def test_a_relatives_diagnosis_is_left_out_but_a_symptom_a_carer_reports_is_the_patients(
    reader: IntakeReader,
) -> None:
    reading = reader.read("My dad is 84 and his legs have got weak. His brother had multiple sclerosis.")
    assert found(reading, "present") == {"leg-weakness"}


def test_a_more_specific_form_whose_words_enclose_a_general_one_wins(reader: IntakeReader) -> None:
    # "low back pain" (back pain) sits inside "severe low back pain" (severe back pain).
    assert found(reader.read("Severe low back pain."), "present") == {"severe-back-pain"}
    assert found(reader.read("Low back pain."), "present") == {"back-pain"}
    # Not when the enclosing name's own word is a "no": that "no" denies the finding inside it.
    reading = reader.read("No reduced leg power.")
    assert reading.present == [] and found(reading, "absent") == {"leg-weakness"}


def test_a_function_said_to_be_normal_denies_the_finding_that_says_it_fails(reader: IntakeReader) -> None:
    # "Difficulty walking" and "cannot pee" name failing functions; saying they work denies them.
    assert found(reader.read("Weak legs. Walking fine."), "absent") == {"gait"}
    assert found(reader.read("Weak legs. Peeing normally."), "absent") == {"retention"}
    # Denying that the function is normal reports the finding; a hypothetical stays out.
    assert found(reader.read("Not peeing normally since yesterday."), "present") == {"retention"}
    reading = reader.read("Return if walking is not normal.")
    assert reading.present == [] and reading.absent == []


@pytest.mark.parametrize(
    "text",
    [
        "3/7 hx of weak legs.",
        "2 month hx of weak legs.",
        "A two-week history of weak legs.",
        "6/52 history weak legs",
    ],
)
def test_a_duration_before_history_dates_the_complaint_the_patient_has_now(
    reader: IntakeReader, text: str
) -> None:
    reading = reader.read(text)
    assert found(reading, "present") == {"leg-weakness"} and reading.history == []


def test_past_history_stays_history(reader: IntakeReader) -> None:
    reading = reader.read("Hx of leg numbness. Weak legs today.")
    assert found(reading, "history") == {"leg-numbness"} and found(reading, "present") == {"leg-weakness"}


def test_negations_said_after_the_finding(reader: IntakeReader) -> None:
    assert found(reader.read("Urinary retention excluded."), "absent") == {"retention"}
    assert found(reader.read("Bowel incontinence denied."), "absent") == {"incontinence"}
    assert found(reader.read("Back pain ruled out on examination."), "absent") == {"back-pain"}
    # The forward readings of the same words stand.
    assert found(reader.read("Denied: back pain."), "absent") == {"back-pain"}
    assert found(reader.read("She denied any back pain."), "absent") == {"back-pain"}
    # "Not excluded" leaves it possible, and looks back over a few words only.
    reading = reader.read("Weak legs; urinary retention not excluded.")
    assert found(reading, "present") == {"leg-weakness"} and found(reading, "uncertain") == {"retention"}


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Elderly man (78), weak legs.", 78),
        ("My mum (84) has weak legs.", 84),
        ("My husband is 72 and his legs are weak.", 72),
        ("I'm 39 and my legs are weak.", 39),
        ("Mum's 91 and her legs are weak.", 91),
        ("Shes 91, weak legs.", 91),
        ("She is 2 weeks postpartum with weak legs.", None),
        ("I'm 5 days post op, weak legs.", None),
    ],
)
def test_an_age_said_as_people_say_it(reader: IntakeReader, text: str, age: int | None) -> None:
    assert reader.read(text).age == age


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("R sided weak legs.", "unilateral"),
        ("Right sided weakness of the leg.", "unilateral"),
        ("Claudication R calf.", "unilateral"),
        ("Bilat leg weakness.", "bilateral"),
        ("Unable to move either leg.", "bilateral"),
    ],
)
def test_a_side_said_as_notes_say_it(reader: IntakeReader, text: str, side: str) -> None:
    assert reader.read(text).laterality == side
