"""ISO 19139 reader (``gmd:MD_Metadata``, as served by CSW catalogues: IGN Géoplateforme,
Géo-IDE, GeoBretagne…).

Input: an ``MD_Metadata`` (or ``gmi:MI_Metadata``) element, bare or inside a CSW answer (the one
whose fileIdentifier is the raw identifier, else the first). Elements are matched by local name:
GeoNetwork rebinds prefixes on every child (the IGN record binds ``gml`` to two namespaces), and
text is read from ``gco:CharacterString`` or ``gmx:Anchor`` alike.

Mapping decisions:

- title: citation title, then alternate titles (IGN's "RPG" is "Registre Parcellaire Graphique");
  every text takes the metadata language.
- abstract → description, read as Markdown with line breaks kept (the Géoplateforme writes
  abstracts in Markdown; plain abstracts come out as paragraphs and lines).
- keywords keep their thesaurus name (the title of ``thesaurusName``, else its Anchor href) and the
  keyword's Anchor URI. By thesaurus: "INSPIRE" + "theme" (or an ``inspire.ec.europa.eu/theme/``
  URI) → ``hints["inspire_themes"]``, other "GEMET" thesauri → ``hints["gemet"]``; every keyword
  also goes to ``hints["labels"]``. topicCategory → ``hints["iso_topic"]``.
- extent: the first bounding box → ``coverage.bbox`` (the IGN record also has one box per overseas
  territory: their union would cover half the planet); extent descriptions and geographic
  identifiers → ``coverage.places``; TimePeriod → ``coverage.temporal``.
- licence: ``otherConstraints`` (Anchor href first, then text), then ``useLimitation`` texts, through
  the licence table; all statements → ``rights``. Access: the licence's; else "free" when the
  INSPIRE « no limitations on public access » value is given.
- contributors: resource points of contact and cited parties, and the distributors of
  ``MD_Distribution`` (not format authorities); roles from CI_RoleCode. Organisations keep their
  e-mail; individuals are named only when no organisation is given, without e-mail.
- dates: citation dates creation/publication/revision → created/issued/modified; ``dateStamp``
  → modified when no revision date.
- links: every CI_OnlineResource (kind from protocol/function: download, service, link), capped
  at the record's limit; ``url`` is the first web page link (WWW:LINK / information), else the
  first download. ``graphicOverview`` → thumbnail. hierarchyLevel → resource type.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from lxml import etree

from core.raw import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
    merge_types,
    normalize_language,
    normalize_licence,
    normalize_types,
    parse_loose_date,
    render_markdown,
    safe_url,
)
from schemas.cleaning.vocab import fold
from schemas.readers import Mapped, MappingError, ReaderContext, keep_first, note_clipped, reader
from schemas.readers._common import description_entry, record_frame, unique_contributors, unique_links
from schemas.readers._xml import descendants, kid, kids, local, parse_content, path, raw_text, text_of
from schemas.record import MAX_LIST, MAX_TEXT, MAX_TITLE

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ROOTS = ("MD_Metadata", "MI_Metadata")
_IDENTIFICATIONS = ("MD_DataIdentification", "SV_ServiceIdentification")
_NO_LIMITATIONS = re.compile(r"nolimitations|pas de restriction d'acces public", re.I)
ROLES = {
    "author": "author", "coauthor": "author", "principalinvestigator": "author",
    "originator": "creator", "publisher": "publisher", "owner": "owner",
    "pointofcontact": "contact", "distributor": "distributor", "resourceprovider": "provider",
    "custodian": "other", "processor": "contributor", "collaborator": "contributor",
    "contributor": "contributor", "editor": "editor", "mediator": "contributor",
    "rightsholder": "rights_holder", "funder": "other", "sponsor": "other",
    "stakeholder": "other", "user": "other",
}  # fmt: skip
_DATE_TYPES = {"creation": "created", "publication": "issued", "revision": "modified"}


@reader("iso19139")
def read_iso19139(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one ISO 19139 record; raises :class:`MappingError` when it has no title."""
    md = _metadata(parse_content(raw), raw.identifier)
    ident = next((e for e in kids(md, "identificationInfo") for e in kids(e, *_IDENTIFICATIONS)), None)
    if ident is None:
        raise MappingError("no identificationInfo (MD_DataIdentification / SV_ServiceIdentification)")
    citation = kid(kid(ident, "citation"), "CI_Citation")
    warnings: list[str] = []
    hints: dict[str, list[str]] = {}

    meta_lang = normalize_language(_code(kid(md, "language")))
    languages = [code for el in kids(ident, "language") if (code := normalize_language(_code(el)))]
    languages = list(dict.fromkeys(languages or ([meta_lang] if meta_lang else [])))
    lang = meta_lang or (languages[0] if languages else None)

    title_texts = [text for el in kids(citation, "title", "alternateTitle") if (text := _text(el))]
    note_clipped(title_texts, MAX_TITLE, "title", warnings)
    titles = merge_duplicates([{"value": clip(text, MAX_TITLE), "lang": lang} for text in title_texts])[:20]
    if not titles:
        raise MappingError("no citation title")

    descriptions = [
        entry
        for el in kids(ident, "abstract")
        if (entry := description_entry("", lang, render_markdown(_raw(el), breaks=True)))
    ]

    keywords, kw_hints = _keywords(ident, lang, warnings)
    hints.update(kw_hints)
    topics = [t for el in kids(ident, "topicCategory") if (t := text_of(el))]
    if topics:
        hints["iso_topic"] = list(dict.fromkeys(topics))

    scope = _code(kid(md, "hierarchyLevel"))
    if local(ident) == "SV_ServiceIdentification":
        scope = "service"
    types = merge_types(normalize_types(scope or "dataset", "iso19139"))

    licence, access, rights = _constraints(ident, warnings)
    links, url = _links(md)
    thumbnail = next(
        (u for el in path(ident, "graphicOverview", "MD_BrowseGraphic", "fileName")
         if (u := safe_url(_text(el)))),
        None,
    )  # fmt: skip

    record: dict[str, Any] = {
        **record_frame(raw, ctx, url),
        "title": titles,
        "description": descriptions[:20],
        "keywords": keywords,
        "languages": languages,
        "resource_types": types,
        "contributors": _contributors(md, ident, citation),
        "dates": _dates(md, citation),
        "licence": licence,
        "access": access,
        "rights": rights,
        "url": url,
        "thumbnail": thumbnail,
        "media_type": None,
        "coverage": _coverage(ident, warnings),
        "links": links,
    }
    return Mapped(record=record, hints=hints, warnings=warnings)


def _metadata(root: etree._Element, identifier: str) -> etree._Element:
    if local(root) in _ROOTS:
        return root
    found = [d for name in _ROOTS for d in descendants(root, name)]
    if not found:
        raise MappingError(f"no MD_Metadata element in <{local(root)}>")
    for md in found:
        if text_of(kid(md, "fileIdentifier")) == identifier.strip():
            return md
    return found[0]


def _raw(el: etree._Element | None) -> str:
    """Text of a CharacterString/Anchor property as written (the property's own text otherwise)."""
    if el is None:
        return ""
    inner = kid(el, "CharacterString", "Anchor", "LocalisedCharacterString")
    return raw_text(inner if inner is not None else el)


def _text(el: etree._Element | None) -> str | None:
    return clean_text(_raw(el))


def _href(el: etree._Element | None) -> str | None:
    anchor = kid(el, "Anchor")
    return safe_url(anchor.get(XLINK_HREF)) if anchor is not None else None


def _code(el: etree._Element | None) -> str | None:
    """A code list value (``@codeListValue``, else the code's text, else a CharacterString)."""
    if el is None:
        return None
    code = next((c for c in kids(el) if c.get("codeListValue") is not None), None)
    if code is not None:
        return clean_text(code.get("codeListValue")) or text_of(code)
    return _text(el)


def _keywords(ident: etree._Element, lang: str | None,
              warnings: list[str]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    keywords: list[dict[str, Any]] = []
    inspire: list[str] = []
    gemet: list[str] = []
    for block in path(ident, "descriptiveKeywords", "MD_Keywords"):
        thesaurus_title = path(block, "thesaurusName", "CI_Citation", "title")
        thesaurus = None
        if thesaurus_title:
            thesaurus = _text(thesaurus_title[0]) or _href(thesaurus_title[0])
        name = fold(thesaurus or "")
        for el in kids(block, "keyword"):
            text = _text(el)
            if not text:
                continue
            uri = _href(el)
            keywords.append({"value": clip(text, 500), "lang": lang, "thesaurus": thesaurus,
                             "uri": uri})  # fmt: skip
            if ("inspire" in name and "theme" in name) or (uri and "inspire.ec.europa.eu/theme/" in uri):
                inspire.extend(v for v in (text, uri) if v)
            elif "gemet" in name:
                gemet.extend(v for v in (text, uri) if v)
    keywords = keep_first(merge_duplicates(keywords), MAX_LIST, "keywords", warnings)
    hints: dict[str, list[str]] = {}
    if inspire:
        hints["inspire_themes"] = list(dict.fromkeys(inspire))[:MAX_LIST]
    if gemet:
        hints["gemet"] = list(dict.fromkeys(gemet))[:MAX_LIST]
    if keywords:
        hints["labels"] = list(dict.fromkeys(k["value"] for k in keywords))
    return keywords, hints


def _constraints(ident: etree._Element, warnings: list[str]) -> tuple[dict[str, Any] | None, str, str | None]:
    statements: list[str] = []
    licence: dict[str, Any] | None = None
    access = "unknown"
    no_limitations = False
    legal = [c for el in kids(ident, "resourceConstraints") for c in kids(el)]
    for constraint in legal:
        for el in kids(constraint, "otherConstraints"):
            text, href = _text(el), _href(el)
            if (href and _NO_LIMITATIONS.search(href)) or (text and _NO_LIMITATIONS.search(fold(text))):
                no_limitations = True
            if text:
                statements.append(text)
            if licence is None and (text or href):
                licence, access = normalize_licence(text, href)
    for constraint in legal:
        for el in kids(constraint, "useLimitation"):
            text = _text(el)
            if text:
                statements.append(text)
                if licence is None:
                    licence, access = normalize_licence(text, _href(el))
    if licence is None:
        access = "free" if no_limitations else "unknown"
    unique = list(dict.fromkeys(statements))
    if unique and licence is None:
        warnings.append(f"licence not recognised in {len(unique)} constraint statement(s)")
    rights = clip(" ; ".join(unique), MAX_TEXT) if unique else None
    return licence, access, rights


def _party(party: etree._Element, role_default: str) -> dict[str, Any] | None:
    role = ROLES.get(fold(_code(kid(party, "role")) or "").replace(" ", ""), role_default)
    org = _text(kid(party, "organisationName"))
    person = _text(kid(party, "individualName"))
    email = next(
        (e for el in descendants(party, "electronicMailAddress") if (e := _text(el)) and "@" in e),
        None,
    )
    if org:
        return {"name": clip(org, 1000), "role": role, "kind": "organization", "email": email}
    if person:
        return {"name": clip(person, 1000), "role": role, "kind": "person", "email": None}
    return None


def _contributors(
    md: etree._Element, ident: etree._Element, citation: etree._Element | None
) -> list[dict[str, Any]]:
    parties = path(ident, "pointOfContact", "CI_ResponsibleParty")
    parties += path(citation, "citedResponsibleParty", "CI_ResponsibleParty")
    distributors = path(md, "distributionInfo", "MD_Distribution", "distributor", "MD_Distributor",
                        "distributorContact", "CI_ResponsibleParty")  # fmt: skip
    found = [p for el in parties if (p := _party(el, "contact"))]
    found += [p for el in distributors if (p := _party(el, "distributor"))]
    return unique_contributors(found)


def _dates(md: etree._Element, citation: etree._Element | None) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    for ci_date in path(citation, "date", "CI_Date"):
        kind = _DATE_TYPES.get(_code(kid(ci_date, "dateType")) or "")
        interval = parse_loose_date(text_of(kid(ci_date, "date")))
        if kind and interval and kind not in dates:
            dates[kind] = interval
    if "modified" not in dates:
        stamp = parse_loose_date(text_of(kid(md, "dateStamp")))
        if stamp:
            dates["modified"] = stamp
    return dates


def _coverage(ident: etree._Element, warnings: list[str]) -> dict[str, Any]:
    coverage: dict[str, Any] = {"places": [], "bbox": None, "temporal": None}
    places: list[str] = []
    extents = path(ident, "extent", "EX_Extent") + path(ident, "serviceExtent", "EX_Extent")
    for extent in extents:
        geographic = kids(extent, "geographicElement")
        # A description names places only in a geographic extent ("Dates de publication" is not one).
        description = _text(kid(extent, "description")) if geographic else None
        if description:
            places.extend(p.strip() for p in description.split("|") if p.strip())
        for element in geographic:
            for box in kids(element, "EX_GeographicBoundingBox"):
                bbox = _bbox(box, warnings)
                if bbox and coverage["bbox"] is None:
                    coverage["bbox"] = bbox
            if description:
                continue  # identifiers (ISO 3166 codes…) only when there is no readable name
            for code in path(element, "EX_GeographicDescription", "geographicIdentifier"):
                value = _text(kid(kid(code, "MD_Identifier", "RS_Identifier"), "code"))
                if value:
                    places.append(value)
        for period in descendants(extent, "TimePeriod"):
            begin = text_of(kid(period, "beginPosition")) or text_of(kid(kid(period, "begin"), "TimeInstant"))
            end = text_of(kid(period, "endPosition"))
            start = parse_loose_date(begin) if begin else None
            stop = parse_loose_date(end) if end else None
            if (start or stop) and coverage["temporal"] is None:
                text = " / ".join(t for t in (begin, end) if t)
                interval = {"text": text, "start": start["start"] if start else None,
                            "end": stop["end"] if stop else None}  # fmt: skip
                if not (interval["start"] and interval["end"] and interval["start"] > interval["end"]):
                    coverage["temporal"] = interval
    coverage["places"] = [clip(p, 500) for p in dict.fromkeys(places)][:MAX_LIST]
    return coverage


def _bbox(box: etree._Element, warnings: list[str]) -> dict[str, float] | None:
    """The box in WGS 84 degrees; west/east written the wrong way round (Géo-IDE) are swapped.

    A box whose west is east of its east either crosses the antimeridian (then it is wider than
    180°, rare for French data) or has its longitudes swapped; only the latter is corrected.
    """
    values: dict[str, float] = {}
    for side, name in (("west", "westBoundLongitude"), ("east", "eastBoundLongitude"),
                       ("south", "southBoundLatitude"), ("north", "northBoundLatitude")):  # fmt: skip
        text = text_of(kid(box, name))
        try:
            values[side] = float((text or "").replace(",", "."))
        except ValueError:
            return None
    if not (-180 <= values["west"] <= 180 and -180 <= values["east"] <= 180):
        return None
    if not (-90 <= values["south"] <= values["north"] <= 90):
        return None
    if values["west"] > values["east"] and values["west"] - values["east"] < 180:
        values["west"], values["east"] = values["east"], values["west"]
        warnings.append("bounding box: west and east longitudes were swapped")
    return values


def _links(md: etree._Element) -> tuple[list[dict[str, Any]], str | None]:
    """Every online resource as a link, and the record's ``url`` (a page, else a download)."""
    links: list[dict[str, Any]] = []
    pages: list[str] = []
    downloads: list[str] = []
    resources = [
        r
        for options in path(md, "distributionInfo", "MD_Distribution", "transferOptions")
        for r in path(options, "MD_DigitalTransferOptions", "onLine", "CI_OnlineResource")
    ]
    for resource in resources:
        url = safe_url(text_of(kid(kid(resource, "linkage"), "URL")) or _text(kid(resource, "linkage")))
        if not url:
            continue
        protocol = (_text(kid(resource, "protocol")) or "").upper()
        function = fold(_code(kid(resource, "function")) or "")
        if "DOWNLOAD" in protocol or function == "download":
            kind = "download"
            downloads.append(url)
        elif protocol.startswith(("OGC:", "ESRI:")) or "SERVICE" in protocol:
            kind = "service"
        else:
            kind = "link"
            if "LINK" in protocol or function == "information":
                pages.append(url)
        title = _text(kid(resource, "name")) or _text(kid(resource, "description"))
        media_type = None
        if kind != "service":
            guessed, _ = mimetypes.guess_type(url.split("?", 1)[0])
            media_type = guessed
        links.append({"url": url, "title": clip(title, 500) if title else None,
                      "media_type": media_type, "kind": kind})  # fmt: skip
    links = unique_links(links)
    url = next(iter(pages + downloads), None)
    return links, url
