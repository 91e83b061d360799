"""OAI-PMH dates: datestamps at seconds granularity, ``from``/``until`` as windows on the store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from web.oai.errors import bad_argument

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True)
class DateArg:
    text: str
    start: datetime  # first instant covered (naive UTC)
    end: datetime  # first instant after the covered second or day
    day: bool


def parse_date(name: str, text: str) -> DateArg:
    """A ``from``/``until`` value at day or second granularity; badArgument otherwise."""
    day = bool(_DAY.match(text))
    try:
        if day or _SECOND.match(text):
            start = datetime.strptime(text, "%Y-%m-%d" if day else "%Y-%m-%dT%H:%M:%SZ")
            step = timedelta(days=1) if day else timedelta(seconds=1)
            end = start + step if start < datetime.max - step else datetime.max
            return DateArg(text, start, end, day)
    except ValueError:
        pass
    raise bad_argument(f"'{name}' must be a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def date_window(from_text: str | None, until_text: str | None) -> tuple[datetime | None, datetime | None]:
    """(inclusive start, exclusive end) of the request's window on store datestamps."""
    start = parse_date("from", from_text) if from_text is not None else None
    end = parse_date("until", until_text) if until_text is not None else None
    if start is not None and end is not None:
        if start.day != end.day:
            raise bad_argument("'from' and 'until' must have the same granularity")
        if start.start > end.start:
            raise bad_argument("'from' is later than 'until'")
    return (start.start if start else None), (end.end if end else None)

