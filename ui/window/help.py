"""The Help menu: keyboard shortcuts, the guide (the documents bundled with VSM Studio, read
offline) and About (the icon, the versions, VSM Studio's licence, and the libraries with their
versions and licences read from their metadata at run time). About has the About role, so macOS
shows it in the application menu.

The shortcuts are read from the window's menus, so the list is always the one the menus have;
the canvas gestures that no menu shows are listed after them.
"""

from __future__ import annotations

import importlib.util
import platform
from html import escape
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vsm import __version__
from vsm.files.bundled import DOCS, ICON_SIZES, README, RESOURCES, icon_path

GUIDE = (("Getting started", README),
         ("How the figures are computed", DOCS / "analysis.md"),
         ("The .vsm file", DOCS / "file-format.md"),
         ("Mining ticket histories", DOCS / "mining.md"),
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
# The libraries About lists, by distribution name: the dependencies and what they bring along
# into an installed copy or a bundle (packaging/bundle_inputs.py reads this tuple).
LIBRARIES = ("PySide6-Essentials", "shiboken6", "networkx", "sqlite-utils", "python-pptx",
             "openpyxl", "platformdirs", "lxml", "XlsxWriter", "Pillow", "et-xmlfile", "click",
             "tabulate", "python-dateutil", "sqlite-fts4", "pluggy", "typing_extensions")
# name: (module, licence) for a library whose metadata is missing (a bundle that left it out).
LICENCES = {
    "PySide6-Essentials": ("PySide6", "LGPL-3.0-only"), "shiboken6": ("shiboken6", "LGPL-3.0-only"),
    "networkx": ("networkx", "BSD-3-Clause"), "sqlite-utils": ("sqlite_utils", "Apache-2.0"),
    "python-pptx": ("pptx", "MIT"), "openpyxl": ("openpyxl", "MIT"),
    "platformdirs": ("platformdirs", "MIT"), "lxml": ("lxml", "BSD-3-Clause"),
    "XlsxWriter": ("xlsxwriter", "BSD-2-Clause"), "Pillow": ("PIL", "MIT-CMU"),
    "et-xmlfile": ("et_xmlfile", "MIT"), "click": ("click", "BSD-3-Clause"),
    "tabulate": ("tabulate", "MIT"), "python-dateutil": ("dateutil", "BSD-3-Clause"),
    "sqlite-fts4": ("sqlite_fts4", "Apache-2.0"), "pluggy": ("pluggy", "MIT"),
    "typing_extensions": ("typing_extensions", "PSF-2.0"),
}
ICON_SIDE = 72  # pixels of the icon in About
LICENCE_FOLDERS = (Path(__file__).resolve().parents[2], RESOURCES)  # a checkout; the bundled files


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
        self.page.setSearchPaths([str(path.parent)])  # its pictures, relative to the document
        self.page.setMarkdown(text)


def project_licence(folders: tuple[Path, ...] = LICENCE_FOLDERS) -> str:
    """The line that gives VSM Studio's own licence: from its installed metadata, else the first
    line of a LICENSE file in one of `folders`; until the owners choose one, it says so (no
    licence is assumed)."""
    try:
        info = metadata.metadata("vsm-studio")
        declared = (info.get("License-Expression") or info.get("License") or "").strip()
    except metadata.PackageNotFoundError:
        declared = ""
    if declared and declared.upper() != "UNKNOWN" and "\n" not in declared:
        return f"Licence: {declared}"
    for folder in folders:
        for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING"):
            try:
                lines = (folder / name).read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            first = next((line.strip(" #") for line in lines if line.strip()), "")
            if first:
                return f"Licence: {first}"
    return "Licence: to be decided by the owners"


def library_rows() -> list[tuple[str, str, str]]:
    """(library, version, licence) of the libraries VSM Studio runs on, in LIBRARIES' order.

    The version and licence come from each library's installed metadata (its SPDX licence
    expression, else a short licence field, else its licence classifiers); a library without
    metadata (a bundle that left it out) is listed if it can be imported, with the licence of
    LICENCES; one that is not there at all is left out."""
    rows = []
    for name in LIBRARIES:
        module, known = LICENCES.get(name, ("", ""))
        try:
            info = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            if module and importlib.util.find_spec(module) is not None:
                rows.append((name, "bundled", known or "see the library"))
            continue
        rows.append((name, info.get("Version", "?"), _licence(info) or known or "see the library"))
    return rows


def _licence(info: metadata.PackageMetadata) -> str:
    expression = (info.get("License-Expression") or "").strip()
    if expression:
        return expression
    field = (info.get("License") or "").strip()
    if field and len(field) <= 60 and "\n" not in field and field.upper() != "UNKNOWN":
        return field
    classifiers = [c.split("::")[-1].strip() for c in info.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return ", ".join(classifiers)


class AboutDialog(QDialog):
    """The icon, the version of VSM Studio, Python and Qt, its licence, and the libraries it
    runs on with their versions and licences; the text can be selected and copied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About VSM Studio")
        self.icon = QLabel(self)
        self.icon.setPixmap(_icon().pixmap(QSize(ICON_SIDE, ICON_SIDE), self.devicePixelRatioF()))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        lines = [f"<h2>VSM Studio {escape(__version__)}</h2>",
                 "<p>Value-stream mapping for IT service managers: draw, analyse, compare and "
                 "present value streams.</p>",
                 f"<p>Python {platform.python_version()} · Qt {qVersion()} · "
                 f"PySide6 {PYSIDE_VERSION}</p>",
                 f"<p>{escape(project_licence())}</p>",
                 "<p><b>Libraries</b></p><table cellpadding='3'>",
                 "<tr><th align='left'>Library</th><th align='left'>Version</th>"
                 "<th align='left'>Licence</th></tr>"]
        lines += [f"<tr><td>{escape(name)}</td><td>{escape(number)}</td>"
                  f"<td>{escape(licence)}</td></tr>" for name, number, licence in library_rows()]
        lines.append("</table>")
        self.text = QTextBrowser(self)
        self.text.setHtml("".join(lines))
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()  # Enter or Esc closes; no text caret until the text is clicked
        body = QHBoxLayout()
        body.addWidget(self.icon)
        body.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.resize(700, 620)


def _icon() -> QIcon:
    """The application's icon (set by ui.app), else the bundled renderings."""
    icon = QApplication.windowIcon()
    if icon.isNull():
        for size in ICON_SIZES:
            icon.addFile(str(icon_path(size)), QSize(size, size))
    return icon


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
