"""Routes of the teachers' interface.

The search page answers a plain GET form (works without JavaScript). With the header
``X-Fragment: region`` it returns only the facets + results region, which the script swaps in
place; the URL stays the same either way, so every state can be shared.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, current_app, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from catalogue.config import Settings
from schemas.serializers.jsonld import to_jsonld
from search.base import InvalidQuery
from web.services import services
from web.ui import bp
from web.ui import french as fr
from web.ui.entry_view import find_discipline, find_level, heading, home_entries, landing, latest
from web.ui.partners_view import coverage, list_partners, source_panel
from web.ui.previews import iiif_image
from web.ui.resource_view import build_resource_page
from web.ui.search_view import build_search_page, search_examples
from web.ui.state import SORTS, parse_state
from web.ui.thumbnails import (
    CACHE_OK,
    CACHE_PLACEHOLDER,
    PREVIEW_SIZE,
    ThumbnailCache,
    allowed_origins,
    placeholder,
)
from web.urls import absolute, external_url

log = logging.getLogger("catalogue.web.ui")

FRAGMENT_HEADER = "X-Fragment"
# Paths served by the other blueprints: their errors stay theirs (JSON, OAI-PMH XML).
FOREIGN_PREFIXES = ("/api", "/oai")


def _settings() -> Settings:
    return services().settings


def _vocab() -> Any:
    try:
        return services().vocab
    except Exception:  # the pages still work without the vocabulary, with flat facets
        log.exception("vocabulary unavailable")
        return None


@bp.app_template_global()
def canonical(path: str | None = None) -> str:
    """Absolute URL of a page on the public site (web.urls), for canonical and og:url."""
    return absolute(path if path is not None else request.full_path.rstrip("?"))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"fr": fr, "SORTS": SORTS, "nav_current": request.endpoint or ""}


DATE_FIELDS = ("date_from", "date_to")


@bp.route("/")
def search() -> Any:
    # The form without JavaScript sends the empty year fields: same state, shorter URL.
    if any(not request.args.get(name, "x").strip() for name in DATE_FIELDS):
        kept = [(k, v) for k, v in request.args.items(multi=True)
                if not (k in DATE_FIELDS and not v.strip())]
        return redirect("/" + (f"?{urlencode(kept)}" if kept else ""), 303)
    state = parse_state(request.args)
    store = services().store
    try:
        page = build_search_page(services().index, state, _vocab(), services().partner_names())
    except InvalidQuery as exc:
        abort(400, description=str(exc))
    fragment = request.headers.get(FRAGMENT_HEADER) == "region"
    template = "search/_region.html" if fragment else "search/page.html"
    examples = [] if fragment else search_examples(services().index)
    home = None
    if not fragment and state.url() == "/":
        groups, subjects = home_entries(services().index, _vocab())
        home = {"groups": groups, "subjects": subjects, "latest": latest(store)}
    response = Response(render_template(template, page=page, state=state, examples=examples,
                                        home=home))
    response.headers["Vary"] = FRAGMENT_HEADER
    if fragment:  # never let a cache hand the fragment to a full-page load of the same URL
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/ressources/<path:record_id>")
def resource(record_id: str) -> Any:
    if len(record_id) > 200:
        abort(404)
    stored = services().store.get(record_id)
    if stored is None or stored.data is None:
        abort(404)
    if stored.deleted:
        title = (stored.data.get("title") or [{"value": ""}])[0]["value"]
        return render_template("errors/gone.html", title=title, partner=fr.partner_name(stored.partner)), 410
    names = services().partner_names()
    partner = fr.partner_name(stored.partner, names)
    vocab = _vocab()
    page = build_resource_page(stored.data, partner, vocab)
    # The same document as the API's ?format=jsonld: identified by its API URI, about this page.
    jsonld = to_jsonld(stored.data, uri=external_url("api.get_resource", record_id=record_id),
                       partner_name=partner, page=canonical(f"/ressources/{record_id}"),
                       discipline_of=vocab.discipline_of if vocab is not None else None,
                       vocab=vocab)
    return render_template("resource.html", r=page, jsonld=jsonld, updated=stored.datestamp)


def _cached_image(kind: str, record_id: str, address_of: Any, cache_factory: Any) -> Response:
    """An image of a record through the catalogue (web/ui/thumbnails.py): the partner's image
    re-encoded, or the placeholder; always an image, never an error page."""
    image: bytes | None = None
    status = 404
    try:
        stored = services().store.get(record_id) if len(record_id) <= 200 else None
        url = address_of(stored.data or {}) if stored and not stored.deleted else None
        if url:
            status = 200
            key = f"catalogue.{kind}"
            cache = current_app.extensions.get(key)
            if cache is None:
                cache = current_app.extensions[key] = cache_factory(_settings().data_dir / kind)
            image = cache.get(str(url), allowed_origins(services().store.sources()))
    except Exception:  # the store or the disk failed: still an image
        log.exception("%s of %s", kind, record_id)
    response = Response(image or placeholder(), status, mimetype="image/jpeg")
    response.headers["Cache-Control"] = CACHE_OK if image else CACHE_PLACEHOLDER
    return response


@bp.route("/vignettes/<path:record_id>")
def thumbnail(record_id: str) -> Response:
    """A record's thumbnail, letterboxed to 240×180."""
    return _cached_image("vignettes", record_id, lambda r: r.get("thumbnail"), ThumbnailCache)


@bp.route("/apercus/<path:record_id>")
def preview_image(record_id: str) -> Response:
    """A record's IIIF preview image (Gallica's first page), at most 960×960, asked for only
    when the teacher clicks "Voir un aperçu"."""
    return _cached_image("apercus", record_id, iiif_image,
                         lambda d: ThumbnailCache(d, size=PREVIEW_SIZE, letterbox=False))


@bp.route("/niveaux/<name>")
def level_page(name: str) -> Any:
    """A class (or cycle, or stage): its best-covered programme themes and their resources."""
    concept = find_level(_vocab(), name)
    if concept is None:
        abort(404)
    page = landing(services().index, _vocab(), "niveau", concept)
    return render_template("landing.html", page=page, page_heading=heading(page))


@bp.route("/disciplines/<name>")
def discipline_page(name: str) -> Any:
    concept = find_discipline(_vocab(), name)
    if concept is None:
        abort(404)
    page = landing(services().index, _vocab(), "discipline", concept)
    return render_template("landing.html", page=page, page_heading=heading(page))


@bp.route("/couverture")
def coverage_page() -> Any:
    cov = coverage(services().index, _vocab())
    partners = list_partners(services().store, services().partner_names())
    return render_template("coverage.html", cov=cov, partners=partners)


@bp.route("/partenaires")
def partners_page() -> Any:
    partners = list_partners(services().store, services().partner_names())
    return render_template("partners.html", partners=partners)


@bp.route("/partenaires/<partner_id>")
def partner_page(partner_id: str) -> Any:
    store = services().store
    names = services().partner_names()
    partner = next((p for p in list_partners(store, names) if p.id == partner_id), None)
    if partner is None:
        if partner_id not in names:
            abort(404)
        panels = []
        name = names[partner_id]
    else:
        counts = store.counts_by_source()
        panels = [source_panel(store, s, counts.get(s["id"], 0)) for s in partner.sources]
        name = partner.name
    return render_template("partner.html", partner=partner, partner_id=partner_id, name=name,
                           panels=panels)


_ERRORS = {
    400: ("Requête incorrecte", "Cette adresse contient un paramètre que le catalogue ne comprend pas."),
    404: ("Page introuvable",
          "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou lancez une recherche."),
    405: ("Méthode non autorisée", "Cette page ne s'utilise pas ainsi."),
    410: ("Ressource retirée", "Cette ressource a été retirée par le partenaire qui la publiait."),
    500: ("Erreur du serveur", "Le catalogue a rencontré un problème. Réessayez dans quelques instants."),
}


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    if request.path.startswith(FOREIGN_PREFIXES) or (exc.code or 500) not in _ERRORS:
        return exc
    code = exc.code or 500
    title, text = _ERRORS[code]
    detail = exc.description if code == 400 else None
    return render_template("errors/error.html", code=code, title=title, text=text, detail=detail), code
