"""Hostile documents and records, built in code so the tests say exactly what they send.

Everything here is what a compromised or careless partner could put on the wire: entity tricks,
huge or deeply nested trees, broken encodings, and records whose every field carries script.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
GMD_NS = "http://www.isotc211.org/2005/gmd"
GCO_NS = "http://www.isotc211.org/2005/gco"
CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"

# Script in every shape a sanitiser must neutralise.
XSS = ('<script>alert("x")</script><img src=x onerror=alert(1)>'
       '<a href="javascript:alert(2)">clic</a><svg onload=alert(3)></svg>')
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: makes "gpj.exe" display as "exe.jpg"
JS_URL = "javascript:alert(document.cookie)"


def _oai_envelope(inner: str, *, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}\n'
        f'<OAI-PMH xmlns="{OAI_NS}"><responseDate>2024-01-01T00:00:00Z</responseDate>'
        '<request verb="ListRecords">http://partner.example/oai</request>'
        f"<ListRecords>{inner}</ListRecords></OAI-PMH>\n"
    )


def oai_record(identifier: str, body: str, datestamp: str = "2024-01-01") -> str:
    return (
        f"<record><header><identifier>{escape(identifier)}</identifier>"
        f"<datestamp>{datestamp}</datestamp><setSpec>gallica:hostile</setSpec></header>"
        '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/">{body}</oai_dc:dc></metadata></record>'
    )


def oai_page(body_of_first_record: str = "<dc:title>Titre</dc:title>", *, head: str = "") -> bytes:
    """A one-record ListRecords page (no resumption token); ``head`` goes after the prolog."""
    return _oai_envelope(oai_record("oai:hostile:page", body_of_first_record), head=head).encode()


def csw_page(md_inner: str = "", *, head: str = "") -> bytes:
    """A one-record GetRecords answer; ``md_inner`` is added inside the MD_Metadata."""
    md = iso_record("hostile-csw", "Titre", extra=md_inner)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}\n'
        f'<csw:GetRecordsResponse xmlns:csw="{CSW_NS}">'
        '<csw:SearchStatus timestamp="2024-01-01T00:00:00Z"/>'
        '<csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">'
        f"{md}</csw:SearchResults></csw:GetRecordsResponse>\n"
    ).encode()


# -- the XML attacks -----------------------------------------------------------------------------


def xxe_file(kind: str = "oai") -> bytes:
    head = '<!DOCTYPE r [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    return _with(kind, "<dc:title>&leak;</dc:title>", head)


def xxe_http(url: str, kind: str = "oai") -> bytes:
    head = f'<!DOCTYPE r [<!ENTITY leak SYSTEM "{url}">]>'
    return _with(kind, "<dc:title>&leak;</dc:title>", head)


def xxe_parameter_entity(url: str, kind: str = "oai") -> bytes:
    """External parameter entity, and an external DTD: both would be fetched by a naive parser.

    Preceded by 70 KB of comment, past any "look for <!ENTITY at the start" shortcut.
    """
    head = f'<!--{"x" * 70_000}--><!DOCTYPE r SYSTEM "{url}/dtd" [<!ENTITY % p SYSTEM "{url}/pe"> %p;]>'
    return _with(kind, "<dc:title>Titre</dc:title>", head)


def xxe_utf16(kind: str = "oai") -> bytes:
    """The file entity in a UTF-16 document: no ASCII "<!ENTITY" in the bytes."""
    text = xxe_file(kind).decode("utf-8").replace('encoding="utf-8"', 'encoding="UTF-16"')
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return text.encode("utf-16")


def billion_laughs(kind: str = "oai", pad: int = 0) -> bytes:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    head = (f"<!--{'x' * pad}-->" if pad else "") + f"<!DOCTYPE r [{entities}]>"
    return _with(kind, "<dc:title>&l9;</dc:title>", head)


def quadratic_blowup(kind: str = "oai", pad: int = 0) -> bytes:
    head = (f"<!--{'x' * pad}-->" if pad else "") + f'<!DOCTYPE r [<!ENTITY a "{"a" * 50_000}">]>'
    return _with(kind, "<dc:title>" + "&a;" * 50_000 + "</dc:title>", head)


def deep_nesting(levels: int = 10_000, kind: str = "oai") -> bytes:
    return _with(kind, "<dc:title>Titre</dc:title>" + "<x>" * levels + "</x>" * levels, "")


def invalid_utf8(kind: str = "oai") -> bytes:
    page = _with(kind, "<dc:title>Titre MARK</dc:title>", "")
    return page.replace(b"MARK", b"\xff\xfe\xc3(")


def control_characters(kind: str = "oai") -> bytes:
    return _with(kind, "<dc:title>Titre \x01\x1b[31m &#x0; rouge</dc:title>", "")


def _with(kind: str, dc_body: str, head: str) -> bytes:
    if kind == "oai":
        return oai_page(dc_body, head=head)
    iso_body = dc_body.replace("<dc:title>", "<gmd:abstract><gco:CharacterString>").replace(
        "</dc:title>", "</gco:CharacterString></gmd:abstract>")
    return csw_page(iso_body, head=head)


# -- hostile content (well-formed XML, hostile values) --------------------------------------------


def big_title(size: int = 1_000_000) -> str:
    words = "titre démesuré " * (size // 15 + 1)
    return f"{XSS} {RLO}gpj.exe{RLO} " + words[:size]


def hostile_dc(identifier: str, keywords: int = 50_000) -> str:
    """A Gallica-like oai_dc record: 50,000 subjects, a 1 MB title, script and RLO everywhere."""
    t = escape
    subjects = "".join(f"<dc:subject>{t(f'mot{i} <b onclick=alert({i})>')}</dc:subject>"
                       for i in range(keywords))
    body = (
        f"<dc:identifier>{t(JS_URL)}</dc:identifier>"
        "<dc:identifier>https://gallica.bnf.fr/ark:/12148/hostile1</dc:identifier>"
        f"<dc:title>{t(big_title())}</dc:title>"
        f"<dc:creator>{t(XSS + RLO + 'Auteur')}</dc:creator>"
        f"<dc:publisher>{t(XSS)}</dc:publisher>"
        f"<dc:description>{t('<p>Résumé ' + RLO + ' normal</p>' + XSS)}</dc:description>"
        f"<dc:date>{t(XSS)}</dc:date>"
        f"<dc:language>{t('</script><script>alert(1)</script>')}</dc:language>"
        f"<dc:type>{t(XSS)}</dc:type>"
        f"<dc:rights>{t(XSS)}</dc:rights>"
        f"<dc:coverage>{t(XSS)}</dc:coverage>"
        f"<dc:format>{t(XSS)}</dc:format>"
        f"<dc:relation>{t('Voir : ' + JS_URL + ' et http://example.org/ok')}</dc:relation>"
        f"<dc:source>{t('data:text/html,' + XSS)}</dc:source>"
        f"{subjects}"
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return oai_record(identifier, body, stamp)


def iso_record(identifier: str, title: str, *, extra: str = "", keywords: int = 0,
               abstract: str = "Résumé") -> str:
    t = escape
    kws = "".join(f"<gmd:keyword><gco:CharacterString>{t(f'mot{i} <i>x</i>')}</gco:CharacterString>"
                  "</gmd:keyword>" for i in range(keywords))
    return (
        f'<gmd:MD_Metadata xmlns:gmd="{GMD_NS}" xmlns:gco="{GCO_NS}">'
        f"<gmd:fileIdentifier><gco:CharacterString>{t(identifier)}</gco:CharacterString></gmd:fileIdentifier>"
        '<gmd:language><gmd:LanguageCode codeList="x" codeListValue="fre"/></gmd:language>'
        f"<gmd:dateStamp><gco:DateTime>{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%S')}</gco:DateTime>"
        "</gmd:dateStamp>"
        "<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>"
        f"<gmd:title><gco:CharacterString>{t(title)}</gco:CharacterString></gmd:title>"
        "</gmd:CI_Citation></gmd:citation>"
        f"<gmd:abstract><gco:CharacterString>{t(abstract)}</gco:CharacterString></gmd:abstract>"
        f"<gmd:descriptiveKeywords><gmd:MD_Keywords>{kws}</gmd:MD_Keywords></gmd:descriptiveKeywords>"
        "<gmd:graphicOverview><gmd:MD_BrowseGraphic><gmd:fileName>"
        f"<gco:CharacterString>{t(JS_URL)}</gco:CharacterString></gmd:fileName>"
        "</gmd:MD_BrowseGraphic></gmd:graphicOverview>"
        "<gmd:pointOfContact><gmd:CI_ResponsibleParty><gmd:organisationName>"
        f"<gco:CharacterString>{t(XSS + RLO)}</gco:CharacterString></gmd:organisationName>"
        '<gmd:role><gmd:CI_RoleCode codeList="x" codeListValue="author"/></gmd:role>'
        "</gmd:CI_ResponsibleParty></gmd:pointOfContact>"
        "</gmd:MD_DataIdentification></gmd:identificationInfo>"
        "<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>"
        "<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage>"
        f"<gmd:URL>{t(JS_URL)}</gmd:URL></gmd:linkage>"
        f"<gmd:name><gco:CharacterString>{t(XSS)}</gco:CharacterString></gmd:name>"
        "</gmd:CI_OnlineResource></gmd:onLine>"
        "<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage>"
        "<gmd:URL>https://example.org/donnees</gmd:URL></gmd:linkage>"
        "<gmd:protocol><gco:CharacterString>WWW:LINK</gco:CharacterString></gmd:protocol>"
        "</gmd:CI_OnlineResource></gmd:onLine>"
        "</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>"
        f"{extra}</gmd:MD_Metadata>"
    )


def hostile_iso(identifier: str, keywords: int = 50_000) -> str:
    return iso_record(identifier, big_title(), keywords=keywords,
                      abstract="**Résumé** " + RLO + XSS + " [lien](javascript:alert(1))")


__all__ = ["JS_URL", "RLO", "XSS", "quoteattr"]
