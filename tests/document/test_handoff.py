"""A worker's result reaches its object on the GUI thread, and never a deleted one
(ui.document.handoff)."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QObject

from ui.document.handoff import Receiver


class Target(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[object, str]] = []

    def take(self, value: object) -> None:
        self.calls.append((value, threading.current_thread().name))


def send_from_a_worker(receiver: Receiver, value: object) -> None:
    worker = threading.Thread(target=receiver.send, args=(value,), name="worker")
    worker.start()
    worker.join()


def test_the_method_is_called_on_the_gui_thread(qtbot):
    target = Target()
    send_from_a_worker(Receiver(target.take), 42)
    assert target.calls == []  # in a coming turn of the event loop, not on the worker
    qtbot.waitUntil(lambda: target.calls == [(42, threading.main_thread().name)], timeout=3000)


class Recorder(QObject):
    def __init__(self, into: list[object]) -> None:
        super().__init__()
        self.into = into

    def take(self, value: object) -> None:
        self.into.append(value)  # would work on the Python side even with the Qt object gone


def test_a_deleted_object_hears_nothing(qtbot):
    received: list[object] = []
    recorder = Recorder(received)
    send_from_a_worker(Receiver(recorder.take), 1)
    shiboken6.delete(recorder)  # deleted before the event loop turns
    qtbot.wait(50)
    assert received == []


def test_the_worker_keeps_the_object_alive_no_longer(qtbot):
    target = Target()
    receiver = Receiver(target.take)
    del target  # the Receiver holds it weakly: collected, then the result is dropped
    send_from_a_worker(receiver, 1)
    qtbot.wait(50)  # nothing to call, no error
    assert receiver._method() is None


def test_a_send_after_the_relay_is_gone_is_dropped_without_an_error(qtbot):
    # A reading thread still running when the application ends sends to a relay Qt has
    # already deleted: "Signal source has been deleted" was raised on that thread at exit.
    import ui.document.handoff as handoff

    target = Target()
    receiver = Receiver(target.take)
    shiboken6.delete(handoff._RELAY)
    try:
        receiver.send(7)  # no RuntimeError
        qtbot.wait(50)
        assert target.calls == []
    finally:
        handoff._RELAY = None  # the next Receiver makes a new relay
