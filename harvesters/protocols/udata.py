"""data.gouv.fr (udata) API v1 client: an organisation's datasets, page by page.

``url`` is a listing endpoint such as
``https://www.data.gouv.fr/api/1/organizations/<org>/datasets/``. The first request adds
``page=1&page_size=N`` (option ``page_size``, default 50); then the client follows ``next_page``
(checked against the allow-list like any URL) until it is null. A ``next_page`` already fetched
ends the listing with an issue.

Each dataset object becomes RawRecord(format="udata", identifier=id, content=the object as JSON,
datestamp=last_modified, landing_url=page). Private datasets are skipped (never published by us);
datasets with a ``deleted`` date are yielded with ``deleted=True``; ``archived`` is passed in
``extra`` for the reader to decide.

Options: ``page_size`` (50), ``parse_attempts`` (3), ``max_pages`` (10000), ``max_entries``
(entries read per page, 1000), ``max_idle_pages`` (20).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from core.raw import RawRecord
from harvesters.base import HarvestIssue, register
from harvesters.options import LinkedOptions, integer
from harvesters.protocols._common import (
    PageError,
    clean,
    int_option,
    json_bytes,
    parse_datetime,
    parse_json_page,
)
from harvesters.protocols._paging import Entry, LinkedPage, LinkedPagesHarvester, Paging

# Entries read from one page (we ask for page_size, 50 by default; a page of 500,000 junk
# entries is cut here with one report line).
MAX_ENTRIES = 1000


class UdataOptions(LinkedOptions):
    page_size = integer()
    max_entries = integer()


@register
class UdataHarvester(LinkedPagesHarvester[dict[str, Any]]):
    options_schema = UdataOptions
    protocol = "udata"
    sized_pages = True
    page_name = "udata page"
    next_link_name = "next_page"

    def first_request(
        self, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> tuple[str | None, dict[str, Any] | None]:
        if checkpoint and checkpoint.get("next"):
            return str(checkpoint["next"]), None
        return self.source.url, {"page": 1, "page_size": paging.page_size}

    def parse_page(self, response: Any) -> dict[str, Any]:
        document = parse_json_page(response.content, response.url)
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise PageError("not a udata listing (no 'data' list)")
        return document

    def read_page(self, document: dict[str, Any], page_url: str, requested_url: str) -> LinkedPage:
        next_page = document.get("next_page")
        total = document.get("total")
        limit = int_option(self.source.options, "max_entries", MAX_ENTRIES)
        entries: list[Entry] = [self._record(item, page_url) for item in document["data"][:limit]]
        if len(document["data"]) > limit:
            entries.append((None, HarvestIssue(
                stage="parse", url=page_url,
                message=f"page of {len(document['data'])} entries: only the first {limit} read "
                "(max_entries)")))
        return LinkedPage(
            entries=entries,
            next_url=urljoin(page_url, next_page) if isinstance(next_page, str) and next_page else None,
            total=total if isinstance(total, int) else None,
            # an empty page with a next link: nothing more to expect
            ends_listing=not document["data"],
        )

    def _record(self, item: Any, page_url: str) -> tuple[RawRecord | None, HarvestIssue | None]:
        if not isinstance(item, dict):
            return None, HarvestIssue(stage="parse", url=page_url,
                                      message="dataset entry is not a JSON object; skipped")
        identifier = clean(str(item.get("id") or ""))
        if not identifier:
            return None, HarvestIssue(stage="parse", url=page_url,
                                      message="dataset without 'id'; skipped")
        if item.get("private") is True:
            return None, None
        modified = item.get("last_modified") or item.get("last_update")
        page = item.get("page")
        organization = item.get("organization")
        extra: dict[str, Any] = {"archived": item.get("archived")}
        if isinstance(organization, dict):
            extra["organization"] = organization.get("name")
        return (
            RawRecord(
                identifier=identifier,
                format="udata",
                content=json_bytes(item),
                datestamp=parse_datetime(modified) if isinstance(modified, str) else None,
                deleted=bool(item.get("deleted")),
                landing_url=page if isinstance(page, str) and page else None,
                extra=extra,
            ),
            None,
        )
