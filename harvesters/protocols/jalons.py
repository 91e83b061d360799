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

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from harvesters.base import Harvester, HarvestIssue, Page, RawRecord, register
from harvesters.protocols._common import PageError, clean, fetch_parsed, int_option


def _parse_search(response: Any) -> dict[str, Any]:
    try:
        document = json.loads(response.content)
    except ValueError as exc:
        raise PageError(f"malformed JSON: {exc}") from exc
    ret = document.get("return") if isinstance(document, dict) else None
    if not isinstance(ret, dict) or not isinstance(ret.get("resources", []), list):
        raise PageError("not a Jalons search answer (no 'return.resources')")
    return ret


@register
class JalonsHarvester(Harvester):
    protocol = "jalons"

    def pages(
        self, since: datetime | None = None, checkpoint: dict[str, Any] | None = None
    ) -> Iterator[Page]:
        opts = self.source.options
        limit = int_option(opts, "page_size", 50)
        attempts = int_option(opts, "parse_attempts", 3)
        max_pages = int_option(opts, "max_pages", 10000)
        if checkpoint and checkpoint.get("done"):
            return
        offset = int(checkpoint.get("offset", 0)) if checkpoint else 0
        seen: set[str] = set()
        pages_done = 0
        while True:
            params: dict[str, Any] = {"offset": offset, "limit": limit}
            if opts.get("query"):
                params["query"] = opts["query"]
            response, ret = fetch_parsed(
                self.http, self.source.url, params, _parse_search,
                attempts=attempts, what="Jalons page",
            )
            resources = ret.get("resources") or []
            total = ret.get("total")
            records: list[RawRecord] = []
            issues: list[HarvestIssue] = []
            repeats = 0
            for item in resources:
                raw, issue = self._record(item, response.url)
                if issue is not None:
                    issues.append(issue)
                if raw is None:
                    continue
                if raw.identifier in seen:
                    repeats += 1
                    continue
                seen.add(raw.identifier)
                records.append(raw)
            pages_done += 1
            next_offset = offset + len(resources)
            done = not resources
            if isinstance(total, int) and next_offset >= total:
                done = True
            if resources and not records and repeats:
                issues.append(HarvestIssue(
                    stage="fetch", url=response.url,
                    message=f"page at offset={offset} repeats resources already harvested; "
                    "stopping (the server seems to ignore offset)",
                ))
                done = True
            if not done and pages_done >= max_pages:
                issues.append(HarvestIssue(stage="fetch", url=response.url,
                                           message=f"stopped after {max_pages} pages"))
                done = True
            yield Page(records=records, issues=issues,
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
                content=json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                landing_url=clean(url) or None if isinstance(url, str) else None,
            ),
            None,
        )
