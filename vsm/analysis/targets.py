"""Will the value stream meet its target? The map's target lead time against the analysis's
lead time and, with time ranges, against the simulated runs; each step's own target against its
own lead time (docs/analysis.md, "Targets").

- **The map's target** (`ValueStreamMap.target_lead_time`, minutes) is *met* when the expected
  lead time (MapAnalysis.lead_time, the most likely times) is at most the target.
- **With a simulation** (vsm.analysis.montecarlo, run when some step has a time range):
  `probability` is the share of the simulated runs whose lead time is at most the target (0 to
  1), and `p85_met` says whether the P85 (85 % of the runs finish within it) is at most the
  target: the promise a service manager can make to stakeholders.
- **A step's target** (`Step.target_time`) is compared with the step's own lead time, wait plus
  process time with the most likely times, per pass (a step passed twice through rework is held
  to its target each time). A step left out of the figures (a stray step) has no row.

Pure Python over vsm.model and the analysis's results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Collection

from vsm.analysis.structure import stray_steps
from vsm.model import ValueStreamMap

if TYPE_CHECKING:
    from vsm.analysis.figures import MapAnalysis
    from vsm.analysis.montecarlo import LeadTimeDistribution

__all__ = ["StepTarget", "TargetAttainment", "attainment", "simulated", "within"]

TOLERANCE = 1e-9  # relative: a lead time this close above its target still meets it (rounding)


def within(minutes: float, target: float) -> bool:
    """True when `minutes` is at most `target` (allowing for rounding)."""
    return minutes <= target * (1.0 + TOLERANCE)


@dataclass(frozen=True)
class StepTarget:
    """A step with a target: its target and its own lead time (minutes) and whether it meets
    the target."""

    step_id: str
    name: str
    target: float
    expected: float
    met: bool


@dataclass(frozen=True)
class TargetAttainment:
    """The map's lead time against its target, and each step's against its own.

    target_minutes: the map's target (None when only steps have targets; then met, p85 and
    probability are None too). expected_minutes: the analysis's lead time (None when a blocking
    problem stops it; then met is None). probability: the share of simulated runs at or under
    the target, 0 to 1 (None without a simulation). p85 / p85_met: the simulated P85 and whether
    it is at most the target. steps: the steps with a target, in the map's order.
    """

    target_minutes: float | None
    expected_minutes: float | None
    met: bool | None
    probability: float | None = None
    p85: float | None = None
    p85_met: bool | None = None
    steps: tuple[StepTarget, ...] = ()

    @property
    def missed_steps(self) -> tuple[StepTarget, ...]:
        """The steps whose own lead time is over their target."""
        return tuple(row for row in self.steps if not row.met)

    @property
    def gap_minutes(self) -> float | None:
        """How far the lead time is over the target (negative: under it); None without both."""
        if self.target_minutes is None or self.expected_minutes is None:
            return None
        return self.expected_minutes - self.target_minutes


def attainment(map_: ValueStreamMap, analysis: MapAnalysis,
               distribution: LeadTimeDistribution | None = None,
               left_out: Collection[str] | None = None) -> TargetAttainment | None:
    """The map's targets against its figures (see the module docstring); None when neither the
    map nor any step has a target. `distribution`: the simulated lead time, if any (its samples
    give the probability: `simulated`). `left_out`: the map's stray steps (`stray_steps`), when
    the caller has them already (a set)."""
    if left_out is None:
        left_out = set(stray_steps(map_))
    steps = tuple(
        StepTarget(step.id, step.name, step.target_time, step.lead_time,
                   within(step.lead_time, step.target_time))
        for step in map_.steps if step.target_time is not None and step.id not in left_out)
    target = map_.target_lead_time
    if target is None and not steps:
        return None
    expected = analysis.lead_time
    if target is None:
        return TargetAttainment(None, expected, None, steps=steps)
    met = None if expected is None else within(expected, target)
    return simulated(TargetAttainment(target, expected, met, steps=steps), distribution)


def simulated(found: TargetAttainment,
              distribution: LeadTimeDistribution | None) -> TargetAttainment:
    """`found` (an attainment without a simulation) with the chance of meeting the map's target
    and the P85 against it from `distribution`; `found` as it is without a distribution or a
    map target. One pass over the simulated runs, none over the steps: the editor finds the
    rest once per analysis and this once per simulation."""
    if distribution is None or found.target_minutes is None:
        return found
    target = found.target_minutes
    p85 = distribution.p85
    return replace(found, probability=distribution.share_within(target * (1.0 + TOLERANCE)),
                   p85=p85, p85_met=within(p85, target))
