"""Lookups built once per process: an inverted index over the programme themes and phrase
matchers over the lexicon, the level cues and the named periods.

Nothing here loops over the 3,400 themes for a record: a record's stems are looked up in the
postings, and phrases are found by trying, at each position whose word starts some phrase, the
phrases that start with it (a dictionary automaton over word sequences).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from schemas.vocabularies import MAPPINGS_DIR, Vocabulary
from schemas.vocabularies.analysis import STOP, stem, words

from .tables import LevelCue, LexiconTerm, NamedPeriod, read_cues, read_lexicon, read_periods

T = TypeVar("T")
MAX_POSTINGS = 400  # a stem shared by more themes than this says nothing about any of them


@dataclass(frozen=True)
class Programme:
    id: str
    label: str
    discipline: str | None
    levels: tuple[str, ...]
    terms: tuple[str, ...]
    context: frozenset[str]
    period: tuple[int, int] | None
    own_period: bool
    weak: bool
    norm: float  # sum of the idf of its terms
    weighted: tuple[tuple[str, float], ...] = ()  # (term, idf) of its distinct terms


class PhraseMatcher(Generic[T]):
    """Word-sequence phrases → payloads; finds the longest phrase at each position.

    One-word phrases are looked up by their word, longer ones by their first two words, so a
    frequent first word ("en", "classe") costs one lookup, not one comparison per phrase.
    """

    def __init__(self) -> None:
        self._single: dict[str, list[T]] = {}
        self._by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], T]]] = {}

    def add(self, phrase: Sequence[str], payload: T) -> None:
        if len(phrase) == 1:
            self._single.setdefault(phrase[0], []).append(payload)
        elif phrase:
            self._by_pair.setdefault((phrase[0], phrase[1]), []).append((tuple(phrase), payload))

    def finalize(self) -> None:
        for entries in self._by_pair.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __bool__(self) -> bool:
        return bool(self._single or self._by_pair)

    def find(self, tokens: Sequence[str]) -> list[tuple[int, int, T]]:
        """(start, end, payload) of every longest match, left to right, not overlapping."""
        out: list[tuple[int, int, T]] = []
        single, by_pair = self._single, self._by_pair
        i, n = 0, len(tokens)
        while i < n:
            end = 0
            entries = by_pair.get((tokens[i], tokens[i + 1])) if i + 1 < n and by_pair else None
            if entries:
                for phrase, _ in entries:
                    if tuple(tokens[i : i + len(phrase)]) == phrase:
                        end = i + len(phrase)
                        out.extend((i, end, p) for ph, p in entries if ph == phrase)
                        break
            if not end and tokens[i] in single:
                end = i + 1
                out.extend((i, end, p) for p in single[tokens[i]])
            i = end if end else i + 1
        return out


def content_terms(text: str) -> list[str]:
    """Stems of the content words of a phrase (stop words dropped), as records are analysed."""
    return [stem(w) for w in words(text) if w not in STOP]


def singular(word: str) -> str:
    """A folded word without its plural mark ("fractions" → "fraction", "reseaux" → "reseau").

    Lexicon terms are matched on these rather than on stems: the stemmer makes one word of
    "France", "française" and "français", and "français" is a discipline.
    """
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and word[-2] != word[-1] else word


def lexicon_words(text: str) -> list[str]:
    return [singular(w) for w in words(text) if w not in STOP]


class ContentIndex:
    """Everything the content layer looks up, built from the vocabulary and the tables."""

    def __init__(self, vocab: Vocabulary, mappings_dir: Path) -> None:
        self.vocab = vocab
        history = vocab.match_discipline("histoire et géographie")
        self.history = history.id if history else None
        raw = vocab.programmes
        df: dict[str, int] = {}
        for entry in raw:
            for term in set(entry["terms"]):
                df[term] = df.get(term, 0) + 1
        total = max(1, len(raw))
        self.idf = {t: math.log(1 + total / n) for t, n in df.items()}
        self.programmes: list[Programme] = []
        self.postings: dict[str, list[int]] = {}
        discipline_terms: dict[str, set[str]] = {
            c.id: set(content_terms(c.label.replace("(discipline)", ""))) for c in vocab.disciplines()
        }
        for entry in raw:
            discipline = entry.get("discipline")
            if discipline is None:
                found = vocab.discipline_of(entry["id"])
                discipline = found.id if found else None
                if set(entry["terms"]) <= discipline_terms.get(discipline or "", set()):
                    continue  # "physique-chimie (lycée 2015)": only the discipline's own name
            concept = vocab.concept(entry["id"])
            period = entry.get("period")
            programme = Programme(
                id=entry["id"],
                label=concept.label if concept else entry["id"],
                discipline=discipline,
                levels=tuple(entry.get("levels") or ()),
                terms=tuple(entry["terms"]),
                context=frozenset(entry.get("context") or ()),
                period=(int(period[0]), int(period[1])) if period else None,
                own_period=bool(entry.get("own_period")),
                weak=bool(entry.get("weak")),
                norm=sum(self.idf[t] for t in set(entry["terms"])),
                weighted=tuple((t, self.idf[t]) for t in dict.fromkeys(entry["terms"])),
            )
            position = len(self.programmes)
            self.programmes.append(programme)
            for term in set(programme.terms):
                self.postings.setdefault(term, []).append(position)
        for term, posting in list(self.postings.items()):
            if len(posting) > MAX_POSTINGS:
                del self.postings[term]
        self.history_themes = [
            i for i, p in enumerate(self.programmes)
            if p.period and p.discipline == self.history and p.levels
        ]
        self.lexicon: PhraseMatcher[LexiconTerm] = PhraseMatcher()
        for term in read_lexicon(mappings_dir):
            target = vocab.discipline_of(term.concept) or vocab.resolve(term.concept)
            if target is None or target.vocab != "015":
                continue
            resolved = LexiconTerm(term.term, target.id, term.weight, term.levels)
            self.lexicon.add(lexicon_words(term.term), resolved)
        self.lexicon.finalize()
        self.cues: PhraseMatcher[LevelCue] = PhraseMatcher()
        for cue in read_cues(mappings_dir):
            self.cues.add(words(cue.pattern), cue)
        self.cues.finalize()
        self.periods: PhraseMatcher[NamedPeriod] = PhraseMatcher()
        for period in read_periods(mappings_dir):
            for alias in period.aliases:
                self.periods.add(words(alias), period)
        self.periods.finalize()


_BUILT: dict[tuple[int, Path | None], tuple[Vocabulary, ContentIndex]] = {}


def content_index(vocab: Vocabulary, mappings_dir: Path | None = None) -> ContentIndex:
    """The index for this vocabulary and tables directory, built on first use (per process)."""
    key = (id(vocab), mappings_dir)
    built = _BUILT.get(key)
    if built is None or built[0] is not vocab:
        if len(_BUILT) >= 8:
            _BUILT.clear()
        built = _BUILT[key] = (vocab, ContentIndex(vocab, mappings_dir or MAPPINGS_DIR))
    return built[1]


__all__ = [
    "ContentIndex", "PhraseMatcher", "Programme", "content_index", "content_terms", "lexicon_words",
    "singular",
]
