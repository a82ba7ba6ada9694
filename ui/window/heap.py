"""Python's garbage collector and a large open document (issue 19).

The cycle collector's full collections walk every object Python tracks: with a 5,000-step map
open (about 240,000 objects: the model, the canvas items' wrappers, the panels' rows) one took
up to 0.38 s on the GUI thread, several times during a Delete and its Undo, at moments no one
chooses. Once a document with a map of LARGE_MAP_STEPS steps or more is open and its canvases
are drawn, what exists then is moved out of the collector's sight (`gc.freeze()`): later
collections walk only what was made since (the longest fell to 0.08 s in the same measurement).
Before the window shows another document, and when it closes, the objects are given back
(`gc.unfreeze()`), so the cycles of a closed document are collected as before; smaller
documents are left alone (their collections are short).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from ui.canvas.building import SLICED_BUILD_STEPS
from ui.document.document import Document
from ui.window.map_tabs import MapTabs

LARGE_MAP_STEPS = SLICED_BUILD_STEPS  # the maps whose canvas is drawn in slices
CHECK_MS = 200  # how often to look whether the canvases are drawn


class HeapFreezer(QObject):
    """Freezes the heap once `tabs` have drawn a large document; `release()` gives it back."""

    def __init__(self, tabs: MapTabs) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.frozen = False
        self._wait = QTimer(self)
        self._wait.setInterval(CHECK_MS)
        self._wait.timeout.connect(self._freeze_when_drawn)

    def document_shown(self, document: Document) -> None:
        """The window shows `document` now: give back what an earlier one froze, and freeze
        again once a large document's canvases are drawn."""
        self.release()
        if any(len(map_.steps) >= LARGE_MAP_STEPS for map_ in document.project.maps):
            self._wait.start()

    def release(self) -> None:
        """Let the collector see every object again (a document is going away)."""
        self._wait.stop()
        if self.frozen:
            gc.unfreeze()
            self.frozen = False

    def _freeze_when_drawn(self) -> None:
        if self.tabs.drawing():
            return
        self._wait.stop()
        gc.freeze()
        self.frozen = True
