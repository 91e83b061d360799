"""Languages, licences and resource types normalised through data tables in ``schemas/mappings``.

The tables are data so that a curator can add a partner's spelling without touching code; they
are loaded once per process.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from schemas.cleaning.text import clean_text

MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"
DCMI = "http://purl.org/dc/dcmitype/"


def _rows(name: str) -> list[dict[str, str]]:
    """Rows of a mapping table (comment lines start with '#'; first other line is the header)."""
    with (MAPPINGS / name).open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """Lookup key: no accents, lower case, single spaces, no surrounding punctuation.

    Memoised: partners repeat the same rights, types and languages on every record."""
    text = unicodedata.normalize("NFKD", s)
    text = _COMBINING.sub("", text).casefold()
    text = text.replace("’", "'").replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", text).strip(" .;,:[]()")


# ---------------------------------------------------------------------------------------------
# Languages


@cache
def _languages() -> dict[str, str]:
    table: dict[str, str] = {}
    for row in _rows("languages.tsv"):
        code = row["iso639_1"]
        for alias in [code, *row["iso639_2"].split(), *row["names"].split("|")]:
            if alias:
                table.setdefault(fold(alias), code)
    return table


def normalize_language(s: str | None) -> str | None:
    """ISO 639-1 code for a language code, URI or name ("fre", "fr-FR", "Français"…), or None."""
    if not s:
        return None
    key = fold(s)
    if "/" in key:  # ScoLOMFR: http://id.loc.gov/vocabulary/iso639-2/fre
        key = key.rstrip("/").rsplit("/", 1)[-1]
    if not key:
        return None
    table = _languages()
    if key in table:
        return table[key]
    primary = re.split(r"[-_]", key, maxsplit=1)[0]  # BCP 47: fr-FR, fr_CA, fra-FR
    if primary != key and primary in table:
        return table[primary]
    return None


# ---------------------------------------------------------------------------------------------
# Licences


@dataclass(frozen=True)
class _LicenceRule:
    kind: str
    pattern: re.Pattern[str]
    code: str
    label: str
    uri: str
    access: str
    provenance: str  # source | rule (licence rows), default (the default row)


@cache
def _licence_rules() -> tuple[_LicenceRule, ...]:
    return tuple(
        _LicenceRule(
            row["kind"],
            re.compile(row["pattern"]),
            row["code"],
            row["label"],
            row["uri"],
            row["access"],
            row.get("provenance") or "",
        )
        for row in _rows("licences.tsv")
    )


def default_licence() -> dict[str, Any]:
    """What a record carries when its partner stated no licence the catalogue recognises: the
    ``default`` row of licences.tsv (rights not evaluated), marked as the catalogue's."""
    rule = next(r for r in _licence_rules() if r.kind == "default")
    return {"uri": rule.uri or None, "label": rule.label, "code": rule.code,
            "provenance": "default"}


def rights_licence(licence: dict[str, Any] | None, rights: str | None) -> dict[str, Any]:
    """The record's licence with a rights IRI whenever one can be said: the reader's licence,
    else what the partner's rights text says (« © INA — tous droits réservés »), else the
    default (copyright not evaluated, provenance ``default``)."""
    if licence:
        return licence
    if rights:
        found, _ = normalize_licence(rights)
        if found:
            return found
    return default_licence()


def licence_key(s: str) -> str:
    """The key licence patterns are matched against (see the header of licences.tsv)."""
    key = fold(s)
    key = re.sub(r"^(https?|ftp)://", "", key)
    key = re.sub(r"^www\.", "", key)
    key = re.sub(r"[^a-z0-9.]+", "-", key)
    key = re.sub(r"\.(?=-|$)", "", key)  # a full stop ending a word or sentence
    return key.strip("-.")


def _match_licence(text: str) -> _LicenceRule | None:
    key = licence_key(text)
    if not key:
        return None
    for rule in _licence_rules():
        if rule.kind == "rewrite":
            key = rule.pattern.sub(rule.code, key)
        elif rule.kind in ("licence", "none") and rule.pattern.search(key):
            return rule
    return None


def normalize_licence(s: str | None, uri: str | None = None) -> tuple[dict[str, Any] | None, str]:
    """(licence ``{uri, label, code, provenance}`` or None, access "free" | "restricted" |
    "unknown").

    ``uri`` (a licence link, an Anchor href) is tried before the text ``s``. A statement that no
    licence was given ("License Not Specified") and anything unrecognised give (None, "unknown");
    callers keep the raw text in ``rights`` and may warn.
    """
    for candidate in (uri, s):
        if not candidate or not candidate.strip():
            continue
        rule = _match_licence(candidate)
        if rule is None:
            continue
        if rule.kind == "none":
            return None, rule.access or "unknown"
        licence_uri = rule.uri or None
        provenance = rule.provenance or "source"
        if licence_uri is None and uri and uri.strip().lower().startswith(("http://", "https://")):
            licence_uri = uri.strip()
            provenance = "source"  # the partner's own link
        return ({"uri": licence_uri, "label": rule.label, "code": rule.code,
                 "provenance": provenance}, rule.access)
    return None, "unknown"


# ---------------------------------------------------------------------------------------------
# Resource types


@dataclass(frozen=True)
class _Types:
    concepts: dict[str, dict[str, str]]  # id -> {"id", "label", "scheme"}
    parents: dict[str, str]  # concept id -> DCMI id
    by_name: dict[str, str]  # folded id / URI tail / label -> concept id
    maps: dict[tuple[str, str], tuple[str, ...]]  # (scheme, folded term) -> ids


@cache
def _types() -> _Types:
    concepts: dict[str, dict[str, str]] = {}
    parents: dict[str, str] = {}
    by_name: dict[str, str] = {}
    maps: dict[tuple[str, str], tuple[str, ...]] = {}
    for row in _rows("types.tsv"):
        if row["kind"] == "concept":
            cid = row["term"]
            concepts[cid] = {"id": cid, "label": row["label"], "scheme": row["scheme"]}
            if row["ids"]:
                parents[cid] = row["ids"]
            tail = cid.rstrip("/").rsplit("/", 1)[-1]
            for name in (cid, tail, tail.replace("_", " "), row["label"]):
                by_name.setdefault(fold(name), cid)
            if not cid.startswith("http"):
                by_name.setdefault(fold("http://data.education.fr/voc/scolomfr/concept/" + cid), cid)
        elif row["kind"] == "map":
            maps[(row["scheme"], fold(row["term"]))] = tuple(row["ids"].split())
    for ids in maps.values():
        missing = [i for i in ids if i not in concepts]
        if missing:
            raise ValueError(f"types.tsv maps to unknown concepts: {missing}")
    return _Types(concepts, parents, by_name, maps)


def _type_ids(s: str, scheme: str | None) -> tuple[str, ...]:
    types = _types()
    key = fold(s)
    if not key:
        return ()
    for candidate in (key, key.split(" -- ", 1)[0].strip()):
        if scheme and (scheme, candidate) in types.maps:
            return types.maps[(scheme, candidate)]
        if ("*", candidate) in types.maps:
            return types.maps[("*", candidate)]
        cid = types.by_name.get(candidate)
        if cid:
            parent = types.parents.get(cid)
            return (parent, cid) if parent else (cid,)
    return ()


def normalize_types(s: str | None, scheme: str | None = None) -> list[dict[str, Any]]:
    """Every concept a partner type gives: the DCMI type first, then a finer ScoLOMFR concept."""
    text = clean_text(s)
    if not text:
        return []
    concepts = _types().concepts
    return [dict(concepts[cid]) for cid in _type_ids(text, scheme)]


def normalize_type(s: str | None, scheme: str | None = None) -> dict[str, Any] | None:
    """The one facet-friendly type for a partner value (a DCMI type when one fits), or None.

    ``scheme`` names where the value comes from ("iso19139", "mrss", "udata", "lom") for words
    whose meaning depends on it; values from anywhere else use the shared rows.
    """
    found = normalize_types(s, scheme)
    return found[0] if found else None


def merge_types(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Types without repeats, DCMI types first (the facet reads the first ones).

    DCMI "Image" is dropped when "StillImage" or "MovingImage" says more (Gallica sends all three).
    """
    ids = {str(t["id"]) for t in values}
    if ids & {DCMI + "StillImage", DCMI + "MovingImage"}:
        ids.discard(DCMI + "Image")
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for item in sorted(values, key=lambda t: not str(t["id"]).startswith(DCMI)):
        if item["id"] in ids and item["id"] not in seen:
            seen.add(item["id"])
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------------
# Known values (the API refuses a filter value none of these tables can give)


def language_codes() -> frozenset[str]:
    """Every ISO 639-1 code of ``languages.tsv`` (what records' ``languages`` hold)."""
    return frozenset(_languages().values())


def licence_codes() -> frozenset[str]:
    """Every licence code a record can carry: the codes of licences.tsv's rows, except the
    rewrites and the statements that there is no licence."""
    return frozenset(rule.code for rule in _licence_rules()
                     if rule.kind not in ("rewrite", "none") and rule.code)


def type_codes() -> frozenset[str]:
    """Every resource type id of ``types.tsv`` (the ``id`` of records' resource types)."""
    return frozenset(_types().concepts)
