"""INA: the Jalons search API and (SYNTHETIC) RSS 2.0 + Media RSS and paged Atom feeds.

- ``/ina/jalons/api/search?query=&offset=&limit=``: the envelope of the recorded answer
  (``return.total/offset/limit/resources``), PHP-style JSON (``\\/`` and ``\\u00e9`` escapes).
  ``query`` matches title and description, ignoring case, accents and HTML.
- ``/ina/rss``: every item in one RSS 2.0 document with ``media:`` elements.
- ``/ina/atom?page=N``: Atom, ``atom_page_size`` entries per page, RFC 5005 ``next``/``first``/
  ``last`` links.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from catalogue.simulator.data import Entry
from catalogue.simulator.wire import SimRequest, SimResponse, xml_response

if TYPE_CHECKING:
    from catalogue.simulator.server import Simulator

SEARCH_PATH = "/ina/jalons/api/search"
RSS_PATH = "/ina/rss"
ATOM_PATH = "/ina/atom"
_TAGS = re.compile(r"<[^>]+>")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", _TAGS.sub(" ", text)).encode("ascii", "ignore").decode()
    return text.lower()


def _php_json(document: Any) -> bytes:
    """json_encode style: ASCII only, escaped slashes, tab indentation like the recording."""
    text = json.dumps(document, ensure_ascii=True, indent="\t")
    return text.replace("/", "\\/").encode("ascii")


def _non_negative(raw: str | None, default: int) -> int | None:
    if raw is None or raw == "":
        return default
    return int(raw) if raw.isdigit() else None


def search(sim: Simulator, req: SimRequest) -> SimResponse:
    offset = _non_negative(req.params.get("offset"), 0)
    limit = _non_negative(req.params.get("limit"), 10)
    if offset is None or limit is None:
        body = _php_json({"version": "1.0", "error": "offset and limit must be integers"})
        return SimResponse(status=400, body=body, content_type="application/json")
    query = _fold(req.params.get("query", "")).strip()
    entries = [e for e in sim.stores["ina"].live()
               if not query or query in _fold(f"{e.payload.get('title', '')} "
                                              f"{e.payload.get('description', '')}")]
    page = [e.payload for e in entries[offset: offset + limit]]
    document = {
        "version": "1.0",
        "provider_name": "Ina.fr",
        "provider_url": "http://fresques.ina.fr",
        "author_name": "Fresque hypermedia",
        "author_url": "",
        "action": "search",
        "return": {"total": len(entries), "offset": offset, "limit": limit, "resources": page},
    }
    return SimResponse(body=_php_json(document), content_type="application/json")


def _media(entry: Entry) -> str:
    r = entry.payload
    player = f"http://fresques.ina.fr/jalons/export/player/{entry.identifier}"
    duration = int(round(float(r.get("duration") or 0)))
    return (
        f"      <media:content url={quoteattr(player)} medium=\"video\" type=\"text/html\" "
        f"duration=\"{duration}\" width=\"{r.get('width', 512)}\" "
        f"height=\"{r.get('height', 384)}\"/>\n"
        f"      <media:thumbnail url={quoteattr(str(r.get('thumbnail', '')))} "
        f"width=\"{r.get('thumbnail_width', 80)}\" height=\"{r.get('thumbnail_height', 60)}\"/>\n"
        f"      <media:title>{escape(str(r.get('title', '')).strip())}</media:title>\n"
        f"      <media:description type=\"html\">{escape(str(r.get('description', '')))}"
        "</media:description>\n"
        "      <media:credit role=\"distribution\">INA</media:credit>\n"
    )


_SYNTHETIC_NOTE = ("<!-- SYNTHETIC feed served by the catalogue partner simulator: INA publishes "
                   "no such feed; items mirror the simulator's Jalons resources. -->\n")


def rss(sim: Simulator, req: SimRequest) -> SimResponse:
    items = []
    for entry in sim.stores["ina"].live():
        r = entry.payload
        link = str(r.get("url", ""))
        items.append(
            "    <item>\n"
            f"      <title>{escape(str(r.get('title', '')).strip())}</title>\n"
            f"      <link>{escape(link)}</link>\n"
            f"      <guid isPermaLink=\"true\">{escape(link)}</guid>\n"
            f"      <description>{escape(str(r.get('description', '')))}</description>\n"
            f"      <pubDate>{format_datetime(entry.datestamp, usegmt=True)}</pubDate>\n"
            f"      <dc:date>{escape(str(r.get('date', '')))}</dc:date>\n"
            "      <category>Histoire</category>\n"
            f"{_media(entry)}"
            "    </item>\n"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + _SYNTHETIC_NOTE +
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "  <channel>\n"
        "    <title>Jalons – vidéos d'histoire de l'INA</title>\n"
        "    <link>http://fresques.ina.fr/jalons/</link>\n"
        "    <description>Les dernières vidéos éducatives de Jalons.</description>\n"
        "    <language>fr</language>\n"
        f"    <atom:link href={quoteattr(sim.url(RSS_PATH))} rel=\"self\" "
        "type=\"application/rss+xml\"/>\n"
        + "".join(items) + "  </channel>\n</rss>\n"
    )
    return xml_response(body, content_type="application/rss+xml; charset=utf-8")


def atom(sim: Simulator, req: SimRequest) -> SimResponse:
    raw = req.params.get("page", "1")
    live = sim.stores["ina"].live()
    size = sim.atom_page_size
    last = max(1, math.ceil(len(live) / size))
    if not raw.isdigit() or not 1 <= int(raw) <= last:
        return SimResponse(status=404, body=b"Not found")
    page = int(raw)

    def url(number: int) -> str:
        return sim.url(f"{ATOM_PATH}?page={number}")

    next_url = url(page + 1) if page < last else None
    if sim.faults.take(req.path, req.params, "loop-next") is not None:
        next_url = url(page)
    links = [f'  <link rel="self" href={quoteattr(url(page))}/>\n',
             '  <link rel="alternate" type="text/html" href="http://fresques.ina.fr/jalons/"/>\n',
             f'  <link rel="first" href={quoteattr(url(1))}/>\n',
             f'  <link rel="last" href={quoteattr(url(last))}/>\n']
    if next_url:
        links.append(f'  <link rel="next" href={quoteattr(next_url)}/>\n')
    if page > 1:
        links.append(f'  <link rel="previous" href={quoteattr(url(page - 1))}/>\n')
    entries = []
    for entry in live[(page - 1) * size: page * size]:
        r = entry.payload
        link = str(r.get("url", ""))
        entries.append(
            "  <entry>\n"
            f"    <id>{escape(link)}</id>\n"
            f"    <title>{escape(str(r.get('title', '')).strip())}</title>\n"
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(link)}/>\n"
            f"    <updated>{entry.datestamp.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
            f"    <summary type=\"html\">{escape(str(r.get('description', '')))}</summary>\n"
            "    <author><name>INA</name></author>\n"
            f"{_media(entry)}"
            "  </entry>\n"
        )
    newest = max((e.datestamp for e in live), default=sim.now())
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n' + _SYNTHETIC_NOTE +
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" '
        'xml:lang="fr">\n'
        "  <id>urn:catalogue-simulator:ina:jalons</id>\n"
        "  <title>Jalons – vidéos d'histoire de l'INA</title>\n"
        f"  <updated>{newest.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
        + "".join(links) + "".join(entries) + "</feed>\n"
    )
    return xml_response(body, content_type="application/atom+xml; charset=utf-8")
