"""The search page's state: parsed from the query string, turned back into shareable URLs.

The parameter names are the JSON API's (``q``, ``level``, ``discipline``, ``partner``, ``type``,
``licence``, ``language``, ``sort``, ``page``), so a page URL and an API URL say the same thing.
Defaults are left out of generated URLs (no ``sort=relevance``, no ``page=1``) so that one state
has one URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

FACETS: tuple[str, ...] = ("level", "discipline", "partner", "type", "licence", "language")
SORTS: tuple[str, ...] = ("relevance", "date", "title")
PER_PAGE = 20
# The index refuses offsets past 10,000 results (deep paging needs its cursor): 500 pages of 20.
MAX_PAGE = 500
MAX_Q = 500
MAX_VALUES = 20
MAX_VALUE_CHARS = 300


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values())

    @property
    def is_empty(self) -> bool:
        return not self.q and not self.has_filters

    def selected(self, facet: str) -> tuple[str, ...]:
        return self.filters.get(facet, ())

    def with_filter(self, facet: str, value: str) -> SearchState:
        values = self.selected(facet)
        if value in values:
            return replace(self, page=1)
        return replace(self, filters={**self.filters, facet: (*values, value)}, page=1)

    def without_filter(self, facet: str, value: str) -> SearchState:
        values = tuple(v for v in self.selected(facet) if v != value)
        filters = {k: v for k, v in self.filters.items() if k != facet}
        if values:
            filters[facet] = values
        return replace(self, filters=filters, page=1)

    def without_query(self) -> SearchState:
        return replace(self, q="", page=1)

    def with_query(self, q: str) -> SearchState:
        return replace(self, q=q, page=1)

    def cleared(self) -> SearchState:
        """Same words, no filters."""
        return SearchState(q=self.q, sort=self.sort)

    def at_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def params(self) -> list[tuple[str, str]]:
        """Query-string pairs in a fixed order, defaults left out."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for facet in FACETS:
            pairs.extend((facet, value) for value in self.selected(facet))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, path: str = "/") -> str:
        query = urlencode(self.params())
        return f"{path}?{query}" if query else path

    def api_filters(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.filters.items() if v}


def _clean(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def parse_state(args: Mapping[str, Any]) -> SearchState:
    """Read the state from request args (a werkzeug MultiDict or a plain mapping).

    Anything malformed falls back to its default: a shared URL with a typo still shows a page.
    """

    def getlist(key: str) -> list[str]:
        if hasattr(args, "getlist"):
            return [str(v) for v in args.getlist(key)]
        value = args.get(key)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    q_values = getlist("q")
    q = _clean(q_values[0], MAX_Q) if q_values else ""
    filters: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        values = [_clean(v, MAX_VALUE_CHARS) for v in getlist(facet)]
        unique = tuple(dict.fromkeys(v for v in values if v))[:MAX_VALUES]
        if unique:
            filters[facet] = unique
    sort_values = getlist("sort")
    sort = sort_values[0] if sort_values and sort_values[0] in SORTS else "relevance"
    page = 1
    page_values = getlist("page")
    if page_values and page_values[0].strip().isdigit():
        page = min(max(1, int(page_values[0].strip()[:6])), MAX_PAGE)
    return SearchState(q=q, filters=filters, sort=sort, page=page)
