"""``catalogue harvest SOURCE --dry-run N``: what N records of a source would look like, before
it is ever harvested. Reads only the pages it needs, maps with the real pipeline's mapper and
stores nothing (not even the source's row): a partner and the team judge a source from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from catalogue.config import Source
from catalogue.pipeline import Mapper, map_one
from catalogue.store import RawEntry, utcnow
from harvesters.base import HarvestFailed, harvester_for, options_schema_for
from harvesters.options import option_names
from schemas.provenance import ORIGIN_LABELS
from schemas.record import Record, record_id

# How many records may fail beyond the N asked for before the preview gives up: enough to see
# that a source maps nothing, without reading a whole listing for it.
FAILURE_SLACK = 20
# Failure reasons listed (the first ones, each with its record).
MAX_REASONS = 5
STAGES_FR = {"fetch": "téléchargement", "parse": "lecture", "map": "conversion",
             "validate": "validation"}


@dataclass
class Preview:
    source_id: str
    records: list[Record] = field(default_factory=list)
    mapped: int = 0
    failed: int = 0
    deleted: int = 0
    pages: int = 0
    # (identifier, stage, reason) of the first failed records.
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    error: str | None = None  # the listing itself could not be read

    @property
    def ok(self) -> bool:
        """Something could be mapped: the source is worth harvesting."""
        return self.mapped > 0


def _sized(source: Source, limit: int) -> Source:
    """The source asking for pages of at most ``limit`` records, where the client chooses."""
    schema = options_schema_for(source.protocol)
    if schema is None or "page_size" not in option_names(schema):
        return source
    size = source.options.get("page_size")
    if isinstance(size, int) and size <= limit:
        return source
    return replace(source, options={**source.options, "page_size": limit})


def preview(source: Source, http: Any, limit: int, mapper: Mapper | None = None) -> Preview:
    """Map records of ``source`` until ``limit`` are mapped (or ``limit + FAILURE_SLACK`` were
    read, or the listing ends); nothing is written anywhere."""
    mapper = mapper or Mapper()
    result = Preview(source.id)
    harvester = harvester_for(_sized(source, limit).spec(), http)
    harvested_at = utcnow().replace(microsecond=0).isoformat() + "Z"
    try:
        for page in harvester.pages(since=None, checkpoint=None):
            result.pages += 1
            for raw in page.records:
                if raw.deleted:
                    result.deleted += 1
                    continue
                rid = record_id(source.id, raw.identifier)
                entry = RawEntry(rid, raw.identifier, raw.format, raw.content, "", None)
                write = map_one(mapper, source, raw, entry, harvested_at, [])
                if write.record is not None:
                    result.records.append(write.record)
                    result.mapped += 1
                else:
                    result.failed += 1
                    stage, reason = write.failure or ("map", "?")
                    if len(result.failures) < MAX_REASONS:
                        result.failures.append((raw.identifier, stage, reason))
                if result.mapped >= limit or result.failed >= limit + FAILURE_SLACK:
                    return result
    except HarvestFailed as exc:
        result.error = str(exc)
    except ValueError as exc:  # a wrong option the check did not see
        result.error = str(exc)
    return result


def _title(record: Record) -> str:
    titles = record.get("title") or []
    text = next((t["value"] for t in titles if t.get("lang") == "fr"),
                titles[0]["value"] if titles else "")
    return " ".join(str(text).split())


def _aligned(values: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"label": v["label"], "origin": v.get("provenance") or "source"} for v in values]


def summary(record: Record) -> dict[str, Any]:
    """What the preview shows of one record (also its ``--json`` form)."""
    licence = record.get("licence") or {}
    return {
        "id": record["id"],
        "identifier": (record.get("source") or {}).get("identifier"),
        "title": _title(record),
        "levels": _aligned(record.get("levels") or []),
        "disciplines": _aligned(record.get("disciplines") or []),
        "licence": licence.get("code"),
        "licence_label": licence.get("label"),
        "licence_origin": licence.get("provenance"),
    }


def as_json(result: Preview) -> dict[str, Any]:
    return {
        "source": result.source_id, "ok": result.ok, "mapped": result.mapped,
        "failed": result.failed, "deleted": result.deleted, "pages": result.pages,
        "error": result.error,
        "failures": [{"identifier": i, "stage": s, "reason": r} for i, s, r in result.failures],
        "records": [summary(r) for r in result.records],
    }


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _values(values: list[dict[str, str]]) -> str:
    """``cycle 3, 5e [par défaut]``: the values, grouped by origin."""
    if not values:
        return "—"
    groups: dict[str, list[str]] = {}
    for v in values:
        groups.setdefault(v["origin"], []).append(v["label"])
    return " ; ".join(f"{', '.join(labels)} [{ORIGIN_LABELS.get(origin, origin)}]"
                      for origin, labels in groups.items())


def render(result: Preview) -> str:
    """The French preview: one block per record, then the counts and the first reasons."""
    lines = [f"Aperçu de {result.source_id} (rien n'est enregistré)", ""]
    for number, record in enumerate(result.records, start=1):
        item = summary(record)
        lines.append(f"{number}. {_cut(item['title'], 90)}")
        lines.append(f"   niveaux     : {_values(item['levels'])}")
        lines.append(f"   disciplines : {_values(item['disciplines'])}")
        licence = item["licence_label"] or item["licence"] or "—"
        if item["licence_origin"] == "default":
            licence += " [par défaut]"
        lines.append(f"   licence     : {licence}")
    if result.records:
        lines.append("")
    lines.append(f"{result.mapped} notice(s) convertie(s), {result.failed} en échec"
                 + (f", {result.deleted} supprimée(s)" if result.deleted else "")
                 + f" ({result.pages} page(s) lue(s))")
    for identifier, stage, reason in result.failures:
        lines.append(f"  échec [{STAGES_FR.get(stage, stage)}] {_cut(identifier, 60)} : "
                     f"{_cut(reason, 200)}")
    if result.error:
        lines.append(f"  la liste n'a pas pu être lue : {_cut(result.error, 300)}")
    if not result.ok:
        lines.append("Aucune notice n'a pu être convertie : vérifiez la configuration "
                     "(catalogue sources check --remote).")
    return "\n".join(lines)
