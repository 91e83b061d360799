"""Quality figures per source: what share of records a teacher can actually find by facet."""

from __future__ import annotations

from collections import Counter
from typing import Any

from catalogue.store import Store, record_notes
from schemas.provenance import ORIGINS

# with_level / with_discipline count only values that say something about the resource: a
# partner-wide default is not a known level (see ``level_origins`` for those).
FRACTIONS = ("with_level", "with_discipline", "with_licence", "with_description", "with_thumbnail")
ALIGNED = (("levels", "level_origins"), ("disciplines", "discipline_origins"))
# Per field, each record counts once, under the strongest origin of its values (or "none").
ORIGIN_KEYS = (*ORIGINS, "none")


def _empty() -> dict[str, Any]:
    return {"records": 0, **{k: 0 for k in FRACTIONS},
            **{key: Counter({o: 0 for o in ORIGIN_KEYS}) for _, key in ALIGNED}}


def best_origin(entries: list[dict[str, Any]] | None) -> str:
    """The strongest origin among a field's values (curation > source > rule > inferred >
    default), or "none" when the field is empty."""
    found = {str(e.get("provenance")) for e in entries or []}
    return next((o for o in ORIGINS if o in found), "none")


def quality(store: Store, source_id: str | None = None, top: int = 20) -> dict[str, Any]:
    """``{"total": {...}, "sources": {id: {...}}}`` with counts turned into 0–1 fractions."""
    per: dict[str, dict[str, Any]] = {}
    unmatched: dict[str, Counter[str]] = {}
    deprecated: dict[str, Counter[str]] = {}
    notes = {rid: (sid, n) for rid, sid, n in record_notes(store, source_id)}
    for stored in store.iter_records(source_id=source_id):
        data = stored.data or {}
        acc = per.setdefault(stored.source_id, _empty())
        acc["records"] += 1
        for field, key in ALIGNED:
            acc[key][best_origin(data.get(field))] += 1
        acc["with_level"] += best_origin(data.get("levels")) not in ("default", "none")
        acc["with_discipline"] += best_origin(data.get("disciplines")) not in ("default", "none")
        acc["with_licence"] += bool(data.get("licence"))
        acc["with_description"] += bool(data.get("description"))
        acc["with_thumbnail"] += bool(data.get("thumbnail"))
        _, note = notes.get(stored.id, (stored.source_id, {}))
        unmatched.setdefault(stored.source_id, Counter()).update(note.get("unmatched", []))
        deprecated.setdefault(stored.source_id, Counter()).update(note.get("deprecated", []))
    total = _empty()
    total_unmatched: Counter[str] = Counter()
    total_deprecated: Counter[str] = Counter()
    sources: dict[str, Any] = {}
    for sid, acc in sorted(per.items()):
        for key in ("records", *FRACTIONS):
            total[key] += acc[key]
        for _, key in ALIGNED:
            total[key].update(acc[key])
        total_unmatched.update(unmatched.get(sid, Counter()))
        total_deprecated.update(deprecated.get(sid, Counter()))
        sources[sid] = _finish(acc, unmatched.get(sid, Counter()), deprecated.get(sid, Counter()), top)
    return {"total": _finish(total, total_unmatched, total_deprecated, top), "sources": sources}


def _finish(acc: dict[str, Any], unmatched: Counter[str], deprecated: Counter[str],
            top: int) -> dict[str, Any]:
    n = acc["records"]
    out: dict[str, Any] = {"records": n}
    for key in FRACTIONS:
        out[key] = round(acc[key] / n, 4) if n else 0.0
    for _, key in ALIGNED:
        out[key] = {o: int(acc[key][o]) for o in ORIGIN_KEYS}
    out["deprecated_ids"] = [{"id": k, "count": v} for k, v in deprecated.most_common()]
    out["unmatched_terms"] = [{"term": k, "count": v} for k, v in unmatched.most_common(top)]
    return out
