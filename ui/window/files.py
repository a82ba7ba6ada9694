"""File handling for the main window: new (blank, from a template, from an imported step
table), open, save, save as, recent files, and the prompt before a modified document is closed
or replaced. Errors are shown in a dialog naming the file; a file
open elsewhere can be opened read-only; a .vsm file whose content does not match its checksum
can be opened anyway; a failed save leaves the document open and modified."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ui.dialogs.damaged import ask_open_anyway
from ui.dialogs.locked import LockedChoice, ask_locked
from ui.document.document import Document
from ui.document.reading import FileRead, read_in_background
from ui.window.opening import OpeningFile
from vsm.errors import FileFormatError, VsmError
from vsm.files.atomic import same_file
from vsm.files.bundled import new_from_template
from vsm.files.formats import load_project
from vsm.files.locks import Lock, LockedError, acquire, take_over
from vsm.model import ModelError, Project
from vsm.model.durations import format_duration

if TYPE_CHECKING:
    from ui.window.shell import Shell
    from vsm.mining.mine import MiningOptions

RECENT_KEY = "recent_files"
MAX_RECENT = 10
OPEN_FILTER = "Value streams (*.vsm *.json);;VSM Studio files (*.vsm);;vsm-json (*.json);;All files (*)"
SAVE_FILTER = "VSM Studio files (*.vsm)"
IMPORT_FILTER = "Step tables (*.csv *.xlsx);;CSV (*.csv);;Excel workbooks (*.xlsx);;All files (*)"
EVENT_LOG_FILTER = ("Event logs (*.csv *.xlsx);;CSV (*.csv);;Excel workbooks (*.xlsx);;"
                    "All files (*)")


def _stored_recent(settings: QSettings) -> list[str]:
    value = settings.value(RECENT_KEY, [])
    return [value] if isinstance(value, str) else list(value or [])


def recent_files() -> list[str]:
    """Recently opened or saved files, newest first, only those that still exist."""
    return [p for p in _stored_recent(QSettings()) if Path(p).exists()]


def remember_file(path: Path, settings: QSettings | None = None) -> None:
    """Put a file at the top of the recent list (in `settings`, written when that object goes;
    nothing is written if the list stays as it is: a write syncs the file to disk twice)."""
    settings = settings if settings is not None else QSettings()
    path_text = str(path.resolve())
    stored = _stored_recent(settings)
    recent = [path_text, *[p for p in stored if p != path_text and Path(p).exists()]]
    if recent[:MAX_RECENT] != stored:
        settings.setValue(RECENT_KEY, recent[:MAX_RECENT])


class FileController(QObject):
    """The File menu's behaviour for one main window."""

    recent_changed = Signal()
    opened = Signal(str)  # the path of a file just opened and shown

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.window())
        self.shell = shell
        self.reading: OpeningFile | None = None  # a large file being read on a worker

    def _folder(self) -> str:
        document = self.shell.document
        if document is not None and document.path:
            return str(document.path.parent)
        return str(QSettings().value("last_folder", str(Path.home())))

    def open_dialog(self) -> None:
        """Ask for a file and open it."""
        path, _ = QFileDialog.getOpenFileName(self.shell.window(), "Open value stream", self._folder(),
                                              OPEN_FILTER)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        """Open a file in this window after offering to save the current document.

        A file open elsewhere (locked) is offered read-only, or, when another computer's lock
        holds it, to open anyway (taking the lock over); a file whose content does not match
        its checksum can be opened anyway; a bad file is reported in a dialog naming it, and the
        current document stays.

        A large file (ui.document.reading) is read and analysed on a worker while the window
        shows it is opening (ui.window.opening: Cancel keeps the current document); True then
        says the opening is under way, and `opened` or the error dialog follows.
        """
        if not self.maybe_save():
            return False
        if self.reading is not None:
            self.reading.cancel()  # the newer choice wins
        current = self.shell.document
        reuse = (current is not None and current.lock is not None and current.path is not None
                 and same_file(path, current.path))  # reopening: hand our own lock over
        if read_in_background(path):
            return self._open_in_background(path, current.lock if reuse and current else None)
        try:
            try:
                document = self._open(path, lock=current.lock if reuse else None)
            except LockedError as error:
                choice = ask_locked(self.shell.window(), error)
                if choice is LockedChoice.CANCEL:
                    return False
                if choice is LockedChoice.ANYWAY and error.owner is not None:
                    document = self._open(path, lock=take_over(path, error.owner))
                else:
                    document = self._open(path, read_only=True)
        except (VsmError, ModelError, OSError) as error:
            self._cannot_open(path, error)
            return False
        if document is None:
            return False
        if reuse:
            current.lock = None
        self._show_opened(document, path)
        return True

    def _show_opened(self, document: Document, path: Path) -> None:
        """Show a document just opened from `path`: the window, the recent files, the status."""
        self.shell.set_document(document)
        self._remembered(path)
        note = " (read-only)" if document.read_only else ""
        self.shell.show_status(f"Opened {path}{note}", 5000)
        self.opened.emit(str(path))

    def _cannot_open(self, path: Path, error: Exception) -> None:
        QMessageBox.critical(self.shell.window(), "Cannot open file",
                             f"Cannot open {path.name}:\n\n{_reason(error, path)}")

    def _open_in_background(self, path: Path, own_lock: Lock | None) -> bool:
        """Lock the file here (asking about a lock held elsewhere, as `open_path` does), then
        read it on a worker (OpeningFile); False: not opened (cancelled, or an error shown)."""
        try:
            if own_lock is not None:
                lock, read_only = own_lock, False
            else:
                try:
                    lock, read_only = acquire(path), False
                except LockedError as error:
                    choice = ask_locked(self.shell.window(), error)
                    if choice is LockedChoice.CANCEL:
                        return False
                    if choice is LockedChoice.ANYWAY and error.owner is not None:
                        lock, read_only = take_over(path, error.owner), False
                    else:
                        lock, read_only = None, True
        except (VsmError, ModelError, OSError) as error:
            self._cannot_open(path, error)
            return False
        self.reading = OpeningFile(self.shell, path, lock, read_only, own=lock is own_lock,
                                   done=self._read_in_background)
        return True

    def _read_in_background(self, opening: OpeningFile, outcome: object) -> None:
        """The worker's outcome for `opening`: show the document, or say why it cannot open."""
        if self.reading is opening:
            self.reading = None
        path = opening.path
        if isinstance(outcome, (VsmError, ModelError, OSError)):
            opening.release()
            self._cannot_open(path, outcome)
            return
        if isinstance(outcome, BaseException):
            opening.release()
            raise outcome  # a bug: reported as any other
        assert isinstance(outcome, FileRead)
        if outcome.changed is not None and not ask_open_anyway(self.shell.window(),
                                                               outcome.changed):
            opening.release()
            return
        current = self.shell.document
        if current is not None and opening.lock is not None and current.lock is opening.lock:
            current.lock = None  # reopening: the new document holds our lock now
        self._show_opened(Document.from_read(outcome, opening.lock, opening.read_only), path)

    def _open(self, path: Path, read_only: bool = False, lock: Lock | None = None) -> Document | None:
        """Document.open; a .vsm file whose content does not match its checksum (damaged, or
        changed by another program) asks whether to open it anyway. None: not opened."""
        try:
            return Document.open(path, read_only=read_only, lock=lock)
        except FileFormatError as error:
            from vsm.files.vsm_file import ContentChanged  # loaded already: the error came from it

            if not isinstance(error, ContentChanged):
                raise
            if not ask_open_anyway(self.shell.window(), error):
                return None
            project = error.project
        document = Document(project, path)  # what was read; saving writes a fresh checksum
        document.read_only = read_only
        if not read_only:
            document.lock = lock if lock is not None else acquire(path)
        return document

    def new_document(self, template: Path | None = None) -> bool:
        """Start a blank document, or an untitled copy of a bundled example."""
        if not self.maybe_save():
            return False
        if template is None:
            document = Document()
        else:
            try:
                document = Document(load_project(template))
            except (VsmError, ModelError, OSError) as error:
                QMessageBox.critical(self.shell.window(), "Cannot open example",
                                     f"Cannot open {template.name}:\n\n{_reason(error, template)}")
                return False
        self.shell.set_document(document)
        return True

    def new_from_project(self, project: Project, message: str = "") -> bool:
        """Show `project` as a new untitled document, after offering to save the current one."""
        if not self.maybe_save():
            return False
        self.shell.set_document(Document(project))
        if message:
            self.shell.show_status(message, 8000)
        return True

    def template_dialog(self) -> bool:
        """File > New from Template…: choose a template; OK starts an untitled copy of it."""
        from ui.dialogs.templates import TemplateDialog

        dialog = TemplateDialog(self.shell.window())
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.selected_id() is None:
                return False
            template_id = dialog.selected_id()
            title = dialog.templates[template_id].title
        finally:
            dialog.deleteLater()
        return self.new_from_template(template_id, title)

    def new_from_template(self, template_id: str, title: str = "") -> bool:
        """An untitled document made from the template with this id."""
        try:
            project = new_from_template(template_id)
        except (VsmError, ModelError, OSError) as error:
            QMessageBox.critical(self.shell.window(), "Cannot open template",
                                 f"Cannot open the template {title or template_id!r}:\n\n{error}")
            return False
        return self.new_from_project(project, f"New document from the template {title or template_id!r}")

    def import_dialog(self) -> bool:
        """File > Import Spreadsheet…: ask for a step table and import it."""
        path, _ = QFileDialog.getOpenFileName(self.shell.window(), "Import step table", self._folder(),
                                              IMPORT_FILTER)
        return self.import_spreadsheet(Path(path)) if path else False

    def import_spreadsheet(self, path: Path) -> bool:
        """A new untitled document holding the map of a CSV or XLSX step table.

        On failure a dialog names the file and lists the problems (the first PROBLEMS_SHOWN and
        how many more); the current document stays as it is.
        """
        from vsm.files.step_tables import PROBLEMS_SHOWN, SheetError, project_from_table  # openpyxl

        try:
            project, notes = project_from_table(path)
        except SheetError as error:
            shown = error.problems[:PROBLEMS_SHOWN]
            more = len(error.problems) - len(shown)
            listing = "\n".join(f"• {problem}" for problem in shown)
            if more:
                listing += f"\n… and {more} more"
            count = f"{len(error.problems)} problem{'s' if len(error.problems) != 1 else ''}"
            QMessageBox.critical(self.shell.window(), "Cannot import step table",
                                 f"Cannot import {path.name}: {count}.\n\n{listing}")
            return False
        except (VsmError, ModelError, OSError) as error:
            QMessageBox.critical(self.shell.window(), "Cannot import step table",
                                 f"Cannot import {path.name}:\n\n{_reason(error, path)}")
            return False
        steps = len(project.maps[0].steps) if project.maps else 0
        message = f"Imported {steps} step{'s' if steps != 1 else ''} from {path.name}" + (
            " — " + "; ".join(notes) if notes else "")
        if not self.new_from_project(project, message):
            return False
        QSettings().setValue("last_folder", str(path.resolve().parent))
        return True

    def import_event_log_dialog(self) -> bool:
        """File > Import Event Log…: ask for a ticket history, then for the columns and options
        (over a preview of its first rows), and mine it into a new untitled document."""
        path, _ = QFileDialog.getOpenFileName(self.shell.window(), "Import event log",
                                              self._folder(), EVENT_LOG_FILTER)
        if not path:
            return False
        from ui.dialogs.event_log import EventLogDialog, preview_rows

        log = Path(path)
        try:
            rows = preview_rows(log)
        except (VsmError, OSError) as error:
            self._cannot_mine(log, error)
            return False
        dialog = EventLogDialog(log, rows, self.shell.window())
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            options = dialog.options()
        finally:
            dialog.deleteLater()
        return self.import_event_log(log, options)

    def import_event_log(self, path: Path, options: MiningOptions) -> bool:
        """Mine the log at `path` off the GUI thread (progress, Cancel) into a new untitled
        document, its notes and measured lead time shown; on failure one dialog names the file
        and the current document stays as it is."""
        from ui.dialogs.event_log import mine_with_progress

        try:
            mined = mine_with_progress(self.shell.window(), path, options)
        except (VsmError, ModelError, OSError) as error:
            self._cannot_mine(path, error)
            return False
        if mined is None:
            self.shell.show_status(f"Import of {path.name} cancelled", 5000)
            return False
        summary = mined.summary
        lead = ", ".join(f"P{p} {format_duration(summary[f'lead_time_p{p}_minutes'])}"
                         for p in (50, 85, 95) if summary[f"lead_time_p{p}_minutes"] is not None)
        steps = len(mined.project.maps[0].steps)
        message = (f"Mined {steps} steps from {path.name}: {summary['cases']:,} cases,"
                   f" {summary['events']:,} events" + (f"; measured lead time {lead}" if lead
                                                        else ""))
        if not self.new_from_project(mined.project, message):
            return False
        QSettings().setValue("last_folder", str(path.resolve().parent))
        if mined.notes:
            QMessageBox.information(self.shell.window(), "Event log imported",
                                    message + ".\n\n" + "\n".join(f"• {note}"
                                                                  for note in mined.notes))
        return True

    def _cannot_mine(self, path: Path, error: Exception) -> None:
        QMessageBox.critical(self.shell.window(), "Cannot import event log",
                             f"Cannot import {path.name}:\n\n{_reason(error, path)}")

    def save(self) -> bool:
        """Save to the document's file; a new or vsm-json document asks where (Save As)."""
        document = self.shell.document
        if (document.path is None or document.path.suffix.lower() != ".vsm"
                or document.read_only):
            return self.save_as()
        return self._write(document.path)

    def save_as(self) -> bool:
        """Ask for a .vsm file name and save there."""
        document = self.shell.document
        suggested = (document.path.with_suffix(".vsm") if document.path
                     else Path(self._folder()) / f"{document.project.name}.vsm")
        path, _ = QFileDialog.getSaveFileName(self.shell.window(), "Save value stream", str(suggested),
                                              SAVE_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != ".vsm":
            target = target.with_name(target.name + ".vsm")
        return self._write(target)

    def _write(self, path: Path) -> bool:
        try:
            self.shell.document.save(path)
        except (VsmError, ModelError, OSError) as error:
            QMessageBox.critical(self.shell.window(), "Cannot save",
                                 f"Cannot save {path.name}:\n\n{_reason(error, path)}\n\n"
                                 "Your changes are still open here; try Save As elsewhere.")
            return False
        self._remembered(path)
        self.shell.show_status(f"Saved {path}", 5000)
        return True

    def _remembered(self, path: Path) -> None:
        """The file at the top of the recent list, its folder the one to open from next: in
        one QSettings write, none if both are so already (each write syncs the settings file
        to disk twice on the GUI thread, 10-100 ms each under disk load, while opening)."""
        settings = QSettings()
        remember_file(path, settings)
        folder = str(path.resolve().parent)
        if settings.value("last_folder") != folder:
            settings.setValue("last_folder", folder)
        del settings  # written now, if anything changed
        self.recent_changed.emit()

    def maybe_save(self) -> bool:
        """Before losing changes: Save / Discard / Cancel. True when it is safe to go on."""
        document = self.shell.document
        if document is None or not document.modified:
            return True
        answer = QMessageBox.question(
            self.shell.window(), "Save changes?",
            f"{document.display_name} has changes that are not saved.\n\nSave them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard


def _reason(error: Exception, path: Path) -> str:
    """The error's own sentence without repeating the path in front of it."""
    text = getattr(error, "reason", None) or str(error)
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text
