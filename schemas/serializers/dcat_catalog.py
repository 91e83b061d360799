"""The catalogue's own description in DCAT-AP 3: a catalog, one dataset, its distributions.

This lets national portals (data.gouv.fr, data.europa.eu) harvest the catalogue itself: the
dataset "Catalogue des ressources éducatives" is distributed as the JSON API, the two bulk dumps
and the OAI-PMH endpoint, and the API and OAI-PMH are also described as ``dcat:DataService``.
Referenced vocabulary terms (licence, language, media types…) are typed in the graph because
the DCAT-AP range shapes check classes and the EU vocabularies are not loaded beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ETALAB_LO_2 = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
LANG_FR = URIRef(EU + "language/FRA")
FRANCE = URIRef(EU + "country/FRA")
THEMES = URIRef(EU + "data-theme")
THEME_EDUC = URIRef(EU + "data-theme/EDUC")
AVAILABLE = URIRef(EU + "planned-availability/AVAILABLE")
OAI_PMH_SPEC = URIRef("http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm")
OPENAPI_SPEC = URIRef("https://spec.openapis.org/oas/v3.1.0")
LRMI = URIRef("https://schema.org/LearningResource")
SCOLOMFR = URIRef("http://data.education.fr/voc/scolomfr/")
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/NationalAuthority")
LICENCE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")

RDF_FORMATS = {  # media type -> rdflib serializer
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@dataclass(frozen=True)
class DumpFile:
    """One bulk dump as listed by the dumps manifest."""

    name: str
    url: str
    title: str
    file_type: str  # EU file-type code of the content once decompressed ("CSV", "JSON")
    size: int | None = None
    modified: str | None = None  # ISO 8601 UTC
    sha256: str | None = None  # hex, of the file as downloaded


@dataclass(frozen=True)
class CatalogInfo:
    base_url: str
    api_url: str
    openapi_url: str
    docs_url: str
    catalog_url: str
    oai_url: str | None
    modified: str | None = None  # ISO 8601 UTC of the newest record change
    issued: str | None = None  # ISO 8601 UTC of the oldest record still in the store
    records: int | None = None
    dumps: Sequence[DumpFile] = field(default_factory=tuple)
    publisher_name: str = "Catalogue des ressources éducatives"
    contact_email: str | None = None


def _fr(text: str) -> Literal:
    return Literal(text, lang="fr")


def _when(value: str) -> Literal:
    if "T" in value:
        return Literal(value.rstrip("Z").split(".")[0], datatype=XSD.dateTime)
    return Literal(value[:10], datatype=XSD.date)


def catalog_graph(info: CatalogInfo) -> Graph:
    """The DCAT-AP 3 graph of the catalogue."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", VCARD)
    g.bind("dcatap", DCATAP)
    g.bind("spdx", SPDX)
    catalog = URIRef(info.catalog_url)
    dataset = URIRef(info.catalog_url + "#dataset")
    publisher = URIRef(info.base_url + "/#publisher")
    api_service = URIRef(info.catalog_url + "#api")
    oai_service = URIRef(info.catalog_url + "#oai-pmh")
    home = URIRef(info.base_url + "/")

    # Typing of referenced terms, for the DCAT-AP range shapes.
    g.add((ETALAB_LO_2, RDF.type, DCTERMS.LicenseDocument))
    g.add((ETALAB_LO_2, DCTERMS.title, _fr("Licence Ouverte / Open Licence version 2.0")))
    g.add((ETALAB_LO_2, DCTERMS.type, LICENCE_TYPE))
    g.add((LANG_FR, RDF.type, DCTERMS.LinguisticSystem))
    g.add((FRANCE, RDF.type, DCTERMS.Location))
    g.add((THEMES, RDF.type, SKOS.ConceptScheme))
    g.add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((THEME_EDUC, RDF.type, SKOS.Concept))
    g.add((THEME_EDUC, SKOS.prefLabel, _fr("Éducation, culture et sport")))
    g.add((THEME_EDUC, SKOS.inScheme, THEMES))
    g.add((home, RDF.type, FOAF.Document))
    for term, label in ((AVAILABLE, "Available"), (PUBLISHER_TYPE, "National authority"),
                        (LICENCE_TYPE, "Attribution")):
        g.add((term, RDF.type, SKOS.Concept))
        g.add((term, SKOS.prefLabel, Literal(label, lang="en")))
    for standard in (OAI_PMH_SPEC, OPENAPI_SPEC, LRMI, SCOLOMFR):
        g.add((standard, RDF.type, DCTERMS.Standard))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, _fr(info.publisher_name)))
    g.add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    contact = BNode()
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, _fr(info.publisher_name)))
    g.add((contact, VCARD.hasURL, home))
    if info.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{info.contact_email}")))

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, _fr("Catalogue des ressources éducatives")))
    g.add((catalog, DCTERMS.description, _fr(
        "Ressources éducatives pour l'école moissonnées auprès de partenaires (BnF, INA, IGN, "
        "Météo-France…) et décrites dans un enregistrement commun aligné sur LOM / ScoLOMFR "
        "(niveaux, disciplines, types de ressources).")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, ETALAB_LO_2))
    g.add((catalog, DCTERMS.language, LANG_FR))
    g.add((catalog, DCTERMS.spatial, FRANCE))
    g.add((catalog, FOAF.homepage, home))
    g.add((catalog, DCAT.themeTaxonomy, THEMES))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, api_service))
    if info.modified:
        g.add((catalog, DCTERMS.modified, _when(info.modified)))
    if info.issued:
        g.add((catalog, DCTERMS.issued, _when(info.issued)))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.identifier, Literal("catalogue-ressources-educatives")))
    g.add((dataset, DCTERMS.title, _fr("Catalogue des ressources éducatives")))
    description = ("Notices des ressources éducatives du catalogue (titre, description, niveaux "
                   "et disciplines ScoLOMFR, types, licence, liens), mises à jour après chaque "
                   "moissonnage.")
    if info.records is not None:
        description += f" {info.records} notices."
    g.add((dataset, DCTERMS.description, _fr(description)))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCAT.theme, THEME_EDUC))
    g.add((dataset, DCTERMS.spatial, FRANCE))
    g.add((dataset, DCTERMS.language, LANG_FR))
    g.add((dataset, DCTERMS.conformsTo, LRMI))
    g.add((dataset, DCTERMS.conformsTo, SCOLOMFR))
    g.add((dataset, DCAT.landingPage, home))
    for word in ("éducation", "ressources pédagogiques", "ScoLOMFR", "LOM", "école"):
        g.add((dataset, DCAT.keyword, _fr(word)))
    if info.modified:
        g.add((dataset, DCTERMS.modified, _when(info.modified)))

    def service(node: URIRef, title: str, description: str, endpoint: str, spec: URIRef,
                endpoint_description: str | None) -> None:
        g.add((node, RDF.type, DCAT.DataService))
        g.add((node, DCTERMS.title, _fr(title)))
        g.add((node, DCTERMS.description, _fr(description)))
        # The DCAT-AP 3.0.1 range shapes ask for rdfs:Resource on both (no RDFS inference there).
        g.add((node, DCAT.endpointURL, URIRef(endpoint)))
        g.add((URIRef(endpoint), RDF.type, RDFS.Resource))
        if endpoint_description:
            g.add((node, DCAT.endpointDescription, URIRef(endpoint_description)))
            g.add((URIRef(endpoint_description), RDF.type, RDFS.Resource))
        g.add((node, DCAT.servesDataset, dataset))
        g.add((node, DCTERMS.publisher, publisher))
        g.add((node, DCAT.contactPoint, contact))
        g.add((node, DCAT.theme, THEME_EDUC))
        g.add((node, DCTERMS.conformsTo, spec))
        g.add((node, DCTERMS.license, ETALAB_LO_2))
        g.add((node, DCAT.keyword, _fr("éducation")))

    def distribution(node: URIRef, title: str, access: str, media_type: str, file_type: str,
                     *, download: str | None = None, via: URIRef | None = None,
                     size: int | None = None, modified: str | None = None,
                     sha256: str | None = None) -> None:
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, _fr(title)))
        g.add((node, DCTERMS.description, _fr(title)))
        g.add((node, DCAT.accessURL, URIRef(access)))
        if download:
            g.add((node, DCAT.downloadURL, URIRef(download)))
        if via is not None:
            g.add((node, DCAT.accessService, via))
        media = URIRef(IANA + media_type)
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((node, DCAT.mediaType, media))
        fmt = URIRef(EU + "file-type/" + file_type)
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((node, DCTERMS.format, fmt))
        g.add((node, DCTERMS.license, ETALAB_LO_2))
        g.add((node, DCATAP.availability, AVAILABLE))
        if size is not None:
            g.add((node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        if modified:
            g.add((node, DCTERMS.modified, _when(modified)))
        if sha256:  # DCAT-AP 3: spdx:checksum
            checksum = BNode()
            g.add((node, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
            g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))

    service(api_service, "API JSON du catalogue",
            "Recherche, facettes, notices en JSON et JSON-LD schema.org, vocabulaires, sources.",
            info.api_url, OPENAPI_SPEC, info.openapi_url)
    distribution(URIRef(info.catalog_url + "#distribution-api"), "API JSON (recherche et notices)",
                 info.api_url + "/resources", "application/json", "JSON", via=api_service)
    if info.oai_url:
        g.add((catalog, DCAT.service, oai_service))
        service(oai_service, "Entrepôt OAI-PMH",
                "Moissonnage OAI-PMH 2.0 des notices (oai_dc, LOM, ScoLOMFR).",
                info.oai_url, OAI_PMH_SPEC, info.oai_url + "?verb=Identify")
        distribution(URIRef(info.catalog_url + "#distribution-oai-pmh"),
                     "Entrepôt OAI-PMH (oai_dc, LOM, ScoLOMFR)", info.oai_url + "?verb=Identify",
                     "application/xml", "XML", via=oai_service)
    for dump in info.dumps:
        distribution(URIRef(info.catalog_url + "#distribution-" + dump.name), dump.title,
                     dump.url, "application/gzip", dump.file_type, download=dump.url,
                     size=dump.size, modified=dump.modified, sha256=dump.sha256)
    return g


def serialize(graph: Graph, media_type: str) -> str:
    """The graph in one of :data:`RDF_FORMATS` (Turtle, JSON-LD, RDF/XML)."""
    text: Any = graph.serialize(format=RDF_FORMATS[media_type])
    return str(text)


__all__ = ["RDF_FORMATS", "CatalogInfo", "DumpFile", "catalog_graph", "serialize"]
