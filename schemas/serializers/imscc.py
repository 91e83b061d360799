"""A selection of resources as an IMS Common Cartridge 1.3 (``.imscc``) of web links.

Moodle, Canvas and the ENTs import a cartridge as a course section of links; a list of links is
all a selection is, so the cartridge holds only web links (no files of the partners):

- ``imsmanifest.xml`` in the CC 1.3 content-packaging profile (namespace
  :data:`CP`, ``schemaversion`` 1.3.0), with LOM manifest metadata (title, description,
  language, rights) in the :data:`LOM_MANIFEST` namespace;
- one organization (``rooted-hierarchy``): a root item, one folder item named after the
  selection, then one item per resource, in the selection's order, each pointing at its
  resource;
- one ``imswl_xmlv1p3`` resource per link, whose only file is a web link document
  (:data:`WEBLINK`: title and URL). The web link schema has no description, so the description,
  the teacher's note and the credit line are LOM resource metadata (:data:`LOM_RESOURCE`) of the
  resource: general/description and rights/description.

The zip is written deterministically (fixed timestamps, fixed order), so one selection always
gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from schemas.serializers._xml import xml_text

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LOM_RESOURCE = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
WEBLINK = "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_VERSION = "1.3.0"
WEBLINK_TYPE = "imswl_xmlv1p3"
_PROFILE = "http://www.imsglobal.org/profile/cc/ccv1p3"
MANIFEST_LOCATIONS = (
    f"{CP} {_PROFILE}/ccv1p3_imscp_v1p2_v1p0.xsd "
    f"{LOM_MANIFEST} {_PROFILE}/LOM/ccv1p3_lommanifest_v1p0.xsd "
    f"{LOM_RESOURCE} {_PROFILE}/LOM/ccv1p3_lomresource_v1p0.xsd"
)
WEBLINK_LOCATION = f"{WEBLINK} {_PROFILE}/ccv1p3_imswl_v1p3.xsd"
MAX_DESCRIPTION = 2000  # characters of a description kept in the metadata
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class WebLink:
    """One resource of the selection, as the cartridge shows it."""

    title: str
    url: str
    description: str = ""
    credit: str = ""
    note: str = ""


def _lang_string(parent: etree._Element, ns: str, tag: str, text: str, lang: str = "fr") -> None:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    string = etree.SubElement(element, f"{{{ns}}}string", language=lang)
    string.text = xml_text(text)


def _lom(ns: str, prefix: str, title: str, description: str, rights: str) -> etree._Element:
    lom = etree.Element(f"{{{ns}}}lom", nsmap={prefix: ns})
    general = etree.SubElement(lom, f"{{{ns}}}general")
    _lang_string(general, ns, "title", title)
    if ns == LOM_MANIFEST:
        etree.SubElement(general, f"{{{ns}}}language").text = "fr"
    if description:
        _lang_string(general, ns, "description", description[:MAX_DESCRIPTION])
    if rights:
        block = etree.SubElement(lom, f"{{{ns}}}rights")
        restricted = etree.SubElement(block, f"{{{ns}}}copyrightAndOtherRestrictions")
        etree.SubElement(restricted, f"{{{ns}}}value").text = "yes"
        _lang_string(block, ns, "description", rights)
    return lom


def _description(link: WebLink) -> str:
    parts = [link.description.strip()[:MAX_DESCRIPTION]] if link.description.strip() else []
    if link.note.strip():
        parts.append(f"Note de l'enseignant : {link.note.strip()}")
    return "\n\n".join(parts)


def weblink_xml(link: WebLink) -> bytes:
    """The web link document of one resource (``imswl_v1p3``: a title and a URL)."""
    nsmap: Any = {None: WEBLINK, "xsi": XSI}  # a default namespace (the stubs want str keys)
    root = etree.Element(f"{{{WEBLINK}}}webLink", nsmap=nsmap)
    root.set(f"{{{XSI}}}schemaLocation", WEBLINK_LOCATION)
    etree.SubElement(root, f"{{{WEBLINK}}}title").text = xml_text(link.title)
    etree.SubElement(root, f"{{{WEBLINK}}}url", href=xml_text(link.url), target="_blank")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def manifest_xml(title: str, description: str, links: Sequence[WebLink], identifier: str) -> bytes:
    """``imsmanifest.xml``; resource ``n`` (1-based) is ``R{n}`` with its file ``R{n}/weblink.xml``."""
    nsmap: Any = {None: CP, "lomimscc": LOM_MANIFEST, "lom": LOM_RESOURCE, "xsi": XSI}
    manifest = etree.Element(f"{{{CP}}}manifest", nsmap=nsmap, identifier=identifier)
    manifest.set(f"{{{XSI}}}schemaLocation", MANIFEST_LOCATIONS)
    metadata = etree.SubElement(manifest, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "IMS Common Cartridge"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = SCHEMA_VERSION
    rights = "Chaque lien garde la licence de sa ressource : voir la mention de la source de chaque lien."
    metadata.append(_lom(LOM_MANIFEST, "lomimscc", title, description, rights))

    organizations = etree.SubElement(manifest, f"{{{CP}}}organizations")
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", identifier="O1",
                                    structure="rooted-hierarchy")
    root = etree.SubElement(organization, f"{{{CP}}}item", identifier="I0")
    folder = etree.SubElement(root, f"{{{CP}}}item", identifier="I00")
    etree.SubElement(folder, f"{{{CP}}}title").text = xml_text(title)
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    for n, link in enumerate(links, start=1):
        item = etree.SubElement(folder, f"{{{CP}}}item", identifier=f"I{n}", identifierref=f"R{n}")
        etree.SubElement(item, f"{{{CP}}}title").text = xml_text(link.title)
        resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier=f"R{n}", type=WEBLINK_TYPE)
        resource_metadata = etree.SubElement(resource, f"{{{CP}}}metadata")
        resource_metadata.append(_lom(LOM_RESOURCE, "lom", link.title, _description(link), link.credit))
        etree.SubElement(resource, f"{{{CP}}}file", href=f"R{n}/weblink.xml")
    return etree.tostring(manifest, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def write_cartridge(title: str, links: Sequence[WebLink], *, description: str = "",
                    identifier: str = "catalogue-selection") -> bytes:
    """The ``.imscc`` file (a zip) for ``links`` in order; ``identifier`` names the manifest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add("imsmanifest.xml", manifest_xml(title, description, links, identifier))
        for n, link in enumerate(links, start=1):
            add(f"R{n}/weblink.xml", weblink_xml(link))
    return buffer.getvalue()
