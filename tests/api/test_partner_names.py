"""The API, the pages and OAI-PMH show one name per partner: the partner directory's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml import etree, html

from catalogue.settings import Settings
from tests.webapp import running_app

OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}


def test_one_name_everywhere(api_data: tuple[Settings, dict[str, Any]], records: list[dict[str, Any]],
                             tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[partner]]\nid = "bnf"\nname = "Bibliothèque déclarée"\n', encoding="utf-8")
    record = next(r for r in records if r["source"]["partner"] == "bnf")
    with running_app(replace(api_data[0], sources_path=sources)) as app:
        client = app.test_client()
        search = client.get("/api/v1/resources?partner=bnf&per_page=1").get_json()
        jsonld = json.loads(client.get(f"/api/v1/resources/{record['id']}?format=jsonld").data)
        page = html.fromstring(client.get("/partenaires").data)
        sets = etree.fromstring(client.get("/oai?verb=ListSets").data)
    assert search["results"][0]["partner"]["label"] == "Bibliothèque déclarée"
    assert "Bibliothèque déclarée" in json.dumps(jsonld, ensure_ascii=False)
    assert "Bibliothèque déclarée" in page.text_content()
    names = {s.findtext("o:setSpec", namespaces=OAI): s.findtext("o:setName", namespaces=OAI)
             for s in sets.iterfind(".//o:set", OAI)}
    assert names["partner:bnf"] == "Bibliothèque déclarée"
