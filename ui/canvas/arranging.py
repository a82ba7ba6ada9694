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

Copying the shape again costs tens of milliseconds at 20,000 steps: while the worker lays out,
the map's events are watched, and if nothing but moves (of steps or bursts) happened and the
lanes are the same, the shape is the one laid out and the positions are applied without a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject

from ui.document.collector import collector_paused
from ui.document.handoff import Receiver
from vsm.model import StepChanged, ValueStreamMap
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
)
from vsm.model.layout import MapShape, auto_layout, map_shape

ON_WORKER = 500  # steps: a map this big is laid out on the worker
Positions = dict[str, tuple[float, float]]
Asked = tuple[MapShape, str | None, tuple[str, ...]]  # the copy, the lanes, the main line
# Events that leave what a layout reads as it was (a step's x or y aside: see `_noted`).
_SHAPE_KEPT = frozenset({BatchStarted, BatchEnded, KaizenAdded, KaizenChanged, KaizenRemoved})

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
                 apply: Callable[[Positions], Any], watched: ValueStreamMap | None = None,
                 lanes: Callable[[], str | None] | None = None) -> None:
        """`watched`, `lanes`: the map laid out and its lanes now; without them, the map's
        shape is copied again when the result comes, to compare."""
        super().__init__(parent)
        self._request, self._apply = request, apply
        self._asked: Asked | None = None  # the request the worker is laying out
        self._watched, self._lanes = watched, lanes
        self._reshaped = True  # since the copy: an edit that may change what the layout reads

    @property
    def busy(self) -> bool:
        """Whether the worker is laying the map out (its result not applied yet)."""
        return self._asked is not None

    def start(self) -> None:
        """Lay the map out on the worker (a copy of it, taken now: 48,000 small records at
        20,000 steps, the collector paused meanwhile, else they start collections over all
        that the last actions left young, 30-75 ms of the GUI thread collecting nothing)."""
        with collector_paused():
            asked = self._asked = self._request()
        if self._watched is not None:
            self._watched.unsubscribe(self._noted)
            self._watched.subscribe(self._noted, gathered=True)
            self._reshaped = False
        arrived = Receiver(self._arrived)  # never a Qt object on the worker

        def job() -> None:
            try:
                # No cycle collection while laying out (it allocates a lot, and a collection on
                # this thread holds the interpreter lock the GUI thread waits for: 60-90 ms
                # each at 20,000 steps, collecting nothing); the one due runs after, over less.
                with collector_paused(freeze=False):  # its objects die with it
                    positions: Positions | None = lay_out(asked)
            except Exception:  # noqa: BLE001 - reported on the GUI thread, where it can be
                positions = None
            arrived.send(asked, positions)

        _pool().submit(job)

    def _arrived(self, asked: Asked, positions: Positions | None) -> None:
        if asked is not self._asked:
            return  # a result this object no longer waits for
        if self._reshaped or self._lanes is None or self._lanes() != asked[1]:
            now = self._request()
            if now != asked:  # the map changed shape meanwhile: lay out the map as it is now
                self.start()
                return
        if self._watched is not None:
            self._watched.unsubscribe(self._noted)  # the move applied next is ours
        self._asked = None
        if positions is None:  # the worker failed: lay out here, raising what it raised
            positions = lay_out(asked)
        self._apply(positions)

    def _noted(self, event: object) -> None:
        """The watched map changed while the worker lays out: note whether the change may
        alter what the layout reads (anything but moves and bursts)."""
        if self._reshaped:
            return
        events = event.events if type(event) is BatchEnded else (event,)  # type: ignore[attr-defined]
        for each in events:
            kind = type(each)
            if kind is StepChanged:
                if each.field not in ("x", "y"):  # type: ignore[attr-defined]
                    self._reshaped = True
                    return
            elif kind not in _SHAPE_KEPT:
                self._reshaped = True
                return
