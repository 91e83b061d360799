"""The settings table: the README says what the code reads, and a wrong value names its variable."""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from catalogue.settings import DEFAULT_SOURCES, VARIABLES, Settings, SettingsError, readme_table
from web.server import base_url_mismatch

ROOT = Path(__file__).resolve().parents[2]
README_TABLE = re.compile(r"<!-- settings table:[^>]*-->\n(.*?)<!-- end of the settings table -->", re.S)


def test_readme_table_is_the_settings_table() -> None:
    found = README_TABLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md lost its settings table markers"
    assert found.group(1) == readme_table(), "regenerate it: python -m catalogue.settings"


def test_every_field_comes_from_one_variable() -> None:
    names = [v.name for v in VARIABLES]
    assert len(names) == len(set(names)) and all(n.startswith("CATALOGUE_") for n in names)
    assert sorted(v.field for v in VARIABLES) == sorted(f.name for f in fields(Settings))


def test_every_variable_the_code_reads_is_documented() -> None:
    """A ``CATALOGUE_*`` name in the shipped code is in the table (the tests' own are not)."""
    read: set[str] = set()
    for package in ("core", "harvesters", "schemas", "catalogue", "search", "web"):
        for path in (ROOT / package).rglob("*.py"):
            read.update(re.findall(r"\bCATALOGUE_[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8")))
    documented = {v.name for v in VARIABLES}
    assert read - documented - {"CATALOGUE_TEST_DATABASE_URL", "CATALOGUE_TEST_ELASTICSEARCH_URL"} == set()


def test_defaults_without_any_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / "var"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'catalogue.db'}"
    assert settings.cache_dir == tmp_path / "var" / "cache"
    assert settings.sources_path == DEFAULT_SOURCES
    assert settings.base_url is None and settings.trust_proxy == 0 and settings.search_url is None
    assert settings.repository_name == "Catalogue des ressources éducatives ouvertes"
    assert settings.admin_email == "contact@catalogue.education.fr"
    assert (settings.oai_page_size, settings.oai_identifiers_page_size) == (100, 500)


def test_values_are_typed(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "CATALOGUE_DATA_DIR": str(tmp_path), "CATALOGUE_BASE_URL": "https://catalogue.example.fr/",
        "CATALOGUE_TRUST_PROXY": "yes", "CATALOGUE_HARVEST_DELAY": "0.25",
        "CATALOGUE_HARVEST_WORKERS": "0", "CATALOGUE_OAI_PAGE_SIZE": " 7 "})
    assert settings.data_dir == tmp_path
    assert settings.base_url == "https://catalogue.example.fr"
    assert settings.trust_proxy == 1
    assert settings.harvest_delay == 0.25 and settings.harvest_workers == 0
    assert settings.oai_page_size == 7
    assert Settings.from_env({"CATALOGUE_TRUST_PROXY": "2"}).trust_proxy == 2
    assert Settings.from_env({"CATALOGUE_TRUST_PROXY": "off"}).trust_proxy == 0


@pytest.mark.parametrize(("name", "value"), [
    ("CATALOGUE_OAI_PAGE_SIZE", "0"),
    ("CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE", "many"),
    ("CATALOGUE_HARVEST_DELAY", "-1"),
    ("CATALOGUE_HARVEST_RETRIES", "2.5"),
    ("CATALOGUE_HARVEST_WORKERS", "-3"),
    ("CATALOGUE_HARVEST_MAX_PAGES", "0"),
    ("CATALOGUE_HARVEST_MAX_SECONDS", "soon"),
    ("CATALOGUE_HARVEST_HEARTBEAT", "0"),
    ("CATALOGUE_BASE_URL", "catalogue.example.fr"),
    ("CATALOGUE_BASE_URL", "https://catalogue.example.fr/?x=1"),
    ("CATALOGUE_TRUST_PROXY", "maybe"),
    ("CATALOGUE_SEARCH_ENGINE", "solr"),
])
def test_a_wrong_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must ") as caught:
        Settings.from_env({name: value})
    assert repr(value) in str(caught.value)


def test_secrets_are_never_echoed() -> None:
    with pytest.raises(SettingsError, match="^CATALOGUE_SEARCH_URL must") as caught:
        Settings.from_env({"CATALOGUE_SEARCH_URL": "ftp://user:hunter2@search"})
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(("base_url", "host", "port", "warned"), [
    (None, "127.0.0.1", 8731, False),
    ("http://localhost:8000", "127.0.0.1", 8731, True),
    ("http://127.0.0.1:8731", "127.0.0.1", 8731, False),
    ("http://127.0.0.1", "0.0.0.0", 80, False),
    ("http://10.0.0.5:8000", "10.0.0.5", 9000, True),
    ("http://[::1]:8000", "::", 8001, True),
    # A public name is a reverse proxy in front: its port is not the server's.
    ("https://catalogue.example.fr", "127.0.0.1", 8731, False),
])
def test_serve_warns_when_the_base_url_is_not_where_it_listens(
        base_url: str | None, host: str, port: int, warned: bool) -> None:
    problem = base_url_mismatch(base_url, host, port)
    assert (problem is not None) == warned
    if problem:
        assert "CATALOGUE_BASE_URL" in problem and str(port) in problem


def test_the_dataclass_defaults_are_the_tables() -> None:
    """A Settings built directly (tests) has the defaults from_env gives an empty environment."""
    from_env = Settings.from_env({})
    computed = {"data_dir", "database_url", "sources_path", "cache_dir", "harvest_workers"}
    for f in fields(Settings):
        if f.name not in computed and f.default is not MISSING:
            assert getattr(from_env, f.name) == f.default, f.name


def test_create_app_without_settings_reads_the_environment(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_app()`` (what a WSGI server importing the app calls) builds its settings itself."""
    from catalogue.store import Store
    from web.app import create_app

    for variable in VARIABLES:
        if variable.name != "CATALOGUE_CACHE_DIR":  # the suite's compiled vocabulary
            monkeypatch.delenv(variable.name, raising=False)
    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    store.close()
    monkeypatch.setenv("CATALOGUE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CATALOGUE_OAI_REPOSITORY_NAME", "Dépôt de l'environnement")
    monkeypatch.setenv("CATALOGUE_BASE_URL", "https://env.example.fr")
    app = create_app()
    identify = app.test_client().get("/oai?verb=Identify").get_data(as_text=True)
    assert "<repositoryName>Dépôt de l'environnement</repositoryName>" in identify
    assert "<baseURL>https://env.example.fr/oai</baseURL>" in identify
    assert (tmp_path / "oai-token.key").exists()  # the data dir's own key, made at start
    app.extensions["catalogue"].store.close()
