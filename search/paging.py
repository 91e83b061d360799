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
from dataclasses import dataclass
from typing import Any

from search.base import SORTS, InvalidQuery, SearchQuery
from search.facets import Taxonomy
from search.text import ParsedQuery, parse_user_query, searchable

MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # page * per_page beyond which the cursor is required
MAX_CURSOR_CHARS = 2_000
# Relevance cursors in tantivy carry an offset; the engine keeps offset+limit hits in memory.
MAX_CURSOR_OFFSET = 1_000_000


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


def make_plan(query: SearchQuery, taxonomy: Taxonomy) -> Plan:
    if query.sort not in SORTS:
        raise InvalidQuery(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
    parsed = parse_user_query(query.q)
    has_text = searchable(parsed)
    filters = taxonomy.normalise_filters(query.filters)
    sort = query.sort if query.sort != "relevance" or has_text else "date"
    try:
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, int(query.page))
    except (TypeError, ValueError) as exc:
        raise InvalidQuery("page and per_page must be whole numbers") from exc
    fingerprint = _fingerprint(parsed, filters, sort)
    after = None
    offset = 0
    if query.cursor:
        after = decode_cursor(query.cursor, fingerprint)
    else:
        offset = (page - 1) * per_page
        if offset + per_page > MAX_WINDOW:
            raise InvalidQuery(
                f"page {page} is beyond the first {MAX_WINDOW} results; follow next_cursor instead"
            )
    return Plan(parsed, has_text, filters, sort, offset, per_page, after, query.facets,
                query.highlight, fingerprint)


def _fingerprint(parsed: ParsedQuery, filters: dict[str, tuple[str, ...]], sort: str) -> str:
    groups = sorted((group, sorted(values)) for group, values in filters.items())
    blob = json.dumps([parsed.words, parsed.phrases, groups, sort])
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
