"""Search layer: French full text, disjunctive facets and suggestions over the shared record.

``open_index`` picks the backend (embedded tantivy, or Elasticsearch when
``CATALOGUE_SEARCH_URL`` is set); ``search.sync`` keeps it up to date with the store.
"""

from search.base import (
    FACET_GROUPS,
    FacetValue,
    Hit,
    InvalidQuery,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
    open_index,
)

__all__ = [
    "FACET_GROUPS",
    "FacetValue",
    "Hit",
    "InvalidQuery",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "Suggestion",
    "open_index",
]
