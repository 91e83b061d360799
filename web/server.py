"""Production server: gunicorn with several worker processes."""

from __future__ import annotations

import html
import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication

from catalogue.settings import Settings

log = logging.getLogger("catalogue.web")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Gunicorn's answer to a request it refuses before the app sees it (400 bad request line,
    431 headers too large…), with the same security headers as every page of the app."""
    from web.app import SECURITY_HEADERS

    body = (f"<!doctype html><html><head><title>{html.escape(reason)}</title></head><body>"
            f"<h1>{html.escape(reason)}</h1><p>{html.escape(mesg)}</p></body></html>")
    head = [f"HTTP/1.1 {int(status_int)} {reason}", "Connection: close",
            "Content-Type: text/html; charset=utf-8", f"Content-Length: {len(body.encode())}",
            "Cache-Control: no-store",
            *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]
    gunicorn_util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                                 + body.encode())


def _is_local(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def base_url_mismatch(base_url: str | None, host: str, port: int) -> str | None:
    """Why ``CATALOGUE_BASE_URL`` cannot be where a server bound to ``host:port`` answers, or
    None. A base URL on this machine (localhost, a loopback or the bound address) must carry
    the bound port; a public name is taken to be a reverse proxy in front and not questioned."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    hostname = parts.hostname or ""
    on_this_host = _is_local(hostname) or hostname == host.strip("[]").lower()
    if not on_this_host:
        return None
    published = parts.port or (443 if parts.scheme == "https" else 80)
    if published == port:
        return None
    return (f"CATALOGUE_BASE_URL is {base_url} but the server listens on {host}:{port}: every "
            f"absolute URL it publishes (API links, OAI-PMH baseURL, JSON-LD, dumps) points to "
            f"port {published}; set CATALOGUE_BASE_URL=http://{hostname}:{port} or unset it "
            "to use each request's own address")


def load_app(settings: Settings) -> Any:
    """The app ``catalogue serve`` runs (JSON logs, gunicorn's own errors with our headers)."""
    from web.app import create_app
    from web.logs import configure_json_logging

    configure_json_logging()
    # The workers (forked from here) call gunicorn.util.write_error for their own errors.
    gunicorn_util.write_error = write_error
    return create_app(settings)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return load_app(self.settings)


def run_server(host: str, port: int, workers: int = 2, settings: Settings | None = None) -> None:
    """Gunicorn on ``host:port`` over ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    problem = base_url_mismatch(settings.base_url, host, port)
    if problem:
        log.warning(problem)
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "preload_app": True,
        # Access lines come from the app's JSON log (with the request id), not gunicorn's.
        "accesslog": None,
        "limit_request_line": 8190,
    }, settings).run()
