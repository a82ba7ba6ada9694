"""The dock panels shown the window's current map: all at once for an ordinary map, one panel per
turn of the event loop for a costly one (issue 19).

Showing the 5,000-step benchmark map took the panels about 45 ms together (the step table's
rows and column widths, the automation candidates' copy of the map, the metrics, the
properties), in the very turn the opened file's document arrived, besides the canvas's own work
there. One panel per turn, the window paints and takes input between them. Until its turn a
panel shows no map (its empty state: nothing of the previous map, which it leaves first), and
when the last one has its map, `done` is called (the window gives them the canvas's selection
then: a panel given a selection before its map drops it). A newer map to show supersedes the
panels still waiting for the previous one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, QTimer

from vsm.model import ValueStreamMap


class ShowsAMap(Protocol):
    """A panel: it shows one map (or none)."""

    map: ValueStreamMap | None

    def set_map(self, map_: ValueStreamMap | None) -> None: ...  # pragma: no cover


class PanelFilling(QObject):
    """Gives `panels` (in that order) the map to show; `done()` once the last one has it."""

    def __init__(self, panels: Sequence[ShowsAMap], done: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panels = list(panels)
        self._done = done
        self._map: ValueStreamMap | None = None
        self._due: list[ShowsAMap] = []  # the panels still to be given self._map
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    @property
    def pending(self) -> bool:
        """Whether some panels still wait for the map shown (they show none meanwhile)."""
        return bool(self._due)

    def show(self, map_: ValueStreamMap | None, one_per_turn: bool) -> None:
        """Show `map_` in every panel: now, or (`one_per_turn`) a panel per coming turn, each
        leaving the map it showed now if it is another one."""
        self._map = map_
        if not one_per_turn:
            self._due = []
            self._timer.stop()
            for panel in self.panels:
                panel.set_map(map_)
            self._done()
            return
        for panel in self.panels:
            if panel.map is not None and panel.map is not map_:
                panel.set_map(None)  # never another map's contents beside this canvas
        self._due = list(self.panels)
        self._timer.start()

    def _next(self) -> None:
        if not self._due:
            return
        panel = self._due.pop(0)
        if self._due:
            self._timer.start()
        if shiboken6.isValid(panel):
            panel.set_map(self._map)
        if not self._due:
            self._done()
