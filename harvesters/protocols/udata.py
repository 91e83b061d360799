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

Options: ``page_size`` (50), ``parse_attempts`` (3), ``max_pages`` (10000).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from harvesters.base import Harvester, HarvestIssue, Page, RawRecord, register
from harvesters.protocols._common import PageError, clean, fetch_parsed, int_option, parse_datetime


def _parse_listing(response: Any) -> dict[str, Any]:
    try:
        document = json.loads(response.content)
    except ValueError as exc:
        raise PageError(f"malformed JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise PageError("not a udata listing (no 'data' list)")
    return document


@register
class UdataHarvester(Harvester):
    protocol = "udata"

    def pages(
        self, since: datetime | None = None, checkpoint: dict[str, Any] | None = None
    ) -> Iterator[Page]:
        opts = self.source.options
        page_size = int_option(opts, "page_size", 50)
        attempts = int_option(opts, "parse_attempts", 3)
        max_pages = int_option(opts, "max_pages", 10000)
        if checkpoint and checkpoint.get("done"):
            return
        url: str | None
        params: dict[str, Any] | None
        if checkpoint and checkpoint.get("next"):
            url, params = str(checkpoint["next"]), None
        else:
            url, params = self.source.url, {"page": 1, "page_size": page_size}
        fetched: set[str] = set()
        seen: set[str] = set()
        while url:
            response, document = fetch_parsed(
                self.http, url, params, _parse_listing, attempts=attempts, what="udata page"
            )
            fetched.update({url, response.url})
            params = None
            records: list[RawRecord] = []
            issues: list[HarvestIssue] = []
            for item in document["data"]:
                raw, issue = self._record(item, response.url)
                if issue is not None:
                    issues.append(issue)
                if raw is not None and raw.identifier not in seen:
                    seen.add(raw.identifier)
                    records.append(raw)
            next_page = document.get("next_page")
            next_url = urljoin(response.url, next_page) if isinstance(next_page, str) and next_page else None
            if next_url is not None and next_url in fetched:
                issues.append(HarvestIssue(
                    stage="fetch", url=response.url,
                    message=f"next_page {next_url} was already fetched; stopping to avoid a loop",
                ))
                next_url = None
            if next_url is not None and not document["data"]:
                next_url = None  # an empty page with a next link: nothing more to expect
            if next_url is not None and len(fetched) >= max_pages:
                issues.append(HarvestIssue(
                    stage="fetch", url=response.url,
                    message=f"stopped after {max_pages} pages (max_pages)",
                ))
                next_url = None
            total = document.get("total")
            yield Page(
                records=records, issues=issues,
                checkpoint={"next": next_url, "done": next_url is None}, url=response.url,
                total=total if isinstance(total, int) else None,
            )
            url = next_url

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
                content=json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                datestamp=parse_datetime(modified) if isinstance(modified, str) else None,
                deleted=bool(item.get("deleted")),
                landing_url=page if isinstance(page, str) and page else None,
                extra=extra,
            ),
            None,
        )
