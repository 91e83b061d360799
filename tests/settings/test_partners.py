"""The partner directory: one rule for which name a partner shows, the founding names as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.config import ConfigError, declared_partners, founding_partners, load_sources
from catalogue.partners import declared_in, partner_names
from catalogue.settings import DEFAULT_SOURCES
from harvesters.base import protocols

SOURCE = """
[[source]]
id = "{sid}"
name = "Une source"
partner = "{partner}"
protocol = "{protocol}"
url = "https://example.org/feed"
{extra}
"""


def sources_file(tmp_path: Path, *tables: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def source(sid: str = "s", partner: str = "bnf", protocol: str = "rss", extra: str = "") -> str:
    return SOURCE.format(sid=sid, partner=partner, protocol=protocol, extra=extra)


def test_the_founding_partners_are_declared_in_the_sources_file() -> None:
    assert founding_partners() == {"bnf": "BnF / Gallica", "ina": "INA", "ign": "IGN",
                                   "meteofrance": "Météo-France"}
    assert "[[partner]]" in DEFAULT_SOURCES.read_text(encoding="utf-8")


def test_declared_name_then_the_sources_name_then_the_id() -> None:
    declared = {"bnf": "BnF déclarée"}
    rows = [{"partner": "bnf", "partner_name": "BnF de la source"},
            {"partner": "canope", "partner_name": "Réseau Canopé"},
            {"partner": "canope", "partner_name": "Canopé, seconde source"},
            {"partner": "anonyme", "partner_name": None}]
    assert partner_names(rows, declared) == {"bnf": "BnF déclarée", "canope": "Réseau Canopé",
                                             "anonyme": "anonyme"}
    # Without a declaration, the founding partners' names.
    assert partner_names([{"partner": "ina", "partner_name": "Autre"}])["ina"] == "INA"


def test_a_sources_file_declares_or_renames_partners(tmp_path: Path) -> None:
    path = sources_file(tmp_path, '[[partner]]\nid = "bnf"\nname = "Bibliothèque nationale"\n',
                        '[[partner]]\nid = "canope"\nname = "Réseau Canopé"\n',
                        source("a", "bnf"), source("b", "canope"), source("c", "ina"))
    assert declared_partners(path) == {**founding_partners(), "bnf": "Bibliothèque nationale",
                                       "canope": "Réseau Canopé"}
    names = {s.id: s.partner_name for s in load_sources(path)}
    assert names == {"a": "Bibliothèque nationale", "b": "Réseau Canopé", "c": "INA"}


@pytest.mark.parametrize(("table", "message"), [
    ('[[partner]]\nid = "Bad Id"\nname = "x"\n', "'id' must be"),
    ('[[partner]]\nid = "ok"\nname = " "\n', "missing or empty 'name'"),
    ('[[partner]]\nid = "ok"\nname = "x"\nurl = "https://x"\n', "unknown keys"),
])
def test_a_wrong_partner_table_is_refused(tmp_path: Path, table: str, message: str) -> None:
    path = sources_file(tmp_path, table)
    with pytest.raises(ConfigError, match=message):
        declared_partners(path)
    assert declared_in(path) == founding_partners()  # the web keeps the founding names


def test_protocols_are_the_harvester_registry(tmp_path: Path) -> None:
    for protocol in protocols():
        assert load_sources(sources_file(tmp_path, source(protocol=protocol)))[0].protocol == protocol
    with pytest.raises(ConfigError, match="protocole « gopher » inconnu"):
        load_sources(sources_file(tmp_path, source(protocol="gopher")))
