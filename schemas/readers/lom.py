"""IEEE LOM and ScoLOMFR 3.x reader (``lom``, ``scolomfr``).

Input: a whole OAI ``<record>`` or a bare ``lom`` root. Elements are matched by local name, so
LOM (``http://ltsc.ieee.org/xsd/LOM``), LOMFR and ScoLOMFR extension elements are all read
whatever prefix or namespace variant a partner uses. Vocabulary values are read from ``value``
(ScoLOMFR concept URIs) and fall back to ``label``.

Mapping decisions:

- general: title, description (HTML sanitised), keyword → keywords and ``hints["labels"]``,
  language, coverage (a date → temporal coverage, anything else → a place);
  ``lomfr:documentType`` (voc-004), ``scolomfr:generalResourceType`` (voc-005) and
  ``educational/learningResourceType`` (voc-010 or LOM words) → resource types.
- lifeCycle/contribute → contributors; the role comes from voc-003 (LOM words or ScoLOMFR URIs),
  the name from the vCard (FN, completed by N's family name when FN lacks it; ORG when there is
  no person). A person's e-mail is not kept (teachers' addresses do not belong in a public
  catalogue); an organisation's is. The author's date → ``dates.created``, the publisher's →
  ``dates.issued``. metaMetadata contributors describe the metadata, not the resource: ignored.
- technical: format → ``media_type`` (``purl.org/NET/mediatypes/`` prefix removed), the first
  http(s) location → ``url`` (then general/identifier), duration (ISO 8601) → seconds.
- rights: description → licence (table) and ``rights``; relation « a pour licence » (voc-009-num-040)
  → licence URI. Access: cost yes → restricted, cost no → free, otherwise the licence's.
- relation: « a pour vignette » (voc-009-num-021) → thumbnail; other relations → links (kind =
  the relation's URI tail).
- classification: every ScoLOMFR level (voc-022) and discipline (voc-015) concept id found in a
  classification (taxon ids, in path order, root first) → ``hints["scolomfr_levels"]`` /
  ``hints["scolomfr_disciplines"]`` as short ids (``scolomfr-voc-022-num-023``); alignment picks
  the concepts it uses. Taxon labels of classifications without ScoLOMFR ids → ``hints["labels"]``.
  educational/context (voc-012) → ``hints["scolomfr_contexts"]``; typicalAgeRange →
  ``hints["age_range"]``.
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
from schemas.readers._xml import kid, kids, local, parse_content, path, raw_text, text_of, unwrap
from schemas.record import MAX_LIST, MAX_TITLE

_LEVEL = re.compile(r"scolomfr-voc-022-num-\d+")
_DISCIPLINE = re.compile(r"scolomfr-voc-015-num-\d+")
_CONTEXT = re.compile(r"scolomfr-voc-012-num-\d+|/concept/(school|higher_education|training|other)$")
_MEDIATYPE_PREFIX = re.compile(r"^https?://purl\.org/NET/mediatypes/", re.I)
_MIME = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")
_DURATION = re.compile(
    r"^P(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$"
)
# voc-028 purposes whose taxon labels can say a level or a discipline.
LEVEL_OR_DISCIPLINE_PURPOSES = frozenset({
    "discipline", "educational_level", "scolomfr-voc-028-num-003", "scolomfr-voc-028-num-004",
    "niveau_educatif_detaille", "domaine_d'enseignement", "champ_disciplinaire",
})  # fmt: skip
THUMBNAIL_RELATION = "scolomfr-voc-009-num-021"
LICENCE_RELATION = "scolomfr-voc-009-num-040"
# voc-003 roles (LOM words and ScoLOMFR ids) → the record's roles.
ROLES = {
    "author": "author", "publisher": "publisher", "editor": "editor",
    "content_provider": "provider", "initiator": "producer", "unknown": "contributor",
    "graphical_designer": "contributor", "instructional_designer": "contributor",
    "script_writer": "contributor", "subject_matter_expert": "contributor",
    "technical_implementer": "contributor", "validator": "contributor",
    "validator_2": "contributor", "educational_validator": "contributor",
    "technical_validator": "contributor", "terminator": "other",
    "scolomfr-voc-003-num-005": "contributor", "scolomfr-voc-003-num-017": "distributor",
    "scolomfr-voc-003-num-019": "other", "scolomfr-voc-003-num-021": "other",
    "scolomfr-voc-003-num-026": "distributor", "scolomfr-voc-003-num-027": "distributor",
    "scolomfr-voc-003-num-028": "editor", "scolomfr-voc-003-num-029": "publisher",
    "scolomfr-voc-003-num-030": "editor", "scolomfr-voc-003-num-031": "creator",
    # French labels sent without a value
    "auteur": "author", "editeur": "publisher", "contributeur": "contributor",
    "diffuseur / distributeur": "distributor", "directeur de la publication": "editor",
    "fournisseur de contenu": "provider", "illustrateur": "creator",
}  # fmt: skip


@reader("lom", "scolomfr")
def read_lom(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one LOM / ScoLOMFR record; raises :class:`MappingError` without metadata or title."""
    env = unwrap(parse_content(raw), ("lom",))
    lom = env.metadata
    if lom is None:
        if raw.deleted or env.deleted:
            raise MappingError("deleted record: no metadata to map")
        raise MappingError("record has no LOM metadata")
    if local(lom) != "lom":
        raise MappingError(f"expected a LOM record, found <{local(lom)}>")
    general = kid(lom, "general")
    educational = kids(lom, "educational")
    warnings: list[str] = []
    hints: dict[str, list[str]] = {}

    title_strings = _strings(kids(general, "title"))
    note_clipped([t for t, _ in title_strings], MAX_TITLE, "title", warnings)
    titles = merge_duplicates(
        [{"value": clip(t, MAX_TITLE), "lang": lang} for t, lang in title_strings]
    )[:20]
    if not titles:
        raise MappingError("no general/title")

    descriptions = merge_duplicates(
        [
            entry
            for el in path(general, "description", "string")
            if (entry := description_entry(raw_text(el), _lang(el)))
        ]
    )[:20]

    keywords = keep_first(merge_duplicates(
        [
            {"value": clip(t, 500), "lang": lang, "thesaurus": None, "uri": None}
            for t, lang in _strings(kids(general, "keyword"))
        ]
    ), MAX_LIST, "keywords", warnings)
    labels = [k["value"] for k in keywords]

    # "none" and "zxx" say the resource has no language: nothing to report.
    languages = languages_of((text_of(el) for el in kids(general, "language")), warnings,
                             silent=("none", "zxx"))

    coverage = coverage_from_texts(text for text, _ in _strings(kids(general, "coverage")))

    types: list[dict[str, Any]] = []
    for el in kids(general, "documentType", "generalResourceType"):
        types.extend(_vocab_types(el, None))
    for edu in educational:
        for el in kids(edu, "learningResourceType"):
            types.extend(_vocab_types(el, "lom"))
    types = merge_types(types)

    contributors, dates = _lifecycle(kid(lom, "lifeCycle"))

    technical = kid(lom, "technical")
    media_type = None
    for el in kids(technical, "format"):
        value = _MEDIATYPE_PREFIX.sub("", text_of(el) or "").lower()
        if _MIME.match(value) and value != "application/octet-stream":
            media_type = value
            break
    locations = list(
        dict.fromkeys(
            u
            for el in kids(technical, "location") + path(technical, "extendedLocation", "location")
            if (u := safe_url(text_of(el)))
        )
    )
    identifiers = [u for el in path(general, "identifier", "entry") if (u := safe_url(text_of(el)))]
    url = next(iter(locations + identifiers), None)
    duration = None
    for el in kids(technical, "duration"):
        duration = _seconds(text_of(kid(el, "duration")) or text_of(el))
        if duration is not None:
            break

    thumbnail, links, licence_uris = _relations(lom)
    links.extend({"url": u, "title": None, "media_type": None, "kind": "location"} for u in locations[1:])
    links = unique_links(links)

    licence, access, rights = _rights(kid(lom, "rights"), licence_uris, warnings)

    levels, disciplines, taxon_labels = _classifications(kids(lom, "classification"))
    if levels:
        hints["scolomfr_levels"] = levels
    if disciplines:
        hints["scolomfr_disciplines"] = disciplines
    labels.extend(t for t in taxon_labels if t not in labels)
    if labels:
        hints["labels"] = labels
    contexts = [
        _short(v) for edu in educational for el in kids(edu, "context")
        if (v := _vocab_value(el)) and _CONTEXT.search(v)
    ]  # fmt: skip
    if contexts:
        hints["scolomfr_contexts"] = list(dict.fromkeys(contexts))
    ages = [t for edu in educational for t, _ in _strings(kids(edu, "typicalAgeRange"))]
    if ages:
        hints["age_range"] = list(dict.fromkeys(ages))

    record: dict[str, Any] = {
        **record_frame(raw, ctx, url, env.datestamp),
        "title": titles,
        "description": descriptions,
        "keywords": keywords,
        "languages": languages,
        "resource_types": types,
        "contributors": contributors,
        "dates": dates,
        "licence": licence,
        "access": access,
        "rights": rights,
        "url": url,
        "thumbnail": thumbnail,
        "media_type": media_type,
        "duration": duration,
        "coverage": coverage,
        "links": links,
    }
    return Mapped(record=record, hints=hints, warnings=warnings)


def _lang(el: etree._Element) -> str | None:
    return normalize_language(el.get("language"))


def _strings(elements: list[etree._Element]) -> list[tuple[str, str | None]]:
    """(text, lang) of every LangString ``string`` under ``elements`` (or their own text)."""
    out: list[tuple[str, str | None]] = []
    for el in elements:
        strings = kids(el, "string")
        if strings:
            out.extend((t, _lang(s)) for s in strings if (t := text_of(s)))
        elif text := text_of(el):
            out.append((text, None))
    return out


def _vocab_value(el: etree._Element | None) -> str | None:
    """A vocabulary element's value (concept URI or LOM word), else its label."""
    if el is None:
        return None
    return text_of(kid(el, "value")) or text_of(kid(el, "label")) or (None if kids(el) else text_of(el))


def _short(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _vocab_types(el: etree._Element, scheme: str | None) -> list[dict[str, Any]]:
    for candidate in (text_of(kid(el, "value")), text_of(kid(el, "label"))):
        if candidate and (found := normalize_types(candidate, scheme)):
            return found
    return []


def _vcard(text: str) -> dict[str, str]:
    """FN, N, ORG and EMAIL of a vCard (unfolded, parameters dropped, escapes undone)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    fields: dict[str, str] = {}
    for line in unfolded.splitlines():
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.split(";", 1)[0].strip().upper()
        if key in ("FN", "N", "ORG", "EMAIL") and key not in fields:
            fields[key] = value.replace("\\,", ",").replace("\\;", "\x00").replace("\\n", " ")
    return fields


def _entity(text: str) -> dict[str, Any] | None:
    """A contributor from a vCard (or a plain name when the partner sent no vCard)."""
    if "BEGIN:VCARD" not in text.upper():
        name = clean_text(text)
        return {"name": clip(name, 1000), "kind": None, "email": None} if name else None
    card = _vcard(text)
    org = clean_text(card.get("ORG", "").split(";")[0].replace("\x00", ";"))
    fn = clean_text(card.get("FN", "").replace("\x00", ";"))
    n_parts = [clean_text(p.replace("\x00", ";")) or "" for p in card.get("N", "").split(";")]
    family = n_parts[0] if n_parts else ""
    given = n_parts[1] if len(n_parts) > 1 else ""
    name = fn or clean_text(f"{given} {family}")
    if name and family and fold(family) not in fold(name):
        name = f"{name} {family}"
    email = clean_text(card.get("EMAIL"))
    if name and name != org:
        return {"name": clip(name, 1000), "kind": "person", "email": None}
    if org:
        return {"name": clip(org, 1000), "kind": "organization", "email": email}
    return None


def _lifecycle(lifecycle: etree._Element | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    contributors: list[dict[str, Any]] = []
    dates: dict[str, Any] = {}
    for contribute in kids(lifecycle, "contribute"):
        role_value = _vocab_value(kid(contribute, "role"))
        role = ROLES.get(fold(_short(role_value)).replace(" ", "_")) if role_value else None
        role = role or ROLES.get(fold(role_value or ""), "contributor")
        when = None
        for date_el in kids(contribute, "date"):
            when = parse_loose_date(text_of(kid(date_el, "dateTime")) or text_of(date_el))
            if when:
                break
        if when and role == "author":
            dates.setdefault("created", when)
        elif when and role == "publisher":
            dates.setdefault("issued", when)
        for entity in kids(contribute, "entity"):
            person = _entity(raw_text(entity))
            if person:
                contributors.append({"name": person["name"], "role": role,
                                     "kind": person["kind"], "email": person["email"]})  # fmt: skip
    return unique_contributors(contributors), dates


def _seconds(text: str | None) -> float | None:
    """Seconds of an ISO 8601 duration (days, hours, minutes, seconds), or None."""
    if not text:
        return None
    m = _DURATION.match(text.strip().upper())
    if not m or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (float((g or "0").replace(",", ".")) for g in m.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def _relations(
    lom: etree._Element,
) -> tuple[str | None, list[dict[str, Any]], list[str]]:
    """(thumbnail, links, licence URIs) from lom:relation."""
    thumbnail: str | None = None
    links: list[dict[str, Any]] = []
    licences: list[str] = []
    for relation in kids(lom, "relation"):
        kind_el = kid(relation, "kind")
        kind = _short(_vocab_value(kind_el) or "")
        resource = kid(relation, "resource")
        urls = [u for el in path(resource, "identifier", "entry") if (u := safe_url(text_of(el)))]
        if not urls:
            continue
        if kind == THUMBNAIL_RELATION:
            thumbnail = thumbnail or urls[0]
        elif kind == LICENCE_RELATION:
            licences.extend(urls)
        else:
            title = next((t for t, _ in _strings(kids(resource, "description"))), None)
            links.extend({"url": u, "title": clip(title, 500) if title else None,
                          "media_type": None, "kind": kind or "relation"} for u in urls)  # fmt: skip
    return thumbnail, links, licences


def _rights(
    rights: etree._Element | None, licence_uris: list[str], warnings: list[str]
) -> tuple[dict[str, Any] | None, str, str | None]:
    statements = [t for t, _ in _strings(kids(rights, "description"))]
    text = " ; ".join(dict.fromkeys(statements)) or None
    licence: dict[str, Any] | None = None
    access = "unknown"
    for uri in licence_uris:
        licence, access = normalize_licence(None, uri)
        if licence:
            break
    if licence is None:
        for statement in statements:
            licence, access = normalize_licence(statement)
            if licence:
                break
    cost_el = kid(rights, "cost")
    cost = fold(_short(_vocab_value(cost_el) or ""))
    if cost.startswith(("yes", "oui", "payant")):
        access = "restricted"
    elif cost.startswith(("no", "non", "gratuit")):
        access = "free" if access != "restricted" else access
    if statements and licence is None:
        warnings.append(f"licence not recognised: {statements[0][:200]!r}")
    return licence, access, clip(text, 20_000) if text else None


def _classifications(
    classifications: list[etree._Element],
) -> tuple[list[str], list[str], list[str]]:
    """ScoLOMFR level and discipline ids (path order) and the labels of other level/discipline taxons."""
    levels: list[str] = []
    disciplines: list[str] = []
    labels: list[str] = []
    for classification in classifications:
        purpose_el = kid(classification, "purpose")
        purpose = fold(_short(_vocab_value(purpose_el) or ""))
        for taxon_path in kids(classification, "taxonPath"):
            found_ids = False
            for taxon in kids(taxon_path, "taxon"):
                texts = [text_of(kid(taxon, "id")) or ""]
                texts += [t for t, _ in _strings(kids(taxon, "entry"))]
                for text in texts:
                    for pattern, bucket in ((_LEVEL, levels), (_DISCIPLINE, disciplines)):
                        for m in pattern.finditer(text):
                            found_ids = True
                            if m.group(0) not in bucket:
                                bucket.append(m.group(0))
            if not found_ids and purpose.replace(" ", "_") in LEVEL_OR_DISCIPLINE_PURPOSES:
                for taxon in kids(taxon_path, "taxon"):
                    labels.extend(t for t, _ in _strings(kids(taxon, "entry")))
    return levels, disciplines, list(dict.fromkeys(labels))
