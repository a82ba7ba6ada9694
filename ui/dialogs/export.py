"""File > Export…: choose a format, the maps and (for PNG) the width, then export with progress.

PowerPoint goes through vsm.export.deck (editable shapes), PNG, SVG and PDF through ui.render.images
(the canvas as drawn, light theme). A progress dialog follows long exports and its Cancel button
stops them before anything is written; every file is written atomically, so a failure leaves what
was there before, and the error names the file (ui.window.exports runs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.document.document import Document
from ui.render.images import DEFAULT_WIDTH, MAX_SIDE
from vsm.model import Project

# key, label, suffix, file dialog filter
FORMATS: list[tuple[str, str, str, str]] = [
    ("pptx", "PowerPoint slides (editable shapes)", ".pptx", "PowerPoint (*.pptx)"),
    ("png", "PNG image", ".png", "PNG image (*.png)"),
    ("svg", "SVG vector image", ".svg", "SVG image (*.svg)"),
    ("pdf", "PDF document (a page per map)", ".pdf", "PDF document (*.pdf)"),
]
SUFFIXES = {suffix for _, _, suffix, _ in FORMATS}


@dataclass(frozen=True)
class ExportOptions:
    """What the dialog asks for: format key, maps (ids, project order), PNG width, target file."""

    format: str
    map_ids: list[str]
    width: int
    path: Path


class ExportDialog(QDialog):
    """Format, maps to include (all checked at first), PNG width and the file to write."""

    def __init__(self, project: Project, path: Path, format_: str = "pptx",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.format_box = QComboBox()
        for key, label, suffix, _ in FORMATS:
            self.format_box.addItem(f"{label} ({suffix})", key)
        self.maps = QListWidget()
        for map_ in project.maps:
            kind = "current state" if map_.kind == "current" else "future state"
            item = QListWidgetItem(map_.name if map_.name.casefold() == kind
                                   else f"{map_.name} — {kind}")
            item.setData(Qt.ItemDataRole.UserRole, map_.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.maps.addItem(item)
        self.maps.setMaximumHeight(140)
        self.width_box = QSpinBox()
        self.width_box.setRange(400, MAX_SIDE)
        self.width_box.setSingleStep(320)
        self.width_box.setValue(DEFAULT_WIDTH)
        self.width_box.setSuffix(" px")
        self.width_box.setToolTip("The width of each PNG image; 3840 px fills a 4K projector")
        self.path_edit = QLineEdit(str(path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Format:", self.format_box)
        form.addRow("&Maps:", self.maps)
        form.addRow("&Width:", self.width_box)
        save_label = QLabel("&Save to:")
        save_label.setBuddy(self.path_edit)
        form.addRow(save_label, where)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self.maps.itemChanged.connect(self._update)
        self.path_edit.textChanged.connect(self._update)
        index = self.format_box.findData(format_)
        self.format_box.setCurrentIndex(max(index, 0))
        self._on_format_changed()
        self.resize(520, self.sizeHint().height())

    # ------------------------------------------------------------ state

    @property
    def format(self) -> str:
        return str(self.format_box.currentData())

    def suffix(self) -> str:
        return next(suffix for key, _, suffix, _ in FORMATS if key == self.format)

    def chosen_map_ids(self) -> list[str]:
        items = (self.maps.item(row) for row in range(self.maps.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def options(self) -> ExportOptions:
        """The choices made, the path given the format's suffix when it has none."""
        path = Path(self.path_edit.text().strip()).expanduser()
        if path.suffix.lower() in SUFFIXES:
            path = path.with_suffix(self.suffix())
        elif path.suffix.lower() != self.suffix():
            path = path.with_name(path.name + self.suffix())
        return ExportOptions(self.format, self.chosen_map_ids(), self.width_box.value(), path)

    def _on_format_changed(self, *_args: object) -> None:
        text = self.path_edit.text().strip()
        if text and Path(text).suffix.lower() in SUFFIXES:
            self.path_edit.setText(str(Path(text).with_suffix(self.suffix())))
        self.width_box.setEnabled(self.format == "png")
        self._update()

    def _update(self, *_args: object) -> None:
        count = len(self.chosen_map_ids())
        ready = count > 0 and bool(self.path_edit.text().strip())
        self.export_button.setEnabled(ready)
        notes = {
            "pptx": "Editable shapes that follow when you move a box, with the figures, the "
                    "comparison and the improvement plan.",
            "png": "The maps as the editor draws them, in the light theme.",
            "svg": "Vector drawings that stay sharp at any size, in the light theme.",
            "pdf": "One A3 page per map, vector, in the light theme.",
        }
        note = notes[self.format]
        if count > 1 and self.format in ("png", "svg"):
            note += f" One file per map: the map's name is added to the file name ({count} files)."
        self.note.setText(note if count else "Choose at least one map.")

    def browse(self) -> None:
        """Ask where to save, with the current format's filter."""
        filter_ = next(f for key, _, _, f in FORMATS if key == self.format)
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), filter_)
        if path:
            self.path_edit.setText(path)


def default_export_path(document: Document, suffix: str) -> Path:
    """Beside the document's file (or the last export's folder), named after the document."""
    remembered = QSettings().value("export/folder", "")
    if document.path is not None:
        return document.path.with_suffix(suffix)
    folder = Path(str(remembered)) if remembered else Path.home()
    name = "".join(c if c.isalnum() or c in " -_" else "-" for c in document.project.name).strip()
    return folder / f"{name or 'value stream'}{suffix}"
