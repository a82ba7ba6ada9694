"""Entry point of the editor: `vsm edit [FILE]` and the `vsm-editor` GUI script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ui.clipboard import release_clipboard
from ui.document import same_file
from ui.mainwindow import APP_NAME, MainWindow
from ui.recovery import offer_recovery

WINDOWS: list[MainWindow] = []  # windows beyond the first (more recovered documents)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings and platformdirs use."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("VSM Studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.aboutToQuit.connect(release_clipboard)  # our data left on the clipboard crashes PySide at exit
    return app


def open_window(path: Path | None = None) -> MainWindow:
    """A main window showing `path` (a .vsm or vsm-json file), or a new document.

    First, working copies left by a crash are offered for recovery (ui.recovery); a recovered
    document opens in this window, more of them in windows of their own (kept in `WINDOWS`), and
    `path`, unless it is already open that way, in one more. A file that cannot be opened is
    reported in a dialog naming it; a file open elsewhere is offered read-only.
    """
    recovered = offer_recovery(None)
    window = MainWindow(recovered[0] if recovered else None)
    windows = [window] + [MainWindow(document) for document in recovered[1:]]
    WINDOWS.extend(windows[1:])
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
    return window


def run(path: str | None = None) -> int:
    """Show the editor and run the event loop until the window closes."""
    app = create_application()
    window = open_window(Path(path) if path else None)
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
