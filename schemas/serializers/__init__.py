"""Serialisers of the shared record: ``oai_dc``, IEEE ``lom`` and ``scolomfr``.

One module per format, each exposing ``to_<format>(record) -> lxml element``,
``fragment(record) -> bytes`` (no XML declaration, to embed in OAI-PMH responses) and
``to_xml_bytes(record) -> bytes`` (a standalone document). :data:`FORMATS` lists them with their
namespace and schema for OAI-PMH's ListMetadataFormats and the JSON API's ``?format=``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from schemas.record import Record
from schemas.serializers import lom, oai_dc, scolomfr


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    namespace: str
    schema: str
    # Each takes (record, catalog=None); ``catalog`` names the catalogue in LOM metaMetadata.
    element: Callable[..., etree._Element]
    fragment: Callable[..., bytes]
    to_xml_bytes: Callable[..., bytes]


FORMATS: dict[str, MetadataFormat] = {
    oai_dc.PREFIX: MetadataFormat(oai_dc.PREFIX, oai_dc.NAMESPACE, oai_dc.SCHEMA, oai_dc.to_oai_dc,
                                  oai_dc.fragment, oai_dc.to_xml_bytes),
    lom.PREFIX: MetadataFormat(lom.PREFIX, lom.NAMESPACE, lom.SCHEMA, lom.to_lom, lom.fragment,
                               lom.to_xml_bytes),
    scolomfr.PREFIX: MetadataFormat(scolomfr.PREFIX, scolomfr.NAMESPACE, scolomfr.SCHEMA,
                                    scolomfr.to_scolomfr, scolomfr.fragment, scolomfr.to_xml_bytes),
}


def serialize(prefix: str, record: Record, catalog: str | None = None) -> bytes:
    """``record`` in format ``prefix`` as a standalone document; KeyError for an unknown prefix."""
    result: bytes = FORMATS[prefix].to_xml_bytes(record, catalog)
    return result


__all__ = ["FORMATS", "MetadataFormat", "serialize"]
