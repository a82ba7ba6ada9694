"""The simulated lead time under the metrics panel's lead time, which uses the most likely
times: "Simulated: mean 1d 11h, median 1d 11h, 85% within 2d 3h" (P95 and the spread in the
tooltip). The deck shows the same figures: it runs as many items with the same seed
(vsm.export.summary_slides.SIMULATION_RUNS).

The Monte Carlo simulation (vsm.analysis.montecarlo) of a large map takes seconds, so it never runs in one
go on the GUI thread: 300 ms after the last change of the map it starts, and then runs in slices
of SLICE_SECONDS between which the event loop paints and takes input. An edit meanwhile starts
it again from the new map. While it runs the previous figures stay (after a short while with how
far it got), so small maps do not flicker. A map so large that SIMULATION_RUNS take more than
BUDGET_SECONDS of simulating (about 400 steps with rework everywhere) shows the figures of the
runs done by then, at least MINIMUM_RUNS, and says how many.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from vsm.analysis import montecarlo
from vsm.analysis.montecarlo import SimulationError, should_simulate
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration

SIMULATION_RUNS = 2000  # the deck runs as many (vsm.export.summary_slides.SIMULATION_RUNS)
SIMULATION_SEED = 42
SIMULATION_DELAY_MS = 300  # after the last analysis change, so typing stays fluid
SLICE_SECONDS = 0.008  # runs per turn of the event loop: half a frame at 60 Hz
PROGRESS_AFTER_SECONDS = 0.5  # say how far it got only when it takes this long
BUDGET_SECONDS = 4.0  # of simulating: a large map stops early, with the runs done by then,
MINIMUM_RUNS = 200  # unless fewer than these (P95 from 200 runs is within a few percent)
PREFIX = "Simulated: "


NBSP = "\u00a0"


def simulated_words(result: montecarlo.LeadTimeDistribution) -> str:
    """'mean 1d 11h, median 1d 11h, 85% within 2d 3h', each figure kept whole on a line
    (non-breaking spaces) when the narrow pane wraps it."""
    mean, median, p85 = (format_duration(v).replace(" ", NBSP)
                         for v in (result.mean, result.p50, result.p85))
    return f"mean{NBSP}{mean}, median{NBSP}{median}, 85%{NBSP}within{NBSP}{p85}"


class SimulatedLeadTime(QObject):
    """Keeps `label` showing the simulated lead time of the map it is given (hidden when the map
    has no time ranges or cannot be simulated)."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        self.map: ValueStreamMap | None = None
        self.simulation: montecarlo.Simulation | None = None
        self._started = 0.0
        self._spent = 0.0  # seconds spent simulating, not counting the turns in between
        self._figures = ""  # the last figures shown ("" before the first)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SIMULATION_DELAY_MS)
        self._delay.timeout.connect(self._start)
        self._slices = QTimer(self)
        self._slices.setInterval(0)  # next turn of the event loop, after paints and input
        self._slices.timeout.connect(self._run_slice)

    @property
    def running(self) -> bool:
        """True while a simulation is waiting to start or running."""
        return self._delay.isActive() or self._slices.isActive()

    def schedule(self, map_: ValueStreamMap | None) -> None:
        """Simulate `map_` after the pause; without a map or time ranges hide the figures."""
        self.stop()
        if map_ is not self.map:  # another map's figures must not stand for this one's
            self._figures = ""
            self.label.hide()
        self.map = map_
        if map_ is None or not should_simulate(map_):
            self.label.hide()
            return
        self._delay.start()

    def stop(self) -> None:
        """Forget the simulation under way, if any (the figures shown stay)."""
        self._delay.stop()
        self._slices.stop()
        self.simulation = None

    def _start(self) -> None:
        map_ = self.map
        if map_ is None or not should_simulate(map_):
            self.label.hide()
            return
        try:
            self.simulation = montecarlo.Simulation(map_, runs=SIMULATION_RUNS, seed=SIMULATION_SEED)
        except SimulationError:
            self.label.hide()
            return
        self._started = time.perf_counter()
        self._spent = 0.0
        self._slices.start()

    def _run_slice(self) -> None:
        simulation = self.simulation
        if simulation is None:
            self._slices.stop()
            return
        began = time.perf_counter()
        try:
            done = simulation.advance(SLICE_SECONDS)
        except SimulationError:
            self.stop()
            self.label.hide()
            return
        self._spent += time.perf_counter() - began
        if self._spent >= BUDGET_SECONDS and simulation.completed >= MINIMUM_RUNS:
            done = True
        if done:
            self._slices.stop()
            self.simulation = None
            self._show(simulation)
        elif time.perf_counter() - self._started > PROGRESS_AFTER_SECONDS:
            figures = self._figures if not self.label.isHidden() and self._figures else "…"
            percent = int(100 * max(simulation.completed / SIMULATION_RUNS,
                                    self._spent / BUDGET_SECONDS))
            self.label.setText(f"{PREFIX}{figures} (simulating, {percent}% done)")
            self.label.show()

    def _show(self, simulation: montecarlo.Simulation) -> None:
        result = simulation.result()
        values = simulated_words(result)
        partial = result.runs < simulation.runs
        self._figures = values
        self.label.setText(PREFIX + values + (f" ({result.runs:,} runs)" if partial else ""))
        self.label.setToolTip(
            (f"Stopped after {BUDGET_SECONDS:g} s of simulating: the map is large. "
             if partial else "")
            + f"Lead time of {result.runs:,} simulated items (seed {result.seed}), each wait and "
            "process time drawn from its minimum / most likely / maximum (triangular), routes "
            "by share, rework by probability; the lead time above uses the most likely times.\n"
            f"Mean {format_duration(result.mean)}; median (P50) {format_duration(result.p50)}: "
            f"half of the items are done within it; P85 {format_duration(result.p85)}, P95 "
            f"{format_duration(result.p95)}; standard deviation {format_duration(result.stdev)}.")
        self.label.show()
