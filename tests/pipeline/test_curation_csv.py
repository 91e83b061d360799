"""Curation operations read from the editorial team's CSV, against the real vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.curation import CurationError, from_values, read_csv
from schemas.vocabularies import load_vocabulary


def test_csv_rows_become_concept_ids(tmp_path: Path) -> None:
    vocab = load_vocabulary()
    path = tmp_path / "curations.csv"
    path.write_text("record_id,field,action,value\n"
                    "r1,level,add,CM2\n"
                    "r1,discipline,remove,mathématiques\n", encoding="utf-8")
    ops = read_csv(path, vocab)
    assert [(o.record_id, o.field, o.action) for o in ops] == [
        ("r1", "level", "add"), ("r1", "discipline", "remove")]
    assert ops[0].concept == "scolomfr-voc-022-num-015"
    assert ops[1].concept.startswith("scolomfr-voc-015-")


@pytest.mark.parametrize(("row", "message"), [
    ("r1,level,add,mathématiques", "'mathématiques' is not a known level"),
    ("r1,levels,add,CM2", "field must be level|discipline"),
    ("r1,level", "missing action, value"),
])
def test_a_bad_row_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "curations.csv"
    path.write_text(f"record_id,field,action,value\nr1,level,add,CM2\n{row}\n", encoding="utf-8")
    with pytest.raises(CurationError, match=f"curations.csv:3: .*{message}"):
        read_csv(path, load_vocabulary())


def test_removal_finds_its_field() -> None:
    ops = from_values(load_vocabulary(), "r1", (), ("histoire",), ("CM2", "histoire"))
    assert [(o.field, o.action) for o in ops] == [
        ("discipline", "add"), ("level", "remove"), ("discipline", "remove")]
