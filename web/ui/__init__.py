"""The teachers' web interface: server-rendered French pages, progressively enhanced by one JS file.

Routes: ``/`` (search), ``/ressources/<id>``, ``/couverture``, ``/partenaires``,
``/partenaires/<id>``, ``/selection`` (and its exports), ``/confidentialite`` and ``/api``.
See ``docs/ui.md``.
"""

from flask import Blueprint

bp = Blueprint("ui", __name__)

from web.ui import selection_routes, views  # noqa: E402,F401 - registers the routes on bp
