"""The sources file checked before anything runs: every ``[[source]]`` against the keys the
catalogue knows and the options schema its protocol client declares
(``harvesters.options``), with a "vouliez-vous dire … ?" hint for a misspelt key.

A bad source is reported and left out; the others run. Messages are in French (partners read
them in ``catalogue sources check`` and in the harvest output) and name the source and the key.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.config import (
    DEFAULTS_KEYS,
    SOURCE_KEYS,
    ConfigError,
    Source,
    build_source,
    declared_partners,
    read_source_tables,
)
from core.ids import ID
from harvesters.base import options_schema_for, protocols
from harvesters.options import check_options, option_names

REQUIRED = ("id", "name", "partner", "protocol", "url")
FILE = "fichier"  # the "source" of a problem with the file itself


@dataclass(frozen=True)
class Problem:
    """One mistake: the source (its id, or its position when it has none), the key, why."""

    source: str
    key: str | None
    message: str

    def __str__(self) -> str:
        where = "fichier" if self.source == FILE else f"source « {self.source} »"
        return f"{where}, clé « {self.key} » : {self.message}" if self.key else f"{where} : {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "key": self.key, "message": self.message}


@dataclass
class CheckedSources:
    """The sources that passed, and what is wrong with the others."""

    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Sources left out (ids, or "n° 3" for a table without an id), in file order.
    skipped: list[str] = field(default_factory=list)

    def problems_of(self, source: str) -> list[Problem]:
        return [p for p in self.problems if p.source in (source, FILE)]


def _normal(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def suggestion(key: str, known: Iterable[str]) -> str | None:
    """The known key ``key`` is most probably a misspelling of (case, ``_`` and ``-`` aside)."""
    by_normal = {_normal(k): k for k in known}
    close = difflib.get_close_matches(_normal(key), list(by_normal), n=1, cutoff=0.7)
    return by_normal[close[0]] if close else None


def _unknown(key: str, known: Iterable[str], what: str) -> str:
    hint = suggestion(key, known)
    return f"{what} inconnue — vouliez-vous dire « {hint} » ?" if hint else f"{what} inconnue"


def _is_urls(value: Any, schemes: tuple[str, ...]) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.startswith(schemes)
                                           for v in value)


class _TableCheck:
    """The problems of one ``[[source]]`` table."""

    def __init__(self, table: dict[str, Any], label: str) -> None:
        self.table = table
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.label, key, message))

    def run(self, substitutions: dict[str, str] | None) -> str | None:
        """Check everything; the source's URL (placeholders filled) when it is usable."""
        table = self.table
        for key in REQUIRED:
            if not isinstance(table.get(key), str) or not table[key].strip():
                self.problem(key, "obligatoire (un texte non vide)")
        for key in ("id", "partner"):
            value = table.get(key)
            if isinstance(value, str) and value and not ID.match(value):
                self.problem(key, "lettres minuscules, chiffres, « . », « _ » ou « - » seulement")
        for key in ("partner_name",):
            if key in table and not isinstance(table[key], str):
                self.problem(key, "doit être un texte")
        protocol = table.get("protocol")
        schema = options_schema_for(protocol) if isinstance(protocol, str) else None
        if isinstance(protocol, str) and protocol and schema is None:
            self.problem("protocol", f"protocole « {protocol} » inconnu ("
                         f"{', '.join(protocols())})"
                         + (f" — vouliez-vous dire « {hint} » ?"
                            if (hint := suggestion(protocol, protocols())) else ""))
        self._common_keys()
        if schema is not None:
            options = {k: v for k, v in table.items() if k not in SOURCE_KEYS}
            known = [*SOURCE_KEYS, *option_names(schema)]
            for key, value in options.items():
                if key in known:
                    continue
                if isinstance(value, dict):  # [source.default] for [source.defaults]
                    hint = suggestion(key, ["defaults"])
                    self.problem(f"[source.{key}]", "table inconnue" + (
                        f" — vouliez-vous dire « [source.{hint}] » ?" if hint else ""))
                else:
                    self.problem(key, _unknown(key, known, "clé")
                                 + ("" if suggestion(key, known) else
                                    f" pour le protocole {protocol} (options : "
                                    f"{', '.join(option_names(schema))})"))
            for key, messages in check_options(schema, options).items():
                self.problem(key, " ; ".join(messages))
            if protocol == "oai-pmh":
                self._reader(options)
        return self._url(substitutions)

    def _common_keys(self) -> None:
        table = self.table
        grace = table.get("deletion_grace", 2)
        if not isinstance(grace, int) or isinstance(grace, bool) or grace < 1:
            self.problem("deletion_grace", "doit être un entier ≥ 1")
        if not isinstance(table.get("enabled", True), bool):
            self.problem("enabled", "doit valoir true ou false")
        if not _is_urls(table.get("media_hosts", []), ("http://", "https://")):
            self.problem("media_hosts", "doit être une liste d'URL http(s)")
        if not _is_urls(table.get("notify", []), ("mailto:", "http://", "https://")):
            self.problem("notify", "doit être une liste d'adresses mailto: ou d'URL http(s)")
        defaults = table.get("defaults", {})
        if not isinstance(defaults, dict):
            self.problem("defaults", "doit être une table [source.defaults]")
            return
        for key, values in defaults.items():
            if key not in DEFAULTS_KEYS:
                self.problem(f"defaults.{key}", _unknown(key, DEFAULTS_KEYS, "clé"))
            elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                self.problem(f"defaults.{key}", "doit être une liste de libellés ou d'identifiants")

    def _reader(self, options: dict[str, Any]) -> None:
        from schemas.readers import reader_formats

        prefix = options.get("metadata_prefix", "oai_dc")
        if isinstance(prefix, str) and prefix and prefix not in reader_formats():
            self.problem("metadata_prefix",
                         f"aucun lecteur pour le format « {prefix} » : ses notices ne pourraient "
                         f"pas être converties (formats lus : {', '.join(reader_formats())})")

    def _url(self, substitutions: dict[str, str] | None) -> str | None:
        url = self.table.get("url")
        if not isinstance(url, str) or not url:
            return None
        if substitutions:
            try:
                url = url.format(**substitutions)
            except (KeyError, IndexError, ValueError) as exc:
                self.problem("url", f"espace réservé inconnu : {exc}")
                return None
        if not url.startswith(("http://", "https://")):
            self.problem("url", "doit commencer par http:// ou https://")
            return None
        return url


def check_tables(tables: list[Any], substitutions: dict[str, str] | None = None,
                 partners: dict[str, str] | None = None) -> CheckedSources:
    """Check each table; the good ones become sources (partner names from ``partners``), the
    others problems."""
    result = CheckedSources()
    seen: set[str] = set()
    for position, table in enumerate(tables, start=1):
        sid = table.get("id") if isinstance(table, dict) else None
        label = sid if isinstance(sid, str) and sid.strip() else f"n° {position}"
        if not isinstance(table, dict):
            result.problems.append(Problem(label, None, "doit être une table [[source]]"))
            result.skipped.append(label)
            continue
        check = _TableCheck(table, label)
        url = check.run(substitutions)
        if isinstance(sid, str) and sid in seen:
            check.problem("id", "identifiant déjà utilisé par une source précédente")
        if isinstance(sid, str):
            seen.add(sid)
        if check.problems or url is None:
            result.problems.extend(check.problems)
            result.skipped.append(label)
            continue
        result.sources.append(build_source(table, url, partners))
    return result


def check_sources(path: Path, substitutions: dict[str, str] | None = None) -> CheckedSources:
    """Check a sources file; a file that cannot be read at all is one problem, no source."""
    import tomllib

    try:
        tables = read_source_tables(path)
        top = tomllib.loads(path.read_text(encoding="utf-8"))
        partners = declared_partners(path)
    except (ConfigError, OSError, tomllib.TOMLDecodeError) as exc:
        return CheckedSources(problems=[Problem(FILE, None, f"illisible : {exc}")])
    result = check_tables(tables, substitutions, partners)
    for key in top:
        if key not in ("source", "partner"):
            result.problems.insert(0, Problem(FILE, key, _unknown(key, ["source", "partner"], "table")
                                              .replace("inconnue", "inconnue (seules les "
                                                       "tables [[source]] et [[partner]] sont "
                                                       "lues)")))
    return result


def render(checked: CheckedSources, path: Path, source_id: str | None = None) -> str:
    """The French text of ``catalogue sources check``."""
    problems = checked.problems_of(source_id) if source_id else checked.problems
    names = [s for s in checked.sources if source_id in (None, s.id)]
    skipped = [s for s in checked.skipped if source_id in (None, s)]
    lines = [f"{path} : {len(names)} source(s) valide(s), {len(skipped)} ignorée(s)"]
    lines += [f"  ✓ {s.id} ({s.protocol}, {s.url})" for s in names]
    lines += [f"  ✗ {p}" for p in problems]
    return "\n".join(lines)
