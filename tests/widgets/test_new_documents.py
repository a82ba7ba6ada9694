"""New documents from a template (File > New from Template…) and from a step table (Import)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ui.dialogs.templates import TemplateDialog
from vsm.files.bundled import list_templates, new_from_template

GOOD_CSV = ("name,process_time,wait_time,pca,next\n"
            "Log,5,10,100,Triage\n"
            "Triage,10,1h,90,Fix\n"
            "Fix,30,2h,95,\n")




def _answer(monkeypatch, template_id: str | None) -> None:
    """The dialog picks `template_id` and presses OK, or Cancel when it is None."""
    def exec_(dialog: TemplateDialog) -> int:
        if template_id is None:
            return QDialog.DialogCode.Rejected
        assert dialog.select(template_id)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(TemplateDialog, "exec", exec_)


def test_the_dialog_lists_the_templates_with_a_preview(qtbot):
    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    templates = list_templates()
    assert dialog.list.count() == len(templates) >= 1
    chosen = templates[-1]
    assert dialog.select(chosen.id)
    assert dialog.selected_id() == chosen.id
    assert dialog.description.text() == (chosen.description or chosen.title)
    project = new_from_template(chosen.id)
    for map_ in project.maps:
        assert map_.name in dialog.maps.text()
    assert "→" in dialog.maps.text() and "(future)" in dialog.maps.text()
    assert not dialog.picture.pixmap().isNull()


def test_choosing_a_template_makes_an_untitled_document(window, monkeypatch):
    template = list_templates()[0]
    _answer(monkeypatch, template.id)
    assert window.menu_actions.new_template.text() == "New from &Template…"
    window.menu_actions.new_template.trigger()
    document = window.document
    assert document.path is None and not document.modified
    expected = new_from_template(template.id)
    assert [m.name for m in document.project.maps] == [m.name for m in expected.maps]
    assert window.tabs.count() == len(expected.maps)


def test_cancelling_the_template_dialog_changes_nothing(window, monkeypatch):
    before = window.document
    _answer(monkeypatch, None)
    assert not window.files.template_dialog()
    assert window.document is before


def test_a_modified_document_is_offered_for_saving_first(window, monkeypatch):
    window.add_step()
    window.current_view().scene().clearFocus()
    before = window.document
    _answer(monkeypatch, list_templates()[0].id)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    assert not window.files.template_dialog()
    assert len(asked) == 1 and window.document is before


def test_importing_a_step_table_makes_an_untitled_document(window, tmp_path, monkeypatch):
    table = tmp_path / "service desk.csv"
    table.write_text(GOOD_CSV, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(table), ""))
    window.menu_actions.import_table.trigger()
    document = window.document
    assert document.path is None
    map_ = document.project.maps[0]
    assert [s.name for s in map_.steps] == ["Log", "Triage", "Fix"]
    assert len(map_.flows) == 2
    xs = [s.x for s in map_.steps]
    assert xs == sorted(xs) and len(set(xs)) == 3  # laid out left to right
    assert window.menu_actions.import_table.shortcut().toString() == "Ctrl+I"


def test_a_bad_step_table_lists_every_problem_and_keeps_the_document(window, tmp_path,
                                                                     monkeypatch):
    rows = ["name,process_time,pca"] + [f"Step {n},5,150" for n in range(25)] + ["Fine,5,90"]
    table = tmp_path / "bad.csv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before, project = window.document, window.document.project
    shown = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(table), ""))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert not window.files.import_dialog()
    assert window.document is before and window.document.project is project
    assert len(shown) == 1
    text = shown[0]
    assert "bad.csv" in text and "25 problems" in text
    assert "row 2:" in text and "row 21:" in text and "row 22:" not in text
    assert "and 5 more" in text


def test_cancelling_the_import_file_dialog_changes_nothing(window, monkeypatch):
    before = window.document
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert not window.files.import_dialog()
    assert window.document is before
