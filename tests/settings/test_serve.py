"""`catalogue serve` reads every documented setting from the environment.

A real server (gunicorn, in a subprocess) is started with every variable of the settings table
set to a value other than its default, and each one is seen at work through HTTP or on disk.
The harvest settings do nothing in a server: for them (and for every variable that can be
wrong) `serve` refusing a wrong value, naming the variable, shows that it reads them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from lxml import etree

from catalogue.cli import main
from catalogue.dumps import write_dumps
from catalogue.settings import VARIABLES
from catalogue.store import Store
from tests.engines import ES_URL
from tests.oai.support import populate
from tests.reliability.support import Served
from web.oai import decode_token

OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}
TOKEN_KEY = "serve-test-key-" + "x" * 16
HARVEST = {  # valid, none the default
    "CATALOGUE_HARVEST_DELAY": "0.1", "CATALOGUE_HARVEST_RETRIES": "5",
    "CATALOGUE_HARVEST_BACKOFF": "2.5", "CATALOGUE_HARVEST_WORKERS": "0",
    "CATALOGUE_HARVEST_MAX_PAGES": "12", "CATALOGUE_HARVEST_MAX_RECORDS": "34",
    "CATALOGUE_HARVEST_MAX_SECONDS": "56", "CATALOGUE_HARVEST_RESPONSE_TIMEOUT": "78",
    "CATALOGUE_HARVEST_HEARTBEAT": "0.5",
}
SOURCES = """
[[partner]]
id = "bnf"
name = "Bibliothèque du test de serve"

[[source]]
id = "bnf-gallica"
name = "Gallica"
partner = "bnf"
protocol = "oai-pmh"
url = "https://oai.bnf.fr/oai2/OAIHandler"
"""


def clean_env() -> dict[str, str]:
    """The test process's environment without any catalogue setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")
            or k.startswith("CATALOGUE_TEST_")}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """A store outside the data dir, dumps inside it, a sources file of its own."""
    tmp = tmp_path_factory.mktemp("serve-settings")
    data_dir, elsewhere = tmp / "data", tmp / "elsewhere"
    data_dir.mkdir()
    elsewhere.mkdir()
    url = f"sqlite:///{elsewhere / 'store.db'}"
    store = Store(url)
    store.upgrade()
    populate(store)
    write_dumps(store, data_dir / "dumps")
    store.close()
    sources = tmp / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    return {"tmp": tmp, "data_dir": data_dir, "database_url": url, "sources": sources}


def oai(base: str, headers: dict[str, str] | None = None, **params: str) -> Any:
    response = requests.get(f"{base}/oai", params=params, headers=headers, timeout=60)
    assert response.status_code == 200
    return etree.fromstring(response.content)


@pytest.fixture(scope="module")
def alias() -> Iterator[str]:
    name = f"catalogue-serve-test-{secrets.token_hex(4)}"
    yield name
    if ES_URL:  # the index the server made for the alias
        found = requests.get(f"{ES_URL}/_alias/{name}", timeout=30)
        for index in found.json() if found.ok else {}:
            requests.delete(f"{ES_URL}/{index}", timeout=30)


def test_serve_uses_every_setting(catalogue: dict[str, Any], alias: str) -> None:
    if not ES_URL:
        pytest.skip("CATALOGUE_SEARCH_URL needs a search server: set CATALOGUE_TEST_ELASTICSEARCH_URL")
    tmp: Path = catalogue["tmp"]
    data_dir: Path = catalogue["data_dir"]
    cache_dir = tmp / "vocabulary-cache"
    env = {
        **clean_env(),
        "CATALOGUE_DATA_DIR": str(data_dir),
        "CATALOGUE_DATABASE_URL": catalogue["database_url"],
        "CATALOGUE_SEARCH_URL": ES_URL,
        "CATALOGUE_SEARCH_ENGINE": "opensearch",
        "CATALOGUE_SEARCH_INDEX": alias,
        "CATALOGUE_SOURCES": str(catalogue["sources"]),
        "CATALOGUE_CACHE_DIR": str(cache_dir),
        "CATALOGUE_BASE_URL": "http://localhost:8731",
        "CATALOGUE_TRUST_PROXY": "1",
        "CATALOGUE_OAI_NAMESPACE": "serve.example.org",
        "CATALOGUE_OAI_TOKEN_KEY": TOKEN_KEY,
        "CATALOGUE_OAI_REPOSITORY_NAME": "Dépôt du test",
        "CATALOGUE_OAI_ADMIN_EMAIL": "oai@serve.example.org",
        "CATALOGUE_OAI_PAGE_SIZE": "2",
        "CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE": "3",
        **HARVEST,
    }
    assert {v.name for v in VARIABLES} <= env.keys(), "a new setting needs a check here"
    seen: set[str] = set(HARVEST)  # read and validated: see the wrong-value test below
    with Served(env, tmp / "serve.log") as served:
        base = served.base_url
        forwarded = {"X-Forwarded-Host": "proxy.example", "X-Forwarded-Proto": "https",
                     "X-Forwarded-For": "203.0.113.7"}
        identify = oai(base, forwarded, verb="Identify")
        # The base URL wins over the request and over trusted forwarded headers.
        assert identify.findtext(".//o:baseURL", namespaces=OAI) == "http://localhost:8731/oai"
        assert identify.findtext("o:request", namespaces=OAI) == "http://localhost:8731/oai"
        seen.add("CATALOGUE_BASE_URL")
        assert identify.findtext(".//o:repositoryName", namespaces=OAI) == "Dépôt du test"
        assert identify.findtext(".//o:adminEmail", namespaces=OAI) == "oai@serve.example.org"
        seen |= {"CATALOGUE_OAI_REPOSITORY_NAME", "CATALOGUE_OAI_ADMIN_EMAIL"}

        records = oai(base, verb="ListRecords", metadataPrefix="oai_dc")
        assert len(records.findall(".//o:record", OAI)) == 2
        ids = [e.text for e in records.iterfind(".//o:header/o:identifier", OAI)]
        assert ids and all(i.startswith("oai:serve.example.org:") for i in ids)
        token = records.findtext(".//o:resumptionToken", namespaces=OAI)
        assert decode_token(token, "ListRecords", TOKEN_KEY.encode()).cursor == 2
        assert not (data_dir / "oai-token.key").exists()  # the variable, not a key of its own
        seen |= {"CATALOGUE_OAI_PAGE_SIZE", "CATALOGUE_OAI_NAMESPACE", "CATALOGUE_OAI_TOKEN_KEY"}
        headers = oai(base, verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert len(headers.findall(".//o:header", OAI)) == 3
        seen.add("CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE")
        # The store is the one of the URL, outside the data dir (which has none).
        assert not (data_dir / "catalogue.db").exists()
        seen.add("CATALOGUE_DATABASE_URL")

        sets = oai(base, verb="ListSets")
        names = {s.findtext("o:setSpec", namespaces=OAI): s.findtext("o:setName", namespaces=OAI)
                 for s in sets.iterfind(".//o:set", OAI)}
        assert names["partner:bnf"] == "Bibliothèque du test de serve"
        seen.add("CATALOGUE_SOURCES")
        assert list(cache_dir.glob("scolomfr-*.json"))  # the vocabulary the sets came from
        assert not (data_dir / "cache").exists()
        seen.add("CATALOGUE_CACHE_DIR")

        dumps = requests.get(f"{base}/api/v1/dumps", timeout=30).json()
        assert {f["name"] for f in dumps["files"]} >= {"resources.jsonl.gz"}  # from <data dir>/dumps
        assert all(f["url"].startswith("http://localhost:8731/") for f in dumps["files"])
        seen.add("CATALOGUE_DATA_DIR")

        search = requests.get(f"{base}/api/v1/resources", timeout=60)
        assert search.status_code == 200, search.text
        # The search server holds the alias now; the engine setting skipped its detection.
        assert requests.get(f"{ES_URL}/_alias/{alias}", timeout=30).status_code == 200
        assert not (data_dir / "index").exists()  # no embedded Tantivy index
        seen |= {"CATALOGUE_SEARCH_URL", "CATALOGUE_SEARCH_INDEX", "CATALOGUE_SEARCH_ENGINE"}
        log = served.log_path.read_text(encoding="utf-8", errors="replace")
        # The one trusted proxy's X-Forwarded-For is the client's address in the access log
        # (which keeps a /24 only, web.logs).
        remotes = {line.get("remote") for line in served.log_lines() if line.get("path") == "/oai"}
        assert remotes == {"203.0.113.0/24", "127.0.0.0/24"}
        seen.add("CATALOGUE_TRUST_PROXY")
    # serve says that http://localhost:8731 is not where it listens.
    warning = "CATALOGUE_BASE_URL is http://localhost:8731 but the server listens on 127.0.0.1"
    assert f"{warning}:{served.port}" in log
    assert seen == {v.name for v in VARIABLES}


def test_serve_without_base_url_uses_the_request_and_trusted_proxies(
        catalogue: dict[str, Any], tmp_path: Path) -> None:
    env = {**clean_env(), "CATALOGUE_DATA_DIR": str(catalogue["data_dir"]),
           "CATALOGUE_DATABASE_URL": catalogue["database_url"], "CATALOGUE_TRUST_PROXY": "1"}
    with Served(env, tmp_path / "serve.log") as served:
        own = oai(served.base_url, verb="Identify")
        proxied = oai(served.base_url, {"X-Forwarded-Host": "proxy.example", "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Prefix": "/catalogue"}, verb="Identify")
        log = served.log_path.read_text(encoding="utf-8", errors="replace")
    assert own.findtext(".//o:baseURL", namespaces=OAI) == f"{served.base_url}/oai"
    assert proxied.findtext(".//o:baseURL", namespaces=OAI) == "https://proxy.example/catalogue/oai"
    assert "CATALOGUE_BASE_URL is" not in log


WRONG = {
    "CATALOGUE_SEARCH_URL": "file:///tmp/index", "CATALOGUE_SEARCH_ENGINE": "solr",
    "CATALOGUE_BASE_URL": "localhost:8000", "CATALOGUE_TRUST_PROXY": "maybe",
    "CATALOGUE_OAI_PAGE_SIZE": "0", "CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE": "-1",
    "CATALOGUE_HARVEST_DELAY": "-0.5", "CATALOGUE_HARVEST_RETRIES": "often",
    "CATALOGUE_HARVEST_BACKOFF": "x", "CATALOGUE_HARVEST_WORKERS": "-1",
    "CATALOGUE_HARVEST_MAX_PAGES": "0", "CATALOGUE_HARVEST_MAX_RECORDS": "1e3",
    "CATALOGUE_HARVEST_MAX_SECONDS": "0", "CATALOGUE_HARVEST_RESPONSE_TIMEOUT": "never",
    "CATALOGUE_HARVEST_HEARTBEAT": "0",
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_serve_refuses_a_wrong_value_naming_the_variable(name: str, tmp_path: Path) -> None:
    """Checked before anything starts: no server, no store, a message that names the variable."""
    runner = CliRunner()
    env = {v.name: None for v in VARIABLES} | {"CATALOGUE_DATA_DIR": str(tmp_path), name: WRONG[name]}
    result = runner.invoke(main, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1
    assert f"Error: {name} must" in result.output
    assert not list(tmp_path.iterdir())  # nothing was created

