"""When a run that raised nothing is still a failure: nothing of the source could be stored.

A harvest whose every record failed (an unsupported format, a reader that rejects all) or a first
harvest that stored nothing must not end as a success: the partner would believe it is in the
catalogue. A first harvest that listed nothing at all is failed too, with the likely cause named
(a misspelt ``set`` answers ``noRecordsMatch``, which OAI-PMH calls an empty listing, not an
error). Messages are in French: they are the run's error in the partner's report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalogue.config import Source
from catalogue.store import RunItem

STORED = ("added", "updated", "unchanged")
CHECK_HINT = "vérifiez avec « catalogue sources check --remote »"


@dataclass(frozen=True)
class Verdict:
    """Why the run fails, as its error and as its closing report line."""

    stage: str
    message: str

    @property
    def item(self) -> RunItem:
        return RunItem(None, None, "failed", self.stage, self.message)


def judge_run(source: Source, counts: Mapping[str, int], page_errors: int, fatal: str | None,
              first_run: bool) -> Verdict | None:
    """The verdict for a run that would otherwise be done (None: let it be done)."""
    if fatal is not None:
        return None  # already failed, for its own reason
    stored = sum(counts.get(k, 0) for k in STORED)
    failed = counts.get("failed", 0)
    if failed and not stored:
        return Verdict("map", f"source « {source.id} » : aucune notice enregistrée, {failed} "
                              f"échec(s) ; {CHECK_HINT}")
    if not first_run or stored:
        return None
    if counts.get("deleted", 0):
        return Verdict("map", f"source « {source.id} » : premier moissonnage sans aucune notice "
                              f"enregistrée (seulement des suppressions) ; {CHECK_HINT}")
    if page_errors:
        return None  # the pages' own errors are the report; the run is already not "done"
    wanted = source.options.get("set") if source.protocol == "oai-pmh" else None
    if wanted:
        return Verdict("fetch", f"source « {source.id} », clé « set » : premier moissonnage vide, "
                                f"le set « {wanted} » ne renvoie aucune notice (noRecordsMatch) "
                                f"— son nom est-il exact ? {CHECK_HINT}")
    return Verdict("fetch", f"source « {source.id} » : premier moissonnage vide, le serveur n'a "
                            f"listé aucune notice ; {CHECK_HINT}")
