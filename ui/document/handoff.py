"""Results of worker threads handed to the GUI thread without touching a Qt object there.

A worker (the live analysis, the autosave write, the simulation, the cost and automation
counts) ends by telling an object on the GUI thread what it found. Emitting that object's own
signal from the worker raced with the GUI thread deleting the object (a panel closed, a
document replaced), and a closure holding the object's bound method or signal dropped the last
reference to a Qt wrapper on the worker thread: both can corrupt memory, which showed as
segfaults in later garbage collections. So a worker holds only a `Receiver`: a weak reference to
a method, made on the GUI thread, and `Receiver.send(*args)` emits a signal of one relay object
that lives as long as the application; on the GUI thread the method is called if its object
still exists, else the result is dropped.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal


class _Relay(QObject):
    """The one object workers emit through (created on the GUI thread, never deleted)."""

    arrived = Signal(object, object)  # the receiver's weak method, the arguments (a tuple)

    def __init__(self) -> None:
        super().__init__()
        self.arrived.connect(_call, Qt.ConnectionType.QueuedConnection)


def _call(method: weakref.WeakMethod, args: tuple) -> None:
    target = method()
    if target is None:
        return  # its object was collected
    owner = target.__self__
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return  # its Qt object was deleted
    target(*args)


_RELAY: _Relay | None = None


class Receiver:
    """A method of a GUI-thread object that a worker may call back (see the module docstring).
    Make it on the GUI thread; the worker keeps only the Receiver."""

    def __init__(self, method: Callable[..., Any]) -> None:
        global _RELAY
        if _RELAY is None or not shiboken6.isValid(_RELAY):
            _RELAY = _Relay()
        self._relay = _RELAY
        self._method = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def send(self, *args: object) -> None:
        """From any thread: call the method with `args` on the GUI thread, in a coming turn of
        its event loop, unless its object is gone by then. Once the relay is gone (the
        application ended while a worker still ran), the result is dropped."""
        if not shiboken6.isValid(self._relay):
            return
        try:
            self._relay.arrived.emit(self._method, args)
        except RuntimeError:  # deleted between the check and the emit: nobody is listening
            return
