"""OAI-PMH 2.0 ListRecords client (BnF/Gallica and any compliant repository).

Options (``SourceSpec.options``):

- ``metadata_prefix``: ``oai_dc`` (default), ``lom`` or ``scolomfr``; also the raw format name.
- ``set``: a setSpec to restrict the listing to.
- ``from`` / ``until``: fixed bounds (ISO dates or datetimes); ``since`` overrides ``from``.
- ``max_restarts``: how many times an expired resumption token may restart the listing (3).
- ``parse_attempts``: fetches of a page that is not XML before the run fails (3).
- ``max_tokens``: distinct resumption tokens in one listing (10000); ``max_idle_pages``: pages
  in a row bringing no new record but a token (20). Past either, the run fails: the partner is
  handing out tokens forever. (The pipeline's page, record and time budgets apply too.)

Behaviour worth knowing:

- Dates are sent in the granularity the repository announces in ``Identify`` (fetched only when
  a date bound is needed; day granularity if Identify fails). ``since`` is floored, never
  rounded up, so nothing is missed.
- Every value is stripped (Gallica pads identifiers, datestamps and tokens with tabs/newlines).
- ``noRecordsMatch`` is an empty listing, not a failure. Other OAI errors fail the run.
- ``badResumptionToken`` (also sent with HTTP 200) restarts the listing: from the highest
  datestamp seen if datestamps arrived in non-decreasing order, otherwise from the original
  ``from``; records already yielded in this process are skipped so each is yielded once.
- A page that stays unparseable, a repeated token, or too many restarts raise
  :class:`HarvestFailed`: OAI cannot skip a page without its token, so the run stops there and
  the checkpoint of the last complete page lets the next run resume.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from core.raw import RawRecord
from harvesters.base import Harvester, HarvestFailed, HarvestIssue, Page, register
from harvesters.options import LinkedOptions, date_bound, integer, text
from harvesters.protocols._common import (
    PageError,
    clean,
    element_bytes,
    fetch_parsed,
    int_option,
    oversized_record,
    parse_datetime,
    parse_xml_page,
)
from harvesters.protocols._paging import keep_new

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"


# A listing handing out a new token on every page is followed this far, no further.
DEFAULT_MAX_TOKENS = 10_000
# Pages in a row that bring no new record (but a token): a server going round in circles.
DEFAULT_MAX_IDLE_PAGES = 20


def _oai(tag: str) -> str:
    return f"{{{OAI_NS}}}{tag}"


def format_oai_date(value: datetime, granularity: str) -> str:
    """Format ``value`` (floored) in the repository's granularity."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if granularity == SECONDS:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%d")


def _parse_oai_root(response: Any) -> etree._Element:
    root = parse_xml_page(response.content)
    if root.tag != _oai("OAI-PMH"):
        raise PageError(f"root element is {root.tag!r}, not OAI-PMH")
    return root


class OaiPmhOptions(LinkedOptions):
    """The options of the module's docstring (``metadata_prefix`` must also have a reader: the
    catalogue checks that, it knows the readers)."""

    metadata_prefix = text()
    set = text()
    from_ = date_bound(data_key="from")  # ``from`` is a Python keyword
    until = date_bound()
    max_restarts = integer(minimum=0)
    max_tokens = integer()


@register
class OaiPmhHarvester(Harvester):
    protocol = "oai-pmh"
    signals_deletions = True
    options_schema = OaiPmhOptions

    def __init__(self, source: Any, http: Any) -> None:
        super().__init__(source, http)
        self._granularity: str | None = None

    # -- options ---------------------------------------------------------------------------

    @property
    def metadata_prefix(self) -> str:
        return str(self.source.options.get("metadata_prefix", "oai_dc"))

    def granularity(self) -> str:
        """The repository's datestamp granularity, asked once via Identify."""
        if self._granularity is None:
            self._granularity = DAY
            try:
                _resp, root = fetch_parsed(
                    self.http, self.source.url, {"verb": "Identify"}, _parse_oai_root,
                    attempts=1, what="Identify",
                )
                value = clean(root.findtext("oai:Identify/oai:granularity", namespaces=NS))
                if value == SECONDS:
                    self._granularity = SECONDS
            except HarvestFailed:
                pass  # day granularity is always accepted
        return self._granularity

    def _bound(self, value: Any, end_of_day: bool = False) -> str | None:
        """A from/until argument in the repository's granularity.

        A date-only ``until`` means the whole day, also for a repository with second
        granularity.
        """
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return format_oai_date(value, self.granularity())
        text = str(value).strip()
        parsed = parse_datetime(text)
        if parsed is None:
            raise ValueError(f"source {self.source.id}: unreadable OAI date bound {value!r}")
        if end_of_day and len(text) == 10:
            parsed = parsed.replace(hour=23, minute=59, second=59)
        return format_oai_date(parsed, self.granularity())

    # -- listing ---------------------------------------------------------------------------

    def pages(
        self, since: datetime | None = None, checkpoint: dict[str, Any] | None = None
    ) -> Iterator[Page]:
        opts = self.source.options
        max_restarts = int_option(opts, "max_restarts", 3, minimum=0)
        attempts = int_option(opts, "parse_attempts", 3)
        max_tokens = int_option(opts, "max_tokens", DEFAULT_MAX_TOKENS)
        max_idle = int_option(opts, "max_idle_pages", DEFAULT_MAX_IDLE_PAGES)
        idle = 0
        if checkpoint and checkpoint.get("done"):
            return
        if checkpoint:
            state: dict[str, Any] = dict(checkpoint)
        else:
            state = {
                "from": self._bound(since if since is not None else opts.get("from")),
                "until": self._bound(opts.get("until"), end_of_day=True),
                "set": opts.get("set") or None,
                "token": None,
                "max_datestamp": None,
                "monotonic": True,
                "restarts": 0,
                "done": False,
            }
        yielded: set[str] = set()
        seen_tokens: set[str] = set()
        previous: datetime | None = None
        while True:
            token = state.get("token")
            if token:
                params: dict[str, Any] = {"verb": "ListRecords", "resumptionToken": token}
            else:
                params = {"verb": "ListRecords", "metadataPrefix": self.metadata_prefix}
                for key in ("from", "until", "set"):
                    if state.get(key):
                        params[key] = state[key]
            response, root = fetch_parsed(
                self.http, self.source.url, params, _parse_oai_root,
                attempts=attempts, what="OAI-PMH page",
            )
            error = root.find("oai:error", NS)
            if error is not None:
                code = error.get("code", "")
                if code == "noRecordsMatch":
                    state.update(token=None, done=True)
                    yield Page(records=[], checkpoint=dict(state), url=response.url)
                    return
                if code == "badResumptionToken" and token:
                    if int(state.get("restarts", 0)) >= max_restarts:
                        raise HarvestFailed(
                            f"{response.url}: resumption token rejected again after "
                            f"{max_restarts} restart(s) ({clean(error.text)})",
                            url=response.url,
                        )
                    state = self._restart_state(state)
                    previous = None
                    seen_tokens.clear()  # a new listing may hand out the same tokens again
                    continue
                raise HarvestFailed(
                    f"{response.url}: OAI-PMH error {code or '?'}: {clean(error.text)}",
                    url=response.url,
                )
            listing = root.find("oai:ListRecords", NS)
            if listing is None:
                raise HarvestFailed(
                    f"{response.url}: answer has neither ListRecords nor error", url=response.url
                )
            entries = [self._record(element, response.url)
                       for element in listing.findall("oai:record", NS)]
            # Every record counts for the restart point, also those already yielded.
            for raw, _issue in entries:
                if raw is None or raw.datestamp is None:
                    continue
                if previous is not None and raw.datestamp < previous:
                    state["monotonic"] = False
                previous = raw.datestamp
                best = parse_datetime(state.get("max_datestamp"))
                if best is None or raw.datestamp > best:
                    state["max_datestamp"] = raw.datestamp.isoformat()
            kept = keep_new(entries, yielded)
            next_token = clean(listing.findtext("oai:resumptionToken", namespaces=NS))
            if next_token and next_token in seen_tokens:
                raise HarvestFailed(
                    f"{response.url}: the repository sent resumption token {next_token!r} twice "
                    "(listing would loop)",
                    url=response.url,
                )
            if next_token:
                seen_tokens.add(next_token)
                if len(seen_tokens) > max_tokens:
                    raise HarvestFailed(
                        f"{response.url}: more than {max_tokens} distinct resumption tokens in "
                        "one listing (max_tokens); stopping", url=response.url)
                idle = 0 if kept.records else idle + 1
                if idle > max_idle:
                    raise HarvestFailed(
                        f"{response.url}: {idle} pages in a row brought no new record but a new "
                        f"resumption token (max_idle_pages={max_idle}); stopping",
                        url=response.url)
            state.update(token=next_token or None, done=not next_token)
            token_el = listing.find("oai:resumptionToken", namespaces=NS)
            size = token_el.get("completeListSize") if token_el is not None else None
            yield Page(records=kept.records, issues=kept.issues, checkpoint=dict(state), url=response.url,
                       total=int(size) if size and size.strip().isdigit() else None)
            if not next_token:
                return

    def _restart_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """Where to list again after the repository forgot our token."""
        restart = dict(state)
        restart["token"] = None
        restart["restarts"] = int(state.get("restarts", 0)) + 1
        best = parse_datetime(state.get("max_datestamp"))
        if state.get("monotonic", True) and best is not None:
            restart["from"] = format_oai_date(best, self.granularity())
        # else: keep the original ``from``; duplicates are filtered by the caller.
        restart["monotonic"] = True
        return restart

    def _record(
        self, element: etree._Element, page_url: str
    ) -> tuple[RawRecord | None, HarvestIssue | None]:
        header = element.find("oai:header", NS)
        identifier = clean(header.findtext("oai:identifier", namespaces=NS)) if header is not None else ""
        if header is None or not identifier:
            return None, HarvestIssue(
                stage="parse",
                message="OAI record without an identifier in its header; skipped",
                url=page_url,
            )
        too_big = oversized_record(element)
        if too_big:
            return None, HarvestIssue(stage="parse", message=too_big, identifier=identifier,
                                      url=page_url)
        datestamp_text = clean(header.findtext("oai:datestamp", namespaces=NS))
        sets = [clean(s.text) for s in header.findall("oai:setSpec", NS) if clean(s.text)]
        deleted = clean(header.get("status")) == "deleted"
        issue = None
        datestamp = parse_datetime(datestamp_text)
        if datestamp is None and not deleted:
            issue = HarvestIssue(
                stage="parse",
                message=f"unreadable OAI datestamp {datestamp_text!r}",
                identifier=identifier,
                url=page_url,
            )
        raw = RawRecord(
            identifier=identifier,
            format=self.metadata_prefix,
            content=element_bytes(element),
            datestamp=datestamp,
            deleted=deleted,
            extra={"sets": sets, "datestamp": datestamp_text},
        )
        return raw, issue
