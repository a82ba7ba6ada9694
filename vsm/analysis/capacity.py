"""Demand, takt time and the utilisation of each step (docs/analysis.md, "Demand and capacity").

With a map's demand set (`demand` items per `demand_period`: day, week or month):

- **available time** is *working* time: AVAILABLE_MINUTES, a working day of 8 hours, a week of
  5 such days (2,400 minutes), a month of 52/12 weeks (10,400 minutes). Process times are
  hands-on time, which people spend in their working hours; measured against calendar time
  (168 hours a week) one person could take 4 times the work of a 40-hour week before reaching
  100 %, and the over-capacity flag would hardly ever show. Lead times and waits stay calendar
  time, as everywhere else.
- **takt time** = available minutes in the period / demand: how much working time passes between
  two arriving items (40 items a week: 2,400 / 40 = 60 minutes). A step keeps up when its
  process time per person, times its visits, stays below the takt time.
- **visits(v)** = the expected number of times one item passes step v (below).
- **utilisation(v)** = demand x process time x visits / (people x available minutes), in percent.
- A step is **over capacity** when its utilisation is above the map's threshold
  (`Thresholds.over_capacity_percent`, 85 % unless changed). A step with work but nobody assigned
  (people 0) is infinitely utilised, so always over capacity.

Automated and customer steps get no utilisation: an automated step is not limited by people, and
each item brings its own customer.

Visits follow the same process as the lead time and the Monte Carlo simulation
(vsm.analysis.montecarlo). One *pass* through the map from a step x reaches the steps downstream of x:
every branch of a concurrent split, one route of an alternative split (by share), and a step
where concurrent branches join only once. When a step is passed, each of its rework flows sends
the work back with its probability; the work then starts a new pass from the rework target, and
nothing downstream of the step is reached in this pass, not even through another concurrent
branch (a join waits for the branch that went back; the new pass reaches it). Concurrent
branches of one pass that send work back to the same target start one new pass there. So, with
R_x(v) the probability that a pass from x reaches v and K_x(t) the probability that it starts a
new pass from t,

    N_x(v) = R_x(v) + sum over rework targets t of K_x(t) * N_t(v)

R_x and K_x are exact: a pass is walked in topological order keeping the probability of each
set of steps reached but not yet passed (like rolled %C&A). The equations for the rework targets
are linear and solved by elimination; visits(v) = N for a first pass from every start at once.
Without concurrent splits this is the usual expected number of visits of a Markov chain.
vsm.analysis.capacity_passes computes this in near-linear time on real maps: each pass is walked only over the
steps it has pending, a pass that narrows to one step with nothing sent back is handed over to a
shared pass from that step, and the equations are eliminated as sparse rows.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from vsm.analysis.capacity_passes import STATE_LIMIT, CapacityError, Walker
from vsm.model import ValueStreamMap

__all__ = ["AVAILABLE_MINUTES", "STATE_LIMIT", "UNCAPPED_PERFORMERS", "CapacityError",
           "capacity_figures", "over_capacity_reasons", "takt_time", "utilisation", "visits",
           "visits_or_trouble"]

if TYPE_CHECKING:
    from vsm.analysis.structure import Structure

AVAILABLE_MINUTES: dict[str, float] = {"day": 8 * 60.0, "week": 5 * 8 * 60.0,
                                       "month": 52 * 5 * 8 * 60.0 / 12}  # 480, 2,400, 10,400
UNCAPPED_PERFORMERS = ("automated", "customer")  # no utilisation for these steps


def takt_time(map_: ValueStreamMap) -> float | None:
    """Minutes of working time between two arriving items; None without demand."""
    if map_.demand is None or map_.demand <= 0:
        return None
    return AVAILABLE_MINUTES[map_.demand_period] / map_.demand


def visits(s: Structure) -> dict[str, float]:
    """The expected number of times one item passes each step (see the module docstring).

    Raises CapacityError when there are too many combinations of routes, or when rework from
    concurrent branches starts, on average, at least one new pass per pass (it never ends).
    """
    return Walker(s).visits()


def utilisation(map_: ValueStreamMap, passes: dict[str, float]) -> dict[str, float]:
    """Percent utilisation of every internal and vendor step (math.inf: work but nobody
    assigned); empty without demand."""
    if map_.demand is None:
        return {}
    period = AVAILABLE_MINUTES[map_.demand_period]
    result: dict[str, float] = {}
    for step in map_.steps:
        if step.performer in UNCAPPED_PERFORMERS:
            continue
        work = map_.demand * step.process_time * passes.get(step.id, 0.0)  # minutes per period
        if work <= 0:
            result[step.id] = 0.0
        elif step.people <= 0:
            result[step.id] = math.inf
        else:
            result[step.id] = 100.0 * work / (step.people * period)
    return result


def over_capacity_reasons(map_: ValueStreamMap, percent: dict[str, float],
                          passes: dict[str, float]) -> dict[str, str]:
    """step id -> the reason it is over capacity, for the steps above the map's threshold."""
    if map_.demand is None:
        return {}
    limit = map_.thresholds.over_capacity_percent
    rate = f"{map_.demand:g} items/{map_.demand_period}"
    reasons: dict[str, str] = {}
    for step in map_.steps:
        value = percent.get(step.id)
        if value is None or value <= limit:
            continue
        count = passes.get(step.id, 0.0)
        need = map_.demand * step.process_time * count / AVAILABLE_MINUTES[map_.demand_period]
        visits_note = "" if abs(count - 1.0) < 1e-9 else f"; each item passes it {count:.2f} times"
        if math.isinf(value):
            reasons[step.id] = (f"Nobody assigned: it needs {need:.1f} people-worth of work at "
                                f"{rate}{visits_note}.")
        else:
            who = "1 person" if step.people == 1 else f"{step.people:g} people"
            reasons[step.id] = (f"Needs {need:.1f} people-worth of work for {who}: {value:.0f}% "
                                f"utilised at {rate} (over {limit:g}%){visits_note}.")
    return reasons


def visits_or_trouble(s: Structure) -> tuple[dict[str, float], str | None]:
    """The visits of the structure, or no visits and the sentence saying why they cannot be
    computed (what capacity_figures needs; vsm.analysis.figures.Analyser keeps it with the
    structure, which is all it depends on)."""
    try:
        return visits(s), None
    except CapacityError as error:
        return {}, f"Utilisation not computed: {error}."


def capacity_figures(map_: ValueStreamMap, s: Structure,
                     known: tuple[dict[str, float], str | None] | None = None
                     ) -> tuple[dict[str, float], dict[str, float], str | None]:
    """(visits, utilisation, problem) for the analysis: empty figures and no problem without
    demand; empty figures and a sentence saying why when the visits cannot be computed. Stray
    steps (`s.left_out`) get neither visits nor utilisation. `known`: the structure's
    visits_or_trouble, when already computed."""
    if map_.demand is None:
        return {}, {}, None
    passes, trouble = known if known is not None else visits_or_trouble(s)
    if trouble is not None:
        return {}, {}, trouble
    percent = utilisation(map_, passes)
    for v in s.left_out:
        percent.pop(v, None)
    return dict(passes), percent, None
