"""File > Export…, File > Export A3 Report… and Edit > Copy as Image: the exports of the window.

The export dialog (ui.dialogs.export) asks for the format, the maps and the file; the deck comes
from vsm.export.deck, the pictures and the A3 report from ui.render. A progress dialog follows
long exports and its Cancel button stops them before anything is written; a failure is reported
in a message box naming the file, and the outcome in the status bar. The pictures are built and
drawn in slices (ui.render.painting) with the progress callback between them, so the window
keeps turning its event loop: the dialog shows how far the drawing got and Cancel answers.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QProgressDialog

from ui.dialogs.export import FORMATS, ExportDialog, ExportOptions, default_export_path
from ui.render.a3_report import default_map, export_a3
from ui.render.images import copy_map_image, export_maps
from ui.window.shell import Shell
from vsm.errors import ExportCancelled, ModelError, VsmError
from vsm.export.deck import export_pptx


def open_export_dialog(shell: Shell) -> list[Path]:
    """File > Export…: ask, then export; return the files written (none if cancelled)."""
    settings = QSettings()
    format_ = str(settings.value("export/format", "pptx"))
    suffix = next((s for key, _, s, _ in FORMATS if key == format_), ".pptx")
    dialog = ExportDialog(shell.document.project, default_export_path(shell.document, suffix),
                          format_, shell.window())
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return []
    options = dialog.options()
    settings.setValue("export/format", options.format)
    settings.setValue("export/folder", str(options.path.parent))
    return run_export(shell, options)


def run_export(shell: Shell, options: ExportOptions) -> list[Path]:
    """Export with a progress dialog whose Cancel stops before anything is written; report the
    outcome in the status bar, or an error naming the file in a message box."""
    progress_dialog = QProgressDialog("Exporting…", "Cancel", 0, 1, shell.window())
    progress_dialog.setWindowTitle("Export")
    progress_dialog.setWindowModality(Qt.WindowModality.WindowModal)
    progress_dialog.setMinimumDuration(300)
    progress_dialog.setAutoReset(False)

    def progress(done: int, total: int) -> bool:
        progress_dialog.setMaximum(max(total, 1))
        progress_dialog.setValue(min(done, total))
        QApplication.processEvents()
        return not progress_dialog.wasCanceled()

    document = shell.document
    try:
        if options.format == "pptx":
            export_pptx(document.project, options.path, options.map_ids, progress=progress)
            written = [options.path]
        else:
            scale = float(options.width) if options.format == "png" else None
            written = export_maps(document, options.path, options.map_ids, options.format,
                                  scale=scale, progress=progress,
                                  colour_mode=shell.tabs.colour_mode)
    except ExportCancelled:
        shell.show_status("Export cancelled — nothing was written.", 6000)
        return []
    except (VsmError, ModelError, OSError) as error:
        QMessageBox.critical(shell.window(), "Export failed",
                             f"Could not export to {options.path.name}.\n\n{error}")
        return []
    finally:
        progress_dialog.close()
        progress_dialog.deleteLater()
    names = ", ".join(str(path) for path in written)
    shell.show_status(f"Exported to {names}", 10000)
    return written


def copy_as_image(shell: Shell) -> None:
    """Edit > Copy as Image: the selected steps, or the whole map, as an image and as SVG."""
    view = shell.tabs.current_view()
    if view is None:
        return
    selected = copy_map_image(view.scene(), selection_only=True)
    what = "the selected steps" if selected else "the map"
    shell.show_status(f"Copied {what} as an image (PNG and SVG) — paste it into a "
                                   "slide.", 6000)


def export_a3_report(shell: Shell) -> Path | None:
    """File > Export A3 Report…: ask where, write the current map's report, say how it went."""
    map_ = shell.tabs.current_map() or default_map(shell.document.project)
    if map_ is None:
        return None
    suggested = default_export_path(shell.document, ".pdf")
    suggested = suggested.with_name(f"{suggested.stem} A3 report.pdf")
    name, _ = QFileDialog.getSaveFileName(shell.window(), "Export A3 Report", str(suggested),
                                          "PDF (*.pdf)")
    if not name:
        return None
    target = Path(name) if Path(name).suffix else Path(name).with_suffix(".pdf")
    try:
        shell.document.live.current(map_.id)  # never the figures of an earlier state
        export_a3(shell.document, target, [map_.id], colour_mode=shell.tabs.colour_mode)
    except (VsmError, ModelError, OSError) as error:
        QMessageBox.critical(shell.window(), "Export failed",
                             f"Could not export the A3 report to {target.name}.\n\n{error}")
        return None
    shell.show_status(f"Exported the A3 report to {target}", 10000)
    return target
