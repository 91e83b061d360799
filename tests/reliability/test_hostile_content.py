"""Hostile content in well-formed records: 50,000 keywords, 1 MB titles, ``javascript:`` URLs,
HTML and script in every text field, right-to-left overrides.

Per field, the catalogue decides (see docs/reliability.md): titles are clipped to MAX_TITLE
characters, keywords beyond MAX_LIST are dropped, both with a warning line in the harvest
report; non-http(s) URLs are dropped; partner HTML is sanitised (allow-list) and plain-text
fields keep markup as inert text; bidi overrides and control characters are removed. Then
every output — UI pages, JSON API, the XML formats and OAI-PMH — is parsed to check that
nothing can execute or break the document's structure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.config import DEMO_SOURCES, Settings, load_sources
from catalogue.pipeline import Pipeline
from catalogue.reports import last_reports, render_report
from catalogue.simulator import Simulator
from catalogue.simulator.data import Entry
from catalogue.store import Store
from core.xmlsafe import parse_xml
from schemas.cleaning.html import ALLOWED_TAGS
from schemas.record import MAX_LIST, MAX_TITLE, record_id
from tests.oai.support import parse as parse_oai
from tests.oai.support import schema
from tests.pipeline.conftest import fast_http
from tests.reliability import hostile as h
from web.app import create_app

OAI_ID = "oai:hostile:1"
CSW_ID = "hostile-csw"
RECORDS = {"bnf-gallica": OAI_ID, "ign-geoplateforme": CSW_ID}
NAMESPACE = "catalogue.example.fr"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Store]]:
    """The OAI and CSW partners each publish one hostile record among their real ones."""
    tmp: Path = tmp_path_factory.mktemp("hostile")
    sim = Simulator()
    sim.start()
    now = datetime.now(UTC)
    sim.stores["bnf"].entries[OAI_ID] = Entry(OAI_ID, now, h.hostile_dc(OAI_ID), sets=["gallica:hostile"])
    sim.stores["ign"].entries[CSW_ID] = Entry(CSW_ID, now, h.hostile_iso(CSW_ID))
    settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'catalogue.db'}", search_url=None,
                        sources_path=DEMO_SOURCES, oai_namespace=NAMESPACE,
                        base_url="http://localhost:8000")
    store = Store(settings.database_url)
    store.upgrade()
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"simulator": sim.url("")})}
    pipeline = Pipeline(store, fast_http)
    pipeline.register(sources.values())
    try:
        for source_id in RECORDS:
            assert pipeline.harvest(sources[source_id]).status == "done"
    finally:
        sim.stop()
    from search import open_index
    from search.sync import sync

    index = open_index(None, tmp)
    sync(index, store)
    index.close()
    app = create_app(settings, TESTING=True)
    yield app, store
    services = app.extensions["catalogue"]
    if services._index is not None:
        services.index.close()
    store.close()


@pytest.fixture
def client(hostile: tuple[Flask, Store]) -> FlaskClient:
    return hostile[0].test_client()


def stored(store: Store, source_id: str) -> dict[str, Any]:
    found = store.get(record_id(source_id, RECORDS[source_id]))
    assert found is not None and found.data is not None
    return found.data


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


# -- what is stored --------------------------------------------------------------------------


@pytest.mark.parametrize("source_id", list(RECORDS))
def test_oversized_fields_are_clipped_or_capped_with_a_report_line(
    hostile: tuple[Flask, Store], source_id: str
) -> None:
    store = hostile[1]
    data = stored(store, source_id)
    assert 1_000 < len(data["title"][0]["value"]) <= MAX_TITLE
    assert data["title"][0]["value"].endswith("…")
    assert len(data["keywords"]) == MAX_LIST
    report = last_reports(store, source_id)[0]
    assert report["status"] == "done" and report["failures"] == []
    mine = [w for w in report["warnings"] if w["identifier"] == RECORDS[source_id]]
    assert len(mine) == 1 and mine[0]["stage"] == "map"
    assert "50000" in mine[0]["message"] and f"only the first {MAX_LIST} kept" in mine[0]["message"]
    assert f"clipped to {MAX_TITLE}" in mine[0]["message"]
    text = render_report(last_reports(store, source_id), "fr")
    assert "acceptés avec réserves" in text and RECORDS[source_id] in text


@pytest.mark.parametrize("source_id", list(RECORDS))
def test_no_script_url_bidi_override_or_control_character_is_stored(
    hostile: tuple[Flask, Store], source_id: str
) -> None:
    data = stored(hostile[1], source_id)
    urls = [data.get("url"), data.get("thumbnail"), data["source"].get("landing_url"),
            *(link["url"] for link in data["links"])]
    assert all(u is None or u.startswith(("https://", "http://")) for u in urls), urls
    assert data["url"]  # the good URL among the bad ones was kept
    for text in strings(data):
        assert h.RLO not in text and "\u202c" not in text
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), text[:80]
    assert data["description"]
    for description in data["description"]:
        markup = _Markup()
        markup.feed(description.get("html") or "")
        assert markup.tags <= ALLOWED_TAGS, markup.tags
        assert not markup.scripts and not markup.handlers
        assert all(u.startswith(("https://", "http://", "mailto:")) for u in markup.urls), markup.urls


# -- what every output shows ------------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects what a browser would act on: script elements, event handlers, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.in_script = False
        self.script_text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if tag == "script":
            self.scripts.append(found)
            self.in_script = True
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.urls += [v or "" for name, v in attrs if name in ("href", "src", "action", "formaction")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.script_text.append(data)


def check_page(body: str) -> _Markup:
    page = _Markup()
    page.feed(body)
    page.close()
    # Only the app's own script file and its JSON-LD block.
    for script in page.scripts:
        own = (script.get("src") or "").startswith("/static/")
        assert own or script.get("type") == "application/ld+json", script
    assert page.handlers == []
    assert not [u for u in page.urls if u.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
    for block in page.script_text:  # the JSON-LD stays one JSON document
        if block.strip():
            json.loads(block)
    return page


@pytest.mark.parametrize("source_id", list(RECORDS))
def test_ui_pages_render_the_hostile_record_inertly(client: FlaskClient, source_id: str,
                                                   hostile: tuple[Flask, Store]) -> None:
    rid = stored(hostile[1], source_id)["id"]
    page = client.get(f"/ressources/{rid}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    check_page(body)
    assert "&lt;script&gt;" in body  # the markup is shown as text, escaped
    for url in ("/?q=d%C3%A9mesur%C3%A9", "/?q=script+alert", "/?q=mot1"):
        results = client.get(url)
        assert results.status_code == 200
        html = results.get_data(as_text=True)
        check_page(html)
    found = client.get("/?q=d%C3%A9mesur%C3%A9").get_data(as_text=True)
    assert f"/ressources/{rid}" in found  # the hostile record is listed, inertly
    partner = client.get("/partenaires/bnf")
    assert partner.status_code == 200
    check_page(partner.get_data(as_text=True))


@pytest.mark.parametrize("source_id", list(RECORDS))
def test_api_json_and_jsonld_parse_and_carry_the_text_verbatim(
    client: FlaskClient, source_id: str, hostile: tuple[Flask, Store]
) -> None:
    data = stored(hostile[1], source_id)
    response = client.get(f"/api/v1/resources/{data['id']}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    got = json.loads(response.data)
    assert got["title"] == data["title"] and got["keywords"] == data["keywords"]
    jsonld = client.get(f"/api/v1/resources/{data['id']}?format=jsonld")
    assert jsonld.status_code == 200
    json.loads(jsonld.data)
    search = client.get("/api/v1/resources?q=d%C3%A9mesur%C3%A9")
    assert search.status_code == 200
    hits = json.loads(search.data)["results"]
    hit = next(r for r in hits if r["id"] == data["id"])
    # The highlighted title is HTML built by the catalogue: partner markup in it is escaped.
    assert "<script" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    assert "<script" not in (hit["snippet_html"] or "")


XSD = {"oai_dc": "oai-pmh/oai_dc.xsd", "lom": "lom/lomStrict.xsd",
       "scolomfr": "scolomfr-3.2.1/scolomfr.xsd"}


@pytest.mark.parametrize("fmt", list(XSD))
@pytest.mark.parametrize("source_id", list(RECORDS))
def test_api_xml_formats_parse_and_validate(client: FlaskClient, source_id: str, fmt: str,
                                            hostile: tuple[Flask, Store]) -> None:
    data = stored(hostile[1], source_id)
    response = client.get(f"/api/v1/resources/{data['id']}?format={fmt}")
    assert response.status_code == 200
    root = parse_xml(response.data)
    validator = schema(XSD[fmt])
    assert validator.validate(root), validator.error_log
    assert b"<script" not in response.data


@pytest.mark.parametrize("fmt", list(XSD))
@pytest.mark.parametrize("source_id", list(RECORDS))
def test_oai_pmh_records_parse_and_validate(client: FlaskClient, source_id: str, fmt: str,
                                            hostile: tuple[Flask, Store]) -> None:
    data = stored(hostile[1], source_id)
    identifier = f"oai:{NAMESPACE}:{data['id']}"
    response = client.get(f"/oai?verb=GetRecord&metadataPrefix={fmt}&identifier={identifier}")
    assert response.status_code == 200
    root = parse_oai(response.data, fmt)
    assert not root.findall("{http://www.openarchives.org/OAI/2.0/}error")
    assert b"<script" not in response.data
    partner = data["source"]["partner"]
    listing = client.get(f"/oai?verb=ListRecords&metadataPrefix={fmt}&set=partner:{partner}")
    assert listing.status_code == 200
    parse_oai(listing.data, fmt)


# -- the field rules, reader by reader ------------------------------------------------------------


def _read(fmt: str, content: str) -> Any:
    from core.raw import RawRecord
    from schemas.readers import ReaderContext, read

    return read(RawRecord("x", fmt, content.encode()), ReaderContext("s", "p", "2024-01-01T00:00:00Z"))


@pytest.mark.parametrize("fmt", ["oai_dc", "lom", "iso19139"])
def test_every_xml_reader_warns_when_it_clips_a_title_or_drops_keywords(fmt: str) -> None:
    title = "long " * 1_000
    if fmt == "oai_dc":
        content = h.oai_record("x", f"<dc:title>{title}</dc:title>" + "".join(
            f"<dc:subject>mot {i}</dc:subject>" for i in range(MAX_LIST + 100)))
        what = "subjects"
    elif fmt == "lom":
        content = ('<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general>'
                   f'<title><string language="fr">{title}</string></title>'
                   + "".join(f"<keyword><string>mot {i}</string></keyword>" for i in range(MAX_LIST + 100))
                   + "</general></lom>")
        what = "keywords"
    else:
        content = h.iso_record("x", title, keywords=MAX_LIST + 100)
        what = "keywords"
    mapped = _read(fmt, content)
    assert len(mapped.record["title"][0]["value"]) <= MAX_TITLE
    assert len(mapped.record["keywords"]) == MAX_LIST
    assert f"title of {len(title.strip())} characters clipped to {MAX_TITLE}" in mapped.warnings
    assert f"{MAX_LIST + 100} {what}: only the first {MAX_LIST} kept" in mapped.warnings


def test_sanitised_html_drops_bidi_overrides_and_control_characters() -> None:
    from schemas.cleaning.html import render_markdown, sanitize_html

    html, text = sanitize_html(f"<p>a{h.RLO}b\x01c\u2066d</p><pre>x\n\ty</pre>")
    assert html == "<p>abcd</p><pre>x\n\ty</pre>" and h.RLO not in text
    html_md, _ = render_markdown(f"**gras**{h.RLO} suite")
    assert html_md is not None and h.RLO not in html_md
