"""`catalogue quality --evaluate`: coverage and precision against a labelled file.

The store is built by hand so that every figure is known in advance, and each correctness rule
(the ancestor discipline, the two extra levels, "collège" never right, origins apart) has a
record that passes it and one that fails it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.evaluation import LabelError, evaluate, format_report, read_labels
from catalogue.store import RawEntry, Store, Write
from schemas.record import record_id, validate_record
from schemas.vocabularies import Vocabulary, build_vocabulary

L = "scolomfr-voc-022-num-"
D = "scolomfr-voc-015-num-"
SOURCE = "test-labels"
C5, C4, C3, COLLEGE, CYCLE4, CM1, CYCLE3 = (L + n for n in ("020", "021", "023", "016", "621",
                                                            "014", "620"))  # fmt: skip
MATHS, HG, FR, SVT, PC = (D + n for n in ("919", "980", "1333", "1832", "1831"))
WWI_3E = D + "3081"  # "civils et militaires dans la Première Guerre mondiale (histoire 3e)"

LABELS = f"""# test labels
record\tlevels\tdisciplines\tkind\treason
a\t{C5} {CYCLE4}\t{MATHS}\texercise\t5e exercise
b\t{C5} {CYCLE4}\t{MATHS}\texercise\ttoo many levels
c\t{C5} {CYCLE4}\t{FR}\tsheet\tdefaults only
d\t{C3} {CYCLE4}\t{HG}\tnotice\tfine topic under its discipline
{record_id(SOURCE, "e")}\t\t{PC}\tnotice\tlabelled by record id, levels not labelled
f\t{CM1} {CYCLE3}\t{HG}\tnotice\tlevels right with two extras, discipline from curation
missing-one\t{C5}\t{MATHS}\tnotice\tnot in the store
"""


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    return build_vocabulary(cache_dir=tmp_path_factory.getbasetemp() / "scolomfr-cache")


def entry(vocab: Vocabulary, cid: str, provenance: str) -> dict[str, Any]:
    concept = vocab.concept(cid)
    assert concept is not None
    return {"id": cid, "label": concept.label, "provenance": provenance, "basis": "test"}


RECORDS: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    # identifier: ([(level, provenance)], [(discipline, provenance)])
    "a": ([(C5, "inferred"), (CYCLE4, "inferred")], [(MATHS, "inferred")]),
    "b": ([(C5, "inferred"), (C4, "inferred"), (C3, "inferred"), (COLLEGE, "inferred")],
          [(MATHS, "rule")]),
    "c": ([(COLLEGE, "default")], [(HG, "default")]),
    "d": ([], [(WWI_3E, "source")]),
    "e": ([(C4, "rule")], [(SVT, "rule"), (PC, "inferred")]),
    "f": ([(CM1, "inferred"), (COLLEGE, "rule"), (C5, "default")], [(HG, "curation")]),
    "not-labelled": ([(C5, "inferred")], [(MATHS, "inferred")]),
}


def build_store(store: Store, vocab: Vocabulary, records: dict[str, Any] | None = None) -> None:
    store.upsert_source(id=SOURCE, partner="test", partner_name="Test", name="Test",
                        protocol="oai-pmh", url="http://127.0.0.1/oai", config={})
    run = store.start_run(SOURCE, "full")
    writes = []
    for identifier, (levels, disciplines) in (records or RECORDS).items():
        rid = record_id(SOURCE, identifier)
        record = validate_record({
            "id": rid, "source": {"partner": "test", "source_id": SOURCE, "identifier": identifier},
            "title": [{"value": f"Record {identifier}", "lang": "fr"}],
            "levels": [entry(vocab, c, p) for c, p in levels],
            "disciplines": [entry(vocab, c, p) for c, p in disciplines],
        })  # fmt: skip
        raw = RawEntry(rid, identifier, "oai_dc", identifier.encode(), f"h-{identifier}", None)
        writes.append(Write(rid, identifier, raw=raw, record=record))
    store.write_page(source_id=SOURCE, partner="test", run_id=run, writes=writes, counts=Counter())


@pytest.fixture
def labels_file(tmp_path: Path) -> Path:
    path = tmp_path / "labels.tsv"
    path.write_text(LABELS, encoding="utf-8")
    return path


def test_figures_per_field_origin_and_kind(store: Store, vocab: Vocabulary, labels_file: Path) -> None:
    build_store(store, vocab)
    result = evaluate(store, read_labels(labels_file, vocab), vocab)
    assert (result["labels"], result["matched"], result["missing"]) == (7, 6, ["missing-one"])

    levels = result["fields"]["levels"]
    # Labelled for levels: a, b, c, d, f (e has no level labels). Covered: a, b, c, f.
    # Right: a (5e + cycle 4); f (CM1 hits, collège and 5e are the two extras allowed).
    # Wrong: b (three extras), c (collège alone is never right).
    assert (levels["labelled"], levels["covered"], levels["right"]) == (5, 4, 2)
    assert levels["coverage"] == 0.8 and levels["precision"] == 0.5
    assert levels["mean_values"] == round((2 + 4 + 1 + 3) / 4, 2)

    disciplines = result["fields"]["disciplines"]
    # Labelled: a, b, c, d, e, f. All covered. Right: a, b, d (the 3e topic's discipline is
    # histoire-géographie), e (physique-chimie is one of its two), f. Wrong: c.
    assert (disciplines["labelled"], disciplines["covered"], disciplines["right"]) == (6, 6, 5)
    assert disciplines["precision"] == round(5 / 6, 4)
    assert disciplines["value_precision"] == round(5 / 7, 4)  # SVT on e and HG on c are wrong

    by_origin = {o: (f["covered"], f["right"]) for o, f in levels["origins"].items()}
    # inferred: a right; b wrong; f: CM1 alone is right. default: c wrong, f's 5e wrong.
    # rule: f's collège alone is wrong (e is not labelled for levels).
    assert by_origin == {"source": (0, 0), "rule": (1, 0), "inferred": (3, 2),
                         "default": (2, 0), "curation": (0, 0)}
    assert levels["origins"]["inferred"]["coverage"] == round(3 / 5, 4)
    d_origin = {o: (f["covered"], f["right"]) for o, f in disciplines["origins"].items()}
    assert d_origin == {"source": (1, 1), "rule": (2, 1), "inferred": (2, 2),
                        "default": (1, 0), "curation": (1, 1)}

    kinds = result["kinds"]
    assert set(kinds) == {"exercise", "sheet", "notice"}
    assert kinds["exercise"]["records"] == 2
    assert kinds["exercise"]["fields"]["levels"]["precision"] == 0.5
    assert kinds["notice"]["records"] == 3  # missing-one is not counted
    assert kinds["notice"]["fields"]["levels"]["labelled"] == 2  # d and f
    assert kinds["notice"]["fields"]["levels"]["coverage"] == 0.5

    wrong = {(e["record"], e["field"]) for e in result["errors"]}
    assert wrong == {("b", "levels"), ("c", "levels"), ("c", "disciplines")}
    text = format_report(result, show_errors=True)
    assert "6 of 7 labelled records" in text and "missing-one" in text
    assert "kind exercise (2 records)" in text and "Wrong values:" in text


def test_a_better_store_scores_better(store: Store, vocab: Vocabulary, labels_file: Path) -> None:
    """The figures follow the data: the same labels on right values give 100 %."""
    fixed = {**RECORDS, "b": ([(C5, "inferred")], [(MATHS, "inferred")]),
             "c": ([(C5, "inferred")], [(FR, "inferred")])}
    build_store(store, vocab, fixed)
    result = evaluate(store, read_labels(labels_file, vocab), vocab)
    assert result["fields"]["levels"]["precision"] == 1.0
    assert result["fields"]["disciplines"]["precision"] == 1.0
    assert result["errors"] == []


@pytest.mark.parametrize(("text", "message"), [
    ("record\tlevels\nx\tscolomfr-voc-015-num-919\n", "not a voc-022 concept"),
    ("record\tdisciplines\nx\tscolomfr-voc-015-num-999999\n", "not a voc-015 concept"),
    ("name\tlevels\nx\t\n", "header needs a record column"),
    ("record\tlevels\nx\t\nx\t\n", "labelled twice"),
    ("# only comments\n", "no labelled records"),
])  # fmt: skip
def test_bad_label_files_fail_clearly(tmp_path: Path, vocab: Vocabulary, text: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LabelError, match=message):
        read_labels(path, vocab)


def test_label_ids_may_be_uris(tmp_path: Path, vocab: Vocabulary) -> None:
    path = tmp_path / "uris.tsv"
    base = "http://data.education.fr/voc/scolomfr/concept/"
    path.write_text(f"identifier\tlevels\tdisciplines\nx\t{base}{C5}, {base}{CYCLE4}\t{MATHS}\n",
                    encoding="utf-8")
    (label,) = read_labels(path, vocab)
    assert label.acceptable == {"levels": frozenset({C5, CYCLE4}), "disciplines": frozenset({MATHS})}
    assert label.kind is None


def test_cli_evaluate(data_dir: Path, vocab: Vocabulary, labels_file: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{data_dir / 'catalogue.db'}")
    store.upgrade()
    build_store(store, vocab)
    store.close()
    runner = CliRunner()
    out = runner.invoke(main, ["quality", "--evaluate", str(labels_file), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["fields"]["levels"]["precision"] == 0.5
    assert data["kinds"]["sheet"]["fields"]["disciplines"]["precision"] == 0.0
    text = runner.invoke(main, ["quality", "--evaluate", str(labels_file), "--errors"])
    assert text.exit_code == 0 and "inferred" in text.output and "Wrong values:" in text.output
    bad = labels_file.with_name("bad.tsv")
    bad.write_text("record\tlevels\nx\tnope\n", encoding="utf-8")
    failed = runner.invoke(main, ["quality", "--evaluate", str(bad)])
    assert failed.exit_code != 0 and "not a voc-022 concept" in failed.output
