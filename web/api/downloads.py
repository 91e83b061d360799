"""Bulk downloads and the catalogue's DCAT description.

The dumps are written by ``catalogue.dumps.write_dumps`` after each harvest; the API only lists
and serves them (with Range and conditional requests, through ``send_file``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Response, current_app, send_file

from catalogue.dumps import (
    ARCHIVE_DIR,
    CONTENT_TYPES,
    CSV_NAME,
    DUMP_NAMES,
    JSONL_NAME,
    MEDIA_TYPES,
    archived_file,
    read_manifest,
)
from catalogue.listing import change_token
from core.timestamps import utc_stamp
from schemas.serializers.dcat_catalog import RDF_FORMATS, CatalogInfo, DumpFile, catalog_graph, serialize
from web.api import bp
from web.api.http import ApiError, cached, json_response, negotiate, oldest_datestamp, parse_args, store_state
from web.api.schemas import CatalogQuerySchema, NoQuerySchema
from web.services import services
from web.urls import absolute, external_url, public_root

NO_QUERY = NoQuerySchema()
CATALOG_QUERY = CatalogQuerySchema()
TURTLE = "text/turtle"
CATALOG_MEDIA = {"turtle": TURTLE, "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}
DUMP_TITLES = {
    JSONL_NAME: "Export complet, JSON Lines (un enregistrement commun par ligne), compressé gzip",
    CSV_NAME: "Export complet, CSV (une ligne par ressource), compressé gzip",
}
DUMP_FILE_TYPES = {JSONL_NAME: "JSON", CSV_NAME: "CSV"}
INCREMENT_TITLE = ("Export incrémental, JSON Lines (les notices créées, modifiées ou retirées "
                   "depuis l'export précédent), compressé gzip")


def _dumps_dir() -> Path:
    return Path(services().settings.dumps_dir)


def _file(entry: dict[str, Any], url: str, kind: str) -> dict[str, Any]:
    return {"name": str(entry["name"]), "url": url, "size": int(entry["size"]),
            "records": int(entry["records"]), "generated_at": str(entry["generated_at"]),
            "media_type": MEDIA_TYPES[kind], "content_type": CONTENT_TYPES[kind],
            "sha256": str(entry.get("sha256") or "") or None,
            "since": str(entry["since"]) if entry.get("since") else None}


def _kind(name: str) -> str:
    """The current dump a dated one is a copy of (same media types)."""
    return JSONL_NAME if name.endswith(".jsonl.gz") else CSV_NAME


def _dump_files(manifest: dict[str, Any] | None, base: str) -> list[dict[str, Any]]:
    """Manifest entries whose file is there, with their download URL under ``base``."""
    out = []
    for entry in (manifest or {}).get("files", []):
        name = entry.get("name")
        if name in DUMP_NAMES and (_dumps_dir() / name).is_file():
            out.append(_file(entry, f"{base}/api/v1/dumps/{name}", name))
    return out


def _archive(manifest: dict[str, Any] | None, base: str) -> list[dict[str, Any]]:
    """The dated generations the manifest lists and whose files are there, newest first."""
    out = []
    for entry in (manifest or {}).get("archive") or []:
        files = []
        for info in entry.get("files") or []:
            name = str(info.get("name", ""))
            if archived_file(manifest, name) and (_dumps_dir() / ARCHIVE_DIR / name).is_file():
                files.append(_file(info, f"{base}/api/v1/dumps/archive/{name}", _kind(name)))
        if files:
            out.append({"generated_at": str(entry.get("generated_at")),
                        "records": int(entry.get("records") or 0),
                        "change": _dump_change(entry), "files": files})
    return out


def _dump_change(manifest: dict[str, Any] | None) -> str | None:
    """The change token the dumps were taken at (older manifests only have the seq)."""
    if not manifest or not isinstance(manifest.get("seq"), int):
        return None
    return change_token(manifest["seq"])


@bp.get("/dumps")
def list_dumps() -> Response:
    """The bulk dumps available, with their date, size and number of records."""
    parse_args(NO_QUERY)
    manifest = read_manifest(_dumps_dir())
    files = _dump_files(manifest, public_root())
    body = {"generated_at": manifest.get("generated_at") if manifest else None,
            "records": manifest.get("records") if manifest else None,
            "change": _dump_change(manifest), "files": files,
            "archive": _archive(manifest, public_root())}
    return cached(["dumps", body], _generated_at(manifest), lambda: json_response(body))


def _send_dump(name: str) -> Response:
    path = _dumps_dir() / name
    if not path.is_file():
        raise ApiError(404, "Not Found", "this dump has not been generated yet", slug="not-found")
    return send_file(path, mimetype=MEDIA_TYPES[name], as_attachment=True, download_name=name,
                     conditional=True, etag=True, max_age=300)


@bp.get("/dumps/resources.jsonl.gz")
def dump_jsonl() -> Response:
    """Every live record, one shared record (JSON) per line, gzip-compressed."""
    parse_args(NO_QUERY)
    return _send_dump(JSONL_NAME)


@bp.get("/dumps/resources.csv.gz")
def dump_csv() -> Response:
    """Every live record as one flat CSV row, gzip-compressed."""
    parse_args(NO_QUERY)
    return _send_dump(CSV_NAME)


@bp.get("/dumps/archive/<name>")
def dump_archived(name: str) -> Response:
    """An earlier dump under its dated name, as listed in ``/dumps`` (``archive``)."""
    parse_args(NO_QUERY)
    path = _dumps_dir() / ARCHIVE_DIR / name
    if archived_file(read_manifest(_dumps_dir()), name) is None or not path.is_file():
        raise ApiError(404, "Not Found", "no such dated dump; see /api/v1/dumps", slug="not-found")
    return send_file(path, mimetype=MEDIA_TYPES[_kind(name)], as_attachment=True, download_name=name,
                     conditional=True, etag=True, max_age=86400)


def oai_endpoint() -> str | None:
    """URL path of the OAI-PMH endpoint, if the OAI blueprint has one."""
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("oai.") and "GET" in (rule.methods or ()) and not rule.arguments:
            return str(rule.rule)
    return None


def _iso(moment: Any) -> str | None:
    return utc_stamp(moment) if moment is not None else None


def _catalog_body(media_type: str) -> Response:
    base = public_root()
    manifest = read_manifest(_dumps_dir())
    _, newest = store_state()
    dumps = [
        DumpFile(name=f["name"], url=f"{base}/api/v1/dumps/{f['name']}", title=DUMP_TITLES[f["name"]],
                 file_type=DUMP_FILE_TYPES[f["name"]], size=f["size"], modified=f["generated_at"],
                 sha256=f["sha256"])
        for f in _dump_files(manifest, base)
    ]
    latest = _archive(manifest, base)[:1]
    dumps += [  # the latest incremental dump: what changed since the previous generation
        DumpFile(name=f["name"], url=f["url"], title=INCREMENT_TITLE, file_type="JSON",
                 size=f["size"], modified=f["generated_at"], sha256=f["sha256"])
        for generation in latest for f in generation["files"] if f["since"]
    ]
    oai = oai_endpoint()
    info = CatalogInfo(
        base_url=base,
        api_url=f"{base}/api/v1",
        openapi_url=external_url("api.openapi_json"),
        docs_url=external_url("api.docs"),
        catalog_url=external_url("api.catalog"),
        oai_url=absolute(oai) if oai else None,
        modified=_iso(newest),
        issued=_iso(oldest_datestamp()),
        records=services().store.count_records(),
        dumps=dumps,
    )
    text = serialize(catalog_graph(info), media_type)
    return Response(text, mimetype=media_type)


@bp.get("/catalog")
def catalog() -> Response:
    """The catalogue in DCAT-AP 3 (Turtle by default; JSON-LD or RDF/XML by Accept or format)."""
    args = parse_args(CATALOG_QUERY)
    fmt = args.get("format")
    media_type = negotiate(list(RDF_FORMATS), CATALOG_MEDIA[fmt] if fmt else None)
    seq, newest = store_state()
    manifest = read_manifest(_dumps_dir()) or {}
    response = cached(["catalog", seq, manifest.get("generated_at"), media_type], newest,
                      lambda: _catalog_body(media_type))
    if not fmt:
        response.vary.add("Accept")
    return response


def _generated_at(manifest: dict[str, Any] | None) -> datetime | None:
    """When the dumps were written (the Last-Modified of ``/dumps``), from their manifest."""
    try:
        return datetime.fromisoformat(str((manifest or {})["generated_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
