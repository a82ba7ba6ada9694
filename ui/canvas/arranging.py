"""Auto-layout of a large map on a worker thread, applied as one move if the map still has the
shape it was laid out for.

Laying out 5,000 steps takes tens of milliseconds and 20,000 most of a second: for a map of
ON_WORKER steps or more the view (ui.canvas.view.MapView.auto_layout) hands a copy of what the
layout reads (vsm.model.layout.map_shape: the steps' ids, teams and activities, the flows' ends
and kinds, in order) to a worker, says "Arranging the map…" in the status bar, and ignores
another Auto-Layout meanwhile. The worker holds no Qt object: its result comes back through a
`Receiver` (ui.document.handoff). On the GUI thread the map's shape is copied again: if it
still equals the copy laid out (and the lanes and the main line are the same), the positions
are those a layout of the map now would give, and they are applied as one undoable move — a
step dragged meanwhile is moved again, and the undo puts it back where it was dragged to. If a
step or flow came, went or changed its ends, kind, team or activity meanwhile, the map is laid
out again from a new copy, so an edit during the layout is never lost nor laid out wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject

from ui.document.handoff import Receiver
from vsm.model import ValueStreamMap
from vsm.model.layout import MapShape, auto_layout, map_shape

ON_WORKER = 500  # steps: a map this big is laid out on the worker
Positions = dict[str, tuple[float, float]]
Asked = tuple[MapShape, str | None, tuple[str, ...]]  # the copy, the lanes, the main line

_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsm-layout")
    return _POOL


def layout_request(map_: ValueStreamMap, lanes_by: str | None) -> Asked:
    """What a layout of the map reads now: a copy of its shape, its lanes, its main line (a map
    mined from a log keeps the path most cases take on one line, as mining laid it out)."""
    main_line: tuple[str, ...] = ()
    if map_.measured is not None and map_.steps:
        from vsm.mining.build import main_path  # mined maps only: not at the editor's start

        main_line = tuple(main_path(map_))
    return map_shape(map_), lanes_by, main_line


def lay_out(asked: Asked) -> Positions:
    """The positions the layout gives for a request (on any thread: it reads only the copy)."""
    shape, lanes_by, main_line = asked
    return auto_layout(shape, lanes_by=lanes_by, main_line=main_line)


class Arranging(QObject):
    """The worker layout of one view's map: `start` it; `apply(positions)` is called on the GUI
    thread with the layout of the map as it is then (see the module docstring)."""

    def __init__(self, parent: QObject, request: Callable[[], Asked],
                 apply: Callable[[Positions], Any]) -> None:
        super().__init__(parent)
        self._request, self._apply = request, apply
        self._asked: Asked | None = None  # the request the worker is laying out

    @property
    def busy(self) -> bool:
        """Whether the worker is laying the map out (its result not applied yet)."""
        return self._asked is not None

    def start(self) -> None:
        """Lay the map out on the worker (a copy of it, taken now)."""
        asked = self._asked = self._request()
        arrived = Receiver(self._arrived)  # never a Qt object on the worker

        def job() -> None:
            try:
                positions: Positions | None = lay_out(asked)
            except Exception:  # noqa: BLE001 - reported on the GUI thread, where it can be
                positions = None
            arrived.send(asked, positions)

        _pool().submit(job)

    def _arrived(self, asked: Asked, positions: Positions | None) -> None:
        if asked is not self._asked:
            return  # a result this object no longer waits for
        now = self._request()
        if now != asked:  # the map changed shape meanwhile: lay out the map as it is now
            self.start()
            return
        self._asked = None
        if positions is None:  # the worker failed: lay out here, raising what it raised
            positions = lay_out(now)
        self._apply(positions)
