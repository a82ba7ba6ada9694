"""The analysis of every map of an open document, kept up to date as the maps change.

Analysis is recomputed for the maps that changed, coalesced over the next turns of the event loop,
so a burst of edits (a paste, an auto-layout) costs one analysis, and after the canvas has painted
the edit, so the edit shows at once and its figures a moment later. Each map keeps a
vsm.analysis.Analyser, which reuses what an edit left unchanged (the same figures as a fresh
analysis, at a third of the cost after an edit of times). Moves, notes and kaizens change no
figure and cause no analysis.

Each map also keeps its last analysis without a blocking problem (`last_valid`): while shares
are being typed and do not add up yet, the editor shows those figures greyed instead of blanks.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from vsm.analysis import Analyser, MapAnalysis
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

LAYOUT_ONLY_FIELDS = frozenset({"x", "y", "notes"})
TURNS_BEFORE_ANALYSIS = 1  # the canvas paints the edit first; the figures follow


class LiveAnalysis(QObject):
    """Keeps the analyses of a project's maps; calls `announce(map_id)` after a map's figures
    changed and `setting_changed(map_id, field)` after a map setting changed."""

    def __init__(self, project: Project, announce: Callable[[str], None],
                 setting_changed: Callable[[str, str], None], parent: QObject) -> None:
        super().__init__(parent)
        self.project = project
        self._announce = announce
        self._setting_changed = setting_changed
        self._analyses: dict[str, MapAnalysis] = {}
        self._analysers: dict[str, Analyser] = {}  # per map: what one edit leaves to reuse
        self._last_valid: dict[str, MapAnalysis] = {}  # per map: the last one without blocking
        self._stale: set[str] = set()
        self._unannounced: set[str] = set()  # changed since the last announcement
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer)
        self._turns_left = 0
        self._listeners: dict[str, Any] = {}
        for map_ in project.maps:
            self._watch(map_)

    def analysis(self, map_id: str) -> MapAnalysis:
        """The analysis of a map, computed now if it is out of date."""
        if map_id in self._stale or map_id not in self._analyses:
            analyser = self._analysers.setdefault(map_id, Analyser())
            analysis = analyser.analyse(self.project.map(map_id))
            self._analyses[map_id] = analysis
            self._stale.discard(map_id)
            if analysis.ok:
                self._last_valid[map_id] = analysis
        return self._analyses[map_id]

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
            self._analysers.pop(event.map.id, None)
            self._last_valid.pop(event.map.id, None)

    def _watch(self, map_: ValueStreamMap) -> None:
        this = weakref.ref(self)  # the model must not keep the document alive

        def listener(event: object, map_id: str = map_.id) -> None:
            live = this()
            if live is not None:
                live._on_map_event(map_id, event)

        self._listeners[map_.id] = listener
        map_.subscribe(listener)
        self._mark_stale(map_.id)

    def _on_map_event(self, map_id: str, event: object) -> None:
        if isinstance(event, StepChanged) and event.field in LAYOUT_ONLY_FIELDS:
            return  # positions and notes do not change any figure
        if isinstance(event, (KaizenAdded, KaizenChanged, KaizenRemoved)):
            return  # improvement ideas do not change any figure either
        if isinstance(event, MapChanged):
            self._setting_changed(map_id, event.field)
        self._mark_stale(map_id)

    def _mark_stale(self, map_id: str) -> None:
        self._stale.add(map_id)
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
                self.analysis(map_id)
                self._announce(map_id)
            else:
                self._stale.discard(map_id)
