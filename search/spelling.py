"""'Did you mean': corrections drawn from the index's own words, checked before they are offered.

A word is corrected only when it matches nothing at all (so a correct French word is never
turned into another form: "révolution française" stays as typed). The candidates are the
words of titles and keywords (``word_suggest``) sharing its first letters, within a small edit
distance, the most frequent first; the whole corrected query must return results with the
same filters, or nothing is offered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from search.base import SearchQuery, SearchResult
from search.facets import split_label
from search.text import fold_key, is_stop_word, parse_user_query

MAX_WORDS = 4
MIN_LENGTH = 4
CANDIDATES = 2_000


class _Index(Protocol):
    def search(self, query: SearchQuery) -> SearchResult: ...

    def top_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]: ...


def edit_distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance with adjacent transpositions, or ``bound + 1`` once it exceeds it."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]


def _matches(index: _Index, query: SearchQuery, q: str) -> int:
    probe = replace(query, q=q, match="all", page=1, per_page=1, cursor=None, facets=False,
                    highlight=False, group=False)
    return index.search(probe).total


def correction(index: _Index, word: str) -> str | None:
    """The most frequent title/keyword word within edit distance 1 (2 for long words)."""
    key = fold_key(word)
    bound = 1 if len(key) <= 5 else 2
    best: tuple[int, int, str] | None = None
    shown: dict[str, tuple[int, str]] = {}
    for term, count in index.top_terms("word_suggest", key[:2], CANDIDATES):
        folded, form = split_label(term)
        if folded == key or " " in folded:
            continue
        total, _ = shown.get(folded, (0, form or folded))
        shown[folded] = (total + count, form or folded)
    for folded, (count, form) in shown.items():
        distance = edit_distance(key, folded, bound)
        if distance <= bound and (best is None or (distance, -count) < best[:2]):
            best = (distance, -count, form)
    return best[2] if best else None


def did_you_mean(index: _Index, query: SearchQuery) -> str | None:
    """A corrected ``q`` that returns results with the same filters, or None."""
    words = [w for w in parse_user_query(query.q).words
             if len(w) >= MIN_LENGTH and not w.isdigit() and not is_stop_word(w)]
    text = query.q
    changed = False
    for word in list(dict.fromkeys(words))[:MAX_WORDS]:
        if _matches(index, query, word):
            continue  # a word the catalogue holds is never "corrected"
        better = correction(index, word)
        if better:
            text = text.replace(word, better, 1)
            changed = True
    if not changed or not _matches(index, query, text):
        return None
    return text
