"""Files opened from the desktop on macOS arrive as QFileOpenEvent on the application: an untouched
new document gives way to the file, a window in use keeps its document and the file gets a window
of its own, a file already open is shown where it is, and files sent while the first window is
being built wait for it. The window icon and the desktop entry's name come with the application.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox

import ui.app
from tests.helpers.maps import two_step_map
from ui.app import FileOpenHandler
from ui.document.document import Document
from vsm.files.bundled import ICON_SIZES
from vsm.files.formats import save_project_any
from vsm.model import Project


@pytest.fixture
def handler(qapp):
    """The file-open handler on the test application, removed again at the end."""
    installed = FileOpenHandler.install(qapp)
    yield installed
    qapp.removeEventFilter(installed)
    installed.setParent(None)
    for window in ui.app.WINDOWS:
        if window.document is not None:
            window.document.undo_stack.setClean()
        window.close()
        window.deleteLater()
    ui.app.WINDOWS.clear()


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "flow.vsm"
    save_project_any(Project("Sent from the desktop", [two_step_map()]), path)
    return path


def send_file_open(path: Path) -> bool:
    """Send the event the desktop sends; whether the application took it."""
    return QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(path)))


def test_an_untouched_new_document_gives_way_to_the_file(handler, window, saved):
    assert send_file_open(saved)
    assert window.document.path == saved
    assert window.document.project.name == "Sent from the desktop"
    assert ui.app.WINDOWS == [] and handler.waiting == []


def test_a_window_in_use_keeps_its_document_and_the_file_gets_its_own(handler, window, saved):
    window.document.add_step(window.current_map().id, 100, 100)  # an edit: the document is in use
    in_use = window.document
    assert send_file_open(saved)
    assert window.document is in_use
    assert len(ui.app.WINDOWS) == 1
    opened = ui.app.WINDOWS[0]
    assert opened.isVisible() and opened.document.path == saved


def test_a_copy_of_an_example_is_not_untouched(handler, make_window, saved):
    window = make_window(Document(Project("Example", [two_step_map()])))
    assert send_file_open(saved)
    assert window.document.path is None
    assert [w.document.path for w in ui.app.WINDOWS] == [saved]


def test_a_file_already_open_is_shown_where_it_is(handler, make_window, saved):
    window = make_window(Document.open(saved))
    assert send_file_open(saved)
    assert ui.app.WINDOWS == [] and window.document.path == saved


def test_a_file_that_cannot_be_opened_is_reported_and_leaves_no_window(handler, window,
                                                                       tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "not a map.vsm"
    bad.write_bytes(b"this is no SQLite file")
    window.document.add_step(window.current_map().id, 100, 100)
    assert send_file_open(bad)
    assert len(shown) == 1 and "not a map.vsm" in shown[0]
    assert ui.app.WINDOWS == []
    assert [w for w in QApplication.topLevelWidgets()
            if isinstance(w, ui.app.MainWindow) and w.isVisible()] == [window]


def test_files_sent_before_the_first_window_is_built_wait_for_it(handler, qtbot, saved):
    first = ui.app.open_window(None, deferred=True)
    qtbot.addWidget(first)
    assert not first.built
    assert send_file_open(saved)
    assert handler.waiting == [saved] and ui.app.WINDOWS == []  # kept, not lost nor opened yet
    qtbot.waitUntil(lambda: first.built)
    assert handler.waiting == []
    assert first.document.path == saved  # the new document was untouched: the file took its place
    first.document.close()


def test_other_events_pass_through(handler, window):
    from PySide6.QtCore import QEvent

    assert not handler.eventFilter(window, QEvent(QEvent.Type.WindowActivate))


def test_the_application_carries_the_icon_and_the_desktop_entry_name(qapp, monkeypatch):
    names = (qapp.organizationName(), qapp.applicationName(), qapp.applicationDisplayName())
    icon, desktop_name = qapp.windowIcon(), qapp.desktopFileName()
    monkeypatch.setattr(ui.app.sys, "platform", "linux")
    try:
        assert ui.app.create_application() is qapp
        sizes = {size.width() for size in qapp.windowIcon().availableSizes()}
        assert sizes == set(ICON_SIZES)
        assert qapp.desktopFileName() == "vsm-studio"
        # Files come as arguments on Linux: no filter on every event of the application.
        assert FileOpenHandler.of(qapp) is None
        monkeypatch.setattr(ui.app.sys, "platform", "darwin")
        assert ui.app.create_application() is qapp
        assert FileOpenHandler.of(qapp) is not None
        assert FileOpenHandler.install(qapp) is FileOpenHandler.of(qapp)  # one handler only
    finally:
        handler = FileOpenHandler.of(qapp)
        if handler is not None:
            qapp.removeEventFilter(handler)
            handler.setParent(None)
        qapp.setOrganizationName(names[0])
        qapp.setApplicationName(names[1])
        qapp.setApplicationDisplayName(names[2])
        qapp.setWindowIcon(icon)
        qapp.setDesktopFileName(desktop_name)


def test_the_application_lets_the_gui_thread_take_the_interpreter_back_quickly(qapp):
    # Workers computing on a large map must not hold the GUI thread's Python calls for 5 ms
    # each (ui.app.create_application's docstring).
    import sys

    usual = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)  # Python's default
        ui.app.create_application()
        assert sys.getswitchinterval() == pytest.approx(ui.app.GIL_SWITCH_SECONDS)
        assert ui.app.GIL_SWITCH_SECONDS <= 0.001
    finally:
        sys.setswitchinterval(usual)
        handler = FileOpenHandler.of(qapp)
        if handler is not None:
            qapp.removeEventFilter(handler)
            handler.setParent(None)
