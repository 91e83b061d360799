"""Production server: gunicorn with several worker processes."""

from __future__ import annotations

import html
from typing import Any

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication


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


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web.app import create_app
        from web.logs import configure_json_logging

        configure_json_logging()
        # The workers (forked from here) call gunicorn.util.write_error for their own errors.
        gunicorn_util.write_error = write_error
        return create_app()


def run_server(host: str, port: int, workers: int = 2) -> None:
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
    }).run()
