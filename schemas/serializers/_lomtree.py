"""One builder for the two LOM-family formats: plain IEEE LOM and the ScoLOMFR profile.

Both share the LOM XML binding (namespace ``http://ltsc.ieee.org/xsd/LOM``) and the same
categories; they differ in how vocabulary values are written (LOMv1.0 tokens vs ScoLOMFR concept
URIs with a French label), in how languages are coded (ISO 639-1 vs the LOC ISO 639-2 URIs of
ScoLOMFR voc-001) and in the LOMFR / ScoLOMFR extension elements, which only ScoLOMFR gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from schemas.provenance import ORIGINS, explain_licence
from schemas.record import Record
from schemas.serializers._xml import iso_duration, record_date, vcard, xml_text

LOM = "http://ltsc.ieee.org/xsd/LOM"
LOMFR = "http://www.lom-fr.fr/xsd/LOMFR"
SCOLOMFR = "http://www.lom-fr.fr/xsd/SCOLOMFR"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"
DEFAULT_CATALOG = "catalogue.education.fr"

LEVEL_SOURCE = "SCOLOMFRv3.2 ; scolomfr-voc-022 ; Niveau éducatif détaillé"
DISCIPLINE_SOURCE = "SCOLOMFRv3.2 ; scolomfr-voc-015 ; Domaine d'enseignement"


def concept_uri(concept_id: str) -> str:
    """ScoLOMFR concept URI of an id ("scolomfr-voc-022-num-015"); URIs are kept as they are."""
    return concept_id if concept_id.startswith(("http://", "https://")) else CONCEPT + concept_id


@dataclass(frozen=True)
class Vocab:
    """A vocabulary value: LOMv1.0 token for LOM, concept URI + French label for ScoLOMFR."""

    token: str
    uri: str
    label: str


# Record contributor roles -> (LOMv1.0 token, ScoLOMFR voc-003 concept, French label).
ROLES: dict[str, Vocab] = {
    "author": Vocab("author", CONCEPT + "author", "auteur"),
    "creator": Vocab("author", CONCEPT + "author", "auteur"),
    "publisher": Vocab("publisher", CONCEPT + "publisher", "éditeur"),
    "editor": Vocab("editor", CONCEPT + "editor", "directeur de la publication"),
    "contributor": Vocab("unknown", CONCEPT + "scolomfr-voc-003-num-005", "contributeur"),
    "distributor": Vocab("publisher", CONCEPT + "scolomfr-voc-003-num-017", "diffuseur / distributeur"),
    "producer": Vocab("content provider", CONCEPT + "content_provider", "fournisseur de contenu"),
    "provider": Vocab("content provider", CONCEPT + "content_provider", "fournisseur de contenu"),
}
UNKNOWN_ROLE = Vocab("unknown", CONCEPT + "unknown", "inconnu")
PURPOSE_LEVEL = Vocab("educational level", CONCEPT + "educational_level", "niveau éducatif détaillé")
PURPOSE_DISCIPLINE = Vocab("discipline", CONCEPT + "scolomfr-voc-028-num-003", "domaine d'enseignement")
COST_FREE = Vocab("no", CONCEPT + "no", "gratuit")
COPYRIGHT_YES = Vocab("yes", CONCEPT + "yes_2", "oui")
COPYRIGHT_NO = Vocab("no", CONCEPT + "no_2", "non")
# Licence codes under which the resource carries no copyright restriction (LOM "no").
PUBLIC_CODES = ("public-domain", "no-known-copyright")
# Rights statements that say the copyright status is not known: LOM says neither yes nor no.
UNKNOWN_STATUS_CODES = ("not-evaluated", "undetermined")
RELATION_LICENCE = Vocab("references", CONCEPT + "scolomfr-voc-009-num-040", "a pour licence")
RELATION_THUMBNAIL = Vocab("references", CONCEPT + "scolomfr-voc-009-num-021", "a pour vignette")


# The description of a classification that is not the partner's own declaration.
ORIGIN_NOTES = {
    "rule": "Valeurs établies par le catalogue d'après la classification du partenaire "
            "(Dewey, thèmes, mots-clés).",
    "inferred": "Valeurs déduites par le catalogue du contenu de la ressource (titre, "
                "description, mots-clés, dates), d'après les programmes scolaires.",
    "default": "Valeurs indiquées par défaut pour ce partenaire (son public général) : "
               "elles ne décrivent pas cette ressource en particulier.",
    "curation": "Valeurs corrigées par l'équipe éditoriale du catalogue.",
}


class LomBuilder:
    """Builds the ``lom:lom`` element; subclasses override the profile-specific hooks."""

    source = "LOMv1.0"
    metadata_schema = "LOMv1.0"
    nsmap: dict[str, str] = {"lom": LOM, "xsi": XSI}
    schema_location = f"{LOM} http://ltsc.ieee.org/xsd/lomv1.0/lomStrict.xsd"

    def __init__(self, record: Record, catalog: str | None = None) -> None:
        self.record = record
        self.catalog = catalog or DEFAULT_CATALOG

    # -- profile hooks ------------------------------------------------------------------------

    def language(self, code: str) -> str:
        return code

    def vocab(self, parent: etree._Element, name: str, value: Vocab) -> etree._Element:
        el = self.sub(parent, name)
        self.sub(el, "source", self.source)
        self.sub(el, "value", value.token)
        return el

    def general_extensions(self, general: etree._Element) -> None:
        """LOMFR / ScoLOMFR elements of the general category (none in plain LOM)."""

    def educational(self, root: etree._Element) -> None:
        """The educational category (plain LOM has nothing the record can fill strictly)."""

    def extra_relations(self, root: etree._Element) -> None:
        """Relations only a profile can type (licence, thumbnail in ScoLOMFR)."""

    def taxon_id(self, concept_id: str) -> str:
        return concept_uri(concept_id)

    # -- helpers ------------------------------------------------------------------------------

    def sub(self, parent: etree._Element, name: str, text: Any = None, ns: str = LOM) -> etree._Element:
        el = etree.SubElement(parent, f"{{{ns}}}{name}")
        if text is not None:
            el.text = xml_text(text)
        return el

    def langstring(self, parent: etree._Element, name: str,
                   values: list[tuple[str, str | None]]) -> etree._Element | None:
        values = [(xml_text(v), lang) for v, lang in values if v and xml_text(v).strip()]
        if not values:
            return None
        el = self.sub(parent, name)
        for value, lang in values:
            string = self.sub(el, "string", value)
            if lang:
                string.set("language", self.language(lang))
        return el

    def identifier(self, parent: etree._Element, catalog: str, entry: str) -> None:
        el = self.sub(parent, "identifier")
        self.sub(el, "catalog", catalog)
        self.sub(el, "entry", entry)

    # -- categories ---------------------------------------------------------------------------

    def build(self) -> etree._Element:
        root = etree.Element(f"{{{LOM}}}lom", nsmap=self.nsmap)
        root.set(f"{{{XSI}}}schemaLocation", self.schema_location)
        self.general(root)
        self.life_cycle(root)
        self.meta_metadata(root)
        self.technical(root)
        self.educational(root)
        self.rights(root)
        self.relations(root)
        self.classification(root)
        return root

    def general(self, root: etree._Element) -> None:
        r = self.record
        source = r.get("source") or {}
        general = self.sub(root, "general")
        if r.get("url"):
            self.identifier(general, "URI", r["url"])
        if source.get("identifier"):
            self.identifier(general, source.get("source_id") or source.get("partner") or "source",
                            source["identifier"])
        self.langstring(general, "title", [(t.get("value"), t.get("lang")) for t in r.get("title") or ()])
        for code in r.get("languages") or ():
            self.sub(general, "language", self.language(code))
        for description in r.get("description") or ():
            self.langstring(general, "description", [(description.get("value"), description.get("lang"))])
        for keyword in r.get("keywords") or ():
            self.langstring(general, "keyword", [(keyword.get("value"), keyword.get("lang"))])
        coverage = r.get("coverage") or {}
        for place in coverage.get("places") or ():
            self.langstring(general, "coverage", [(place, None)])
        temporal = coverage.get("temporal")
        if temporal:
            self.langstring(general, "coverage", [(temporal.get("text"), None)])
        self.general_extensions(general)

    def life_cycle(self, root: etree._Element) -> None:
        contributors = self.record.get("contributors") or ()
        if not contributors:
            return
        life = self.sub(root, "lifeCycle")
        created, _ = record_date(self.record, "created", "issued")
        issued, _ = record_date(self.record, "issued", "created")
        for person in contributors:
            role = person.get("role") or "other"
            contribute = self.sub(life, "contribute")
            self.vocab(contribute, "role", ROLES.get(role, UNKNOWN_ROLE))
            self.sub(contribute, "entity", vcard(person.get("name") or "", person.get("kind"),
                                                 person.get("email")))
            when = created if role in ("author", "creator") else issued if role == "publisher" else None
            if when:
                date = self.sub(contribute, "date")
                self.sub(date, "dateTime", when)

    def meta_metadata(self, root: etree._Element) -> None:
        meta = self.sub(root, "metaMetadata")
        self.identifier(meta, self.catalog, str(self.record.get("id") or ""))
        self.sub(meta, "metadataSchema", self.metadata_schema)
        self.sub(meta, "language", self.language("fr"))

    def technical(self, root: etree._Element) -> None:
        r = self.record
        duration = iso_duration(r.get("duration"))
        if not (r.get("media_type") or r.get("url") or duration):
            return
        technical = self.sub(root, "technical")
        if r.get("media_type"):
            self.sub(technical, "format", r["media_type"])
        if r.get("url"):
            self.sub(technical, "location", r["url"])
        if duration:
            self.sub(self.sub(technical, "duration"), "duration", duration)

    def rights(self, root: etree._Element) -> None:
        r = self.record
        licence = r.get("licence")
        if not (licence or r.get("rights") or r.get("access") == "free"):
            return
        rights = self.sub(root, "rights")
        if r.get("access") == "free":
            self.vocab(rights, "cost", COST_FREE)
        # A default (rights not evaluated) says nothing about copyright: no yes/no for it.
        if (licence and licence.get("provenance") != "default"
                and licence.get("code") not in UNKNOWN_STATUS_CODES):
            public = licence.get("code") in PUBLIC_CODES
            self.vocab(rights, "copyrightAndOtherRestrictions", COPYRIGHT_NO if public else COPYRIGHT_YES)
        texts = []
        if licence:
            label = licence.get("label") or ""
            texts.append(f"{label} ({licence['uri']})" if licence.get("uri") else label)
            if licence.get("provenance") == "default":
                texts.append(explain_licence(licence))
        if r.get("rights"):
            texts.append(r["rights"])
        text = " — ".join(t for t in texts if t)
        if text:
            self.langstring(rights, "description", [(text, "fr")])

    def relations(self, root: etree._Element) -> None:
        for link in self.record.get("links") or ():
            relation = self.sub(root, "relation")
            resource = self.sub(relation, "resource")
            self.identifier(resource, "URI", link["url"])
            if link.get("title"):
                self.langstring(resource, "description", [(link["title"], None)])
        self.extra_relations(root)

    def classification(self, root: etree._Element) -> None:
        """One classification per purpose and origin. What the partner declared has no
        description; every other origin (its classification mapped by the catalogue, the
        content, a curation, a partner-wide default) is a classification of its own whose
        description says where the values come from, so a default never reads as the partner's
        classification of the resource."""
        for purpose, source, concepts in (
            (PURPOSE_LEVEL, LEVEL_SOURCE, self.record.get("levels") or ()),
            (PURPOSE_DISCIPLINE, DISCIPLINE_SOURCE, self.record.get("disciplines") or ()),
        ):
            for origin in ORIGINS:
                group = [c for c in concepts if (c.get("provenance") or "source") == origin]
                if group:
                    self._classification(root, purpose, source, origin, group)

    def _classification(self, root: etree._Element, purpose: Vocab, source: str, origin: str,
                        concepts: list[dict[str, Any]]) -> None:
        classification = self.sub(root, "classification")
        self.vocab(classification, "purpose", purpose)
        for concept in concepts:
            path = self.sub(classification, "taxonPath")
            self.langstring(path, "source", [(source, None)])
            taxon = self.sub(path, "taxon")
            self.sub(taxon, "id", self.taxon_id(concept["id"]))
            self.langstring(taxon, "entry", [(concept.get("label") or concept["id"], "fr")])
        if origin != "source":
            self.langstring(classification, "description", [(ORIGIN_NOTES[origin], "fr")])
