"""The main window's size and the arrangement of its docks, kept usable on every screen.

The window opens sized to the screen's available area (a projector, a laptop) unless a saved
size fits that screen; a saved size larger than the screen is brought inside it. The saved dock
arrangement is restored once the window's layout has settled (restoring it while the window is
still being filled let the docks take all but 150 px of the canvas on the second launch), and
checked: whenever the canvas would be under half the window's width or height, the default
arrangement comes back (`arrange_docks`, also View > Reset Layout).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QToolBar, QWidget

GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
SIDE_DOCK_WIDTH, BOTTOM_DOCK_HEIGHT = 380, 200  # the default arrangement, in pixels
LEAST_CANVAS_SHARE = 0.5  # of the window's width and height
SETTLE_CHECKS_MS = (0, 100, 400)  # when the restored layout is checked, after restoring it


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: a dock whose panel has grown taller than a laptop's
    side column (the metrics with what stakeholders ask) scrolls instead of pushing the docks
    under it off the window."""
    scroll = QScrollArea()
    scroll.setObjectName(f"{widget.objectName() or 'panel'}_scroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(widget)
    return scroll


def available_area(window: QMainWindow) -> QRect:
    """The available area (without task bars) of the screen the window is on."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def size_to_screen(window: QMainWindow) -> None:
    """The saved size and place if they fit the screen, else the screen's available area."""
    area = available_area(window)
    geometry = QSettings().value(GEOMETRY_KEY)
    if isinstance(geometry, QByteArray) and window.restoreGeometry(geometry):
        frame = window.geometry()
        if area.contains(frame):
            return
        window.setGeometry(frame.intersected(area) if frame.intersects(area) else area)
        if window.width() < area.width() // 2 or window.height() < area.height() // 2:
            window.setGeometry(area)
        return
    window.setGeometry(area)


def keep_frame_on_screen(window: QMainWindow) -> None:
    """Shrink and move the window so that its frame (title bar and borders, known once shown)
    lies inside the screen's available area."""
    area = available_area(window)
    frame = window.frameGeometry()
    if area.contains(frame):
        return
    extra_width = frame.width() - window.width()
    extra_height = frame.height() - window.height()
    window.resize(min(window.width(), area.width() - extra_width),
                  min(window.height(), area.height() - extra_height))
    frame = window.frameGeometry()
    x = min(max(frame.left(), area.left()), area.right() - frame.width() + 1)
    y = min(max(frame.top(), area.top()), area.bottom() - frame.height() + 1)
    window.move(x, y)


def restore_layout(window: QMainWindow, reset: Callable[[], None]) -> None:
    """Restore the saved dock arrangement once the window has settled, then check it (`reset`
    puts the default arrangement back)."""
    state = QSettings().value(STATE_KEY)

    def restore() -> None:
        if isinstance(state, QByteArray):
            window.restoreState(state)
        for delay in SETTLE_CHECKS_MS:  # the docks take their restored sizes over a few turns
            QTimer.singleShot(delay, window, lambda: keep_canvas_usable(window, reset))

    QTimer.singleShot(0, window, restore)  # (the window as context: no call once it is gone)


def canvas_squeezed(window: QMainWindow) -> bool:
    """Whether the canvas (the central widget) has under half the window's width or height."""
    central = window.centralWidget()
    if central is None or not window.isVisible():
        return False
    return (central.width() < window.width() * LEAST_CANVAS_SHARE
            or central.height() < window.height() * LEAST_CANVAS_SHARE)


def keep_canvas_usable(window: QMainWindow, reset: Callable[[], None]) -> bool:
    """Put the default arrangement back (`reset`) if the docks squeeze the canvas; return
    whether they did."""
    if not canvas_squeezed(window):
        return False
    reset()
    return True


def arrange_docks(window: QMainWindow, right: list[QDockWidget], below: list[QDockWidget],
                  top: QDockWidget) -> None:
    """The default arrangement: `right` stacked on the right, `below` tabbed at the bottom (the
    first raised), `top` hidden at the top, every toolbar shown."""
    area = Qt.DockWidgetArea
    for dock in (*right, *below, top):
        dock.setFloating(False)
    for dock in right:
        window.addDockWidget(area.RightDockWidgetArea, dock, Qt.Orientation.Vertical)
        dock.show()
    for dock in below:
        window.addDockWidget(area.BottomDockWidgetArea, dock)
        dock.show()
    for dock in below[1:]:
        window.tabifyDockWidget(below[0], dock)
    below[0].raise_()
    window.addDockWidget(area.TopDockWidgetArea, top)
    top.hide()
    for toolbar in window.findChildren(QToolBar):
        toolbar.show()

    def sizes() -> None:
        window.resizeDocks(right, [SIDE_DOCK_WIDTH] * len(right), Qt.Orientation.Horizontal)
        if len(right) > 1:  # the first two share the side column in halves (the metrics,
            half = max(1, (window.height() - BOTTOM_DOCK_HEIGHT) // 2)  # properties)
            window.resizeDocks(right[:2], [half, half], Qt.Orientation.Vertical)
        window.resizeDocks([below[0]], [BOTTOM_DOCK_HEIGHT], Qt.Orientation.Vertical)

    sizes()
    QTimer.singleShot(0, window, sizes)  # docks just added take their sizes once laid out
