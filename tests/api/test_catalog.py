"""``GET /api/v1/catalog``: the catalogue's DCAT-AP 3 description, checked with the official shapes."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from tests.api import data

SHAPES = Path(__file__).parent / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")
# Plain namespaces: pytest's collection probes module attributes, which rdflib's closed
# DefinedNamespace objects answer with a warning.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BASE = data.BASE_URL
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


@cache
def shapes() -> Graph:
    """The DCAT-AP 3.0.1 shapes, with the two property shapes they reference from ranges.ttl."""
    graph = Graph().parse(SHAPES / "dcat-ap-SHACL.ttl")
    ranges = Graph().parse(SHAPES / "ranges.ttl")
    for shape in set(graph.objects(None, SH.property)):
        if (shape, SH.path, None) not in graph:
            for triple in ranges.triples((shape, None, None)):
                graph.add(triple)
    return graph


def fetch(client: FlaskClient, accept: str | None = None, query: str = "") -> tuple[Graph, str]:
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/api/v1/catalog{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    media = str(response.mimetype)
    graph = Graph().parse(data=response.get_data(as_text=True), format=FORMATS[media])
    return graph, media


@pytest.mark.parametrize(("accept", "query", "expected"), [
    (None, "", "text/turtle"),
    ("*/*", "", "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "", "text/turtle"),
    ("application/ld+json", "", "application/ld+json"),
    ("application/rdf+xml", "", "application/rdf+xml"),
    ("text/turtle", "?format=jsonld", "application/ld+json"),
    (None, "?format=rdfxml", "application/rdf+xml"),
])
def test_negotiation(client: FlaskClient, accept: str | None, query: str, expected: str) -> None:
    graph, media = fetch(client, accept, query)
    assert media == expected
    assert (URIRef(f"{BASE}/api/v1/catalog"), RDF.type, DCAT.Catalog) in graph


def test_unsupported_accept_is_406(client: FlaskClient) -> None:
    response = client.get("/api/v1/catalog", headers={"Accept": "application/json"})
    assert response.status_code == 406 and response.content_type == "application/problem+json"


@pytest.mark.parametrize("accept", list(FORMATS))
def test_description_passes_the_dcat_ap_shapes(client: FlaskClient, accept: str) -> None:
    graph, _ = fetch(client, accept)
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes())
    assert conforms, report


def test_recommended_properties_are_there(client: FlaskClient) -> None:
    graph, _ = fetch(client)
    recommended = Graph().parse(SHAPES / "html-shacl-shapes_recommended.ttl")
    _, results, _ = pyshacl.validate(graph, shacl_graph=recommended)
    missing: set[tuple[str, str]] = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        missing.add((str(focus), str(path)))
    # Only the dataset's temporal coverage (resources span every period) and the EU country
    # term's geometry (not ours to describe) are left out.
    assert missing <= {
        (f"{BASE}/api/v1/catalog#dataset", str(DCTERMS.temporal)),
        ("http://publications.europa.eu/resource/authority/country/FRA", str(DCAT.bbox)),
        ("http://publications.europa.eu/resource/authority/country/FRA", str(DCAT.centroid)),
    }, missing


def test_dataset_distributions_point_at_the_api_the_dumps_and_oai(
    client: FlaskClient, records: list[object]
) -> None:
    graph, _ = fetch(client)
    catalog = URIRef(f"{BASE}/api/v1/catalog")
    (dataset,) = graph.objects(catalog, DCAT.dataset)
    assert graph.value(dataset, DCTERMS.title) == Literal("Catalogue des ressources éducatives", lang="fr")
    assert graph.value(catalog, DCTERMS.license) == URIRef(
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    assert graph.value(catalog, DCTERMS.publisher) is not None
    downloads = {str(u) for d in graph.objects(dataset, DCAT.distribution)
                 for u in graph.objects(d, DCAT.downloadURL)}
    assert downloads == {f"{BASE}/api/v1/dumps/resources.jsonl.gz", f"{BASE}/api/v1/dumps/resources.csv.gz"}
    access = {str(u) for d in graph.objects(dataset, DCAT.distribution)
              for u in graph.objects(d, DCAT.accessURL)}
    assert f"{BASE}/api/v1/resources" in access
    assert f"{BASE}/oai?verb=Identify" in access
    services = set(graph.objects(catalog, DCAT.service))
    endpoints = {str(graph.value(s, DCAT.endpointURL)) for s in services}
    assert endpoints == {f"{BASE}/api/v1", f"{BASE}/oai"}
    assert f"{len(records)} notices" in str(graph.value(dataset, DCTERMS.description))
    for dist in graph.objects(dataset, DCAT.distribution):
        if graph.value(dist, DCAT.downloadURL) is not None:
            assert int(str(graph.value(dist, DCAT.byteSize))) > 0
            assert graph.value(dist, DCAT.mediaType) == URIRef(
                "https://www.iana.org/assignments/media-types/application/gzip")
            spdx = Namespace("http://spdx.org/rdf/terms#")
            checksum = graph.value(dist, spdx.checksum)
            assert graph.value(checksum, spdx.algorithm) == spdx.checksumAlgorithm_sha256
            assert len(str(graph.value(checksum, spdx.checksumValue))) == 64


def test_the_latest_incremental_dump_is_a_distribution(small: tuple[Any, Any, Any]) -> None:
    """After a second generation, DCAT lists its incremental dump too, with its checksum, and
    the description still passes the DCAT-AP shapes."""
    from catalogue.dumps import write_dumps

    app, store, _ = small
    dumps_dir = app.extensions["catalogue"].settings.dumps_dir
    write_dumps(store, dumps_dir, force=True)
    data.fill(store, [data.make_record(50)])
    manifest = write_dumps(store, dumps_dir, force=True)
    (increment,) = [f for f in manifest["archive"][0]["files"] if f.get("since")]
    graph, _ = fetch(app.test_client())
    url = URIRef(f"{BASE}/api/v1/dumps/archive/{increment['name']}")
    (dist,) = graph.subjects(DCAT.downloadURL, url)
    spdx = Namespace("http://spdx.org/rdf/terms#")
    assert str(graph.value(graph.value(dist, spdx.checksum), spdx.checksumValue)) == increment["sha256"]
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes())
    assert conforms, report
    served = app.test_client().get(f"/api/v1/dumps/archive/{increment['name']}")
    assert served.status_code == 200 and served.mimetype == "application/gzip"
