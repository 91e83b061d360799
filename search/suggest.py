"""Merging suggestions from the vocabulary, keywords and titles into one short list."""

from __future__ import annotations

from collections.abc import Sequence

from search.base import Suggestion
from search.text import fold_key


def merge_suggestions(
    concepts: Sequence[Suggestion],
    keywords: Sequence[Suggestion],
    titles: Sequence[Suggestion],
    limit: int,
) -> list[Suggestion]:
    """Levels/disciplines first (up to half), then keywords, then titles; no repeated text.

    Each kind gets a quota first so that a prefix matching many titles still shows the
    vocabulary; what a kind leaves unused goes to the others.
    """
    quotas = ((concepts, max(1, limit // 2)), (keywords, max(1, limit // 4)), (titles, limit))
    seen: set[str] = set()
    chosen: list[Suggestion] = []

    def take(items: Sequence[Suggestion], quota: int) -> None:
        taken = 0
        for item in items:
            if len(chosen) >= limit or taken >= quota:
                return
            key = fold_key(item.text)
            if key and key not in seen:
                seen.add(key)
                chosen.append(item)
                taken += 1

    for items, quota in quotas:
        take(items, quota)
    for items, _ in quotas:
        take(items, limit)
    rank = {"level": 0, "discipline": 0, "keyword": 1, "title": 2}
    chosen.sort(key=lambda s: rank[s.kind])  # stable: keeps each kind's own order
    return chosen
