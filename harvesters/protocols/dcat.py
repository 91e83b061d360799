"""DCAT catalogue client: RDF/XML, Turtle or JSON-LD pages, paged with Hydra.

The parser is chosen from the Content-Type, then by sniffing the first bytes. RDF/XML goes through
``core.xmlsafe`` first (entity declarations refused) before rdflib reads it; JSON-LD remote
``@context`` references, also nested ones, are resolved by ``harvesters.jsonld`` (configured hosts
through the allow-listed client, or bundled copies) and inlined, and rdflib's own network access
is off.

Paging follows ``hydra:next`` or ``hydra:nextPage`` (IRI or literal, as old udata wrote it) of the
current page's view; a next URL already fetched ends the listing with an issue.

Each ``dcat:Dataset`` becomes one RawRecord whose content is the dataset's own graph as sorted
N-Triples: its triples, blank nodes reachable from it, and the description of the nodes it points
to (distributions, publisher, contact point, temporal/spatial…) except other datasets and the
catalogue. Blank nodes are relabelled canonically so the bytes (and content hash) are stable from
one harvest to the next.

Options: ``parse_attempts`` (3), ``max_pages`` (10000).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from core.raw import RawRecord
from harvesters.base import HarvestFailed, HarvestIssue, register
from harvesters.jsonld import ContextLoader, ContextRefused, disable_rdflib_network
from harvesters.options import LinkedOptions
from harvesters.protocols._common import (
    PageError,
    clean,
    parse_datetime,
    parse_json_page,
    parse_xml_page,
)
from harvesters.protocols._paging import LinkedPage, LinkedPagesHarvester

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
_NEXT = (HYDRA.next, HYDRA.nextPage)
disable_rdflib_network()
_NOT_OWNED = (DCAT.Dataset, DCAT.Catalog, HYDRA.Collection, HYDRA.PartialCollectionView,
              HYDRA.PagedCollection)
_MAX_DEPTH = 3
_CONTENT_TYPES = {
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
}


def sniff_format(content: bytes) -> str:
    head = content.lstrip()[:200]
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<"):
        return "xml"
    return "turtle"


def dataset_subgraph(graph: Graph, dataset: Node) -> Graph:
    """The dataset's own description: its triples and what it owns (see module doc)."""
    out = Graph()
    visited: set[Node] = set()
    queue: list[tuple[Node, int]] = [(dataset, 0)]
    while queue:
        node, depth = queue.pop(0)
        if node in visited:
            continue
        visited.add(node)
        for _s, p, o in graph.triples((node, None, None)):
            out.add((node, p, o))
            if o in visited or isinstance(o, Literal):
                continue
            if isinstance(o, BNode):
                queue.append((o, depth))
            elif isinstance(o, URIRef) and depth < _MAX_DEPTH and p != RDF.type:
                types = set(graph.objects(o, RDF.type))
                if not types.intersection(_NOT_OWNED) and (o, None, None) in graph:
                    queue.append((o, depth + 1))
    return out


def ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples with canonical blank-node labels: same graph, same bytes."""
    canonical = to_canonical_graph(graph)
    data = canonical.serialize(format="nt", encoding="utf-8")
    lines = sorted(line for line in data.splitlines() if line.strip())
    return b"\n".join(lines) + b"\n"


@register
class DcatHarvester(LinkedPagesHarvester[Graph]):
    options_schema = LinkedOptions
    protocol = "dcat"
    page_name = "DCAT page"
    next_link_name = "hydra next link"

    def __init__(self, source: Any, http: Any) -> None:
        super().__init__(source, http)
        self._contexts = ContextLoader(http)

    # -- parsing ---------------------------------------------------------------------------

    def parse_page(self, response: Any) -> Graph:
        fmt = _CONTENT_TYPES.get(response.content_type) or sniff_format(response.content)
        content: bytes = response.content
        graph = Graph()
        try:
            if fmt == "xml":
                parse_xml_page(content)  # refuses entities before rdflib sees the bytes
                graph.parse(data=content, format="xml", publicID=response.url)
            elif fmt == "json-ld":
                document = parse_json_page(content, response.url)
                try:
                    document = self._contexts.inline_document(document, response.url)
                except ContextRefused as exc:  # the same answer on every fetch: not retried
                    raise HarvestFailed(f"DCAT page {response.url}: {exc}", url=response.url,
                                        stage="parse") from exc
                graph.parse(data=json.dumps(document), format="json-ld", base=response.url)
            else:
                graph.parse(data=content.decode("utf-8", errors="replace"), format=fmt,
                            publicID=response.url)
        except PageError:
            raise
        except HarvestFailed:
            raise
        except Exception as exc:  # rdflib raises many unrelated types on bad input
            raise PageError(f"unreadable {fmt} page: {exc.__class__.__name__}: {exc}") from exc
        return graph

    def read_page(self, graph: Graph, page_url: str, requested_url: str) -> LinkedPage:
        datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
        return LinkedPage(
            entries=(self._record(graph, dataset, page_url) for dataset in datasets),
            next_url=self._next(graph, page_url, requested_url),
        )

    def _next(self, graph: Graph, page_url: str, requested: str) -> str | None:
        candidates: list[tuple[int, str]] = []
        for predicate in _NEXT:
            for subject, value in graph.subject_objects(predicate):
                target = clean(str(value))
                if not target:
                    continue
                own = str(subject) in (page_url, requested)
                candidates.append((0 if own else 1, urljoin(page_url, target)))
        if not candidates:
            return None
        return sorted(candidates)[0][1]

    def _record(
        self, graph: Graph, dataset: Node, page_url: str
    ) -> tuple[RawRecord | None, HarvestIssue | None]:
        identifier = clean(str(graph.value(dataset, DCT.identifier) or ""))
        if not identifier and isinstance(dataset, URIRef):
            identifier = str(dataset)
        if not identifier:
            return None, HarvestIssue(
                stage="parse", url=page_url,
                message="dcat:Dataset without dct:identifier nor URI; skipped",
            )
        modified = graph.value(dataset, DCT.modified)
        landing = graph.value(dataset, DCAT.landingPage)
        try:
            content = ntriples(dataset_subgraph(graph, dataset))
        except Exception as exc:  # pragma: no cover - rdflib serialisation edge cases
            return None, HarvestIssue(
                stage="parse", identifier=identifier, url=page_url,
                message=f"could not serialise dataset graph: {exc}",
            )
        extra: dict[str, Any] = {"uri": str(dataset) if isinstance(dataset, URIRef) else None}
        return (
            RawRecord(
                identifier=identifier,
                format="dcat",
                content=content,
                datestamp=parse_datetime(str(modified)) if modified is not None else None,
                landing_url=clean(str(landing)) or None if landing is not None else None,
                extra=extra,
            ),
            None,
        )
