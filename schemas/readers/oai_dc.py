"""Simple Dublin Core reader (OAI-PMH ``oai_dc``).

Input: a whole OAI ``<record>`` (header + metadata), a Gallica ``services/OAIRecord`` answer
(``<results>`` around a ``<record>`` plus extras), or a bare ``oai_dc:dc``. Elements are matched
by local name so that a partner's namespace slip does not lose a field.

Mapping decisions:

- ``dc:title`` → title (at least one, else :class:`MappingError`); ``dc:description`` → description
  (partner HTML sanitised; Gallica's « Appartient à l'ensemble documentaire : X » lines are
  collection memberships, not descriptions: they go to ``hints["gallica_sets"]``).
- ``dc:subject`` → keywords (no thesaurus: oai_dc does not say which one) and ``hints["labels"]``;
  the same subject with and without ``xml:lang`` is kept once.
- ``dc:creator`` → ``author``, ``dc:contributor`` → ``contributor``, ``dc:publisher`` →
  ``publisher``; a BnF role suffix (« Dupont, Jean. Illustrateur ») sets the role and is removed.
  « [s.n.] » (no publisher name) is dropped.
- ``dc:date`` → ``dates.created`` (an interval; text kept even when not understood); Gallica's
  ``first_indexation_date`` (when the digitised copy went online) → ``dates.issued``.
- ``dc:type`` → resource types through ``types.tsv`` (Gallica sends each type in French and English);
  ``dc:rights`` → licence and access (a restricted statement wins over a free one), and the
  statements themselves in ``rights``.
- ``dc:identifier`` → ``url`` (first http(s) one); Gallica ark URLs also give a thumbnail
  (``<ark>.thumbnail``) and are upgraded to https. ``dc:format`` → ``media_type`` when it is a
  MIME type. ``dc:coverage`` → temporal coverage when it is a date, else a place.
  URLs inside ``dc:relation`` / ``dc:source`` → links.
- Set specs: Gallica Dewey sets (``gallica:theme:9:944``, 2010's ``gallica:9:94``) and the
  ``<dewey>``/``<sdewey>`` extras → ``hints["dewey"]``; Canal-U ``discipline:…`` sets →
  ``hints["canalu"]``.
"""

from __future__ import annotations

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
    safe_url,
)
from schemas.cleaning.vocab import fold
from schemas.readers import Mapped, MappingError, ReaderContext, keep_first, note_clipped, reader
from schemas.readers._common import (
    coverage_from_texts,
    description_entry,
    languages_of,
    record_frame,
    unique_contributors,
    unique_links,
)
from schemas.readers._xml import kids, local, parse_content, raw_text, text_of, unwrap
from schemas.record import MAX_LIST, MAX_TEXT, MAX_TITLE

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MIME = re.compile(r"^(application|audio|image|text|video|model|font)/[a-z0-9][a-z0-9.+-]*$", re.I)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"]+", re.I)
_GALLICA = re.compile(r"^https?://gallica\.bnf\.fr/", re.I)
_GALLICA_ARK = re.compile(r"^https?://gallica\.bnf\.fr/(ark:/12148/[a-z0-9]+)/?$", re.I)
_GALLICA_SET_LINE = re.compile(r"^appartient a l'ensemble documentaire\s*:\s*(.+)$")
_DEWEY_SET = re.compile(r"^gallica:(?:theme:)?(\d):(\d{2,3})$")
# BnF "fonction" labels ending a Gallica creator ("Auxais, Maur d'. Cartographe").
BNF_ROLES = {
    "auteur du texte": "author", "auteur": "author", "auteur de l'argument": "author",
    "auteur adapte": "author", "scenariste": "author", "librettiste": "author",
    "auteur ou responsable intellectuel": "author", "parolier": "author",
    "compositeur": "creator", "cartographe": "creator", "illustrateur": "creator",
    "dessinateur": "creator", "graveur": "creator", "photographe": "creator", "peintre": "creator",
    "architecte": "creator", "sculpteur": "creator", "realisateur": "creator",
    "editeur scientifique": "editor", "directeur de publication": "editor",
    "redacteur": "contributor", "traducteur": "contributor", "prefacier": "contributor",
    "postfacier": "contributor", "commentateur": "contributor", "annotateur": "contributor",
    "collaborateur": "contributor", "interprete": "contributor", "chef d'orchestre": "contributor",
    "editeur commercial": "publisher", "imprimeur": "publisher", "imprimeur-libraire": "publisher",
    "libraire": "distributor", "diffuseur": "distributor", "producteur": "producer",
    "arrangeur": "contributor", "direction de choeur": "contributor", "chef de choeur": "contributor",
    "choeur mixte": "contributor", "choeur": "contributor", "chanteur": "contributor",
    "instrumentiste": "contributor", "pianiste": "contributor", "organiste": "contributor",
}  # fmt: skip
# Licence codes that deny reuse: they win over an open statement in the same record.
RESTRICTIVE_CODES = frozenset({"specific", "all-rights-reserved"})
_ELEMENT_ROLES = {"creator": "author", "contributor": "contributor", "publisher": "publisher"}


def dewey_hints(sets: list[str], extras: dict[str, str]) -> list[str]:
    """Dewey classes from Gallica set specs and the services extras, finest first."""
    found: list[str] = []
    for spec in sets:
        if m := _DEWEY_SET.match(spec):
            found.append(m[2])
    for key in ("sdewey", "dewey"):
        value = extras.get(key)
        if value and re.fullmatch(r"\d{1,3}(\.\d+)?", value):
            found.append(value)
    return list(dict.fromkeys(found))


def gallica_url(url: str | None) -> tuple[str | None, str | None]:
    """(url, thumbnail): Gallica URLs are upgraded to https; a document's ark gets its thumbnail."""
    if not url or not _GALLICA.match(url):
        return url, None
    url = _GALLICA.sub("https://gallica.bnf.fr/", url)
    m = _GALLICA_ARK.match(url)
    return url, (f"https://gallica.bnf.fr/{m[1]}.thumbnail" if m else None)


# ---------------------------------------------------------------------------------------------
# The reader


@reader("oai_dc")
def read_oai_dc(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one oai_dc record; raises :class:`MappingError` when there is no metadata or title."""
    env = unwrap(parse_content(raw), ("dc",))
    if env.metadata is None:
        if raw.deleted or env.deleted:
            raise MappingError("deleted record: no metadata to map")
        raise MappingError("record has no metadata")
    fields: dict[str, list[etree._Element]] = {}
    for el in kids(env.metadata):
        fields.setdefault(local(el), []).append(el)
    warnings: list[str] = []
    hints: dict[str, list[str]] = {}

    title_texts = [(t, el) for el in fields.get("title", []) if (t := text_of(el))]
    note_clipped([t for t, _ in title_texts], MAX_TITLE, "title", warnings)
    titles = merge_duplicates(
        [{"value": clip(t, MAX_TITLE), "lang": _lang(el)} for t, el in title_texts]
    )
    if not titles:
        raise MappingError("no dc:title")
    if len(titles) > 20:
        warnings.append(f"{len(titles)} titles: only the first 20 kept")
        titles = titles[:20]

    descriptions: list[dict[str, Any]] = []
    gallica_sets: list[str] = []
    for el in fields.get("description", []):
        body = raw_text(el)
        folded = fold(clean_text(body) or "")
        if m := _GALLICA_SET_LINE.match(folded):
            gallica_sets.append(clean_text(body.rsplit(":", 1)[-1]) or m[1])
            continue
        entry = description_entry(body, _lang(el))
        if entry:
            descriptions.append(entry)
    descriptions = merge_duplicates(descriptions)
    if len(descriptions) > 20:
        warnings.append(f"{len(descriptions)} descriptions: only the first 20 kept")
        descriptions = descriptions[:20]
    if gallica_sets:
        hints["gallica_sets"] = gallica_sets

    keywords = keep_first(merge_duplicates(
        [
            {"value": clip(t, 500), "lang": _lang(el), "thesaurus": None, "uri": None}
            for el in fields.get("subject", [])
            if (t := text_of(el))
        ]
    ), MAX_LIST, "subjects", warnings)
    if keywords:
        hints["labels"] = [k["value"] for k in keywords]

    languages = languages_of((text_of(el) for el in fields.get("language", [])), warnings)

    types: list[dict[str, Any]] = []
    for el in fields.get("type", []):
        types.extend(normalize_types(text_of(el)))
    if env.extras.get("typedoc"):
        types.extend(normalize_types(env.extras["typedoc"]))
    types = merge_types(types)
    if not types and fields.get("type"):
        warnings.append(f"type not recognised: {text_of(fields['type'][0])!r}")

    licence, access, rights = _rights(fields.get("rights", []), warnings)

    url = next((u for el in fields.get("identifier", []) if (u := safe_url(text_of(el)))), None)
    url, thumbnail = gallica_url(url)

    media_type = next(
        (t.lower() for el in fields.get("format", [])
         if (t := text_of(el)) and _MIME.match(t)),
        None,
    )  # fmt: skip

    coverage = coverage_from_texts(t for el in fields.get("coverage", []) if (t := text_of(el)))

    links = unique_links(
        [link for kind in ("relation", "source") for el in fields.get(kind, [])
         for link in _links_in(text_of(el), kind)]
    )  # fmt: skip

    dates: dict[str, Any] = {}
    for el in fields.get("date", []):
        text = text_of(el)
        if text:
            dates["created"] = parse_loose_date(text) or {"text": text, "start": None, "end": None}
            break
    indexed = parse_loose_date(env.extras.get("first_indexation_date"))
    if indexed:
        dates["issued"] = indexed

    sets = env.sets or [str(s) for s in raw.extra.get("sets") or []]
    dewey = dewey_hints(sets, env.extras)
    if dewey:
        hints["dewey"] = dewey
    canalu = [s for s in sets if s.startswith("discipline:")]
    if canalu:
        hints["canalu"] = canalu

    record: dict[str, Any] = {
        **record_frame(raw, ctx, url, env.datestamp),
        "title": titles,
        "description": descriptions,
        "keywords": keywords,
        "languages": languages,
        "resource_types": types,
        "contributors": _contributors(fields),
        "dates": dates,
        "licence": licence,
        "access": access,
        "rights": rights,
        "url": url,
        "thumbnail": thumbnail,
        "media_type": media_type,
        "coverage": coverage,
        "links": links,
    }
    return Mapped(record=record, hints=hints, warnings=warnings)


def _lang(el: etree._Element) -> str | None:
    return normalize_language(el.get(XML_LANG))


def _rights(
    elements: list[etree._Element], warnings: list[str]
) -> tuple[dict[str, Any] | None, str, str | None]:
    """Licence, access and the rights statements, failing closed on mixed statements.

    When one statement is open (« domaine public ») and another is not (« in copyright »,
    « conditions spécifiques »), the record gets the restrictive one: a teacher must never be told
    a resource is free to reuse because one of its statements said so.
    """
    statements = list(dict.fromkeys(t for el in elements if (t := text_of(el))))
    found = [(lic, acc) for text in statements for lic, acc in [normalize_licence(text)] if lic]
    restrictive = [(lic, acc) for lic, acc in found if lic["code"] in RESTRICTIVE_CODES]
    licence: dict[str, Any] | None = None
    access = "unknown"
    if found:
        licence, access = (restrictive or found)[0]
    if any(acc == "restricted" for _, acc in found):
        access = "restricted"
    if statements and not found:
        warnings.append(f"licence not recognised: {statements[0]!r}")
    rights = clip(" ; ".join(statements), MAX_TEXT) if statements else None
    return licence, access, rights


def _links_in(text: str | None, kind: str) -> list[dict[str, Any]]:
    """Links found in a relation/source statement ("Notice du catalogue : http://…")."""
    if not text:
        return []
    links = []
    for m in _URL_IN_TEXT.finditer(text):
        url = safe_url(m.group(0).rstrip(".,;)"))
        if url:
            title = clean_text(text[: m.start()].rstrip(" :"))
            links.append({"url": url, "title": title, "media_type": None, "kind": kind})
    return links


def split_role(name: str) -> tuple[str, str | None]:
    """("Auxais, Maur d'", "creator") from "Auxais, Maur d'. Cartographe"; role None if absent."""
    head, sep, tail = name.rpartition(". ")
    if sep and head:
        roles = [BNF_ROLES.get(fold(part)) for part in tail.split(",")]
        if roles and all(roles):
            return head.strip(), roles[0]
    return name, None


def _contributors(fields: dict[str, list[etree._Element]]) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    for element, default_role in _ELEMENT_ROLES.items():
        for el in fields.get(element, []):
            text = text_of(el)
            if not text or re.match(r"^\[?s\.\s?n\.?\]?", text, re.I):
                continue  # "[s.n.] (Marseille)": the publisher is unknown
            name, role = split_role(text)
            people.append({"name": clip(name, 1000), "role": role or default_role,
                           "kind": "organization" if element == "publisher" else None,
                           "email": None})  # fmt: skip
    return unique_contributors(people)
