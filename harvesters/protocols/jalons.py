"""INA Jalons search API client (``fresques.ina.fr/jalons/api/search``).

The answer is an oEmbed-like envelope: ``{"version", "provider_name", …, "return": {"total",
"offset", "limit", "resources": [...]}}``. The client pages with ``offset``/``limit`` (option
``page_size``, default 50) until ``offset`` reaches ``return.total`` or a page is empty. Option
``query`` is passed through (the API needs one to list anything useful). Each resource becomes
RawRecord(format="jalons", identifier=id stripped, content=the resource as JSON). Jalons has no
modification date (``date`` is the broadcast date), so ``datestamp`` stays None.

A page that only repeats resources already seen ends the listing with an issue.
Options: ``query``, ``page_size`` (50), ``parse_attempts`` (3), ``max_pages`` (10000).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from core.raw import RawRecord
from harvesters.base import HarvestIssue, Page, register
from harvesters.options import PagedOptions, text
from harvesters.protocols._common import PageError, clean, fetch_parsed, json_bytes, parse_json_page
from harvesters.protocols._paging import PagedHarvester, Paging, keep_new, repeated_page_issue


def _parse_search(response: Any) -> dict[str, Any]:
    document = parse_json_page(response.content, response.url)
    ret = document.get("return") if isinstance(document, dict) else None
    if not isinstance(ret, dict) or not isinstance(ret.get("resources", []), list):
        raise PageError("not a Jalons search answer (no 'return.resources')")
    return ret


class JalonsOptions(PagedOptions):
    query = text()


@register
class JalonsHarvester(PagedHarvester):
    options_schema = JalonsOptions
    protocol = "jalons"

    def listing(
        self, since: datetime | None, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> Iterator[Page]:
        query = self.source.options.get("query")
        offset = int(checkpoint.get("offset", 0)) if checkpoint else 0
        seen: set[str] = set()
        pages_done = 0
        while True:
            params: dict[str, Any] = {"offset": offset, "limit": paging.page_size}
            if query:
                params["query"] = query
            response, ret = fetch_parsed(
                self.http, self.source.url, params, _parse_search,
                attempts=paging.parse_attempts, what="Jalons page",
            )
            resources = ret.get("resources") or []
            total = ret.get("total")
            kept = keep_new((self._record(item, response.url) for item in resources), seen)
            pages_done += 1
            next_offset = offset + len(resources)
            done = not resources
            if isinstance(total, int) and next_offset >= total:
                done = True
            if resources and not kept.records and kept.repeats:
                kept.issues.append(repeated_page_issue(response.url, "offset", offset, "resources"))
                done = True
            if not done and pages_done >= paging.max_pages:
                kept.issues.append(paging.limit_issue(response.url))
                done = True
            yield Page(records=kept.records, issues=kept.issues,
                       checkpoint={"offset": next_offset, "done": done}, url=response.url,
                       total=total if isinstance(total, int) else None)
            if done:
                return
            offset = next_offset

    @staticmethod
    def _record(item: Any, page_url: str) -> tuple[RawRecord | None, HarvestIssue | None]:
        if not isinstance(item, dict):
            return None, HarvestIssue(stage="parse", url=page_url,
                                      message="Jalons resource is not a JSON object; skipped")
        identifier = clean(str(item.get("id") or ""))
        if not identifier:
            return None, HarvestIssue(stage="parse", url=page_url,
                                      message="Jalons resource without 'id'; skipped")
        url = item.get("url")
        return (
            RawRecord(
                identifier=identifier,
                format="jalons",
                content=json_bytes(item),
                landing_url=clean(url) or None if isinstance(url, str) else None,
            ),
            None,
        )
