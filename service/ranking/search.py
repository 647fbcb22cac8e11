"""Entity search over labels, synonyms (patient words too) and cross-reference CURIEs, in pure Python.

Normalisation, applied alike to the query and to every name: Unicode NFKD with diacritics removed
("Barré" -> "barre"), casefold, every run of non-alphanumerics (hyphens, commas, apostrophes) a single
space, then a simple English singular of each token ("cramps" -> "cramp", "arteries" -> "artery").
Stop words ("in", "the", "my", ...) take part in exact and phrase matching but are left out when
counting which query words were found, so "numbness in the groin" is judged on "numbness" and "groin".

Each query word is graded against each word of a name: whole word 1.0, prefix of it 0.85 (words of 3+
characters), a typo 0.6 (edit distance 1 for words of 4-7 characters, 2 for 8+; tried only for a word
that is nowhere in the vocabulary, so a correctly spelt word is never "corrected"). With `quality` the
mean best grade of the query's words and `coverage` the share of the name's words the query accounts
for (a shorter name that the query explains ranks higher), an entity scores its best name's:

    exact   100  the label, our CURIE or a cross-reference CURIE equals the query ("HP:0007340")
             95  a synonym equals the query (spaces ignored as well: "light headed" ~ "lightheaded")
    phrase  70 + 10 * quality + 10 * coverage   the query's words, in order, are a run of whole or
                                                prefix words in the name ("muscle cramps")
    subset  50 + 10 * quality + 10 * coverage   every query word is a whole or prefix word of the
                                                name, any order ("numb groin", "leg pain walking")
    fuzzy   45 * quality + 5 * coverage         the rest: typos, or only some query words found

The tiers never overlap, so an exact match always outranks a phrase, a phrase a subset and a subset a
fuzzy match; equal scores are ordered by label. Scores are ours, for ordering only.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from clinkg.service.ranking.graph_index import IDENTIFYING, Entity, GraphIndex

WHOLE, PREFIX, TYPO = 1.0, 0.85, 0.6
EXACT_LABEL, EXACT_SYNONYM = 100.0, 95.0
PREFIX_MIN_CHARS = 3
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "i",
        "in",
        "into",
        "is",
        "it",
        "me",
        "my",
        "of",
        "off",
        "on",
        "or",
        "our",
        "the",
        "to",
        "up",
        "when",
        "while",
        "with",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Hit:
    """One search result: our CURIE, label, type, score and the name text that matched."""

    id: str
    label: str
    type: str
    score: float
    matched: str


@dataclass(frozen=True)
class _Name:
    entity: Entity
    text: str
    is_label: bool
    tokens: tuple[str, ...]
    content: frozenset[str]
    joined: str
    compact: str


def singular(token: str) -> str:
    """A simple English singular of one lower-case token, the same on both sides of a match."""
    if len(token) <= 3 or not token.endswith("s") or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    return token[:-1]


def tokens(text: str) -> tuple[str, ...]:
    """The normalised words of a text: no diacritics, casefolded, split on punctuation, singular."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return tuple(singular(word) for word in _NON_ALNUM.split(bare) if word)


def within(a: str, b: str, limit: int) -> bool:
    """Whether the Levenshtein distance of a and b is at most `limit` (banded, stops early)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        low, high = max(1, i - limit), min(len(b), i + limit)
        current = [i] + [limit + 1] * len(b)
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[max(0, low - 1) : high + 1]) > limit:
            return False
        previous = current
    return previous[len(b)] <= limit


def typo_limit(token: str) -> int:
    """How many edits a query word may be away from a name word."""
    if len(token) >= 8:
        return 2
    return 1 if len(token) >= 4 else 0


class SearchIndex:
    """Normalised names of a graph's entities, built once, searched per request."""

    def __init__(self, graph: GraphIndex) -> None:
        self.graph = graph
        self.names: list[_Name] = []
        self.by_code: dict[str, tuple[Entity, str]] = {}
        postings: dict[str, set[int]] = {}
        self.by_compact: dict[str, list[int]] = {}
        for entity in sorted(graph.entities.values(), key=lambda e: e.id):
            self.by_code[entity.curie.upper()] = (entity, entity.curie)
            for xref in entity.codes(IDENTIFYING):
                self.by_code.setdefault(xref.upper(), (entity, xref))
            for position, text in enumerate(dict.fromkeys((entity.label, *entity.synonyms))):
                words = tokens(text)
                if not words:
                    continue
                content = frozenset(w for w in words if w not in STOP_WORDS) or frozenset(words)
                name = _Name(entity, text, position == 0, words, content, " ".join(words), "".join(words))
                for word in words:
                    postings.setdefault(word, set()).add(len(self.names))
                self.by_compact.setdefault(name.compact, []).append(len(self.names))
                self.names.append(name)
        self.postings = postings
        self.vocabulary = sorted(postings)
        self.letters = {word: frozenset(word) for word in self.vocabulary}

    @classmethod
    def from_graph(cls, graph: GraphIndex) -> SearchIndex:
        """The search index of a graph index (build it once per graph and keep it)."""
        return cls(graph)

    def search(self, q: str, type: str | None = None, limit: int = 10) -> list[Hit]:
        """Entities matching `q`, best first, at most `limit`, only of `type` when given."""
        text = q.strip()
        # An OBO IRI's local name writes the CURIE with an underscore (HP_0007340).
        coded = self.by_code.get(text.upper().replace("_", ":", 1))
        words = tokens(text)
        content = tuple(dict.fromkeys(w for w in words if w not in STOP_WORDS)) or tuple(dict.fromkeys(words))
        grades = {word: self._grades(word) for word in dict.fromkeys(words)}
        joined, compact = " ".join(words), "".join(words)
        # A word run together ("lightheaded") shares no word with its spaced form ("light-headed").
        candidates = set(self.by_compact.get(compact, ()))
        for word in content:
            for vocab_word in grades[word]:
                candidates.update(self.postings[vocab_word])
        best: dict[str, tuple[float, str]] = {}
        if coded is not None and (type is None or coded[0].type == type):
            best[coded[0].id] = (EXACT_LABEL, coded[1])
        for position in candidates:
            name = self.names[position]
            if type is not None and name.entity.type != type:
                continue
            score = _score(name, words, content, grades, joined, compact)
            if score > best.get(name.entity.id, (0.0, ""))[0]:
                best[name.entity.id] = (score, name.text)
        ranked = sorted(
            best.items(),
            key=lambda item: (-item[1][0], self.graph.entities[item[0]].label.casefold(), item[0]),
        )
        return [
            Hit(
                id=self.graph.entities[entity_id].curie,
                label=self.graph.entities[entity_id].label,
                type=self.graph.entities[entity_id].type,
                score=round(score, 3),
                matched=matched,
            )
            for entity_id, (score, matched) in ranked[:limit]
        ]

    def _grades(self, word: str) -> dict[str, float]:
        """Vocabulary words that `word` matches, with the grade of each match."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = WHOLE
        if len(word) >= PREFIX_MIN_CHARS:
            start = bisect.bisect_right(self.vocabulary, word)
            for vocab_word in self.vocabulary[start:]:
                if not vocab_word.startswith(word):
                    break
                found[vocab_word] = PREFIX
        limit = typo_limit(word)
        if word not in self.postings and limit:
            letters = frozenset(word)
            for vocab_word in self.vocabulary:
                # Letters one side lacks each need an edit: a cheap bound that skips most of the DP.
                if (
                    vocab_word not in found
                    and abs(len(vocab_word) - len(word)) <= limit
                    and len(letters - self.letters[vocab_word]) <= limit
                    and len(self.letters[vocab_word] - letters) <= limit
                    and within(word, vocab_word, limit)
                ):
                    found[vocab_word] = TYPO
        return found


def _score(
    name: _Name,
    words: tuple[str, ...],
    content: tuple[str, ...],
    grades: dict[str, dict[str, float]],
    joined: str,
    compact: str,
) -> float:
    if joined == name.joined or compact == name.compact:
        return EXACT_LABEL if name.is_label else EXACT_SYNONYM
    matched_names: set[str] = set()
    total = 0.0
    complete = True
    for word in content:
        grade, hit = 0.0, ""
        for name_word in name.tokens:
            g = grades[word].get(name_word, 0.0)
            if g > grade:
                grade, hit = g, name_word
        total += grade
        if grade < PREFIX:
            complete = False
        if hit in name.content:
            matched_names.add(hit)
    quality = total / len(content)
    coverage = len(matched_names) / len(name.content)
    if complete and _is_run(name.tokens, words, grades):
        return 70 + 10 * quality + 10 * coverage
    if complete:
        return 50 + 10 * quality + 10 * coverage
    return 45 * quality + 5 * coverage


def _is_run(name_words: tuple[str, ...], words: tuple[str, ...], grades: dict[str, dict[str, float]]) -> bool:
    """Whether the query's words match, in order, a contiguous run of the name's words (whole or prefix)."""
    span = len(words)
    for start in range(len(name_words) - span + 1):
        if all(grades[w].get(name_words[start + k], 0.0) >= PREFIX for k, w in enumerate(words)):
            return True
    return False
