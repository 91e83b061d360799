"""The search flow both backends share: every word first, then the best partial matches.

A backend runs one plan (``execute``); this module decides whether to run the relaxed plan,
marks the result, and adds the filters the query's words propose ("SVT" → the SVT discipline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from search.base import SearchResult
from search.facets import Taxonomy
from search.paging import RELAX_BELOW, Plan

# Scores of the relaxed query: each clause satisfied adds COVER, each satisfied in the title
# TITLE_COVER more, so that "most clauses first, title first" dominates the text score.
COVER = 100.0
TITLE_COVER = 20.0
# Constant scores of the non-text ways to satisfy a clause (a type, a level, a date); the text
# scores of the same clause are BM25 with field boosts, typically 2 to 20.
FACET_SCORE = 3.0
DATE_SCORE = 3.0

# A date in the query matches records whose own interval overlaps it and is not much wider:
# "1789" finds a pamphlet of 1789, not every record dated "17..".
SPAN_FACTOR = 3
MIN_SPAN = 10


def max_span(start: int, end: int) -> int:
    """The widest record interval (in years) that a query date [start, end] still matches."""
    return max(MIN_SPAN, SPAN_FACTOR * (end - start))


def run(execute: Callable[[Plan], SearchResult], plan: Plan, taxonomy: Taxonomy) -> SearchResult:
    """Strict first; relaxed when it found fewer than RELAX_BELOW records and could differ."""
    result = execute(plan)
    if plan.relaxed:  # a cursor of relaxed results
        result = replace(result, relaxed=True)
    elif plan.can_relax and plan.after is None and result.total < RELAX_BELOW:
        relaxed = execute(plan.relax())
        if relaxed.total > result.total:
            result = replace(relaxed, relaxed=True, strict_total=result.total)
    return replace(result, proposals=taxonomy.proposals(plan.expansion.proposals))
