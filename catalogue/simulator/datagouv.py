"""Météo-France on data.gouv.fr: the udata API v1 listing and DCAT catalogues.

- ``/meteofrance/api/1/organizations/<org>/datasets/``: API v1 JSON, ``page``/``page_size``
  (default 20, max 100), ``next_page``/``previous_page`` absolute URLs, ``total``.
- ``/meteofrance/catalog.jsonld?page=N``: JSON-LD pages built from the udata hydra fixtures,
  paged with the 2019-udata ``hydra:PagedCollection`` and a *literal* ``hydra:nextPage``.
- ``/meteofrance/catalog.ttl?page=N``: the same datasets in Turtle, paged the modern way
  (``hydra:PartialCollectionView`` with an IRI ``hydra:next``).
- ``/meteofrance/vanves/catalog.rdf``: the recorded Vanves organisation catalogue (RDF/XML).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, Namespace, URIRef

from catalogue.simulator.data import MF_ORG_ID, MF_ORG_SLUG, DcatStore, recording
from catalogue.simulator.wire import SimRequest, SimResponse, json_response, xml_response

if TYPE_CHECKING:
    from catalogue.simulator.server import Simulator

DATASETS_PREFIX = "/meteofrance/api/1/organizations/"
JSONLD_PATH = "/meteofrance/catalog.jsonld"
TURTLE_PATH = "/meteofrance/catalog.ttl"
VANVES_PATH = "/meteofrance/vanves/catalog.rdf"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
_H = "http://www.w3.org/ns/hydra/core#"


def _int_param(req: SimRequest, name: str, default: int) -> int | None:
    raw = req.params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 1 else None


def datasets(sim: Simulator, req: SimRequest) -> SimResponse:
    rest = req.path[len(DATASETS_PREFIX):].strip("/").split("/")
    if len(rest) != 2 or rest[1] != "datasets":
        return json_response({"message": "Not found", "status": 404}, status=404)
    org = rest[0]
    if org not in (MF_ORG_ID, MF_ORG_SLUG):
        return json_response({"message": "Organization not found", "status": 404}, status=404)
    page = _int_param(req, "page", 1)
    size = _int_param(req, "page_size", 20)
    if page is None or size is None:
        return json_response({"errors": {"page": "Invalid page or page_size"},
                              "message": "Input payload validation failed"}, status=400)
    size = min(size, 100)
    items = [e.payload for e in sim.stores["meteofrance"].live()]
    total = len(items)
    chunk = items[(page - 1) * size: page * size]
    base = sim.url(f"{DATASETS_PREFIX}{org}/datasets/")

    def page_url(number: int) -> str:
        return f"{base}?page={number}&page_size={size}"

    next_page = page_url(page + 1) if page * size < total else None
    if sim.faults.take(req.path, req.params, "loop-next") is not None:
        next_page = page_url(page)
    return json_response({
        "data": chunk,
        "next_page": next_page,
        "page": page,
        "page_size": size,
        "previous_page": page_url(page - 1) if page > 1 else None,
        "total": total,
    })


def _dcat_page(sim: Simulator, req: SimRequest) -> tuple[int, int, list[Any]] | None:
    store = sim.stores["meteofrance-dcat"]
    assert isinstance(store, DcatStore)
    page = _int_param(req, "page", 1)
    if page is None:
        return None
    live = store.live()
    size = sim.dcat_page_size
    last = max(1, math.ceil(len(live) / size))
    if page > last:
        return None
    return page, last, live[(page - 1) * size: page * size]


def _dcat_nodes(sim: Simulator, on_page: list[Any]) -> list[dict[str, Any]]:
    store = sim.stores["meteofrance-dcat"]
    assert isinstance(store, DcatStore)
    catalog = dict(store.catalog)
    catalog["http://www.w3.org/ns/dcat#dataset"] = [{"@id": e.payload[0]["@id"]}
                                                     for e in store.live()]
    nodes: list[dict[str, Any]] = [catalog, *store.shared]
    for entry in on_page:
        nodes.extend(entry.payload)
    return nodes


def catalog_jsonld(sim: Simulator, req: SimRequest) -> SimResponse:
    found = _dcat_page(sim, req)
    if found is None:
        return json_response({"message": "Page not found", "status": 404}, status=404)
    page, last, on_page = found

    def url(number: int) -> str:
        return sim.url(f"{JSONLD_PATH}?page={number}")

    nodes = _dcat_nodes(sim, on_page)
    collection: dict[str, Any] = {
        "@id": url(page),
        "@type": [f"{_H}PagedCollection"],
        f"{_H}firstPage": [{"@value": url(1)}],
        f"{_H}itemsPerPage": [{"@value": sim.dcat_page_size}],
        f"{_H}lastPage": [{"@value": url(last)}],
        f"{_H}totalItems": [{"@value": len(sim.stores["meteofrance-dcat"].live())}],
    }
    if page < last:
        collection[f"{_H}nextPage"] = [{"@value": url(page + 1)}]
    if sim.faults.take(req.path, req.params, "loop-next") is not None:
        collection[f"{_H}nextPage"] = [{"@value": url(page)}]
    nodes.append(collection)
    body = json.dumps(nodes, ensure_ascii=False, indent=2).encode("utf-8")
    return SimResponse(body=body, content_type="application/ld+json")


def catalog_turtle(sim: Simulator, req: SimRequest) -> SimResponse:
    found = _dcat_page(sim, req)
    if found is None:
        return SimResponse(status=404, body=b"Page not found")
    page, last, on_page = found

    def url(number: int) -> URIRef:
        return URIRef(sim.url(f"{TURTLE_PATH}?page={number}"))

    graph = Graph()
    graph.bind("hydra", HYDRA)
    graph.bind("dcat", Namespace("http://www.w3.org/ns/dcat#"))
    graph.bind("dct", Namespace("http://purl.org/dc/terms/"))
    graph.parse(data=json.dumps(_dcat_nodes(sim, on_page)), format="json-ld")
    store = sim.stores["meteofrance-dcat"]
    assert isinstance(store, DcatStore)
    view = url(page)
    graph.add((URIRef(store.catalog["@id"]), HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, url(1)))
    graph.add((view, HYDRA.last, url(last)))
    next_target = url(page + 1) if page < last else None
    if sim.faults.take(req.path, req.params, "loop-next") is not None:
        next_target = view
    if next_target is not None:
        graph.add((view, HYDRA.next, next_target))
    body = graph.serialize(format="turtle", encoding="utf-8")
    return SimResponse(body=body, content_type="text/turtle; charset=utf-8")


def vanves_rdf(sim: Simulator, req: SimRequest) -> SimResponse:
    return xml_response(recording("meteofrance/COMPARABLE_datagouvfr_org_catalog_rdf_vanves.xml"),
                        content_type="application/rdf+xml; charset=utf-8")
