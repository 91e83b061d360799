"""XML helpers shared by the XML readers (oai_dc, lom, iso19139): local-name navigation and the
OAI envelope around the metadata.

Elements are matched by local name so that a partner's namespace slip does not lose a field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from core.raw import RawRecord
from core.xmlsafe import UnsafeXMLError, parse_xml
from schemas.cleaning import clean_text
from schemas.readers import MappingError


def local(el: etree._Element) -> str:
    """Local name of an element ('' for comments and processing instructions)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def kids(el: etree._Element | None, *names: str) -> list[etree._Element]:
    """Element children of ``el`` whose local name is one of ``names`` (all if none given)."""
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and (not names or local(c) in names)]


def kid(el: etree._Element | None, *names: str) -> etree._Element | None:
    """First element child of ``el`` with one of the local ``names``, or None."""
    found = kids(el, *names)
    return found[0] if found else None


def path(el: etree._Element | None, *steps: str) -> list[etree._Element]:
    """Elements reached by following local names from ``el`` (every branch)."""
    current = [el] if el is not None else []
    for step in steps:
        current = [c for node in current for c in kids(node, step)]
    return current


def descendants(el: etree._Element | None, name: str) -> list[etree._Element]:
    """Every descendant element with local name ``name``, in document order."""
    if el is None:
        return []
    return [d for d in el.iter() if isinstance(d.tag, str) and local(d) == name]


def raw_text(el: etree._Element | None) -> str:
    """All text inside ``el`` as written (no cleaning)."""
    if el is None:
        return ""
    return "".join(str(t) for t in el.itertext())


def text_of(el: etree._Element | None) -> str | None:
    """Cleaned text of ``el`` or None."""
    return clean_text(raw_text(el))


def parse_content(raw: RawRecord) -> etree._Element:
    """Root element of the raw bytes through the safe parser; unreadable XML is a mapping error."""
    try:
        return parse_xml(raw.content)
    except UnsafeXMLError as exc:
        raise MappingError(f"unreadable XML: {exc}") from None


@dataclass
class Envelope:
    """What an OAI header (and Gallica's services wrapper) says around the metadata."""

    identifier: str | None = None
    datestamp: str | None = None
    sets: list[str] = field(default_factory=list)
    deleted: bool = False
    metadata: etree._Element | None = None
    # Gallica services extras: dewey, sdewey, typedoc, first_indexation_date, …
    extras: dict[str, str] = field(default_factory=dict)


def unwrap(root: etree._Element, metadata_names: tuple[str, ...]) -> Envelope:
    """Find the header and the metadata root (one of ``metadata_names``) in ``root``.

    Accepts an OAI ``record``, a Gallica ``results`` wrapper, a whole ``OAI-PMH`` response
    (its first record) or the bare metadata element.
    """
    env = Envelope()
    name = local(root)
    if name in metadata_names:
        env.metadata = root
        return env
    if name == "results":  # Gallica services/OAIRecord
        for extra in kids(root):
            text = text_of(extra)
            if text and not kids(extra):
                env.extras.setdefault(local(extra), text)
    record = root if name == "record" else next(iter(descendants(root, "record")), None)
    if record is None:
        found = [d for n in metadata_names for d in descendants(root, n)]
        if not found:
            raise MappingError(f"no OAI record or {'/'.join(metadata_names)} element in <{name}>")
        env.metadata = found[0]
        return env
    header = kid(record, "header")
    if header is not None:
        env.identifier = text_of(kid(header, "identifier"))
        env.datestamp = text_of(kid(header, "datestamp"))
        env.sets = [s for s in (text_of(e) for e in kids(header, "setSpec")) if s]
        env.deleted = header.get("status") == "deleted"
    container = kid(record, "metadata")
    if container is not None:
        inner = kids(container)
        matching = [e for e in inner if local(e) in metadata_names]
        env.metadata = matching[0] if matching else (inner[0] if inner else None)
    return env
