"""The results: the JSON document the issue asks for, and a markdown table beside it."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

# (key in the JSON, label, unit, target, "min" if higher is better else "max")
TARGETS: list[tuple[str, str, str, float | None, str]] = [
    ("harvest_records_per_s", "Harvest, feed → searchable", "records/s", 3000, "min"),
    ("harvest.mapping_workers", "Mapping worker processes (catalogue harvest: 1 on 2+ cores)", "",
     None, "min"),
    ("harvest.records_per_cpu_s", "Harvest per CPU-second (main process + mapping workers)",
     "records/s", None, "min"),
    ("harvest.cpu_per_wall", "CPU the harvest used (1 = a whole core)", "cores", None, "min"),
    ("harvest_peak_rss_mb", "Harvest peak memory (RSS)", "MB", None, "max"),
    ("search_ms.p50", "Search in-process p50", "ms", 15, "max"),
    ("search_ms.p95", "Search in-process p95", "ms", 50, "max"),
    ("search_ms.p99", "Search in-process p99", "ms", None, "max"),
    ("search_http_ms.p50", "Search over HTTP p50", "ms", None, "max"),
    ("search_http_ms.p95", "Search over HTTP p95", "ms", None, "max"),
    ("search_http_ms.p99", "Search over HTTP p99", "ms", None, "max"),
    ("reharvest_ratio", "Re-harvest (1 % changed, 0.1 % deleted) / full", "ratio", 0.10, "max"),
    ("oai_records_per_s", "OAI-PMH ListRecords oai_dc", "records/s", 10000, "min"),
    ("oai_peer_ratio", "OAI-PMH ours / oaipmh BatchingServer", "×", 1.0, "min"),
    ("oai_server_max_rss_mb", "OAI-PMH server memory (RSS, master + 2 workers)", "MB", 300, "max"),
    ("oai_peer_memory_ratio", "OAI-PMH server memory ours / oaipmh", "×", None, "max"),
    ("api_requests_per_s", "API search under load", "req/s", 200, "min"),
    ("api_ms.p50", "API search under load p50", "ms", None, "max"),
    ("api_ms.p95", "API search under load p95", "ms", 100, "max"),
    ("serve_cold_start_s", "catalogue serve cold start (first search answered)", "s", 2.0, "max"),
]


def lookup(results: dict[str, Any], dotted: str) -> Any:
    value: Any = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def machine() -> dict[str, Any]:
    """nproc, RAM and CPU model, from /proc (as docs/benchmarks.md reports them)."""
    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gb = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "ram_gb": ram_gb, "cpu": model,
            "python": platform.python_version(), "system": platform.platform()}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(value: Any, target: float | None, sense: str) -> str:
    if target is None or value is None:
        return ""
    ok = value >= target if sense == "min" else value <= target
    return "met" if ok else "missed"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark at {results['records']:,} records",
        "",
        f"Machine: {results['machine']['nproc']} CPU ({results['machine']['cpu']}), "
        f"{results['machine']['ram_gb']} GB RAM, Python {results['machine']['python']}. "
        f"Command: `{results['command']}`. Stages: {', '.join(results['stages'])}.",
        "",
        "| figure | value | unit | target | |",
        "|---|---:|---|---:|---|",
    ]
    for key, label, unit, target, sense in TARGETS:
        value = lookup(results, key)
        if value is None:
            continue
        bound = "" if target is None else ("≥ " if sense == "min" else "≤ ") + _fmt(target)
        lines.append(f"| {label} | {_fmt(value)} | {unit} | {bound} | {verdict(value, target, sense)} |")
    harvest = results.get("harvest")
    if harvest:
        lines += ["", "Harvest time by stage (share of feed → searchable):", "",
                  "| stage | seconds | share |", "|---|---:|---:|"]
        for stage, seconds in harvest["stages_s"].items():
            lines.append(f"| {stage} | {_fmt(seconds)} | {harvest['stages_share'][stage] * 100:.1f} % |")
    search = results.get("search")
    if search:
        lines += ["", "Search latency by kind of query (in-process, ms):", "",
                  "| kind | p50 | p95 | p99 |", "|---|---:|---:|---:|"]
        for kind, figures in search["by_kind_ms"].items():
            lines.append(f"| {kind} | {_fmt(figures['p50'])} | {_fmt(figures['p95'])} | "
                         f"{_fmt(figures['p99'])} |")
    from bench.engines import table

    lines += table(results)
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], json_path: Path) -> Path:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path = json_path.with_suffix(".md")
    md_path.write_text(markdown(results), encoding="utf-8")
    return md_path


def combined(paths: list[Path]) -> str:
    """One table, one column per results file (for docs/benchmarks.md)."""
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    head = "| figure | unit | target | " + " | ".join(f"{r['records']:,} records" for r in runs) + " |"
    lines = [head, "|---|---|---:|" + "---:|" * len(runs)]
    for key, label, unit, target, sense in TARGETS:
        values = [lookup(r, key) for r in runs]
        if all(v is None for v in values):
            continue
        bound = "" if target is None else ("≥ " if sense == "min" else "≤ ") + _fmt(target)
        cells = []
        for value in values:
            mark = verdict(value, target, sense)
            cells.append(_fmt(value) + (f" ({mark})" if mark else ""))
        lines.append(f"| {label} | {unit} | {bound} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.report",
                                     description="Print one markdown table for several results files.")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(combined(args.files), end="")


if __name__ == "__main__":
    main()
