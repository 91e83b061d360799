"""The partner directory: which name each partner shows, decided in one place.

A partner's name is, in this order: the ``[[partner]]`` table naming it in the sources file
(the founding partners are declared in ``catalogue/sources.toml``), else the ``partner_name``
its sources carry in the store (a new partner names itself there), else its id. The UI, the
API, the search facets and OAI-PMH sets all ask :func:`partner_names`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from catalogue.config import ConfigError, declared_partners, founding_partners

log = logging.getLogger("catalogue.partners")


def partner_names(sources: Iterable[Mapping[str, Any]],
                  declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """Partner id -> display name, for the declared partners and every partner of ``sources``
    (rows of the sources table, in id order: a partner's first source names it)."""
    names = dict(founding_partners() if declared is None else declared)
    for source in sources:
        partner = str(source["partner"])
        names.setdefault(partner, source.get("partner_name") or partner)
    return names


def declared_in(path: Path) -> dict[str, str]:
    """The partners declared for ``path``; a broken sources file (the web only reads it for
    names) falls back to the founding partners with an error in the log."""
    try:
        return declared_partners(path)
    except ConfigError as exc:
        log.error("partner names from the founding partners only: %s", exc)
        return founding_partners()
