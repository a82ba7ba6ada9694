"""Entry point of the editor: `vsm edit [FILE]` and the `vsm-editor` GUI script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from ui.clipboard import release_clipboard
from ui.document import Document
from ui.files import remember_file
from ui.mainwindow import APP_NAME, MainWindow
from vsm.errors import VsmError
from vsm.model import ModelError


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

    A file that cannot be opened is reported in a dialog naming it; the window then starts empty.
    """
    document = None
    error_text = None
    if path is not None:
        try:
            document = Document.open(path)
        except (VsmError, ModelError, OSError) as error:
            error_text = str(error)
    window = MainWindow(document)
    if document is not None and path is not None:
        remember_file(path)
    window.show()
    if error_text:
        QMessageBox.critical(window, "Cannot open file", f"Cannot open {path.name}:\n\n{error_text}")
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
