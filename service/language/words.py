"""Words of a name or a query, normalised alike on both sides of a match.

Unicode NFKD with diacritics removed ("Barré" -> "barre"), casefold, typographic apostrophes made plain;
the polarity phrases of function_words.yaml replaced by their canonical token ("can't" -> `no`, "trouble"
-> `difficult`), and the words in their scope noted (the rest of the clause); every run of
non-alphanumerics a word break; each word reduced to its Snowball (Porter2) English stem ("passing" ->
"pass", "urination" and "urine" -> "urin"). Stop words stay in the words (for exact and phrase matching)
but not in `content` (the words a match is judged on).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import Stemmer
import yaml


@dataclass(frozen=True, slots=True)
class Words:
    """A text's normalised words."""

    tokens: tuple[str, ...]  # every word, stemmed, polarity phrases as their canonical token
    raw: tuple[str, ...]  # the same words folded but not stemmed (typos are judged on these)
    content: tuple[str, ...]  # the words a match is judged on: no stop words or polarity tokens, unique
    polarity: frozenset[str]  # the canonical polarity tokens the text has ("no", "difficult")
    negated: frozenset[str]  # the words in a polarity token's scope ("can't pass urine": pass, urin)
    joined: str  # the tokens, space-separated
    compact: str  # the tokens but polarity ones run together: "light headed" and "lightheaded" are one


@dataclass(frozen=True)
class _FunctionWords:
    pattern: re.Pattern[str]
    canonical: dict[str, str]  # phrase -> canonical token
    polarity_tokens: frozenset[str]
    stop_words: frozenset[str]
    equivalents: dict[str, tuple[str, ...]]  # stem of an everyday word -> stems of the clinical words


_BREAK = re.compile(r"[^0-9a-z]+")
# A polarity token's scope ends with its clause.
_CLAUSE = re.compile(r"[,.;:!?()]|\bbut\b|\band\b")


@cache
def _function_words() -> _FunctionWords:
    data = yaml.safe_load(files("clinkg.service.language").joinpath("function_words.yaml").read_text())
    canonical = {_fold(phrase): token for token, phrases in data["polarity"].items() for phrase in phrases}
    # Longest first, so that "can not" wins over "not"; whole words only.
    alternatives = "|".join(re.escape(p) for p in sorted(canonical, key=len, reverse=True))
    return _FunctionWords(
        pattern=re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])"),
        canonical=canonical,
        polarity_tokens=frozenset(data["polarity"]),
        stop_words=frozenset(stem(_fold(w)) for w in data["stop_words"].split()),
        equivalents={
            stem(_fold(word)): tuple(stem(w) for w in _BREAK.split(_fold(clinical)) if w)
            for word, clinical in data["equivalents"].items()
        },
    )


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of one folded word."""
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


@cache
def _single_polarity() -> dict[str, str]:
    """Polarity of one word as a tokenizer splits it: the one-word phrases, the first word of phrases such
    as "unable to" or "problems with", and the "n't" that spaCy splits off "can't"."""
    fw = _function_words()
    single: dict[str, str] = {"n't": "no", "nt": "no"}
    for phrase, token in fw.canonical.items():
        parts = phrase.split()
        if len(parts) == 1 and "'" not in phrase:
            single[phrase] = token
        elif len(parts) == 2 and parts[1] in ("to", "with") and parts[0] not in ("not", "can", "do", "will"):
            single.setdefault(parts[0], token)
    return single


def polarity_token(word: str) -> str | None:
    """The polarity token one folded word carries on its own ("not" -> no, "trouble" -> difficult)."""
    return _single_polarity().get(word)


def is_polarity(token: str) -> bool:
    """Whether a normalised token is one of the canonical polarity tokens (`no`, `difficult`)."""
    return token in _function_words().polarity_tokens


def stop_word(word: str) -> bool:
    """Whether a folded word is a stop word (function_words.yaml)."""
    return stem(word) in _function_words().stop_words


def equivalents(word: str) -> tuple[str, ...]:
    """The stems of the clinical words an everyday word (a stem) stands for (function_words.yaml)."""
    return _function_words().equivalents.get(word, ())


def words(text: str) -> Words:
    """The normalised words of a text (module docstring)."""
    fw = _function_words()
    folded = fw.pattern.sub(lambda m: f" {fw.canonical[m.group(0)]} ", _fold(text))
    raw = tuple(word for word in _BREAK.split(folded) if word)
    tokens = tuple(word if word in fw.polarity_tokens else stem(word) for word in raw)
    polarity = frozenset(t for t in tokens if t in fw.polarity_tokens)
    content = tuple(
        dict.fromkeys(t for t in tokens if t not in fw.stop_words and t not in fw.polarity_tokens)
    )
    compact = "".join(t for t in tokens if t not in polarity) or "".join(tokens)
    negated = _negated(folded, fw) if polarity else frozenset()
    return Words(tokens, raw, content, polarity, negated, " ".join(tokens), compact)


def _negated(folded: str, fw: _FunctionWords) -> frozenset[str]:
    """The stems in the scope of a polarity token: the rest of its clause ("can't pass urine"), or, when
    the token ends its clause, the words before it ("walking difficulty")."""
    found: set[str] = set()
    for clause in _CLAUSE.split(folded):
        clause_words = [word for word in _BREAK.split(clause) if word]
        positions = [i for i, word in enumerate(clause_words) if word in fw.polarity_tokens]
        if not positions:
            continue
        after = [w for w in clause_words[positions[0] + 1 :] if w not in fw.polarity_tokens]
        scope = after or clause_words[: positions[0]]
        found.update(stem(word) for word in scope)
    return frozenset(found)
