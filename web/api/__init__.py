"""Open-data JSON API (``/api/v1``) for third-party editors: search, records (JSON, JSON-LD,
XML), vocabularies, sources, the changes feed, bulk dumps, the DCAT description and the OpenAPI document.

Documented for clients in ``docs/api.md`` and at ``/api/v1/docs``.
"""

from datetime import UTC, datetime

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates",
               static_folder="static")


@bp.record_once
def _started(state: BlueprintSetupState) -> None:
    """The app's start, for answers without a date of their own (``web.api.http.started``)."""
    state.app.extensions.setdefault("catalogue_api", {})["started"] = datetime.now(UTC)


# Importing the modules registers their routes and handlers on ``bp``.
from web.api import changes, downloads, errors, openapi, reference, resources  # noqa: E402

__all__ = ["bp", "changes", "downloads", "errors", "openapi", "reference", "resources"]
