"""``/ign/csw``: CSW 2.0.2 GetRecords (GET KVP) over the recorded ISO 19139 records.

Like GeoNetwork: ``maxRecords`` is capped by the server page size (default 2), ``nextRecord`` is
0 on the last page, and a ``startPosition`` past the matched records is answered with the
recorded OWS ExceptionReport (HTTP 400). Constraints: CQL ``apiso:Modified >= '…'`` (or ``>``,
or ``dct:modified``) and the equivalent OGC Filter XML; anything else, the bare ``Modified``
included, is answered as pycsw 2.6 does: ``InvalidParameterValue`` on ``constraint``, "Invalid
Filter syntax", HTTP 200.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from catalogue.simulator.data import Entry, parse_date, recording
from catalogue.simulator.wire import SimRequest, SimResponse, xml_response
from core.xmlsafe import UnsafeXMLError, parse_xml

if TYPE_CHECKING:
    from catalogue.simulator.server import Simulator

PATH = "/ign/csw"
GMD_NS = "http://www.isotc211.org/2005/gmd"
OGC_NS = "http://www.opengis.net/ogc"
_CQL = re.compile(r"^\s*(?:apiso:modified|dct:modified)\s*(>=|>)\s*'([^']+)'\s*$", re.I)
_RECORDED_TEXT = ("Start position (199) can't be greater than number of matching records "
                  "(6 for current search).")


def exception_report(code: str, locator: str, text: str, status: int = 400) -> SimResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2.0" '
        'xsi:schemaLocation="http://www.opengis.net/ows '
        'http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd">\n'
        f'  <ows:Exception exceptionCode="{code}" locator="{locator}">\n'
        f"    <ows:ExceptionText>{escape(text)}</ows:ExceptionText>\n"
        "  </ows:Exception>\n</ows:ExceptionReport>\n"
    )
    return xml_response(body, status=status, content_type="application/xml; charset=UTF-8")


def start_position_exception(start: int, matched: int) -> SimResponse:
    """GeoNetwork's answer when paging past the end, from the recording with our numbers."""
    recorded = recording("errors/REAL_geonetwork_csw_exceptionreport_startposition.xml").decode()
    text = (f"Start position ({start}) can't be greater than number of matching records "
            f"({matched} for current search).")
    return xml_response(recorded.replace(_RECORDED_TEXT, text), status=400,
                        content_type="application/xml; charset=UTF-8")


def _since(params: dict[str, str]) -> tuple[datetime | None, bool] | None:
    """(lower bound, strict) from the constraint, (None, False) without one, None if unusable."""
    constraint = params.get("constraint", "")
    if not constraint:
        return None, False
    language = params.get("constraintlanguage", "CQL_TEXT").upper()
    try:
        if language == "CQL_TEXT":
            match = _CQL.match(constraint)
            if not match:
                return None
            return parse_date(match.group(2)), match.group(1) == ">"
        if language == "FILTER":
            root = parse_xml(constraint.encode("utf-8"))
            for op, strict in (("PropertyIsGreaterThanOrEqualTo", False),
                               ("PropertyIsGreaterThan", True)):
                node = root.find(f".//{{{OGC_NS}}}{op}")
                if node is not None:
                    name = (node.findtext(f"{{{OGC_NS}}}PropertyName") or "").strip()
                    literal = (node.findtext(f"{{{OGC_NS}}}Literal") or "").strip()
                    if name.lower() in ("apiso:modified", "dct:modified") and literal:
                        return parse_date(literal), strict
    except (ValueError, UnsafeXMLError):
        return None
    return None


def _matches(entry: Entry, since: datetime | None, strict: bool) -> bool:
    if since is None:
        return True
    return entry.datestamp > since if strict else entry.datestamp >= since


def handle(sim: Simulator, req: SimRequest) -> SimResponse:
    params = {k.lower(): v for k, v in req.params.items()}
    if params.get("service", "").upper() != "CSW":
        return exception_report("MissingParameterValue", "service", "service=CSW is required")
    request = params.get("request", "")
    if request == "GetRecordById":
        entry = sim.stores["ign"].entries.get(params.get("id", ""))
        found = [entry] if entry is not None and not entry.deleted else []
        inner = "".join(f"  {e.payload}\n" for e in found)
        return xml_response(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">\n'
            f"{inner}</csw:GetRecordByIdResponse>\n",
            content_type="application/xml; charset=UTF-8",
        )
    if request != "GetRecords":
        return exception_report("OperationNotSupported", "request",
                                f"Operation {request!r} is not supported by this simulator")
    if params.get("outputschema", GMD_NS) != GMD_NS:
        return exception_report("InvalidParameterValue", "outputSchema",
                                "only http://www.isotc211.org/2005/gmd is served")
    try:
        start = int(params.get("startposition", "1"))
        wanted = int(params.get("maxrecords", "10"))
    except ValueError:
        return exception_report("InvalidParameterValue", "startPosition",
                                "startPosition and maxRecords must be integers")
    if start < 1 or wanted < 0:
        return exception_report("InvalidParameterValue", "startPosition",
                                "startPosition must be >= 1 and maxRecords >= 0")
    bound = _since(params)
    if bound is None:
        # pycsw's answer to a filter it cannot read (a bare ``Modified`` among them).
        return exception_report("InvalidParameterValue", "constraint", "Invalid Filter syntax",
                                status=200)
    since, strict = bound
    entries = [e for e in sim.stores["ign"].live() if _matches(e, since, strict)]
    matched = len(entries)
    if start > matched and not (matched == 0 and start == 1):
        return start_position_exception(start, matched)
    hits_only = params.get("resulttype", "results").lower() == "hits"
    size = 0 if hits_only else min(wanted, sim.csw_page_size)
    page = entries[start - 1: start - 1 + size]
    after = start + len(page)
    next_record = after if after <= matched and page else 0
    fault = sim.faults.take(req.path, req.params, "loop-next")
    if fault is not None:
        next_record = int(fault.params.get("next_record", start))
    now = sim.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    records = "".join(f"    {e.payload}\n" for e in page)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<csw:GetRecordsResponse\n"
        '  xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"\n'
        '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/cat/csw/2.0.2 '
        'http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">\n'
        f'  <csw:SearchStatus timestamp="{now}" />\n'
        f'  <csw:SearchResults numberOfRecordsMatched="{matched}" '
        f'numberOfRecordsReturned="{len(page)}" elementSet="full" nextRecord="{next_record}">\n'
        f"{records}  </csw:SearchResults>\n</csw:GetRecordsResponse>\n"
    )
    return xml_response(body, content_type="application/xml; charset=UTF-8")
