"""A request checked and normalised once, and the opaque cursor for deep paging.

The cursor is stateless: URL-safe base64 of a small JSON object holding a fingerprint of the
query (so it cannot be replayed against another one) and the position after the last hit, in a
backend-specific form (sort key + id, or an offset for relevance order in tantivy).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from search.base import MATCHES, SORTS, InvalidQuery, SearchQuery
from search.expansion import Expansion
from search.facets import Taxonomy
from search.text import ParsedQuery, parse_user_query, searchable

MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # page * per_page beyond which the cursor is required
MAX_CURSOR_CHARS = 2_000
# Relevance cursors in tantivy carry an offset; the engine keeps offset+limit hits in memory.
MAX_CURSOR_OFFSET = 1_000_000
# Below this many records with every word, the partial matches are shown instead. 1: only
# when nothing has every word (a single exact answer is not buried under partial ones).
RELAX_BELOW = 1
YEAR_RANGE = (-10_000, 10_000)
MAX_SECONDS = 2**62  # an open end of the catalogue change window
# Grouped results are collapsed over this many first records of the ordinary order.
GROUP_WINDOW = 1_000


@dataclass(frozen=True)
class Plan:
    parsed: ParsedQuery
    has_text: bool
    filters: dict[str, tuple[str, ...]]
    sort: str  # effective order: "relevance" only with text; browsing is newest first
    offset: int
    per_page: int
    after: list[Any] | None  # decoded cursor position
    facets: bool
    highlight: bool
    fingerprint: str
    expansion: Expansion = Expansion()
    relaxed: bool = False  # clauses optional, most satisfied first
    match: str = "auto"
    dates: tuple[int, int] | None = None  # date_from / date_to filter, inclusive years
    group: bool = False
    # Catalogue change window, epoch seconds [start, end): modified_since / modified_before.
    modified: tuple[int, int] | None = None

    @property
    def can_relax(self) -> bool:
        return self.match == "auto" and not self.relaxed and self.expansion.relaxable

    def relax(self) -> Plan:
        """The same request over the partial matches (its cursors are not the strict ones')."""
        return replace(self, relaxed=True, fingerprint=self.fingerprint + "r")


def _year(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidQuery(f"{name} must be a year (a whole number)") from exc
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InvalidQuery(f"{name} must be a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    return year


def make_plan(query: SearchQuery, taxonomy: Taxonomy) -> Plan:
    if query.sort not in SORTS:
        raise InvalidQuery(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
    if query.match not in MATCHES:
        raise InvalidQuery(f"unknown match {query.match!r}; use one of {', '.join(MATCHES)}")
    parsed = parse_user_query(query.q)
    has_text = searchable(parsed)
    filters = taxonomy.normalise_filters(query.filters)
    date_from, date_to = _year(query.date_from, "date_from"), _year(query.date_to, "date_to")
    dates = None
    if date_from is not None or date_to is not None:
        dates = (date_from if date_from is not None else YEAR_RANGE[0],
                 date_to if date_to is not None else YEAR_RANGE[1])
        if dates[0] > dates[1]:
            raise InvalidQuery("date_from is after date_to")
    modified = None
    if query.modified_since is not None or query.modified_before is not None:
        modified = (max(0, int(query.modified_since or 0)),
                    int(query.modified_before) if query.modified_before is not None else MAX_SECONDS)
        if modified[0] >= modified[1]:
            raise InvalidQuery("modified_since is not before until")
    sort = query.sort if query.sort != "relevance" or has_text else "date"
    try:
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, int(query.page))
    except (TypeError, ValueError) as exc:
        raise InvalidQuery("page and per_page must be whole numbers") from exc
    fingerprint = _fingerprint(parsed, filters, sort, dates, query.match, query.group)
    if modified is not None:
        fingerprint = hashlib.blake2b(f"{fingerprint}{modified}".encode(), digest_size=6).hexdigest()
    expansion = taxonomy.expander.expand(parsed) if has_text else Expansion()
    after = None
    offset = 0
    relaxed = False
    if query.cursor:
        if query.group:
            raise InvalidQuery("grouped results are paged by page number, not by cursor")
        try:
            after = decode_cursor(query.cursor, fingerprint)
        except InvalidQuery:
            after = decode_cursor(query.cursor, fingerprint + "r")
            relaxed = True
    else:
        offset = (page - 1) * per_page
        if offset + per_page > MAX_WINDOW:
            raise InvalidQuery(
                f"page {page} is beyond the first {MAX_WINDOW} results; follow next_cursor instead"
            )
    plan = Plan(parsed, has_text, filters, sort, offset, per_page, after, query.facets,
                query.highlight, fingerprint, expansion, False, query.match, dates, query.group,
                modified)
    return plan.relax() if relaxed else plan


def _fingerprint(parsed: ParsedQuery, filters: dict[str, tuple[str, ...]], sort: str,
                 dates: tuple[int, int] | None, match: str, group: bool) -> str:
    groups = sorted((group, sorted(values)) for group, values in filters.items())
    blob = json.dumps([parsed.words, parsed.phrases, groups, sort, dates, match, group])
    return hashlib.blake2b(blob.encode(), digest_size=6).hexdigest()


def encode_cursor(plan: Plan, position: list[Any]) -> str:
    blob = json.dumps({"f": plan.fingerprint, "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(blob.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> list[Any]:
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidQuery("invalid cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidQuery("invalid cursor") from exc
    if not isinstance(data, dict) or not isinstance(data.get("p"), list) or not data["p"]:
        raise InvalidQuery("invalid cursor")
    if data.get("f") != fingerprint:
        raise InvalidQuery("this cursor belongs to another query (q, filters or sort changed)")
    return list(data["p"])
