"""The simulated lead time under the metrics panel's lead time, which uses the most likely
times: "Simulated: mean 1d 11h, median 1d 11h, 85% within 2d 3h" (P95 and the spread in the
tooltip). The deck shows the same figures: it runs as many items with the same seed
(vsm.export.summary_slides.SIMULATION_RUNS).

The Monte Carlo simulation (vsm.analysis.montecarlo) of a large map takes seconds, so it runs in
a process of its own (issue 19): ui.document.processes, its "simulation" worker, with the jobs of
ui.panels.simulation_jobs. A worker thread was not enough: it shares the interpreter's lock with
the GUI thread, which waited for it at every paint and event (the window blocked 272 ms on an
edit of the 5,000-step map while the simulation ran); its own child also keeps the cost counts
and the autosave from waiting behind seconds of simulating. 300 ms after the last change of the
map, a copy of it taken on the GUI thread (ui.document.snapshots) is compiled in the child,
which keeps it between jobs; each job does about JOB_SECONDS of runs and answers how far it got,
and when the answer arrives (through a Receiver, ui.document.handoff) the next slice is asked
for. An edit meanwhile supersedes it: its queued job is cancelled, no slice is asked for again,
the child forgets it, and the simulation starts again from the new map; a result of a superseded
run is never shown. Only numbers come back (the progress, at the end the distribution), never
the compiled simulation. While it runs the previous figures stay (after a short while with how
far it got), so small maps do not flicker. A map so large that SIMULATION_RUNS take more than
BUDGET_SECONDS of simulating (the 20,000-step benchmark map: about 26 ms a run) shows the
figures of the runs done by then, at least MINIMUM_RUNS, and says how many. A map that cannot
be simulated (a run that passes the rework cap names the loop it keeps going round), or whose
child failed or died, says why instead of the figures: never a silent stop.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ui.document import processes
from ui.document.handoff import Receiver
from ui.document.snapshots import MapRecords, RecordCopies
from ui.panels import simulation_jobs
from vsm.analysis import montecarlo
from vsm.analysis.montecarlo import SimulationError, should_simulate
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration

SIMULATION_RUNS = 2000  # the deck runs as many (vsm.export.summary_slides.SIMULATION_RUNS)
SIMULATION_SEED = 42
SIMULATION_DELAY_MS = 300  # after the last analysis change, so typing stays fluid
SLICE_SECONDS = 0.008  # runs between two looks at the budget
JOB_SECONDS = 0.1  # of runs per job: each job is a round trip to the child
PROGRESS_AFTER_SECONDS = 0.5  # say how far it got only when it takes this long
BUDGET_SECONDS = 4.0  # of simulating: a large map stops early, with the runs done by then,
MINIMUM_RUNS = 200  # unless fewer than these (P95 from 200 runs is within a few percent)
PREFIX = "Simulated: "
_log = logging.getLogger(__name__)


NBSP = "\u00a0"


def simulated_words(result: montecarlo.LeadTimeDistribution) -> str:
    """'mean 1d 11h, median 1d 11h, 85% within 2d 3h', each figure kept whole on a line
    (non-breaking spaces) when the narrow pane wraps it."""
    mean, median, p85 = (format_duration(v).replace(" ", NBSP)
                         for v in (result.mean, result.p50, result.p85))
    return f"mean{NBSP}{mean}, median{NBSP}{median}, 85%{NBSP}within{NBSP}{p85}"


class SimulatedLeadTime(QObject):
    """Keeps `label` showing the simulated lead time of the map it is given (hidden when the map
    has no time ranges)."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        self.map: ValueStreamMap | None = None
        self.compiled = False  # the simulation under way is compiled in the child
        self._owner = uuid.uuid4().hex  # the keys of this pane's simulations in the child
        self._job: int | None = None  # the number of the simulation under way
        self._jobs = 0
        self._future: Future[Any] | None = None  # the job queued or running for it
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
        """Forget the simulation under way, if any (the figures shown stay): its queued job is
        cancelled, no slice is asked for again, the child forgets it, and its result is never
        shown."""
        self._delay.stop()
        if self._job is not None:
            if self._future is not None:
                self._future.cancel()  # not started yet: never runs
            _worker().submit(simulation_jobs.forget, self._key(self._job))
        self._job = None
        self._future = None
        self.compiled = False

    def _key(self, number: int) -> str:
        return f"{self._owner}:{number}"

    def _start(self) -> None:
        map_ = self.map  # whether it still has time ranges: the child looks (start)
        if map_ is None:
            self.label.hide()
            return
        self._jobs += 1
        number = self._job = self._jobs
        records = MapRecords.of(map_, kaizens=False,  # on this thread; the child has its own
                                copies=self._copies)
        self._started = time.perf_counter()
        self._submit(number, Receiver(self._on_started), simulation_jobs.start,
                     self._key(number), records, SIMULATION_RUNS, SIMULATION_SEED)

    def _submit(self, number: int, deliver: Receiver, job: Callable[..., Any],
                *args: object) -> None:
        """Run `job(*args)` in the simulation's process; `deliver` (number, its result or the
        exception) on the GUI thread. No Qt object reaches the worker (ui.document.handoff)."""
        future = self._future = _worker().submit(job, *args)
        future.add_done_callback(partial(_answer, number, deliver))

    def _on_started(self, number: int, outcome: object) -> None:
        if number != self._job:
            return  # superseded
        if outcome is None or isinstance(outcome, BaseException):
            self._on_finished(number, outcome)
            return
        self.compiled = True
        self._advance(number)

    def _advance(self, number: int) -> None:
        self._submit(number, Receiver(self._on_advanced), simulation_jobs.advance,
                     self._key(number), JOB_SECONDS, SLICE_SECONDS, BUDGET_SECONDS,
                     MINIMUM_RUNS)

    def _on_advanced(self, number: int, outcome: object) -> None:
        if number != self._job:
            return  # superseded: not asked again
        if isinstance(outcome, simulation_jobs.Progress):
            self._on_progress(number, outcome.completed, outcome.spent)
            self._advance(number)
        else:
            self._on_finished(number, outcome)

    def _on_progress(self, number: int, completed: int, spent: float) -> None:
        if number != self._job:
            return  # superseded
        if time.perf_counter() - self._started > PROGRESS_AFTER_SECONDS:
            figures = self._figures if not self.label.isHidden() and self._figures else "…"
            percent = int(100 * max(completed / SIMULATION_RUNS, spent / BUDGET_SECONDS
                                    if BUDGET_SECONDS else 1.0))
            self.label.setText(f"{PREFIX}{figures} (simulating, {min(percent, 99)}% done)")
            self.label.show()

    def _on_finished(self, number: int, outcome: object) -> None:
        if number != self._job:
            return  # superseded: a newer map's simulation is under way or done
        self._job = None
        self._future = None
        self.compiled = False
        if outcome is None:  # no time range left in the map: nothing to simulate
            self._figures = ""
            self.label.hide()
            return
        if isinstance(outcome, simulation_jobs.Finished):
            self._show(outcome.result, outcome.runs)
            return
        self._figures = ""
        what = str(outcome) if isinstance(outcome, SimulationError) else (
            f"{type(outcome).__name__}: {outcome}")
        self.label.setText(f"{PREFIX}not computed: {what}")
        self.label.setToolTip("The simulation stopped: " + what)
        self.label.show()

    def _show(self, result: montecarlo.LeadTimeDistribution, runs: int) -> None:
        """Show the figures of `result`, which did fewer than the `runs` asked for when it
        stopped at the budget."""
        values = simulated_words(result)
        partial = result.runs < runs
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



def _worker() -> processes.ProcessWorker:
    return processes.shared("simulation")


def _answer(number: int, deliver: Receiver, future: Future[Any]) -> None:
    """On the worker's dispatching thread: hand the job's result or exception to the GUI
    thread (nothing, when it was cancelled before it started)."""
    if future.cancelled():
        return
    error = future.exception()
    if error is not None and not isinstance(error, SimulationError):
        _log.error("the simulation failed", exc_info=error)
    deliver.send(number, error if error is not None else future.result())
