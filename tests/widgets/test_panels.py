"""Dock panels with pytest-qt: they show the model, edit it only through commands, follow undo.

The map used throughout: A (wait 30m, process 10m) -> B (wait 60m, process 20m).
    T(B) = 60 + 20 = 80,  T(A) = 30 + 10 + T(B) = 120   -> lead time 120m = "2h"
    process time = 10 + 20 = 30m;  flow efficiency = 30 / 120 = 25.0 %
    savings: B 60m (bottleneck, long wait), A 30m (25 % of the lead time: long wait)
Setting B's wait to 2h: T(B) = 140, T(A) = 180 -> lead time "3h".
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QLineEdit

from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from ui.panels.problems import ProblemsPanel
from ui.panels.properties import PropertiesPanel
from ui.panels.step_table import COLUMN, StepTablePanel
from vsm.model import Flow, Project, Step, ValueStreamMap


@pytest.fixture
def doc(qtbot) -> Document:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("A", id="A", wait_time=30, process_time=10))
    map_.add_step(Step("B", id="B", wait_time=60, process_time=20, team="Service desk"))
    map_.add_flow(Flow("A", "B", id="ab"))
    return Document(Project("Test", [map_]))


def first_map(doc: Document) -> ValueStreamMap:
    return doc.project.maps[0]


def panel(qtbot, cls, doc: Document):
    widget = cls(doc)
    qtbot.addWidget(widget)
    widget.set_map(first_map(doc))
    return widget


def wait_for_lead(qtbot, metrics: MetricsPanel, text: str) -> None:
    qtbot.waitUntil(lambda: metrics.figure_text("lead_time") == text, timeout=2000)


def type_and_finish(editor: QLineEdit, text: str) -> None:
    editor.setText(text)
    editor.setModified(True)
    editor.editingFinished.emit()


# ------------------------------------------------------------------ metrics


def test_metrics_show_the_figures_with_their_formula(qtbot, doc):
    metrics = panel(qtbot, MetricsPanel, doc)
    wait_for_lead(qtbot, metrics, "2h")
    assert metrics.figure_text("process_time") == "30m"
    assert metrics.figure_text("flow_efficiency") == "25.0%"
    assert metrics.figure_text("rolled_pca") == "100.0%"
    assert metrics.figure_text("steps") == "2"
    assert "A → B" in metrics.figures["lead_time"].toolTip()
    assert "30m / 2h" in metrics.figures["flow_efficiency"].toolTip()


def test_early_reader_does_not_swallow_analysis_changed(qtbot, doc):
    # Reading the analysis before the debounce fires must not stop the signal for the others.
    metrics = panel(qtbot, MetricsPanel, doc)
    with qtbot.waitSignal(doc.analysis_changed, timeout=2000):
        doc.set_step_field(first_map(doc).id, "B", "wait_time", "2h")
        assert metrics.analysis().lead_time == 180
    assert metrics.figure_text("lead_time") == "3h"


def test_steps_to_change_ranked_and_click_emits_the_step(qtbot, doc):
    metrics = panel(qtbot, MetricsPanel, doc)
    metrics.show()
    qtbot.waitExposed(metrics)
    items = metrics.steps_to_change
    assert items.count() == 2
    first = items.item(0)
    assert first.text().startswith("1. B — saves 1h — Bottleneck, Long wait\n")
    assert "saves 1h" in first.toolTip()
    assert items.item(1).text().startswith("2. A — saves 30m — Long wait")
    activated, selected = [], []
    metrics.step_activated.connect(activated.append)
    metrics.steps_selected.connect(selected.append)
    qtbot.mouseClick(items.viewport(), Qt.MouseButton.LeftButton,
                     pos=items.visualItemRect(first).center())
    assert activated == ["B"] and selected == [["B"]]  # once, not once per click signal
    qtbot.wait(10)
    items.setCurrentRow(1)
    qtbot.keyClick(items, Qt.Key.Key_Return)  # keyboard activation
    assert activated == ["B", "A"]


def chain_document(count: int) -> Document:
    """S1 -> S2 -> ... -> S<count>, step i waiting i minutes at 50 % C&A (every step flagged
    "low %C&A"); in a chain removing a wait saves exactly that wait, so the list runs S<count>
    (saves <count>m) down to S1 (saves 1m)."""
    map_ = ValueStreamMap("Chain")
    for i in range(1, count + 1):
        map_.add_step(Step(f"S{i}", id=f"S{i}", wait_time=i, process_time=5, pca=50))
        if i > 1:
            map_.add_flow(Flow(f"S{i - 1}", f"S{i}"))
    return Document(Project("Chain", [map_]))


def test_steps_to_change_lists_the_largest_savings_then_how_many_more(qtbot):
    from ui.panels.metrics import STEP_ID_ROLE, STEPS_SHOWN

    document = chain_document(STEPS_SHOWN + 15)
    metrics = panel(qtbot, MetricsPanel, document)
    items = metrics.steps_to_change
    assert items.count() == STEPS_SHOWN + 1  # 25 steps and one line saying how many more
    assert items.item(0).text().startswith(f"1. S{STEPS_SHOWN + 15} — saves {STEPS_SHOWN + 15}m")
    assert items.item(STEPS_SHOWN - 1).text().startswith(f"{STEPS_SHOWN}. S16 — saves 16m")
    note = items.item(STEPS_SHOWN)
    assert note.text().startswith("… and 15 more")
    assert note.data(STEP_ID_ROLE) is None and note.flags() == Qt.ItemFlag.NoItemFlags


def test_steps_to_change_keep_the_selection_when_an_edit_leaves_them_as_they_were(qtbot):
    document = chain_document(5)
    metrics = panel(qtbot, MetricsPanel, document)
    items = metrics.steps_to_change
    items.setCurrentRow(2)
    first = items.item(0)
    map_ = first_map(document)
    with qtbot.waitSignal(document.analysis_changed, timeout=2000):
        document.set_step_field(map_.id, "S1", "people", 3)  # no figure depends on it
    assert items.item(0) is first and items.currentRow() == 2  # not rebuilt
    document.set_step_field(map_.id, "S1", "wait_time", 60)  # S1 now saves the most
    qtbot.waitUntil(lambda: items.item(0).text().startswith("1. S1 — saves 1h"), timeout=2000)


# ------------------------------------------------------------------ properties


def test_properties_wait_time_edit_is_one_undo_step(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    metrics = panel(qtbot, MetricsPanel, doc)
    wait_for_lead(qtbot, metrics, "2h")
    props.set_selection(["B"], [])
    assert props.current_page() == "step"
    wait = props.step_fields["wait_time"]
    assert wait.editor.text() == "1h"
    type_and_finish(wait.editor, "2h")
    assert first_map(doc).step("B").wait_time == 120
    assert doc.undo_stack.count() == 1
    wait_for_lead(qtbot, metrics, "3h")  # T(A) = 40 + 140 = 180m
    doc.undo_stack.undo()
    assert first_map(doc).step("B").wait_time == 60
    assert wait.editor.text() == "1h"  # the form follows the undo
    wait_for_lead(qtbot, metrics, "2h")


def test_properties_refused_value_shows_inline_error_and_pushes_nothing(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    props.set_selection(["B"], [])
    wait = props.step_fields["wait_time"]
    type_and_finish(wait.editor, "soon")
    assert doc.undo_stack.count() == 0
    assert first_map(doc).step("B").wait_time == 60
    assert not wait.error.isHidden()
    assert "not a duration" in wait.error.message()
    assert wait.error.message().startswith("Not accepted:")  # said in words, not colour only
    assert wait.editor.text() == "soon"  # the typed text stays for correction
    type_and_finish(wait.editor, "45m")
    assert wait.error.isHidden()
    assert first_map(doc).step("B").wait_time == 45


def test_properties_unchanged_value_pushes_nothing(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    props.set_selection(["B"], [])
    type_and_finish(props.step_fields["wait_time"].editor, "60")  # 60m is the current 1h
    type_and_finish(props.step_fields["name"].editor, "B")
    props.step_fields["activity"].editor.activated.emit(
        props.step_fields["activity"].editor.currentIndex())
    assert doc.undo_stack.count() == 0
    assert props.step_fields["wait_time"].editor.text() == "1h"  # normalised


def test_properties_combo_and_notes_commit(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    props.set_selection(["A"], [])
    combo = props.step_fields["performer"].editor
    combo.setCurrentIndex(combo.findData("vendor"))
    combo.activated.emit(combo.currentIndex())
    assert first_map(doc).step("A").performer == "vendor"
    notes = props.step_fields["notes"]
    notes.editor.setPlainText("From the ITSM tool")
    notes.commit()
    assert first_map(doc).step("A").notes == "From the ITSM tool"
    assert doc.undo_stack.count() == 2


def test_properties_team_completer_offers_the_map_teams(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    assert props.team_model.stringList() == ["Service desk"]
    doc.set_step_field(first_map(doc).id, "A", "team", "Network")
    assert props.team_model.stringList() == ["Network", "Service desk"]


def test_properties_follow_table_edits_except_while_typing(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    table = panel(qtbot, StepTablePanel, doc)
    props.set_selection(["B"], [])
    model = table.model
    model.setData(model.index(1, COLUMN["name"]), "Fix")
    assert props.step_fields["name"].editor.text() == "Fix"
    assert props.step_title.text() == "Step: Fix"
    props.show()
    qtbot.waitExposed(props)
    name = props.step_fields["name"].editor
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=1000)
    name.end(False)
    qtbot.keyClicks(name, " it")  # typing, not yet committed
    model.setData(model.index(1, COLUMN["people"]), "2")
    doc.undo_stack.undo()  # people back to 1
    doc.undo_stack.undo()  # name back to "B" underneath the typing
    assert name.text() == "Fix it"


def test_properties_flow_and_map_forms(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    props.set_selection([], ["ab"])
    assert props.current_page() == "flow"
    share = props.flow_fields["share"]
    type_and_finish(share.editor, "150")
    assert "at most 100" in share.error.message()
    assert doc.undo_stack.count() == 0
    type_and_finish(share.editor, "100")
    assert first_map(doc).flow("ab").share == 100
    type_and_finish(share.editor, "")  # empty: no share
    assert first_map(doc).flow("ab").share is None
    assert doc.undo_stack.count() == 2

    props.set_selection([], [])
    assert props.current_page() == "map"
    assert props.hint.text() == "Select a step to edit it"
    type_and_finish(props.map_fields["name"].editor, "As is")
    assert first_map(doc).name == "As is"
    type_and_finish(props.map_fields["low_pca_percent"].editor, "0")
    assert "more than 0" in props.map_fields["low_pca_percent"].error.message()
    type_and_finish(props.map_fields["low_pca_percent"].editor, "90")
    assert first_map(doc).thresholds.low_pca_percent == 90
    type_and_finish(props.map_fields["demand"].editor, "12")
    assert first_map(doc).demand == 12
    assert doc.undo_stack.count() == 5
    props.set_selection(["A", "B"], [])
    assert props.current_page() == "map" and "2 items selected" in props.hint.text()


def test_properties_drop_a_removed_step(qtbot, doc):
    props = panel(qtbot, PropertiesPanel, doc)
    step = Step("C", id="C")
    doc.add_steps(first_map(doc).id, [step])
    props.set_selection(["C"], [])
    doc.undo_stack.undo()
    assert props.current_page() == "map"


# ------------------------------------------------------------------ step table


def test_table_set_data_pushes_and_undo_updates_the_row(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    metrics = panel(qtbot, MetricsPanel, doc)
    model = table.model
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    wait_index = model.index(1, COLUMN["wait_time"])
    assert model.data(wait_index) == "1h"
    assert model.data(model.index(1, COLUMN["lead_time"])) == "1h 20m"
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(wait_index, "2h")
    assert first_map(doc).step("B").wait_time == 120
    wait_for_lead(qtbot, metrics, "3h")
    with qtbot.waitSignal(model.dataChanged) as changed:
        doc.undo_stack.undo()
    assert changed.args[0].row() == 1
    assert model.data(wait_index) == "1h"
    wait_for_lead(qtbot, metrics, "2h")
    assert resets == []  # no reset for a one-step edit


def test_table_refused_value(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    model = table.model
    index = model.index(1, COLUMN["wait_time"])
    assert not model.setData(index, "soon")
    assert doc.undo_stack.count() == 0
    assert "not a duration" in table.message.message()
    assert "not a duration" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.setData(index, "1h")  # unchanged: accepted, nothing pushed, message cleared
    assert doc.undo_stack.count() == 0
    assert table.message.isHidden()


def test_table_saving_and_flags_columns(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    model = table.model
    assert model.data(model.index(1, COLUMN["saving"])) == "1h"
    assert model.data(model.index(1, COLUMN["flags"])) == "Bottleneck, Long wait"
    assert model.data(model.index(0, COLUMN["activity"])) == "Deliver & support"
    assert not model.flags(model.index(0, COLUMN["lead_time"])) & Qt.ItemFlag.ItemIsEditable


def test_table_repaints_only_the_rows_whose_saving_or_flags_changed(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    model = table.model
    with qtbot.waitSignal(doc.analysis_changed):  # the first announcement covers every row
        doc.set_step_field(first_map(doc).id, "B", "wait_time", 61)
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append(
        (top.row(), bottom.row(), top.column(), bottom.column())))
    # B's process time 20 -> 50: T(B) = 61 + 50 = 111, lead time 30 + 10 + 111 = 151; the
    # savings stay A 30m and B 61m (each wait, passed once) and the flags stay (A 30/151 = 20 %
    # of the lead time, still a long wait): the saving and flags cells are not repainted.
    with qtbot.waitSignal(doc.analysis_changed):
        doc.set_step_field(first_map(doc).id, "B", "process_time", 50)
    assert [c for c in changed if c[3] >= COLUMN["saving"]] == []
    # A's wait 30m -> 0: A's saving goes (""), its flags go; B's stay: row 0 alone.
    changed.clear()
    with qtbot.waitSignal(doc.analysis_changed):
        doc.set_step_field(first_map(doc).id, "A", "wait_time", 0)
    assert (0, 0, COLUMN["saving"], COLUMN["flags"]) in changed
    assert not any(c[1] >= 1 and c[3] >= COLUMN["saving"] for c in changed)
    assert model.data(model.index(0, COLUMN["saving"])) == ""
    assert model.data(model.index(0, COLUMN["flags"])) == ""


def test_table_time_columns_leave_room_for_a_longer_time_after_an_edit(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)  # times of 10m to 1h 20m, savings of 30m and 1h
    header = table.view.horizontalHeader()
    needed = table.view.fontMetrics().horizontalAdvance("10h 15m")
    for key in ("process_time", "wait_time", "lead_time", "saving"):
        assert header.sectionSize(COLUMN[key]) > needed, key


def start_editing(qtbot, table: StepTablePanel, row: int, column: str) -> None:
    table.show()
    qtbot.waitExposed(table)
    view = table.view
    view.setFocus()
    view.setCurrentIndex(table.model.index(row, COLUMN[column]))


def cell_editor(table: StepTablePanel) -> QLineEdit | None:
    """The open editor of the current cell (offscreen windows need not get the focus)."""
    editor = table.view.indexWidget(table.view.currentIndex())
    return editor if isinstance(editor, QLineEdit) else None


def test_table_real_editor_f2_enter_commits_and_moves_down(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    metrics = panel(qtbot, MetricsPanel, doc)
    start_editing(qtbot, table, 0, "wait_time")
    view = table.view
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = cell_editor(table)
    assert isinstance(editor, QLineEdit) and editor.text() == "30m"
    editor.selectAll()
    qtbot.keyClicks(editor, "1h 30m")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn
    qtbot.waitUntil(lambda: first_map(doc).step("A").wait_time == 90, timeout=1000)
    assert view.currentIndex().row() == 1  # Enter moved down
    wait_for_lead(qtbot, metrics, "3h")  # 90 + 10 + 80 = 180m


def test_table_typing_starts_editing(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    start_editing(qtbot, table, 1, "wait_time")
    qtbot.keyClick(table.view, "2")  # replaces the cell's text
    editor = cell_editor(table)
    assert editor.text() == "2"
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "h")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: first_map(doc).step("B").wait_time == 120, timeout=1000)
    assert doc.undo_stack.count() == 1


def test_table_refused_edit_reopens_the_editor_with_the_text(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    start_editing(qtbot, table, 1, "pca")
    qtbot.keyClick(table.view, Qt.Key.Key_Return)  # Enter edits too
    editor = cell_editor(table)
    editor.selectAll()
    qtbot.keyClicks(editor, "250")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell_editor(table) not in (None, editor), timeout=1000)
    assert cell_editor(table).text() == "250"
    assert table.view.currentIndex().row() == 1  # did not move down
    assert "at most 100" in table.message.message()
    assert doc.undo_stack.count() == 0


def test_table_rows_follow_added_and_removed_steps(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    model = table.model
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        doc.add_steps(first_map(doc).id, [Step("C", id="C")], [Flow("B", "C")])
    assert inserted.args[1:] == [2, 2]
    assert model.rowCount() == 3 and model.data(model.index(2, 0)) == "C"
    with qtbot.waitSignal(model.rowsRemoved) as removed:
        doc.undo_stack.undo()
    assert removed.args[1:] == [2, 2]
    assert model.rowCount() == 2


def test_table_selection_sync_both_ways(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    selection = table.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    with qtbot.waitSignal(table.steps_selected) as selected:
        selection.select(table.model.index(1, 0), flags.ClearAndSelect | flags.Rows)
    assert selected.args == [["B"]]
    with qtbot.assertNotEmitted(table.steps_selected):
        table.set_selection(["A"], [])
    assert table.selected_step_ids() == ["A"]


# ------------------------------------------------------------------ problems


def test_problems_cycle_then_none_after_undo(qtbot, doc):
    problems = panel(qtbot, ProblemsPanel, doc)
    metrics = panel(qtbot, MetricsPanel, doc)
    assert problems.problem_count() == 0
    assert problems.lines() == ["No problems"]
    none = problems.list.model().index(0, 0)
    assert not none.flags() & Qt.ItemFlag.ItemIsSelectable  # a note, not a problem to pick
    assert not none.data(Qt.ItemDataRole.DecorationRole).isNull()  # its tick
    doc.add_steps(first_map(doc).id, [], [Flow("B", "A")], "Connect")
    qtbot.waitUntil(lambda: problems.problem_count() == 1, timeout=2000)
    first = problems.list.model().index(0, 0)
    assert first.data().startswith("Error: The flows form a loop: A → B → A")
    assert metrics.figure_text("lead_time") == "2h" and metrics.figures_stale()  # last valid
    assert "loop" in metrics.reason.message()
    with qtbot.waitSignal(problems.steps_selected) as selected:
        problems.list.activated.emit(first)
    assert sorted(selected.args[0]) == ["A", "B"]
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: problems.problem_count() == 0, timeout=2000)
    assert problems.lines() == ["No problems"]
    wait_for_lead(qtbot, metrics, "2h")


def test_problems_warning_for_an_unconnected_step(qtbot, doc):
    problems = panel(qtbot, ProblemsPanel, doc)
    doc.add_steps(first_map(doc).id, [Step("Lonely", id="L")])
    qtbot.waitUntil(lambda: problems.problem_count() == 1, timeout=2000)
    assert problems.lines()[0].startswith("Warning: Step 'Lonely'")



def test_a_long_problem_list_is_replaced_in_one_reset(qtbot):
    # A map of 5,000 lone steps has 5,000 warnings: as QListWidgetItems they took 112 ms to
    # list again after every edit, in the turn the analysis came. The rows are a list the view
    # reads, replaced in one reset; each says its kind in words, with its icon and a hint.
    count = 1000
    map_ = ValueStreamMap("Lone steps")
    for number in range(count):
        map_.add_step(Step(f"S{number}", id=f"S{number}", process_time=10))
    doc = Document(Project("Lone", [map_]))
    doc.live.async_steps = doc.live.measured_steps = count + 10  # analysed on this thread
    problems = panel(qtbot, ProblemsPanel, doc)
    assert problems.problem_count() == count
    rows = problems.list.model()
    resets, rows_changed = [], []
    rows.modelReset.connect(lambda: resets.append(1))
    for signal in (rows.rowsInserted, rows.rowsRemoved, rows.dataChanged):
        signal.connect(lambda *_args: rows_changed.append(1))
    doc.add_steps(map_.id, [Step("Lonely", id="L")])
    qtbot.waitUntil(lambda: problems.problem_count() == count + 1, timeout=5000)
    assert resets == [1] and rows_changed == []
    assert rows.rowCount() == count + 1
    last = rows.index(count, 0)
    assert last.data().startswith("Warning: Step 'Lonely'")
    assert not last.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert last.data(Qt.ItemDataRole.ToolTipRole) == (
        "Click or press Enter to select the steps concerned.")
    assert last.flags() & Qt.ItemFlag.ItemIsSelectable
    with qtbot.waitSignal(problems.steps_selected) as selected:
        problems.list.activated.emit(last)
    assert selected.args == [["L"]]


def test_set_map_none_and_switching_maps_unsubscribes(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    props = panel(qtbot, PropertiesPanel, doc)
    map_ = first_map(doc)
    listeners = len(map_._listeners)
    table.set_map(None)
    props.set_map(None)
    assert len(map_._listeners) == listeners - 2
    assert table.model.rowCount() == 0 and not props.isEnabled()


def test_properties_rework_flow_probability_and_kind(qtbot, doc):
    doc.add_steps(first_map(doc).id, [], [Flow("B", "A", kind="rework", probability=20,
                                                        id="ba")], "Connect")
    props = panel(qtbot, PropertiesPanel, doc)
    props.set_selection([], ["ba"])
    fields = props.flow_fields
    assert props.flow_title.text() == "Rework: B → A"
    assert fields["probability"].editor.text() == "20"
    assert not fields["share"].editor.isEnabled()
    type_and_finish(fields["probability"].editor, "101")
    assert "at most 100" in fields["probability"].error.message()
    type_and_finish(fields["probability"].editor, "25")
    assert first_map(doc).flow("ba").probability == 25
    kind = fields["kind"].editor
    kind.setCurrentIndex(kind.findData("normal"))
    kind.activated.emit(kind.currentIndex())
    # A → B → A is now a loop of ordinary flows, which the model allows (the analysis reports it)
    assert first_map(doc).flow("ba").kind == "normal"
    assert props.flow_title.text() == "Flow: B → A"
    assert fields["share"].editor.isEnabled() and not fields["probability"].editor.isEnabled()
    doc.undo_stack.undo()
    assert kind.currentData() == "rework" and fields["probability"].editor.text() == "25"


def test_table_set_selection_keeps_the_cursor_in_the_selection(qtbot, doc):
    table = panel(qtbot, StepTablePanel, doc)
    table.view.setCurrentIndex(table.model.index(1, COLUMN["wait_time"]))
    with qtbot.assertNotEmitted(table.steps_selected):
        table.set_selection(["A", "B"], [])
    assert table.view.currentIndex().row() == 1
    assert table.selected_step_ids() == ["A", "B"]
