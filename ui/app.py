"""Entry point of the editor: `vsm edit [FILE]` and the `vsm-editor` GUI script.

The window shows first, as an empty frame (ui.window.main_window), and is built on the next turn of the
event loop: the person starting the editor sees it at once, the map a moment later.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ui.window.main_window import APP_NAME, MainWindow

WINDOWS: list[MainWindow] = []  # windows beyond the first (more recovered documents)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings and platformdirs use."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("VSM Studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.aboutToQuit.connect(_release_clipboard)  # our data left on the clipboard crashes PySide at exit
    return app


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
        host = window
        if recovered:
            host = MainWindow()
            WINDOWS.append(host)
            host.show()
        host.files.open_path(path)


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
