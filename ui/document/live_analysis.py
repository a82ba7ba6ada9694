"""The analysis of every map of an open document, kept up to date as the maps change.

Analysis is recomputed for the maps that changed, coalesced over the next turns of the event loop,
so a burst of edits (a paste, an auto-layout) costs one analysis, and after the canvas has painted
the edit, so the edit shows at once and its figures a moment later. Each map keeps a
vsm.analysis.Analyser, which reuses what an edit left unchanged (the same figures as a fresh
analysis, at a third of the cost after an edit of times). Moves, notes and kaizens change no
figure and cause no analysis.

Each map also keeps its last analysis without a blocking problem (`last_valid`): while shares
are being typed and do not add up yet, the editor shows those figures greyed instead of blanks.

A *costly* map is analysed by a worker thread: one of ASYNC_STEPS steps or more (issue 19: a
structural re-analysis takes 0.17 s at 5,000 steps, about 1 s at 20,000), or one of
MEASURED_STEPS or more whose costliest analysis so far took SLOW_SECONDS or longer, or whose
next analysis counts the visits again (its demand set, the visits of its structure not known
yet: 0.3 s at 1,000 steps). Smaller maps are always analysed on the GUI thread, so their figures
are exact at once whatever the machine's load. A map of ASYNC_STEPS or more is analysed in the
second process (ui.document.processes, its "analysis" child, which keeps the map's Analyser
between jobs: ui.document.analysis_jobs): on a thread its analysis still held the interpreter
the GUI thread needs for every paint and slot. So is a map whose analysis was slow: its
costliest analysis so far decides, and it stays costly (on a thread, the undo of a Delete of
every step of 1,000 rebuilt and analysed the map there for 60-100 ms while the canvas showed
the steps again, and each paint waited for the interpreter: the window blocked 50-70 ms with
12-16 ms of its own work). A map costly only for the visits its demand needs counted stays on
a worker thread, sharing its Analyser with the GUI thread, which analyses it again once it is
cheap (its visits then known). For a costly map the GUI thread copies the map
(ui.document.snapshots, about 2 µs a record) and hands it over with the map's *generation*, a
count of its changes. Meanwhile `analysis` gives the previous figures, `updating` is True and
`updating_changed` tells the panels, which show the figures as updating. A result whose
generation is no longer the map's is dropped, never shown: a newer edit supersedes it, and the
newest snapshot is analysed as soon as the worker is free. A worker's error reaches the window
through `failed` (the previous figures stay). Only a map's very first analysis is computed on
the GUI thread (there are no figures to show meanwhile).

With each analysis come the metrics pane's own figures (`pane_figures`: who holds the work, the
targets, the busiest step...: vsm.analysis.pane_figures), which walk every step again: for a
costly map the worker finds them right after the analysis, over the same copy of the map (they
took 100-150 ms of the GUI thread after each edit at 5,000 steps); for another map they are
found on the GUI thread when first asked, once per analysis.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from ui.document import analysis_jobs, processes
from ui.document.handoff import Receiver
from ui.document.snapshots import MapRecords, RecordCopies
from vsm.analysis import Analyser, MapAnalysis
from vsm.analysis.pane_figures import PaneFigures, pane_figures
from vsm.model import (
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
    MapAdded,
    MapChanged,
    MapRemoved,
    Project,
    StepChanged,
    ValueStreamMap,
)
from vsm.model.events import BatchEnded, BatchStarted, step_changes

ASYNC_STEPS = 1_500  # maps this large are analysed off the GUI thread (see the docstring)
MEASURED_STEPS = 100  # maps this large go off the GUI thread too once an analysis is slow
SLOW_SECONDS = 0.02  # an analysis this long is slow
_log = logging.getLogger(__name__)
_FIELD = operator.attrgetter("field")

LAYOUT_ONLY_FIELDS = frozenset({"x", "y", "notes"})
TURNS_BEFORE_ANALYSIS = 1  # the canvas paints the edit first; the figures follow


class LiveAnalysis(QObject):
    """Keeps the analyses of a project's maps; calls `announce(map_id)` after a map's figures
    changed and `setting_changed(map_id, field)` after a map setting changed."""

    updating_changed = Signal(str, bool)  # map id, whether its figures are being recomputed
    failed = Signal(str, str)  # map id, what went wrong in the worker
    # or error, seconds it took

    def __init__(self, project: Project, announce: Callable[[str], None],
                 setting_changed: Callable[[str, str], None], parent: QObject) -> None:
        super().__init__(parent)
        self.project = project
        self._announce = announce
        self._setting_changed = setting_changed
        self._analyses: dict[str, MapAnalysis] = {}
        self._analysers: dict[str, Analyser] = {}  # per map: what one edit leaves to reuse
        self._last_valid: dict[str, MapAnalysis] = {}  # per map: the last one without blocking
        self._pane: dict[str, tuple[MapAnalysis, PaneFigures]] = {}  # per map: with its analysis
        self._stale: set[str] = set()
        self._unannounced: set[str] = set()  # changed since the last announcement
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer)
        self._turns_left = 0
        # A batch's records are forgotten by the copies on a turn of their own: a timer's (a
        # zero singleShot is a posted call, run before the event loop's timers: in the same
        # stretch as the batch, the window no more responsive in between).
        self._settling = QTimer(self)
        self._settling.setSingleShot(True)
        self._settling.setInterval(0)
        self._settling.timeout.connect(self._settle_copies)
        self._listeners: dict[str, Any] = {}
        self._generation: dict[str, int] = {}  # per map: its changes so far
        self._large: dict[str, bool] = {}  # per map: analysed by the worker
        self._seconds: dict[str, float] = {}  # per map: its costliest analysis so far
        self._copies: dict[str, RecordCopies] = {}  # per map: records copied for snapshots
        self._running: dict[str, int] = {}  # map id -> generation the worker is analysing
        self._locks: dict[str, threading.Lock] = {}  # per map: one analysis at a time
        self._pool: ThreadPoolExecutor | None = None
        self._token = uuid.uuid4().hex  # this document's part of the child's Analysers' keys
        self._in_child: set[str] = set()  # maps analysed in the second process so far
        self.async_steps = ASYNC_STEPS
        self.measured_steps = MEASURED_STEPS
        for map_ in project.maps:
            self._watch(map_)

    def analysis(self, map_id: str) -> MapAnalysis:
        """The analysis of a map, computed now if it is out of date; for a large map being
        analysed by the worker (`updating`), its previous analysis."""
        if map_id in self._stale or map_id not in self._analyses:
            if map_id in self._analyses and self._is_large(map_id):
                return self._analyses[map_id]  # updating: the worker brings the new figures
            self._store(map_id, self._analyse_now(self.project.map(map_id)))
        return self._analyses[map_id]

    def pane_figures(self, map_id: str) -> PaneFigures:
        """The metrics pane's figures (vsm.analysis.pane_figures) of the map's `analysis`, and
        of the map as that analysis saw it: the worker's for a costly map, else found now (once
        per analysis)."""
        analysis = self.analysis(map_id)
        kept = self._pane.get(map_id)
        if kept is not None and kept[0] is analysis:
            return kept[1]
        figures = pane_figures(self.project.map(map_id), analysis)
        self._pane[map_id] = (analysis, figures)
        return figures

    def shown(self, map_id: str) -> MapAnalysis | None:
        """The map's latest analysis as it is, never computed here (None before its first): what
        a view paints, whatever the time it takes to recompute (the step table's cells)."""
        return self._analyses.get(map_id)

    def current(self, map_id: str) -> MapAnalysis:
        """The analysis of the map as it is now, computed on this thread if need be (exports:
        they must not show figures of an earlier state)."""
        if map_id in self._stale or map_id not in self._analyses:
            self._store(map_id, self._analyse_now(self.project.map(map_id)))
            self._generation[map_id] = self._generation.get(map_id, 0) + 1  # drops the worker's
            self._set_updating(map_id, False)
        return self._analyses[map_id]

    def updating(self, map_id: str) -> bool:
        """True while the figures of the map are out of date and the worker recomputes them."""
        return map_id in self._stale and map_id in self._analyses and self._is_large(map_id)

    def costly(self, map_id: str) -> bool:
        """True when the map's analysis goes to the worker (see the module docstring): a panel
        does its own heavy work for the map off the GUI thread too."""
        return self._is_large(map_id)

    def shutdown(self) -> None:
        """Stop taking work (the document closes); a job under way finishes unseen, and the
        second process forgets this document's Analysers."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._in_child:
            self._in_child.clear()
            processes.shared("analysis").submit(analysis_jobs.forget, self._token + ":")

    def job_key(self, map_id: str) -> str:
        """The key of the map's Analyser in the second process (ui.document.analysis_jobs)."""
        return f"{self._token}:{map_id}"

    def _is_large(self, map_id: str) -> bool:
        """The map is costly (`_costly`): decided when first asked after a change and kept until
        the next one, so the many events of one edit do not count the steps each time. Counted
        now, not at the last analysis: the undo of a Delete of every step puts 20,000 steps
        back into a map last analysed empty, and goes to the worker too."""
        large = self._large.get(map_id)
        if large is None:
            if all(m.id != map_id for m in self.project.maps):
                return False
            large = self._large[map_id] = self._costly(self.project.map(map_id))
        return large

    def _costly(self, map_: ValueStreamMap) -> bool:
        """The map's analysis goes to the worker (see the module docstring): ASYNC_STEPS steps
        or more; or `measured_steps` or more and either an analysis of it took SLOW_SECONDS or
        longer, or the next one counts the visits (a demand, no visits known)."""
        count = len(map_.steps)
        if count >= self.async_steps:
            return True
        if count < self.measured_steps:
            return False
        if self._seconds.get(map_.id, 0.0) >= SLOW_SECONDS:
            return True
        analyser = self._analysers.get(map_.id)
        return map_.demand is not None and (analyser is None or not analyser.visits_known)

    def _in_second_process(self, map_: ValueStreamMap) -> bool:
        """A costly map's analysis goes to the second process: one of `async_steps` steps or
        more, or one whose costliest analysis took SLOW_SECONDS or longer; else (costly for the
        visits its demand needs counted) to the worker thread, whose Analyser this thread
        shares: the next edits are cheap here again."""
        return (len(map_.steps) >= self.async_steps
                or self._seconds.get(map_.id, 0.0) >= SLOW_SECONDS)

    def _took(self, map_id: str, seconds: float) -> None:
        """An analysis of the map took `seconds`: its costliest so far decides its thread."""
        self._seconds[map_id] = max(self._seconds.get(map_id, 0.0), seconds)

    def _analyse_now(self, map_: ValueStreamMap) -> MapAnalysis:
        analyser = self._analysers.setdefault(map_.id, Analyser())
        with self._locks.setdefault(map_.id, threading.Lock()):
            started = time.perf_counter()
            result = analyser.analyse(map_)
        self._took(map_.id, time.perf_counter() - started)
        self._large[map_.id] = self._costly(map_)
        return result

    def adopt(self, map_id: str, analyser: Analyser, analysis: MapAnalysis, seconds: float,
              figures: PaneFigures | None = None, copies: RecordCopies | None = None) -> None:
        """Take a map's first analysis made elsewhere (a worker reading the file,
        ui.document.reading) with the Analyser that made it and the time it took, as if this
        class's worker had made it: the next edit reuses what it found; nothing is analysed
        again on the GUI thread. `copies`: the map's records copied there too (`copies`)."""
        self._analysers[map_id] = analyser
        if copies is not None:
            self._copies[map_id] = copies
        self._took(map_id, seconds)
        self._store(map_id, analysis, figures)

    def _store(self, map_id: str, analysis: MapAnalysis,
               figures: PaneFigures | None = None) -> None:
        self._analyses[map_id] = analysis
        if figures is not None:
            self._pane[map_id] = (analysis, figures)
        else:
            self._pane.pop(map_id, None)  # found when first asked
        self._stale.discard(map_id)
        if analysis.ok:
            self._last_valid[map_id] = analysis

    def _set_updating(self, map_id: str, updating: bool) -> None:
        self.updating_changed.emit(map_id, updating)

    def _submit(self, map_id: str) -> None:
        """Hand a copy of the map to the worker, with its generation."""
        generation = self._generation.get(map_id, 0)
        map_ = self.project.map(map_id)
        records = MapRecords.of(map_, kaizens=False, copies=self.copies(map_id))
        self._large[map_id] = self._costly(map_)
        analyser = self._analysers.setdefault(map_id, Analyser())
        lock = self._locks.setdefault(map_id, threading.Lock())
        finished = Receiver(self._on_finished)  # never a Qt object on the worker
        self._running[map_id] = generation
        if self._in_second_process(map_):  # see the module docstring
            self._in_child.add(map_id)
            future = processes.shared("analysis").submit(analysis_jobs.analyse_copy,
                                                         self.job_key(map_id), records)
            future.add_done_callback(lambda done: _hand_over(done, finished, map_id, generation))
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsm-analysis")

        def job() -> None:
            seconds = 0.0
            figures = None
            try:
                twin = records.rebuild()
                with lock:
                    started = time.perf_counter()
                    outcome: object = analyser.analyse(twin)
                    seconds = time.perf_counter() - started
                assert isinstance(outcome, MapAnalysis)
                figures = pane_figures(twin, outcome)  # the pane's, of the same copy
            except Exception as error:  # noqa: BLE001 - reported to the window, never lost
                _log.error("the analysis failed", exc_info=error)
                outcome = error
            finished.send(map_id, generation, outcome, seconds, figures)

        self._pool.submit(job)

    def _on_finished(self, map_id: str, generation: int, outcome: object,
                     seconds: float = 0.0, figures: PaneFigures | None = None) -> None:
        """A worker's result: shown only if the map has not changed since its snapshot."""
        self._running.pop(map_id, None)
        if all(m.id != map_id for m in self.project.maps):
            return
        self._took(map_id, seconds)
        if generation != self._generation.get(map_id, 0):
            if map_id in self._stale and not self._timer.isActive():
                self._submit(map_id)  # the newest state, now that the worker is free
            return
        if isinstance(outcome, Exception):
            self._stale.discard(map_id)  # the previous figures stay; the next edit tries again
            self._set_updating(map_id, False)
            self.failed.emit(map_id, f"The figures could not be updated ({type(outcome).__name__}: "
                                     f"{outcome}); they show the state before the last change.")
            return
        assert isinstance(outcome, MapAnalysis)
        self._store(map_id, outcome, figures)
        self._announce(map_id)  # first: a panel that shows the figures a turn later (a costly
        self._set_updating(map_id, False)  # map's) then keeps saying "updating" until it does

    def last_valid(self, map_id: str) -> MapAnalysis | None:
        """The map's latest analysis without a blocking problem (its current one when that has
        none), or None when no analysis of the map has been valid since it was opened."""
        self.analysis(map_id)
        return self._last_valid.get(map_id)

    def project_event(self, event: object) -> None:
        """A map came or went: follow it, or forget it."""
        if isinstance(event, MapAdded):
            self._watch(event.map)
        elif isinstance(event, MapRemoved):
            listener = self._listeners.pop(event.map.id, None)
            if listener:
                event.map.unsubscribe(listener)
            self._analyses.pop(event.map.id, None)
            self._pane.pop(event.map.id, None)
            self._analysers.pop(event.map.id, None)
            if event.map.id in self._in_child:
                self._in_child.discard(event.map.id)
                processes.shared("analysis").submit(analysis_jobs.forget,
                                                    self.job_key(event.map.id))
            self._copies.pop(event.map.id, None)
            self._seconds.pop(event.map.id, None)
            self._generation[event.map.id] = self._generation.get(event.map.id, 0) + 1
            self._last_valid.pop(event.map.id, None)

    def _watch(self, map_: ValueStreamMap) -> None:
        this = weakref.ref(self)  # the model must not keep the document alive

        def listener(event: object, map_id: str = map_.id) -> None:
            live = this()
            if live is not None:
                live._on_map_event(map_id, event)

        self._listeners[map_.id] = listener
        map_.subscribe(listener, gathered=True)  # a batch's events at once, at its end
        self._mark_stale(map_.id)

    def copies(self, map_id: str) -> RecordCopies:
        """The map's record copies for snapshots (ui.document.snapshots), kept up to date with
        its events; the autosaver and the simulation use them too."""
        return self._copies.setdefault(map_id, RecordCopies())

    def _on_map_event(self, map_id: str, event: object) -> None:
        if isinstance(event, BatchEnded):
            self._on_batch(map_id, event.events)
            return
        if isinstance(event, BatchStarted):
            return  # its events come at its end, together
        copies = self._copies.get(map_id)
        if copies is not None:
            copies.forget(event)  # every event, layout ones too: the file holds positions
        if _changes_figures(event):
            if isinstance(event, MapChanged):
                self._setting_changed(map_id, event.field)
            self._mark_stale(map_id)

    def _on_batch(self, map_id: str, events: tuple[object, ...]) -> None:
        """A batch of the map's changes ended (a delete of thousands of items, its undo, a
        paste, an auto-layout): the copies of the records it names are forgotten, each setting
        it changed is told, and the map is marked stale once (a new generation: a worker's
        result from before the batch is dropped), not once per event."""
        copies = self._copies.get(map_id)
        if copies is not None:
            copies.forget_all(events)  # on the next turn, if nothing asks for them first
            self._settling.start()
        kinds = set(map(type, events))  # a look at each kind, not at each event
        if MapChanged in kinds:
            for event in events:
                if type(event) is MapChanged:
                    self._setting_changed(map_id, event.field)  # type: ignore[attr-defined]
        if kinds - _NO_FIGURES - {StepChanged} or (StepChanged in kinds and not set(map(
                _FIELD, step_changes(events))) <= LAYOUT_ONLY_FIELDS):  # 40,000 moves: in C
            self._mark_stale(map_id)

    def _settle_copies(self) -> None:
        for copies in list(self._copies.values()):
            copies.settle()

    def _mark_stale(self, map_id: str) -> None:
        self._generation[map_id] = self._generation.get(map_id, 0) + 1
        if map_id not in self._stale and map_id in self._analyses and self._is_large(map_id):
            self._stale.add(map_id)
            self._set_updating(map_id, True)
        self._stale.add(map_id)
        self._large.pop(map_id, None)  # its steps are counted again when next asked
        self._unannounced.add(map_id)
        self._turns_left = TURNS_BEFORE_ANALYSIS
        self._timer.start()

    def _on_timer(self) -> None:
        """Analyse after TURNS_BEFORE_ANALYSIS more turns of the event loop: the edit's repaint
        (a posted event) goes first, so the canvas shows it at once, not after the analysis."""
        if self._turns_left > 0:
            self._turns_left -= 1
            self._timer.start()
            return
        # Announce every changed map, even one whose analysis a reader already computed early.
        for map_id in list(self._unannounced):
            self._unannounced.discard(map_id)
            if any(m.id == map_id for m in self.project.maps):
                if map_id in self._stale and map_id in self._analyses and self._is_large(map_id):
                    if map_id not in self._running:
                        self._submit(map_id)  # announced when the worker's result is shown
                    continue
                self.analysis(map_id)
                if not shiboken6.isValid(self):
                    return  # its document was freed meanwhile (a collection during the analysis)
                self._announce(map_id)
            else:
                self._stale.discard(map_id)


_NO_FIGURES = frozenset({KaizenAdded, KaizenChanged, KaizenRemoved})


def _hand_over(done: Future[tuple[MapAnalysis, float, PaneFigures]], finished: Receiver,
               map_id: str, generation: int) -> None:
    """The second process's analysis of a map, to the GUI thread (on the worker's dispatching
    thread): as the worker thread's job gives it, an error included."""
    error = done.exception()
    if error is not None:
        _log.error("the analysis failed", exc_info=error)
        finished.send(map_id, generation, error, 0.0, None)
        return
    analysis, seconds, figures = done.result()
    finished.send(map_id, generation, analysis, seconds, figures)


def _changes_figures(event: object) -> bool:
    """Whether a model event can change the map's figures: not a position or a note, not an
    improvement idea."""
    kind = type(event)
    if kind is StepChanged:
        return event.field not in LAYOUT_ONLY_FIELDS  # type: ignore[attr-defined]
    return kind not in _NO_FIGURES
