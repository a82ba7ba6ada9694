"""The cycle collector paused around work that makes many objects and no garbage (issue 19).

Python's automatic cycle collection starts when allocations pass a threshold, on whichever
thread is allocating, and a full one walks every object made since the heap was frozen
(ui.window.heap) while holding the interpreter the GUI thread needs for every call Qt makes
into Python. Inside a command of thousands of items (the 48,000 events of a delete of 20,000
steps, 40,000 of an auto-layout, which live until the batch's end and then die), inside
Auto-Layout's worker, and while a large file is read (about 23 objects a step, none garbage),
such collections took 60-185 ms each, several per action, and freed nothing.

`collector_paused()` keeps it from running while its block runs, on any thread and nested or
overlapping across threads: it runs again once the last block ends, if it ran before the first
began (a collector someone else disabled stays disabled). With `freeze` (by default: whether the
window keeps a large document's heap frozen when the block ends, `freeze_heap`; decided then, so
a worker's block begun before the window closed freezes nothing after it gave the heap back,
`thaw_heap`), a block that ends normally has what exists then frozen too (`gc.freeze`: out of
later collections' sight, still freed by reference counting): what a big command left (its undo
record, the items put back) is not walked by the collection its allocations had made due (85 ms
of the GUI thread after the undo of a delete of 20,000 steps, a young collection over everything
the paused block made), nor by later full ones. Otherwise, or if it raises, what it made is left
to the next collection, which walks it once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = [0, False]  # blocks under way; whether the collector ran before the first began
_heap = {"frozen": False}  # the window froze a large document's heap (ui.window.heap)


def freeze_heap() -> None:
    """The window froze a large document's heap (ui.window.heap): what exists now is out of the
    collector's sight, and what paused blocks, new canvases and file reads make joins it."""
    with _lock:
        gc.freeze()
        _heap["frozen"] = True


def thaw_heap() -> None:
    """The window closes: every object is the collector's again, and a paused block that
    ends later (a worker's, begun before) freezes nothing."""
    with _lock:
        _heap["frozen"] = False
        gc.unfreeze()


def heap_frozen() -> bool:
    """Whether the window froze the heap: what a new canvas or a file read makes joins it."""
    return _heap["frozen"]


@contextmanager
def collector_paused(freeze: bool | None = None) -> Iterator[None]:
    """No automatic cycle collection while the block runs (see the module docstring)."""
    with _lock:
        if _pauses[0] == 0:
            _pauses[1] = gc.isenabled()
            gc.disable()
        _pauses[0] += 1
    done = False
    try:
        yield
        done = True
    finally:
        with _lock:
            if done and (_heap["frozen"] if freeze is None else freeze):
                gc.freeze()  # decided now: the window may have given the heap back meanwhile
            _pauses[0] -= 1
            if _pauses[0] == 0 and _pauses[1]:
                gc.enable()
