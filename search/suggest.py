"""Completions for the search box, merged from the vocabulary, the index's words, subjects and
titles; and example queries taken from the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from search.base import SearchQuery, Suggestion
from search.facets import split_label
from search.text import fold_key

if TYPE_CHECKING:
    from search.base import SearchIndex

TITLE_CHARS = 90


def merge_suggestions(groups: Sequence[Sequence[Suggestion]], limit: int) -> list[Suggestion]:
    """Each group in order, each with a quota first (half the list for the first, a quarter
    for the others), then what is left; no repeated text (folded)."""
    quotas = [max(1, limit // 2)] + [max(1, limit // 4)] * (len(groups) - 1)
    seen: set[str] = set()
    chosen: dict[int, list[Suggestion]] = {i: [] for i in range(len(groups))}

    def take(i: int, quota: int) -> None:
        for item in groups[i]:
            if sum(len(v) for v in chosen.values()) >= limit or len(chosen[i]) >= quota:
                return
            key = fold_key(item.text)
            if key and key not in seen:
                seen.add(key)
                chosen[i].append(item)

    for i, quota in enumerate(quotas):
        take(i, quota)
    for i in range(len(groups)):
        take(i, limit)
    return [item for i in range(len(groups)) for item in chosen[i]]


def clean_title(title: str) -> str:
    """A title fit for a completion list: no statement of responsibility, no stray brackets."""
    text = title.split(" / ")[0].replace("[", "").replace("]", "")
    text = " ".join(text.split()).strip(" ,;:.")
    if len(text) > TITLE_CHARS:
        text = text[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def words(pairs: Sequence[tuple[str, int]]) -> list[Suggestion]:
    """Completion words from ``word_suggest`` terms ("folded\\x1fword"), most frequent first;
    the forms of one folded word are merged under the most frequent one."""
    counts: dict[str, int] = {}
    forms: dict[str, tuple[int, str]] = {}
    for term, count in pairs:
        folded, form = split_label(term)
        counts[folded] = counts.get(folded, 0) + count
        if form and count > forms.get(folded, (0, ""))[0]:
            forms[folded] = (count, form)
    ranked = sorted(counts, key=lambda f: (-counts[f], f))
    return [Suggestion(forms.get(f, (0, f))[1], "term") for f in ranked]


def periods(index: SearchIndex, prefix: str) -> list[Suggestion]:
    """Named periods whose label (or a word of it) starts with ``prefix`` and that find records."""
    key = fold_key(prefix)
    out = []
    expander = index.taxonomy.expander  # type: ignore[attr-defined]
    for period in dict.fromkeys(expander.periods.values()):
        for label in period.labels:
            folded = fold_key(label)
            if folded.startswith(key) or f" {key}" in f" {folded}":
                if index.search(SearchQuery(q=label, match="all", per_page=1, facets=False,
                                            highlight=False)).total:
                    out.append(Suggestion(label, "period"))
                break
        if len(out) >= 3:
            break
    return out


def examples(index: SearchIndex, limit: int = 3) -> list[str]:
    """The catalogue's most frequent subjects (short ones) that a search finds."""
    out: list[str] = []
    seen: set[str] = set()
    for term, _ in index.top_terms("kw_suggest", "", 40):
        folded, shown = split_label(term)
        text = (shown or folded).split(" -- ")[0].strip()
        key = fold_key(text)
        slug = "-" in text and " " not in text and text == text.lower()  # "donnees-publiques"
        if not text or slug or len(text) > 30 or key in seen or len(key) < 4:
            continue
        seen.add(key)
        found = index.search(SearchQuery(q=text, match="all", per_page=1, facets=False,
                                         highlight=False))
        if found.total:
            out.append(text)
        if len(out) >= limit:
            break
    return out
