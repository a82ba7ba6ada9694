"""Python's garbage collector and a large open document (issue 19).

The cycle collector's full collections walk every object Python tracks: with a 5,000-step map
open (about 240,000 objects: the model, the canvas items' wrappers, the panels' rows) one took
up to 0.38 s on the GUI thread, several times during a Delete and its Undo, at moments no one
chooses. Once a document with a map of LARGE_MAP_STEPS steps or more is open and its canvases
are drawn, what exists then is moved out of the collector's sight (`gc.freeze()`): later
collections walk only what was made since (the longest fell to 0.08 s in the same measurement).
A large document is frozen as soon as it is shown, its model with it, and its canvases' items
as each slice makes them: frozen only once drawn, full collections walked the model and the
items made so far while the first canvas was drawn, each 40-60 ms at 5,000 steps and 100-230 ms
at 20,000 (a large file given on the command line, opened as the window starts).

What is frozen stays frozen when another document is shown: giving it back made the next full
collection, right after a large file opened, walk the old document's 218,000 objects and the new
one's (0.1-0.3 s on the GUI thread). `document_shown()` then freezes what exists at once (the new
document with it); `release()` gives everything back when the window closes. Frozen objects are
still freed by reference counting,
and a closed document's canvases are: their items, tools and presenters refer to each other,
and they are taken apart in slices (ui.window.map_tabs.ViewTeardown), which breaks those
cycles, so nothing of them is left for a collection. A new large document is frozen in turn
once drawn; a small one opened on a fresh window is left alone (its collections are short).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ui.canvas.building import SLICED_BUILD_STEPS
from ui.document.collector import freeze_heap, thaw_heap
from ui.document.document import Document
from ui.window.map_tabs import MapTabs

LARGE_MAP_STEPS = SLICED_BUILD_STEPS  # the maps whose canvas is drawn in slices
CHECK_MS = 200  # how often to look whether the canvases are drawn


class HeapFreezer(QObject):
    """Freezes the heap once `tabs` have drawn a large document; what is frozen stays so when
    another document is shown (`document_shown()`), and is given back when the window closes
    (`release()`)."""

    def __init__(self, tabs: MapTabs) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.frozen = False
        self._wait = QTimer(self)
        self._wait.setInterval(CHECK_MS)
        self._wait.timeout.connect(self._freeze_when_drawn)

    def document_shown(self, document: Document) -> None:
        """The window shows `document` now: if an earlier one froze the heap, or this one is
        large, what exists now (the new document with it) is frozen, and a large document's
        canvases, drawn in slices, have each slice's items frozen as they are made
        (ui.canvas.building); once they are drawn, what exists then (the panes' rows, the
        figures) is frozen too."""
        self._wait.stop()
        large = any(len(map_.steps) >= LARGE_MAP_STEPS for map_ in document.project.maps)
        if self.frozen or large:
            self.frozen = True
            freeze_heap()
        if large:
            self._wait.start()

    def release(self) -> None:
        """The window closes: let the collector see every object again."""
        self._wait.stop()
        if self.frozen:
            thaw_heap()  # a worker's paused block ending later freezes nothing again
            self.frozen = False

    def _freeze_when_drawn(self) -> None:
        if self.tabs.drawing():
            return
        self._wait.stop()
        self.frozen = True
        freeze_heap()  # a new canvas, a file read and what a big command leaves join it
