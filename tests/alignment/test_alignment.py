"""Level and discipline alignment: layers, provenance, priorities and the rule files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.xmlsafe import parse_xml
from schemas.alignment import RULE_SETS, align, rule_table
from schemas.record import AlignedConceptSchema
from schemas.vocabularies import MAPPINGS_DIR, Vocabulary
from schemas.vocabularies.text import read_table

from .conftest import DATA

C = "scolomfr-voc-022-num-"
D = "scolomfr-voc-015-num-"
BASE = "http://data.education.fr/voc/scolomfr/concept/"
HG, SVT, MATHS = D + "980", D + "1832", D + "919"
EXAMPLES = Path(__file__).parents[1] / "vocabularies" / "data"


def run(vocab: Vocabulary, hints: dict[str, list[str]], record: dict[str, Any] | None = None,
        defaults: dict[str, list[str]] | None = None, curations: list[dict[str, Any]] | None = None,
        ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[str]]:  # fmt: skip
    levels, disciplines, unmatched = align(record or {}, hints, defaults, curations, vocab=vocab)
    schema = AlignedConceptSchema()
    for entry in levels + disciplines:
        assert schema.validate(entry) == {}, entry
    for entries in (levels, disciplines):
        ids = [e["id"] for e in entries]
        assert len(ids) == len(set(ids)), "one entry per concept"
    return {e["id"]: e for e in levels}, {e["id"]: e for e in disciplines}, unmatched


def test_explicit_ids_are_source_with_replacements_and_spaces_fixed(vocab: Vocabulary) -> None:
    levels, disciplines, unmatched = run(vocab, {
        "scolomfr_levels": [BASE + C + "626", BASE + C + "016", "scolomfr-voc-022- num-023"],
        "scolomfr_disciplines": [BASE + D + "1273", D + "938", D + "3081"],
    })  # fmt: skip
    assert set(levels) == {C + "016", C + "023"}  # the collection num-626 is skipped
    assert levels[C + "023"]["provenance"] == "source"
    assert levels[C + "023"]["basis"] == f"scolomfr:{BASE}{C}023"
    replaced = disciplines[D + "1828"]  # num-938 is deprecated, replaced by num-1828
    assert replaced["provenance"] == "source" and replaced["basis"] == f"scolomfr:{BASE}{D}938"
    assert D + "938" not in disciplines
    assert disciplines[D + "3081"]["provenance"] == "source"
    # A fine topic also brings its discipline, as an inference.
    assert disciplines[HG] == {
        "id": HG, "label": "histoire et géographie (discipline)", "provenance": "rule",
        "basis": f"discipline-of:{D}3081",
    }  # fmt: skip
    assert disciplines[MATHS]["basis"] == f"discipline-of:{D}1828"
    assert unmatched == []


def test_unknown_and_obsolete_explicit_ids(vocab: Vocabulary) -> None:
    levels, _, unmatched = run(vocab, {"scolomfr_levels": [C + "99999", C + "012"]})
    assert unmatched == [f"scolomfr:{C}99999"]
    assert levels[C + "620"]["provenance"] == "source"  # obsolete 2008 cycle 3 → cycle 3 (2016)
    assert all(vocab.concept(i).current for i in levels)  # type: ignore[union-attr]


def test_coarse_voc012_levels_become_stages(vocab: Vocabulary) -> None:
    levels, _, _ = run(vocab, {"scolomfr_contexts": [BASE + "scolomfr-voc-012-num-002"]})
    assert set(levels) == {C + "002", C + "008"}
    assert {e["provenance"] for e in levels.values()} == {"rule"}
    assert {e["basis"] for e in levels.values()} == {"voc-012:scolomfr-voc-012-num-002"}


def test_coarse_voc012_levels_are_only_a_fallback(vocab: Vocabulary) -> None:
    levels, _, unmatched = run(vocab, {
        "scolomfr_contexts": ["scolomfr-voc-012-num-003"], "scolomfr_levels": [C + "023"],
    })  # fmt: skip
    assert set(levels) == {C + "023"}  # "enseignement secondaire" adds nothing to "3e"
    assert unmatched == []
    levels, _, unmatched = run(vocab, {"scolomfr_contexts": ["scolomfr-voc-012-num-005"]})
    assert levels == {} and unmatched == ["scolomfr:scolomfr-voc-012-num-005"]  # licence: no rule


def test_keywords_match_whole_labels_only(vocab: Vocabulary) -> None:
    levels, disciplines, unmatched = run(
        vocab,
        {"labels": ["CM2", "Histoire de France", "Mathématiques -- Problèmes et exercices", "Tle"]},
        record={"keywords": [{"value": "SVT"}, {"value": "Verdun"}]},
    )
    assert levels[C + "015"] == {
        "id": C + "015", "label": "CM2", "provenance": "rule", "basis": "keyword:CM2",
    }  # fmt: skip
    assert levels[C + "088"]["basis"] == "keyword:Tle"
    assert disciplines[MATHS]["basis"] == "keyword:Mathématiques -- Problèmes et exercices"
    assert disciplines[SVT]["basis"] == "keyword:SVT"
    assert HG not in disciplines  # "Histoire de France" is not "histoire"
    assert "keyword:Histoire de France" in unmatched and "keyword:Verdun" in unmatched
    assert set(levels) == {C + "015", C + "088"}  # no hierarchy expansion is stored


@pytest.mark.parametrize(
    ("hint", "value", "expected", "basis"),
    [
        ("dewey", "944", {HG}, "dewey:944"),
        ("dewey", "914.4", {HG}, "dewey:914.4"),
        ("dewey", "gallica:theme:9:944", {HG}, "dewey:gallica:theme:9:944"),
        ("dewey", "796.33", {D + "1032"}, "dewey:796.33"),  # longest prefix beats "7"
        ("dewey", "510", {MATHS}, "dewey:510"),
        ("canalu", "discipline:1043:1005:1089", {HG}, "canalu:discipline:1043:1005:1089"),
        ("canalu", "discipline:1043:1005:1007", {SVT}, "canalu:discipline:1043:1005:1007"),
        ("canalu", "discipline:1043:981:983", {MATHS}, "canalu:discipline:1043:981:983"),
        ("inspire_themes", "http://inspire.ec.europa.eu/theme/lc", {HG}, "inspire:http://inspire.ec.europa.eu/theme/lc"),
        ("inspire_themes", "Occupation des terres", {HG}, "inspire:Occupation des terres"),
        ("inspire_themes", "Géologie", {SVT}, "inspire:Géologie"),
        ("iso_topic", "farming", {HG, SVT}, "iso:farming"),
        ("iso_topic", "geoscientificInformation", {SVT}, "iso:geoscientificInformation"),
        ("gemet", "biodiversité", {SVT}, "gemet:biodiversité"),
        ("dcat_themes", "http://publications.europa.eu/resource/authority/data-theme/ENVI", {SVT},
         "dcat:http://publications.europa.eu/resource/authority/data-theme/ENVI"),
        ("tags", "donnees-meteorologiques", {SVT}, "tag:donnees-meteorologiques"),
        ("tags", "climat", {SVT, HG}, "tag:climat"),
    ],
)  # fmt: skip
def test_partner_classifications_map_by_rule_files(
    vocab: Vocabulary, hint: str, value: str, expected: set[str], basis: str
) -> None:
    levels, disciplines, unmatched = run(vocab, {hint: [value]})
    assert set(disciplines) == expected
    assert {e["provenance"] for e in disciplines.values()} == {"rule"}
    assert {e["basis"] for e in disciplines.values()} == {basis}
    assert levels == {} and unmatched == []


def test_text_hints_fall_back_to_the_label_matcher(vocab: Vocabulary) -> None:
    levels, disciplines, unmatched = run(vocab, {"tags": ["college", "mathematiques", "foo"]})
    assert levels[C + "016"]["basis"] == "keyword:college"
    assert disciplines[MATHS]["basis"] == "keyword:mathematiques"
    assert unmatched == ["tag:foo"]


def test_record_keywords_already_passed_as_hints_are_not_reported_twice(
    vocab: Vocabulary,
) -> None:
    record = {"keywords": [{"value": "foo"}, {"value": "bar"}]}
    _, _, unmatched = run(vocab, {"tags": ["foo"]}, record=record)
    assert unmatched == ["keyword:bar", "tag:foo"]


def test_unmatched_codes_are_reported(vocab: Vocabulary) -> None:
    _, disciplines, unmatched = run(vocab, {
        "dewey": ["000", "not-a-class"], "iso_topic": ["nonsense"],
        "gemet": ["http://www.eionet.europa.eu/gemet/concept/1234"], "canalu": ["discipline:1043"],
    })  # fmt: skip
    assert disciplines == {}
    assert unmatched == [
        "dewey:000", "dewey:not-a-class", "canalu:discipline:1043", "iso:nonsense",
        "gemet:http://www.eionet.europa.eu/gemet/concept/1234",
    ]  # fmt: skip


def test_record_keywords_from_inspire_and_gemet_thesauri(vocab: Vocabulary) -> None:
    record = {"keywords": [
        {"value": "Usage des sols", "thesaurus": "GEMET - INSPIRE themes, version 1.0"},
        {"value": "pollution", "thesaurus": "GEMET"},
    ]}  # fmt: skip
    _, disciplines, _ = run(vocab, {}, record=record)
    assert disciplines[HG]["basis"] == "inspire:Usage des sols"
    assert disciplines[SVT]["basis"] == "gemet:pollution"


def test_defaults_fill_only_empty_fields(vocab: Vocabulary) -> None:
    levels, disciplines, unmatched = run(
        vocab,
        {"scolomfr_levels": [C + "016"]},
        defaults={"levels": ["collège", "lycée"], "disciplines": [HG, "philosophie", "bonjour"]},
    )
    # The record's own level wins: the source's general audience is not added on top of it.
    assert set(levels) == {C + "016"} and levels[C + "016"]["provenance"] == "source"
    levels, _, _ = run(vocab, {}, defaults={"levels": ["collège", "lycée"]})
    assert levels[C + "142"] == {
        "id": C + "142", "label": "lycée général et technologique", "provenance": "default",
        "basis": "source-default",
    }  # fmt: skip
    assert disciplines[HG]["provenance"] == "default"
    assert disciplines[D + "059"]["provenance"] == "default"
    assert unmatched == ["default:bonjour"]


def test_curations_win(vocab: Vocabulary) -> None:
    levels, disciplines, unmatched = run(
        vocab,
        {"scolomfr_levels": [C + "016"], "labels": ["CM2"], "dewey": ["944"]},
        defaults={"levels": ["lycée"]},
        curations=[
            {"field": "level", "action": "remove", "concept": BASE + C + "016"},  # a source value
            {"field": "level", "action": "remove", "concept": C + "142"},  # a default
            {"field": "level", "action": "add", "concept": C + "015", "author": "anne"},
            {"field": "discipline", "action": "add", "concept": D + "938"},  # deprecated id
            {"field": "discipline", "action": "remove", "concept": HG},
            {"field": "level", "action": "add", "concept": MATHS},  # wrong field
        ],
    )
    assert set(levels) == {C + "015"}
    assert levels[C + "015"]["provenance"] == "curation"
    assert levels[C + "015"]["basis"] == "curation:anne"
    # A curation adds exactly what the curator chose (here after replacement), nothing inferred.
    assert set(disciplines) == {D + "1828"}
    assert disciplines[D + "1828"]["provenance"] == "curation"
    assert unmatched == [f"curation:{MATHS}"]


def test_a_later_curation_overrides_an_earlier_one(vocab: Vocabulary) -> None:
    levels, _, _ = run(vocab, {}, curations=[
        {"field": "level", "action": "add", "concept": C + "015"},
        {"field": "level", "action": "remove", "concept": C + "015"},
        {"field": "level", "action": "add", "concept": C + "018"},
    ])  # fmt: skip
    assert set(levels) == {C + "018"}


def test_output_is_ordered_by_layer(vocab: Vocabulary) -> None:
    levels, _, _ = align(
        {},
        {"labels": ["CM2"], "scolomfr_levels": [C + "016"]},
        {"levels": ["lycée"]},
        [{"field": "level", "action": "add", "concept": C + "002"}],
        vocab=vocab,
    )
    assert [e["provenance"] for e in levels] == ["source", "rule", "curation"]
    levels, _, _ = align({}, {}, {"levels": ["lycée"]},
                         [{"field": "level", "action": "add", "concept": C + "002"}], vocab=vocab)
    assert [e["provenance"] for e in levels] == ["default", "curation"]


def test_official_example_record_aligns_from_its_taxon_paths(vocab: Vocabulary) -> None:
    root = parse_xml((EXAMPLES / "ExempleManuelReferenceScoLOMFRv3-2.xml").read_bytes())
    lom = "{http://ltsc.ieee.org/xsd/LOM}"
    ids = [(e.findtext(f"{lom}id") or "").strip() for e in root.iter(f"{lom}taxon")]
    keywords = [(e.findtext(f"{lom}string") or "") for e in root.iter(f"{lom}keyword")]
    levels, disciplines, unmatched = run(vocab, {
        "scolomfr_levels": [i for i in ids if "-022-" in i],
        "scolomfr_disciplines": [i for i in ids if "-015-" in i],
        "labels": keywords,
    })  # fmt: skip
    assert set(levels) == {C + "016", C + "023"}
    assert {D + "980", D + "1007", D + "3081"} <= set(disciplines)
    assert disciplines[HG]["provenance"] == "source"
    assert all(e["provenance"] == "source" for e in levels.values())
    assert unmatched == ["keyword:Première Guerre mondiale", "keyword:Verdun"]


def test_hostile_input_is_bounded(vocab: Vocabulary) -> None:
    hints: dict[str, list[Any]] = {
        "labels": [f"mot {i}" for i in range(5_000)] + ["x" * 100_000, None, 42],  # type: ignore[list-item]
        "dewey": ["9" * 10_000],
        "scolomfr_levels": [" " * 50, "http://example.org/" + "a" * 5_000],
    }
    levels, disciplines, unmatched = run(vocab, hints)
    assert set(disciplines) == {HG}
    assert levels == {}
    assert len(unmatched) <= 500 + 2
    assert all(len(term) < 260 for term in unmatched)


# -- the rule files themselves --------------------------------------------------------------


def _all_rule_files() -> list[str]:
    return sorted({name for name, *_ in RULE_SETS.values()} | {"scolomfr_012.tsv"})


@pytest.mark.parametrize("name", _all_rule_files())
def test_rule_file_targets_are_current_levels_or_disciplines(vocab: Vocabulary, name: str) -> None:
    rows = read_table(MAPPINGS_DIR / name)
    assert rows
    for row in rows:
        assert row["key"], row
        for target in row["concepts"].split():
            concept = vocab.concept(target)
            assert concept is not None and concept.current, (name, row["key"], target)
            assert concept.vocab in ("015", "022"), target


def test_canalu_keys_are_real_canalu_setspecs() -> None:
    tree = {row.split("\t")[0] for row in (DATA / "canalu_setspecs.tsv").read_text().splitlines()}
    keys = rule_table("canalu.tsv", "setspec").rules
    assert keys
    for key in keys:
        # The reference lists "discipline:1043:981" (mathématiques) only through its children.
        assert key in tree or any(t.startswith(key + ":") for t in tree), key


def test_dewey_keys_are_digit_prefixes() -> None:
    keys = rule_table("dewey.tsv", "dewey").rules
    assert keys and all(re.fullmatch(r"\d{1,4}", k) for k in keys)
