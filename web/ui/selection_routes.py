"""Routes of Ma sélection (``/selection``) and its exports, and the two information pages
(``/confidentialite``, ``/api``). The selection lives in the URL: see ``web/ui/selection_view.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from flask import Response, abort, redirect, render_template, request

from schemas.serializers.imscc import write_cartridge
from schemas.serializers.itemlist import to_csv, to_itemlist
from web.services import services
from web.ui import bp
from web.ui.selection_view import (
    MAX_ITEMS,
    MAX_NOTE,
    MAX_QUERY,
    MAX_TITLE,
    Selection,
    SelectionError,
    SelectionPage,
    build_selection_page,
    list_entries,
    parse_selection,
    resource_id_from,
    web_links,
)
from web.urls import public_root

# What a change asks for, in the query string, and the step it moves a resource by.
_MOVES = {"monter": -1, "descendre": 1}


def _base_url() -> str:
    return public_root()


def _selection() -> Selection:
    if len(request.query_string) > MAX_QUERY:
        abort(400, description=f"Ce lien de sélection est trop long (plus de {MAX_QUERY} caractères).")
    try:
        return parse_selection(request.args)
    except SelectionError as exc:
        abort(400, description=str(exc))


def _page(selection: Selection) -> SelectionPage:
    store = services().store
    return build_selection_page(selection, store, services().partner_names(), _base_url())


def _changed(selection: Selection) -> Selection | None:
    """The selection after the change the query string asks for, or None when it asks none."""
    try:
        if "ajouter" in request.args:
            rid = resource_id_from(request.args.get("ajouter", ""))
            if rid is None:
                abort(400, description="Collez l'adresse d'une page de ressource du catalogue "
                                       "(…/ressources/…) ou son identifiant.")
            return selection.add(rid)
        if "retirer" in request.args:
            return selection.remove(request.args.get("retirer", ""))
        for name, step in _MOVES.items():
            if name in request.args:
                return selection.move(request.args.get(name, ""), step)
    except SelectionError as exc:
        abort(400, description=str(exc))
    return None


@bp.route("/selection")
def selection_page() -> Any:
    selection = _selection()
    changed = _changed(selection)
    if changed is not None:
        return redirect(changed.url(), 303)
    if request.query_string.decode("utf-8", "replace") != selection.query():
        return redirect(selection.url(), 303)  # one URL per selection (what the browser keeps)
    page = _page(selection)
    share = _base_url() + selection.url()
    response = Response(render_template(
        "selection.html", page=page, selection=selection, share=share,
        limits={"items": MAX_ITEMS, "note": MAX_NOTE, "title": MAX_TITLE}))
    response.headers["Referrer-Policy"] = "no-referrer"  # notes stay out of partners' logs
    return response


def _export_page() -> SelectionPage:
    selection = _selection()
    page = _page(selection)
    if not page.entries:
        abort(400, description="Cette sélection ne contient aucune ressource du catalogue à exporter.")
    return page


def _filename(page: SelectionPage, extension: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", page.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "selection"
    return f"{slug}.{extension}"


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/selection/export.imscc")
def selection_imscc() -> Response:
    page = _export_page()
    digest = hashlib.sha256(page.selection.query().encode()).hexdigest()[:16]
    description = (f"Sélection de {len(page.entries)} ressource(s) du Catalogue des ressources "
                   f"éducatives : {_base_url()}{page.selection.url()}")
    data = write_cartridge(page.title, web_links(page), description=description,
                           identifier=f"selection-{digest}")
    return _attachment(data, "application/vnd.ims.imsccv1p3", _filename(page, "imscc"))


@bp.route("/selection/export.csv")
def selection_csv() -> Response:
    page = _export_page()
    return _attachment(to_csv(list_entries(page, _base_url())), "text/csv; charset=utf-8",
                       _filename(page, "csv"))


@bp.route("/selection/export.jsonld")
def selection_jsonld() -> Response:
    page = _export_page()
    body = to_itemlist(page.title, list_entries(page, _base_url()), _base_url() + page.selection.url())
    return Response(json.dumps(body, ensure_ascii=False, indent=2), mimetype="application/ld+json")


@bp.route("/selection/imprimer")
def selection_print() -> Any:
    page = _export_page()
    return render_template("selection_print.html", page=page,
                           share=_base_url() + page.selection.url())


@bp.route("/confidentialite")
def privacy_page() -> Any:
    return render_template("privacy.html")


@bp.route("/api")
@bp.route("/api/")
def api_page() -> Any:
    return render_template("api_intro.html", base_url=_base_url())
