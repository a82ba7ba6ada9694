"""The jobs of the metrics pane's simulation, run in the simulation's own process
(ui.document.processes, its "simulation" worker; ui.panels.simulation hands them over).

Pure: no Qt here, so the child that runs them imports only the model and the analysis. The
child keeps each compiled `montecarlo.Simulation` between jobs, under a key the GUI side makes
("<owner>:<number>"): `start` compiles the map from its records, then each `advance` does about
a tenth of a second of runs and answers how far it got, or at the end the figures, and forgets
the simulation. What goes back is small (a few numbers, at the end the distribution), never the
Simulation. A superseded simulation is forgotten: `forget` drops it, a new `start` drops the
owner's older ones, and no more than KEPT are held whatever happens (a pane closed mid-run).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vsm.analysis import montecarlo
from vsm.analysis.montecarlo import LeadTimeDistribution, should_simulate

if TYPE_CHECKING:
    from ui.document.snapshots import MapRecords

KEPT = 4  # simulations held at most (one per pane; more only when panes closed mid-run)


@dataclass
class _Held:
    """A compiled simulation and the seconds of simulating spent on it so far."""

    simulation: montecarlo.Simulation
    spent: float = 0.0


@dataclass(frozen=True)
class Progress:
    """How far a simulation got: the runs done and the seconds of simulating spent."""

    completed: int
    spent: float


@dataclass(frozen=True)
class Finished:
    """A simulation's figures: the distribution of the runs done, and the runs asked for
    (fewer done: it stopped at the budget)."""

    result: LeadTimeDistribution
    runs: int


_HELD: dict[str, _Held] = {}


def _owner(key: str) -> str:
    return key.rpartition(":")[0]


def start(key: str, records: MapRecords, runs: int, seed: int) -> int | None:
    """Compile the map copied in `records` for `runs` runs from `seed` and keep it under `key`
    (dropping the owner's older ones); the runs asked, or None when the map has no time range
    left. SimulationError when it cannot be simulated."""
    for old in [k for k in _HELD if _owner(k) == _owner(key)]:
        del _HELD[old]
    twin = records.rebuild()
    if not should_simulate(twin):
        return None
    simulation = montecarlo.Simulation(twin, runs=runs, seed=seed)
    while len(_HELD) >= KEPT:
        del _HELD[next(iter(_HELD))]  # the oldest: its pane went away without a word
    _HELD[key] = _Held(simulation)
    return runs


def advance(key: str, seconds: float, slice_seconds: float, budget: float,
            minimum: int) -> Progress | Finished:
    """Do runs of the simulation kept under `key` for about `seconds`, in slices of
    `slice_seconds`; its figures (and it is forgotten) once all runs are done, or once `budget`
    seconds of simulating are spent with at least `minimum` runs; else how far it got.
    KeyError if it is not kept (forgotten); a run past the rework cap raises SimulationError
    (and the simulation is forgotten)."""
    held = _HELD[key]
    simulation = held.simulation
    began = time.perf_counter()
    try:
        while True:
            before = time.perf_counter()
            done = simulation.advance(slice_seconds)
            held.spent += time.perf_counter() - before
            if done or (held.spent >= budget and simulation.completed >= minimum):
                del _HELD[key]
                return Finished(simulation.result(), simulation.runs)
            if time.perf_counter() - began >= seconds:
                return Progress(simulation.completed, held.spent)
    except Exception:
        _HELD.pop(key, None)
        raise


def forget(key: str) -> None:
    """Drop the simulation kept under `key`, if any (superseded)."""
    _HELD.pop(key, None)


def kept() -> list[str]:
    """The keys of the simulations kept (what a test asks the child)."""
    return list(_HELD)
