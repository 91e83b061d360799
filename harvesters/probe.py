"""``catalogue sources check --remote``: ask a source's server whether its configuration makes
sense, before the first harvest — through the harvest HTTP client (configured hosts only).

- OAI-PMH: ``Identify`` (the repository answers), ``ListMetadataFormats`` (the configured
  ``metadata_prefix`` is offered), ``ListSets`` (the configured ``set`` exists, with a
  "vouliez-vous dire" hint among the announced sets).
- CSW: ``GetCapabilities``: ``GetRecords`` offers the ISO 19139 output schema and the
  configured ``type_names``, and the modified-since queryable is announced.
- Every other protocol: the first page of the listing, read and split into records by the
  protocol client itself.

Findings are in French: the partner's data manager reads them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from lxml import etree

from harvesters.base import HarvestFailed, SourceSpec, harvester_for
from harvesters.protocols._common import PageError, clean, fetch_parsed, parse_xml_page
from harvesters.protocols.csw import DEFAULT_MODIFIED, GMD_NS, exception_text
from harvesters.protocols.oai_pmh import NS as OAI
from harvesters.protocols.oai_pmh import _parse_oai_root

# ListSets pages followed at most (a repository with thousands of sets pages them).
MAX_SET_PAGES = 50


@dataclass(frozen=True)
class Finding:
    """What the server said about one thing: fine (``ok``) or a problem, tied to an option."""

    ok: bool
    message: str
    key: str | None = None

    def __str__(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {f'clé « {self.key} » : ' if self.key else ''}{self.message}"


def probe(source: SourceSpec, http: Any) -> list[Finding]:
    """Ask the server; a server that cannot be reached is one finding, never an exception."""
    try:
        if source.protocol == "oai-pmh":
            return _oai(source, http)
        if source.protocol == "csw":
            return _csw(source, http)
        return _first_page(source, http)
    except HarvestFailed as exc:
        return [Finding(False, f"le serveur n'a pas répondu comme attendu : {exc}")]


# -- OAI-PMH ------------------------------------------------------------------------------


def _oai_call(source: SourceSpec, http: Any, params: dict[str, str]) -> etree._Element:
    _response, root = fetch_parsed(http, source.url, params, _parse_oai_root, attempts=1,
                                   what=params["verb"])
    return root


def _oai_error(root: etree._Element) -> tuple[str, str] | None:
    error = root.find("oai:error", OAI)
    if error is None:
        return None
    return error.get("code", ""), clean(error.text)


def _oai(source: SourceSpec, http: Any) -> list[Finding]:
    findings: list[Finding] = []
    root = _oai_call(source, http, {"verb": "Identify"})
    identify = root.find("oai:Identify", OAI)
    if identify is None:
        code, text = _oai_error(root) or ("", "réponse sans Identify")
        return [Finding(False, f"Identify refusé ({code}) : {text}")]
    name = clean(identify.findtext("oai:repositoryName", namespaces=OAI))
    deleted = clean(identify.findtext("oai:deletedRecord", namespaces=OAI))
    granularity = clean(identify.findtext("oai:granularity", namespaces=OAI))
    findings.append(Finding(True, f"Identify : « {name} », dates {granularity or '?'}, "
                                  f"suppressions {deleted or '?'}"))
    prefix = str(source.options.get("metadata_prefix", "oai_dc"))
    root = _oai_call(source, http, {"verb": "ListMetadataFormats"})
    offered = [clean(e.text) for e in root.iterfind(
        "oai:ListMetadataFormats/oai:metadataFormat/oai:metadataPrefix", OAI)]
    if prefix in offered:
        findings.append(Finding(True, f"format « {prefix} » proposé", "metadata_prefix"))
    else:
        findings.append(Finding(False, f"le serveur ne propose pas le format « {prefix} » "
                                       f"(formats proposés : {', '.join(offered) or 'aucun'})",
                                "metadata_prefix"))
    wanted = source.options.get("set")
    if wanted:
        findings.append(_oai_set(source, http, str(wanted)))
    return findings


def _oai_set(source: SourceSpec, http: Any, wanted: str) -> Finding:
    specs: list[str] = []
    params = {"verb": "ListSets"}
    for _ in range(MAX_SET_PAGES):
        root = _oai_call(source, http, params)
        error = _oai_error(root)
        if error is not None:
            code, text = error
            if code == "noSetHierarchy":
                return Finding(False, "le serveur ne gère pas les sets (noSetHierarchy) : "
                                      "retirez la clé", "set")
            return Finding(False, f"ListSets refusé ({code}) : {text}", "set")
        specs += [clean(e.text) for e in root.iterfind("oai:ListSets/oai:set/oai:setSpec", OAI)]
        if wanted in specs:
            return Finding(True, f"set « {wanted} » annoncé par le serveur", "set")
        token = clean(root.findtext("oai:ListSets/oai:resumptionToken", namespaces=OAI))
        if not token:
            break
        params = {"verb": "ListSets", "resumptionToken": token}
    close = difflib.get_close_matches(wanted, specs, n=1, cutoff=0.6)
    return Finding(False, f"le set « {wanted} » n'existe pas sur le serveur ({len(specs)} sets "
                          "annoncés)" + (f" — vouliez-vous dire « {close[0]} » ?" if close else ""),
                   "set")


# -- CSW ----------------------------------------------------------------------------------


def _parse_capabilities(response: Any) -> etree._Element:
    root = parse_xml_page(response.content)
    if etree.QName(root).localname not in ("Capabilities", "ExceptionReport"):
        raise PageError(f"root element is {root.tag!r}, not CSW Capabilities")
    return root


def _xpath(element: etree._Element, expr: str) -> list[Any]:
    found: Any = element.xpath(expr)
    return list(found)


def _values(operation: etree._Element, kind: str, name: str) -> list[str]:
    """The ``ows:Value`` texts of an operation's parameter or constraint (any OWS version)."""
    return [clean(str(v)) for v in _xpath(
        operation, f"*[local-name()='{kind}'][@name='{name}']//*[local-name()='Value']/text()")]


def _csw(source: SourceSpec, http: Any) -> list[Finding]:
    _response, root = fetch_parsed(
        http, source.url, {"service": "CSW", "request": "GetCapabilities",
                           "acceptVersions": "2.0.2"},
        _parse_capabilities, attempts=1, what="GetCapabilities", accept_status=(400,))
    if etree.QName(root).localname == "ExceptionReport":
        code, _locator, text = exception_text(root)
        return [Finding(False, f"GetCapabilities refusé ({code}) : {text}")]
    findings = [Finding(True, "GetCapabilities : le serveur répond")]
    operations = _xpath(root, "//*[local-name()='Operation'][@name='GetRecords']")
    if not operations:
        return [*findings, Finding(False, "le serveur n'annonce pas l'opération GetRecords")]
    operation = operations[0]
    schemas = _values(operation, "Parameter", "outputSchema")
    findings.append(Finding(GMD_NS in schemas, "schéma de sortie ISO 19139 (gmd) "
                            + ("proposé" if GMD_NS in schemas else
                               f"non proposé (proposés : {', '.join(schemas) or 'aucun'})")))
    type_names = str(source.options.get("type_names", "gmd:MD_Metadata"))
    offered_types = _values(operation, "Parameter", "typeNames") or _values(
        operation, "Parameter", "TypeNames")
    if offered_types:
        findings.append(Finding(type_names in offered_types, f"type « {type_names} » "
                                + ("proposé" if type_names in offered_types else
                                   f"non proposé (proposés : {', '.join(offered_types)})"),
                                "type_names"))
    queryable = str(source.options.get("modified_queryable") or DEFAULT_MODIFIED)
    queryables = [v for name in ("SupportedISOQueryables", "SupportedDublinCoreQueryables",
                                 "AdditionalQueryables")
                  for v in _values(operation, "Constraint", name)]
    key = "modified_queryable"
    if queryable in queryables:
        findings.append(Finding(True, f"filtre des moissonnages incrémentaux « {queryable} » "
                                      "annoncé", key))
    elif not queryables:
        findings.append(Finding(True, "le serveur n'annonce pas ses champs de filtre : le filtre "
                                      f"« {queryable} » sera essayé (liste complète s'il est "
                                      "refusé)", key))
    else:
        local = [q for q in queryables if q.split(":")[-1].lower() == queryable.split(":")[-1]
                 .lower()]
        findings.append(Finding(False, f"filtre « {queryable} » non annoncé"
                                + (f" — vouliez-vous dire « {local[0]} » ?" if local else "")
                                + " (les moissonnages incrémentaux liront tout)", key))
    return findings


# -- the others ---------------------------------------------------------------------------


def _first_page(source: SourceSpec, http: Any) -> list[Finding]:
    harvester = harvester_for(source, http)
    for page in harvester.pages():
        problems = [i for i in page.issues if not i.warning]
        message = (f"première page lue : {len(page.records)} notice(s)"
                   + (f", total annoncé {page.total}" if page.total is not None else ""))
        findings = [Finding(bool(page.records) or not problems, message)]
        findings += [Finding(False, f"sur la première page : {i.message}") for i in problems[:3]]
        return findings
    return [Finding(False, "la liste est vide")]
