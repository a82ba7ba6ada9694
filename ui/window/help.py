"""The Help menu: keyboard shortcuts, the guide (the documents bundled with VSM Studio, read
offline) and About (the version, and the libraries with their versions and licences).

The shortcuts are read from the window's menus, so the list is always the one the menus have;
the canvas gestures that no menu shows are listed after them.
"""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vsm.files.bundled import DOCS, README

GUIDE = (("Getting started", README),
         ("How the figures are computed", DOCS / "analysis.md"),
         ("The .vsm file", DOCS / "file-format.md"),
         ("Working offline and safely", DOCS / "offline-safety.md"))
CANVAS_GESTURES = (
    ("Add a step", "Double-click the empty canvas"),
    ("Connect two steps", "Drag from the handle on a step's right edge to another step; "
                          "back to an earlier step: rework"),
    ("Move steps", "Drag them, or the arrow keys (10 units; with Shift, 1)"),
    ("Select several", "Ctrl+click, or drag a rubber band on the empty canvas"),
    ("Pan", "Drag with the middle mouse button, or Space + drag"),
    ("Zoom", "Ctrl + mouse wheel"),
    ("Edit a name in place", "Double-click a step or a kaizen burst, or F2"),
    ("Cancel a gesture", "Esc"),
)
LIBRARIES = ("PySide6-Essentials", "networkx", "sqlite-utils", "python-pptx", "openpyxl",
             "platformdirs", "lxml")


def menu_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) for every menu action that has a shortcut, in menu order."""
    # Submenus are found as children, not through QAction.menu(): PySide6 hands that wrapper's
    # ownership to Python and the menu is deleted twice at exit.
    submenus = {menu.menuAction(): menu for menu in window.menuBar().findChildren(QMenu)}
    rows: list[tuple[str, str, str]] = []

    def visit(actions: list[QAction], path: str) -> None:
        for action in actions:
            if action in submenus:
                title = _plain(action.text())
                visit(submenus[action].actions(), f"{path} › {title}" if path else title)
            elif not action.isSeparator() and action.shortcuts():
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                                 for s in action.shortcuts())
                rows.append((path, _plain(action.text()), keys))

    visit(window.menuBar().actions(), "")
    return rows


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut of the menus, then the canvas gestures."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = [(f"{menu} › {name}", keys) for menu, name, keys in menu_shortcuts(window)]
        rows += [(f"Canvas › {name}", how) for name, how in CANVAS_GESTURES]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        for row, (name, keys) in enumerate(rows):
            for column, text in enumerate((name, keys)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 620)


class GuideWindow(QDialog):
    """The bundled documents, listed on the left, the chosen one on the right (offline)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("VSM Studio Guide")
        self.setModal(False)
        self.topics = QListWidget(self)
        self.topics.addItems([title for title, _ in GUIDE])
        self.topics.setFixedWidth(230)
        self.page = QTextBrowser(self)
        self.page.setOpenExternalLinks(False)
        self.topics.currentRowChanged.connect(self.show_topic)
        layout = QHBoxLayout(self)
        layout.addWidget(self.topics)
        layout.addWidget(self.page, 1)
        self.resize(1000, 720)
        self.topics.setCurrentRow(0)

    def show_topic(self, row: int) -> None:
        """Show one of the GUIDE documents (a line saying so if it is not bundled)."""
        if not 0 <= row < len(GUIDE):
            return
        title, path = GUIDE[row]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = f"# {title}\n\nThis document is not bundled with this copy of VSM Studio."
        self.page.setMarkdown(text)


def version() -> str:
    """VSM Studio's version, as installed (the source tree's when run from it)."""
    try:
        return metadata.version("vsm-studio")
    except metadata.PackageNotFoundError:
        return "development copy"


def library_rows() -> list[tuple[str, str, str]]:
    """(library, version, licence) of the libraries VSM Studio runs on, from their metadata."""
    rows = []
    for name in LIBRARIES:
        try:
            info = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        licence = (info.get("License-Expression") or "").strip()
        if not licence or len(licence) > 60:
            classifiers = [c.split("::")[-1].strip() for c in info.get_all("Classifier") or []
                           if c.startswith("License ::")]
            licence = ", ".join(classifiers) or (info.get("License") or "").strip()[:60]
        rows.append((name, info.get("Version", "?"), licence or "see the package"))
    return rows


class AboutDialog(QDialog):
    """The version of VSM Studio, Python and Qt, and the libraries with their licences."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About VSM Studio")
        lines = [f"<h2>VSM Studio {version()}</h2>",
                 "<p>Value-stream mapping for IT service managers: draw, analyse, compare and "
                 "present value streams.</p>",
                 f"<p>Python {platform.python_version()} · Qt {qVersion()} · "
                 f"PySide6 {PYSIDE_VERSION}</p>", "<table cellpadding='3'>",
                 "<tr><th align='left'>Library</th><th align='left'>Version</th>"
                 "<th align='left'>Licence</th></tr>"]
        lines += [f"<tr><td>{name}</td><td>{number}</td><td>{licence}</td></tr>"
                  for name, number, licence in library_rows()]
        lines.append("</table>")
        self.text = QTextBrowser(self)
        self.text.setHtml("".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 460)


def add_help_menu(window: QMainWindow) -> dict[str, QAction]:
    """The Help menu at the end of the window's menu bar; its actions by name."""
    menu = window.menuBar().addMenu("&Help")
    guide: list[GuideWindow] = []

    def show_guide() -> None:
        if not guide:
            guide.append(GuideWindow(window))
        guide[0].show()
        guide[0].raise_()

    actions = {
        "guide": QAction("VSM Studio &Guide", window),
        "shortcuts": QAction("&Keyboard Shortcuts", window),
        "about": QAction("&About VSM Studio", window),
    }
    actions["guide"].setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    actions["guide"].triggered.connect(show_guide)
    actions["shortcuts"].setShortcut(QKeySequence("Ctrl+/"))
    actions["shortcuts"].triggered.connect(lambda: ShortcutsDialog(window).exec())
    actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
    actions["about"].triggered.connect(lambda: AboutDialog(window).exec())
    for key in ("guide", "shortcuts", "about"):
        if key == "about":
            menu.addSeparator()
        menu.addAction(actions[key])
    return actions
