"""Date handling shared by the protocol clients, and registration of every protocol."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from harvesters.base import SourceSpec, harvester_for, protocols
from harvesters.http import HttpClient
from harvesters.protocols._common import parse_datetime
from harvesters.protocols.oai_pmh import DAY, SECONDS, format_oai_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2009-01-08", datetime(2009, 1, 8, tzinfo=UTC)),
    ("\n\t\t2009-01-08\n", datetime(2009, 1, 8, tzinfo=UTC)),
    ("2011-07-18T16:31:00Z", datetime(2011, 7, 18, 16, 31, tzinfo=UTC)),
    ("2019-03-25T22:56:15.973+01:00", datetime(2019, 3, 25, 21, 56, 15, 973000, tzinfo=UTC)),
    ("2025-11-26T00:00:00.000000123Z", datetime(2025, 11, 26, tzinfo=UTC)),
    ("2018-07-30T14:19:40", datetime(2018, 7, 30, 14, 19, 40, tzinfo=UTC)),
    ("Mon, 02 Sep 2024 08:00:00 GMT", datetime(2024, 9, 2, 8, 0, tzinfo=UTC)),
])
def test_parse_datetime_forms(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "18..", "1881-1883x", "hier", None])
def test_parse_datetime_rejects(text):
    assert parse_datetime(text) is None


def test_format_oai_date_floors_to_granularity():
    paris = timezone(timedelta(hours=2))
    moment = datetime(2026, 3, 1, 1, 30, 59, 999, tzinfo=paris)  # 2026-02-28 23:30 UTC
    assert format_oai_date(moment, DAY) == "2026-02-28"
    assert format_oai_date(moment, SECONDS) == "2026-02-28T23:30:59Z"


def test_every_protocol_is_registered():
    assert {"oai-pmh", "csw", "dcat", "udata", "rss", "jalons"} <= set(protocols())
    with pytest.raises(ValueError, match="unknown protocol"):
        harvester_for(SourceSpec(id="x", url="http://h/", protocol="gopher"), None)


def test_client_for_sources_allows_each_source_origin():
    specs = [SourceSpec(id="a", url="https://oai.bnf.fr/oai2/OAIHandler", protocol="oai-pmh"),
             SourceSpec(id="b", url="https://data.geopf.fr/csw", protocol="csw")]
    client = HttpClient.for_sources(specs)
    assert client.is_allowed("https://oai.bnf.fr/other")
    assert client.is_allowed("https://data.geopf.fr/csw?request=GetRecords")
    assert not client.is_allowed("http://oai.bnf.fr/oai2/OAIHandler")


def test_record_bytes_do_not_depend_on_their_neighbours():
    """The same record on two pages (a neighbour removed at the server, so the whitespace after
    it changed) gives the same bytes, hence the same raw hash: it is not re-mapped (issue 18)."""
    from lxml import etree

    from catalogue.pipeline import raw_hash
    from core.raw import RawRecord
    from harvesters.protocols._common import element_bytes

    ns = 'xmlns="http://www.openarchives.org/OAI/2.0/"'
    rec = '<record><header><identifier>a</identifier></header><metadata>x</metadata></record>'
    other = rec.replace(">a<", ">b<")
    before = etree.fromstring(f"<ListRecords {ns}>\n  {rec}\n  {other}\n</ListRecords>".encode())
    after = etree.fromstring(f"<ListRecords {ns}>\n  {rec}\n</ListRecords>".encode())
    first, second = before[0], after[0]
    assert first.tail != second.tail  # the page around the record did change
    a, b = element_bytes(first), element_bytes(second)
    assert a == b and a.endswith(b"</record>")
    assert raw_hash(RawRecord("a", "oai_dc", a)) == raw_hash(RawRecord("a", "oai_dc", b))
