"""Selective and paged harvesting: tokens, dates, sets, deletions, changes during a harvest."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from lxml import etree

from catalogue.store import Store
from schemas.record import record_id
from schemas.vocabularies import load_vocabulary
from tests.oai.conftest import Harvester
from tests.oai.support import (
    CM2,
    COLLEGE,
    CYCLE3,
    ELEMENTAIRE,
    HISTGEO,
    NS,
    TROISIEME,
    errors,
    headers,
    make_record,
    oai_id,
    set_datestamp,
    write,
)

Stamps = dict[str, datetime]


def harvest(oai: Harvester, verb: str = "ListRecords", **params: str) -> tuple[list[etree._Element], list]:
    """Follow resumption tokens to the end; return every page and every token element."""
    pages, tokens = [], []
    root = oai.get(verb=verb, **params)
    prefix = params.get("metadataPrefix")
    while True:
        assert errors(root) == [], etree.tostring(root)[:500]
        pages.append(root)
        token = root.find(f".//o:{verb}/o:resumptionToken", NS)
        if token is None:
            return pages, tokens
        tokens.append(token)
        if not token.text:
            return pages, tokens
        root = oai.get(prefix, verb=verb, resumptionToken=token.text)


def listed(pages: list[etree._Element]) -> list[tuple[str, str, bool]]:
    return [(h.findtext("o:identifier", namespaces=NS), h.findtext("o:datestamp", namespaces=NS),
             h.get("status") == "deleted") for page in pages for h in headers(page)]


def expected(store: Store) -> list[tuple[str, str, bool]]:
    return [(oai_id(s.id), s.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"), s.deleted)
            for s in store.iter_records(include_deleted=True)]


@pytest.mark.parametrize("prefix", ["oai_dc", "lom", "scolomfr"])
def test_full_list_records_pages_through_everything(oai: Harvester, oai_store: tuple[Store, Stamps],
                                                    prefix: str) -> None:
    store, _ = oai_store
    pages, tokens = harvest(oai, metadataPrefix=prefix)
    assert listed(pages) == expected(store)  # same ids, same datestamps, change order, no duplicate
    total = len(expected(store))
    assert len(pages) == -(-total // 3)  # oai_page_size=3
    assert [int(t.get("cursor")) for t in tokens] == list(range(0, total, 3))[: len(tokens)]
    assert all(int(t.get("completeListSize")) == total for t in tokens)
    last = tokens[-1]
    assert last.text is None and last.get("cursor") == str(3 * (len(pages) - 1))  # empty last token
    for page in pages:
        for record in page.iterfind(".//o:record", NS):
            deleted = record.find("o:header", NS).get("status") == "deleted"
            assert (record.find("o:metadata", NS) is None) == deleted


def test_list_identifiers_pages(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    store, _ = oai_store
    pages, tokens = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    assert listed(pages) == expected(store)
    assert len(pages[0].findall(".//o:header", NS)) == 4  # oai_identifiers_page_size=4
    assert tokens[-1].text is None and tokens[-1].get("completeListSize") == str(len(expected(store)))


def test_single_page_has_no_token(oai_store, store_url, tmp_path) -> None:
    from tests.oai.conftest import Harvester as H
    from tests.oai.conftest import make_app

    app = make_app(store_url, tmp_path, oai_page_size=1000)
    root = H(app.test_client()).get(verb="ListRecords", metadataPrefix="oai_dc")
    assert root.find(".//o:resumptionToken", NS) is None
    assert len(root.findall(".//o:record", NS)) == len(expected(oai_store[0]))
    app.extensions["catalogue"].store.close()


def test_get_record_of_every_listed_identifier(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    for identifier, stamp, deleted in listed(pages):
        for prefix in ("oai_dc", "lom", "scolomfr"):
            root = oai.get(verb="GetRecord", metadataPrefix=prefix, identifier=identifier)
            header = root.find(".//o:header", NS)
            assert header.findtext("o:identifier", namespaces=NS) == identifier
            assert header.findtext("o:datestamp", namespaces=NS) == stamp
            assert (header.get("status") == "deleted") == deleted
            assert (root.find(".//o:metadata", NS) is None) == deleted


def test_from_until_second_granularity(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    _, stamps = oai_store
    ordered = sorted(stamps, key=stamps.__getitem__)
    # Stored datestamps carry .250000 s: 'from' counts from the start of its second, 'until' to its end.
    second = stamps[ordered[2]].strftime("%Y-%m-%dT%H:%M:%SZ")
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": second, "until": second})
    assert [i for i, _, _ in listed(pages)] == [oai_id(ordered[2])]
    fourth = stamps[ordered[4]].strftime("%Y-%m-%dT%H:%M:%SZ")
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": second, "until": fourth})
    assert [i for i, _, _ in listed(pages)] == [oai_id(r) for r in ordered[2:5]]
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": fourth})
    assert [i for i, _, _ in listed(pages)] == [oai_id(r) for r in ordered[4:]]
    just_after = (stamps[ordered[4]] + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", until=just_after)
    assert [i for i, _, _ in listed(pages)] == [oai_id(r) for r in ordered[:5]]


def test_from_until_day_granularity(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    store, stamps = oai_store
    ordered = sorted(stamps, key=stamps.__getitem__)
    set_datestamp(store, ordered[0], datetime(2024, 2, 28, 23, 59, 59, 999999))
    set_datestamp(store, ordered[-1], datetime(2024, 3, 2, 0, 0, 0))
    day = {"from": "2024-03-01", "until": "2024-03-01"}
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **day)
    assert [i for i, _, _ in listed(pages)] == [oai_id(r) for r in ordered[1:-1]]
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", until="2024-02-28")
    assert [i for i, _, _ in listed(pages)] == [oai_id(ordered[0])]
    pages, _ = harvest(oai, "ListRecords", metadataPrefix="oai_dc", **{"from": "2024-03-02"})
    assert [i for i, _, _ in listed(pages)] == [oai_id(ordered[-1])]
    # The extreme dates are legal and simply include everything.
    wide = {"from": "0001-01-01", "until": "9999-12-31"}
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **wide)
    assert len(listed(pages)) == len(ordered)
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", until="9999-12-31T23:59:59Z")
    assert len(listed(pages)) == len(ordered)


def ids_in_set(oai: Harvester, spec: str, verb: str = "ListIdentifiers") -> list[str]:
    root = oai.get(verb=verb, metadataPrefix="oai_dc", set=spec)
    if errors(root) == ["noRecordsMatch"]:
        return []
    pages, _ = harvest(oai, verb, metadataPrefix="oai_dc", set=spec)
    return [i for i, _, _ in listed(pages)]


def test_sets_partner_stage_class_cycle_discipline(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    rid = lambda source, ident: oai_id(record_id(source, ident))  # noqa: E731
    ina = ids_in_set(oai, "partner:ina")
    # Partner sets carry the tombstones too: the partner is known for deleted records.
    assert set(ina) == {rid("ina-jalons", "ina-1"), rid("ina-jalons", "ina-2"), rid("ina-jalons", "ina-gone")}
    college = ids_in_set(oai, f"level:{COLLEGE}")
    assert set(college) == {rid("bnf-gallica", "sixieme"), rid("bnf-gallica", "troisieme"),
                            rid("ina-jalons", "ina-1")}
    troisieme = ids_in_set(oai, f"level:{COLLEGE}:{TROISIEME}", "ListRecords")
    assert set(troisieme) == {rid("bnf-gallica", "troisieme"), rid("ina-jalons", "ina-1")}
    cm2 = ids_in_set(oai, f"level:{ELEMENTAIRE}:{CM2}")
    assert set(cm2) == {rid("bnf-gallica", "cm2-histoire"), rid("ina-jalons", "ina-2")}  # not the deleted one
    cycle3 = ids_in_set(oai, f"level:{CYCLE3}")  # CM1, CM2 (élémentaire) and 6e (collège)
    assert set(cycle3) == {rid("bnf-gallica", "cm2-histoire"), rid("bnf-gallica", "cm1-maths"),
                           rid("bnf-gallica", "sixieme"), rid("ina-jalons", "ina-2")}
    histgeo = ids_in_set(oai, f"discipline:{HISTGEO}")
    # "histoire et géographie (cycle 4)" is found under its discipline.
    assert set(histgeo) == {rid("bnf-gallica", "cm2-histoire"), rid("bnf-gallica", "sixieme"),
                            rid("bnf-gallica", "troisieme"), rid("ina-jalons", "ina-1")}
    assert len(ids_in_set(oai, "partner")) == 11
    assert set(ids_in_set(oai, "level")) == set(ids_in_set(oai, "level", "ListRecords"))
    assert len(ids_in_set(oai, "level")) == 7


def test_list_sets_hierarchy_and_names(oai: Harvester) -> None:
    root = oai.get(verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in root.iterfind(".//o:set", NS)}
    assert sets["partner:bnf"] == "BnF / Gallica" and sets["partner:ina"] == "INA"
    assert sets[f"level:{ELEMENTAIRE}"] == "école élémentaire"
    assert sets[f"level:{ELEMENTAIRE}:{CM2}"] == "CM2"
    assert sets[f"level:{COLLEGE}:{TROISIEME}"] == "3e"
    assert sets[f"level:{CYCLE3}"] == "cycle 3 (2016)"
    assert sets[f"discipline:{HISTGEO}"] == "histoire et géographie (discipline)"
    assert {"partner", "level", "discipline"} <= sets.keys()
    # Every hierarchical setSpec has its parent listed too.
    for spec in sets:
        if ":" in spec:
            assert spec.rsplit(":", 1)[0] in sets, spec
    vocab = load_vocabulary()
    disciplines = {f"discipline:{c.id}" for c in vocab.disciplines()}
    assert {s for s in sets if s.startswith("discipline:")} == disciplines


def test_header_sets_agree_with_set_selection(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    """A record's header lists exactly the sets whose selective harvest returns it."""
    pages, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    claimed: dict[str, set[str]] = {}
    for page in pages:
        for header in headers(page):
            for spec in header.findall("o:setSpec", NS):
                claimed.setdefault(spec.text, set()).add(header.findtext("o:identifier", namespaces=NS))
    root = oai.get(verb="ListSets")
    specs = [s.findtext("o:setSpec", namespaces=NS) for s in root.iterfind(".//o:set", NS)]
    for spec in specs:
        if spec in ("partner", "level", "discipline"):
            continue  # roots are implied by their children
        assert set(ids_in_set(oai, spec)) == claimed.get(spec, set()), spec
    vocab = load_vocabulary()
    members = set(vocab.level_members(CYCLE3))
    assert CM2 in members and ELEMENTAIRE not in members


def test_deleted_records(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    gone = oai_id(record_id("bnf-gallica", "to-delete"))
    root = oai.get(verb="GetRecord", metadataPrefix="scolomfr", identifier=gone)
    header = root.find(".//o:header", NS)
    assert header.get("status") == "deleted"
    assert [s.text for s in header.findall("o:setSpec", NS)] == ["partner:bnf"]
    assert root.find(".//o:metadata", NS) is None
    pages, _ = harvest(oai, "ListRecords", metadataPrefix="oai_dc", set="partner:bnf")
    assert (gone, True) in {(i, d) for i, _, d in listed(pages)}
    assert gone not in ids_in_set(oai, f"level:{ELEMENTAIRE}:{CM2}")


def test_record_changed_during_harvest_comes_again(oai: Harvester, oai_store: tuple[Store, Stamps]) -> None:
    store, _ = oai_store
    first = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = [h.findtext("o:identifier", namespaces=NS) for h in headers(first)]
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    # Meanwhile: the first record (already harvested) changes, another is added.
    changed = make_record("cm2-histoire", "La Révolution française (nouvelle édition)", levels=(CM2,))
    added = make_record("added-later", "Nouveau document", levels=(TROISIEME,))
    write(store, [changed, added])
    rest: list[tuple[str, str]] = []
    root = oai.get(verb="ListIdentifiers", resumptionToken=token)
    while True:
        rest += [(h.findtext("o:identifier", namespaces=NS), h.findtext("o:datestamp", namespaces=NS))
                 for h in headers(root)]
        token_el = root.find(".//o:resumptionToken", NS)
        if token_el is None or not token_el.text:
            break
        root = oai.get(verb="ListIdentifiers", resumptionToken=token_el.text)
    rest_ids = [i for i, _ in rest]
    assert rest_ids[-2:] == [oai_id(changed["id"]), oai_id(added["id"])]
    assert oai_id(changed["id"]) in seen  # delivered before its change, and again after it
    new_stamp = store.get(changed["id"]).datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[union-attr]
    assert rest[-2][1] == new_stamp
    # Nothing the store holds is missing from the harvest.
    assert {oai_id(s.id) for s in store.iter_records(include_deleted=True)} == set(seen) | set(rest_ids)


def _token_payload(token: str) -> dict:
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _token_with(token: str, **changes: object) -> str:
    payload = {**_token_payload(token), **changes}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + token.split(".")[1]


def test_tampered_and_foreign_tokens(oai: Harvester) -> None:
    root = oai.get(verb="ListRecords", metadataPrefix="oai_dc", set="partner:bnf")
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert token and all(c.isalnum() or c in "-_." for c in token)  # URL-safe as it is
    payload = _token_payload(token)
    assert payload["v"] == 1 and payload["p"] == "oai_dc" and payload["s"] == "partner:bnf"
    for bad in (_token_with(token, s="partner:ina"), _token_with(token, k=0), _token_with(token, v=2),
                token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), token + "x"):
        assert errors(oai.get(verb="ListRecords", resumptionToken=bad)) == ["badResumptionToken"]
    # A ListRecords token is not one of ListIdentifiers.
    assert errors(oai.get(verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]
    # The same token works any number of times: it holds no server state.
    again = oai.get(verb="ListRecords", resumptionToken=token)
    assert errors(again) == [] and len(again.findall(".//o:record", NS)) == 3
    assert again.find("o:request", NS).get("resumptionToken") == token


def test_token_keeps_working_with_another_app_instance(app, oai_store, store_url, tmp_path) -> None:
    """Tokens carry everything: a restarted server (new app, new process state) accepts them."""
    from tests.oai.conftest import Harvester as H
    from tests.oai.conftest import make_app

    first = H(app.test_client()).get(verb="ListIdentifiers", metadataPrefix="lom")
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    other = make_app(store_url, tmp_path, oai_identifiers_page_size=4)
    root = H(other.test_client()).get("lom", verb="ListIdentifiers", resumptionToken=token)
    assert errors(root) == [] and len(root.findall(".//o:header", NS)) == 4
    other.extensions["catalogue"].store.close()


def test_control_characters_never_break_the_document(oai: Harvester) -> None:
    rid = oai_id(record_id("bnf-gallica", "control"))
    for prefix in ("oai_dc", "lom", "scolomfr"):
        root = oai.get(verb="GetRecord", metadataPrefix=prefix, identifier=rid)
        title = root.findtext(".//dc:title", namespaces=NS) or root.findtext(".//lom:title/lom:string",
                                                                              namespaces=NS)
        assert title == "Titre avec  contrôle et  fin"
    escaped = oai.get(verb="GetRecord", metadataPrefix="oai_dc",
                      identifier=oai_id(record_id("bnf-gallica", "cm2-histoire")))
    assert escaped.findtext(".//dc:description", namespaces=NS) == "Résumé & <détails>"


def test_stored_oai_dc_fragment_equals_a_fresh_serialisation(
    oai_store: tuple[Store, dict[str, datetime]],
) -> None:
    """OAI-PMH serves the fragment rendered at write time: it must be what the serialiser gives
    for the stored record."""
    from sqlalchemy import text

    from schemas.serializers.oai_dc import oai_dc_xml

    store, _ = oai_store
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, data, oai_dc FROM records WHERE deleted = :f"),
                            {"f": False}).all()
    assert rows
    for rid, data, fragment in rows:
        assert fragment == oai_dc_xml(json.loads(data)), rid
