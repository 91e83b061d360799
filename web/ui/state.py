"""The search page's state: parsed from the query string, turned back into shareable URLs.

The parameter names are the JSON API's (``q``, ``level``, ``discipline``, ``partner``, ``type``,
``licence``, ``language``, ``sort``, ``page``), so a page URL and an API URL say the same thing.
Defaults are left out of generated URLs (no ``sort=relevance``, no ``page=1``) so that one state
has one URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

FACETS: tuple[str, ...] = (
    "level", "discipline", "partner", "type", "licence", "language", "period",
)
YEAR_LIMIT = 10_000
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
    date_from: int | None = None
    date_to: int | None = None
    strict: bool = False  # match=all: every word, never the partial matches
    group: bool = True  # one line per periodical / series title

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values()) or self.date_from is not None \
            or self.date_to is not None

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

    def without_dates(self) -> SearchState:
        return replace(self, date_from=None, date_to=None, page=1)

    def strictly(self) -> SearchState:
        return replace(self, strict=True, page=1)

    def ungrouped(self) -> SearchState:
        return replace(self, group=False, page=1)

    def at_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def params(self) -> list[tuple[str, str]]:
        """Query-string pairs in a fixed order, defaults left out."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for facet in FACETS:
            pairs.extend((facet, value) for value in self.selected(facet))
        if self.date_from is not None:
            pairs.append(("date_from", str(self.date_from)))
        if self.date_to is not None:
            pairs.append(("date_to", str(self.date_to)))
        if self.strict:
            pairs.append(("match", "all"))
        if not self.group:
            pairs.append(("group", "0"))
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
    years = [_year(getlist(name)) for name in ("date_from", "date_to")]
    if years[0] is not None and years[1] is not None and years[0] > years[1]:
        years.reverse()  # "1918 to 1914" means the same years
    match = getlist("match")
    group = getlist("group")
    return SearchState(q=q, filters=filters, sort=sort, page=page, date_from=years[0],
                       date_to=years[1], strict=bool(match) and match[0] == "all",
                       group=not (group and group[0] in ("0", "false", "non")))


def _year(values: list[str]) -> int | None:
    """A year typed in a date field ("1914", "-50"); anything else is ignored."""
    text = values[0].strip() if values else ""
    if not re.fullmatch(r"-?\d{1,5}", text):
        return None
    year = int(text)
    return year if -YEAR_LIMIT <= year <= YEAR_LIMIT else None
