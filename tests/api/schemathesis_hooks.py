"""Schemathesis hooks for the ``schemathesis run --checks all`` test (SCHEMATHESIS_HOOKS).

One check is narrowed, not dropped: ST202 (a schema-valid request must not be rejected) also
accepts a 400 whose every invalid parameter is a value no schema could enumerate and which the
API refuses on purpose, with a hint: a level or discipline that is not a current ScoLOMFR
concept (3,600 of them), a day the calendar does not have (30 February: the pattern bounds
months and days, not their lengths), a partner, licence, type or language the catalogue does not know
(docs/api.md, "Unknown filter values"), a cursor the API did not issue for this query, or
two parameters that contradict each other (date_from after date_to, modified_since after
until, page > 1 with a cursor), a relation OpenAPI cannot express between query parameters.
Any other 400 on schema-valid input is still a failure.
"""

from __future__ import annotations

import json
import re
from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

_REFUSED_ON_PURPOSE = {
    "level": re.compile(r"is not a current ScoLOMFR level"),
    "discipline": re.compile(r"is not a current ScoLOMFR discipline"),
    "partner": re.compile(r"^unknown partner "),
    "licence": re.compile(r"^unknown licence "),
    "type": re.compile(r"^unknown type "),
    "language": re.compile(r"^unknown language "),
    "cursor": re.compile(r"cursor"),
    # A calendar-impossible day that the pattern cannot exclude (30 February).
    "since": re.compile(r"is not a valid date$"),
    "until": re.compile(r"is not a valid date$"),
    # Relations between two parameters, which OpenAPI cannot state about query parameters.
    "date_from": re.compile(r"^date_from is after date_to$"),
    "modified_since": re.compile(r"^modified_since is after until$|is not a valid date$"),
    "page": re.compile(r"^a cursor gives its own position"),
}


def refused_on_purpose(status: int, body: bytes) -> bool:
    """A 400 naming only values the schema cannot list (see the module's docstring)."""
    if status != 400:
        return False
    try:
        params = json.loads(body).get("invalid_params") or []
    except (ValueError, AttributeError):
        return False
    return bool(params) and all(
        p.get("name") in _REFUSED_ON_PURPOSE and _REFUSED_ON_PURPOSE[p["name"]].search(p.get("reason", ""))
        for p in params)


@schemathesis.check
def positive_data_acceptance_but_unknown_values(ctx: Any, response: Any, case: Any) -> bool | None:
    if refused_on_purpose(response.status_code, response.content):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


@schemathesis.deserializer("text/turtle")
def turtle(ctx: Any, response: Any) -> Any:
    """The DCAT description in Turtle, read with rdflib: a syntax error fails the run."""
    import rdflib

    graph = rdflib.Graph().parse(data=response.content.decode("utf-8"), format="turtle")
    return {"triples": len(graph)}
