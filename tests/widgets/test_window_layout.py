"""The window in the workshop room: sized to the screen, and the canvas never squeezed by the
docks, whatever was saved (ui.window.layout)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication

from ui.window.layout import GEOMETRY_KEY, LEAST_CANVAS_SHARE
from ui.window.main_window import MainWindow


def launch(qtbot) -> MainWindow:
    """Start-up as ui.app does it: the empty frame shown first, filled on a later turn."""
    window = MainWindow(deferred=True)
    window.show()
    qtbot.waitExposed(window)
    window.build()
    qtbot.wait(50)  # the saved layout is restored and checked on the next turns of the loop
    return window


def quit_(window: MainWindow) -> None:
    window.document.undo_stack.setClean()
    window.close()  # saves geometry and dock layout, as a person quitting does
    window.deleteLater()


def canvas_share(window: MainWindow) -> tuple[float, float]:
    central = window.centralWidget()
    return central.width() / window.width(), central.height() / window.height()


def test_the_second_launch_keeps_the_canvas_at_least_half_the_window(qtbot):
    # With fresh settings: launch, quit, launch. The dock layout saved by the first launch used
    # to be restored while the window was being filled, leaving the canvas ~150 px wide.
    for _ in range(3):
        window = launch(qtbot)
        width, height = canvas_share(window)
        assert width >= LEAST_CANVAS_SHARE and height >= LEAST_CANVAS_SHARE, (width, height)
        quit_(window)


def test_a_layout_that_squeezes_the_canvas_is_put_back(qtbot):
    window = launch(qtbot)
    window.resizeDocks([window.metrics_dock], [window.width() - 120], Qt.Orientation.Horizontal)
    qtbot.wait(20)
    assert canvas_share(window)[0] < LEAST_CANVAS_SHARE  # the docks took the window
    quit_(window)  # and that is what was saved
    window = launch(qtbot)
    qtbot.waitUntil(lambda: canvas_share(window)[0] >= LEAST_CANVAS_SHARE, timeout=2000)
    quit_(window)


def test_view_reset_layout_gives_the_canvas_back(qtbot):
    window = launch(qtbot)
    window.resizeDocks([window.metrics_dock], [window.width() - 120], Qt.Orientation.Horizontal)
    window.steps_dock.setFloating(True)
    qtbot.wait(20)
    assert canvas_share(window)[0] < LEAST_CANVAS_SHARE
    window.menu_actions.reset_layout.trigger()
    qtbot.wait(20)
    assert canvas_share(window)[0] >= LEAST_CANVAS_SHARE
    assert not window.steps_dock.isFloating()
    quit_(window)


def test_the_window_opens_on_the_screens_available_area(qtbot):
    window = launch(qtbot)
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.contains(window.frameGeometry())  # title bar and borders included
    assert window.width() >= 0.9 * area.width() and window.height() >= 0.9 * area.height()
    quit_(window)


def test_a_saved_size_larger_than_the_screen_is_brought_inside_it(qtbot):
    area = QGuiApplication.primaryScreen().availableGeometry()
    big = MainWindow(deferred=True)
    big.setGeometry(QRect(area.left(), area.top(), area.width() + 600, area.height() + 400))
    QSettings().setValue(GEOMETRY_KEY, big.saveGeometry())  # e.g. saved on a larger projector
    big.deleteLater()
    assert isinstance(QSettings().value(GEOMETRY_KEY), QByteArray)
    window = launch(qtbot)
    assert area.contains(window.frameGeometry())
    quit_(window)

