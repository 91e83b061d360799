"""The sources file checked before anything runs (issue 18.3): each misconfiguration named with
its source and key, in French, with a hint for a misspelt key; the good sources still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.config import ConfigError, load_sources
from catalogue.source_check import check_sources, suggestion

GOOD = """
[[source]]
id = "ina-jalons"
name = "INA Jalons"
partner = "ina"
protocol = "jalons"
url = "https://fresques.ina.fr/jalons/api/search"
page_size = 50
query = "histoire"
[source.defaults]
levels = ["cycle 3"]
"""


def table(sid: str, protocol: str, body: str) -> str:
    return (f'\n[[source]]\nid = "{sid}"\nname = "Source {sid}"\npartner = "bnf"\n'
            f'protocol = "{protocol}"\nurl = "https://oai.example.org/oai"\n{body}\n')


def check(tmp_path: Path, text: str) -> tuple[list[str], list[tuple[str, str | None, str]]]:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    checked = check_sources(path)
    return ([s.id for s in checked.sources],
            [(p.source, p.key, p.message) for p in checked.problems])


@pytest.mark.parametrize(("protocol", "body", "key", "message"), [
    ("oai-pmh", 'metadataPrefix = "oai_dc"', "metadataPrefix",
     "clé inconnue — vouliez-vous dire « metadata_prefix » ?"),
    ("oai-pmh", 'sets = "gallica"', "sets", "clé inconnue — vouliez-vous dire « set » ?"),
    ("oai-pmh", '[source.default]\nlevels = ["collège"]', "[source.default]",
     "table inconnue — vouliez-vous dire « [source.defaults] » ?"),
    ("csw", "page_sise = 10", "page_sise", "clé inconnue — vouliez-vous dire « page_size » ?"),
    ("csw", "page_size = 0", "page_size", "doit être un entier ≥ 1"),
    ("jalons", 'page_size = "50"', "page_size", "doit être un nombre entier"),
    ("oai-pmh", "page_size = 50", "page_size", "clé inconnue pour le protocole oai-pmh"),
    ("oai-pmh", 'from = "hier"', "from", "doit être une date ISO"),
    ("oai-pmh", "max_seconds = -1", "max_seconds", "doit être un nombre > 0"),
    ("oai-pmh", 'metadata_prefix = "marcxml"', "metadata_prefix",
     "aucun lecteur pour le format « marcxml »"),
    ("oai-pmh", '[source.defaults]\nlevel = ["5e"]', "defaults.level",
     "vouliez-vous dire « levels » ?"),
    ("oai-pmh", "deletion_grace = 0", "deletion_grace", "doit être un entier ≥ 1"),
    ("oai-pmh", 'notify = ["anne@example.org"]', "notify", "mailto:"),
])
def test_each_mistake_names_its_source_and_key(tmp_path: Path, protocol: str, body: str,
                                               key: str, message: str) -> None:
    ids, problems = check(tmp_path, GOOD + table("bnf-bad", protocol, body))
    assert ids == ["ina-jalons"]  # the bad source is left out, the good one kept
    assert len(problems) == 1, problems
    source, found_key, found = problems[0]
    assert (source, found_key) == ("bnf-bad", key)
    assert message in found


def test_protocol_ids_duplicates_and_file_tables(tmp_path: Path) -> None:
    text = (GOOD + GOOD.replace('protocol = "jalons"', 'protocol = "oai-pmh"')
            + table("x", "oai_pmh", "") + '\n[[sources]]\nid = "y"\n')
    ids, problems = check(tmp_path, text)
    assert ids == ["ina-jalons"]
    messages = {(s, k): m for s, k, m in problems}
    assert "déjà utilisé" in messages[("ina-jalons", "id")]
    assert "vouliez-vous dire « oai-pmh » ?" in messages[("x", "protocol")]
    assert "vouliez-vous dire « source » ?" in messages[("fichier", "sources")]
    # The second ina-jalons is an OAI-PMH source now: its Jalons options are unknown there.
    assert "clé inconnue pour le protocole oai-pmh" in messages[("ina-jalons", "query")]


def test_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    ids, problems = check(tmp_path, "[[source]\nid = ")
    assert ids == [] and problems[0][0] == "fichier" and "illisible" in problems[0][2]


def test_strict_loading_raises_on_the_first_problem(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD + table("bnf-bad", "oai-pmh", 'metadataPrefix = "oai_dc"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="source « bnf-bad », clé « metadataPrefix »"):
        load_sources(path)
    path.write_text(GOOD, encoding="utf-8")
    (source,) = load_sources(path)
    assert source.options == {"page_size": 50, "query": "histoire"}
    assert source.defaults == {"levels": ["cycle 3"], "disciplines": []}


def test_bundled_files_are_clean() -> None:
    from catalogue.config import DEFAULT_SOURCES, DEMO_SOURCES

    assert not check_sources(DEFAULT_SOURCES).problems
    assert not check_sources(DEMO_SOURCES, {"simulator": "http://127.0.0.1:1"}).problems


def test_suggestion_ignores_case_and_separators() -> None:
    assert suggestion("MetadataPrefix", ["metadata_prefix", "set"]) == "metadata_prefix"
    assert suggestion("publisher", ["metadata_prefix", "set"]) is None
