"""``/robots.txt`` and ``/sitemap.xml``: how search engines find the resource pages.

The sitemap lists the site's own pages and one page per live record (``/ressources/<id>``), with
the record's last change in the store as ``lastmod``. The sitemaps protocol caps a file at
50,000 URLs: up to that, ``/sitemap.xml`` is the one list; beyond, it is a sitemap index of
``/sitemap-pages.xml`` and ``/sitemap-resources-<n>.xml`` chunks, each read from the store by
primary key. All URLs are absolute, from ``CATALOGUE_BASE_URL``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, url_for
from sqlalchemy import func, select

from catalogue import tables as t
from core.timestamps import utc_stamp
from schemas.serializers._xml import esc
from web.api.http import cached, store_state
from web.services import services
from web.urls import absolute, public_root

bp = Blueprint("sitemap", __name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
CHUNK = 50_000  # URLs per file, the protocol's limit (app config SITEMAP_CHUNK overrides it)
XML = "application/xml"
_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">'


def _chunk() -> int:
    return max(1, int(current_app.config.get("SITEMAP_CHUNK", CHUNK)))


def _site_pages() -> list[str]:
    """The site's own pages that exist in this app (the UI may not be registered)."""
    pages = []
    for endpoint in ("ui.search", "ui.coverage_page", "ui.partners_page"):
        if endpoint in current_app.view_functions:
            pages.append(url_for(endpoint))
    if "ui.partner_page" in current_app.view_functions:
        partners = sorted({s["partner"] for s in services().store.sources()})
        pages.extend(url_for("ui.partner_page", partner_id=p) for p in partners)
    return pages


def _live_count() -> int:
    query = select(func.count()).select_from(t.records).where(t.records.c.deleted.is_(False))
    with services().store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _resource_prefix() -> str | None:
    if "ui.resource" not in current_app.view_functions:
        return None
    return absolute(url_for("ui.resource", record_id="ID")).removesuffix("ID")


def _resource_urls(offset: int, limit: int) -> Iterator[str]:
    """``<url>`` elements of the live records ``offset`` … ``offset + limit`` in id order."""
    prefix = _resource_prefix()
    if prefix is None:
        return
    query = (select(t.records.c.id, t.records.c.datestamp).where(t.records.c.deleted.is_(False))
             .order_by(t.records.c.id).offset(offset).limit(limit))
    with services().store.engine.connect() as conn:
        rows = conn.execute(query).all()
    for row in rows:
        yield (f"<url><loc>{esc(prefix + quote(row.id, safe=''))}</loc>"
               f"<lastmod>{utc_stamp(row.datestamp)}</lastmod></url>")


def _urlset(parts: Iterator[str] | list[str]) -> Response:
    body = _HEAD + "".join(parts) + "</urlset>"
    return Response(body.encode("utf-8"), mimetype=XML)


def _page_urls() -> list[str]:
    return [f"<url><loc>{esc(absolute(page))}</loc></url>" for page in _site_pages()]


def _validated(name: str, build: Any) -> Response:
    seq, newest = store_state()
    response = cached([name, seq, _chunk(), public_root()], newest, build)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """One list while it fits in a file, else the index of the chunks."""
    def build() -> Response:
        pages = _page_urls()
        live = _live_count() if _resource_prefix() else 0
        if len(pages) + live <= _chunk():
            return _urlset([*pages, *_resource_urls(0, live)])
        _, newest = store_state()
        stamp = f"<lastmod>{utc_stamp(newest)}</lastmod>" if newest else ""
        base = public_root()
        files = [f"{base}/sitemap-pages.xml"] + [
            f"{base}/sitemap-resources-{n}.xml" for n in range(-(-live // _chunk()))]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">'
                + "".join(f"<sitemap><loc>{esc(f)}</loc>{stamp}</sitemap>" for f in files)
                + "</sitemapindex>")
        return Response(body.encode("utf-8"), mimetype=XML)

    return _validated("sitemap", build)


@bp.get("/sitemap-pages.xml")
def sitemap_pages() -> Response:
    return _validated("sitemap-pages", lambda: _urlset(_page_urls()))


@bp.get("/sitemap-resources-<int:number>.xml")
def sitemap_resources(number: int) -> Response:
    size = _chunk()
    if number * size >= _live_count():
        abort(404)
    return _validated(f"sitemap-resources-{number}",
                      lambda: _urlset(_resource_urls(number * size, size)))


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl the pages, not the infinite search results, the API or OAI-PMH (re-users have
    the dumps and the feed for that)."""
    text = ("User-agent: *\n"
            "Disallow: /?\n"
            "Disallow: /api/\n"
            "Disallow: /oai\n"
            "Allow: /\n"
            f"Sitemap: {public_root()}/sitemap.xml\n")
    response = Response(text, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
