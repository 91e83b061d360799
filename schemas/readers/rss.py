"""RSS / Atom / Media RSS reader: one ``<item>`` or ``<entry>`` (with its namespaces) → record.

``raw.extra`` carries the channel's ``title``, ``link`` and ``language``; the item's own
``xml:lang`` / ``dc:language`` wins over the channel language.

Mapping decisions:

- Description: RSS ``description`` / Atom ``summary``, else ``content:encoded`` / Atom
  ``content``, else ``media:description``. RSS descriptions are (escaped) HTML → sanitised;
  Atom follows its ``type`` (``text``, ``html``, ``xhtml``).
- ``link`` (Atom: ``rel="alternate"``) → ``url``; else a permalink ``guid`` / an http ``id``.
- Dates: ``pubDate`` (RFC 822), ``dc:date`` or Atom ``published`` → ``issued``; Atom
  ``updated`` → ``modified``. The date is the calendar date as written (partner's time zone).
- ``category`` / ``dc:subject`` / ``media:category`` / ``media:keywords`` → keywords and
  ``hints["labels"]``.
- ``author`` (``mail (Name)``), ``dc:creator``, Atom ``author`` → ``author``; Atom
  ``contributor`` → ``contributor``; ``media:credit`` → its role (EBU roles mapped, else
  ``contributor``).
- ``enclosure`` (kind ``enclosure``), ``media:content`` (kind ``media``), Atom
  ``link rel="enclosure"`` → links. The first media file gives ``media_type`` and ``duration``
  (``media:content@duration`` or ``itunes:duration``); ``medium`` (or the MIME family) gives the
  resource type.
- ``media:thumbnail`` (else ``itunes:image``, else an image enclosure) → ``thumbnail``.
- ``media:license`` / ``creativeCommons:license`` / ``cc:license`` → licence;
  ``media:copyright``, Atom ``rights`` → ``rights``.
- ``media:rating`` marking adult content (``urn:simple`` adult, MPAA R/NC-17, V-chip TV-MA)
  refuses the item with a :class:`MappingError`: this catalogue is for schools. Other ratings go
  to ``hints["media_rating"]``.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

from core.raw import RawRecord
from core.xmlsafe import UnsafeXMLError, parse_xml
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
    normalize_language,
    normalize_licence,
    normalize_types,
    parse_loose_date,
    safe_url,
)
from schemas.readers import Mapped, MappingError, ReaderContext, reader
from schemas.readers._common import (
    clean_lines,
    duration_seconds,
    mime_type,
    record_frame,
    sanitize_partner_html,
)
from schemas.record import MAX_LIST, MAX_TEXT, MAX_TITLE

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
MEDIA = "http://search.yahoo.com/mrss/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CC_RSS = "http://backend.userland.com/creativeCommonsRssModule"
CC = "http://web.resource.org/cc/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"

_CREDIT_ROLES = {
    "author": "author", "writer": "author", "auteur": "author", "scriptwriter": "author",
    "creator": "creator", "director": "creator", "réalisateur": "creator",
    "producer": "producer", "executive producer": "producer", "production company": "producer",
    "editor": "editor", "publisher": "publisher", "distributor": "distributor",
    "rights holder": "rights_holder", "copyright holder": "rights_holder",
}  # fmt: skip
_ADULT_RATINGS = {
    "urn:simple": {"adult"},
    "urn:mpaa": {"r", "nc-17", "x"},
    "urn:v-chip": {"tv-ma"},
}
_DOCUMENT_TYPES = {
    "application/pdf", "application/epub+zip", "application/msword",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}  # fmt: skip
_EMAIL = re.compile(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+")


@reader("rss")
def read_rss(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one feed item; raises :class:`MappingError` for broken XML, no title or adult rating."""
    try:
        item = parse_xml(raw.content)
    except UnsafeXMLError as exc:
        raise MappingError(f"feed item: {exc}") from None
    name = etree.QName(item)
    if name.localname not in ("item", "entry"):
        raise MappingError(f"expected an RSS <item> or Atom <entry>, got <{name.localname}>")
    atom = name.namespace == ATOM
    ns = ATOM if atom else (name.namespace or "")
    warnings: list[str] = []
    hints: dict[str, list[str]] = {}
    _check_rating(item, hints)

    lang = _item_language(item, raw)
    title = _title(item, ns, atom)
    if not title:
        raise MappingError("no title")

    descriptions = _descriptions(item, ns, atom, lang)
    url = _url(item, ns, atom)
    keywords = _keywords(item, ns, atom, lang)
    media_links, media_type, duration, medium = _media(item, ns, atom)
    thumbnail = _thumbnail(item, media_links)
    licence, access, rights = _rights(item, ns, atom, warnings)

    record: dict[str, Any] = {
        **record_frame(raw, ctx, url),
        "title": [{"value": clip(title, MAX_TITLE), "lang": lang}],
        "description": descriptions,
        "keywords": keywords,
        "languages": [lang] if lang else [],
        "resource_types": normalize_types(medium, "mrss") if medium else [],
        "contributors": _contributors(item, ns, atom),
        "dates": _dates(item, ns, atom, warnings),
        "licence": licence,
        "access": access,
        "rights": rights,
        "url": url,
        "thumbnail": thumbnail,
        "media_type": media_type,
        "duration": duration,
        "links": media_links[:MAX_LIST],
    }
    if keywords:
        hints["labels"] = [k["value"] for k in keywords]
    return Mapped(record=record, hints=hints, warnings=warnings)


# --- small XML helpers -------------------------------------------------------------------


def _children(el: etree._Element, ns: str, local: str) -> list[etree._Element]:
    tag = f"{{{ns}}}{local}" if ns else local
    return [c for c in el if isinstance(c.tag, str) and c.tag == tag]


def _child(el: etree._Element, ns: str, local: str) -> etree._Element | None:
    found = _children(el, ns, local)
    return found[0] if found else None


def _text(el: etree._Element | None) -> str | None:
    """All the text inside ``el`` (not cleaned), or None."""
    if el is None:
        return None
    text = "".join(str(part) for part in el.itertext())
    return text if text.strip() else None


def _media_elements(item: etree._Element, local: str) -> list[etree._Element]:
    """``media:<local>`` directly in the item and inside its ``media:group`` elements."""
    found = _children(item, MEDIA, local)
    for group in _children(item, MEDIA, "group"):
        found.extend(_children(group, MEDIA, local))
    return found


# --- fields --------------------------------------------------------------------------------


def _item_language(item: etree._Element, raw: RawRecord) -> str | None:
    for candidate in (
        item.get(XML_LANG),
        _text(_child(item, DC, "language")),
        raw.extra.get("language") if isinstance(raw.extra.get("language"), str) else None,
    ):
        if candidate and (code := normalize_language(candidate.strip())):
            return code
    return None


def _title(item: etree._Element, ns: str, atom: bool) -> str | None:
    el = _child(item, ns, "title")
    text = _typed_text(el, atom)[1] if el is not None else None
    if not text:
        media_title = _media_elements(item, "title")
        if media_title:
            text = _typed_text(media_title[0], atom=False, default="plain")[1]
    return clean_text(text)


def _typed_text(
    el: etree._Element, atom: bool, default: str | None = None
) -> tuple[str | None, str | None]:
    """(safe html, plain text) of a text construct, following Atom/MRSS ``type``.

    RSS 2.0 elements have no type and may carry escaped HTML: they go through the sanitiser.
    """
    kind = (el.get("type") or default or ("text" if atom else "html")).lower()
    if kind in ("xhtml", "application/xhtml+xml") or len(el):
        # XHTML content, or (invalid but seen) unescaped tags inside an RSS element: the
        # children are markup, never text to keep verbatim.
        parts = [etree.tostring(child, encoding="unicode", with_tail=True) for child in el]
        markup = (el.text or "") + "".join(parts)
        return sanitize_partner_html(re.sub(r"\sxmlns(:\w+)?=\"[^\"]*\"", "", markup))
    value = _text(el)
    if value is None:
        return None, None
    if kind in ("text", "plain", "text/plain"):
        return None, value
    return sanitize_partner_html(value)


def _descriptions(
    item: etree._Element, ns: str, atom: bool, lang: str | None
) -> list[dict[str, Any]]:
    candidates = [
        _child(item, ns, "summary" if atom else "description"),
        _child(item, ns, "content") if atom else _child(item, CONTENT, "encoded"),
    ]
    for el in candidates:
        if el is None or (atom and el.get("src")):
            continue  # out-of-line Atom content is only a link
        html, text = _typed_text(el, atom)
        if description := _description(html, text or "", lang):
            return [description]
    for el in _media_elements(item, "description"):
        html, text = _typed_text(el, atom=False, default="plain")
        if description := _description(html, text or "", lang):
            return [description]
    return []


def _description(html: str | None, text: str, lang: str | None) -> dict[str, Any] | None:
    value = clean_lines(text)
    return {"value": value, "lang": lang, "html": html} if value else None


def _url(item: etree._Element, ns: str, atom: bool) -> str | None:
    if atom:
        links = _children(item, ATOM, "link")
        for link in links:
            if (link.get("rel") or "alternate") == "alternate" and (
                url := safe_url(link.get("href"))
            ):
                return url
        return safe_url(_text(_child(item, ATOM, "id")))
    if url := safe_url(_text(_child(item, ns, "link"))):
        return url
    guid = _child(item, ns, "guid")
    if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
        return safe_url(_text(guid))
    return None


def _keywords(
    item: etree._Element, ns: str, atom: bool, lang: str | None
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for cat in _children(item, ns, "category"):
        if atom:
            value = cat.get("label") or cat.get("term")
            scheme = cat.get("scheme")
        else:
            value = _text(cat)
            scheme = cat.get("domain")
        found.append({"value": value, "thesaurus": clean_text(scheme)})
    for subject in _children(item, DC, "subject"):
        found.append({"value": _text(subject), "thesaurus": None})
    for cat in _media_elements(item, "category"):
        found.append({"value": cat.get("label") or _text(cat),
                      "thesaurus": clean_text(cat.get("scheme"))})
    for el in [*_media_elements(item, "keywords"), *_children(item, ITUNES, "keywords")]:
        for word in (_text(el) or "").split(","):
            found.append({"value": word, "thesaurus": None})
    keywords = []
    for entry in found:
        value = clean_text(entry["value"])
        if value:
            keywords.append({"value": clip(value, 500), "lang": lang, "thesaurus": entry["thesaurus"]})
    return merge_duplicates(keywords)[:MAX_LIST]


def _person(text: str | None) -> tuple[str | None, str | None]:
    """(name, email) of an RSS ``author`` value such as ``jean@ac.fr (Jean Dupont)``."""
    text = clean_text(text)
    if not text:
        return None, None
    email_match = _EMAIL.search(text)
    email = email_match.group(0) if email_match else None
    named = re.search(r"\(([^)]+)\)", text)
    if named and clean_text(named.group(1)):
        return clean_text(named.group(1)), email
    rest = clean_text(_EMAIL.sub("", text).strip(" <>()")) if email else text
    return rest or email, email


def _contributors(item: etree._Element, ns: str, atom: bool) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []

    def add(name: str | None, role: str, email: str | None = None) -> None:
        name = clean_text(name)
        if name and not any(p["name"] == name and p["role"] == role for p in people):
            people.append({"name": clip(name, 1000), "role": role, "kind": None, "email": email})

    if atom:
        for local, role in (("author", "author"), ("contributor", "contributor")):
            for person in _children(item, ATOM, local):
                email = clean_text(_text(_child(person, ATOM, "email")))
                add(_text(_child(person, ATOM, "name")) or email, role,
                    email if email and _EMAIL.fullmatch(email) else None)
    else:
        for author in _children(item, ns, "author"):
            name, email = _person(_text(author))
            add(name, "author", email)
    for creator in _children(item, DC, "creator"):
        add(_text(creator), "author")
    for credit in _media_elements(item, "credit"):
        role = _CREDIT_ROLES.get((credit.get("role") or "").strip().lower(), "contributor")
        add(_text(credit), role)
    return people[:MAX_LIST]


def _day(text: str | None) -> dict[str, Any] | None:
    """Interval for an RFC 822 or RFC 3339 timestamp (or anything the loose parser reads)."""
    text = clean_text(text)
    if not text:
        return None
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            when = None
    if when is not None:
        found = parse_loose_date(when.date().isoformat())
        return {**found, "text": text} if found else None
    return parse_loose_date(text)


def _dates(item: etree._Element, ns: str, atom: bool, warnings: list[str]) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    if atom:
        pairs = [("issued", _child(item, ATOM, "published")),
                 ("modified", _child(item, ATOM, "updated"))]
    else:
        pairs = [("issued", _child(item, ns, "pubDate"))]
    pairs.append(("issued", _child(item, DC, "date")))
    for name, el in pairs:
        text = _text(el)
        if name in dates or not text:
            continue
        interval = _day(text)
        if interval:
            dates[name] = interval
        else:
            warnings.append(f"date not understood: {clean_text(text)}")
    return dates


def _check_rating(item: etree._Element, hints: dict[str, list[str]]) -> None:
    ratings = []
    for rating in _media_elements(item, "rating"):
        scheme = (rating.get("scheme") or "urn:simple").strip().lower()
        value = (clean_text(_text(rating)) or "").lower()
        if value in _ADULT_RATINGS.get(scheme, set()):
            raise MappingError(f"media:rating {scheme} {value!r}: adult content is not catalogued")
        if value:
            ratings.append(f"{scheme}:{value}")
    if ratings:
        hints["media_rating"] = ratings


def _media(
    item: etree._Element, ns: str, atom: bool
) -> tuple[list[dict[str, Any]], str | None, float | None, str | None]:
    """Links to the media files, with the media type, duration and medium of the first one."""
    links: list[dict[str, Any]] = []
    media_type: str | None = None
    duration: float | None = None
    medium: str | None = None
    contents = sorted(
        _media_elements(item, "content"),
        key=lambda c: (c.get("isDefault") or "").lower() != "true",
    )
    for content in contents:
        url = safe_url(content.get("url"))
        if not url:
            continue
        mime = mime_type(content.get("type"))
        title_el = _child(content, MEDIA, "title")
        links.append({"url": url, "title": clean_text(_text(title_el)), "media_type": mime,
                      "kind": "media"})
        media_type = media_type or mime
        duration = duration if duration is not None else duration_seconds(content.get("duration"))
        medium = medium or clean_text(content.get("medium"))
    enclosures = (
        [link for link in _children(item, ATOM, "link") if link.get("rel") == "enclosure"]
        if atom else _children(item, ns, "enclosure")
    )
    for enclosure in enclosures:
        url = safe_url(enclosure.get("href") if atom else enclosure.get("url"))
        if not url:
            continue
        mime = mime_type(enclosure.get("type"))
        title = clean_text(enclosure.get("title")) if atom else None
        links.append({"url": url, "title": title, "media_type": mime, "kind": "enclosure"})
        media_type = media_type or mime
    if duration is None:
        duration = duration_seconds(_text(_child(item, ITUNES, "duration")))
    if medium is None and media_type:
        family = media_type.split("/", 1)[0]
        if family in ("video", "audio", "image"):
            medium = family
        elif media_type in _DOCUMENT_TYPES:
            medium = "document"
    for player in _media_elements(item, "player"):
        if url := safe_url(player.get("url")):
            links.append({"url": url, "title": None, "media_type": "text/html",
                          "kind": "player"})
    return merge_duplicates(links, key="url"), media_type, duration, medium


def _thumbnail(item: etree._Element, links: list[dict[str, Any]]) -> str | None:
    for thumb in _media_elements(item, "thumbnail"):
        if url := safe_url(thumb.get("url")):
            return url
    image = _child(item, ITUNES, "image")
    if image is not None and (url := safe_url(image.get("href"))):
        return url
    for link in links:
        if (link.get("media_type") or "").startswith("image/"):
            return str(link["url"])
    return None


def _rights(
    item: etree._Element, ns: str, atom: bool, warnings: list[str]
) -> tuple[dict[str, Any] | None, str, str | None]:
    licence: dict[str, Any] | None = None
    access = "unknown"
    candidates: list[tuple[str | None, str | None]] = []
    for el in _media_elements(item, "license"):
        candidates.append((clean_text(_text(el)), safe_url(el.get("href"))))
    for el in [*_children(item, CC_RSS, "license"), *_children(item, CC, "license")]:
        uri = safe_url(el.get(RDF_RESOURCE)) or safe_url(_text(el))
        candidates.append((None, uri))
    for label, uri in candidates:
        found, found_access = normalize_licence(label, uri)
        if found:
            licence, access = found, found_access
            break
    if licence is None and candidates:
        warnings.append(f"licence not recognised: {candidates[0][0] or candidates[0][1]}")
    rights_els = [*_media_elements(item, "copyright")]
    if atom:
        rights_els.extend(_children(item, ATOM, "rights"))
    else:
        rights_els.extend(_children(item, DC, "rights"))
    rights = None
    for el in rights_els:
        text = clean_text(_typed_text(el, atom=False, default="plain")[1])
        if text:
            rights = clip(text, MAX_TEXT)
            break
    return licence, access, rights
