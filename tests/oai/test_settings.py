"""OAI-PMH settings from the environment: the resumption-token key, Identify texts, page sizes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from catalogue.config import OAI_KEY_FILE, Settings, data_dir_key
from catalogue.store import Store
from tests.oai.support import NS, errors, parse, populate
from web.app import create_app
from web.oai import Token, encode_token

# The constant web/oai.py signed every token with before keys came from the settings: anyone
# could read it in the source and forge tokens.
OLD_BUILT_IN_KEY = b"catalogue-oai-pmh-resumption-token-v1"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("oai-settings")
    url = f"sqlite:///{tmp / 'catalogue.db'}"
    store = Store(url)
    store.upgrade()
    populate(store)
    store.close()
    yield url


def settings_for(store_url: str, data_dir: Path, **env: str) -> Settings:
    return Settings.from_env({"CATALOGUE_DATA_DIR": str(data_dir), "CATALOGUE_DATABASE_URL": store_url,
                              "CATALOGUE_OAI_PAGE_SIZE": "3", **env})


def app_for(store_url: str, data_dir: Path, **env: str) -> Flask:
    return create_app(settings_for(store_url, data_dir, **env), TESTING=True)


def first_token(app: Flask) -> str:
    root = parse(app.test_client().get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data, "oai_dc")
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert token
    return token


def follow(app: Flask, token: str) -> list[str]:
    """The OAI errors of the page the token asks for ([] when it was accepted)."""
    root = parse(app.test_client().get("/oai", query_string={"verb": "ListRecords",
                                                             "resumptionToken": token}).data, "oai_dc")
    if not errors(root):
        assert root.findall(".//o:record", NS)
    return errors(root)


def test_token_of_the_old_built_in_key_is_rejected(store_url: str, tmp_path: Path) -> None:
    app = app_for(store_url, tmp_path)
    genuine = first_token(app)
    assert follow(app, genuine) == []
    # The genuine token's payload, signed again with the old constant: a forgery.
    body = genuine.split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    mac = hmac.new(OLD_BUILT_IN_KEY, raw, hashlib.sha256).digest()[:9]
    forged = f"{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert forged != genuine
    assert follow(app, forged) == ["badResumptionToken"]
    # And a token made from scratch with the old key, as a forger would.
    token = Token("ListRecords", "oai_dc", None, None, None, after_seq=1, cursor=1, total=10**6)
    assert follow(app, encode_token(token, OLD_BUILT_IN_KEY)) == ["badResumptionToken"]


def test_token_survives_a_restart_on_the_same_data_dir(store_url: str, tmp_path: Path) -> None:
    token = first_token(app_for(store_url, tmp_path))
    restarted = app_for(store_url, tmp_path)
    assert follow(restarted, token) == []


def test_two_data_dirs_sign_differently_unless_the_key_is_set(store_url: str, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    token = first_token(app_for(store_url, one))
    assert follow(app_for(store_url, two), token) == ["badResumptionToken"]
    assert (one / OAI_KEY_FILE).read_bytes() != (two / OAI_KEY_FILE).read_bytes()

    shared = {"CATALOGUE_OAI_TOKEN_KEY": "a shared secret of this deployment"}
    token = first_token(app_for(store_url, one, **shared))
    assert follow(app_for(store_url, two, **shared), token) == []
    assert follow(app_for(store_url, one), token) == ["badResumptionToken"]


def test_key_file_is_private_and_made_once(tmp_path: Path) -> None:
    path = tmp_path / "var" / OAI_KEY_FILE
    key = data_dir_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert data_dir_key(path) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_key_file_race_gives_one_key(tmp_path: Path) -> None:
    path = tmp_path / OAI_KEY_FILE
    keys: list[bytes] = []
    barrier = threading.Barrier(8)

    def make() -> None:
        barrier.wait()
        keys.append(data_dir_key(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert path.read_bytes() == keys[0]


def test_an_existing_key_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / OAI_KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"k" * 32)
    os.close(fd)
    assert data_dir_key(path) == b"k" * 32
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        data_dir_key(path)


def test_identify_and_page_sizes_from_the_environment(store_url: str, tmp_path: Path) -> None:
    app = app_for(store_url, tmp_path, CATALOGUE_OAI_REPOSITORY_NAME="Dépôt de test",
                  CATALOGUE_OAI_ADMIN_EMAIL="oai@example.org", CATALOGUE_OAI_PAGE_SIZE="2",
                  CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE="5")
    client = app.test_client()
    identify = parse(client.get("/oai?verb=Identify").data)
    assert identify.findtext(".//o:repositoryName", namespaces=NS) == "Dépôt de test"
    assert identify.findtext(".//o:adminEmail", namespaces=NS) == "oai@example.org"
    records = parse(client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data, "oai_dc")
    assert len(records.findall(".//o:record", NS)) == 2
    headers = parse(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data)
    assert len(headers.findall(".//o:header", NS)) == 5


def test_defaults_and_bad_values(tmp_path: Path) -> None:
    settings = Settings.from_env({"CATALOGUE_DATA_DIR": str(tmp_path)})
    assert (settings.oai_page_size, settings.oai_identifiers_page_size) == (100, 500)
    assert settings.oai_token_key is None
    with pytest.raises(ValueError, match="CATALOGUE_OAI_PAGE_SIZE"):
        Settings.from_env({"CATALOGUE_DATA_DIR": str(tmp_path), "CATALOGUE_OAI_PAGE_SIZE": "0"})


def test_an_unwritable_data_dir_still_pages(store_url: str, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    """A read-only or full data dir (the key cannot be kept): a key for the process, logged,
    so OAI-PMH still pages instead of failing with a 500."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    settings = Settings.from_env({"CATALOGUE_DATA_DIR": str(blocker / "var"),
                                  "CATALOGUE_DATABASE_URL": store_url, "CATALOGUE_OAI_PAGE_SIZE": "3"})
    with caplog.at_level("ERROR", logger="catalogue.config"):
        app = create_app(settings, TESTING=True)
    assert "CATALOGUE_OAI_TOKEN_KEY" in caplog.text
    assert follow(app, first_token(app)) == []
