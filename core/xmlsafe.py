"""The only way the catalogue parses XML it did not write.

Partner documents are hostile until proven otherwise: no DTD loading, no entity expansion, no
network, no huge-tree mode (libxml2's depth and text-node limits stay on), and a size cap checked
before parsing.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# Elements per document. A tree costs ~450 bytes per element: 8 million empty elements fit in
# 32 MB of XML and would take 3.5 GB. A real partner page (50 records of a few hundred
# elements) is far below this.
MAX_NODES = 300_000
# Bytes fed to the parser at a time; the element count is checked after each.
_FEED = 256 * 1024


class UnsafeXMLError(ValueError):
    """The document was refused or could not be parsed; the message says why and where."""


def _parser(recover: bool = False) -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=recover,
    )


def parse_xml(data: bytes, *, recover: bool = False, limit: int = MAX_DOCUMENT_BYTES,
              max_nodes: int = MAX_NODES) -> etree._Element:
    """Parse ``data`` and return its root element, or raise :class:`UnsafeXMLError`.

    Documents with a DOCTYPE that declares entities are refused outright: no legitimate partner
    feed needs them, and they are how billion-laughs and XXE attacks arrive. The document is fed
    to the parser in pieces and its elements counted as they are built: past ``max_nodes`` it
    is refused with a tree of at most that size in memory.
    """
    if len(data) > limit:
        raise UnsafeXMLError(f"document too large: {len(data)} bytes (limit {limit})")
    head = data[:4096]
    if b"<!ENTITY" in head or (b"<!DOCTYPE" in head and b"<!ENTITY" in data[:65536]):
        raise UnsafeXMLError("document declares XML entities (DTD entities are refused)")
    parser = _parser(recover)
    nodes = 0
    try:
        for start in range(0, max(1, len(data)), _FEED):
            parser.feed(data[start:start + _FEED])
            nodes += sum(1 for _ in parser.read_events())
            if nodes > max_nodes:
                raise UnsafeXMLError(f"document has more than {max_nodes} elements (limit)")
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    if root is None:
        raise UnsafeXMLError("malformed XML: no root element")
    # The byte check above misses declarations after 64 KB of comments or in UTF-16 documents;
    # they were not expanded (resolve_entities=False) but the refusal must not depend on where
    # or how the declaration was written.
    dtd: Any = root.getroottree().docinfo.internalDTD  # lxml-stubs lack DTD.iterentities
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXMLError("document declares XML entities (DTD entities are refused)")
    return root
