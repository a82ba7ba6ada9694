"""Pickling that lets the GUI thread run between pieces of a large object (issue 19).

The jobs of the second processes (ui.document.processes) carry a copy of a map or a project,
and an analysis comes back: 6 MB of pickle for the 20,000-step benchmark project, 2.8 MB for
its analysis. `pickle.dumps` and `pickle.loads` are each one call into C that holds the
interpreter's lock from start to end (70-95 ms to pickle that project, 115-175 ms to unpickle
it, 20-25 ms each way for the analysis, on the 2-core benchmark machine): the worker's
dispatching thread did that in the editor's process, and the GUI thread could run no Python
meanwhile (no paint, no slot), however short its own turns.

Here the same pickles (byte for byte those of `pickle.dumps(obj, protocol=PROTOCOL)`) are
written to and read from a file object whose methods are Python: from protocol 4 on, the
pickler hands its output to `write` a frame (about 64 KB) at a time, and the unpickler asks
`read` for each frame before it decodes it. Each call runs Python code, where the interpreter
can give its lock to a thread waiting for it, and sleeps a tenth of a millisecond first, so
that a waiting thread takes it at once (`_give_way`): no stretch of C holds it longer than one
frame's work, 0.3-0.8 ms to pickle one, 0.6-1.8 ms to unpickle one on that machine. What is left is the unpickler freeing its memo at the end (up to
7 ms for the 6 MB project) and the garbage collections the new objects set off, as any other
code's would. A thread that ran tiny steps while another pickled that project waited 71-105 ms
at the longest before, 8-12 ms after (the switch interval and a frame). The calls add about 100
Python calls to those 6 MB, nothing measurable. Everything else is pickle's own: shared
objects stay shared, the same errors for what cannot be pickled, any object pickle takes.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import time
from collections.abc import Callable
from typing import Any

PROTOCOL = 5  # framed, as every protocol from 4 on: the frames are the pieces
GIVE_WAY_SECONDS = 0.0001  # the sleep between two frames (see `_give_way`)
LARGE_READ = 4096  # a read this long is a frame (or a large object's bytes): give way first


def _give_way() -> None:
    """Let go of the interpreter's lock for a moment between two frames, so that a thread
    waiting for it (the GUI thread) takes it at once. Without it the lock changes hands only
    when the waiting thread has waited the switch interval, and then to any thread that waits
    for it: with two other threads pickling as well (an edit's analysis, counts and autosave
    jobs), the thread running tiny steps waited 42-382 ms at the longest while a 20,000-step
    project was pickled, 14-39 ms with this sleep (which adds about 0.1 ms a frame)."""
    time.sleep(GIVE_WAY_SECONDS)


class _Sink:
    """Where the pickler writes its frames: a Python `write`, called once a frame."""

    __slots__ = ("buffer",)

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> int:
        """Keep one frame (or one large string or bytes object, written out of frames)."""
        _give_way()
        return self.buffer.write(data)


class _Source:
    """Where the unpickler reads: the pickle's bytes, handed over by Python methods, a frame
    (or a large object's bytes) at a time."""

    __slots__ = ("_data", "_view", "_at")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._view = memoryview(data)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        """The next `size` bytes (all that is left when negative; fewer at the end)."""
        if size < 0 or size >= LARGE_READ:
            _give_way()
        start = self._at
        end = len(self._view) if size < 0 else min(len(self._view), start + size)
        self._at = end
        return self._view[start:end].tobytes()

    def readinto(self, target: Any) -> int:
        """Fill `target` (a writable buffer) with the next bytes; how many there were."""
        _give_way()  # a large object's bytes
        with memoryview(target) as into:
            count = min(into.nbytes, len(self._view) - self._at)
            into[:count] = self._view[self._at:self._at + count]
        self._at += count
        return count

    def readline(self) -> bytes:
        """The bytes up to and including the next newline (the older protocols' opcodes)."""
        start = self._at
        found = self._data.find(b"\n", start)
        self._at = len(self._view) if found < 0 else found + 1
        return self._view[start:self._at].tobytes()


def dumps(obj: object, reducers: dict[type, Callable[[Any], Any]] | None = None) -> bytes:
    """`pickle.dumps(obj, protocol=PROTOCOL)`, giving other threads the interpreter between
    frames (see the module docstring); raises as pickle does for what it cannot pickle.
    `reducers`: the pickler's own dispatch table (copyreg's for the other types)."""
    sink = _Sink()
    pickler = pickle.Pickler(sink, protocol=PROTOCOL)
    if reducers is not None:
        pickler.dispatch_table = {**copyreg.dispatch_table, **reducers}
    pickler.dump(obj)
    return sink.buffer.getvalue()


def loads(data: bytes) -> Any:
    """`pickle.loads(data)`, giving other threads the interpreter between frames (see the
    module docstring); raises as pickle does for a pickle it cannot rebuild."""
    return pickle.Unpickler(_Source(data)).load()
