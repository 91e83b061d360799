"""Identifiers the catalogue makes (records, sources, partners, licence codes): one grammar."""

from __future__ import annotations

import re

# Lowercase ASCII letters and digits, then also '.', '_' and '-': safe in URLs, file names,
# OAI identifiers and setSpecs without escaping.
ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_ID_LENGTH = 200


def is_id(text: str, max_length: int = MAX_ID_LENGTH) -> bool:
    """Whether ``text`` is an identifier of the catalogue's grammar, at most ``max_length`` long."""
    return len(text) <= max_length and ID.match(text) is not None
