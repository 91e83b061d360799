"""Where the time goes: a cProfile dump summarised by area and by function.

Why areas: "41 % in marshmallow" says more to whoever must fix the pipeline than a flat list of
a thousand functions. Own time (tottime) is summed per area, so shares add up to 100 %.

``python -m bench.profiling FILE.pstats [--top N]`` prints the summary.
"""

from __future__ import annotations

import argparse
import pstats
from collections import defaultdict
from typing import Any

# First matching fragment of the file path (or of the built-in's name) names the area.
AREAS: list[tuple[str, str]] = [
    ("/marshmallow/", "marshmallow (validate_record)"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("sqlite3", "sqlite3 (C)"),
    ("/lxml/", "lxml"),
    ("lxml.etree", "lxml"),
    ("/requests/", "requests/urllib3 (HTTP client)"),
    ("/urllib3/", "requests/urllib3 (HTTP client)"),
    ("/http/client", "requests/urllib3 (HTTP client)"),
    ("/email/", "requests/urllib3 (HTTP client)"),
    ("socket", "requests/urllib3 (HTTP client)"),
    ("/tantivy", "tantivy"),
    ("tantivy.", "tantivy"),
    ("/json/", "json"),
    ("_json", "json"),
    ("nh3", "nh3 (HTML sanitiser)"),
    ("/schemas/readers/", "schemas.readers"),
    ("/schemas/alignment", "schemas.alignment"),
    ("/schemas/vocabularies/", "schemas.vocabularies"),
    ("/schemas/cleaning/", "schemas.cleaning"),
    ("/schemas/", "schemas (other)"),
    ("/catalogue/store", "catalogue.store"),
    ("/catalogue/pipeline", "catalogue.pipeline"),
    ("/harvesters/", "harvesters"),
    ("/search/", "search"),
    ("/alembic/", "alembic"),
    ("/bench/", "bench (instrumentation)"),
    ("zlib", "zlib"),
    ("_hashlib", "hashlib"),
    ("<method 'sub'", "re (regular expressions)"),
    ("<method 'match'", "re (regular expressions)"),
    ("<method 'search'", "re (regular expressions)"),
    ("<method 'findall'", "re (regular expressions)"),
    ("/re/", "re (regular expressions)"),
    ("unicodedata", "unicodedata"),
    ("/threading.py", "threading (waits)"),
    ("<method 'acquire'", "threading (waits)"),
]


def _area(key: tuple[str, int, str]) -> str:
    filename, _line, name = key
    text = f"{filename} {name}"
    for fragment, area in AREAS:
        if fragment in text:
            return area
    if filename == "~":
        return "builtins (other)"
    return "python stdlib/other"


def summarise(path: str, top: int = 25) -> dict[str, Any]:
    stats = pstats.Stats(path)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    areas: defaultdict[str, float] = defaultdict(float)
    for key, value in raw.items():
        areas[_area(key)] += value[2]
    functions = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    cumulative = sorted(raw.items(), key=lambda kv: kv[1][3], reverse=True)[:top]

    def name(key: tuple[str, int, str]) -> str:
        filename, line, func = key
        short = filename.split("/site-packages/")[-1].split("/work/main/")[-1]
        return f"{short}:{line}({func})" if filename != "~" else func

    return {
        "total_s": round(total, 3),
        "areas": {a: round(s / total, 4) for a, s in sorted(areas.items(), key=lambda kv: -kv[1])},
        "own_time": [{"function": name(k), "share": round(v[2] / total, 4), "calls": v[1]}
                     for k, v in functions],
        "cumulative": [{"function": name(k), "share": round(v[3] / total, 4), "calls": v[1]}
                       for k, v in cumulative],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling")
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    summary = summarise(args.file, args.top)
    print(f"profiled time: {summary['total_s']} s")
    print("\nown time by area:")
    for area, share in summary["areas"].items():
        print(f"  {share * 100:6.2f} %  {area}")
    print("\nown time by function:")
    for row in summary["own_time"]:
        print(f"  {row['share'] * 100:6.2f} %  {row['calls']:>9}  {row['function']}")
    print("\ncumulative time by function:")
    for row in summary["cumulative"]:
        print(f"  {row['share'] * 100:6.2f} %  {row['calls']:>9}  {row['function']}")


if __name__ == "__main__":
    main()
