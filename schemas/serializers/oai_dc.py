"""The record as ``oai_dc`` (unqualified Dublin Core, OAI-PMH's mandatory format).

Written as a string template rather than an lxml tree: ListRecords in oai_dc is the bulk path
(a full harvest of the catalogue), and the template is several times faster. Every value goes
through :func:`~schemas.serializers._xml.esc`, which drops characters XML 1.0 forbids, so the
output is always well-formed; :func:`to_oai_dc` parses it back (safe parser) for callers that
want an element, so both forms come from the same code.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from core.xmlsafe import parse_xml
from schemas.provenance import explain_licence
from schemas.record import Record
from schemas.serializers._xml import esc, esc_attr

PREFIX = "oai_dc"
NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"

_OPEN = (
    f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="{DC}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">'
)
_CLOSE = "</oai_dc:dc>"
_DCMI = "http://purl.org/dc/dcmitype/"
_CREATORS = {"author", "creator"}
_PUBLISHERS = {"publisher", "distributor"}


_LANG_ATTRS: dict[str, str] = {}


def _el(out: list[str], name: str, value: Any, lang: str | None = None) -> None:
    if value is None:
        return
    text = esc(value)
    if not text.strip():
        return
    if lang:
        attr = _LANG_ATTRS.get(lang)
        if attr is None:
            attr = f' xml:lang="{esc_attr(lang)}"'
            if len(_LANG_ATTRS) < 1000:  # record languages are ISO 639-1 codes: a small memo
                _LANG_ATTRS[lang] = attr
        out.append(f"<dc:{name}{attr}>{text}</dc:{name}>")
    else:
        out.append(f"<dc:{name}>{text}</dc:{name}>")


def oai_dc_xml(record: Record) -> str:
    """The ``oai_dc:dc`` element as text (no XML declaration), ready to embed in a response."""
    out = [_OPEN]
    for title in record.get("title") or ():
        _el(out, "title", title.get("value"), title.get("lang"))
    contributors = record.get("contributors") or ()
    for person in contributors:
        if person.get("role") in _CREATORS:
            _el(out, "creator", person.get("name"))
    seen_subjects: set[str] = set()
    for keyword in record.get("keywords") or ():
        value = keyword.get("value")
        if value and value not in seen_subjects:
            seen_subjects.add(value)
            _el(out, "subject", value, keyword.get("lang"))
    # A partner-wide default says nothing about this resource: it is not a dc:subject.
    for concept in [*(record.get("disciplines") or ()), *(record.get("levels") or ())]:
        if concept.get("provenance") == "default":
            continue
        label = concept.get("label")
        if label and label not in seen_subjects:
            seen_subjects.add(label)
            _el(out, "subject", label, "fr")
    for description in record.get("description") or ():
        _el(out, "description", description.get("value"), description.get("lang"))
    for person in contributors:
        if person.get("role") in _PUBLISHERS:
            _el(out, "publisher", person.get("name"))
    for person in contributors:
        if person.get("role") not in _CREATORS and person.get("role") not in _PUBLISHERS:
            _el(out, "contributor", person.get("name"))
    dates = record.get("dates") or {}
    seen_dates: set[str] = set()
    for kind in ("created", "issued", "modified"):
        interval = dates.get(kind)
        if interval:
            value = interval.get("start") or interval.get("text")
            if value and value not in seen_dates:
                seen_dates.add(value)
                _el(out, "date", value)
    for rtype in record.get("resource_types") or ():
        rid = str(rtype.get("id") or "")
        if rid.startswith(_DCMI):
            _el(out, "type", rid[len(_DCMI):])
        else:
            _el(out, "type", rtype.get("label"), "fr")
    _el(out, "format", record.get("media_type"))
    source = record.get("source") or {}
    identifiers = [record.get("url"), source.get("landing_url")]
    for value in dict.fromkeys(v for v in identifiers if v):
        _el(out, "identifier", value)
    if source.get("identifier") and source.get("identifier") not in identifiers:
        _el(out, "source", source.get("identifier"))
    for language in record.get("languages") or ():
        _el(out, "language", language)
    for link in record.get("links") or ():
        _el(out, "relation", link.get("url"))
    coverage = record.get("coverage") or {}
    for place in coverage.get("places") or ():
        _el(out, "coverage", place)
    temporal = coverage.get("temporal")
    if temporal:
        _el(out, "coverage", temporal.get("text"))
    licence = record.get("licence")
    if licence:
        _el(out, "rights", licence.get("uri") or licence.get("label"))
        if licence.get("uri"):
            _el(out, "rights", licence.get("label"), "fr")
        if licence.get("provenance") == "default":  # the catalogue's CNE, said as such
            _el(out, "rights", explain_licence(licence), "fr")
    _el(out, "rights", record.get("rights"))
    out.append(_CLOSE)
    return "".join(out)


def to_oai_dc(record: Record, catalog: str | None = None) -> etree._Element:
    """The ``oai_dc:dc`` element of ``record``."""
    return parse_xml(oai_dc_xml(record).encode("utf-8"))


def to_xml_bytes(record: Record, catalog: str | None = None) -> bytes:
    """A standalone UTF-8 document (with XML declaration), e.g. for the JSON API's ?format=."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + oai_dc_xml(record).encode("utf-8")


def fragment(record: Record, catalog: str | None = None) -> bytes:
    """The element as UTF-8 bytes without declaration, for OAI-PMH responses.

    ``catalog`` is accepted for symmetry with the LOM formats; Dublin Core has no use for it.
    """
    return oai_dc_xml(record).encode("utf-8")
