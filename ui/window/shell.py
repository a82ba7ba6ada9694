"""What the main window offers the controllers behind its menus (files, future states and
kaizens, presentation): a small interface, so that they never reach into the window itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ui.document.document import Document
    from ui.window.map_tabs import MapTabs


class Shell(Protocol):
    """The main window as its controllers see it (ui.window.main_window.MainWindow)."""

    document: Document | None  # the document shown (None only while the window starts)
    tabs: MapTabs  # the maps of the document, one canvas each

    def set_document(self, document: Document) -> None:
        """Show another document (the caller has settled the changes of the current one)."""

    def show_status(self, text: str, timeout_ms: int = 5000) -> None:
        """A message in the status bar for a while."""

    def window(self) -> QWidget:
        """The window itself: the parent of the controllers' dialogs."""
