"""What a teacher's query means, before any engine sees it: clauses of alternatives.

The user's words are cut into *clauses*. A clause is one thing the user asked for — a word,
a teacher phrase ("histoire-géo", "14-18"), a date ("1789", "1914-1918", "XIXe siècle", a
named period) — with the ways a record can satisfy it: the words themselves, a synonym
(``search/teacher_terms.tsv``), a resource type ("vidéo"), a level or discipline, or a date
interval overlapping the record's. Both backends translate the same clauses:

- strict: every clause is required (a record satisfies each in at least one way);
- relaxed: the clauses are optional and each one satisfied scores a large constant, so the
  records that satisfy the most clauses come first (more again when in the title); quoted
  phrases stay required.

Query expansion only: the index holds the records' own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from schemas.vocabularies.text import read_table
from search.periods import (
    Period,
    century_label,
    century_ordinal,
    century_years,
    load_periods,
    year_of,
)
from search.text import ParsedQuery, fold_key, is_stop_word

TERMS_TSV = Path(__file__).with_name("teacher_terms.tsv")
MAX_SPAN = 4  # longest teacher phrase, in words
MAX_ALTERNATIVES = 8  # per clause: bounds the size of the engine query
# A range typed as two years ("1914-1918", "de 1870 à 1914"): at most this many years apart.
MAX_RANGE = 500
# A year alone also finds records a few years either side (a pamphlet of 1790 for "1789"),
# scored lower, and the named periods of at most NEAR_PERIOD years that contain it.
NEAR_YEARS = 5
NEAR_PERIOD = 60
_RANGE_GLUE = frozenset({"a", "au", "et", "de", "entre"})
AltKind = Literal["words", "phrase", "type", "level", "discipline", "dates"]


@dataclass(frozen=True)
class Alternative:
    kind: AltKind
    words: tuple[str, ...] = ()  # words / phrase: raw text tokens
    ids: tuple[str, ...] = ()  # type / level / discipline ids
    start: int = 0  # dates: years, inclusive
    end: int = 0
    weight: float = 1.0  # multiplies the alternative's score


@dataclass(frozen=True)
class Clause:
    text: str  # as the user typed it
    alternatives: tuple[Alternative, ...]
    strict: bool = False  # a quoted phrase: required even when relaxed

    @property
    def text_alternatives(self) -> tuple[Alternative, ...]:
        return tuple(a for a in self.alternatives if a.kind in ("words", "phrase"))


@dataclass(frozen=True)
class Proposal:
    """A filter the query's words name ("SVT", "cm2"): offered to the user, never applied."""

    group: str
    id: str


@dataclass(frozen=True)
class Expansion:
    clauses: tuple[Clause, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    # Date intervals named by the query, for the UI ("1914–1918") and for highlighting.
    intervals: tuple[tuple[int, int], ...] = field(default=())

    @property
    def relaxable(self) -> bool:
        """Whether a relaxed search can differ from the strict one: two clauses or more, one
        of them optional (quoted phrases stay required)."""
        return len(self.clauses) >= 2 and any(not c.strict for c in self.clauses)

    def terms(self) -> list[str]:
        """Every text token the clauses search for (for highlighting)."""
        return [w for c in self.clauses for a in c.text_alternatives for w in a.words]


@dataclass(frozen=True)
class TeacherTerms:
    """The teacher vocabulary, keyed by folded token tuples."""

    entries: Mapping[tuple[str, ...], tuple[Alternative, ...]]
    proposals: Mapping[tuple[str, ...], tuple[Proposal, ...]]

    @property
    def longest(self) -> int:
        return max((len(k) for k in (*self.entries, *self.proposals)), default=1)


def _key(text: str) -> tuple[str, ...]:
    return tuple(fold_key(text).split())


def parse_terms(rows: Iterable[Mapping[str, str]]) -> TeacherTerms:
    """Rows of teacher_terms.tsv; an unknown kind or a malformed value raises (a reviewed table)."""
    entries: dict[tuple[str, ...], list[Alternative]] = {}
    proposals: dict[tuple[str, ...], list[Proposal]] = {}
    for row in rows:
        key, kind, value = _key(row["term"]), row["kind"], row["value"]
        if not key or not value:
            raise ValueError(f"teacher_terms: empty term or value in {dict(row)}")
        alt: Alternative
        if kind == "text":
            tokens = tuple(value.replace("-", " ").split())
            alt = Alternative("phrase" if len(tokens) > 1 else "words", tokens)
        elif kind == "type":
            alt = Alternative("type", ids=tuple(value.split()))
        elif kind in ("level", "discipline"):
            alt = Alternative(kind, ids=(value,))  # type: ignore[arg-type]
            proposals.setdefault(key, []).append(Proposal(kind, value))
        elif kind == "dates":
            start, end = (int(x) for x in value.split())
            alt = Alternative("dates", start=start, end=end)
        else:
            raise ValueError(f"teacher_terms: unknown kind {kind!r} for {row['term']!r}")
        entries.setdefault(key, []).append(alt)
    return TeacherTerms({k: tuple(v) for k, v in entries.items()},
                        {k: tuple(v) for k, v in proposals.items()})


@cache
def load_terms(path: Path = TERMS_TSV) -> TeacherTerms:
    return parse_terms(read_table(path))


def period_index(periods: Iterable[Period]) -> dict[tuple[str, ...], Period]:
    out: dict[tuple[str, ...], Period] = {}
    for period in periods:
        for label in period.labels:
            key = _key(label)
            if key:
                out.setdefault(key, period)
    return out


@cache
def _default_periods() -> dict[tuple[str, ...], Period]:
    return period_index(load_periods())


class Expander:
    """Turns parsed user input into clauses; holds the tables (teacher terms, periods, levels)."""

    def __init__(
        self,
        terms: TeacherTerms | None = None,
        periods: Iterable[Period] | None = None,
        level_labels: Mapping[tuple[str, ...], str] | None = None,
    ) -> None:
        self.terms = terms if terms is not None else load_terms()
        self._periods = period_index(periods) if periods is not None else None
        # Folded level labels ("cm2", "6e", "cycle 3") → concept id: proposals only.
        self.level_labels = dict(level_labels or {})

    @property
    def periods(self) -> dict[tuple[str, ...], Period]:
        return self._periods if self._periods is not None else _default_periods()

    def expand(self, parsed: ParsedQuery) -> Expansion:
        clauses: list[Clause] = []
        proposals: dict[Proposal, None] = {}
        intervals: dict[tuple[int, int], None] = {}
        raw = list(parsed.words)
        keys = [fold_key(w) for w in raw]
        longest = max(self.terms.longest, max((len(k) for k in self.periods), default=1), 3)
        i = 0
        while i < len(raw):
            clause, used, found = self._match(raw, keys, i, min(longest, MAX_SPAN))
            for proposal in found:
                proposals[proposal] = None
            if clause is not None:
                clauses.append(clause)
                for alt in clause.alternatives:
                    if alt.kind == "dates":
                        intervals[(alt.start, alt.end)] = None
            i += used
        for phrase in parsed.phrases:
            tokens = tuple(phrase.split())
            clauses.append(Clause(phrase, (Alternative("phrase", tokens),), strict=True))
        return Expansion(tuple(clauses), tuple(proposals), tuple(intervals))

    def _match(
        self, raw: list[str], keys: list[str], i: int, longest: int
    ) -> tuple[Clause | None, int, list[Proposal]]:
        """The clause starting at word ``i``, how many words it used, filters it proposes."""
        date = self._date_span(raw, keys, i)
        if date is not None:
            return date
        for size in range(min(longest, len(raw) - i), 0, -1):
            key = tuple(keys[i : i + size])
            text = " ".join(raw[i : i + size])
            alts: list[Alternative] = []
            found = list(self.terms.proposals.get(key, ()))
            if key in self.level_labels:
                found.append(Proposal("level", self.level_labels[key]))
            alts.extend(self.terms.entries.get(key, ()))
            period = self.periods.get(key)
            if period is not None:
                alts.extend(self._period_alternatives(period))
            if not alts and not found:
                continue
            own = tuple(raw[i : i + size])
            if size == 1 and is_stop_word(own[0]) and not alts:
                return None, 1, found
            first = Alternative("phrase" if size > 1 else "words", own)
            return Clause(text, _unique((first, *alts))), size, found
        if is_stop_word(raw[i]):
            return None, 1, []
        return Clause(raw[i], (Alternative("words", (raw[i],)),)), 1, []

    def _period_alternatives(self, period: Period) -> list[Alternative]:
        alts = [Alternative("dates", start=period.start, end=period.end)]
        for label in period.labels:
            tokens = tuple(label.replace("-", " ").split())
            alts.append(Alternative("phrase" if len(tokens) > 1 else "words", tokens))
        return alts

    def _date_span(
        self, raw: list[str], keys: list[str], i: int
    ) -> tuple[Clause | None, int, list[Proposal]] | None:
        """A century ("XIXe siècle"), a range ("1914-1918", "de 1870 à 1914") or a year."""
        n = century_ordinal(keys[i])
        if n is not None and i + 1 < len(keys) and keys[i + 1] in ("siecle", "siecles", "s"):
            start, end = century_years(n)
            text = " ".join(raw[i : i + 2])
            label = century_label(n)
            century: tuple[Alternative, ...] = (Alternative("phrase", tuple(raw[i : i + 2])),
                    Alternative("phrase", tuple(label.split())),
                    Alternative("phrase", (f"{n}e", "siècle")),
                    Alternative("dates", start=start, end=end))
            return Clause(text, _unique(century)), 2, []
        year = year_of(keys[i])
        if year is None:
            return None
        j = i + 1
        while j < len(keys) and keys[j] in _RANGE_GLUE and j - i < 3:
            j += 1
        other = year_of(keys[j]) if j < len(keys) else None
        if other is not None and year < other <= year + MAX_RANGE:
            text = " ".join(raw[i : j + 1])
            span = (Alternative("phrase", (raw[i], raw[j])),
                    Alternative("dates", start=year, end=other))
            return Clause(text, span), j + 1 - i, []
        alts = [Alternative("words", (raw[i],)), Alternative("dates", start=year, end=year),
                Alternative("dates", start=year - NEAR_YEARS, end=year + NEAR_YEARS, weight=0.5)]
        for period in dict.fromkeys(self.periods.values()):
            if period.start <= year <= period.end and period.end - period.start <= NEAR_PERIOD:
                tokens = tuple(period.labels[0].replace("-", " ").split())
                alts.append(Alternative("phrase" if len(tokens) > 1 else "words", tokens,
                                        weight=0.5))
        return Clause(raw[i], _unique(alts)), 1, []


def _unique(alts: Iterable[Alternative]) -> tuple[Alternative, ...]:
    """Alternatives without repeats (folded), at most MAX_ALTERNATIVES, the user's own first."""
    seen: set[tuple[str, ...]] = set()
    out: list[Alternative] = []
    for alt in alts:
        key = (alt.kind, *(fold_key(w) for w in alt.words), *alt.ids, str(alt.start),
               str(alt.end), str(alt.weight))
        if key not in seen:
            seen.add(key)
            out.append(alt)
    return tuple(out[:MAX_ALTERNATIVES])
