"""The improvement plan as a CSV file for spreadsheets (`vsm plan -o`, the plan dock's export)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from vsm.analysis.plan import PlanRow
from vsm.files.atomic import atomic_file
from vsm.model.durations import format_duration
from vsm.model.kaizen import KAIZEN_STATUSES, WASTES

PLAN_COLUMNS = ("Map", "Improvement", "Description", "Step", "Waste", "Owner", "Due", "Status",
                "Expected saving (minutes)", "Expected saving")


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ gets a quote before it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def plan_table(rows: Iterable[PlanRow]) -> list[list[str | float]]:
    """The plan as rows of cells under PLAN_COLUMNS, with labels rather than ids."""
    table: list[list[str | float]] = []
    for row in rows:
        saving = row.expected_saving_minutes
        minutes: float = int(saving) if float(saving).is_integer() else saving
        table.append([_cell(row.map_name), _cell(row.title), _cell(row.description),
                      _cell(row.step_name), WASTES.get(row.waste, row.waste), _cell(row.owner),
                      row.due or "", KAIZEN_STATUSES.get(row.status, row.status), minutes,
                      format_duration(saving)])
    return table


def write_plan_csv(rows: Iterable[PlanRow], path: str | Path) -> None:
    """Write the plan as CSV with a header row (PLAN_COLUMNS), atomically.

    UTF-8 with a byte-order mark, so that Excel reads accents correctly; comma-separated, CRLF
    line ends. Text that starts like a formula (= + - @) is prefixed with a quote so that no
    spreadsheet runs it. A temporary file in the same folder replaces the target only once it
    is completely written; on failure FileFormatError(path, "cannot be written: ...").
    """
    with atomic_file(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PLAN_COLUMNS)
        writer.writerows(plan_table(rows))
