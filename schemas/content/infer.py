"""Score the evidence of a record against the programmes and the tables, and decide.

Precision before coverage: a discipline needs a combined score of :data:`DISCIPLINE_MIN`
(one shared word is not enough, a lexicon term of weight 0.6+ or a theme well covered is),
levels need a theme of the chosen discipline scoring :data:`LEVEL_MIN` or a cue, and a record
gets at most :data:`MAX_LEVELS` levels. When nothing is convincing the answer is nothing.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from schemas.vocabularies import Vocabulary
from schemas.vocabularies.analysis import STOP

from .evidence import Evidence, agreeing_period, gather
from .index import ContentIndex, Programme, content_index

DISCIPLINE_MIN = 0.65
LEVEL_MIN = 0.5
CANDIDATE_MIN = 0.3
STRENGTH = 7.0  # matched idf that makes full-strength evidence (about two specific words)
MAX_LEVELS = 3
MAX_DISCIPLINES = 2
PERIOD_THEMES = 2  # level groups linked by period alone
MAX_PERIOD_SPAN = 1000
# Score of a history theme linked by period alone: stated history (temporal coverage, RAMEAU
# history subject, named period, Dewey 9xx), or an early document that is its own source.
PERIOD_STRONG, PERIOD_EARLY = 0.75, 0.66
CANDIDATE_DF = 80  # a title or subject stem proposes the themes it occurs in up to this many
DESCRIPTION_DF = 20  # a description stem, only when it is this specific
SPECIFIC_IDF = 4.7  # idf of a stem found in about 30 themes: at least one shared word this rare
MAX_CANDIDATES = 8  # themes scored per record, those sharing the most specific stems
RARE_DF = 6  # a stem this rare proposes its themes alone; others need a second shared stem
WITNESS_OTHER = 0.3  # lexicon evidence for another discipline above this: a witness is not history
DATED_BOOST = 0.4  # share of the missing score a theme gains when the record falls in its period
DATED_MIN = 0.55  # a dated history theme this good makes an old record history material


@dataclass
class Candidate:
    programme: Programme
    score: float
    words: list[str]
    period: tuple[int, int] | None = None

    def basis(self) -> str:
        parts = [f"programme:{self.programme.id}"]
        if self.words:
            parts.append("words=" + ",".join(self.words[:6]))
        if self.period:
            parts.append(f"period={self.period[0]}/{self.period[1]}")
        parts.append(f"score={min(1.0, self.score):.2f}")
        return ";".join(parts)


@dataclass
class Inference:
    """What the content says: (concept id, basis) pairs, best first."""

    levels: list[tuple[str, str]] = field(default_factory=list)
    disciplines: list[tuple[str, str]] = field(default_factory=list)


def _programmes(index: ContentIndex, ev: Evidence, known: set[str]) -> dict[int, Candidate]:
    """Themes sharing a specific word with the record, scored on all the words they share.

    Candidates come from the postings of specific stems only (few themes each, fewer still for
    description words); the score then looks at every term of the candidate. This keeps the
    work per record to a few hundred dictionary operations.
    """
    stems = ev.stems
    postings, idf = index.postings, index.idf
    selected: list[list[int]] = []  # postings of the specific stems (a very rare one twice)
    for term, weight in stems.items():
        posting = postings.get(term)
        if not posting or len(posting) > (CANDIDATE_DF if weight >= 1.0 else DESCRIPTION_DF):
            continue
        selected.append(posting)
        if len(posting) <= RARE_DF:
            selected.append(posting)
    hits: Counter[int] = Counter(chain.from_iterable(selected))  # theme → shared stems
    dated: set[int] = set()
    period = agreeing_period(ev)
    if period is not None and hits:
        # A theme whose own period holds the record's ("photographie, cinéma… 1870-1930" for a
        # 1913 photograph) needs only one shared word: the date is the second piece of evidence.
        for position in index.period_themes.intersection(hits):
            if _overlap(period, programmes_period(index, position)) >= 0.5:
                hits[position] += 1
                dated.add(position)
    seen = [position for position, count in hits.items() if count >= 2]
    if len(seen) > MAX_CANDIDATES:
        seen = heapq.nlargest(MAX_CANDIDATES, seen, key=hits.__getitem__)
    present = frozenset(stems)
    out: dict[int, Candidate] = {}
    programmes = index.programmes
    floor = STRENGTH * CANDIDATE_MIN
    for position in seen:
        programme = programmes[position]
        total, terms = 0.0, []
        for term, weight in programme.weighted:
            found = stems.get(term)
            if found:
                total += weight * found
                terms.append(term)
        if total < floor or max(idf[t] for t in terms) < SPECIFIC_IDF:
            continue  # only generic words shared ("France", "monde"): no evidence
        coverage = total / programme.norm
        score = coverage * min(1.0, total / STRENGTH)
        if len(terms) == 1 and position not in dated:
            # One shared word ("révolution", "dynamique") is weak evidence.
            score *= 0.5 if len(programme.terms) > 1 else 0.45
        if coverage >= 0.3 and programme.context:
            score += min(0.2, 0.1 * len(programme.context & present))
        if programme.weak:
            score *= 0.6
        if programme.discipline in known:
            score *= 1.2
        if position in dated:
            score += (1 - score) * DATED_BOOST
        if score >= CANDIDATE_MIN:
            out[position] = Candidate(programme, score, [ev.surface.get(t, t) for t in terms],
                                      period if position in dated else None)
    return out


def programmes_period(index: ContentIndex, position: int) -> tuple[int, int]:
    period = index.programmes[position].period
    assert period is not None
    return period


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of period ``a`` that falls inside ``b``."""
    inside = min(a[1], b[1]) - max(a[0], b[0]) + 1
    return max(0, inside) / (a[1] - a[0] + 1)


def _by_period(index: ContentIndex, ev: Evidence, found: dict[int, Candidate], base: float) -> None:
    """History themes whose period holds the record's: the tightest per group of levels."""
    assert ev.period is not None
    groups: dict[tuple[str, ...], tuple[tuple[int, int, float], int]] = {}  # levels → (key, pos)
    for position in index.history_themes:
        programme = index.programmes[position]
        assert programme.period is not None
        span = programme.period[1] - programme.period[0]
        if span > MAX_PERIOD_SPAN or _overlap(ev.period, programme.period) < 0.5:
            continue
        words = -found[position].score if position in found else 0.0
        key = (span, 0 if programme.own_period else 1, words)
        best = groups.get(programme.levels)
        if best is None or key < best[0]:
            groups[programme.levels] = (key, position)
    for _, position in sorted(groups.values())[:PERIOD_THEMES]:
        earlier = found.get(position)
        score = base + ((1 - base) * min(1.0, earlier.score) if earlier else 0.0)
        found[position] = Candidate(index.programmes[position], score,
                                    earlier.words if earlier else [], ev.period)


def _lexicon(index: ContentIndex, ev: Evidence) -> dict[str, list[tuple[float, str, tuple[str, ...]]]]:
    """discipline → [(weight, term, levels)] of the lexicon terms found in the record."""
    out: dict[str, list[tuple[float, str, tuple[str, ...]]]] = {}
    if not index.lexicon:
        return out
    seen: set[str] = set()
    forms = index.singular_forms
    for name, tokens in ev.tokens.items():
        factor = 0.8 if name == "description" else 1.0
        folded = [forms.get(t) or index.singular(t) for t in tokens if t not in STOP]
        for _, _, term in index.lexicon.find(folded):
            if term.term in seen or term.weight <= 0:
                continue
            seen.add(term.term)
            out.setdefault(term.concept, []).append((term.weight * factor, term.term, term.levels))
    return out


def _noisy_or(values: list[float]) -> float:
    rest = 1.0
    for value in values:
        rest *= 1.0 - min(1.0, max(0.0, value))
    return 1.0 - rest


def infer(
    record: dict[str, Any],
    hints: dict[str, list[str]],
    vocab: Vocabulary,
    known_disciplines: set[str],
    known_levels: bool,
    mappings_dir: Path | None = None,
) -> Inference:
    """Levels and disciplines the record's content supports, with their bases.

    ``known_disciplines`` (from the partner's own statements and classifications) steer the
    choice of themes and are never contradicted: the content adds disciplines only when there
    are none (except history beside them, for material that says it is historical or was
    printed before 1815), and levels
    only when ``known_levels`` is false.
    """
    index = content_index(vocab, mappings_dir)
    ev = gather(record, hints, index)
    result = Inference()
    found = _programmes(index, ev, known_disciplines)
    lexicon = _lexicon(index, ev)
    lexicon_scores = {d: _noisy_or([h[0] for h in hits]) for d, hits in lexicon.items()}
    other = {d for d in known_disciplines if d != index.history}
    other |= {
        d for d, value in lexicon_scores.items() if d != index.history and value >= DISCIPLINE_MIN
    }
    history_words = index.history in lexicon or any(
        c.programme.discipline == index.history and c.score >= 0.6 and len(c.words) >= 2
        for c in found.values()
    )
    # Historical material: said so (Dewey 9xx, a history subject, a temporal coverage, a named
    # period), or printed before 1815 (a source on its own time whatever its subject), or old
    # with history words and nothing else to say (a 1910 chemistry manual has something else).
    stated = ev.dewey_history or ev.strong_history
    # Footage or a press photograph of its day is a source on that day, unless its words say
    # what else it is for (a tennis match is sport, not a history lesson): a collection of
    # news footage (the reader's hint) is history material whatever its subject.
    witness = ev.witness and ev.old and (ev.witness_declared or not any(
        value > WITNESS_OTHER for d, value in lexicon_scores.items() if d != index.history))
    # A travel account or a description of a country (Dewey 91x) written before 1950 is a
    # source on its time, not today's geography: « les Boers » of 1899, « les deux Romes ».
    old_travel = ev.dewey_travel and ev.old
    source = ev.early or witness or old_travel  # a source on its own time
    historical = stated or source or (not other and ev.old and history_words)
    if historical and ev.period is not None:
        _by_period(index, ev, found, PERIOD_STRONG if stated else PERIOD_EARLY)

    scores: dict[str, float] = {}
    best_basis: dict[str, tuple[float, str]] = {}
    per_discipline: dict[str, list[Candidate]] = {}
    for candidate in found.values():
        d = candidate.programme.discipline
        if d:
            per_discipline.setdefault(d, []).append(candidate)
    for d, candidates in per_discipline.items():
        candidates.sort(key=lambda c: -c.score)
        top = min(1.0, candidates[0].score)
        support = 0.25 * min(1.0, candidates[1].score) if len(candidates) > 1 else 0.0
        scores[d] = min(1.0, top + support * (1 - top))
        best_basis[d] = (top, candidates[0].basis())
    for d, hits in lexicon.items():
        value = lexicon_scores[d]
        scores[d] = _noisy_or([scores.get(d, 0.0), value])
        strongest = max(hits)
        if d not in best_basis or strongest[0] >= best_basis[d][0]:
            best_basis[d] = (strongest[0], f"lexicon:{strongest[1]};score={min(1.0, value):.2f}")

    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    chosen: list[str] = []
    for d, score in ranked[:MAX_DISCIPLINES]:
        if score >= DISCIPLINE_MIN and (not chosen or score >= 0.75 * scores[chosen[0]]):
            chosen.append(d)
    history = index.history
    # A source on its time is history material whatever else it is about: a 1913 tennis
    # photograph is EPS by its words and a document of the Belle Époque by its date.
    # A history theme that shares a word with an old record *and* holds its date ("la
    # Troisième République" for « l'instruction dans une république », 1872) says the record
    # is a source on that theme, beside whatever the partner filed it under.
    # So does, in an old record, a history term of the lexicon that names its classes
    # ("colonies" in a journal of 1879: 4e).
    dated_history = ev.old and history is not None and (
        any(c.period is not None and c.programme.discipline == history and c.score >= DATED_MIN
            for c in found.values())
        or any(weight >= 0.8 and levels for weight, _, levels in lexicon.get(history, []))
    )
    history_found = history is not None and (
        ((stated or source) and scores.get(history, 0.0) >= DISCIPLINE_MIN)
        or dated_history
    )
    if history is not None and history_found and history not in chosen:
        chosen.append(history)
    steer = set(known_disciplines)
    if not known_disciplines:
        result.disciplines = [(d, best_basis[d][1]) for d in chosen]
    elif history is not None and history_found and history not in known_disciplines:
        # A 1788 pamphlet on taxes that the partner files under economics is also a source on
        # the Revolution: history is added beside the partner's class, never instead of it.
        result.disciplines = [(history, best_basis[history][1])]
        steer.add(history)
    if not known_levels:
        result.levels = _levels(index, ev, steer or set(chosen), per_discipline, lexicon)
    return result


def _levels(index: ContentIndex, ev: Evidence, disciplines: set[str],
            per_discipline: dict[str, list[Candidate]],
            lexicon: dict[str, list[tuple[float, str, tuple[str, ...]]]]) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    tokens = [t for name in ("title", "keywords", "description") for t in ev.tokens.get(name, [])[:200]]
    for start, end, cue in index.cues.find(tokens):
        for concept in cue.concepts:
            out.setdefault(concept, f"cue:{' '.join(tokens[start:end])}")
    if out:
        return list(out.items())[:MAX_LEVELS]
    for d in disciplines:
        for weight, term, levels in sorted(lexicon.get(d, []), reverse=True):
            if weight >= 0.6:
                for level in levels:
                    out.setdefault(level, f"lexicon:{term};score={weight:.2f}")
    candidates = sorted(
        (c for d in disciplines for c in per_discipline.get(d, []) if c.programme.levels),
        key=lambda c: -c.score,
    )
    if candidates and candidates[0].score >= LEVEL_MIN:
        top = candidates[0].score
        close = [c for c in candidates if c.score >= 0.85 * top]
        spread = {lv for c in close for lv in c.programme.levels if lv not in out}
        # Themes as good as each other in more classes than a record may get ("anglais" is a
        # theme of cycles 2, 3, 4 and of the lycée): the words say nothing about the level.
        if len(out) + len(spread) <= MAX_LEVELS:
            for candidate in close:
                for level in candidate.programme.levels:
                    out.setdefault(level, candidate.basis())
    return list(out.items())[:MAX_LEVELS]


__all__ = ["DISCIPLINE_MIN", "LEVEL_MIN", "Inference", "infer"]
