"""Who holds the work: the lead time, wait and process time split by performer (internal team,
vendor, customer, automated) or by team, in expected minutes per item and percent of the lead
time (docs/analysis.md, "Who holds the work").

The split uses the analysis's own expected figures: `MapAnalysis.lead_visits`, the expected
number of times one item passes each step along the flow the lead time follows (rework visits
included, alternative routes weighted by their shares, at each concurrent split the longest
branch; vsm.analysis.figures). The lead time is exactly the sum over steps of lead visits x
(wait + process), so for a group of steps

    wait    = sum over its steps of lead_visits x wait time
    process = sum over its steps of lead_visits x process time
    lead    = wait + process,        percent = 100 x lead / the map's lead time

and the rows add up to the map's lead time (and their process times to its process time).

Concurrent branches: the lead time is the longest branch, not the sum of the branches, so the
split is *along the critical path*: the steps of a shorter concurrent branch hold no part of
the lead time (they count 0; their performer or team still gets a row, at 0 if it has no other
step on that flow); speeding them up would not shorten the lead time either. Stray steps (left
out of the figures) are left out here too. `vendor_wait` is the wait at
vendor steps along that same flow: the time the item waits on vendors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, Literal

from vsm.analysis.structure import stray_steps
from vsm.model import PERFORMERS, Step, ValueStreamMap

if TYPE_CHECKING:
    from vsm.analysis.figures import MapAnalysis

__all__ = ["NO_TEAM", "SPLITS", "SplitRow", "WorkSplit", "split_by", "splits_of"]

SPLITS = ("performer", "team")
NO_TEAM = "No team"  # the label of the steps without a team


@dataclass(frozen=True)
class SplitRow:
    """One performer or team: `key` (a PERFORMERS code, or the team's name folded to lower case;
    "" for steps without a team), `label` for people, and its expected minutes per item along
    the flow the lead time follows: wait, process, lead = wait + process, and percent of the
    map's lead time (None when the lead time is 0)."""

    key: str
    label: str
    wait: float
    process: float
    lead: float
    percent: float | None


@dataclass(frozen=True)
class WorkSplit:
    """The lead time split by `by` ("performer" or "team"). Rows: one per performer or team
    with a step in the figures; performers in the order of PERFORMERS, teams by lead time,
    longest first (then by name). lead_time and process_time: the map's; vendor_wait: minutes waiting at vendor steps."""

    by: str
    rows: tuple[SplitRow, ...]
    lead_time: float
    process_time: float
    vendor_wait: float

    def row(self, key: str) -> SplitRow | None:
        """The row of a performer code or team key, or None."""
        return next((row for row in self.rows if row.key == key), None)


def _key(step: Step, by: str) -> tuple[str, str]:
    """(key, label) of the group a step belongs to."""
    if by == "performer":
        return step.performer, PERFORMERS[step.performer]
    team = step.team.strip()
    return team.casefold(), team or NO_TEAM


def split_by(map_: ValueStreamMap, analysis: MapAnalysis,
             by: Literal["performer", "team"] | str = "performer") -> WorkSplit | None:
    """The map's lead time split by performer or team (see the module docstring); None when the
    analysis has no lead time (a blocking problem). ValueError for another `by`."""
    if by not in SPLITS:
        raise ValueError(f"split by performer or team, not {by!r}")
    return splits_of(map_, analysis)[by]


def splits_of(map_: ValueStreamMap, analysis: MapAnalysis,
              left_out: Collection[str] | None = None) -> dict[str, WorkSplit | None]:
    """`split_by` for each way of SPLITS, the same figures, in one pass over the steps (the
    metrics pane keeps both for its switch: two passes took 25 ms at 5,000 steps). `left_out`:
    the map's stray steps (`stray_steps`), when the caller has them already (a set)."""
    if analysis.lead_time is None:
        return {by: None for by in SPLITS}
    visits = analysis.lead_visits
    groups: dict[str, dict[str, list[float]]] = {by: {} for by in SPLITS}
    labels: dict[str, dict[str, str]] = {by: {} for by in SPLITS}
    vendor_wait = 0.0
    if left_out is None:
        left_out = set(stray_steps(map_))
    for step in map_.steps:
        if step.id in left_out:
            continue
        count = visits.get(step.id, 0.0)
        for by in SPLITS:
            key, label = _key(step, by)
            labels[by].setdefault(key, label)
            sums = groups[by].setdefault(key, [0.0, 0.0])
            sums[0] += count * step.wait_time
            sums[1] += count * step.process_time
        if step.performer == "vendor":
            vendor_wait += count * step.wait_time
    return {by: _split(by, groups[by], labels[by], analysis, vendor_wait) for by in SPLITS}


def _split(by: str, groups: dict[str, list[float]], labels: dict[str, str],
           analysis: MapAnalysis, vendor_wait: float) -> WorkSplit:
    """The split of the sums per group (wait, process) in its rows' order."""
    lead_time = analysis.lead_time
    assert lead_time is not None
    rows = [SplitRow(key, labels[key], wait, process, wait + process,
                     100.0 * (wait + process) / lead_time if lead_time > 0 else None)
            for key, (wait, process) in groups.items()]
    if by == "performer":
        order = {code: i for i, code in enumerate(PERFORMERS)}
        rows.sort(key=lambda row: order[row.key])
    else:
        rows.sort(key=lambda row: (-row.lead, row.label.casefold(), row.label))
    return WorkSplit(by, tuple(rows), lead_time, analysis.process_time or 0.0, vendor_wait)

