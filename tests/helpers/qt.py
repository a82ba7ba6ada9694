"""The Qt tiers' set-up and helpers: offscreen, settings and data in throwaway test locations,
no modal dialog left waiting, each test's Qt objects freed at its end; the main window; the undo
round trip every edit test makes.

Each Qt tier's conftest.py imports the fixtures from here (the pure tier must not import Qt).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import copy  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)  # before any QSettings exists
QCoreApplication.setOrganizationName("VSM Studio Tests")
QCoreApplication.setApplicationName("VSM Studio Tests")


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    """Each test sees empty settings and its own data directory."""
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch):
    """A modal dialog nobody answers would hang the run: make it fail the test instead.

    Tests that expect a dialog monkeypatch it themselves (their patch replaces this one).
    """
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    def refuse(name):
        def dialog(*args, **kwargs):
            raise AssertionError(f"unexpected modal dialog {name}: {args[1:3]}")
        return dialog

    for owner, names in ((QMessageBox, ("question", "critical", "warning", "information")),
                         (QFileDialog, ("getOpenFileName", "getSaveFileName")),
                         (QInputDialog, ("getText", "getItem"))):
        for name in names:
            monkeypatch.setattr(owner, name, refuse(f"{owner.__name__}.{name}"))


@pytest.fixture(autouse=True)
def _routing_not_timed(monkeypatch):
    """The live routing gives up on a map where one flow took longer than SLOW_ROUTE_SECONDS
    (0.5 s) to route: a guard for slow machines, which a loaded 2-core test runner can trip at
    random. Lifted for every test; the test of the guard sets it itself."""
    from ui.canvas import routes

    monkeypatch.setattr(routes, "SLOW_ROUTE_SECONDS", 60.0)


@pytest.fixture(autouse=True)
def _collect_qt_garbage(qapp):
    """Free each test's widgets and scenes at its end, while the application is alive.

    Python's cycle collector otherwise frees them at a random later moment, in any order, and a
    scene freed after its items' wrappers can crash the process.
    """
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    yield
    from ui.document.collector import heap_frozen, thaw_heap

    frozen = gc.get_freeze_count()
    if frozen or heap_frozen():  # a window never closed, or a block froze it after the close
        thaw_heap()  # the next tests start with the collector's heap as they expect
        pytest.fail(f"the test left {frozen} objects frozen (ui.window.heap gives them back)")
    # A document left to the collector deleted its undo stack, whose commands' Python wrappers
    # the same collection may already have freed: QUndoStack::clear() then touched freed memory
    # (a segfault in the full run, gdb: ~QUndoStack <- ~QObject <- the collector). Each live
    # document's history is dropped first, while everything it holds is intact.
    from ui.document.document import Document

    for document in Document.alive():
        document.undo_stack.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# ---------------------------------------------------------------- the main window

@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., object]]:
    """A function that opens a shown main window (on `document`, else a new one); every window
    it opened is closed, without asking about changes, at the end of the test."""
    from ui.window.main_window import MainWindow

    opened = []

    def make(document=None, width: int | None = None, height: int | None = None):
        window = MainWindow(document)
        if width is not None:
            window.resize(width, height)
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.presentation.leave()
        if window.document is not None:
            window.document.undo_stack.setClean()  # closing must not ask about changes
        window.close()
        window.deleteLater()


@pytest.fixture
def window(make_window):
    """A shown main window on a new, blank document."""
    return make_window()


# ---------------------------------------------------------------- undo round trips

def model_state(document) -> object:
    """Everything the project holds, as plain comparable values (a deep copy)."""
    return copy.deepcopy(([m.snapshot() for m in document.project.maps], document.project.name))


def round_trip(document, edit: Callable[[], object], check: Callable[[], bool]) -> None:
    """Make one edit through a document verb; `check()` must say the model is as the edit
    should leave it. Undo: exactly as before, and unmodified. Redo: exactly as after the edit,
    and `check()` holds again. The edit is one command."""
    document.undo_stack.setClean()
    count = document.undo_stack.count()
    before = model_state(document)
    edit()
    assert document.undo_stack.count() == count + 1, "the edit is one command"
    assert check(), "the edit did not do what it should"
    after = model_state(document)
    assert after != before, "the edit changed nothing"
    assert document.modified
    document.undo_stack.undo()
    assert model_state(document) == before
    assert not document.modified
    document.undo_stack.redo()
    assert model_state(document) == after
    assert check(), "redo did not do what the edit did"
