"""Entry point of the editor: `vsm edit [FILE]` and the `vsm-editor` GUI script.

The window shows first, as an empty frame (ui.window.main_window), and is built on the next turn of the
event loop: the person starting the editor sees it at once, the map a moment later.

The application carries the icon (resources/icons, every rendered size) that windows and dialogs
show and, on Linux, the name of its desktop entry (packaging/linux/vsm-studio.desktop, or the one
`vsm desktop install` writes). Files opened from the desktop on macOS (a double-click, "Open
With", a drop on the Dock icon) arrive as QFileOpenEvent rather than as arguments: FileOpenHandler
opens them, in the frontmost window if it holds an untouched new document, else in a window of
their own; those that arrive while the first window is still being built wait for it. It is
installed on macOS only: a filter on the application sees every event of every object.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from ui.window.main_window import APP_NAME, MainWindow

WINDOWS: list[MainWindow] = []  # windows beyond the first (more recovered documents, opened files)
DESKTOP_FILE_NAME = "vsm-studio"  # packaging/linux/vsm-studio.desktop, without ".desktop"


GIL_SWITCH_SECONDS = 0.0005  # see create_application


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings and platformdirs use, the window icon, the
    desktop entry's name (Linux) and the handler of files opened from the desktop (macOS).

    It also shortens Python's thread switch interval from 5 ms to GIL_SWITCH_SECONDS: while a
    worker computes (the analysis, the simulation, the automation count of a large map), every
    Python call Qt makes on the GUI thread (a paint, an event filter, a model's data) waited up
    to the interval for the worker to let go of the interpreter, and a repaint of a thousand
    such calls froze the window: an edit of one wait on a 1,000-step map with a demand and a
    time range blocked 0.42 s, 0.06 s with 0.5 ms (issue 19)."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("VSM Studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(application_icon())
    if sys.platform.startswith("linux"):
        app.setDesktopFileName(DESKTOP_FILE_NAME)  # the window is matched to the menu entry
    if sys.platform == "darwin":  # only macOS sends files as QFileOpenEvent
        # An event filter on the application is called for every event of every object (a
        # Python call each, which waits for the interpreter while a worker computes): about a
        # tenth of the GUI thread's native time when undoing a delete of 5,000 steps (issue 19).
        FileOpenHandler.install(app)
    app.aboutToQuit.connect(_release_clipboard)  # our data left on the clipboard crashes PySide at exit
    return app


def application_icon() -> QIcon:
    """VSM Studio's icon with every rendered size, so that Qt picks the sharpest for each use
    (16 px in a title bar, 32 or 48 in a task switcher, 256 in a dock)."""
    from vsm.files.bundled import ICON_SIZES, icon_path

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_path(size)), QSize(size, size))
    return icon


def _release_clipboard() -> None:
    clipboard = sys.modules.get("ui.document.clipboard")  # nothing to release if nothing was copied
    if clipboard is not None:
        clipboard.release_clipboard()


def open_window(path: Path | None = None, *, deferred: bool = False) -> MainWindow:
    """A main window showing `path` (a .vsm or vsm-json file), or a new document.

    First, working copies left by a crash are offered for recovery (ui.dialogs.recovery); a recovered
    document opens in this window, more of them in windows of their own (kept in `WINDOWS`), and
    `path`, unless it is already open that way, in one more. A file that cannot be opened is
    reported in a dialog naming it; a file open elsewhere is offered read-only.

    With `deferred` the window is shown at once as an empty frame and all of this happens on the
    next turn of the event loop (start-up); `window.built` tells when it is done.
    """
    window = MainWindow(deferred=True)
    if path is not None:
        window.centralWidget().setText(f"Opening {path.name}…")
    window.show()
    if deferred:
        _FirstPaint(window.centralWidget(),
                    lambda: _fill(window, path) if window.isVisible() else None)
    else:
        _fill(window, path)
    return window


class _FirstPaint(QObject):
    """Calls back on the turn of the event loop after `widget` was first painted (on screen)."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self.callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.callback)
        return False


def _fill(window: MainWindow, path: Path | None) -> None:
    """Build `window` with the recovered document or `path` (see open_window)."""
    from ui.dialogs.recovery import offer_recovery
    from vsm.files.atomic import same_file

    recovered = offer_recovery(window)
    window.build(recovered[0] if recovered else None)
    windows = [MainWindow(document) for document in recovered[1:]]
    WINDOWS.extend(windows)
    for each in windows:
        each.show()
    already_open = any(document.path is not None and path is not None
                       and same_file(document.path, path) for document in recovered)
    if path is not None and not already_open:
        if recovered:
            open_in_new_window(path)
        else:
            window.files.open_path(path)
    handler = FileOpenHandler.of(QApplication.instance())
    if handler is not None:
        handler.open_waiting()  # files the desktop sent while this window was being built


def open_in_new_window(path: Path) -> MainWindow | None:
    """A new window (kept in `WINDOWS`) showing `path`; None, and no window, if the file could
    not be opened (the reason was shown in a dialog)."""
    window = MainWindow()
    window.show()
    if not window.files.open_path(path):
        window.close()
        window.deleteLater()
        return None
    WINDOWS.append(window)
    return window


def main_windows() -> list[MainWindow]:
    """The main windows on screen, the frontmost first: the active one, or the one that owns
    the active dialog."""
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    front = QApplication.activeWindow()
    while front is not None and not isinstance(front, MainWindow):
        front = front.parentWidget()
    return sorted(shown, key=lambda w: w is not front)


def is_untouched(window: MainWindow) -> bool:
    """Whether `window` holds a new document nobody has edited: no file, no edit, no step (a copy
    of an example has steps)."""
    document = window.document
    return (window.built and document is not None and document.path is None
            and document.undo_stack.count() == 0 and not document.modified
            and not any(map_.steps for map_ in document.project.maps))


def open_from_desktop(path: Path) -> MainWindow | None:
    """Show `path`, sent by the desktop: the window that has it already, else the frontmost
    window if it holds an untouched new document, else a new window. The window showing it is
    raised; None if the file could not be opened."""
    from vsm.files.atomic import same_file

    windows = main_windows()
    host = next((w for w in windows if w.document is not None and w.document.path is not None
                 and same_file(w.document.path, path)), None)
    if host is None and windows and is_untouched(windows[0]):
        host = windows[0] if windows[0].files.open_path(path) else None
    elif host is None:
        host = open_in_new_window(path)
    if host is not None:
        host.raise_()
        host.activateWindow()
    return host


class FileOpenHandler(QObject):
    """Opens the files the desktop sends as QFileOpenEvent (macOS); an event filter on the
    application. While a main window is still being built (start-up), the files wait and
    `open_waiting` opens them once it is (_fill calls it)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("file_open_handler")
        self.waiting: list[Path] = []
        app.installEventFilter(self)

    @classmethod
    def install(cls, app: QApplication) -> FileOpenHandler:
        """The application's handler, installed if it has none yet."""
        return cls.of(app) or cls(app)

    @classmethod
    def of(cls, app: QObject | None) -> FileOpenHandler | None:
        """The handler installed on `app`, if any."""
        return app.findChild(cls, "file_open_handler") if app is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        name = event.file() or event.url().toLocalFile()
        if not name:
            return False  # a URL that is no file: not ours to open
        self.waiting.append(Path(name))
        self.open_waiting()
        return True

    def open_waiting(self) -> None:
        """Open the files that arrived, unless a main window is still being built."""
        if any(not window.built for window in main_windows()):
            return  # start-up: _fill calls again when the window is built
        while self.waiting:
            open_from_desktop(self.waiting.pop(0))


def run(path: str | None = None) -> int:
    """Show the editor and run the event loop until the window closes; exit status 2, with one
    line saying why and what to install, when Qt could not open a window on this machine."""
    from ui.preflight import display_problem

    problem = display_problem()
    if problem is not None:
        print(f"vsm edit: {problem}", file=sys.stderr)
        return 2
    app = create_application()
    window = open_window(Path(path) if path else None, deferred=True)
    window.raise_()
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    """The `vsm-editor` GUI script."""
    parser = argparse.ArgumentParser(prog="vsm-editor", description="Open the value-stream editor.")
    parser.add_argument("file", nargs="?", help="a .vsm or vsm-json (.json) file to open")
    args = parser.parse_args(argv)
    return run(args.file)


if __name__ == "__main__":
    sys.exit(main())
