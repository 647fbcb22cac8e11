"""Free-text intake: a clinician's note or a patient's message read into a differential request.

Findings and history items are found by rules generated from the graph's own names (labels, synonyms, the
names the release's HPO gives their exact codes and the more specific terms below them, as search takes
them), never from a second hand-kept list: each name
becomes a spaCy `Matcher` pattern over normalised words (the stems and polarity tokens of
service/language/words.py, everyday words as their clinical equivalent, typos corrected against the
names' words), allowing up to `FILLER` other words between the name's words, and for a name of two words
the reverse order too, with up to `REVERSED_FILLER` ("legs are weak" is "weak legs"). Of overlapping
matches, the set that accounts for the most name words together wins; a more specific form whose words
enclose a chosen general one takes its place ("severe low back pain" is not the "low back pain" in it). A
name that says a function fails ("can't pass urine", "difficulty breathing") also makes a rule for the
function said to work ("passing urine normally", "breathing's ok": intake_words.yaml `normal_function`),
which denies the finding.

Whether a finding is the patient's, now, is medspaCy's ConText (its default rules, on a blank spaCy
pipeline, no model download): negated ("denies bladder problems", "no back pain") -> `absent`;
hypothetical ("return if she develops...") -> left out; a relative's diagnosis ("mother had MS") -> left
out, but a relative's symptom is the patient's, as a carer writes it ("my dad is 84 and struggling to
walk"); uncertain ("?GBS", the "?" written onto the word) -> `uncertain`; historical -> a history item (a
cause: a drug, an infection) is `present` as the history it is, a finding that belongs to the past is
`history`, not a current finding.
Onset, laterality, course and age come from the phrases of intake_words.yaml.

The note is patient data: nothing here logs it, and no error message repeats it.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from clinkg.service.language.names import entity_names
from clinkg.service.language.search import typo_limit
from clinkg.service.language.words import equivalents, is_polarity, polarity_token, stem, stop_word
from clinkg.service.ranking.graph_index import GraphIndex
from clinkg.service.ranking.tables import closure

FILLER = 3  # other words allowed between two words of a name
NORMAL_FILLER = 2  # and between a function and the word that says it is normal ("breathing's ok")
NORMAL_RULE = "~normal"  # the suffix of a rule that says a function is normal (the finding is absent)
REVERSED_FILLER = 2  # and between the two words of a name said the other way round ("legs are very weak")
NAMED = ("finding", "cause")  # what a note can report: findings, and causes as history items
SENTENCE_ENDS = (".", "!", "?", ";")  # a name's words never match across these
NO = "no"  # the canonical "no" polarity token (function_words.yaml)
QUERY_MARKS = "clinkg_query_marks"  # the pipeline step of _query_marks
WEAK = stem("weak")  # what a muscle power grade says (intake_words.yaml, power_grade)

log = logging.getLogger("clinkg")


_Match = tuple[tuple[int, int], tuple[int, str]]  # (start, end) -> (name words, entity)


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity the note mentions: our id, its label and where the note says it."""

    id: str
    label: str
    start: int
    end: int
    text: str


@dataclass
class Reading:
    """What a note says, as a differential request takes it."""

    present: list[Mention] = field(default_factory=list)
    absent: list[Mention] = field(default_factory=list)
    history: list[Mention] = field(default_factory=list)  # findings of the past, not current
    uncertain: list[Mention] = field(default_factory=list)  # possible, suspected: neither way
    onset: str | None = None
    laterality: str | None = None
    course: str | None = None
    age: int | None = None
    unmatched: list[tuple[int, int, str]] = field(default_factory=list)  # sentences nothing was found in


@dataclass(frozen=True)
class _Cues:
    onset: tuple[tuple[str, re.Pattern[str]], ...]
    laterality: tuple[tuple[str, re.Pattern[str]], ...]
    laterality_weak: re.Pattern[str]
    course: tuple[tuple[str, re.Pattern[str]], ...]
    age: tuple[re.Pattern[str], ...]
    power_reduced: re.Pattern[str]
    power_full: re.Pattern[str]
    normal: tuple[str, ...]  # stems of the words that say a function is normal


def _phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@cache
def _cues() -> _Cues:
    data = yaml.safe_load(files("clinkg.service.language").joinpath("intake_words.yaml").read_text())

    def ordered(section: dict[str, list[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((value, _phrases(phrases)) for value, phrases in section.items())

    weak = set(data["laterality_weak"])
    laterality = {
        value: [p for p in phrases if p not in weak] for value, phrases in data["laterality"].items()
    }
    return _Cues(
        onset=ordered(data["onset"]),
        laterality=ordered(laterality),
        laterality_weak=_phrases(weak),
        course=ordered(data["course"]),
        age=tuple(re.compile(p, re.IGNORECASE) for p in data["age"]),
        power_reduced=re.compile(data["power_grade"]["reduced"]),
        power_full=re.compile(data["power_grade"]["full"]),
        normal=tuple(sorted({stem(word) for word in data["normal_function"]})),
    )


class IntakeReader:
    """Reads notes against one graph: its names become the target rules, built once."""

    def __init__(self, graph: GraphIndex) -> None:
        import medspacy  # noqa: F401 - registers the medspacy_context factory
        import spacy
        from spacy.language import Language
        from spacy.matcher import Matcher

        if not Language.has_factory(QUERY_MARKS):
            Language.component(QUERY_MARKS, func=_query_marks)
        self.graph = graph
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.add_pipe(QUERY_MARKS)
        context: Any = self.nlp.add_pipe(
            "medspacy_context", config={"rules": None, "prune_on_target_overlap": True}
        )
        from medspacy.context import ConTextRule

        context.add([*_default_context_rules(), *(ConTextRule(**rule) for rule in _context_rules())])
        names = {
            entity_id: list(dict.fromkeys((*named.own, *named.narrower)))
            for entity_id, named in entity_names(graph).items()
            if graph.entities[entity_id].type in NAMED
        }
        # The words of the names as written, for correcting a note's typos towards them.
        self.spelled: dict[str, str] = {}
        for texts in names.values():
            for text in texts:
                for token in self.nlp.make_doc(text):
                    folded = token.lower_
                    if folded.isalpha() and len(folded) >= 4:
                        self.spelled.setdefault(folded, stem(folded))
        self.written = sorted(self.spelled)
        self.vocabulary = frozenset(self.spelled.values())
        self.matcher = Matcher(self.nlp.vocab)
        self.size: dict[str, int] = {}  # rule key -> how many name words it has
        self.words_of: dict[str, set[str]] = {}  # entity -> its names' words (no polarity tokens)
        # Each entity's more general and more specific forms (form_of, subtype_of), itself included.
        up: dict[str, set[str]] = {}
        for edge in graph.edges:
            if edge.predicate in ("form_of", "subtype_of"):
                up.setdefault(edge.subject, set()).add(edge.object)
        self.above = {entity_id: closure(entity_id, up) for entity_id in graph.entities}
        normal = list(_cues().normal)  # the words that say a function works
        for entity_id, texts in sorted(names.items()):
            for position, text in enumerate(texts):
                doc = self.nlp.make_doc(text)
                norms = [n for n in (self._norm(t.lower_) for t in doc) if n]
                if not norms:
                    continue
                key = f"{entity_id}#{position}"
                written = [t.lower_ for t in doc if not t.is_space]
                if len(norms) == 1 and sum(t.is_alpha for t in doc) > 1:
                    # A name of several words that keeps one ("getting on in years": year; "getting
                    # weaker": weak) is matched only as written: its one word would claim every "year".
                    self.size[key] = len(written)
                    self.matcher.add(key, [[{"LOWER": word} for word in written]])
                    continue
                # A polarity word is not a name word here: "No feeling tired" is fatigue denied (two
                # name words, then ConText reads the "No"), not "no feeling" (numbness) beside "tired".
                self.size[key] = sum(1 for n in norms if not is_polarity(n))
                self.words_of.setdefault(entity_id, set()).update(n for n in norms if not is_polarity(n))
                patterns = [_pattern(norms)]
                if len(norms) == 2:
                    patterns.append(_pattern(norms[::-1], REVERSED_FILLER))
                self.matcher.add(key, patterns)
                function = [n for n in norms if not is_polarity(n)]
                if function and len(function) < len(norms):
                    # "Can't pass urine" names a function that fails: "passing urine normally" says it
                    # works, so the finding is absent (read() turns the reading round).
                    normal_key = f"{key}{NORMAL_RULE}"
                    self.size[normal_key] = len(function) + 1
                    self.matcher.add(
                        normal_key,
                        [
                            _pattern([*function, normal], NORMAL_FILLER),
                            _pattern([normal, *function], NORMAL_FILLER),
                        ],
                    )

    def _norm(self, folded: str) -> str | None:
        """The word a token stands for in a rule: a polarity token, a clinical stem, or None for a word
        that carries nothing (stop words, punctuation)."""
        if not any(c.isalnum() for c in folded) and folded != "n't":
            return None
        cues = _cues()
        if cues.power_reduced.match(folded) or cues.power_full.match(folded):
            return WEAK
        polar = polarity_token(folded)
        if polar is not None:
            return polar
        if stop_word(folded):
            return None
        stemmed = stem(folded)
        if stemmed not in self.vocabulary and not equivalents(stemmed) and folded.endswith("ed"):
            # A past tense the stemmer leaves whole ("peed", "weed"): the verb it is made from.
            for verb in (folded[:-1], folded[:-2]):
                if stem(verb) in self.vocabulary or equivalents(stem(verb)):
                    stemmed = stem(verb)
                    break
        same = equivalents(stemmed)
        if len(same) == 1:
            return same[0]
        if stemmed not in self.vocabulary and folded.isalpha() and typo_limit(folded):
            found = process.extractOne(
                folded, self.written, scorer=OSA.distance, score_cutoff=typo_limit(folded)
            )
            if found is not None:
                return self.spelled[found[0]]
        return stemmed

    def read(self, text: str) -> Reading:
        """What the note says (module docstring)."""
        doc = self.nlp.make_doc(text)
        for token in doc:
            norm = self._norm(token.lower_)
            token.norm_ = norm if norm is not None else "_"
        targets, coordinated, normal = self._targets(doc)
        doc.ents = targets
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        reading = Reading()
        seen: set[tuple[str, str]] = set()
        ents = list(doc.ents)
        # A coordinated mention is said in the same breath as the one it shares words with: it takes that
        # one's context (negated, historical, hypothetical ...).
        for ent, context_of in [(ent, ent) for ent in ents] + [(span, ents[k]) for span, k in coordinated]:
            entity = self.graph.entities[ent.label_]
            mention = Mention(entity.curie, entity.label, ent.start_char, ent.end_char, ent.text)
            where = self._where(context_of, entity.type)
            if where is not None and any(_cues().power_full.match(t.lower_) for t in ent):
                where = "absent"  # "power 5/5": the weakness it would name is denied
            elif (ent.start, ent.end) in normal and where in ("present", "absent"):
                # "Passing urine normally": retention absent; "not passing urine normally": present. Only
                # a "not" on the statement itself turns it: in "no numbness and walking normally" the "no"
                # that ConText extends over the clause is the numbness's.
                where = "present" if _denied_in_place(doc, ent) else "absent"
            if where is None or (where, entity.id) in seen:
                continue
            seen.add((where, entity.id))
            getattr(reading, where).append(mention)
        # A finding both denied and reported (two mentions) stays reported: never silence a finding.
        reported = {m.id for m in reading.present}
        reading.absent = [m for m in reading.absent if m.id not in reported]
        reading.unmatched = [
            (s.start_char, s.end_char, s.text)
            for s in doc.sents
            if s.text.strip() and not any(e.start >= s.start and e.end <= s.end for e in doc.ents)
        ]
        self._context_fields(text, reading)
        return reading

    def _specific(
        self, doc: Any, matches: list[_Match], match: _Match, others: list[tuple[int, int]]
    ) -> _Match:
        """The match itself, or a more specific form of its entity matched on words that enclose it (and
        no other chosen match), with as many name words and no polarity word of its own: "severe low back
        pain" is severe back pain, not the back pain of "low back pain" within it; but "no reduced leg
        power" is reduced leg power denied, not the paralysis of "no leg power"."""
        (start, end), (size, entity_id) = match

        def polar(first: int, last: int) -> bool:
            return any(is_polarity(doc[k].norm_) for k in range(first, last))

        enclosing = [
            m
            for m in matches
            if m[0][0] <= start
            and end <= m[0][1]
            and m[1][1] != entity_id
            and m[1][0] >= size
            and entity_id in self.above[m[1][1]]
            and not polar(m[0][0], start)
            and not polar(end, m[0][1])
            and not any(m[0][0] < e and s < m[0][1] for s, e in others)
        ]
        return min(enclosing, key=lambda m: (m[0][1] - m[0][0], m[1][1]), default=match)

    def _kin(self, a: str, b: str) -> bool:
        """Whether one entity is a form (or subtype) of the other."""
        return b in self.above.get(a, ()) or a in self.above.get(b, ())

    @staticmethod
    def _where(ent: Any, entity_type: str) -> str | None:
        # A relative's diagnosis is family history; a relative's symptom is nearly always a carer telling
        # the patient's ("my dad is 84 and struggling to walk"), and leaving it out could silence a red flag.
        if ent._.is_hypothetical or (ent._.is_family and entity_type == "cause"):
            return None
        if ent._.is_negated:
            return "absent"
        if ent._.is_uncertain:
            return "uncertain"
        if ent._.is_historical and entity_type != "cause":
            return "history"
        return "present"

    def _targets(self, doc: Any) -> tuple[list[Any], list[tuple[Any, int]], set[tuple[int, int]]]:
        """The non-overlapping matches that account for the most name words together (weighted interval
        scheduling), and among those the one that leaves the most polarity words to ConText, then the
        tightest: "leg weakness and back pain" is two findings, not
        the "leg ... pain" that spans both. Then the coordinated ones: a match of another entity that
        shares words with exactly one chosen match and no other ("R leg numb and weak": leg numbness and
        leg weakness), as (span, the position of the chosen span it shares words with)."""
        from spacy.tokens import Span

        best: dict[tuple[int, int], tuple[int, str]] = {}  # span -> (name words, entity), best rule per span
        normal: set[tuple[int, int]] = set()  # the spans whose best rule says a function is normal
        for match_id, start, end in self.matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            size, entity_id = self.size[key], key.partition("#")[0]
            if (start, end) not in best or (size, entity_id) > best[(start, end)]:
                best[(start, end)] = (size, entity_id)
                if key.endswith(NORMAL_RULE):
                    normal.add((start, end))
                else:
                    normal.discard((start, end))
        matches = sorted(best.items(), key=lambda item: (item[0][1], item[0][0]))
        ends = [span[1] for span, _ in matches]
        # chosen[i]: the best (name words, -polarity words taken, -tokens) using the first i matches, and
        # the matches that make it. Of readings with as many name words, the one that leaves a "no" to
        # ConText wins ("No walking problems" is walking problems denied, not "no walking").
        chosen: list[tuple[tuple[int, int, int], list[int]]] = [((0, 0, 0), [])]
        for i, ((start, end), (size, _)) in enumerate(matches):
            before = bisect.bisect_right(ends, start, 0, i)  # matches ending at or before this one starts
            (words_, polar, tokens), picked = chosen[before]
            taken = sum(1 for k in range(start, end) if is_polarity(doc[k].norm_))
            take = ((words_ + size, polar - taken, tokens - (end - start)), [*picked, i])
            chosen.append(max(chosen[i], take, key=lambda c: c[0]))
        picked = sorted(chosen[-1][1], key=lambda i: matches[i][0][0])
        taken_spans = [matches[i][0] for i in picked]
        spans = []
        for i in picked:
            others = [span for span in taken_spans if span != matches[i][0]]
            (start, end), (_, entity_id) = self._specific(doc, matches, matches[i], others)
            spans.append(Span(doc, start, end, label=entity_id))
        entities = {span.label_ for span in spans}
        coordinated: list[tuple[Any, int]] = []
        for (start, end), (size, entity_id) in matches:
            if size < 2 or entity_id in entities:
                continue
            shared = [k for k, span in enumerate(spans) if span.start < end and start < span.end]
            if len(shared) != 1:
                continue
            other = spans[shared[0]]
            # Its own word, beyond the words it shares (not only a "no" before them); and not a more
            # general or specific form of the finding it shares them with (numbness beside saddle
            # anaesthesia says nothing more).
            own = {doc[i].norm_ for i in range(start, end) if not other.start <= i < other.end}
            if not own & self.words_of[entity_id] or self._kin(entity_id, other.label_):
                continue
            coordinated.append((Span(doc, start, end, label=entity_id), shared[0]))
            entities.add(entity_id)
        return spans, coordinated, {(span.start, span.end) for span in spans} & normal

    @staticmethod
    def _context_fields(text: str, reading: Reading) -> None:
        cues = _cues()
        reading.onset = next((value for value, p in cues.onset if p.search(text)), None)
        reading.course = next((value for value, p in cues.course if p.search(text)), None)
        explicit = next((value for value, p in cues.laterality if p.search(text)), None)
        reading.laterality = explicit or ("bilateral" if cues.laterality_weak.search(text) else None)
        for pattern in cues.age:
            found = pattern.search(text)
            if found is not None and 0 < int(found.group(1)) <= 130:
                reading.age = int(found.group(1))
                break


def _denied_in_place(doc: Any, ent: Any) -> bool:
    """Whether a "no" token (can't, not, ...) is within the span or one of the two words before it."""
    start = max(ent.sent.start, ent.start - 2)
    return any(doc[k].norm_ == NO for k in range(start, ent.end))


def _query_marks(doc: Any) -> Any:
    """A pipeline step after the sentencizer: a "?" written onto the next word ("?GBS", "?cauda equina")
    asks whether that is so, so it starts the sentence it queries (ConText reads it as possible) rather than
    ending the one before."""
    for token in doc[:-1]:
        if token.text == "?" and not token.whitespace_ and doc[token.i + 1].is_alpha:
            starts = token.i == 0 or bool(doc[token.i - 1].whitespace_)
            if starts:
                token.is_sent_start = True
                doc[token.i + 1].is_sent_start = False
    return doc


def _default_context_rules() -> list[Any]:
    """medspaCy's default ConText rules, but a negation cue never takes the first word of the finding it
    negates: its "no" also takes a following "abnormal" or "new" ("no abnormal findings"), its "not" a
    following "feel", and a cue that overlaps a finding is pruned, so "No abnormal gait" was not negated.
    Without those optional last words the cues still negate what follows."""
    from medspacy.context import ConTextRule
    from medspacy.context import context as context_module

    path = Path(context_module.__file__).resolve().parents[2] / "resources" / "en" / "context_rules.json"
    rules: list[Any] = ConTextRule.from_json(str(path))
    for rule in rules:
        if rule.category == "NEGATED_EXISTENCE" and rule.pattern:
            pattern = list(rule.pattern)
            while len(pattern) > 1 and pattern[-1].get("OP") == "?":
                pattern.pop()  # an optional last word ("no [abnormal]", "not [feel]") could be the finding's
            rule.pattern = pattern
    return rules


def _context_rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(files("clinkg.service.language").joinpath("intake_words.yaml").read_text())
    rules: list[dict[str, Any]] = data["context"]
    return rules


def _pattern(norms: Sequence[str | list[str]], filler: int = FILLER) -> list[dict[str, Any]]:
    """A Matcher pattern: the words in order, up to `filler` other tokens between two of them, none of
    them the end of a sentence."""
    pattern: list[dict[str, Any]] = []
    for i, norm in enumerate(norms):
        if i:
            # Never across the end of a sentence: "power 4/5. No back pain" is not "no power".
            pattern.append({"TEXT": {"NOT_IN": list(SENTENCE_ENDS)}, "OP": f"{{0,{filler}}}"})
        pattern.append({"NORM": {"IN": norm} if isinstance(norm, list) else norm})
    return pattern
