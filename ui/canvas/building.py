"""Drawing a large map's canvas over several turns of the event loop (issue 19).

Building the items of a 20,000-step map takes seconds; done in one go on opening it, the
window froze. A map of SLICED_BUILD_STEPS steps or more gets a scene built without its items
(MapScene(build=False)), and a SceneBuild adds them chunk after chunk (MapScene.build_in_chunks)
for about SLICE_SECONDS per turn of the event loop (a chunk at least), so the window paints,
answers and shows "Drawing the map… N%" meanwhile. Until the scene is complete its view takes
no input (nothing can be dragged or drawn on half a map); edits from the panels are safe, since
each chunk reads the map as it is then. Once complete the view takes input.

Before its first chunk the scene takes the rect the whole map will need, so that its items are
indexed once, as they come (a rect taken at the end had Qt index every item again in the first
paint after it), and its first chunk is the steps reaching furthest: the view is fitted after
the first slice to the map as it will be, zoom and scroll bars as they stay, and the items in
sight are painted as they come, in the build's turns (fitted only at the end, the view jumped
to a part of the map never painted: the first paint after the open drew the steps in sight
for the first time, on the GUI thread while the panels' jobs pickled the map on theirs). Once
complete it is fitted again (unless the user zoomed meanwhile) only if the map does not end
where it was fitted to (edits meanwhile, bursts past the steps): a fit repaints the whole view.

While the window keeps the collector off what it showed (`freeze()` true: ui.window.heap froze
a large document, and freezes the new one once drawn), each slice's items are frozen with it as
they are made (`gc.freeze`, a constant-time move): otherwise every full collection during the
build walked all the items built so far, on the GUI thread, the last ones 100-220 ms at 20,000
steps.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator

import shiboken6
from PySide6.QtCore import QObject, QRectF, QTimer, Signal

from ui.canvas.scene import MapScene
from ui.canvas.view import MapView

SLICED_BUILD_STEPS = 500  # maps this large are drawn in slices (about 0.1 s of items at 500)
SLICE_SECONDS = 0.006  # of building per turn of the event loop (a chunk more at most: ~13 ms)
# Small, because input waits for two of them at once: the slice's timer (interval 0) runs twice
# between two runs of a timer with an interval (the benchmark's 5 ms probe saw a slice, the paint
# and the scene's work it caused, and another slice). At 12 ms a slice, the 5,000-step map's
# open blocked 42-46 ms; at 6 ms, 32-37 ms, its build 5-10% longer.


class SceneBuild(QObject):
    """Builds `view`'s incomplete scene in slices; `progress(text)` says how far it got ("" at
    the end) and `finished` is emitted once the scene is complete. While `freeze()` holds, each
    slice's items are frozen as they are made (see the module docstring)."""

    progress = Signal(str)
    finished = Signal()

    def __init__(self, view: MapView, freeze: Callable[[], bool] = lambda: False) -> None:
        super().__init__(view)
        self.view = view
        self._freeze = freeze
        self._chunks: Iterator[tuple[int, int]] = view.scene().build_in_chunks(reserve=True)
        self._said = -1
        self._started = False
        self._fitted_to: QRectF | None = None  # the map's extent the view was fitted to first
        view.setInteractive(False)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._advance)
        self._timer.start()

    @property
    def running(self) -> bool:
        """Whether items are still being added."""
        return self._timer.isActive()

    def _advance(self) -> None:
        view = self.view
        if not shiboken6.isValid(view):
            self._timer.stop()
            return
        scene: MapScene = view.scene()
        if not scene.attached:  # the map was closed or the document replaced
            self._timer.stop()
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        first = not self._started
        self._started = True
        done, total = 0, 0
        for progress in self._chunks:
            done, total = progress
            if time.perf_counter() >= deadline:
                break
        if first:  # the steps reaching furthest are built: fitted now, the view stays so
            view.fit_if_auto()
            self._fitted_to = scene.map_rect()
        if self._freeze():  # the heap is frozen: the slice's items join it
            gc.freeze()
        if not scene.complete:
            percent = int(100 * done / total) if total else 0
            if percent != self._said:
                self._said = percent
                self.progress.emit(f"Drawing the map… {percent}%")
            return
        self._timer.stop()
        view.setInteractive(True)
        if scene.map_rect() != self._fitted_to:  # edits meanwhile moved its ends (or bursts)
            view.fit_if_auto()
        self.progress.emit("")
        self.finished.emit()
