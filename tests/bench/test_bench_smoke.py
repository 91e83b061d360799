"""The benchmark runs end to end at a tiny size: every stage produces its figures.

Speed is never asserted here (see docs/benchmarks.md for the figures); these tests only prove
the code paths work, so that ``make bench`` does not discover a broken stage after an hour.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.corpus import Corpus
from bench.feed import BenchFeed
from core.xmlsafe import parse_xml
from tests.engines import ES_PARAM, ES_URL

pytestmark = [pytest.mark.bench, pytest.mark.slow]

RECORDS = 600  # enough for one generation-2 deletion (index 503)


def test_corpus_is_deterministic_and_changes_in_generation_2() -> None:
    corpus = Corpus(RECORDS)
    partner = corpus.slices[0].partner
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert corpus.record_xml(5, partner, 1, now) == Corpus(RECORDS).record_xml(5, partner, 1, now)
    assert corpus.record_xml(37, partner, 1, now) != corpus.record_xml(37, partner, 2, now)
    assert 'status="deleted"' in corpus.record_xml(503, partner, 2, now)
    assert corpus.record_xml(36, partner, 1, now) == corpus.record_xml(36, partner, 2, now)
    assert corpus.expected_changes() == (6, 1)
    assert Corpus(10_000).expected_changes() == (100, 10)


def test_feed_lists_every_record_then_only_the_changes() -> None:
    import requests

    corpus = Corpus(RECORDS)
    part = corpus.slices[0]
    with BenchFeed(corpus, page_size=25) as feed:
        url = feed.url(f"/bench/oai/{part.partner.id}")
        identifiers = []
        params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        while True:
            root = parse_xml(requests.get(url, params=params, timeout=10).content)
            ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
            identifiers += [e.text for e in root.iterfind(".//o:header/o:identifier", ns)]
            token = root.findtext(".//o:resumptionToken", namespaces=ns)
            if not token:
                break
            params = {"verb": "ListRecords", "resumptionToken": token}
        assert len(identifiers) == len(part) == len(set(identifiers))
        when = feed.publish_generation_2()
        changes = requests.get(url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc",
                                            "from": when.strftime("%Y-%m-%dT%H:%M:%SZ")}, timeout=10)
        root = parse_xml(changes.content)
        listed = root.findall(".//{http://www.openarchives.org/OAI/2.0/}header")
        assert len(listed) == sum(corpus.expected_changes(part.start, part.stop))


def test_every_stage_reports_positive_figures(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    main(["--records", str(RECORDS), "--json", str(out), "--data-dir", str(tmp_path / "data"),
          "--api-seconds", "2", "--api-clients", "2"])
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["records"] == RECORDS
    for key in ("harvest_records_per_s", "oai_records_per_s", "oai_server_max_rss_mb", "oai_peer_ratio",
                "api_requests_per_s", "reharvest_ratio", "serve_cold_start_s"):
        assert results[key] > 0, key
    for key in ("search_ms", "search_http_ms"):
        assert {"p50", "p95", "p99"} <= set(results[key])
        assert all(results[key][p] > 0 for p in ("p50", "p95", "p99")), key
    assert results["api_ms"]["p50"] > 0 and results["api_ms"]["p95"] > 0
    assert results["harvest"]["counts"]["added"] == RECORDS
    assert results["oai"]["records"] == results["oai_peer"]["records"] == RECORDS
    assert results["reharvest"]["counts_as_expected"] is True
    assert results["search"]["queries"] >= 200
    assert results["alignment"]["content_ms_per_record"] > 0 and results["alignment"]["records"] > 0
    assert 0 < results["alignment"]["records_with_inferred_values"] <= 1
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "OAI-PMH ListRecords oai_dc" in table and "Harvest time by stage" in table
    assert "Content layer of the alignment, CPU per record" in table


@pytest.mark.parametrize("engine", [ES_PARAM])
def test_search_url_measures_both_engines_on_the_same_store(engine: str, tmp_path: Path) -> None:
    from bench.engines import engine_alias
    from search.engine_client import connect

    out = tmp_path / "results.json"
    records = 300
    try:
        main(["--records", str(records), "--json", str(out), "--data-dir", str(tmp_path / "data"),
              "--search-url", str(ES_URL), "--stages", "harvest,engines,search,http",
              "--api-seconds", "1", "--api-clients", "2"])
    finally:
        client = connect(str(ES_URL))
        client.drop_indices(f"{engine_alias(records)}-*")
        client.close()
    engines = json.loads(out.read_text(encoding="utf-8"))["engines"]
    for side in ("tantivy", "engine"):
        assert engines[side]["build"]["records"] == records, side
        assert engines[side]["build"]["records_per_s"] > 0 and engines[side]["build"]["peak_rss_mb"] > 0
        for key in ("search_ms", "search_http_ms", "api_ms"):
            assert engines[side][key]["p50"] > 0, (side, key)
    # the same corpus answers the same query mix alike
    assert engines["engine"]["median_total"] == engines["tantivy"]["median_total"]
    assert engines["engine"]["build"]["server"] == "opensearch"
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| figure | unit | tantivy | opensearch |" in table
