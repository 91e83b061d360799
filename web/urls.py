"""The one way the web builds an absolute URL.

``CATALOGUE_BASE_URL`` when it is set (the deployment's public URL, the only safe choice behind
a cache: the request's ``Host`` cannot change it); else the request's own origin and script
root, which behind a reverse proxy come from ``X-Forwarded-Proto/Host/Port/Prefix`` only when
``CATALOGUE_TRUST_PROXY`` says how many proxies set them (werkzeug's ``ProxyFix``, web.app).

JSON ``_links``, the dumps manifest, problem ``type`` URIs, JSON-LD ``@id``, OAI-PMH
``baseURL``, DCAT ``downloadURL``, page canonicals and the sitemap all call :func:`absolute`.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from web.services import services


def public_root() -> str:
    """The site's root URL, without a trailing slash (``https://host[:port][/prefix]``)."""
    configured = services().settings.base_url
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/") + request.script_root


def absolute(path: str) -> str:
    """``path`` (as ``url_for`` gives it, script root included, or a path of the app) made absolute."""
    root = request.script_root
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root):]
    return public_root() + path


def external_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL of :func:`public_root`."""
    return absolute(url_for(endpoint, **values))
