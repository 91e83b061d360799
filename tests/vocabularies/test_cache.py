"""The compiled cache: keyed by the SKOS bytes, atomic, and rdflib-free on a hit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib

from schemas.vocabularies import SKOS_DIR, build_vocabulary, load_vocabulary
from schemas.vocabularies.compile import CACHE_PREFIX, default_cache_dir

CM2 = "scolomfr-voc-022-num-015"


@pytest.fixture
def skos_copy(tmp_path: Path) -> Path:
    """A small SKOS directory (levels, DCMI types, deprecations) the tests may modify."""
    target = tmp_path / "skos"
    target.mkdir()
    for name in ("22.rdf", "04.rdf", "conceptsDeprecies.xml"):
        shutil.copy(SKOS_DIR / name, target / name)
    return target


def _cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob(f"{CACHE_PREFIX}*.json"))


def _forbid_rdflib(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("rdflib was called on a cache hit")

    monkeypatch.setattr(rdflib.Graph, "parse", refuse)


def test_first_build_writes_one_cache_file_and_no_temporary_files(
    skos_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    vocab = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    assert vocab.concept(CM2) is not None
    files = _cache_files(cache)
    assert len(files) == 1
    assert list(cache.iterdir()) == files  # the temporary file was renamed, not left behind
    data = json.loads(files[0].read_text())
    assert data["key"] == vocab.key and any(c["id"] == CM2 for c in data["concepts"])


def test_cache_hit_does_not_call_rdflib(
    skos_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    _forbid_rdflib(monkeypatch)
    second = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    assert second.key == first.key
    assert second.concept(CM2) == first.concept(CM2)
    found = second.match_level("CM2")
    assert found is not None and found.id == CM2


def test_cache_is_rebuilt_when_a_skos_file_changes(
    skos_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    before = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    old_file = _cache_files(cache)[0]
    rdf = skos_copy / "22.rdf"
    text = rdf.read_text(encoding="utf-8")
    assert '<skos:prefLabel xml:lang="fr">CM2</skos:prefLabel>' in text
    rdf.write_text(
        text.replace(
            '<skos:prefLabel xml:lang="fr">CM2</skos:prefLabel>',
            '<skos:prefLabel xml:lang="fr">cours moyen deuxième année</skos:prefLabel>',
        ),
        encoding="utf-8",
    )
    after = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    assert after.key != before.key
    changed = after.concept(CM2)
    assert changed is not None and changed.label == "cours moyen deuxième année"
    files = _cache_files(cache)
    assert len(files) == 1 and files[0] != old_file  # the stale cache was removed
    _forbid_rdflib(monkeypatch)
    again = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    assert again.concept(CM2) == changed


def test_unwritable_cache_dir_falls_back_to_memory(skos_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    vocab = build_vocabulary(skos_dir=skos_copy, cache_dir=blocker / "cache")
    assert vocab.concept(CM2) is not None
    assert blocker.read_text().startswith("a file")


def test_corrupt_cache_is_ignored_and_replaced(skos_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    cache_file = _cache_files(cache)[0]
    cache_file.write_text("{not json")
    vocab = build_vocabulary(skos_dir=skos_copy, cache_dir=cache)
    assert vocab.concept(CM2) is not None
    assert json.loads(cache_file.read_text())["key"] == vocab.key


def test_cache_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CATALOGUE_CACHE_DIR", raising=False)
    monkeypatch.delenv("CATALOGUE_DATA_DIR", raising=False)
    assert default_cache_dir() == Path("./var") / "cache"
    monkeypatch.setenv("CATALOGUE_DATA_DIR", str(tmp_path / "data"))
    assert default_cache_dir() == tmp_path / "data" / "cache"
    monkeypatch.setenv("CATALOGUE_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_dir() == tmp_path / "elsewhere"


def test_load_vocabulary_is_process_wide(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGUE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "scolomfr-cache"))
    load_vocabulary.cache_clear()
    try:
        first = load_vocabulary()
        assert load_vocabulary() is first
        assert len(first.disciplines()) == 17
    finally:
        load_vocabulary.cache_clear()
