"""Find a step (Ctrl+F) and print with a preview (Ctrl+P) in the workshop room."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtTest import QTest

from ui.document.document import Document
from ui.window.find_and_print import matching_steps, paint_for_printer
from vsm.files.bundled import default_example
from vsm.files.formats import load_json


def example_window(make_window, qtbot):
    # a laptop's screen: the toolbar has room for the find field at its right end
    window = make_window(Document(load_json(default_example()), autosave=False), 1366, 768)
    with qtbot.waitActive(window):  # keyboard shortcuts and focus need the active window
        window.activateWindow()
    return window


def selected_names(window) -> list[str]:
    scene = window.current_view().scene()
    return [window.current_map().step(v).name for v in scene.selected_step_ids()]


def test_matching_steps_by_name_or_team_any_case_left_to_right():
    map_ = load_json(default_example()).maps[0]
    names = [map_.step(v).name for v in matching_steps(map_, "SERVICE DESK")]
    # the three steps of the team "Service desk", in their order on the canvas
    assert names == ["Log and acknowledge", "Triage and categorise", "Notify stakeholders"]
    assert [map_.step(v).name for v in matching_steps(map_, "vendor")] == [
        "Escalate to the hosting vendor"]  # its name and its team both hold "vendor": once
    assert matching_steps(map_, "  ") == []


def test_ctrl_f_then_typing_selects_and_centres_the_step(make_window, qtbot):
    window = example_window(make_window, qtbot)
    view = window.current_view()
    view.set_zoom(2.0)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    field = window.menu_actions.find_field
    assert field.hasFocus()
    QTest.keyClicks(field, "workaround")
    assert selected_names(window) == ["Record the workaround"]
    step = window.current_map().step(view.scene().selected_step_ids()[0])
    centre = view.mapToScene(view.viewport().rect().center())
    item = view.scene().item_for_step[step.id]
    assert item.sceneBoundingRect().contains(centre)  # the canvas is centred on it
    assert "match 1 of 1" in window.statusBar().currentMessage()


def test_enter_goes_to_the_next_match_and_shift_enter_back(make_window, qtbot):
    window = example_window(make_window, qtbot)
    field = window.menu_actions.find_field
    field.start()
    QTest.keyClicks(field, "service desk")
    assert selected_names(window) == ["Log and acknowledge"]
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert selected_names(window) == ["Triage and categorise"]
    QTest.keyClick(field, Qt.Key.Key_Return)
    QTest.keyClick(field, Qt.Key.Key_Return)  # past the last: back to the first
    assert selected_names(window) == ["Log and acknowledge"]
    QTest.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selected_names(window) == ["Notify stakeholders"]
    QTest.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == "" and window.current_view().hasFocus()


def test_no_match_says_so(make_window, qtbot):
    window = example_window(make_window, qtbot)
    field = window.menu_actions.find_field
    field.start()
    QTest.keyClicks(field, "nothing like it")
    assert selected_names(window) == []
    assert "No step or team holds ‘nothing like it’" in window.statusBar().currentMessage()


def pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def test_printing_the_map_and_the_report_draws_one_page_each(make_window, qtbot, tmp_path):
    window = example_window(make_window, qtbot)
    for report in (False, True):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        path = tmp_path / f"printed-{report}.pdf"
        printer.setOutputFileName(str(path))
        paint_for_printer(printer, window.document, window.current_map().id, report)
        assert pdf_pages(path) == 1
        assert path.stat().st_size > 20_000  # a map drawn, not an empty page


def test_ctrl_p_opens_the_preview_which_draws_the_map(make_window, qtbot, monkeypatch, tmp_path):
    window = example_window(make_window, qtbot)
    drawn = []

    def exec_(dialog):  # instead of a person looking at the preview: draw into a PDF
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "preview.pdf"))
        dialog.paintRequested.emit(printer)
        drawn.append(dialog.windowTitle())
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", exec_)
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert drawn == ["Print ‘Current state’"]
    assert pdf_pages(tmp_path / "preview.pdf") == 1
