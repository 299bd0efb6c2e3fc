"""What an import did: counts, and every row it could not take with the reason."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# An HTTP report lists at most this many rejected rows; the counts are always complete.
REJECTS_SHOWN = 1_000


@dataclass(frozen=True)
class Reject:
    row: int
    reason: str
    original: dict[str, Any]


@dataclass
class ImportReport:
    """Counts of rows inserted, updated, unchanged and rejected, and the rejects."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = True
    # the database's seconds for each chunk of rows, in order (an asset import's)
    chunk_seconds: list[float] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    def as_dict(self, rejects_shown: int = REJECTS_SHOWN) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "committed": self.committed,
            "notes": self.notes,
            "rejects": [
                {"row": r.row, "reason": r.reason, "original": r.original}
                for r in self.rejects[:rejects_shown]
            ],
        }


def write_rejects(rejects: list[Reject], path: Path) -> None:
    """The reject report as CSV: row number, reason, and the original row as JSON."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["row", "reason", "original"])
        for reject in rejects:
            writer.writerow([reject.row, reject.reason, json.dumps(reject.original, default=str)])
