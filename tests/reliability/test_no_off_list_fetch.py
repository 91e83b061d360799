"""Issue 16, point 1: no library fetches partner data outside the HTTP client's allow-list.

A hostile partner (a loopback server, the only configured host) serves pages of every protocol
and format that point at a second loopback server, the *trap*, which no source names: JSON-LD
remote contexts (top level, in a node, in a list, scoped in a term definition, ``@import``, and
nested in a context fetched from the configured host), an external DTD and resources in
RDF/XML, ``owl:imports`` in Turtle, a DTD and ``xsi:schemaLocation`` in OAI-PMH and CSW, next
links in feeds and udata. Every ``socket.connect`` of the harvest is recorded: all of them go
to the partner, and the trap counts zero connections.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue.config import Source
from catalogue.pipeline import Pipeline
from catalogue.store import Store
from tests.pipeline.conftest import fast_http
from tests.reliability.hostile import csw_page, oai_page
from tests.reliability.partners import Answer, Partner

DCAT_AP = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def dataset(n: int = 1) -> dict[str, Any]:
    return {"@id": f"https://partner.example/ds/{n}", "@type": f"{DCAT}Dataset",
            f"{DCT}identifier": f"ds-{n}", f"{DCT}title": "Carte des sols"}


def jsonld(document: Any) -> Answer:
    return Answer(json.dumps(document).encode(), content_type="application/ld+json")


# Each case: protocol, and a function (trap base URL, partner base URL) -> the answer to every
# request for the page; "context" paths on the partner answer with a context document.
Case = tuple[str, Callable[[str, str], Answer]]
CASES: dict[str, Case] = {
    "jsonld-remote-context": ("dcat", lambda trap, _p: jsonld(
        {"@context": f"{trap}/ctx.jsonld", "@graph": [dataset()]})),
    "jsonld-context-in-a-node": ("dcat", lambda trap, _p: jsonld(
        {"@graph": [{**dataset(), "@context": f"{trap}/node.jsonld"}]})),
    "jsonld-context-list": ("dcat", lambda trap, _p: jsonld(
        {"@context": [{"dct": DCT}, f"{trap}/list.jsonld"], "@graph": [dataset()]})),
    "jsonld-scoped-context": ("dcat", lambda trap, _p: jsonld(
        {"@context": {"Dataset": {"@id": f"{DCAT}Dataset", "@context": f"{trap}/scoped.jsonld"}},
         "@graph": [{**dataset(), "@type": "Dataset"}]})),
    "jsonld-import": ("dcat", lambda trap, _p: jsonld(
        {"@context": {"@version": 1.1, "@import": f"{trap}/import.jsonld"},
         "@graph": [dataset()]})),
    "jsonld-context-of-a-context": ("dcat", lambda trap, partner: jsonld(
        {"@context": f"{partner}/context/outer.jsonld", "@graph": [dataset()]})),
    "rdfxml-external-dtd-and-resources": ("dcat", lambda trap, _p: Answer(
        (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{trap}/rdf.dtd">'
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
         f'xmlns:dcat="{DCAT}" xmlns:dct="{DCT}">'
         '<dcat:Dataset rdf:about="https://partner.example/ds/1">'
         "<dct:identifier>ds-1</dct:identifier><dct:title>Carte</dct:title>"
         f'<dct:conformsTo rdf:resource="{trap}/standard"/></dcat:Dataset></rdf:RDF>').encode(),
        content_type="application/rdf+xml")),
    "turtle-imports": ("dcat", lambda trap, _p: Answer(
        (f"@prefix dcat: <{DCAT}> . @prefix dct: <{DCT}> . @prefix t: <{trap}/ns#> .\n"
         f"<{trap}/onto> <http://www.w3.org/2002/07/owl#imports> <{trap}/more.ttl> .\n"
         '<https://partner.example/ds/1> a dcat:Dataset ; dct:identifier "ds-1" ; '
         'dct:title "Carte" ; t:x t:y .\n').encode(), content_type="text/turtle")),
    "oai-dtd-and-schema-location": ("oai-pmh", lambda trap, _p: Answer(oai_page(
        f'<dc:title xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://purl.org/dc/elements/1.1/ {trap}/dc.xsd">Titre</dc:title>',
        head=f'<!DOCTYPE OAI-PMH SYSTEM "{trap}/oai.dtd">'))),
    "csw-dtd": ("csw", lambda trap, _p: Answer(csw_page(head=f'<!DOCTYPE r SYSTEM "{trap}/csw.dtd">'))),
    "rss-next-link": ("rss", lambda trap, _p: Answer(
        ('<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
         f'<channel><title>Flux</title><atom:link rel="next" href="{trap}/page2"/>'
         "<item><title>Épisode</title><guid>ep-1</guid><link>https://partner.example/ep-1</link>"
         "</item></channel></rss>").encode(), content_type="application/rss+xml")),
    "udata-next-page": ("udata", lambda trap, _p: Answer(
        json.dumps({"data": [{"id": "ds-1", "title": "Carte", "page": "https://partner.example/1"}],
                    "next_page": f"{trap}/api/1/datasets/?page=2", "total": 2}).encode(),
        content_type="application/json")),
}


@pytest.fixture
def trap() -> Iterator[Partner]:
    with Partner(lambda _path: Answer(b'{"@context": {}}', content_type="application/ld+json")) as p:
        yield p


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a socket of this process connects to while the test runs."""
    seen: list[Any] = []
    original = socket.socket.connect
    original_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        seen.append(address)
        original(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        seen.append(address)
        return original_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return seen


def harvest(tmp_path: Path, protocol: str, url: str) -> tuple[Any, Store]:
    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    source = Source(id="hostile", name="Partenaire hostile", partner="bnf", protocol=protocol,
                    url=url, partner_name="BnF / Gallica")
    pipeline = Pipeline(store, fast_http)
    pipeline.register([source])
    return pipeline.harvest(source), store


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_socket_is_opened_to_an_unconfigured_host(
    case: str, trap: Partner, connects: list[Any], tmp_path: Path
) -> None:
    protocol, page = CASES[case]
    trap_base = trap.url("").rstrip("/")

    def route(path: str) -> Answer:
        if path.startswith("/context/outer"):  # a context on the configured host, naming the trap
            return jsonld({"@context": {"dct": DCT, "Dataset": {
                "@id": f"{DCAT}Dataset", "@context": f"{trap_base}/deeper.jsonld"}}})
        return page(trap_base, partner.url("").rstrip("/"))

    with Partner(route) as partner:
        result, store = harvest(tmp_path, protocol, partner.url("/feed"))
    assert trap.connections == 0 and trap.requests == []
    ports = {address[1] for address in connects if isinstance(address, tuple)}
    assert ports == {partner.port}, f"{case}: connections to {ports}, partner is {partner.port}"
    if case.startswith("jsonld"):
        # A context that may not be fetched refuses the page, and the report says why.
        assert result.status == "failed"
        assert "neither on a configured host nor bundled" in (result.error or "")
        assert trap_base in (result.error or "")
    elif case in ("rss-next-link", "udata-next-page"):
        assert result.status == "failed" and "refusing to fetch" in (result.error or "")
        assert result.counts["added"] == 1  # the first page, from the partner, is kept
    else:  # the documents are read, their external references left alone
        assert result.status == "done", result.error
        assert result.counts["added"] == 1
    if case == "jsonld-context-of-a-context":
        assert any(p.startswith("/context/outer") for p in partner.requests)  # via our client
    store.close()


def test_a_bundled_context_is_read_from_disk_and_contexts_on_the_partner_host_through_the_client(
    connects: list[Any], tmp_path: Path
) -> None:
    """DCAT-AP's context (with its scoped contexts) comes from harvesters/contexts; a context
    the partner serves itself is fetched once, through the allow-listed client."""
    ds = {"@id": "https://partner.example/ds/1", "@type": "Dataset", "identifier": "ds-1",
          "title": "Carte géologique", "modified": "2024-01-01"}

    def route(path: str) -> Answer:
        if path.startswith("/context/own"):
            return jsonld({"@context": {"extra": "https://partner.example/ns#extra"}})
        return jsonld({"@context": [DCAT_AP, f"{partner.url('/context/own.jsonld')}"],
                       "@graph": [{**ds, "extra": "x"}, {**ds, "@id": "https://partner.example/ds/2",
                                                          "identifier": "ds-2"}]})

    with Partner(route) as partner:
        result, store = harvest(tmp_path, "dcat", partner.url("/catalog.jsonld"))
    assert result.status == "done", result.error
    assert result.counts["added"] == 2
    titles = {r.identifier: r.data["title"][0]["value"] for r in store.iter_records() if r.data}
    assert titles == {"ds-1": "Carte géologique", "ds-2": "Carte géologique"}
    assert [p for p in partner.requests if p.startswith("/context/")] == ["/context/own.jsonld"]
    assert {address[1] for address in connects if isinstance(address, tuple)} == {partner.port}
    store.close()


def test_rdflib_cannot_open_a_url_itself() -> None:
    """Second lock: rdflib's own opener refuses (a reference our loader missed fails)."""
    from rdflib import Graph

    import harvesters.protocols.dcat  # noqa: F401  (turns rdflib's network off)
    from harvesters.jsonld import ContextRefused

    with pytest.raises(ContextRefused, match="network access is off"):
        Graph().parse("http://127.0.0.1:9/anything.ttl", format="turtle")
