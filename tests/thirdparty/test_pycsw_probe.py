"""`catalogue sources check --remote` for CSW, against a real pycsw 2.6 on loopback: its
GetCapabilities offers ISO 19139 and announces ``apiso:Modified``, not the bare ``Modified``."""

from __future__ import annotations

from harvesters.base import SourceSpec
from harvesters.http import HttpClient
from harvesters.probe import probe
from tests.thirdparty.test_pycsw_harvest import PycswServer
from tests.thirdparty.test_pycsw_harvest import pycsw as pycsw  # noqa: F401 (the fixture)


def findings(url: str, **options: object) -> dict[str | None, tuple[bool, str]]:
    http = HttpClient(allowed_urls=[url], politeness_delay=0, max_retries=1, backoff_base=0.01,
                      sleep=lambda _s: None)
    found = probe(SourceSpec("ign-pycsw", url, "csw", dict(options)), http)
    return {f.key: (f.ok, f.message) for f in found}


def test_capabilities_of_a_real_csw_server(pycsw: PycswServer) -> None:  # noqa: F811
    default = findings(pycsw.url)
    assert default[None] == (True, "schéma de sortie ISO 19139 (gmd) proposé")
    assert default["modified_queryable"] == (
        True, "filtre des moissonnages incrémentaux « apiso:Modified » annoncé")
    assert default["type_names"][0]
    bare = findings(pycsw.url, modified_queryable="Modified", type_names="csw:Nothing")
    ok, message = bare["modified_queryable"]
    assert not ok and "vouliez-vous dire « apiso:Modified » ?" in message
    assert not bare["type_names"][0] and "gmd:MD_Metadata" in bare["type_names"][1]
