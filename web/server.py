"""Production server: gunicorn with several worker processes."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


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
