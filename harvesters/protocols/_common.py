"""Helpers shared by the protocol clients: dates, text, and "fetch a page I can parse"."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from lxml import etree

from core.xmlsafe import UnsafeXMLError, parse_xml
from harvesters.base import HarvestFailed

T = TypeVar("T")

# How many times a page that arrives but cannot be parsed is fetched again before giving up.
DEFAULT_PARSE_ATTEMPTS = 3

_FRACTION = re.compile(r"(\.\d{6})\d+")


class PageError(ValueError):
    """A page arrived but is not what the protocol promises (not XML, not JSON, wrong root)."""


def parse_datetime(value: str | None) -> datetime | None:
    """Parse the date forms partners send (ISO 8601 with or without time/zone, RFC 822).

    Always returns an aware UTC datetime (naive values are taken as UTC; a bare date is its
    midnight), or None when the value is empty or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    iso = _FRACTION.sub(r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(iso[:10]), time())
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def clean(value: str | None) -> str:
    """Strip the padding partners leave around values (Gallica's tabs and newlines)."""
    return (value or "").strip()


# Elements in one record, and JSON containers / values in one page: what real records and pages
# never reach, and what keeps a hostile one from costing gigabytes or millions of report rows.
MAX_RECORD_NODES = 200_000
MAX_JSON_CONTAINERS = 200_000
MAX_JSON_VALUES = 2_000_000


def oversized_record(element: etree._Element, limit: int = MAX_RECORD_NODES) -> str | None:
    """Why a record is too big to keep (None if it is not): its element count."""
    for count, _ in enumerate(element.iter(), start=1):
        if count > limit:
            return f"record has more than {limit} elements; skipped"
    return None


def element_bytes(element: etree._Element) -> bytes:
    """Serialise one element with the namespace declarations in scope, as UTF-8 (no prolog).

    Without the element's tail: the whitespace after a record belongs to the page, and a
    neighbour removed at the server would otherwise change the bytes, hence the raw hash, of
    an unchanged record (so it would be re-mapped and re-reported for nothing)."""
    return etree.tostring(element, encoding="unicode", with_tail=False).encode("utf-8")


def json_bytes(item: Any) -> bytes:
    """Serialise one JSON object with sorted keys, so the same object gives the same bytes."""
    return json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8")


class PageRefused(HarvestFailed):
    """A page refused for what it is (too many entries, nested too deeply): the same on every
    fetch, so it is not fetched again."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message, url=url, stage="parse")


def parse_json_page(content: bytes, url: str | None = None) -> Any:
    """A page's JSON body; unreadable JSON is a :class:`PageError` (the page is fetched again).

    Before parsing, an upper bound of its objects/arrays and values is counted (braces and
    commas, also those inside strings): a page of 500,000 empty objects in 1 MB is refused
    before Python builds them. Nesting past the interpreter's recursion limit is refused as such.
    """
    containers = content.count(b"{") + content.count(b"[")
    if containers > MAX_JSON_CONTAINERS:
        raise PageRefused(f"JSON page with up to {containers} objects/arrays (limit "
                          f"{MAX_JSON_CONTAINERS}); refused", url=url)
    values = content.count(b",")
    if values > MAX_JSON_VALUES:
        raise PageRefused(f"JSON page with up to {values} values (limit {MAX_JSON_VALUES}); "
                          "refused", url=url)
    try:
        return json.loads(content)
    except RecursionError:
        raise PageRefused("JSON nested too deeply (recursion depth limit reached); refused",
                          url=url) from None
    except ValueError as exc:
        raise PageError(f"malformed JSON: {exc}") from exc


def parse_xml_page(content: bytes) -> etree._Element:
    try:
        return parse_xml(content)
    except UnsafeXMLError as exc:
        raise PageError(str(exc)) from exc


def fetch_parsed(
    http: Any,
    url: str,
    params: Mapping[str, Any] | None,
    parse: Callable[[Any], T],
    *,
    attempts: int = DEFAULT_PARSE_ATTEMPTS,
    what: str = "page",
    accept_status: tuple[int, ...] = (),
) -> tuple[Any, T]:
    """Fetch and parse one page, fetching again when the body is unreadable.

    A page that stays unreadable ends the run with :class:`HarvestFailed`: every protocol here
    needs the page (its token, its next link, or simply its records) to know the listing is
    complete, and a run that silently skipped a page would make the pipeline infer deletions
    or advance its incremental watermark past records it never saw.
    """
    last_error: Exception | None = None
    last_url = url
    for attempt in range(1, attempts + 1):
        kwargs: dict[str, Any] = {"params": params}
        if accept_status:
            kwargs["accept_status"] = accept_status
        response = http.get(url, **kwargs)
        last_url = response.url
        try:
            return response, parse(response)
        except RecursionError:
            raise PageRefused(f"{what} {last_url}: nested too deeply (recursion depth limit "
                              "reached); refused", url=last_url) from None
        except (PageError, ValueError) as exc:
            last_error = exc
            if attempt < attempts and hasattr(http, "backoff"):
                http.backoff(attempt)
    raise HarvestFailed(
        f"{what} {last_url} could not be read after {attempts} attempt(s): {last_error}",
        url=last_url, stage="parse",
    )


def int_option(options: Mapping[str, Any], name: str, default: int, minimum: int = 1) -> int:
    """An integer source option, with a clear error when the configuration is wrong."""
    raw = options.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"option {name!r} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"option {name!r} must be >= {minimum}, got {value}")
    return value
