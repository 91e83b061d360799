"""Walking every set of ListSets: each header a set returns lists that set or a descendant,
and whoever lists a set (or a descendant) is returned by it. Shared by the set-membership
property test and the base-URL conformance test."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.oai.support import NS, parse

Fetch = Callable[[dict[str, str]], bytes]


def in_app(app: Flask) -> Fetch:
    client = app.test_client()
    return lambda params: client.get("/oai", query_string=params).data


def list_set(fetch: Fetch, spec: str | None) -> dict[str, list[str]]:
    """{oai identifier: setSpecs} of every header ListIdentifiers returns for ``spec``, over
    all its pages."""
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    if spec is not None:
        params["set"] = spec
    found: dict[str, list[str]] = {}
    while True:
        root = parse(fetch(params))
        codes = [e.get("code") for e in root.findall("o:error", NS)]
        if codes == ["noRecordsMatch"]:
            return found
        assert codes == [], codes
        for header in root.iter(f"{{{NS['o']}}}header"):
            found[header.findtext("o:identifier", namespaces=NS)] = [
                s.text for s in header.findall("o:setSpec", NS)]
        token = root.findtext(".//o:resumptionToken", namespaces=NS)
        if not token:
            return found
        params = {"verb": "ListIdentifiers", "resumptionToken": token}


def ancestors(spec: str) -> set[str]:
    parts = spec.split(":")
    return {":".join(parts[:n]) for n in range(1, len(parts) + 1)}


def check_every_set(fetch: Fetch) -> int:
    """The property, over every set of ListSets; returns how many sets had records."""
    listed = parse(fetch({"verb": "ListSets"}))
    specs = [s.text for s in listed.iter(f"{{{NS['o']}}}setSpec")]
    everything = list_set(fetch, None)
    announced = set(specs)
    for identifier, own in everything.items():
        assert set(own) <= announced, (identifier, own)  # every setSpec is a set of ListSets
    filled = 0
    for spec in specs:
        members = list_set(fetch, spec)
        filled += bool(members)
        for identifier, own in members.items():
            assert any(s == spec or s.startswith(spec + ":") for s in own), (spec, identifier, own)
        # And the converse: whoever lists this set, or a descendant of it, is in it (tombstones
        # only carry their partner set: level and discipline sets hold live records).
        claimed = {i for i, own in everything.items() if any(spec in ancestors(s) for s in own)}
        assert claimed == set(members), (spec, claimed ^ set(members))
    return filled
