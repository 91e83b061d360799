"""The catalogue's settings: one typed, frozen object built from the environment.

Every ``CATALOGUE_*`` variable is a row of :data:`VARIABLES` (name, field, parser, default,
meaning). :meth:`Settings.from_env` reads them all once, at start, and a wrong value stops the
start with a message naming the variable; the README's configuration table is generated from the
same rows (``python -m catalogue.settings``) and a test checks that the two agree.

The CLI builds one ``Settings`` and hands it to the pipeline, the store and ``create_app``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("catalogue.config")

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES = PACKAGE_DIR / "sources.toml"
SEARCH_ENGINES = ("elasticsearch", "opensearch")
OAI_KEY_FILE = "oai-token.key"
_KEY_BYTES = 32  # 256 bits, as long as an HMAC-SHA256 digest


class SettingsError(ValueError):
    """A variable has a value the catalogue cannot use; the message names the variable."""


# -- parsers: text -> value, ValueError with a short reason --------------------------------------

def _text(value: str) -> str:
    return value


def _path(value: str) -> Path:
    return Path(value).resolve()


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s):// URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("must have no query or fragment")
    return value.rstrip("/")


def _search_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        # The value is not echoed: it may carry credentials.
        raise ValueError("must be empty or an http(s):// Elasticsearch/OpenSearch URL")
    return value


def _engine(value: str) -> str:
    if value not in SEARCH_ENGINES:
        raise ValueError(f"must be one of {', '.join(SEARCH_ENGINES)}")
    return value


def _number(kind: Callable[[str], float | int], least: float) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            number = kind(value)
        except ValueError:
            raise ValueError(f"must be a {'whole ' if kind is int else ''}number") from None
        if number < least:
            raise ValueError(f"must be at least {least:g}")
        return number
    return parse


def _proxies(value: str) -> int:
    """How many proxies in front set ``X-Forwarded-*``: a count, or yes/no for one or none."""
    words = {"true": 1, "yes": 1, "on": 1, "false": 0, "no": 0, "off": 0}
    if value.lower() in words:
        return words[value.lower()]
    return int(_number(int, 0)(value))


# -- the table -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variable:
    """One environment variable: where it goes, how it is read, what it means."""

    name: str
    field: str
    parse: Callable[[str], Any]
    default: Callable[[dict[str, Any]], Any]  # from the fields read before it
    shown_default: str  # the default as the README says it
    meaning: str


def _const(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda _read: value


VARIABLES: tuple[Variable, ...] = (
    Variable("CATALOGUE_DATA_DIR", "data_dir", _path, lambda _read: Path("var").resolve(), "`./var`",
             "SQLite store, search index, dumps, caches, the OAI-PMH token key"),
    Variable("CATALOGUE_DATABASE_URL", "database_url", _text,
             lambda read: f"sqlite:///{read['data_dir'] / 'catalogue.db'}",
             "SQLite in the data dir", "e.g. `postgresql://user@host/db`"),
    Variable("CATALOGUE_SEARCH_URL", "search_url", _search_url, _const(None), "embedded Tantivy",
             "e.g. `http://localhost:9200` for Elasticsearch 8/9 or OpenSearch 2.x "
             "(`make opensearch` starts a local node, `docs/deploy.md`)"),
    Variable("CATALOGUE_SEARCH_ENGINE", "search_engine", _engine, _const(None), "from `GET /`",
             "`elasticsearch` or `opensearch`: the client library, without asking the server"),
    Variable("CATALOGUE_SEARCH_INDEX", "search_index", _text, _const(None), "`catalogue`",
             "the alias of the catalogue's index on the search server"),
    Variable("CATALOGUE_SOURCES", "sources_path", _path, _const(DEFAULT_SOURCES),
             "`catalogue/sources.toml`", "the sources file (`docs/sources.md`)"),
    Variable("CATALOGUE_CACHE_DIR", "cache_dir", _path,
             lambda read: read["data_dir"] / "cache", "`<data dir>/cache`",
             "compiled ScoLOMFR vocabulary cache (read by `schemas.vocabularies` itself)"),
    Variable("CATALOGUE_BASE_URL", "base_url", _http_url, _const(None), "the request's origin",
             "the public URL of the site (e.g. `https://catalogue.example.fr`): every absolute "
             "URL (API links, JSON-LD, OAI-PMH, DCAT, dumps, canonicals, sitemap) starts with it"),
    Variable("CATALOGUE_TRUST_PROXY", "trust_proxy", _proxies, _const(0), "`0`",
             "how many reverse proxies in front set `X-Forwarded-For/Proto/Host/Port/Prefix` "
             "(`0`: the headers are ignored): the client's address in the logs and, when "
             "`CATALOGUE_BASE_URL` is unset, the origin of absolute URLs"),
    Variable("CATALOGUE_OAI_NAMESPACE", "oai_namespace", _text, _const("catalogue.education.fr"),
             "`catalogue.education.fr`", "OAI identifiers `oai:<namespace>:<id>`"),
    Variable("CATALOGUE_OAI_TOKEN_KEY", "oai_token_key", _text, _const(None),
             "a random key in `<data dir>/oai-token.key`",
             "HMAC key of OAI-PMH resumption tokens; set it when several data dirs serve one "
             "`/oai` (tokens of one must work on the other)"),
    Variable("CATALOGUE_OAI_REPOSITORY_NAME", "oai_repository_name", _text, _const(None),
             "`Catalogue des ressources éducatives ouvertes`", "OAI-PMH Identify `repositoryName`"),
    Variable("CATALOGUE_OAI_ADMIN_EMAIL", "oai_admin_email", _text, _const(None),
             "`contact@<namespace>`",
             "OAI-PMH Identify `adminEmail`"),
    Variable("CATALOGUE_OAI_PAGE_SIZE", "oai_page_size", _number(int, 1), _const(100), "`100`",
             "records per ListRecords page"),
    Variable("CATALOGUE_OAI_IDENTIFIERS_PAGE_SIZE", "oai_identifiers_page_size", _number(int, 1),
             _const(500), "`500`", "headers per ListIdentifiers page"),
    Variable("CATALOGUE_HARVEST_DELAY", "harvest_delay", _number(float, 0), _const(0.5), "`0.5`",
             "seconds between two requests to the same partner host"),
    Variable("CATALOGUE_HARVEST_RETRIES", "harvest_retries", _number(int, 0), _const(3), "`3`",
             "retries on timeouts, 5xx and 429"),
    Variable("CATALOGUE_HARVEST_BACKOFF", "harvest_backoff", _number(float, 0), _const(1.0),
             "`1.0`", "the first retry's backoff in seconds (doubles each time)"),
    Variable("CATALOGUE_HARVEST_WORKERS", "harvest_workers", _number(int, 0),
             _const(1 if (os.cpu_count() or 1) >= 2 else 0), "`1` on 2+ cores, else `0`",
             "processes mapping records while the harvest fetches and stores (`0`: in-process)"),
    Variable("CATALOGUE_HARVEST_MAX_PAGES", "harvest_max_pages", _number(int, 1), _const(10_000),
             "`10000`", "pages of one run of one source (a source may set its own `max_pages`): "
             "past it, that source fails alone with a report line and the next one runs"),
    Variable("CATALOGUE_HARVEST_MAX_RECORDS", "harvest_max_records", _number(int, 1),
             _const(2_000_000), "`2000000`", "records of one run of one source (`max_records`)"),
    Variable("CATALOGUE_HARVEST_MAX_SECONDS", "harvest_max_seconds", _number(float, 1),
             _const(6 * 3600.0), "`21600`", "seconds of one run of one source (`max_seconds`)"),
    Variable("CATALOGUE_HARVEST_RESPONSE_TIMEOUT", "harvest_response_timeout", _number(float, 1),
             _const(300.0), "`300`",
             "absolute deadline in seconds for one partner response, enforced while the body "
             "is read"),
    Variable("CATALOGUE_HARVEST_HEARTBEAT", "harvest_heartbeat", _number(float, 0.1),
             _const(5.0), "`5`",
             "seconds between two heartbeats of a running harvest, also while a page is read"),
)


@dataclass(frozen=True)
class Settings:
    """Everything the environment configures; tests build one directly."""

    data_dir: Path
    database_url: str
    search_url: str | None
    sources_path: Path
    oai_namespace: str
    # None: absolute URLs come from each request (web.urls).
    base_url: str | None = None
    trust_proxy: int = 0
    search_engine: str | None = None
    search_index: str | None = None
    cache_dir: Path | None = None
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
    # ``oai_key``), the Identify texts and the page sizes.
    oai_token_key: str | None = None
    oai_admin_email: str | None = None
    oai_repository_name: str | None = None
    oai_page_size: int = 100
    oai_identifiers_page_size: int = 500

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every variable of :data:`VARIABLES`; an empty one takes its default."""
        env = os.environ if env is None else env
        read: dict[str, Any] = {}
        for variable in VARIABLES:
            text = (env.get(variable.name) or "").strip()
            if not text:
                read[variable.field] = variable.default(read)
                continue
            try:
                read[variable.field] = variable.parse(text)
            except ValueError as exc:
                shown = "" if variable.field in _SECRET else f", not {text!r}"
                raise SettingsError(f"{variable.name} {exc}{shown}") from None
        return cls(**read)

    @property
    def repository_name(self) -> str:
        """OAI-PMH Identify's name: the setting, else the catalogue's French name."""
        return self.oai_repository_name or "Catalogue des ressources éducatives ouvertes"

    @property
    def admin_email(self) -> str:
        """OAI-PMH Identify's contact: the setting, else ``contact@<namespace>``."""
        return self.oai_admin_email or f"contact@{self.oai_namespace}"

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


# Values never echoed in an error (keys, URLs that may carry passwords).
_SECRET = {"oai_token_key", "database_url", "search_url"}

# Every field comes from one variable (tests/test_settings.py checks it too, without -O).
assert {v.field for v in VARIABLES} == {f.name for f in fields(Settings)}


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


def readme_table() -> str:
    """The README's configuration table, one row per variable, in the table's order."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{v.name}` | {v.shown_default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m catalogue.settings > the table pasted in README.md
    sys.stdout.write(readme_table())
