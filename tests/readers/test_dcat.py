"""DCAT reader on a real data.gouv.fr catalogue, udata's JSON-LD pages and hand-built graphs."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib import namespace as rns

from core.raw import RawRecord
from core.xmlsafe import parse_xml
from schemas.readers import MappingError, ReaderContext
from schemas.readers.dcat import read_dcat
from schemas.record import content_hash, record_id, validate_record

DATA = Path(__file__).parent / "data_json"
CTX = ReaderContext(source_id="datagouv-dcat", partner="datagouv", harvested_at="2025-01-02T03:04:05Z")
VANVES = "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/"
LOCN = "http://www.w3.org/ns/locn#"


def load_catalogue(name: str) -> Graph:
    """Parse a catalogue fixture (RDF/XML is screened by the safe XML parser first)."""
    data = (DATA / name).read_bytes()
    graph = Graph()
    if name.endswith(".xml"):
        parse_xml(data)  # refuses entities / DTDs before rdflib sees the bytes
        graph.parse(data=data, format="xml")
    else:
        graph.parse(data=data.decode("utf-8"), format="json-ld")
    return graph


def dataset_ntriples(graph: Graph, dataset: Node, depth: int = 4) -> bytes:
    """The dataset's subgraph: it and every node it reaches, stopping at other datasets."""
    sub = Graph()
    todo: list[tuple[Node, int]] = [(dataset, 0)]
    seen: set[Node] = set()
    while todo:
        node, level = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in graph.predicate_objects(node):
            sub.add((node, predicate, obj))
            kinds = set(graph.objects(obj, rns.RDF.type))
            stop = bool(kinds & {rns.DCAT.Dataset, rns.DCAT.Catalog})
            if isinstance(obj, URIRef | BNode) and level < depth and not stop:
                todo.append((obj, level + 1))
    return sub.serialize(format="nt", encoding="utf-8")


def raw_for(graph: Graph, dataset: Node, **extra: object) -> RawRecord:
    ids = [str(o) for o in graph.objects(dataset, rns.DCTERMS.identifier)]
    return RawRecord(
        identifier=ids[0] if ids else str(dataset),
        format="dcat",
        content=dataset_ntriples(graph, dataset),
        **extra,  # type: ignore[arg-type]
    )


def all_raws(name: str) -> list[RawRecord]:
    graph = load_catalogue(name)
    return [raw_for(graph, d) for d in sorted(graph.subjects(rns.RDF.type, rns.DCAT.Dataset), key=str)]


def nt_raw(graph: Graph, identifier: str = "https://example.fr/ds/1") -> RawRecord:
    return RawRecord(identifier=identifier, format="dcat",
                     content=graph.serialize(format="nt", encoding="utf-8"))


def minimal_graph(**literals: str) -> tuple[Graph, URIRef]:
    graph = Graph()
    ds = URIRef("https://example.fr/ds/1")
    graph.add((ds, rns.RDF.type, rns.DCAT.Dataset))
    for name, value in literals.items():
        graph.add((ds, rns.DCTERMS[name], Literal(value)))
    return graph, ds


# --- real data.gouv.fr organisation catalogue -----------------------------------------------


def test_vanves_dataset_maps_title_description_keywords_and_dates() -> None:
    graph = load_catalogue("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    stamp = datetime(2024, 7, 12, 2, 3, 4, tzinfo=UTC)
    mapped = read_dcat(raw_for(graph, URIRef(VANVES), datestamp=stamp), CTX)
    record = validate_record(mapped.record)

    assert record["id"] == record_id("datagouv-dcat", VANVES)
    assert record["title"] == [{"value": "Bureaux de vote - Vanves", "lang": None}]
    assert record["description"][0]["value"] == "La liste des 23 bureaux de vote à Vanves"
    assert record["description"][0]["html"] is None  # plain paragraph: no markup to keep
    assert [k["value"] for k in record["keywords"]] == [
        "administration-finances-publiques", "bureaux-de-vote", "elections"
    ]
    assert mapped.hints["tags"] == [k["value"] for k in record["keywords"]]
    assert record["dates"]["issued"]["start"] == "2019-04-19"
    assert record["dates"]["modified"]["end"] == "2019-04-19"
    assert record["url"] == VANVES
    assert record["resource_types"] and "dataset" in json.dumps(record["resource_types"]).lower()
    assert record["source"] == {
        "partner": "datagouv",
        "source_id": "datagouv-dcat",
        "identifier": VANVES,
        "landing_url": VANVES,
        "format": "dcat",
        "datestamp": "2024-07-12T02:03:04Z",
        "harvested_at": "2025-01-02T03:04:05Z",
    }


def test_vanves_license_not_specified_gives_no_licence_and_no_rights() -> None:
    graph = load_catalogue("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    mapped = read_dcat(raw_for(graph, URIRef(VANVES)), CTX)
    assert mapped.record["licence"] is None
    assert mapped.record["rights"] is None
    assert mapped.record["access"] == "unknown"
    assert not any("licence" in w for w in mapped.warnings)


def test_vanves_distributions_become_download_links_with_media_types() -> None:
    graph = load_catalogue("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    record = validate_record(read_dcat(raw_for(graph, URIRef(VANVES)), CTX).record)
    links = {link["title"]: link for link in record["links"]}
    assert set(links) == {
        "bureau-de-vote-vanves.csv", "bureau-de-vote-vanves.json",
        "bureau-de-vote-vanves.geojson", "bureau-de-vote-vanves.zip",
    }
    csv = links["bureau-de-vote-vanves.csv"]
    assert csv["url"].endswith("/bureau-de-vote-vanves/exports/csv?use_labels=true")
    assert csv["kind"] == "download" and csv["media_type"] == "text/csv"
    assert links["bureau-de-vote-vanves.zip"]["media_type"] == "application/zip"


def test_vanves_publisher_creator_and_distributor() -> None:
    graph = load_catalogue("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    record = validate_record(read_dcat(raw_for(graph, URIRef(VANVES)), CTX).record)
    roles = {(c["role"], c["name"]) for c in record["contributors"]}
    assert roles == {("publisher", "Vanves"), ("creator", "Vanves"),
                     ("distributor", "Ville de Vanves")}
    distributor = next(c for c in record["contributors"] if c["role"] == "distributor")
    assert distributor["kind"] == "organization"


def test_every_dataset_of_the_real_catalogue_validates() -> None:
    raws = all_raws("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    assert len(raws) == 2
    titles = {validate_record(read_dcat(raw, CTX).record)["title"][0]["value"] for raw in raws}
    assert "Ville de Vanves - Part des véhicules à faibles émissions dans le renouvellement du parc" in titles


def test_same_graph_in_any_triple_order_gives_the_same_record() -> None:
    graph = load_catalogue("COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml")
    raw = raw_for(graph, URIRef(VANVES))
    lines = raw.content.decode().strip().split("\n")
    random.Random(4).shuffle(lines)
    shuffled = RawRecord(identifier=raw.identifier, format="dcat",
                         content=("\n".join(lines) + "\n").encode())
    first = read_dcat(raw, CTX).record
    second = read_dcat(shuffled, CTX).record
    assert lines != raw.content.decode().strip().split("\n")
    assert content_hash(first) == content_hash(second)


# --- udata's hand-made JSON-LD pages (hydra paging) -----------------------------------------


def test_jsonld_dataset_themes_contact_and_temporal() -> None:
    graph = load_catalogue("SYNTHETIC_udata_dcat_hydra_paged_collection_page1.jsonld")
    mapped = read_dcat(raw_for(graph, URIRef("http://data.test.org/datasets/1")), CTX)
    record = validate_record(mapped.record)
    assert record["id"] == record_id("datagouv-dcat", "1")
    assert record["title"][0]["value"] == "Dataset 1"
    assert mapped.hints["dcat_themes"] == ["Theme 1", "Theme 2"]
    assert mapped.hints["tags"] == ["Tag 1", "Tag 2", "Tag 3", "Tag 4"]
    contact = next(c for c in record["contributors"] if c["role"] == "contact")
    assert contact == {"name": "Organization contact", "role": "contact",
                       "kind": "organization", "email": "hello@its.me"}
    assert ("publisher", "An Organization") in {(c["role"], c["name"]) for c in record["contributors"]}
    assert record["coverage"]["temporal"]["start"] == "2016-12-05"
    assert record["coverage"]["temporal"]["end"] is None
    # landingPage and accessURL are literals in this file, not IRIs: still URLs.
    assert record["url"] == "http://data.test.org/datasets/1"
    assert record["links"] == [{
        "url": "http://data.test.org/datasets/1/resources/1/file.json",
        "title": "Resource 1-1", "media_type": "application/json", "kind": "access",
    }]


def test_jsonld_both_pages_map_four_datasets() -> None:
    raws = (all_raws("SYNTHETIC_udata_dcat_hydra_paged_collection_page1.jsonld")
            + all_raws("SYNTHETIC_udata_dcat_hydra_paged_collection_page2.jsonld"))
    records = {r.identifier: validate_record(read_dcat(r, CTX).record) for r in raws}
    assert sorted(records) == ["1", "2", "3", "4"]
    # The fixture really titles dataset 4 "Dataset 1": the id, not the title, tells them apart.
    assert records["4"]["title"][0]["value"] == "Dataset 1"
    assert records["4"]["id"] != records["1"]["id"]
    assert records["4"]["links"][0]["url"].endswith("/datasets/4/resources/1/file.json")


# --- hand-built graphs: licences, coverage, languages, hostile Markdown ---------------------


def test_licence_uri_on_dataset_and_language_uri() -> None:
    graph, ds = minimal_graph(title="Stations météo")
    graph.add((ds, rns.DCTERMS.license, URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")))
    graph.add((ds, rns.DCTERMS.language,
               URIRef("http://publications.europa.eu/resource/authority/language/FRA")))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert record["licence"]["code"] == "lo-2.0"
    assert record["access"] == "free"
    assert record["languages"] == ["fr"]


def test_licence_found_on_a_distribution_and_unknown_rights_kept() -> None:
    graph, ds = minimal_graph(title="Relevés")
    dist = URIRef("https://example.fr/ds/1/csv")
    graph.add((ds, rns.DCAT.distribution, dist))
    graph.add((dist, rns.DCAT.downloadURL, URIRef("https://example.fr/releves.csv")))
    graph.add((dist, rns.DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    graph.add((ds, rns.DCTERMS.rights, Literal("Données produites par la commune")))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert record["licence"]["code"].startswith("cc-by")
    assert record["rights"] == "Données produites par la commune"
    assert record["links"][0]["url"] == "https://example.fr/releves.csv"
    assert record["links"][0]["media_type"] is None  # no dcat:mediaType nor dct:format
    assert record["links"][0]["kind"] == "download"
    assert record["links"][0]["title"] is None


def test_media_type_from_literal_mime_or_eu_file_type() -> None:
    graph, ds = minimal_graph(title="Formats")
    for i, fmt in enumerate([
        Literal("text/csv"),
        URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON"),
        Literal("CSV.GZ"),
    ]):
        dist = URIRef(f"https://example.fr/ds/1/d{i}")
        graph.add((ds, rns.DCAT.distribution, dist))
        graph.add((dist, rns.DCAT.accessURL, URIRef(f"https://example.fr/f{i}")))
        graph.add((dist, rns.DCTERMS.format, fmt))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert [link["media_type"] for link in record["links"]] == [
        "text/csv", "application/geo+json", "application/gzip"]


def test_spatial_wkt_geometry_gives_bbox_and_place_name() -> None:
    graph, ds = minimal_graph(title="Limites communales")
    place = BNode()
    graph.add((ds, rns.DCTERMS.spatial, place))
    graph.add((place, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
               Literal("Hauts-de-Seine", lang="fr")))
    graph.add((place, URIRef(LOCN + "geometry"), Literal(
        "POLYGON((2.14 48.72, 2.34 48.72, 2.34 48.95, 2.14 48.95, 2.14 48.72))",
        datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"))))
    period = BNode()
    graph.add((ds, rns.DCTERMS.temporal, period))
    graph.add((period, rns.DCAT.startDate, Literal("2001-01-01", datatype=rns.XSD.date)))
    graph.add((period, rns.DCAT.endDate, Literal("2020-12-31", datatype=rns.XSD.date)))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert record["coverage"]["places"] == ["Hauts-de-Seine"]
    assert record["coverage"]["bbox"] == {"west": 2.14, "south": 48.72, "east": 2.34, "north": 48.95}
    assert record["coverage"]["temporal"] == {
        "text": "2001-01-01/2020-12-31", "start": "2001-01-01", "end": "2020-12-31"}


def test_geojson_bbox_and_projected_wkt_is_ignored_with_a_warning() -> None:
    graph, ds = minimal_graph(title="Zones")
    place = BNode()
    graph.add((ds, rns.DCTERMS.spatial, place))
    graph.add((place, rns.DCAT.bbox, Literal(
        '{"type":"Polygon","coordinates":[[[-5.2,41.3],[9.6,41.3],[9.6,51.1],[-5.2,51.1]]]}')))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert record["coverage"]["bbox"] == {"west": -5.2, "south": 41.3, "east": 9.6, "north": 51.1}

    graph2, ds2 = minimal_graph(title="Lambert")
    place2 = BNode()
    graph2.add((ds2, rns.DCTERMS.spatial, place2))
    graph2.add((place2, URIRef(LOCN + "geometry"), Literal(
        "<http://www.opengis.net/def/crs/EPSG/0/2154> POINT(652000 6862000)")))
    mapped = read_dcat(nt_raw(graph2), CTX)
    assert validate_record(mapped.record)["coverage"]["bbox"] is None
    assert any("geometry not understood" in w for w in mapped.warnings)


def test_multilingual_titles_keep_their_language() -> None:
    graph, ds = minimal_graph()
    graph.add((ds, rns.DCTERMS.title, Literal("Qualité de l'air", lang="fr")))
    graph.add((ds, rns.DCTERMS.title, Literal("Air quality", lang="en")))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert {(t["value"], t["lang"]) for t in record["title"]} == {
        ("Qualité de l'air", "fr"), ("Air quality", "en")}
    assert record["languages"] == []  # metadata languages are not the resource's languages


def assert_harmless(html: str, text: str) -> None:
    """No active content in the HTML, no markup left in the text."""
    lowered = html.lower()
    for bad in ("<script", "<img", "<style", "<iframe", "onerror", "onclick", "style=", "alert('xss')"):
        assert bad not in lowered
    hrefs = re.findall(r"""href\s*=\s*["']?([^"' >]*)""", lowered)
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
    assert not re.search(r"<\s*/?\s*[a-z]", text.lower()), text
    assert "alert('xss')" not in text and "display: none" not in text


HOSTILE_MARKDOWN = (
    "## Présentation\n\n"
    "Des **données** utiles.\n\n"
    "<script>alert('xss')</script>\n\n"
    "<img src=x onerror=alert(1)>\n\n"
    "[cliquez ici](javascript:alert(2)) et [le site](https://example.fr/)\n\n"
    "<style>body { display: none }</style>\n\n"
    '<a href="https://evil.example" style="position:fixed" onclick="steal()">piège</a>\n'
)


def test_hostile_markdown_description_is_harmless() -> None:
    graph, ds = minimal_graph(title="Données", description=HOSTILE_MARKDOWN)
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    html = record["description"][0]["html"]
    text = record["description"][0]["value"]
    assert "<strong>données</strong>" in html
    assert 'href="https://example.fr/"' in html
    assert_harmless(html, text)
    assert "Des données utiles." in text
    assert "**" not in text and "##" not in text


# --- errors ---------------------------------------------------------------------------------


def test_malformed_ntriples_is_a_mapping_error() -> None:
    raw = RawRecord(identifier="x", format="dcat", content=b"<https://a> <https://b> oops .\n")
    with pytest.raises(MappingError, match="malformed N-Triples"):
        read_dcat(raw, CTX)


def test_graph_without_dataset_is_a_mapping_error() -> None:
    raw = RawRecord(identifier="x", format="dcat",
                    content=b'<https://a> <http://purl.org/dc/terms/title> "T" .\n')
    with pytest.raises(MappingError, match="no dcat:Dataset"):
        read_dcat(raw, CTX)


def test_dataset_without_title_is_a_mapping_error() -> None:
    graph, _ = minimal_graph(description="Une description sans titre")
    with pytest.raises(MappingError, match="no title"):
        read_dcat(nt_raw(graph), CTX)


def test_two_datasets_pick_the_one_named_by_the_identifier() -> None:
    graph, ds = minimal_graph(title="Premier")
    other = URIRef("https://example.fr/ds/2")
    graph.add((other, rns.RDF.type, rns.DCAT.Dataset))
    graph.add((other, rns.DCTERMS.title, Literal("Second")))
    graph.add((other, rns.DCTERMS.identifier, Literal("ds-2")))
    record = read_dcat(nt_raw(graph, identifier="ds-2"), CTX).record
    assert record["title"][0]["value"] == "Second"
    with pytest.raises(MappingError, match="none has identifier"):
        read_dcat(nt_raw(graph, identifier="ds-3"), CTX)


def test_non_utf8_bytes_are_a_mapping_error() -> None:
    raw = RawRecord(identifier="x", format="dcat", content=b'<https://a> <https://b> "\xff" .\n')
    with pytest.raises(MappingError, match="not UTF-8"):
        read_dcat(raw, CTX)


def test_foaf_name_and_dirty_title_are_cleaned() -> None:
    graph, ds = minimal_graph(title="  Titre\u202e avec\t des   espaces \x07 ")
    org = URIRef("https://example.fr/org")
    graph.add((ds, rns.DCTERMS.publisher, org))
    graph.add((org, rns.FOAF.name, Literal("  Mairie   de Vanves ")))
    record = validate_record(read_dcat(nt_raw(graph), CTX).record)
    assert record["title"][0]["value"] == "Titre avec des espaces"
    assert record["contributors"][0]["name"] == "Mairie de Vanves"


def test_reader_is_registered_for_its_format() -> None:
    from schemas.readers import _READERS

    assert _READERS["dcat"] is read_dcat
