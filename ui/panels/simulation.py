"""The simulated lead time under the metrics panel's lead time, which uses the most likely
times: "Simulated: mean 1d 11h, median 1d 11h, 85% within 2d 3h" (P95 and the spread in the
tooltip). The deck shows the same figures: it runs as many items with the same seed
(vsm.export.summary_slides.SIMULATION_RUNS).

The Monte Carlo simulation (vsm.analysis.montecarlo) of a large map takes seconds, so it runs on
a worker thread (issue 19), on a copy of the map taken on the GUI thread (ui.document.snapshots):
300 ms after the last change of the map it starts, and the worker does runs in slices of
SLICE_SECONDS, checking between slices whether it was superseded. An edit meanwhile cancels it
and starts it again from the new map; a result of a superseded run is never shown. While it runs
the previous figures stay (after a short while with how far it got), so small maps do not
flicker. A map so large that SIMULATION_RUNS take more than BUDGET_SECONDS of simulating (the
20,000-step benchmark map: about 26 ms a run) shows the figures of the runs done by then, at least
MINIMUM_RUNS, and says how many. A map that cannot be simulated (a run that passes the rework
cap names the loop it keeps going round) says why instead of the figures: never a silent stop.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ui.document.handoff import Receiver
from ui.document.snapshots import MapRecords, RecordCopies
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
PROGRESS_EVERY_SECONDS = 0.1  # the worker tells how far it got at most this often
_log = logging.getLogger(__name__)


NBSP = "\u00a0"


def simulated_words(result: montecarlo.LeadTimeDistribution) -> str:
    """'mean 1d 11h, median 1d 11h, 85% within 2d 3h', each figure kept whole on a line
    (non-breaking spaces) when the narrow pane wraps it."""
    mean, median, p85 = (format_duration(v).replace(" ", NBSP)
                         for v in (result.mean, result.p50, result.p85))
    return f"mean{NBSP}{mean}, median{NBSP}{median}, 85%{NBSP}within{NBSP}{p85}"


class _Job:
    """One simulation handed to the worker: its number, and whether it was superseded."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.cancelled = threading.Event()


class SimulatedLeadTime(QObject):
    """Keeps `label` showing the simulated lead time of the map it is given (hidden when the map
    has no time ranges)."""


    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        self.map: ValueStreamMap | None = None
        self.simulation: montecarlo.Simulation | None = None  # the worker's, once compiled
        self._job: _Job | None = None
        self._jobs = 0
        self._started = 0.0
        self._figures = ""  # the last figures shown ("" before the first)
        self._copies: RecordCopies | None = None
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SIMULATION_DELAY_MS)
        self._delay.timeout.connect(self._start)

    @property
    def running(self) -> bool:
        """True while a simulation is waiting to start or running."""
        return self._delay.isActive() or self._job is not None

    def schedule(self, map_: ValueStreamMap | None, copies: RecordCopies | None = None,
                 variable: bool | None = None) -> None:
        """Simulate `map_` after the pause; without a map or time ranges hide the figures.
        `copies`: the document's kept copies of the map's records (ui.document.snapshots).
        `variable`: whether some step has a time range, when known already (the analysis
        worker's figures: vsm.analysis.pane_figures), else looked up here."""
        self.stop()
        self._copies = copies
        if map_ is not self.map:  # another map's figures must not stand for this one's
            self._figures = ""
            self.label.hide()
        self.map = map_
        if map_ is None or not (should_simulate(map_) if variable is None else variable):
            self.label.hide()
            return
        self._delay.start()

    def stop(self) -> None:
        """Forget the simulation under way, if any (the figures shown stay); the worker stops at
        its next slice and its result is never shown."""
        self._delay.stop()
        if self._job is not None:
            self._job.cancelled.set()
        self._job = None
        self.simulation = None

    def _start(self) -> None:
        map_ = self.map  # whether it still has time ranges: the worker looks (_work)
        if map_ is None:
            self.label.hide()
            return
        self._jobs += 1
        job = self._job = _Job(self._jobs)
        records = MapRecords.of(map_, kaizens=False,  # on this thread; the worker has its own
                                copies=self._copies)
        self._started = time.perf_counter()
        # The worker holds no Qt object: it tells through Receivers (ui.document.handoff).
        threading.Thread(target=_work, args=(job, records, Receiver(self._compiled),
                                             Receiver(self._on_progress),
                                             Receiver(self._on_finished)),
                         daemon=True, name="vsm-simulation").start()

    def _compiled(self, number: int, simulation: montecarlo.Simulation) -> None:
        if self._job is not None and number == self._job.number:
            self.simulation = simulation
    def _on_progress(self, number: int, completed: int, spent: float) -> None:
        if self._job is None or number != self._job.number:
            return  # superseded
        if time.perf_counter() - self._started > PROGRESS_AFTER_SECONDS:
            figures = self._figures if not self.label.isHidden() and self._figures else "…"
            percent = int(100 * max(completed / SIMULATION_RUNS, spent / BUDGET_SECONDS
                                    if BUDGET_SECONDS else 1.0))
            self.label.setText(f"{PREFIX}{figures} (simulating, {min(percent, 99)}% done)")
            self.label.show()

    def _on_finished(self, number: int, outcome: object) -> None:
        if self._job is None or number != self._job.number:
            return  # superseded: a newer map's simulation is under way or done
        self._job = None
        self.simulation = None
        if outcome is None:  # no time range left in the map: nothing to simulate
            self._figures = ""
            self.label.hide()
            return
        if isinstance(outcome, montecarlo.Simulation):
            self._show(outcome)
            return
        self._figures = ""
        what = str(outcome) if isinstance(outcome, SimulationError) else (
            f"{type(outcome).__name__}: {outcome}")
        self.label.setText(f"{PREFIX}not computed: {what}")
        self.label.setToolTip("The simulation stopped: " + what)
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


def _work(job: _Job, records: MapRecords, compiled: Receiver, progress: Receiver,
          finished: Receiver) -> None:
    """The worker thread: compile the copy, do runs in slices until done, over the budget or
    superseded; report through the Receivers."""
    outcome: object
    try:
        twin = records.rebuild()
        if not should_simulate(twin):  # the ranges went while the simulation waited to start
            finished.send(job.number, None)
            return
        simulation = montecarlo.Simulation(twin, runs=SIMULATION_RUNS, seed=SIMULATION_SEED)
        if job.cancelled.is_set():
            return
        compiled.send(job.number, simulation)
        spent, told = 0.0, 0.0  # the first slice is told at once
        while not job.cancelled.is_set():
            began = time.perf_counter()
            done = simulation.advance(SLICE_SECONDS)
            spent += time.perf_counter() - began
            if done or (spent >= BUDGET_SECONDS and simulation.completed >= MINIMUM_RUNS):
                break
            if time.perf_counter() - told >= PROGRESS_EVERY_SECONDS:
                told = time.perf_counter()
                progress.send(job.number, simulation.completed, spent)
        else:
            return
        outcome = simulation
    except SimulationError as error:
        outcome = error
    except Exception as error:  # noqa: BLE001 - a bug: said in the pane, never silent
        _log.error("the simulation failed", exc_info=error)
        outcome = error
    finished.send(job.number, outcome)
