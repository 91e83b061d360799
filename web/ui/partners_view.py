"""Partner pages and the coverage page: what each partner brings and how its harvests went."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from catalogue.quality import ORIGIN_KEYS, quality
from catalogue.reports import run_report
from catalogue.store import RunInfo, Store
from schemas.provenance import ORIGIN_LABELS
from search.base import SearchQuery
from web.ui.french import (
    OUTCOMES,
    QUALITY_LABELS,
    RUN_MODE,
    RUN_STATUS,
    STAGES,
    datetime_fr,
    problem_fr,
    run_warning_fr,
    short_label,
)
from web.ui.state import SearchState

MAX_COLUMNS = 12  # disciplines in the coverage matrix: 1 + 12 index queries per page
MAX_FAILURES = 100
HEAT_STEPS = 5


@dataclass
class Partner:
    id: str
    name: str
    sources: list[dict[str, Any]]
    records: int
    last_run: RunInfo | None

    @property
    def last_status(self) -> str:
        if self.last_run is None:
            return "jamais moissonné"
        return RUN_STATUS.get(self.last_run.status, self.last_run.status)

    @property
    def last_date(self) -> str:
        if self.last_run is None:
            return "—"
        return datetime_fr(self.last_run.finished_at or self.last_run.started_at)

    @property
    def status_kind(self) -> str:
        return _status_kind(self.last_run.status if self.last_run else None)


def _status_kind(status: str | None) -> str:
    return {"done": "ok", "done-with-errors": "warn", "failed": "error", "interrupted": "error",
            "running": "info"}.get(status or "", "info")


def list_partners(store: Store, names: dict[str, str]) -> list[Partner]:
    """The partners with sources in the store; ``names``: the partner directory's names."""
    counts = store.counts_by_source()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for source in store.sources():
        grouped.setdefault(source["partner"], []).append(source)
    partners = []
    for pid, sources in grouped.items():
        runs = [r for r in (store.last_run(s["id"]) for s in sources) if r is not None]
        last = max(runs, key=lambda r: r.started_at) if runs else None
        partners.append(Partner(pid, names.get(pid, pid), sources,
                                sum(counts.get(s["id"], 0) for s in sources), last))
    partners.sort(key=lambda p: p.name.lower())
    return partners


@dataclass
class RunRow:
    id: int
    started: str
    finished: str
    mode: str
    status: str
    status_kind: str
    counts: list[tuple[str, int]]
    error: str | None


@dataclass
class Problem:
    stage: str
    identifier: str
    advice: str
    technical: str
    record_url: str | None


@dataclass
class OpenProblemRow:
    """A record that failed (or was stored with a reservation) and that no later run fixed."""

    stage: str
    identifier: str
    kind: str  # "erreur" or "réserve"
    advice: str
    technical: str
    first_seen: str
    first_seen_run: int
    last_seen: str
    last_seen_run: int
    runs_since: int


@dataclass
class SourcePanel:
    id: str
    name: str
    protocol: str
    url: str
    records: int
    runs: list[RunRow]
    last_report: dict[str, Any] | None
    problems: list[Problem]
    problems_total: int
    quality: list[tuple[str, str, float]]
    unmatched: list[dict[str, Any]]
    deprecated: list[dict[str, Any]]
    # ("Niveaux", [(origin label, count), …]) per field: how many records owe their values to the
    # partner's declaration, its classification, the content, a default, a curation, or nothing.
    origins: list[tuple[str, list[tuple[str, str, int]]]] = field(default_factory=list)
    # Problems of any run still open (a quiet incremental run does not hide them).
    open_problems: list[OpenProblemRow] = field(default_factory=list)
    open_problems_total: int = 0
    # Warnings of the last run about the run itself (a fallback): (advice, technical detail).
    run_warnings: list[tuple[str, str]] = field(default_factory=list)
    # Records the last run deleted, each with why: (identifier, reason in French).
    deletions: list[tuple[str, str]] = field(default_factory=list)
    deletions_total: int = 0


def deletion_fr(deletion: dict[str, Any]) -> str:
    """Why a record left the catalogue, as a partner reads it."""
    if deletion["reason"] == "absent":
        return (f"absente de vos listes complètes {deletion['full_runs']} fois de suite : "
                "retirée du catalogue")
    return "vous avez signalé sa suppression"


ORIGIN_COLUMNS = {**ORIGIN_LABELS, "none": "aucun"}


def origin_rows(figures: dict[str, Any] | None) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """("Niveaux", [(origin, French label, records), …]) for the partner page's origin table."""
    if not figures:
        return []
    return [(title, [(o, ORIGIN_COLUMNS[o], int(figures[key].get(o, 0))) for o in ORIGIN_KEYS])
            for title, key in (("Niveaux", "level_origins"), ("Disciplines", "discipline_origins"))]


def _run_row(run: RunInfo) -> RunRow:
    return RunRow(
        id=run.id,
        started=datetime_fr(run.started_at),
        finished=datetime_fr(run.finished_at) if run.finished_at else "—",
        mode=RUN_MODE.get(run.mode, run.mode),
        status=RUN_STATUS.get(run.status, run.status),
        status_kind=_status_kind(run.status),
        counts=[(label, int(run.counts.get(key, 0))) for key, label in OUTCOMES],
        error=run.error,
    )


def source_panel(store: Store, source: dict[str, Any], records: int) -> SourcePanel:
    runs = store.runs(source["id"], limit=10)
    report = run_report(store, runs[0], max_items=MAX_FAILURES) if runs else None
    problems = [
        Problem(
            stage=STAGES.get(f["stage"] or "", f["stage"] or "?"),
            identifier=f["identifier"] or f["url"] or "(page entière)",
            advice=problem_fr(f["stage"], f["message"]),
            technical=f["message"] or "",
            record_url=None,
        )
        for f in (report or {}).get("failures", [])
    ]
    figures = quality(store, source["id"])["sources"].get(source["id"])
    still_open, open_total = store.open_problems(source["id"], limit=MAX_FAILURES) if runs else ([], 0)
    open_rows = [
        OpenProblemRow(
            stage=STAGES.get(p.stage or "", p.stage or "?"),
            identifier=p.identifier,
            kind="erreur" if p.kind == "failed" else "réserve",
            advice=problem_fr(p.stage, p.message),
            technical=p.message or "",
            first_seen=datetime_fr(p.first_seen_at), first_seen_run=p.first_seen_run,
            last_seen=datetime_fr(p.last_seen_at), last_seen_run=p.last_seen_run,
            runs_since=p.runs_since,
        )
        for p in still_open
    ]
    return SourcePanel(
        id=source["id"],
        name=source["name"],
        protocol=source["protocol"],
        url=source["url"],
        records=records,
        runs=[_run_row(r) for r in runs],
        last_report=report,
        problems=problems,
        problems_total=int((report or {}).get("failures_total", 0)),
        quality=[(key, label, float(figures[key])) for key, label in QUALITY_LABELS] if figures else [],
        unmatched=list(figures.get("unmatched_terms", [])) if figures else [],
        deprecated=list(figures.get("deprecated_ids", [])) if figures else [],
        origins=origin_rows(figures),
        open_problems=open_rows,
        open_problems_total=open_total,
        deletions=[(d["identifier"] or d["record_id"] or "?", deletion_fr(d))
                   for d in (report or {}).get("deletions", [])],
        deletions_total=int((report or {}).get("deletions_total", 0)),
        run_warnings=[(run_warning_fr(w["message"]), w["message"] or "")
                      for w in (report or {}).get("warnings", []) if not w["identifier"]],
    )


# -- coverage -----------------------------------------------------------------------------------


@dataclass
class Cell:
    count: int
    url: str | None
    heat: int


@dataclass
class Row:
    id: str
    label: str
    total: int
    cells: list[Cell]
    stage: bool = False


@dataclass
class Coverage:
    total: int
    columns: list[tuple[str, str, int]]  # id, label, total
    rows: list[Row] = field(default_factory=list)
    max_count: int = 0


def heat(count: int, maximum: int) -> int:
    """0 for none, then 1..HEAT_STEPS on a log scale (a few big cells must not wash out the rest)."""
    if count <= 0 or maximum <= 0:
        return 0
    if maximum == 1:
        return HEAT_STEPS
    step = 1 + int((HEAT_STEPS - 1) * math.log(count) / math.log(maximum) + 1e-9)
    return max(1, min(HEAT_STEPS, step))


def coverage(index: Any, vocab: Any) -> Coverage:
    """Levels × disciplines from index facets: one query overall, one per discipline column."""
    overall = index.search(SearchQuery(per_page=1, highlight=False))
    disciplines = overall.facets.get("discipline", [])
    main = {str(c.id) for c in vocab.disciplines()} if vocab is not None else set()
    columns_src = [v for v in disciplines if v.count > 0 and (not main or v.id in main)]
    if not columns_src:
        columns_src = [v for v in disciplines if v.count > 0]
    columns_src = columns_src[:MAX_COLUMNS]
    columns = [(str(v.id), short_label(str(v.label)), int(v.count)) for v in columns_src]
    level_totals = {str(v.id): int(v.count) for v in overall.facets.get("level", [])}
    per_column: dict[str, dict[str, int]] = {}
    for cid, _, _ in columns:
        result = index.search(SearchQuery(filters={"discipline": [cid]}, per_page=1, highlight=False))
        per_column[cid] = {str(v.id): int(v.count) for v in result.facets.get("level", [])}
    cov = Coverage(total=int(overall.total), columns=columns)
    tree = list(vocab.level_tree()) if vocab is not None else []
    wanted: list[tuple[str, str, bool]] = []
    for node in tree:
        if getattr(node.concept, "kind", "") == "cycle":
            continue
        if level_totals.get(str(node.concept.id), 0) <= 0:
            continue
        wanted.append((str(node.concept.id), short_label(node.concept.label), True))
        wanted.extend((str(child.concept.id), short_label(child.concept.label), False)
                      for child in node.children if level_totals.get(str(child.concept.id), 0) > 0)
    cov.max_count = max((per_column[c][lid] for c, _, _ in columns for lid, _, stage in wanted
                         if not stage and lid in per_column[c]), default=0)
    stage_max = max((per_column[c].get(lid, 0) for c, _, _ in columns for lid, _, stage in wanted if stage),
                    default=0)
    for lid, label, stage in wanted:
        cells = []
        for cid, _, _ in columns:
            n = per_column[cid].get(lid, 0)
            url = SearchState(filters={"level": (lid,), "discipline": (cid,)}).url() if n else None
            cells.append(Cell(n, url, heat(n, stage_max if stage else cov.max_count)))
        cov.rows.append(Row(lid, label, level_totals.get(lid, 0), cells, stage))
    return cov
