"""The record as ScoLOMFR 3.2 (LOM application profile of the French ministry / Réseau Canopé).

Written the way the official ScoLOMFR example records are: vocabulary values are concept URIs
with ``source`` "SCOLOMFRv3.2" and a French ``label``; languages are LOC ISO 639-2 URIs;
levels are one classification with purpose "niveau éducatif détaillé" (voc-028) whose
taxonPaths have the source "SCOLOMFRv3.2 ; scolomfr-voc-022 ; Niveau éducatif détaillé";
disciplines one with purpose "domaine d'enseignement" and source "… scolomfr-voc-015 …". Each
taxon's id is the concept URI and its entry the French label. Resource types become
``lomfr:documentType`` (voc-004, DCMI types), ``scolomfr:generalResourceType`` (voc-005) and
``lom:learningResourceType`` (voc-010).
"""

from __future__ import annotations

from lxml import etree

from schemas.record import Record
from schemas.serializers._lomtree import (
    LOM,
    LOMFR,
    RELATION_LICENCE,
    RELATION_THUMBNAIL,
    SCOLOMFR,
    XSI,
    LomBuilder,
    Vocab,
    concept_uri,
)
from schemas.serializers._xml import loc_language_uri

PREFIX = "scolomfr"
NAMESPACE = LOM
SCHEMA = "http://www.lom-fr.fr/xsd/SCOLOMFR/scolomfr.xsd"
SOURCE = "SCOLOMFRv3.2"


class ScolomfrBuilder(LomBuilder):
    source = SOURCE
    metadata_schema = SOURCE
    nsmap = {"lom": LOM, "lomfr": LOMFR, "scolomfr": SCOLOMFR, "xsi": XSI}
    schema_location = f"{SCOLOMFR} {SCHEMA}"

    def language(self, code: str) -> str:
        return loc_language_uri(code) or code

    def vocab(self, parent: etree._Element, name: str, value: Vocab) -> etree._Element:
        el = self.sub(parent, name)
        self.sub(el, "source", self.source)
        self.sub(el, "label", value.label)
        self.sub(el, "value", value.uri)
        return el

    def _types(self, scheme: str) -> list[tuple[str, str]]:
        found = []
        for rtype in self.record.get("resource_types") or ():
            rid = str(rtype.get("id") or "")
            kind = rtype.get("scheme") or ""
            if scheme == "scolomfr-voc-004" and (kind == scheme or rid.startswith("http://purl.org/dc/dcmitype/")):
                found.append((rid, rtype.get("label") or rid))
            elif kind == scheme or rid.startswith(scheme + "-"):
                found.append((concept_uri(rid), rtype.get("label") or rid))
        return found

    def general_extensions(self, general: etree._Element) -> None:
        for uri, label in self._types("scolomfr-voc-004"):
            el = self.sub(general, "documentType", ns=LOMFR)
            self.sub(el, "label", label, ns=LOMFR)
            self.sub(el, "value", uri, ns=LOMFR)
        for uri, label in self._types("scolomfr-voc-005"):
            el = self.sub(general, "generalResourceType", ns=SCOLOMFR)
            self.sub(el, "label", label, ns=SCOLOMFR)
            self.sub(el, "value", uri, ns=SCOLOMFR)

    def educational(self, root: etree._Element) -> None:
        types = self._types("scolomfr-voc-010")
        if not types:
            return
        educational = self.sub(root, "educational")
        for uri, label in types:
            self.vocab(educational, "learningResourceType", Vocab(uri, uri, label))

    def extra_relations(self, root: etree._Element) -> None:
        licence = self.record.get("licence") or {}
        for kind, url, text in (
            (RELATION_LICENCE, licence.get("uri"), licence.get("label")),
            (RELATION_THUMBNAIL, self.record.get("thumbnail"), None),
        ):
            if not url:
                continue
            relation = self.sub(root, "relation")
            self.vocab(relation, "kind", kind)
            resource = self.sub(relation, "resource")
            self.identifier(resource, "URI", url)
            if text:
                self.langstring(resource, "description", [(text, "fr")])


def to_scolomfr(record: Record, catalog: str | None = None) -> etree._Element:
    """The ``lom:lom`` element in the ScoLOMFR profile."""
    return ScolomfrBuilder(record, catalog).build()


def fragment(record: Record, catalog: str | None = None) -> bytes:
    """The element as UTF-8 bytes without declaration, for OAI-PMH responses."""
    return etree.tostring(to_scolomfr(record, catalog), encoding="utf-8")


def to_xml_bytes(record: Record, catalog: str | None = None) -> bytes:
    """A standalone UTF-8 document with XML declaration."""
    return etree.tostring(to_scolomfr(record, catalog), encoding="UTF-8", xml_declaration=True)
