"""Report rows for page-level problems: identical ones collapsed, and a cap per run.

A hostile page of 500,000 junk entries must not become 500,000 report rows (and as many inserts):
what a partner needs is "500,000 × dataset entry is not a JSON object", with a few examples. Rows
for problems tied to a record (an identifier) stay one per record, within the run's cap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalogue.store import RunItem
from harvesters.base import HarvestIssue

# Report rows a run may write for page-level problems; past it, one row says how many were left.
MAX_ISSUE_ROWS = 1000
# Examples (URLs or identifiers) quoted in a collapsed row.
EXAMPLES = 3


@dataclass
class IssueRows:
    """Turns a run's issues into report rows, page after page, within ``cap`` rows."""

    to_item: Callable[[HarvestIssue], RunItem]
    cap: int = MAX_ISSUE_ROWS
    written: int = 0
    dropped: int = 0
    _told: bool = False

    def rows(self, issues: Sequence[HarvestIssue]) -> list[RunItem]:
        """One row per distinct (stage, message) without identifier, one per record issue."""
        groups: dict[tuple[str, str], list[HarvestIssue]] = {}
        rows: list[RunItem] = []
        for issue in issues:
            if issue.identifier is None:
                groups.setdefault((issue.stage, issue.message), []).append(issue)
            else:
                rows.append(self.to_item(issue))
        for (_stage, message), same in groups.items():
            first = self.to_item(same[0])
            if len(same) > 1:
                examples = ", ".join(dict.fromkeys(i.url or "?" for i in same[:EXAMPLES]))
                first = RunItem(first.identifier, first.record_id, first.outcome, first.stage,
                                f"{message} (×{len(same)}; e.g. {examples})", first.url)
            rows.append(first)
        room = max(0, self.cap - self.written)
        kept, extra = rows[:room], len(rows) - room
        self.written += len(kept)
        if extra > 0:
            self.dropped += extra
            if not self._told:
                self._told = True
                kept.append(RunItem(None, None, "failed", issues[0].stage,
                                    f"more than {self.cap} problems in this run: the next ones "
                                    "are counted but not listed", issues[0].url))
        return kept
