"""File > Export…: choose a format, the maps and (for PNG) the width, then export with progress.

PowerPoint goes through vsm.export.deck (editable shapes), PNG, SVG and PDF through ui.render.images
(the canvas as drawn, light theme). A progress dialog follows long exports and its Cancel button
stops them before anything is written; every file is written atomically, so a failure leaves what
was there before, and the error names the file. Edit > Copy as Image is here too: it puts the
selection (or the whole map) on the clipboard as an image and as SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QProgressDialog, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from ui.render.images import DEFAULT_WIDTH, MAX_SIDE, copy_map_image, export_maps
from vsm.errors import ModelError, VsmError
from vsm.export.deck import ExportCancelled, export_pptx
from vsm.model import Project

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow

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


# ---------------------------------------------------------------- running an export


def default_export_path(window: MainWindow, suffix: str) -> Path:
    """Beside the document's file (or the last export's folder), named after the document."""
    document = window.document
    remembered = QSettings().value("export/folder", "")
    if document.path is not None:
        return document.path.with_suffix(suffix)
    folder = Path(str(remembered)) if remembered else Path.home()
    name = "".join(c if c.isalnum() or c in " -_" else "-" for c in document.project.name).strip()
    return folder / f"{name or 'value stream'}{suffix}"


def open_export_dialog(window: MainWindow) -> list[Path]:
    """File > Export…: ask, then export; return the files written (none if cancelled)."""
    settings = QSettings()
    format_ = str(settings.value("export/format", "pptx"))
    suffix = next((s for key, _, s, _ in FORMATS if key == format_), ".pptx")
    dialog = ExportDialog(window.document.project, default_export_path(window, suffix), format_,
                          window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return []
    options = dialog.options()
    settings.setValue("export/format", options.format)
    settings.setValue("export/folder", str(options.path.parent))
    return run_export(window, options)


def run_export(window: MainWindow, options: ExportOptions) -> list[Path]:
    """Export with a progress dialog whose Cancel stops before anything is written; report the
    outcome in the status bar, or an error naming the file in a message box."""
    progress_dialog = QProgressDialog("Exporting…", "Cancel", 0, 1, window)
    progress_dialog.setWindowTitle("Export")
    progress_dialog.setWindowModality(Qt.WindowModality.WindowModal)
    progress_dialog.setMinimumDuration(400)
    progress_dialog.setAutoReset(False)

    def progress(done: int, total: int) -> bool:
        progress_dialog.setMaximum(max(total, 1))
        progress_dialog.setValue(min(done, total))
        QApplication.processEvents()
        return not progress_dialog.wasCanceled()

    document = window.document
    try:
        if options.format == "pptx":
            export_pptx(document.project, options.path, options.map_ids, progress=progress)
            written = [options.path]
        else:
            scale = float(options.width) if options.format == "png" else None
            written = export_maps(document, options.path, options.map_ids, options.format,
                                  scale=scale, progress=progress,
                                  colour_mode=getattr(window, "colour_mode", "activity"))
    except ExportCancelled:
        window.statusBar().showMessage("Export cancelled — nothing was written.", 6000)
        return []
    except (VsmError, ModelError, OSError) as error:
        QMessageBox.critical(window, "Export failed",
                             f"Could not export to {options.path.name}.\n\n{error}")
        return []
    finally:
        progress_dialog.close()
        progress_dialog.deleteLater()
    names = ", ".join(str(path) for path in written)
    window.statusBar().showMessage(f"Exported to {names}", 10000)
    return written


def copy_as_image(window: MainWindow) -> None:
    """Edit > Copy as Image: the selected steps, or the whole map, as an image and as SVG."""
    view = window.current_view()
    if view is None:
        return
    selected = copy_map_image(view.scene(), selection_only=True)
    what = "the selected steps" if selected else "the map"
    window.statusBar().showMessage(f"Copied {what} as an image (PNG and SVG) — paste it into a "
                                   "slide.", 6000)
