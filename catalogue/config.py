"""The sources file: which partner endpoints the catalogue may fetch, and the partners it declares.

The environment's settings are :mod:`catalogue.settings` (re-exported here for older imports).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalogue.settings import DEFAULT_SOURCES, OAI_KEY_FILE, PACKAGE_DIR, Settings, data_dir_key
from core.ids import ID
from harvesters.base import SourceSpec

DEMO_SOURCES = PACKAGE_DIR / "demo_sources.toml"

__all__ = ["DEFAULT_SOURCES", "DEMO_SOURCES", "OAI_KEY_FILE", "ConfigError", "Settings", "Source",
           "data_dir_key", "declared_partners", "founding_partners", "load_sources"]


class ConfigError(ValueError):
    """The sources file is wrong; the message names the source and the key."""


@dataclass(frozen=True)
class Source:
    """One configured source: a partner endpoint the catalogue is allowed to fetch."""

    id: str
    name: str
    partner: str
    protocol: str
    url: str
    partner_name: str
    options: dict[str, Any] = field(default_factory=dict)
    # Level / discipline labels or concept ids applied when a record has none (provenance "default").
    defaults: dict[str, list[str]] = field(default_factory=dict)
    # Full runs a record may be missing from before it is marked deleted (no-deletion protocols).
    deletion_grace: int = 2
    enabled: bool = True
    # Other origins whose images the catalogue may fetch for this partner's thumbnails
    # (Gallica's images are on gallica.bnf.fr, its OAI-PMH on oai.bnf.fr); see web/ui/thumbnails.py.
    media_hosts: tuple[str, ...] = ()

    def spec(self) -> SourceSpec:
        return SourceSpec(id=self.id, url=self.url, protocol=self.protocol, options=self.options)


# The keys of a [[source]] table that are not protocol options (those are declared by each
# protocol client's ``options_schema``; see ``catalogue.source_check``).
SOURCE_KEYS = (
    "id", "name", "partner", "partner_name", "protocol", "url", "defaults", "deletion_grace",
    "enabled", "media_hosts", "notify",
)
DEFAULTS_KEYS = ("levels", "disciplines")


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def read_source_tables(path: Path) -> list[Any]:
    """The ``[[source]]`` tables of a sources file, unchecked; the file must be valid TOML."""
    tables = _read(path).get("source", [])
    return tables if isinstance(tables, list) else [tables]


def _partner_tables(path: Path, data: dict[str, Any]) -> dict[str, str]:
    """The ``[[partner]]`` tables of a sources file: partner id -> display name."""
    names: dict[str, str] = {}
    for position, table in enumerate(data.get("partner", []), start=1):
        pid, name = table.get("id"), table.get("name")
        where = f"{path}: partner #{position}"
        if not isinstance(pid, str) or not ID.match(pid):
            raise ConfigError(f"{where}: 'id' must be lowercase letters, digits, '.', '_' or '-'")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: missing or empty 'name'")
        if set(table) - {"id", "name"}:
            raise ConfigError(f"{where}: unknown keys {sorted(set(table) - {'id', 'name'})}")
        names[pid] = name.strip()
    return names


@lru_cache(maxsize=1)
def founding_partners() -> dict[str, str]:
    """The founding partners' names, declared in the production sources file."""
    return _partner_tables(DEFAULT_SOURCES, _read(DEFAULT_SOURCES))


def declared_partners(path: Path) -> dict[str, str]:
    """The partners a sources file names: the founding ones, overridden or extended by its own."""
    own = {} if path == DEFAULT_SOURCES else _partner_tables(path, _read(path))
    return {**founding_partners(), **own}


def build_source(table: dict[str, Any], url: str,
                 partners: dict[str, str] | None = None) -> Source:
    """A checked table (``catalogue.source_check.check_table``) as a :class:`Source`; the
    partner's display name comes from ``partners`` (the file's declared partners)."""
    names = founding_partners() if partners is None else partners
    defaults = table.get("defaults", {})
    return Source(
        id=table["id"],
        name=table["name"],
        partner=table["partner"],
        protocol=table["protocol"],
        url=url,
        partner_name=table.get("partner_name") or names.get(table["partner"], table["partner"]),
        options={k: v for k, v in table.items() if k not in SOURCE_KEYS},
        defaults={key: [str(v) for v in defaults.get(key, [])] for key in DEFAULTS_KEYS},
        deletion_grace=int(table.get("deletion_grace", 2)),
        enabled=bool(table.get("enabled", True)),
        media_hosts=tuple(table.get("media_hosts", [])),
    )


def load_sources(path: Path, substitutions: dict[str, str] | None = None) -> list[Source]:
    """Read a sources file, strictly: the first problem of any source raises :class:`ConfigError`
    (``catalogue.source_check.check_sources`` reports them all and keeps the good sources).
    ``{name}`` placeholders in URLs are filled from ``substitutions``."""
    from catalogue.source_check import check_sources

    checked = check_sources(path, substitutions)
    if checked.problems:
        raise ConfigError(f"{path}: {checked.problems[0]}")
    return checked.sources
