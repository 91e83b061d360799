"""OAI-PMH conformance under a non-default base URL and port.

Every verb's response (and every error) carries the repository's URL in ``<request>``, and
Identify in ``<baseURL>``: with ``CATALOGUE_BASE_URL=http://example.test:8731/`` both are that
URL whatever host the request came to; without it, both are the URL the harvester used, over
real HTTP on a free port. And every set's records list that set (tests/oai/test_set_membership).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import requests

from catalogue.store import Store
from schemas.record import record_id
from tests.oai.conftest import make_app
from tests.oai.set_walk import Fetch, check_every_set
from tests.oai.support import NS, errors, oai_id, parse, request_attrs
from tests.webapp import serving


def requests_for(identifier: str) -> list[tuple[dict[str, str], str | None, bool]]:
    """(arguments, metadata prefix of the payload, whether the request is echoed) for every
    verb and every error the protocol defines."""
    return [
        ({"verb": "Identify"}, None, True),
        ({"verb": "ListMetadataFormats"}, None, True),
        ({"verb": "ListMetadataFormats", "identifier": identifier}, None, True),
        ({"verb": "ListSets"}, None, True),
        ({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"}, "oai_dc", True),
        ({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "lom"}, "lom", True),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, "oai_dc", True),
        ({"verb": "ListRecords", "metadataPrefix": "scolomfr"}, "scolomfr", True),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "partner:bnf"}, "oai_dc", True),
        # Errors: echoed unless the verb or an argument is bad (OAI-PMH 2.0, section 3.6).
        ({"verb": "GetRecord", "identifier": "oai:nowhere:1", "metadataPrefix": "oai_dc"}, None, True),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, None, True),
        ({"verb": "ListRecords", "resumptionToken": "forged.token"}, None, True),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "partner:none"}, None, True),
        ({"verb": "Nonsense"}, None, False),
        ({"verb": "ListRecords"}, None, False),
    ]


def check_conformance(fetch: Fetch, base: str, identifier: str) -> int:
    """Every response names ``base``; returns the number of responses checked."""
    checked = 0
    for params, prefix, echoed in requests_for(identifier):
        pages = [params]
        while pages:
            asked = pages.pop()
            root = parse(fetch(asked), prefix)
            request = root.find("o:request", NS)
            assert request is not None and request.text == base, (asked, request)
            assert request_attrs(root) == (asked if echoed else {}), asked
            if asked["verb"] == "Identify":
                assert root.findtext(".//o:baseURL", namespaces=NS) == base
            token = root.findtext(".//o:resumptionToken", namespaces=NS)
            if token and not errors(root):
                pages.append({"verb": asked["verb"], "resumptionToken": token})
            checked += 1
    return checked


@pytest.fixture
def record(oai_store: tuple[Store, dict[str, datetime]]) -> str:
    return oai_id(record_id("bnf-gallica", "cm2-histoire"))


def test_a_configured_base_url_and_port_in_every_response(
        oai_store: tuple[Store, dict[str, datetime]], store_url: str, tmp_path: Path, record: str) -> None:
    app = make_app(store_url, tmp_path, base_url="http://example.test:8731",
                   oai_page_size=3, oai_identifiers_page_size=4)
    client = app.test_client()

    def fetch(params: dict[str, str]) -> bytes:
        # The request comes to another host: the configured URL is still the one shown.
        return client.get("/oai", query_string=params, base_url="http://10.1.2.3:8000").data

    assert check_conformance(fetch, "http://example.test:8731/oai", record) > len(requests_for(record))
    assert check_every_set(fetch) > 0
    app.extensions["catalogue"].store.close()


def test_without_a_base_url_the_address_the_harvester_used(
        oai_store: tuple[Store, dict[str, datetime]], store_url: str, tmp_path: Path, record: str) -> None:
    app = make_app(store_url, tmp_path, base_url=None, oai_page_size=3, oai_identifiers_page_size=4)
    with serving(app) as origin:
        port = origin.rsplit(":", 1)[1]
        for shown in (origin, f"http://localhost:{port}"):
            def fetch(params: dict[str, str], shown: str = shown) -> bytes:
                response = requests.get(f"{shown}/oai", params=params, timeout=30)
                assert response.status_code == 200
                return response.content

            check_conformance(fetch, f"{shown}/oai", record)
        assert check_every_set(fetch) > 0
    app.extensions["catalogue"].store.close()
