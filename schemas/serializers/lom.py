"""The record as IEEE LOM (1484.12.3 XML binding, namespace ``http://ltsc.ieee.org/xsd/LOM``).

Strict LOM: every vocabulary value is a LOMv1.0 token, so the output validates against
``lomStrict.xsd``. Levels and disciplines are classifications (purpose "educational level" /
"discipline") whose taxon ids are the ScoLOMFR concept URIs, so no information is lost for a LOM
consumer; resource types have no strict LOM equivalent and appear only in ScoLOMFR.
"""

from __future__ import annotations

from lxml import etree

from schemas.record import Record
from schemas.serializers._lomtree import LOM, LomBuilder

PREFIX = "lom"
NAMESPACE = LOM
SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lomStrict.xsd"


def to_lom(record: Record, catalog: str | None = None) -> etree._Element:
    """The ``lom:lom`` element; ``catalog`` names the catalogue in metaMetadata/identifier."""
    return LomBuilder(record, catalog).build()


def fragment(record: Record, catalog: str | None = None) -> bytes:
    """The element as UTF-8 bytes without declaration, for OAI-PMH responses."""
    return etree.tostring(to_lom(record, catalog), encoding="utf-8")


def to_xml_bytes(record: Record, catalog: str | None = None) -> bytes:
    """A standalone UTF-8 document with XML declaration."""
    return etree.tostring(to_lom(record, catalog), encoding="UTF-8", xml_declaration=True)
