"""Lookups built once per process: an inverted index over the programme themes and phrase
matchers over the lexicon, the level cues and the named periods.

Nothing here loops over the 3,400 themes for a record: a record's stems are looked up in the
postings, and phrases are found by trying, at each position whose word starts some phrase, the
phrases that start with it (a dictionary automaton over word sequences).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from schemas.vocabularies import MAPPINGS_DIR, Vocabulary
from schemas.vocabularies.analysis import STOP, stem, words

from .tables import (
    LevelCue,
    LexiconTerm,
    NamedPeriod,
    read_cues,
    read_given_names,
    read_lexicon,
    read_periods,
    read_witness,
)

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
        self._starts: frozenset[str] = frozenset()

    def add(self, phrase: Sequence[str], payload: T) -> None:
        if len(phrase) == 1:
            self._single.setdefault(phrase[0], []).append(payload)
        elif phrase:
            self._by_pair.setdefault((phrase[0], phrase[1]), []).append((tuple(phrase), payload))

    def finalize(self) -> None:
        for entries in self._by_pair.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._starts = frozenset(self._single) | {pair[0] for pair in self._by_pair}

    def __bool__(self) -> bool:
        return bool(self._single or self._by_pair)

    def find(self, tokens: Sequence[str]) -> list[tuple[int, int, T]]:
        """(start, end, payload) of every longest match, left to right, not overlapping.

        Only the positions whose word starts some phrase are tried (one set lookup per word,
        in a comprehension): most words of a record start none.
        """
        out: list[tuple[int, int, T]] = []
        starts = self._starts
        positions = [i for i, token in enumerate(tokens) if token in starts]
        if not positions:
            return out
        single, by_pair = self._single, self._by_pair
        n, free = len(tokens), 0
        for i in positions:
            if i < free:
                continue  # inside the previous match
            end = 0
            entries = by_pair.get((tokens[i], tokens[i + 1])) if i + 1 < n else None
            if entries:
                for phrase, _ in entries:
                    if tuple(tokens[i : i + len(phrase)]) == phrase:
                        end = i + len(phrase)
                        out.extend((i, end, p) for ph, p in entries if ph == phrase)
                        break
            if not end and tokens[i] in single:
                end = i + 1
                out.extend((i, end, p) for p in single[tokens[i]])
            if end:
                free = end
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
        self.singular_forms: dict[str, str] = {}
        history = vocab.match_discipline("histoire et géographie")
        self.history = history.id if history else None
        self.periods: PhraseMatcher[NamedPeriod] = PhraseMatcher()
        for named in read_periods(mappings_dir):
            for alias in named.aliases:
                self.periods.add(words(alias), named)
        self.periods.finalize()
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
            own_period = bool(entry.get("own_period"))
            label_period = self._named_period(concept.label if concept else "")
            if label_period:
                span, long_name = label_period
                inside = period is not None and period[0] <= span[0] and span[1] <= period[1]
                if inside or (long_name and not own_period):
                    # "la Troisième République" is 1870-1940, not its parent's XIXe s.; "deux
                    # guerres mondiales au vingtième siècle" is 1914-1945, not the century. A
                    # one-word name ("occupation ancienne") only narrows a period it fits in.
                    period, own_period = list(span), True
            programme = Programme(
                id=entry["id"],
                label=concept.label if concept else entry["id"],
                discipline=discipline,
                levels=tuple(entry.get("levels") or ()),
                terms=tuple(entry["terms"]),
                context=frozenset(entry.get("context") or ()),
                period=(int(period[0]), int(period[1])) if period else None,
                own_period=own_period,
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
        # Themes with a period of at most three centuries: a record dated in that period
        # needs one shared word less to be linked to them ("colonie" in a journal of 1879 for
        # « conquêtes et sociétés coloniales », "photographie" of 1913 for « photographie,
        # cinéma… 1870-1930 »). The word keeps a 1910 chemistry manual out of history.
        self.period_themes = frozenset(
            i for i, p in enumerate(self.programmes)
            if p.period and p.levels and p.period[1] - p.period[0] <= 300
        )
        self.lexicon: PhraseMatcher[LexiconTerm] = PhraseMatcher()
        for term in read_lexicon(mappings_dir):
            if term.weight <= 0:
                # A blocker ("sciences et lettres", "Stade français"): as the longest match it
                # hides the shorter term inside it, and gives nothing itself.
                self.lexicon.add(lexicon_words(term.term), term)
                continue
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
        # "Napoléon Sacchetti": a historical name followed by a capitalised word that is not
        # one of its titles is someone's first name (removed from the text before analysis).
        self.given_names: list[tuple[str, re.Pattern[str]]] = []
        for name, titles in read_given_names(mappings_dir):
            allowed = "|".join(re.escape(t) for t in titles)
            guard = rf"(?!(?:{allowed})\b)" if allowed else ""
            self.given_names.append((name, re.compile(rf"\b{re.escape(name)}\s+{guard}(?=[A-ZÀ-ÖØ-Þ])")))
        self.witness: PhraseMatcher[str] = PhraseMatcher()
        for phrase in read_witness(mappings_dir):
            self.witness.add(words(phrase), phrase)
        self.witness.finalize()


    def singular(self, word: str) -> str:
        """:func:`singular`, remembered: records repeat the same few thousand words."""
        form = self.singular_forms[word] = singular(word)
        if len(self.singular_forms) > 200_000:
            self.singular_forms.clear()
        return form

    def _named_period(self, label: str) -> tuple[tuple[int, int], bool] | None:
        """The span of the named periods (``periods.tsv``) a theme's label mentions, and
        whether one of them is a name of several words (not also a common word)."""
        found = self.periods.find(words(label.split(" (")[0]))
        if not found:
            return None
        span = min(n.start for _, _, n in found), max(n.end for _, _, n in found)
        return span, any(end - start > 1 for start, end, _ in found)


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
