"""Structured (JSON) logs, one line per event, each carrying the request id when there is one."""

from __future__ import annotations

import ipaddress
import json
import logging
from datetime import UTC, datetime

from flask import g, has_request_context


def truncate_ip(address: str | None) -> str | None:
    """A client address cut to its network (/24 for IPv4, /48 for IPv6): logs keep no full IP (RGPD)."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
        for key in ("method", "path", "status", "duration_ms", "remote"):
            if hasattr(record, key):
                value = getattr(record, key)
                entry[key] = truncate_ip(value) if key == "remote" else value
        if record.exc_info:
            # Kept in the server log only; never sent to clients.
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
