"""Every report and partner page names the records a run deleted, and why (issue 18, point 2):
a tombstone from the partner (OAI-PMH ``status="deleted"``) or absence from N full listings (CSW)."""

from __future__ import annotations

from pathlib import Path

from catalogue.reports import last_reports, render_report
from catalogue.simulator import Simulator
from catalogue.store import Store
from tests.pipeline.conftest import Env
from tests.pipeline.test_open_problems import partner_page


def test_a_tombstone_is_named_in_the_report_and_on_the_partner_page(
    env: Env, simulator: Simulator, store: Store, store_url: str, tmp_path: Path
) -> None:
    assert env.harvest("bnf-gallica").status == "done"
    gone = simulator.identifiers("bnf")[5]
    simulator.delete_record("bnf", gone)
    result = env.harvest("bnf-gallica")
    assert result.counts["deleted"] == 1
    report = last_reports(store, "bnf-gallica")[0]
    assert report["deletions"] == [{"identifier": gone, "record_id": report["deletions"][0]["record_id"],
                                    "reason": "tombstone", "full_runs": None}]
    assert report["deletions_total"] == 1
    text = render_report([report])
    assert f"Notices supprimées :\n    {gone} : suppression annoncée par le partenaire" in text
    page = partner_page(store_url, tmp_path)
    assert "Notices supprimées lors du dernier moissonnage" in page
    assert f"<strong>{gone}</strong> : vous avez signalé sa suppression" in page


def test_absence_from_full_runs_is_named_with_the_count(env: Env, simulator: Simulator,
                                                       store: Store) -> None:
    assert env.harvest("ign-geoplateforme", full=True).status == "done"
    simulator.delete_record("ign", "IGNF_RPG")  # CSW: the record is simply no longer listed
    assert env.harvest("ign-geoplateforme", full=True).counts["deleted"] == 0  # grace: 2
    assert last_reports(store, "ign-geoplateforme")[0]["deletions"] == []
    assert env.harvest("ign-geoplateforme", full=True).counts["deleted"] == 1
    report = last_reports(store, "ign-geoplateforme")[0]
    assert [(d["identifier"], d["reason"], d["full_runs"]) for d in report["deletions"]] == [
        ("IGNF_RPG", "absent", 2)]
    assert "IGNF_RPG : absente de 2 moissonnages complets consécutifs" in render_report([report])
    assert "IGNF_RPG : absent from 2 consecutive full runs" in render_report([report], "en")
