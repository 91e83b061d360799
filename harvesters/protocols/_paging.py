"""The frame of a paged listing, shared by the protocol clients so each one only says what differs.

- :class:`Paging`: the paging options, read before anything is fetched (a wrong option fails the
  run at once, even when resuming).
- :func:`keep_new`: a page's records, each identifier yielded once per run whatever the server
  repeats.
- :class:`PagedHarvester`: every client but OAI-PMH; a finished checkpoint lists nothing.
- :class:`LinkedPagesHarvester`: listings whose pages link to the next one (udata ``next_page``,
  feed ``rel="next"``, Hydra ``next``), with the loop and ``max_pages`` guards.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from core.raw import RawRecord
from harvesters.base import Harvester, HarvestIssue, Page
from harvesters.protocols._common import DEFAULT_PARSE_ATTEMPTS, fetch_parsed, int_option

ParsedT = TypeVar("ParsedT")

# What a client makes of one entry of a page: the record, an issue, or both.
Entry = tuple[RawRecord | None, HarvestIssue | None]

DEFAULT_PAGE_SIZE = 50
DEFAULT_MAX_PAGES = 10000
# Pages in a row bringing no new record while linking to a next one: the listing is stopped.
DEFAULT_MAX_IDLE_PAGES = 20


@dataclass(frozen=True)
class Paging:
    """The paging options of a source: ``page_size``, ``parse_attempts``, ``max_pages``."""

    parse_attempts: int
    max_pages: int
    # None for clients whose server decides the page size (feeds, DCAT catalogues).
    page_size: int | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, sized: bool) -> Paging:
        # Read in this order: when several options are wrong, the first one is reported.
        page_size = int_option(options, "page_size", DEFAULT_PAGE_SIZE) if sized else None
        parse_attempts = int_option(options, "parse_attempts", DEFAULT_PARSE_ATTEMPTS)
        max_pages = int_option(options, "max_pages", DEFAULT_MAX_PAGES)
        return cls(parse_attempts=parse_attempts, max_pages=max_pages, page_size=page_size)

    def limit_issue(self, page_url: str) -> HarvestIssue:
        """The listing was cut at ``max_pages`` (a guard against endless listings)."""
        return HarvestIssue(
            stage="fetch", url=page_url, message=f"stopped after {self.max_pages} pages (max_pages)"
        )


@dataclass
class PageRecords:
    """What :func:`keep_new` kept of one page."""

    records: list[RawRecord] = field(default_factory=list)
    issues: list[HarvestIssue] = field(default_factory=list)
    # Records dropped because an earlier page of the run brought them already.
    repeats: int = 0


def keep_new(entries: Iterable[Entry], seen: set[str]) -> PageRecords:
    """A page's records in order, minus identifiers in ``seen`` (updated), and its issues."""
    page = PageRecords()
    for raw, issue in entries:
        if issue is not None:
            page.issues.append(issue)
        if raw is None:
            continue
        if raw.identifier in seen:
            page.repeats += 1
            continue
        seen.add(raw.identifier)
        page.records.append(raw)
    return page


def repeated_page_issue(page_url: str, parameter: str, position: int, what: str) -> HarvestIssue:
    """A page bringing only records already harvested: the server ignores ``parameter``."""
    return HarvestIssue(
        stage="fetch", url=page_url,
        message=f"page at {parameter}={position} repeats {what} already harvested; "
        f"stopping (the server seems to ignore {parameter})",
    )


class PagedHarvester(Harvester):
    """A client that lists its source page by page, with the options of :class:`Paging`."""

    # Whether the client asks for pages of ``page_size`` records (else the server decides).
    sized_pages: ClassVar[bool] = True

    def pages(
        self, since: datetime | None = None, checkpoint: dict[str, Any] | None = None
    ) -> Iterator[Page]:
        paging = Paging.from_options(self.source.options, sized=self.sized_pages)
        if checkpoint and checkpoint.get("done"):
            return  # the interrupted run had listed everything
        yield from self.listing(since, checkpoint, paging)

    @abstractmethod
    def listing(
        self, since: datetime | None, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> Iterator[Page]:
        """The pages after ``checkpoint`` (None: from the start); see :meth:`Harvester.pages`."""


@dataclass
class LinkedPage:
    """What a :class:`LinkedPagesHarvester` reads on one page."""

    entries: Iterable[Entry]
    # The next page's absolute URL, if the page links to one.
    next_url: str | None
    total: int | None = None
    # The client knows nothing follows, whatever the next link says (udata's empty last page).
    ends_listing: bool = False


class LinkedPagesHarvester(PagedHarvester, Generic[ParsedT]):
    """A listing whose pages link to the next one; checkpoint ``{"next": url, "done": bool}``.

    The listing ends on a page without a next link, or with an issue on a link to a page already
    fetched (a loop) or when ``max_pages`` URLs were fetched.
    """

    sized_pages = False
    # Names the page in "could not be read" failures ("udata page").
    page_name: ClassVar[str]
    # Names the link in the loop issue ("next_page", "feed next link").
    next_link_name: ClassVar[str]

    def listing(
        self, since: datetime | None, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> Iterator[Page]:
        url, params = self.first_request(checkpoint, paging)
        fetched: set[str] = set()
        seen: set[str] = set()
        max_idle = int_option(self.source.options, "max_idle_pages", DEFAULT_MAX_IDLE_PAGES)
        idle = 0
        while url:
            response, parsed = fetch_parsed(
                self.http, url, params, self.parse_page, attempts=paging.parse_attempts,
                what=self.page_name,
            )
            fetched.update({url, response.url})
            params = None
            page = self.read_page(parsed, response.url, url)
            kept = keep_new(page.entries, seen)
            next_url = page.next_url
            if next_url is not None and next_url in fetched:
                kept.issues.append(HarvestIssue(
                    stage="fetch", url=response.url,
                    message=f"{self.next_link_name} {next_url} was already fetched; stopping to "
                    "avoid a loop",
                ))
                next_url = None
            if next_url is not None and page.ends_listing:
                next_url = None
            idle = 0 if kept.records else idle + 1
            if next_url is not None and idle > max_idle:
                kept.issues.append(HarvestIssue(
                    stage="fetch", url=response.url,
                    message=f"{idle} pages in a row brought no new record (max_idle_pages="
                    f"{max_idle}); stopping"))
                next_url = None
            if next_url is not None and len(fetched) >= paging.max_pages:
                kept.issues.append(paging.limit_issue(response.url))
                next_url = None
            yield Page(
                records=kept.records, issues=kept.issues,
                checkpoint={"next": next_url, "done": next_url is None}, url=response.url,
                total=page.total,
            )
            url = next_url

    def first_request(
        self, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> tuple[str | None, dict[str, Any] | None]:
        """URL and query of the first page: the checkpoint's next page, or the source URL."""
        return (checkpoint.get("next") if checkpoint else self.source.url), None

    @abstractmethod
    def parse_page(self, response: Any) -> ParsedT:
        """The page's body, parsed; raises ``PageError`` (fetched again) when unreadable."""

    @abstractmethod
    def read_page(self, parsed: ParsedT, page_url: str, requested_url: str) -> LinkedPage:
        """The page's entries and next link (``requested_url``: before redirects)."""
