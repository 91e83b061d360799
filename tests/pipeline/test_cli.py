"""The `catalogue` command as an operator runs it, in subprocesses, against the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from catalogue.simulator import Simulator
from catalogue.store import Store


def run(env: dict[str, str], *args: str, check: bool = True,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "catalogue", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def children_of(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def store_of(env: dict[str, str]) -> Store:
    return Store(f"sqlite:///{Path(env['CATALOGUE_DATA_DIR']) / 'catalogue.db'}")


def test_help_for_every_subcommand(cli_env: dict[str, str]) -> None:
    """In-process (click's runner): the help needs no store and no subprocess per command; the
    entry point itself is exercised once, as an operator types it."""
    from click.testing import CliRunner

    from catalogue.cli import main

    assert "Usage:" in run(cli_env, "--help").stdout
    runner = CliRunner()
    out = runner.invoke(main, ["--help"], env=cli_env).output
    commands = ["init", "vocabularies", "harvest", "report", "renormalize", "curate", "quality",
                "reindex", "serve", "demo", "sources"]
    for name in commands:
        assert name in out
        result = runner.invoke(main, [name, "--help"], env=cli_env)
        assert result.exit_code == 0 and "Usage:" in result.output, (name, result.output)


def test_init_and_vocabularies(cli_env: dict[str, str]) -> None:
    assert "revision 0006" in run(cli_env, "init").stdout
    out = run(cli_env, "vocabularies").stdout
    for label in ("école maternelle", "CM2", "collège", "5e", "lycée", "cycle 3", "CAP",
                  "mathématiques (discipline)", "scolomfr-voc-022-num-015"):
        assert label in out, label
    data = json.loads(run(cli_env, "vocabularies", "--json").stdout)
    assert len(data["disciplines"]) == 17


def test_down_source_does_not_stop_the_others(cli_env: dict[str, str], simulator: Simulator) -> None:
    simulator.faults.add("/ign/csw", "down", times=None, mode="502")
    proc = run(cli_env, "harvest", check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "ign-geoplateforme: failed" in proc.stdout
    assert "bnf-gallica: done" in proc.stdout and "ina-jalons: done" in proc.stdout
    store = store_of(cli_env)
    counts = store.counts_by_source()
    assert counts["bnf-gallica"] >= 100 and counts["ina-jalons"] >= 1
    assert "ign-geoplateforme" not in counts


def test_report_in_french_and_english(cli_env: dict[str, str]) -> None:
    run(cli_env, "harvest", "meteofrance-datagouv")
    fr = run(cli_env, "report", "meteofrance-datagouv").stdout
    assert "terminé avec erreurs" in fr and "[conversion] 6569b51ae64326786e4e8e1a : no title" in fr
    en = run(cli_env, "report", "meteofrance-datagouv", "--lang", "en").stdout
    assert "done with errors" in en and "[map] 6569b51ae64326786e4e8e1a" in en
    data = json.loads(run(cli_env, "report", "meteofrance-datagouv", "--json").stdout)
    assert data[0]["failures"][0]["identifier"] == "6569b51ae64326786e4e8e1a"


def test_demo_quality_and_curation_cli(cli_env: dict[str, str]) -> None:
    run(cli_env, "harvest")
    figures = json.loads(run(cli_env, "quality", "--json").stdout)
    assert figures["total"]["records"] >= 120
    total = figures["total"]
    for key, share in (("level_origins", "with_level"), ("discipline_origins", "with_discipline")):
        origins = total[key]
        assert sum(origins.values()) == total["records"]
        # Almost every record has a value, but a partner default is not a known value.
        assert origins["none"] <= 0.1 * total["records"]
        known = total["records"] - origins["none"] - origins["default"]
        assert total[share] == round(known / total["records"], 4)
    text = run(cli_env, "quality").stdout
    assert "Records by origin of their levels" in text and "default" in text
    for sid, fig in figures["sources"].items():
        assert fig["records"] > 0 and 0 <= fig["with_licence"] <= 1, sid
    from schemas.record import record_id

    rid = record_id("ina-jalons", "InaEdu00015")
    out = run(cli_env, "curate", rid, "--level", "CM2", "--remove", "cycle 3", "--author", "anne").stdout
    assert f"{rid}: updated" in out
    listing = run(cli_env, "curate", "--list").stdout
    assert "scolomfr-voc-022-num-015" in listing and "anne" in listing
    # The record's values with the explanation its resource page shows.
    lines = run(cli_env, "curate", rid, "--list").stdout.splitlines()
    assert "level\tscolomfr-voc-022-num-015\tCM2\tcuration\tcorrigé par l'équipe éditoriale" in lines
    stored_now = store_of(cli_env).get(rid)
    assert stored_now is not None and stored_now.data is not None
    values = stored_now.data["levels"] + stored_now.data["disciplines"]
    assert len([line for line in lines if not line.startswith("curation\t")]) == len(values)
    defaults = [line for line in lines if "\tdefault\t" in line]
    assert len(defaults) == sum(v["provenance"] == "default" for v in values)
    assert all(line.endswith("\tindiqué par défaut pour ce partenaire") for line in defaults)
    assert any(line.startswith("curation\tlevel\tadd\tscolomfr-voc-022-num-015\tanne") for line in lines)
    run(cli_env, "harvest", "ina-jalons", "--full")
    run(cli_env, "renormalize", "ina-jalons")
    stored = store_of(cli_env).get(rid)
    assert stored is not None and stored.data is not None
    levels = {v["id"]: v["provenance"] for v in stored.data["levels"]}
    assert levels.get("scolomfr-voc-022-num-015") == "curation"
    assert "scolomfr-voc-022-num-010" not in levels  # cycle 3 removed by the curation


def test_harvest_killed_mid_run_resumes_exactly_once(cli_env: dict[str, str], simulator: Simulator) -> None:
    """SIGKILL the harvest after its first pages are stored, at a different page each round."""
    total = len(simulator.identifiers("bnf"))
    for round_no, kill_after_pages in enumerate((1, 2)):
        env = {**cli_env, "CATALOGUE_DATA_DIR": cli_env["CATALOGUE_DATA_DIR"] + f"-{round_no}"}
        simulator.faults.clear()
        # Later pages answer slowly, so the kill lands mid-run.
        simulator.faults.add("/bnf/oai", "slow", times=None, after=kill_after_pages, seconds=1.5)
        proc = subprocess.Popen([sys.executable, "-m", "catalogue", "harvest", "bnf-gallica"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        store = store_of(env)
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline:
            time.sleep(0.1)
            try:
                stored = store.count_records("bnf-gallica")
            except Exception:
                continue
            if stored > 0:
                break
        children = children_of(proc.pid)
        if (os.cpu_count() or 1) >= 2:  # `catalogue harvest` maps in a worker process there
            assert children
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 0 < stored < total
        # Mapping workers die with the harvest: nothing is left running.
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
        simulator.faults.clear()
        out = run(env, "harvest", "bnf-gallica").stdout
        assert "bnf-gallica: done" in out
        ids = [r.identifier for r in store.iter_records(source_id="bnf-gallica")]
        assert len(ids) == len(set(ids)) == total
        runs = store.runs("bnf-gallica")
        assert runs[0].status == "done" and runs[0].resumed_from == runs[1].id
        assert runs[1].status == "interrupted"
        store.close()


def test_check_finds_a_lost_index_and_repair_rebuilds_it(cli_env: dict[str, str]) -> None:
    import shutil

    run(cli_env, "harvest", "ina-jalons", "ign-geoplateforme")
    assert run(cli_env, "check").stdout.startswith("ok:")
    data = Path(cli_env["CATALOGUE_DATA_DIR"])
    shutil.rmtree(data / "index")
    (data / "dumps" / "dumps.json").unlink()
    broken = run(cli_env, "check", check=False)
    assert broken.returncode == 4
    assert "index holds 0 records" in broken.stdout and "no dumps" in broken.stdout
    repaired = run(cli_env, "check", "--repair").stdout
    assert "REPAIRED: index rebuilt from the store (15 records)" in repaired
    assert run(cli_env, "check").stdout.startswith("ok: 15 live records")


def test_progress_line_is_a_bar_when_the_total_is_known() -> None:
    from catalogue.cli import progress_line

    assert progress_line("bnf", 52, 104, width=10) == "bnf [#####.....] 52/104 (50%)"
    assert progress_line("bnf", 200, 104, width=4) == "bnf [####] 200/104 (100%)"
    assert progress_line("ina", 3, None) == "ina: 3 enregistrements traités"


def test_partner_totals_reach_the_progress_log(cli_env: dict[str, str]) -> None:
    proc = run(cli_env, "harvest", "bnf-gallica", "ign-geoplateforme")
    assert "records processed of 104" in proc.stderr  # OAI completeListSize
    assert "records processed of 7" in proc.stderr  # CSW numberOfRecordsMatched


def test_curate_import_from_csv(cli_env: dict[str, str], tmp_path: Path) -> None:
    from schemas.record import record_id

    run(cli_env, "harvest", "ina-jalons")
    rid = record_id("ina-jalons", "InaEdu00015")
    before = store_of(cli_env).get(rid)
    assert before is not None and before.data is not None
    # The content layer finds the Fourth Republic in the 3e programme (and CM2's République).
    assert "scolomfr-voc-022-num-023" in {v["id"] for v in before.data["levels"]}  # 3e
    sheet = tmp_path / "curations.csv"
    sheet.write_text("record_id,field,action,value\n"
                     f"{rid},level,add,CM2\n"
                     f"{rid},discipline,add,mathématiques\n"
                     f"{rid},level,remove,3e\n", encoding="utf-8")
    assert f"{rid}: updated" in run(cli_env, "curate", "--import", str(sheet)).stdout
    stored = store_of(cli_env).get(rid)
    assert stored is not None and stored.data is not None
    levels = {v["id"]: v["provenance"] for v in stored.data["levels"]}
    disciplines = {v["label"]: v["provenance"] for v in stored.data["disciplines"]}
    assert levels["scolomfr-voc-022-num-015"] == "curation"
    assert "scolomfr-voc-022-num-023" not in levels  # 3e removed
    assert disciplines["mathématiques (discipline)"] == "curation"
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,field,action,value\n" f"{rid},level,add,bonjour\n", encoding="utf-8")
    proc = run(cli_env, "curate", "--import", str(bad), check=False)
    assert proc.returncode == 1 and "bad.csv:2" in proc.stderr and "bonjour" in proc.stderr
