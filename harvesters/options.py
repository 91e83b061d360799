"""The options a protocol client accepts, as marshmallow schemas: each harvester class declares
its own (``Harvester.options_schema``) so that a source is checked before anything runs.

Messages are in French: they end up in ``catalogue sources check`` and in the partner's reports.
Every schema here lists the options the clients read, with their types and bounds; a key that no
schema declares is an unknown key (see ``catalogue.source_check``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

_NOT_INT = "doit être un nombre entier"
_NOT_NUMBER = "doit être un nombre"
_NOT_TEXT = "doit être un texte"


def integer(minimum: int = 1) -> fields.Integer:
    """An integer option (TOML integer, not a quoted string) of at least ``minimum``."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=minimum, error=f"doit être un entier ≥ {minimum}"),
        error_messages={"invalid": _NOT_INT, "null": _NOT_INT},
    )


def positive_number() -> fields.Float:
    return fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, error="doit être un nombre > 0"),
        error_messages={"invalid": _NOT_NUMBER, "null": _NOT_NUMBER},
    )


def text() -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, error="ne doit pas être vide"),
        error_messages={"invalid": _NOT_TEXT, "null": _NOT_TEXT},
    )


def _date_bound(value: Any) -> None:
    from harvesters.protocols._common import parse_datetime  # the clients import this module

    if not isinstance(value, str) or parse_datetime(value.strip()) is None:
        raise ValidationError("doit être une date ISO (AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ)")


def date_bound(data_key: str | None = None) -> fields.Raw:
    """An OAI-PMH ``from``/``until`` bound: an ISO date or datetime, as text."""
    return fields.Raw(validate=_date_bound, data_key=data_key)


class SourceOptions(Schema):
    """Options every protocol accepts: the run's budgets (``catalogue.budget``)."""

    max_pages = integer()
    max_records = integer()
    max_seconds = positive_number()
    parse_attempts = integer()


class PagedOptions(SourceOptions):
    """Listings whose page size the client chooses."""

    page_size = integer()


class LinkedOptions(SourceOptions):
    """Listings whose pages link to the next one."""

    max_idle_pages = integer()


def option_names(schema: type[Schema]) -> list[str]:
    """The keys a schema declares, in declaration order."""
    return [f.data_key or name for name, f in schema().fields.items()]


def check_options(schema: type[Schema], options: dict[str, Any]) -> dict[str, list[str]]:
    """The problems of ``options`` by key (unknown keys are left to the caller, who knows the
    source's other keys); empty when they are fine."""
    names = set(option_names(schema))
    known = {k: v for k, v in options.items() if k in names}
    errors = schema().validate(known)
    return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])]
            for k, v in errors.items()}
