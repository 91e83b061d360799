"""The search interface every backend implements, and the factory that picks one.

Two backends answer the same contract (``tests/search/test_contract.py``): an embedded tantivy
index for one machine, and Elasticsearch when ``CATALOGUE_SEARCH_URL`` points at a cluster.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

FACET_GROUPS: tuple[str, ...] = (
    "level", "discipline", "partner", "type", "licence", "language", "period",
)
# "modified": when the record last changed in the catalogue, newest first.
SORTS: tuple[str, ...] = ("relevance", "date", "title", "modified")
# "auto": every word first, the best partial matches when that finds (almost) nothing;
# "all": every word, never relaxed (the link back from the partial results).
MATCHES: tuple[str, ...] = ("auto", "all")
SuggestionKind = Literal["title", "keyword", "level", "discipline", "term", "period"]


class InvalidQuery(ValueError):
    """A request the index refuses (unknown facet or sort, page too deep, bad cursor).

    The web layer answers 400 with the message; nothing a user types in ``q`` raises it.
    """


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    # Keys among FACET_GROUPS; values are ids (concept ids or URIs for level/discipline).
    filters: Mapping[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    cursor: str | None = None
    facets: bool = True
    highlight: bool = True
    # Years (negative before the common era): records whose dates overlap [date_from, date_to].
    date_from: int | None = None
    date_to: int | None = None
    match: str = "auto"
    # Records of one series or periodical with the same title shown once, with their count.
    group: bool = False
    # Epoch seconds (UTC): records that changed in the catalogue at or after ``modified_since``
    # and before ``modified_before`` (the store datestamp, as OAI-PMH from/until).
    modified_since: int | None = None
    modified_before: int | None = None


@dataclass(frozen=True)
class FacetValue:
    id: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Hit:
    id: str
    record: dict[str, Any]
    # Engine relevance score; None when the results are sorted by date or title.
    score: float | None
    title_html: str  # HTML-escaped, matches wrapped in <mark>
    snippet_html: str  # ~200 characters of the description, same escaping
    # With SearchQuery.group: how many matching records share this one's series title, and
    # the value to pass back (filter ``group_key`` is not public: search with its title).
    group_size: int = 1
    group_key: str | None = None


@dataclass(frozen=True)
class FilterProposal:
    """A filter named by the query's words ("SVT", "cm2"): proposed, never applied."""

    group: str
    id: str
    label: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    next_cursor: str | None = None
    # True when no (or very few) records had every word and these are the best partial
    # matches; strict_total is then how many had every word.
    relaxed: bool = False
    strict_total: int | None = None
    proposals: list[FilterProposal] = field(default_factory=list)
    # With SearchQuery.group: how many lines the grouped results make (for page counts).
    groups: int | None = None


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: SuggestionKind
    id: str | None = None  # record id (title) or concept id (level, discipline)


class SearchIndex(ABC):
    """A searchable copy of the live records, kept up to date by ``search.sync``."""

    @abstractmethod
    def index(self, records: Iterable[dict[str, Any]]) -> int:
        """Add or replace records (by ``id``); returns how many were indexed.

        A record that cannot be indexed is logged and skipped; the others go in.
        """

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove records by id (unknown ids are ignored)."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Completions for what the user is typing: levels, disciplines, keywords, titles."""

    @abstractmethod
    def top_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Indexed values of a suggestion field (``word_suggest``, ``kw_suggest``) starting
        with ``prefix``, with their record counts, most frequent first."""

    def did_you_mean(self, query: SearchQuery) -> str | None:
        """A corrected ``q`` from the index's own words that returns results, filters kept."""
        from search.spelling import did_you_mean

        return did_you_mean(self, query)

    def examples(self, limit: int = 3) -> list[str]:
        """Example queries for the search box, taken from the catalogue's frequent subjects,
        each checked to return results."""
        from search.suggest import examples

        return examples(self, limit)

    @abstractmethod
    def get(self, record_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def rebuild(self, records: Iterable[dict[str, Any]], last_seq: int | None = None) -> int:
        """Index ``records`` into a fresh index, then switch to it; searches go on meanwhile.

        ``last_seq`` is stored with the new index before the switch, so that a ``sync`` running
        right after it starts from there. Returns the number of records indexed.
        """

    @property
    @abstractmethod
    def last_seq(self) -> int:
        """The store change sequence this index reflects (0 for a new index)."""

    @abstractmethod
    def set_last_seq(self, seq: int) -> None: ...

    @property
    def needs_rebuild(self) -> bool:
        """True when the index was built by another analyser or layout version."""
        return False

    def close(self) -> None:  # noqa: B027 - optional hook; most backends hold nothing
        """Release files or connections."""

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_index(
    url: str | None,
    data_dir: Path | str,
    *,
    partner_labels: Mapping[str, str] | None = None,
    engine: str | None = None,
    alias: str | None = None,
) -> SearchIndex:
    """The configured backend: Elasticsearch/OpenSearch for an http(s) URL, else tantivy.

    ``engine`` and ``alias`` (the settings ``CATALOGUE_SEARCH_ENGINE`` and
    ``CATALOGUE_SEARCH_INDEX``) apply to a search server only. ``partner_labels`` names
    partners in the facet (default: the founding partners, ``catalogue.config.founding_partners``).
    """
    if url and url.startswith(("http://", "https://")):
        from search.elastic import ElasticIndex

        return ElasticIndex(url, partner_labels=partner_labels, engine=engine, alias=alias)
    if url:
        # The value is not echoed: it may carry credentials.
        raise ValueError(
            "CATALOGUE_SEARCH_URL must be empty or an http(s):// Elasticsearch/OpenSearch URL")
    from search.tantivy_index import TantivyIndex

    return TantivyIndex(Path(data_dir) / "index", partner_labels=partner_labels)
