"""Harvest reports: what happened to each record of a run, in words a partner can act on."""

from __future__ import annotations

import re
from typing import Any

from catalogue.store import RunInfo, Store
from core.timestamps import utc_stamp

# Warnings are advice, not errors: the text report shows the first ones (--json has them all).
MAX_WARNING_LINES = 20
_STATUS = {
    "fr": {"done": "terminé", "done-with-errors": "terminé avec erreurs", "failed": "échec",
           "running": "en cours", "interrupted": "interrompu"},
    "en": {"done": "done", "done-with-errors": "done with errors", "failed": "failed",
           "running": "running", "interrupted": "interrupted"},
}
_OUTCOME = {
    "fr": {"added": "ajoutés", "updated": "mis à jour", "unchanged": "inchangés",
           "deleted": "supprimés", "failed": "en erreur"},
    "en": {"added": "added", "updated": "updated", "unchanged": "unchanged", "deleted": "deleted",
           "failed": "failed"},
}
_STAGE = {
    "fr": {"fetch": "téléchargement", "parse": "lecture", "map": "conversion",
           "validate": "validation", "store": "enregistrement"},
    "en": {"fetch": "fetch", "parse": "parse", "map": "map", "validate": "validate", "store": "store"},
}
_TEXT = {
    "fr": {"source": "Source", "run": "moissonnage", "mode": "mode", "started": "début",
           "finished": "fin", "errors": "Erreurs par enregistrement", "none": "aucune erreur",
           "page": "(page)", "full": "complet", "incremental": "incrémental",
           "resumed": "reprise du moissonnage", "warnings": "Enregistrements acceptés avec réserves",
           "more": "autres",
           "open": "Problèmes ouverts (tous moissonnages confondus, jusqu'à correction)",
           "open_none": "aucun problème ouvert", "failed": "erreur", "warning": "réserve",
           "since": "depuis le moissonnage", "last_seen": "vu en dernier au moissonnage",
           "runs_since": "moissonnage(s) depuis", "deletions": "Notices supprimées",
           "tombstone": "suppression annoncée par le partenaire",
           "absent": "absente de {n} moissonnages complets consécutifs",
           "history": "Derniers moissonnages"},
    "en": {"source": "Source", "run": "run", "mode": "mode", "started": "started",
           "finished": "finished", "errors": "Per-record errors", "none": "no errors",
           "page": "(page)", "full": "full", "incremental": "incremental",
           "resumed": "resumes run", "warnings": "Records stored with warnings", "more": "more",
           "open": "Open problems (across runs, until fixed)", "open_none": "no open problem",
           "failed": "error", "warning": "warning", "since": "since run",
           "last_seen": "last seen in run", "runs_since": "run(s) since",
           "deletions": "Deleted records", "tombstone": "deletion announced by the partner",
           "absent": "absent from {n} consecutive full runs", "history": "Last runs"},
}


_ABSENT = re.compile(r"^absent from (\d+) consecutive full harvests")


def deletion_reason(message: str | None) -> dict[str, Any]:
    """Why a record was deleted, from its run item: the partner said so (a tombstone: OAI
    ``status="deleted"``, a 410, a udata ``deleted``) or full listings no longer had it
    (``Store.mark_missing``: "absent from N consecutive full harvests")."""
    match = _ABSENT.match(message or "")
    if match:
        return {"reason": "absent", "full_runs": int(match.group(1))}
    return {"reason": "tombstone", "full_runs": None}


def _chain(store: Store, run: RunInfo) -> list[int]:
    ids = [run.id]
    current = run
    while current.resumed_from:
        previous = store.run(current.resumed_from)
        if previous is None:
            break
        ids.append(previous.id)
        current = previous
    return ids


def run_report(store: Store, run: RunInfo, max_items: int = 1000) -> dict[str, Any]:
    """A run's report with its first ``max_items`` failures and warnings and their totals (two
    bounded queries each: the cost does not grow with the run)."""
    chain = _chain(store, run)

    def entries(outcomes: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
        items, total = store.first_run_items(chain, outcomes, max_items, with_message=True)
        return [{"stage": item.stage, "identifier": item.identifier, "record_id": item.record_id,
                 "message": item.message, "url": item.url} for item in items], total

    gone, deletions_total = store.first_run_items(chain, ("deleted",), max_items)
    deletions = [{"identifier": item.identifier, "record_id": item.record_id,
                  **deletion_reason(item.message)} for item in gone]

    failures, failures_total = entries(("failed",))
    # stored with something clipped, or a run-level warning (a fallback)
    warnings, warnings_total = entries(("added", "updated", "warning"))
    return {
        "source_id": run.source_id,
        "run_id": run.id,
        "resumed_runs": chain[1:],
        "mode": run.mode,
        "status": run.status,
        "started_at": utc_stamp(run.started_at),
        "finished_at": utc_stamp(run.finished_at) if run.finished_at else None,
        "counts": {k: int(run.counts.get(k, 0)) for k in ("added", "updated", "unchanged", "deleted",
                                                          "failed")},
        "error": run.error,
        "failures": failures,
        "failures_total": failures_total,
        "warnings": warnings,
        "warnings_total": warnings_total,
        "deletions": deletions,
        "deletions_total": deletions_total,
    }


def open_problems(store: Store, source_id: str, max_items: int = 1000) -> dict[str, Any]:
    """The source's open problems: records that failed or were stored with a warning in some run
    and that no later run fixed (see :meth:`Store.open_problems`)."""
    problems, total = store.open_problems(source_id, limit=max_items)
    return {
        "open_problems": [
            {"kind": p.kind, "stage": p.stage, "identifier": p.identifier,
             "record_id": p.record_id, "message": p.message, "url": p.url,
             "first_seen_run": p.first_seen_run, "first_seen_at": utc_stamp(p.first_seen_at),
             "last_seen_run": p.last_seen_run, "last_seen_at": utc_stamp(p.last_seen_at),
             "runs_since": p.runs_since}
            for p in problems
        ],
        "open_problems_total": total,
    }


_COUNTED = ("added", "updated", "unchanged", "deleted", "failed")


def run_summary(run: RunInfo) -> dict[str, Any]:
    """One line of a source's history: the run, its mode, status and counts."""
    return {"run_id": run.id, "mode": run.mode, "status": run.status,
            "started_at": utc_stamp(run.started_at),
            "finished_at": utc_stamp(run.finished_at) if run.finished_at else None,
            "counts": {k: int(run.counts.get(k, 0)) for k in _COUNTED}, "error": run.error}


def last_reports(store: Store, source_id: str | None = None,
                 history: int = 0) -> list[dict[str, Any]]:
    """The last run of each source (or of ``source_id``) with the source's open problems and,
    with ``history``, its last ``history`` runs (newest first)."""
    ids = [source_id] if source_id else [s["id"] for s in store.sources()]
    out = []
    for sid in ids:
        run = store.last_run(sid)
        if run is not None:
            rep = {**run_report(store, run), **open_problems(store, sid)}
            if history > 0:
                rep["history"] = [run_summary(r) for r in store.runs(sid, limit=history)]
            out.append(rep)
    return out


def _open_lines(rep: dict[str, Any], lang: str) -> list[str]:
    text, stage = _TEXT[lang], _STAGE[lang]
    lines = [f"  {text['open']} :" if lang == "fr" else f"  {text['open']}:"]
    if not rep["open_problems"]:
        lines.append(f"    {text['open_none']}")
    for p in rep["open_problems"]:
        lines.append(f"    [{stage.get(p['stage'] or '', p['stage'] or '?')}, {text[p['kind']]}] "
                     f"{p['identifier']} : {p['message']}")
        lines.append(f"      {text['since']} #{p['first_seen_run']} ({p['first_seen_at']}), "
                     f"{text['last_seen']} #{p['last_seen_run']} ({p['last_seen_at']}), "
                     f"{p['runs_since']} {text['runs_since']}")
    hidden = int(rep["open_problems_total"]) - len(rep["open_problems"])
    if hidden > 0:
        lines.append(f"    … {hidden} {text['more']}")
    return lines


def render_report(reports: list[dict[str, Any]], lang: str = "fr") -> str:
    text, status, outcome, stage = _TEXT[lang], _STATUS[lang], _OUTCOME[lang], _STAGE[lang]
    lines: list[str] = []
    for rep in reports:
        lines.append(f"{text['source']} {rep['source_id']} — {text['run']} #{rep['run_id']} "
                     f"({text[rep['mode']] if rep['mode'] in text else rep['mode']}) : "
                     f"{status.get(rep['status'], rep['status'])}")
        if rep["resumed_runs"]:
            lines.append(f"  {text['resumed']} #" + ", #".join(map(str, rep["resumed_runs"])))
        finished = rep["finished_at"] or "—"
        lines.append(f"  {text['started']} {rep['started_at']}, {text['finished']} {finished}")
        lines.append("  " + ", ".join(f"{outcome[k]} {v}" for k, v in rep["counts"].items()))
        if rep["error"]:
            lines.append(f"  ! {rep['error']}")
        lines.append(f"  {text['errors']} :" if lang == "fr" else f"  {text['errors']}:")
        if not rep["failures"]:
            lines.append(f"    {text['none']}")
        for f in rep["failures"]:
            ident = f["identifier"] or f"{text['page']} {f['url'] or ''}".strip()
            lines.append(f"    [{stage.get(f['stage'] or '', f['stage'] or '?')}] {ident} : {f['message']}")
        shown = rep.get("warnings", [])[:MAX_WARNING_LINES]
        if shown:
            lines.append(f"  {text['warnings']} :" if lang == "fr" else f"  {text['warnings']}:")
        for w in shown:
            ident = w["identifier"] or f"{text['page']} {w['url'] or ''}".strip()
            lines.append(f"    [{stage.get(w['stage'] or '', w['stage'] or '?')}] {ident} : "
                         f"{w['message']}")
        hidden = int(rep.get("warnings_total", 0)) - len(shown)
        if hidden > 0:
            lines.append(f"    … {hidden} {text['more']}")
        gone = rep.get("deletions", [])
        if gone:
            lines.append(f"  {text['deletions']} :" if lang == "fr" else f"  {text['deletions']}:")
        for d in gone:
            why = (text["absent"].format(n=d["full_runs"]) if d["reason"] == "absent"
                   else text["tombstone"])
            lines.append(f"    {d['identifier']} : {why}")
        hidden = int(rep.get("deletions_total", 0)) - len(gone)
        if hidden > 0:
            lines.append(f"    … {hidden} {text['more']}")
        if "open_problems" in rep:
            lines.extend(_open_lines(rep, lang))
        if "history" in rep:
            lines.append(f"  {text['history']} :" if lang == "fr" else f"  {text['history']}:")
            for h in rep["history"]:
                mode = text[h["mode"]] if h["mode"] in text else h["mode"]
                lines.append(f"    #{h['run_id']} {h['started_at']} {mode} : "
                             f"{status.get(h['status'], h['status'])} — "
                             + ", ".join(f"{outcome[k]} {v}" for k, v in h["counts"].items()))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
