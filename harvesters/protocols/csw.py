"""CSW 2.0.2 GetRecords client returning ISO 19139 (IGN Géoplateforme, GeoNetwork catalogues).

Requests are GET KVP: ``outputSchema=http://www.isotc211.org/2005/gmd``, ``ElementSetName=full``,
``resultType=results``, paged with ``startPosition``/``maxRecords``.

Options: ``page_size`` (maxRecords, default 50), ``type_names`` (default ``gmd:MD_Metadata``),
``constraint`` (extra CQL ANDed to the modified-since filter), ``modified_queryable`` (the
queryable of the modified-since filter, default ``apiso:Modified``: pycsw rejects the bare
``Modified`` that GeoNetwork accepts), ``parse_attempts`` (3), ``max_pages`` (10000).

Incremental runs send ``<modified_queryable> >= '<since>'``. A server that answers the first page
of such a listing with an ``ExceptionReport`` (not about ``startPosition``) does not understand the
filter: the listing starts again without it (a full listing, unchanged records are skipped
downstream) and the first page carries a warning saying so, instead of failing every run.

Stop rule (servers get ``nextRecord`` wrong in every possible way): the next position is the one
after the records actually returned; ``nextRecord`` is only trusted when it is ahead of the
current position and not past that. The listing ends when a page is empty, when the position
passes ``numberOfRecordsMatched``, or on GeoNetwork's ``ExceptionReport`` about
``startPosition`` past the end. A ``nextRecord`` pointing backwards is reported as an issue; a page
that brings only records already seen (the server ignores ``startPosition``) stops the listing
with an issue. Records are never yielded twice in a run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from core.raw import RawRecord
from harvesters.base import HarvestFailed, HarvestIssue, Page, register
from harvesters.options import PagedOptions, text
from harvesters.protocols._common import (
    PageError,
    clean,
    element_bytes,
    fetch_parsed,
    oversized_record,
    parse_datetime,
    parse_xml_page,
)
from harvesters.protocols._paging import PagedHarvester, Paging, keep_new, repeated_page_issue

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
GMD_NS = "http://www.isotc211.org/2005/gmd"
GMI_NS = "http://www.isotc211.org/2005/gmi"
GCO_NS = "http://www.isotc211.org/2005/gco"
OWS_NAMESPACES = (
    "http://www.opengis.net/ows",
    "http://www.opengis.net/ows/1.1",
    "http://www.opengis.net/ows/2.0",
)
NS = {"csw": CSW_NS, "gmd": GMD_NS, "gco": GCO_NS}
# The modified-since queryable: the ISO Application Profile name, which pycsw requires.
DEFAULT_MODIFIED = "apiso:Modified"
_METADATA_TAGS = (f"{{{GMD_NS}}}MD_Metadata", f"{{{GMI_NS}}}MI_Metadata")


def _int_attr(element: etree._Element, name: str) -> int | None:
    value = clean(element.get(name))
    try:
        return int(value)
    except ValueError:
        return None


def _parse_csw(response: Any) -> etree._Element:
    root = parse_xml_page(response.content)
    local = etree.QName(root).localname
    if local == "ExceptionReport" or root.tag == f"{{{CSW_NS}}}GetRecordsResponse":
        return root
    raise PageError(f"root element is {root.tag!r}, not a CSW GetRecordsResponse")


def exception_text(root: etree._Element) -> tuple[str, str, str]:
    """(exceptionCode, locator, text) of the first exception of an OWS ExceptionReport."""
    for ns in OWS_NAMESPACES:
        exc = root.find(f"{{{ns}}}Exception")
        if exc is not None:
            return (
                exc.get("exceptionCode", ""),
                exc.get("locator", ""),
                clean(exc.findtext(f"{{{ns}}}ExceptionText")),
            )
    return "", "", clean(" ".join(str(t) for t in root.itertext()))


class CswOptions(PagedOptions):
    type_names = text()
    constraint = text()
    modified_queryable = text()


@register
class CswHarvester(PagedHarvester):
    options_schema = CswOptions
    protocol = "csw"

    def listing(
        self, since: datetime | None, checkpoint: dict[str, Any] | None, paging: Paging
    ) -> Iterator[Page]:
        start = int(checkpoint.get("start", 1)) if checkpoint else 1
        base: dict[str, Any] = {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecords",
            "typeNames": self.source.options.get("type_names", "gmd:MD_Metadata"),
            "namespace": f"xmlns(gmd={GMD_NS})",
            "outputSchema": GMD_NS,
            "ElementSetName": "full",
            "resultType": "results",
        }
        if checkpoint and checkpoint.get("unfiltered"):
            since = None  # resuming a listing that already fell back to no modified-since filter
        self._set_constraint(base, since)
        seen: set[str] = set()
        pages_done = 0
        fallback: list[HarvestIssue] = []
        while True:
            params = dict(base, startPosition=start, maxRecords=paging.page_size)
            response, root = fetch_parsed(
                self.http, self.source.url, params, _parse_csw,
                attempts=paging.parse_attempts, what="CSW page", accept_status=(400,),
            )
            if etree.QName(root).localname == "ExceptionReport":
                code, locator, text = exception_text(root)
                if start > 1 and (locator.lower() == "startposition" or "start" in text.lower()):
                    # GeoNetwork >= 3.2 answers this when paging past the end: a normal end.
                    yield Page(records=[], checkpoint={"start": start, "done": True,
                                                       **({"unfiltered": True} if fallback else {})},
                               url=response.url)
                    return
                if since is not None and not seen:
                    # The server does not understand our modified-since filter: list everything.
                    fallback.append(HarvestIssue(
                        stage="fetch", url=response.url, warning=True,
                        message=f"the server rejected the modified-since filter "
                        f"{base.get('constraint')!r} ({code} {locator}: {text[:300]}); "
                        "the whole catalogue was listed instead (set the source option "
                        "modified_queryable to the queryable this server accepts)",
                    ))
                    since = None
                    self._set_constraint(base, None)
                    continue
                raise HarvestFailed(
                    f"{response.url}: CSW ExceptionReport {code} {locator}: {text}",
                    url=response.url,
                )
            if response.status >= 400:
                raise HarvestFailed(f"{response.url}: HTTP {response.status}", url=response.url)
            results = root.find("csw:SearchResults", NS)
            if results is None:
                raise HarvestFailed(f"{response.url}: no csw:SearchResults", url=response.url)
            matched = _int_attr(results, "numberOfRecordsMatched")
            next_record = _int_attr(results, "nextRecord")
            issues: list[HarvestIssue] = fallback[:1] if pages_done == 0 else []
            elements = [child for child in results if child.tag in _METADATA_TAGS]
            others = [c for c in results if isinstance(c.tag, str) and c.tag not in _METADATA_TAGS]
            if others:
                issues.append(HarvestIssue(
                    stage="parse", url=response.url,
                    message=f"{len(others)} record(s) not in ISO 19139 ({others[0].tag}); "
                    "skipped — does the server honour outputSchema?",
                ))
            returned = len(elements) + len(others)
            kept = keep_new((self._record(element, response.url) for element in elements), seen)
            issues.extend(kept.issues)
            pages_done += 1
            expected = start + returned
            done = False
            if returned == 0:
                done = True
            elif not kept.records and kept.repeats > 0:
                issues.append(repeated_page_issue(response.url, "startPosition", start, "records"))
                done = True
            else:
                if next_record is not None and 0 < next_record <= start:
                    issues.append(HarvestIssue(
                        stage="fetch", url=response.url,
                        message=f"nextRecord={next_record} points back (startPosition={start}); "
                        f"continuing at {expected}",
                    ))
                elif next_record is not None and start < next_record < expected:
                    expected = next_record
                if matched is not None and expected > matched:
                    done = True
                if pages_done >= paging.max_pages:
                    issues.append(paging.limit_issue(response.url))
                    done = True
            checkpoint_out: dict[str, Any] = {"start": expected, "done": done}
            if fallback:
                checkpoint_out["unfiltered"] = True
            yield Page(records=kept.records, issues=issues, checkpoint=checkpoint_out, url=response.url,
                       total=matched if isinstance(matched, int) else None)
            if done:
                return
            start = expected

    def _set_constraint(self, params: dict[str, Any], since: datetime | None) -> None:
        """Put the CQL constraint for ``since`` in ``params`` (or take it out when there is none)."""
        for key in ("constraintLanguage", "constraint_language_version", "constraint"):
            params.pop(key, None)
        constraint = self._constraint(since)
        if constraint:
            params.update(
                constraintLanguage="CQL_TEXT", constraint_language_version="1.1.0",
                constraint=constraint,
            )

    def _constraint(self, since: datetime | None) -> str | None:
        parts: list[str] = []
        if since is not None:
            when = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
            queryable = str(self.source.options.get("modified_queryable") or DEFAULT_MODIFIED)
            parts.append(f"{queryable} >= '{when.strftime('%Y-%m-%dT%H:%M:%SZ')}'")
        extra = self.source.options.get("constraint")
        if extra:
            parts.append(f"({extra})" if parts else str(extra))
        return " AND ".join(parts) or None

    def _record(
        self, element: etree._Element, page_url: str
    ) -> tuple[RawRecord | None, HarvestIssue | None]:
        identifier = clean(element.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS))
        if not identifier:
            return None, HarvestIssue(
                stage="parse", url=page_url,
                message="ISO 19139 record without gmd:fileIdentifier; skipped",
            )
        too_big = oversized_record(element)
        if too_big:
            return None, HarvestIssue(stage="parse", message=too_big, identifier=identifier,
                                      url=page_url)
        stamp = element.find("gmd:dateStamp", NS)
        stamp_text = ""
        if stamp is not None:
            stamp_text = clean(
                stamp.findtext("gco:DateTime", namespaces=NS)
                or stamp.findtext("gco:Date", namespaces=NS)
            )
        return (
            RawRecord(
                identifier=identifier,
                format="iso19139",
                content=element_bytes(element),
                datestamp=parse_datetime(stamp_text),
            ),
            None,
        )
