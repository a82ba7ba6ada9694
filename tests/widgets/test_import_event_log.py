"""File > Import Event Log…: the column-mapping dialog over a preview, mining with progress and
Cancel, the result as a new document, errors in one dialog naming the file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog, QPushButton

from ui.dialogs import event_log
from ui.dialogs.event_log import NONE, EventLogDialog, preview_rows
from vsm.mining import mine

LOGS = Path(__file__).parent.parent / "pure" / "mining_logs"
INCIDENTS = LOGS / "servicenow_incident.csv"


def _dialog(qtbot, path: Path) -> EventLogDialog:
    dialog = EventLogDialog(path, preview_rows(path))
    qtbot.addWidget(dialog)
    return dialog


def _choose(monkeypatch, path: Path, answer=None) -> list[str]:
    """The file dialog picks `path`; the event-log dialog is set by `answer(dialog)` and OK'd
    (Cancelled when answer is False). Returns the texts of the information boxes shown."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))

    def exec_(dialog: EventLogDialog) -> int:
        if answer is False:
            return QDialog.DialogCode.Rejected
        if answer is not None:
            answer(dialog)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(EventLogDialog, "exec", exec_)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    return shown


def test_the_menu_item_follows_import_spreadsheet(window):
    actions = window.menuBar().actions()[0].menu().actions()
    texts = [action.text() for action in actions]
    assert texts.index("Import Event &Log…") == texts.index("&Import Spreadsheet…") + 1


def test_the_dialog_recognises_a_servicenow_export_and_previews_its_first_rows(qtbot):
    dialog = _dialog(qtbot, INCIDENTS)
    assert [dialog.combos[role].currentText() for role in event_log.ROLES] == [
        "number", "incident_state", "sys_updated_at", "assignment_group"]
    assert "ServiceNow incident export" in dialog.recognised.text()
    table = dialog.findChild(event_log.QTableWidget)
    assert table.horizontalHeaderItem(0).text() == "number"
    assert table.item(0, 1).text() == "New"
    assert 0 < table.rowCount() <= event_log.PREVIEW_ROWS
    assert "New" in dialog.seen.text() and "Resolved" in dialog.seen.text()
    options = dialog.options()
    assert (options.case, options.activity, options.time, options.group) == (
        "number", "incident_state", "sys_updated_at", "assignment_group")
    assert options.steps == "activity" and options.statistic == "median"
    assert options.end == () and options.time_format is None and options.name is None
    assert dialog.combos["group"].itemText(0) == NONE


def test_a_change_log_takes_its_activity_and_group_from_its_rows(qtbot):
    dialog = _dialog(qtbot, LOGS / "servicenow_audit.csv")
    assert "'state' rows of 'fieldname'" in dialog.combos["activity"].currentText()
    options = dialog.options()
    assert (options.case, options.activity, options.time, options.group) == (
        "documentkey", None, "sys_created_on", None)
    assert "In Progress" in dialog.seen.text() and "priority" not in dialog.seen.text()


def test_changing_the_columns_and_options_changes_what_is_mined(qtbot):
    dialog = _dialog(qtbot, INCIDENTS)
    time = dialog.combos["time"]
    time.setCurrentIndex(time.findData("sys_created_at"))
    group = dialog.combos["group"]
    group.setCurrentIndex(group.findText(NONE))
    activity = dialog.combos["activity"]
    activity.setCurrentIndex(activity.findData("category"))
    assert "Category 55" in dialog.seen.text()
    dialog.by_group.setChecked(True)
    dialog.end.setText(" Resolved, Closed ,")
    dialog.statistic.setCurrentIndex(dialog.statistic.findData("mean"))
    dialog.time_format.setText("%d/%m/%Y %H:%M")
    dialog.name.setText("Incidents by team")
    options = dialog.options()
    assert (options.activity, options.time, options.group) == ("category", "sys_created_at", "")
    assert options.steps == "group" and options.end == ("Resolved", "Closed")
    assert options.statistic == "mean" and options.time_format == "%d/%m/%Y %H:%M"
    assert options.name == "Incidents by team"


def test_ok_opens_the_mined_map_as_a_new_untitled_document(window, monkeypatch):
    before = window.document

    def answer(dialog: EventLogDialog) -> None:
        dialog.end.setText("Resolved")
        dialog.name.setText("Incidents")
    shown = _choose(monkeypatch, INCIDENTS, answer)
    assert window.files.import_event_log_dialog()
    document = window.document
    assert document is not before and document.path is None
    map_ = document.project.maps[0]
    assert map_.name == "Incidents"
    assert sorted(step.name for step in map_.steps) == [
        "-100", "Active", "Awaiting User Info", "New", "Resolved"]
    assert "Measured lead time P50" in map_.description
    message = window.statusBar().currentMessage()
    assert "servicenow_incident.csv" in message and "measured lead time P50" in message
    assert len(shown) <= 1


def test_notes_are_shown_once_the_map_is_open(window, monkeypatch):
    shown = _choose(monkeypatch, LOGS / "servicenow_audit.csv")
    assert window.files.import_event_log_dialog()
    assert len(shown) == 1
    assert "1 row changes another field" in shown[0]
    assert {step.name for step in window.document.project.maps[0].steps} >= {
        "New", "In Progress", "Resolved"}


def test_a_log_that_cannot_be_mined_shows_one_error_and_keeps_the_document(
        window, monkeypatch, tmp_path):
    before, project = window.document, window.document.project
    bad = tmp_path / "bad.csv"
    bad.write_text("Ticket,Status,When\nT1,New,yesterday\nT1,Done,today\n", encoding="utf-8")
    _choose(monkeypatch, bad)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: errors.append(text))
    assert not window.files.import_event_log_dialog()
    assert window.document is before and window.document.project is project
    assert len(errors) == 1 and "bad.csv" in errors[0]


def test_a_file_that_cannot_be_read_shows_one_error_before_any_dialog(
        window, monkeypatch, tmp_path):
    before = window.document
    _choose(monkeypatch, tmp_path / "gone.csv", answer=lambda dialog: 1 / 0)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: errors.append(text))
    assert not window.files.import_event_log_dialog()
    assert window.document is before
    assert len(errors) == 1 and "gone.csv" in errors[0]


def test_cancelling_the_dialog_mines_nothing(window, monkeypatch):
    before = window.document
    _choose(monkeypatch, INCIDENTS, answer=False)
    monkeypatch.setattr(mine, "mine_log", lambda *a, **k: 1 / 0)
    assert not window.files.import_event_log_dialog()
    assert window.document is before


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancel_during_mining_keeps_the_document_and_drops_the_result(
        window, monkeypatch, qtbot, how):
    before = window.document
    started, release = threading.Event(), threading.Event()
    real = mine.mine_log

    def slow(path, options, progress=None):
        started.set()
        release.wait(10)
        return real(path, options, progress)
    monkeypatch.setattr(mine, "mine_log", slow)
    _choose(monkeypatch, INCIDENTS)

    def cancel() -> None:
        if not started.is_set():
            QTimer.singleShot(10, cancel)
            return
        dialogs = window.findChildren(QProgressDialog)
        assert len(dialogs) == 1
        if how == "button":
            dialogs[0].findChild(QPushButton).click()
        else:
            QTest.keyClick(dialogs[0], Qt.Key.Key_Escape)
    QTimer.singleShot(10, cancel)
    assert not window.files.import_event_log_dialog()
    assert window.document is before
    assert "cancelled" in window.statusBar().currentMessage()
    assert event_log._ABANDONED  # still mining, its result to be dropped
    release.set()
    qtbot.waitUntil(lambda: not event_log._ABANDONED, timeout=10_000)
    assert window.document is before
