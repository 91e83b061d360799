"""The one way the catalogue writes a moment: UTC, to the second, ``YYYY-MM-DDThh:mm:ssZ``.

The store keeps naive UTC datetimes; JSON, CSV, OAI-PMH, dumps, reports and the sitemap all
show them the same way (the form OAI-PMH's seconds granularity requires).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_stamp(moment: datetime) -> str:
    """``moment`` (naive UTC, or aware in any zone) as ``YYYY-MM-DDThh:mm:ssZ``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"
