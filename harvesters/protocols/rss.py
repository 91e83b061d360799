"""RSS 2.0 / RSS 1.0 / Atom (with Media RSS) feed client.

Each ``item`` or ``entry`` becomes RawRecord(format="rss") whose content is the element itself,
serialised with the namespace declarations in scope (so ``media:`` or the Atom default namespace
survive the cut). Identifier: RSS ``guid``, else ``link``, else ``rdf:about``; Atom ``id``, else
the alternate link. ``extra`` carries the channel's title, link and language, and the feed kind.

Paging: Atom/RSS ``link rel="next"`` (RFC 5005 paged feeds); a next URL already fetched ends the
listing with an issue. Options: ``parse_attempts`` (3), ``max_pages`` (10000).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from lxml import etree

from core.raw import RawRecord
from harvesters.base import HarvestIssue, register
from harvesters.options import LinkedOptions
from harvesters.protocols._common import PageError, clean, element_bytes, parse_datetime, parse_xml_page
from harvesters.protocols._paging import LinkedPage, LinkedPagesHarvester

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _atom_link(parent: etree._Element, rel: str) -> str:
    for link in parent.findall(f"{{{ATOM}}}link"):
        if clean(link.get("rel") or "alternate") == rel and clean(link.get("href")):
            return clean(link.get("href"))
    return ""


@register
class RssHarvester(LinkedPagesHarvester[etree._Element]):
    options_schema = LinkedOptions
    protocol = "rss"
    page_name = "feed page"
    next_link_name = "feed next link"

    def parse_page(self, response: Any) -> etree._Element:
        root = parse_xml_page(response.content)
        if root.tag in ("rss", f"{{{ATOM}}}feed", f"{{{RDF}}}RDF"):
            return root
        raise PageError(f"root element is {root.tag!r}, not an RSS or Atom feed")

    def read_page(self, root: etree._Element, page_url: str, requested_url: str) -> LinkedPage:
        kind, channel, items = self._split(root)
        extra = self._channel_info(kind, channel, page_url)
        next_link = _atom_link(channel, "next")
        return LinkedPage(
            entries=(self._record(kind, item, extra, page_url) for item in items),
            next_url=urljoin(page_url, next_link) if next_link else None,
        )

    @staticmethod
    def _split(root: etree._Element) -> tuple[str, etree._Element, list[etree._Element]]:
        if root.tag == "rss":
            channel = root.find("channel")
            if channel is None:
                raise PageError("RSS feed without <channel>")
            return "rss", channel, channel.findall("item")
        if root.tag == f"{{{ATOM}}}feed":
            return "atom", root, root.findall(f"{{{ATOM}}}entry")
        channel = root.find(f"{{{RSS1}}}channel")
        return "rss1", channel if channel is not None else root, root.findall(f"{{{RSS1}}}item")

    @staticmethod
    def _channel_info(kind: str, channel: etree._Element, page_url: str) -> dict[str, Any]:
        if kind == "atom":
            title = clean(channel.findtext(f"{{{ATOM}}}title"))
            link = _atom_link(channel, "alternate")
            language = clean(channel.get(XML_LANG))
        else:
            ns = "" if kind == "rss" else f"{{{RSS1}}}"
            title = clean(channel.findtext(f"{ns}title"))
            link = clean(channel.findtext(f"{ns}link"))
            language = clean(channel.findtext(f"{ns}language") or channel.findtext(f"{{{DC}}}language"))
        return {
            "feed_kind": kind,
            "channel_title": title or None,
            "channel_link": urljoin(page_url, link) if link else None,
            "channel_language": language or None,
        }

    @staticmethod
    def _record(
        kind: str, item: etree._Element, extra: dict[str, Any], page_url: str
    ) -> tuple[RawRecord | None, HarvestIssue | None]:
        if kind == "atom":
            link = _atom_link(item, "alternate")
            link = urljoin(page_url, link) if link else ""
            identifier = clean(item.findtext(f"{{{ATOM}}}id")) or link
            stamp = clean(item.findtext(f"{{{ATOM}}}updated") or item.findtext(f"{{{ATOM}}}published"))
        else:
            ns = "" if kind == "rss" else f"{{{RSS1}}}"
            link = clean(item.findtext(f"{ns}link"))
            link = urljoin(page_url, link) if link else ""
            guid = clean(item.findtext("guid")) if kind == "rss" else ""
            identifier = guid or link or clean(item.get(f"{{{RDF}}}about"))
            stamp = clean(item.findtext("pubDate") or item.findtext(f"{{{DC}}}date"))
        if not identifier:
            return None, HarvestIssue(stage="parse", url=page_url,
                                      message=f"{kind} item without guid/id or link; skipped")
        return (
            RawRecord(
                identifier=identifier,
                format="rss",
                content=element_bytes(item),
                datestamp=parse_datetime(stamp),
                landing_url=link or None,
                extra=dict(extra),
            ),
            None,
        )
