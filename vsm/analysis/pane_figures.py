"""The figures the editor's metrics pane shows beside the analysis's own, found in one go per
analysis (issue 19: "Big maps stay fluid").

After each analysis the pane shows, besides the figures of `MapAnalysis`, some that need a walk
over every step of the map: who holds the work (vsm.analysis.responsibility), the targets met or
missed (vsm.analysis.targets), whether the map has time ranges to simulate, the steps below
100 % C&A named in the rolled %C&A's tooltip, the busiest step. At 5,000 steps they took
100-150 ms of the GUI thread after every edit. `pane_figures` finds them all with the stray
steps counted once, from the map and the analysis of that same map, so the editor computes them
where it computes the analysis (the live analysis's worker thread, over its copy of the map, for
a large map) and the pane only shows them. The figures are exactly those of the functions named
above on the same map (tests/pure/test_pane_figures.py).

Pure Python over vsm.model and the analysis's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vsm.analysis.responsibility import WorkSplit, splits_of
from vsm.analysis.structure import stray_steps
from vsm.analysis.targets import TargetAttainment, attainment
from vsm.model import ValueStreamMap
from vsm.model.variability import has_variability

if TYPE_CHECKING:
    from vsm.analysis.figures import MapAnalysis

__all__ = ["PaneFigures", "busiest_step", "pane_figures"]


@dataclass(frozen=True)
class PaneFigures:
    """What the metrics pane shows of one map beside its analysis (see the module docstring).

    splits: `splits_of` (by performer and by team) when the analysis is valid and the map has
    steps, else empty. targets: `attainment` without a simulation when the analysis is valid
    (None when it is not, or nothing has a target); vsm.analysis.targets.simulated adds a
    simulation's chance. variable: some step has a time range (montecarlo.should_simulate).
    priced: the splits are shown and a team or a step has an hourly rate (a cost to compute).
    step_count: the map's steps. below_full_pca: "Name 95%" for each step under 100 %C&A, in
    step order. busiest: `busiest_step`.
    """

    splits: dict[str, WorkSplit | None]
    targets: TargetAttainment | None
    variable: bool
    priced: bool
    step_count: int
    below_full_pca: tuple[str, ...]
    busiest: tuple[float, str] | None


def busiest_step(map_: ValueStreamMap, analysis: MapAnalysis) -> tuple[float, str] | None:
    """(utilisation in percent, step id) of the map's busiest step, the largest of the pair
    (ties to the larger id); None without a demand or any step's utilisation."""
    busy = [(value, v) for v, value in analysis.utilisation.items() if map_.has_step(v)]
    return max(busy) if busy else None


def pane_figures(map_: ValueStreamMap, analysis: MapAnalysis) -> PaneFigures:
    """The pane's figures of `map_` with `analysis`, its analysis (any thread: reads only)."""
    steps = map_.steps
    left_out = set(stray_steps(map_)) if analysis.ok else set()
    shown = analysis.ok and bool(steps)
    splits = splits_of(map_, analysis, left_out) if shown else {}
    priced = shown and (bool(map_.team_rates)
                        or any(step.hourly_rate is not None for step in steps))
    return PaneFigures(
        splits=splits,
        targets=attainment(map_, analysis, left_out=left_out) if analysis.ok else None,
        variable=has_variability(steps),
        priced=priced,
        step_count=len(steps),
        below_full_pca=tuple(f"{s.name} {s.pca:g}%" for s in steps if s.pca < 100),
        busiest=busiest_step(map_, analysis),
    )
