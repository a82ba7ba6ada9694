"""Future states, kaizen bursts, the compare view and the improvement plan in the editor.

The project used throughout: the current state A (wait 30m, process 10m) -> B (wait 60m,
process 20m).
    T(B) = 60 + 20 = 80,  T(A) = 30 + 10 + T(B) = 120        -> lead time 120m = 2h
    process time 10 + 20 = 30m; flow efficiency 30 / 120 = 25.0 %
    steps to change: B saves 60m (bottleneck, long wait), A saves 30m (long wait)
A future state copied from it with B's wait set to 0:
    T(B) = 0 + 20 = 20,  T(A) = 30 + 10 + 20 = 60             -> lead time 60m = 1h
    delta = 60 - 120 = -60m = -1h;  -60 / 120 = -50.0 %
    process time unchanged (30m); flow efficiency 30 / 60 = 50.0 %: +25.0 pts (+100.0 %)
"""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox

from tests.helpers.canvas import LEFT, NONE, drag
from tests.helpers.maps import two_step_map
from tests.helpers.qt import model_state
from ui.canvas.items.change_mark import ChangeMarkItem
from ui.canvas.items.kaizen_item import KaizenItem
from ui.document.document import Document
from ui.window.main_window import MainWindow
from ui.window.menus import build_tab_menu
from vsm.files.vsm_file import open_project
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.duplicate import future_state_of
from vsm.model.records import Kaizen


def make_document() -> Document:
    return Document(Project("Test", [two_step_map()], id="p"))


@pytest.fixture
def window(make_window):
    return make_window(make_document(), 1400, 900)


def create_future(window: MainWindow, qtbot) -> ValueStreamMap:
    """The future state of the test: a copy of the current state with B's wait at 0."""
    window.menu_actions.create_future.trigger()
    future = window.current_map()
    b = next(s for s in future.steps if s.origin == "B")
    window.document.set_step_field(future.id, b.id, "wait_time", 0)
    qtbot.waitUntil(lambda: window.metrics.lead_time_text() == "1h", timeout=3000)
    return future


# ---------------------------------------------------------------- future states


def test_create_future_state_from_the_window(window, qtbot):
    document = window.document
    current = document.project.maps[0]
    current.add_kaizen(Kaizen("Belongs to the current state", step_id="A", id="k"))
    before = model_state(document)
    map_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Map")
    assert window.menu_actions.create_future in map_menu.actions()
    window.menu_actions.create_future.trigger()
    assert window.tabs.count() == 2
    future = window.current_map()
    assert future is document.project.maps[1]
    assert future.kind == "future" and future.name == "Future state"
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Future state (future)"
    assert [s.origin for s in future.steps] == ["A", "B"]
    assert all(s.id not in ("A", "B") for s in future.steps)
    assert len(future.flows) == 1 and future.kaizens == []
    assert current.kaizens[0].id == "k"  # the current state keeps its kaizen
    assert document.undo_stack.count() == 1
    window.menu_actions.create_future.trigger()  # a second scenario, from the first
    assert window.current_map().name == "Future state 2"
    document.undo_stack.undo()
    document.undo_stack.undo()  # one undo per future state
    assert window.tabs.count() == 1 and model_state(document) == before


def test_tab_context_menu_offers_create_future_state(window):
    window.new_map()
    menu = build_tab_menu(window, window.menu_actions, 0)
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts[0] == "Create &Future State"
    assert "&Rename Map…" in texts and "De&lete Map" in texts
    assert window.tabs.currentIndex() == 0  # the menu acts on the tab clicked
    assert build_tab_menu(window, window.menu_actions, -1) is None


def test_future_state_lineage_survives_rename_delete_and_add():
    current = two_step_map()
    current.add_step(Step("C", id="C"))
    future = future_state_of(current, "Target")
    a, b, c = future.steps
    assert (a.origin, b.origin, c.origin) == ("A", "B", "C")
    future.set_step_field(a.id, "name", "Log automatically")  # renamed: changed, not new
    future.remove_step(c.id)
    future.add_step(Step("Verify", id="V"))
    from vsm.analysis.compare import compare_maps
    result = compare_maps(current, future, context=[current, future])
    assert [(c.name, c.origin_id, set(c.fields)) for c in result.changed] == [
        ("Log automatically", "A", {"name"})]
    assert [s.id for s in result.added] == ["V"] and [s.id for s in result.removed] == ["C"]


# ---------------------------------------------------------------- kaizen bursts on the canvas


def test_kaizen_from_a_step_to_change_is_a_burst_attached_to_the_step(window, qtbot):
    qtbot.waitUntil(lambda: window.metrics.steps_to_change.count() == 2, timeout=3000)
    metrics, map_ = window.metrics, window.current_map()
    metrics.steps_to_change.setCurrentRow(0)  # B: the bottleneck, saves 1h
    assert metrics.create_kaizen_button.isEnabled()
    qtbot.mouseClick(metrics.create_kaizen_button, LEFT)
    kaizen = map_.kaizens[0]
    assert (kaizen.step_id, kaizen.expected_saving_minutes) == ("B", 60)
    assert kaizen.title == "Remove the wait before B" and kaizen.waste == "waiting"
    item = window.current_view().scene().item_for_kaizen[kaizen.id]
    assert isinstance(item, KaizenItem) and item.pos() == QPointF(kaizen.x, kaizen.y)
    assert item.step_item is window.current_view().scene().item_for_step["B"]
    assert not item.leader.isNull()  # the dashed line to the step
    assert window.properties.current_page() == "kaizen"
    window.document.undo_stack.undo()
    assert map_.kaizens == [] and window.current_view().scene().item_for_kaizen == {}


def test_add_kaizen_burst_attached_to_the_selected_step_or_free(window):
    view, map_ = window.current_view(), window.current_map()
    view.scene().select_steps(["A"])
    window.menu_actions.add_kaizen.trigger()
    attached = map_.kaizens[0]
    # above A, clear of its box and badges (the old (0, -90) covered the badges)
    assert attached.step_id == "A" and (attached.x, attached.y) == (-20, -120)
    view.scene().select_steps([])
    window.menu_actions.add_kaizen.trigger()
    free = map_.kaizens[1]
    assert free.step_id is None
    # no cursor over the canvas: in free space near the middle of the view, in view
    item = view.scene().item_for_kaizen[free.id]
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(item.mapRectToScene(item.burst_rect()))
    for step in view.scene().item_for_step.values():
        assert not item.mapRectToScene(item.burst_rect()).intersects(
            step.mapRectToScene(step.box_rect()))
    assert view.scene().selected_kaizen_ids() == [free.id]
    assert window.document.undo_stack.count() == 2


def test_dragging_a_kaizen_is_one_undo_step_and_its_leader_follows(window, qtbot):
    view, map_ = window.current_view(), window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Idea", step_id="B", x=260, y=-150,
                                                       id="k"))
    view.reset_zoom()
    view.centerOn(QPointF(300, 0))
    item = view.scene().item_for_kaizen["k"]
    leader_before = item.mapToScene(item.leader.p2())
    start = item.mapToScene(item.burst_rect().center())
    count = window.document.undo_stack.count()
    drag(view, start, start + QPointF(-120, -40))
    assert window.document.undo_stack.count() == count + 1
    assert (map_.kaizen("k").x, map_.kaizen("k").y) == (140, -190)
    assert item.pos() == QPointF(140, -190)
    assert map_.step("B").x == 260  # the step stayed
    # the leader still ends on B's box
    assert item.mapToScene(item.leader.p2()).y() == pytest.approx(leader_before.y(), abs=1)
    window.document.undo_stack.undo()
    assert (map_.kaizen("k").x, map_.kaizen("k").y) == (260, -150)
    assert item.pos() == QPointF(260, -150)


def test_editing_the_kaizen_title_in_the_properties_is_one_undo_step(window, qtbot):
    map_ = window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Idea", step_id="B", id="k"))
    window.scenarios.select_kaizen(map_.id, "k")
    assert window.properties.current_page() == "kaizen"
    title = window.properties.kaizen_fields["title"].editor
    assert title.text() == "Idea"
    count = window.document.undo_stack.count()
    title.setText("Pre-approved standard changes")
    title.setModified(True)
    title.editingFinished.emit()
    assert map_.kaizen("k").title == "Pre-approved standard changes"
    assert window.document.undo_stack.count() == count + 1
    item = window.current_view().scene().item_for_kaizen["k"]
    assert item.kaizen.title == "Pre-approved standard changes"
    window.document.undo_stack.undo()
    assert map_.kaizen("k").title == "Idea" and title.text() == "Idea"


def test_kaizen_properties_refuse_a_bad_date_and_detach_from_the_step(window):
    map_ = window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Idea", step_id="B", id="k"))
    window.scenarios.select_kaizen(map_.id, "k")
    fields = window.properties.kaizen_fields
    count = window.document.undo_stack.count()
    due: QLineEdit = fields["due"].editor
    due.setText("next Friday")
    due.setModified(True)
    due.editingFinished.emit()
    assert "YYYY-MM-DD" in fields["due"].error.message()
    assert window.document.undo_stack.count() == count and map_.kaizen("k").due is None
    step = fields["step"].editor
    assert [step.itemText(i) for i in range(step.count())][1:] == ["A", "B"]
    step.setCurrentIndex(0)  # free
    step.activated.emit(0)
    assert map_.kaizen("k").step_id is None
    assert window.current_view().scene().item_for_kaizen["k"].leader.isNull()
    window.document.undo_stack.undo()
    assert map_.kaizen("k").step_id == "B" and step.currentData() == "B"


def test_deleting_a_step_deletes_its_kaizen_and_one_undo_restores_both(window):
    view, map_ = window.current_view(), window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Idea", step_id="B", id="k"))
    before = model_state(window.document)
    view.scene().select_steps(["B"])
    window.menu_actions.delete.trigger()
    assert not map_.has_step("B") and not map_.has_kaizen("k")
    assert "k" not in view.scene().item_for_kaizen
    window.document.undo_stack.undo()
    assert model_state(window.document) == before
    item = view.scene().item_for_kaizen["k"]
    assert item.step_item is view.scene().item_for_step["B"]


def test_deleting_a_selection_of_a_step_and_a_free_kaizen_is_one_undo_step(window):
    view, map_ = window.current_view(), window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Free", x=600, y=0, id="f"))
    before = model_state(window.document)
    count = window.document.undo_stack.count()
    view.scene().select_steps(["A"], [], ["f"])
    window.menu_actions.delete.trigger()
    assert window.document.undo_stack.count() == count + 1
    assert not map_.has_step("A") and map_.kaizens == []
    window.document.undo_stack.undo()
    assert model_state(window.document) == before


def test_kaizens_round_trip_through_a_saved_file(window, tmp_path):
    map_ = window.current_map()
    window.document.add_kaizen(map_.id, Kaizen(
        "Idea", "Line one\nline two", "defects", "Owner", "2027-01-29", "planned", 90, "B",
        12.5, -80, id="k"))
    window.document.save(tmp_path / "plan.vsm")
    reopened = open_project(tmp_path / "plan.vsm").maps[0]
    assert reopened.kaizens == map_.kaizens


# ---------------------------------------------------------------- compare view and metrics


def test_compare_view_shows_the_hand_computed_deltas_and_marks_the_changed_step(window, qtbot):
    future = create_future(window, qtbot)
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    assert dialog.maps() == (window.document.project.maps[0], future)
    assert dialog.row_texts("lead_time_minutes") == ["Lead time", "2h", "1h", "-1h", "-50.0%"]
    assert dialog.row_texts("process_time_minutes") == ["Process time", "30m", "30m",
                                                         "no change", "0.0%"]
    assert dialog.row_texts("flow_efficiency_percent") == ["Flow efficiency", "25.0%", "50.0%",
                                                            "+25.0 pts", "+100.0%"]
    b = next(s for s in future.steps if s.origin == "B")
    marks = [m for m in dialog.marks if isinstance(m, ChangeMarkItem)]
    assert [(m.kind, m.tag, m.parentItem().step_id) for m in marks] == [("changed", "CHANGED", b.id)]
    assert dialog.change_texts() == ["Changed: B — wait time 1h → 0m"]
    # live: a new step in the future map is marked NEW, without reopening the view
    window.document.set_step_field(future.id, b.id, "wait_time", "30m")
    qtbot.waitUntil(lambda: dialog.row_texts("lead_time_minutes")[2] == "1h 30m", timeout=3000)
    assert dialog.row_texts("lead_time_minutes")[3:] == ["-30m", "-25.0%"]


def test_compare_view_follows_renamed_deleted_and_added_steps_by_lineage(window, qtbot):
    future = create_future(window, qtbot)
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    a, b = future.steps
    window.document.set_step_field(future.id, a.id, "name", "Log automatically")
    window.document.remove(future.id, [b.id])
    window.document.add_steps(future.id, [Step("Verify", id="V", x=260)], [Flow(a.id, "V")])
    qtbot.waitUntil(lambda: len(dialog.change_texts()) == 3, timeout=3000)
    assert dialog.change_texts() == ["Changed: Log automatically — name 'A' → 'Log automatically'",
                                     "New: Verify", "Removed: B"]
    assert sorted((m.kind, m.parentItem().step_id) for m in dialog.marks) == [
        ("changed", a.id), ("new", "V"), ("removed", "B")]
    window.document.remove_map(future.id)
    qtbot.waitUntil(lambda: dialog.maps()[1] is not future, timeout=3000)
    assert dialog.maps()[0] is window.document.project.maps[0]


def test_double_clicking_a_burst_opens_its_properties_and_adds_no_step(window, qtbot):
    view, map_ = window.current_view(), window.current_map()
    window.document.add_kaizen(map_.id, Kaizen("Idea", x=600, y=-200, id="k"))
    view.reset_zoom()
    view.centerOn(QPointF(700, -160))
    item = view.scene().item_for_kaizen["k"]
    count = window.document.undo_stack.count()
    point = view.mapFromScene(item.mapToScene(item.burst_rect().center()))
    QTest.mouseDClick(view.viewport(), LEFT, NONE, point)
    assert window.document.undo_stack.count() == count and len(map_.steps) == 2
    assert view.scene().selected_kaizen_ids() == ["k"]
    assert window.properties.current_page() == "kaizen"


def test_compare_canvases_share_one_scale_and_left_edge(window, qtbot):
    create_future(window, qtbot)
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    dialog.align()
    upper, lower = dialog.canvases
    assert upper.transform().m11() == pytest.approx(lower.transform().m11())
    assert upper.left_scene_x() == pytest.approx(lower.left_scene_x(), abs=1)
    assert upper.read_only and lower.read_only
    # A step sits exactly above its copy: the same x on screen in both canvases.
    a_up = upper.mapFromScene(upper.scene().item_for_step["A"].pos()).x()
    copy_a = next(s for s in dialog.maps()[1].steps if s.origin == "A")
    a_low = lower.mapFromScene(lower.scene().item_for_step[copy_a.id].pos()).x()
    assert a_up == pytest.approx(a_low, abs=1)
    rows = dialog.bars.rows
    assert [r.path_total for r in rows] == [120, 60]  # the bars' shared scale: 2h and 1h


def test_compare_view_edits_nothing(window, qtbot):
    create_future(window, qtbot)
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    canvas = dialog.canvases[1]
    count = window.document.undo_stack.count()
    step = next(iter(canvas.scene().item_for_step.values()))
    centre = step.mapToScene(step.box_rect().center())
    drag(canvas, centre, centre + QPointF(50, 50))
    QTest.mouseDClick(canvas.viewport(), LEFT, NONE, canvas.mapFromScene(QPointF(900, 400)))
    canvas.scene().select_steps([step.step_id])
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_Delete)
    assert window.document.undo_stack.count() == count


def test_metrics_of_the_future_map_show_the_delta_against_its_origin(window, qtbot):
    create_future(window, qtbot)
    metrics = window.metrics
    assert metrics.origin is window.document.project.maps[0]
    assert metrics.delta_text("lead_time") == "-1h (-50.0%) vs Current state"
    assert metrics.delta_text("process_time") == "no change vs Current state"
    assert metrics.delta_text("flow_efficiency") == "+25.0 pts vs Current state"
    assert metrics.delta_text("steps") == "no change vs Current state"
    # live against the origin too (a push would show the origin's tab, so change the model
    # directly): the current state's B waits 3h, T(A) = 30 + 10 + 180 + 20 = 240 -> -3h
    window.document.project.maps[0].set_step_field("B", "wait_time", 180)
    qtbot.waitUntil(lambda: metrics.delta_text("lead_time") == "-3h (-75.0%) vs Current state",
                    timeout=3000)
    window.tabs.setCurrentIndex(0)  # the current state has no delta
    assert metrics.delta_text("lead_time") == ""


# ---------------------------------------------------------------- the improvement plan


def add_plan_kaizens(window) -> ValueStreamMap:
    map_ = window.current_map()
    for title, saving, due in (("Five minutes", 5, "2027-03-01"), ("One hour", 60, None),
                               ("Half an hour", 30, "2026-11-01"), ("Two days", 2880, None)):
        window.document.add_kaizen(map_.id, Kaizen(title, expected_saving_minutes=saving,
                                                           due=due, step_id="A"))
    return map_


def test_plan_sorts_by_saving_in_minutes_and_follows_edits(window, qtbot):
    map_ = add_plan_kaizens(window)
    window.menu_actions.plan.trigger()
    plan = window.plan
    qtbot.waitUntil(lambda: plan.proxy.rowCount() == 4, timeout=2000)
    plan.table.sortByColumn(7, Qt.SortOrder.AscendingOrder)  # "5m" < "30m" < "1h" < "2d"
    assert [r.expected_saving_minutes for r in plan.shown_rows()] == [5, 30, 60, 2880]
    assert plan.proxy.index(0, 7).data() == "5m"
    plan.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)  # due: no date last
    assert [r.due for r in plan.shown_rows()][:2] == ["2026-11-01", "2027-03-01"]
    kaizen = next(k for k in map_.kaizens if k.title == "One hour")
    window.document.set_kaizen_field(map_.id, kaizen.id, "owner", "Change manager")
    qtbot.waitUntil(lambda: any(r.owner == "Change manager" for r in plan.shown_rows()),
                    timeout=2000)


def test_plan_exports_the_rows_shown_as_csv(window, qtbot, tmp_path, monkeypatch):
    add_plan_kaizens(window)
    plan = window.plan
    qtbot.waitUntil(lambda: plan.proxy.rowCount() == 4, timeout=2000)
    plan.table.sortByColumn(7, Qt.SortOrder.DescendingOrder)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "plan"), "CSV files (*.csv)"))
    assert plan.export_csv()
    with open(tmp_path / "plan.csv", encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["Map", "Improvement"]
    assert [(r[1], r[3], r[8]) for r in rows[1:]] == [
        ("Two days", "A", "2880"), ("One hour", "A", "60"), ("Half an hour", "A", "30"),
        ("Five minutes", "A", "5")]


def test_plan_export_failure_names_the_file(window, qtbot, tmp_path, monkeypatch):
    add_plan_kaizens(window)
    qtbot.waitUntil(lambda: window.plan.proxy.rowCount() == 4, timeout=2000)
    target = tmp_path / "missing" / "plan.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    messages = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: messages.append(a[2]))
    assert not window.plan.export_csv()
    assert messages and str(target) in messages[0]


def test_double_clicking_a_plan_row_shows_the_kaizen_on_its_map(window, qtbot):
    add_plan_kaizens(window)
    window.menu_actions.create_future.trigger()  # the current map is no longer shown
    plan = window.plan
    qtbot.waitUntil(lambda: plan.proxy.rowCount() == 4, timeout=2000)
    row = plan.shown_rows()[0]
    plan.table.doubleClicked.emit(plan.proxy.index(0, 1))
    assert window.current_map().id == row.map_id
    assert window.current_view().scene().selected_kaizen_ids() == [row.kaizen_id]
    assert window.properties.current_page() == "kaizen"
