"""Settings from the environment, and the sources file.

Everything has an embedded default so that one machine needs no server: SQLite in
``CATALOGUE_DATA_DIR`` and a Tantivy index beside it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from harvesters.base import SourceSpec

log = logging.getLogger("catalogue.config")

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES = PACKAGE_DIR / "sources.toml"
DEMO_SOURCES = PACKAGE_DIR / "demo_sources.toml"
PROTOCOLS = ("oai-pmh", "csw", "dcat", "udata", "rss", "jalons")

# Display names of the four founding partners; any other partner id declares a new partner
# whose name comes from its sources (``partner_name``).
PARTNER_NAMES = {
    "bnf": "BnF / Gallica",
    "ina": "INA",
    "ign": "IGN",
    "meteofrance": "Météo-France",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    search_url: str | None
    sources_path: Path
    oai_namespace: str
    base_url: str
    # Harvest HTTP behaviour: politeness delay per host, retries, first backoff (seconds).
    harvest_delay: float = 0.5
    harvest_retries: int = 3
    harvest_backoff: float = 1.0
    # Processes mapping records while the harvest fetches and stores (0: map in-process).
    harvest_workers: int = 0
    # Budgets of one run of one source (a source overrides them: max_pages, max_records,
    # max_seconds), the deadline of one response, and how often a long read beats the heartbeat.
    harvest_max_pages: int = 10_000
    harvest_max_records: int = 2_000_000
    harvest_max_seconds: float = 6 * 3600.0
    harvest_response_timeout: float = 300.0
    harvest_heartbeat: float = 5.0
    # OAI-PMH: the resumption-token HMAC key (None: a random key kept in the data dir, see
    # ``oai_token_key``), the Identify texts (None: the defaults of web.oai) and page sizes.
    oai_token_key: str | None = None
    oai_admin_email: str | None = None
    oai_repository_name: str | None = None
    oai_page_size: int = 100
    oai_identifiers_page_size: int = 500

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("CATALOGUE_DATA_DIR") or "var").resolve()
        db = env.get("CATALOGUE_DATABASE_URL") or f"sqlite:///{data_dir / 'catalogue.db'}"
        return cls(
            data_dir=data_dir,
            database_url=db,
            search_url=env.get("CATALOGUE_SEARCH_URL") or None,
            sources_path=Path(env.get("CATALOGUE_SOURCES") or DEFAULT_SOURCES),
            oai_namespace=env.get("CATALOGUE_OAI_NAMESPACE") or "catalogue.education.fr",
            base_url=(env.get("CATALOGUE_BASE_URL") or "http://localhost:8000").rstrip("/"),
            harvest_delay=float(env.get("CATALOGUE_HARVEST_DELAY") or 0.5),
            harvest_retries=int(env.get("CATALOGUE_HARVEST_RETRIES") or 3),
            harvest_backoff=float(env.get("CATALOGUE_HARVEST_BACKOFF") or 1.0),
            harvest_workers=int(env.get("CATALOGUE_HARVEST_WORKERS")
                                or (1 if (os.cpu_count() or 1) >= 2 else 0)),
            harvest_max_pages=int(env.get("CATALOGUE_HARVEST_MAX_PAGES") or 10_000),
            harvest_max_records=int(env.get("CATALOGUE_HARVEST_MAX_RECORDS") or 2_000_000),
            harvest_max_seconds=float(env.get("CATALOGUE_HARVEST_MAX_SECONDS") or 6 * 3600),
            harvest_response_timeout=float(env.get("CATALOGUE_HARVEST_RESPONSE_TIMEOUT") or 300),
            harvest_heartbeat=float(env.get("CATALOGUE_HARVEST_HEARTBEAT") or 5),
            oai_token_key=env.get("CATALOGUE_OAI_TOKEN_KEY") or None,
            oai_admin_email=env.get("CATALOGUE_OAI_ADMIN_EMAIL") or None,
            oai_repository_name=env.get("CATALOGUE_OAI_REPOSITORY_NAME") or None,
            oai_page_size=_positive(env, "CATALOGUE_OAI_PAGE_SIZE", 100),
            oai_identifiers_page_size=_positive(env, "CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE", 500),
        )

    @cached_property
    def dumps_dir(self) -> Path:
        return self.data_dir / "dumps"

    @cached_property
    def oai_key(self) -> bytes:
        """The resumption-token HMAC key: ``CATALOGUE_OAI_TOKEN_KEY`` or the data dir's own."""
        if self.oai_token_key:
            return self.oai_token_key.encode("utf-8")
        path = self.data_dir / OAI_KEY_FILE
        try:
            return data_dir_key(path)
        except OSError as exc:  # a read-only or full data dir must not stop OAI-PMH
            log.error("cannot keep the OAI-PMH resumption-token key in %s (%s): this process "
                      "signs with a key of its own, so tokens will not survive a restart; set "
                      "CATALOGUE_OAI_TOKEN_KEY", path, exc)
            return secrets.token_bytes(_KEY_BYTES)


OAI_KEY_FILE = "oai-token.key"
_KEY_BYTES = 32  # 256 bits, as long as an HMAC-SHA256 digest


def _positive(env: dict[str, str], name: str, default: int) -> int:
    """A positive integer setting; a wrong value names the variable instead of a bare traceback."""
    text = env.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, not {text!r}")
    return value


def data_dir_key(path: Path) -> bytes:
    """A secret generated once for this data dir and kept in ``path`` (mode 0600).

    Written in full to a file of its own (``O_CREAT | O_EXCL``, 0600), then hard-linked into
    place: the link fails if another process (a gunicorn worker, a CLI command) got there
    first, and then that process's key is the one read. So every process on the data dir signs
    with the same key, and none ever reads a half-written file.
    """
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: its key
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        key = path.read_bytes()
    if not key:
        raise ValueError(f"{path} is empty: delete it (a new key is made) or set "
                         "CATALOGUE_OAI_TOKEN_KEY")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by other users (mode %o): anyone who reads it can forge "
                    "OAI-PMH resumption tokens; chmod 600 it", path, mode)
    return key


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


def read_source_tables(path: Path) -> list[Any]:
    """The ``[[source]]`` tables of a sources file, unchecked; the file must be valid TOML."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    tables = data.get("source", [])
    return tables if isinstance(tables, list) else [tables]


def build_source(table: dict[str, Any], url: str) -> Source:
    """A checked table (``catalogue.source_check.check_table``) as a :class:`Source`."""
    defaults = table.get("defaults", {})
    return Source(
        id=table["id"],
        name=table["name"],
        partner=table["partner"],
        protocol=table["protocol"],
        url=url,
        partner_name=table.get("partner_name")
        or PARTNER_NAMES.get(table["partner"], table["partner"]),
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
