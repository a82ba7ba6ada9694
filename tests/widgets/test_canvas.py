"""The map canvas: the scene mirrors the model, gestures push one command each, undo restores.

Mouse gestures are real events on the view's viewport at view.mapFromScene(...): QTest presses
and releases, and moves as QMouseEvents sent with the left button held (QTest.mouseMove sends no
buttons). Keep Python references to the scene and the view for the whole test.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.helpers.canvas import LEFT, NONE, drag, move_mouse, shown_canvas
from tests.helpers.maps import restore_map
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.canvas.palette import DARK, LIGHT, theme_for
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.clipboard import MIME_TYPE, copy_steps, release_clipboard, steps_from_mime
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap


@pytest.fixture(autouse=True)
def _empty_clipboard_afterwards():
    """Copied steps left on the clipboard crash PySide when the application is destroyed."""
    yield
    release_clipboard()


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [restore_map()])))


def key(view: MapView, key_: Qt.Key, modifiers=NONE) -> None:
    QTest.keyClick(view.viewport(), key_, modifiers)


# ---------------------------------------------------------------- mirroring the model


def test_scene_builds_one_item_per_step_and_flow(canvas):
    assert set(canvas.scene.item_for_step) == {"a", "b", "c", "d"}
    assert set(canvas.scene.item_for_flow) == {"ab", "bc", "cd"}
    assert canvas.scene.item_for_step["b"].pos() == QPointF(240, 0)


def test_edits_through_commands_update_only_the_item_concerned(canvas):
    scene, document, map_ = canvas.scene, canvas.document, canvas.map
    before = dict(scene.item_for_step)
    document.set_step_field(map_.id, "b", "name", "Find the cause")
    assert scene.item_for_step["b"].step.name == "Find the cause"
    assert scene.item_for_step == before  # the same items: no rebuild
    new = Step("Record", x=720, y=0, id="e")
    document.add_steps(map_.id, [new], [Flow("c", "e", id="ce")])
    assert "e" in scene.item_for_step and "ce" in scene.item_for_flow
    assert all(scene.item_for_step[v] is item for v, item in before.items())
    document.undo_stack.undo()
    assert "e" not in scene.item_for_step and "ce" not in scene.item_for_flow
    document.undo_stack.undo()
    assert scene.item_for_step["b"].step.name == "Diagnose"


def test_removing_a_step_removes_its_flow_items_and_undo_brings_them_back(canvas):
    scene, document, map_ = canvas.scene, canvas.document, canvas.map
    document.remove(map_.id, ["b"])
    assert set(scene.item_for_flow) == {"cd"}
    assert "b" not in scene.item_for_step
    assert scene.item_for_step["a"].flows == []
    document.undo_stack.undo()
    assert set(scene.item_for_flow) == {"ab", "bc", "cd"}
    flow = scene.item_for_flow["ab"]
    assert flow.source is scene.item_for_step["a"] and flow.target is scene.item_for_step["b"]


def test_flow_items_follow_their_steps(canvas):
    flow = canvas.scene.item_for_flow["ab"]
    before = flow.path().pointAtPercent(1.0)
    canvas.document.move(canvas.map.id, {"b": (240, 100)})
    after = flow.path().pointAtPercent(1.0)
    assert after.y() > before.y()


def test_detach_stops_following_the_model(canvas):
    canvas.scene.detach()
    canvas.document.remove(canvas.map.id, ["d"])
    assert "d" in canvas.scene.item_for_step


# ---------------------------------------------------------------- mouse gestures


def test_dragging_from_the_handle_to_another_step_connects_them(canvas):
    scene, document, map_ = canvas.scene, canvas.document, canvas.map
    count = document.undo_stack.count()
    drag(canvas.view, canvas.handle("a"), canvas.centre("d"))
    new = [f for f in map_.flows if (f.source, f.target) == ("a", "d")]
    assert len(new) == 1 and new[0].kind == "normal"
    assert document.undo_stack.count() == count + 1
    assert new[0].id in scene.item_for_flow
    assert not scene.connect_tool.active
    assert all(type(item).__name__ != "QGraphicsLineItem" for item in scene.items())  # rubber line gone
    assert map_.step("a").x == 0 and map_.step("a").y == 0  # the step did not move
    document.undo_stack.undo()
    assert [f.id for f in map_.flows] == ["ab", "bc", "cd"]


def test_the_rubber_line_follows_the_mouse_during_a_connection(canvas):
    viewport, view = canvas.view.viewport(), canvas.view
    QTest.mousePress(viewport, LEFT, NONE, view.mapFromScene(canvas.handle("a")))
    assert canvas.scene.connect_tool.active
    move_mouse(view, view.mapFromScene(QPointF(300, 300)))
    line = canvas.scene.connect_tool._line.line()
    assert abs(line.p2().x() - 300) < 2 and abs(line.p2().y() - 300) < 2
    key(view, Qt.Key.Key_Escape)
    assert not canvas.scene.connect_tool.active
    QTest.mouseRelease(viewport, LEFT, NONE, view.mapFromScene(canvas.centre("d")))
    assert len(canvas.map.flows) == 3


@pytest.mark.parametrize("target", ["a", "b", None])
def test_invalid_connections_change_nothing_and_say_why(canvas, qtbot, target):
    messages = []
    canvas.scene.status_message.connect(messages.append)
    end = canvas.centre(target) if target else QPointF(900, 600)
    drag(canvas.view, canvas.handle("a"), end)  # itself, an existing flow, empty canvas
    assert [f.id for f in canvas.map.flows] == ["ab", "bc", "cd"]
    assert canvas.document.undo_stack.count() == 0
    assert messages and messages[-1]


def test_dragging_a_step_moves_it_with_one_command_and_undo_restores_it(canvas):
    document, map_ = canvas.document, canvas.map
    start = canvas.centre("b") + QPointF(-40, 0)
    drag(canvas.view, start, start + QPointF(100, 60))
    step = map_.step("b")
    assert (step.x, step.y) == pytest.approx((340, 60), abs=1.5)
    assert document.undo_stack.count() == 1
    assert canvas.scene.item_for_step["b"].pos() == QPointF(step.x, step.y)
    document.undo_stack.undo()
    assert (map_.step("b").x, map_.step("b").y) == (240.0, 0.0)
    assert canvas.scene.item_for_step["b"].pos() == QPointF(240, 0)


def test_the_flows_of_a_dragged_step_follow_it_while_the_mouse_moves(canvas):
    from tests.helpers.canvas import LEFT as held

    scene, view = canvas.scene, canvas.view
    flow = scene.item_for_flow["ab"]  # a (0, 0) -> b (240, 0): along the boxes' middle row
    start = canvas.centre("b") + QPointF(-40, 0)
    QTest.mousePress(view.viewport(), held, NONE, view.mapFromScene(start))
    for dy in (20, 40, 60):  # down 60, the button held: no command yet
        move_mouse(view, view.mapFromScene(start + QPointF(0, dy)))
    item = scene.item_for_step["b"]
    assert item.y() == pytest.approx(60, abs=1.5) and canvas.map.step("b").y == 0
    # The arrow runs between the boxes' centres, a's (0 + 90, 0 + 60) and b's where the drag
    # has it now, (240 + 90, 60 + 60) = (330, 120), and ends where that line enters b's box:
    # from b's centre back along (-240, -60), scaled by min(90 / 240, 60 / 60) = 0.375, to
    # (330 - 90, 120 - 22.5) = (240, 97.5). Before the drag it ended at (240, 60).
    end = flow.path().pointAtPercent(1.0)
    assert (end.x(), end.y()) == pytest.approx((240, 97.5), abs=1.5)
    QTest.mouseRelease(view.viewport(), held, NONE, view.mapFromScene(start + QPointF(0, 60)))
    assert canvas.map.step("b").y == pytest.approx(60, abs=1.5)


def test_moving_a_multi_selection_is_one_command(canvas):
    canvas.scene.select_steps(["a", "b"])
    start = canvas.centre("a") + QPointF(-40, 0)
    drag(canvas.view, start, start + QPointF(0, 80))
    assert canvas.document.undo_stack.count() == 1
    assert canvas.map.step("a").y == pytest.approx(80, abs=1.5)
    assert canvas.map.step("b").y == pytest.approx(80, abs=1.5)
    assert canvas.map.step("c").y == 0
    canvas.document.undo_stack.undo()
    assert (canvas.map.step("a").y, canvas.map.step("b").y) == (0, 0)


def test_a_drop_snaps_to_the_grid_when_snapping_is_on(canvas):
    canvas.scene.snap_to_grid = True
    start = canvas.centre("b") + QPointF(-40, 0)
    drag(canvas.view, start, start + QPointF(33, 47))
    step = canvas.map.step("b")
    assert step.x % 20 == 0 and step.y % 20 == 0
    assert (step.x, step.y) == (280, 40)


def test_a_click_without_moving_pushes_nothing(canvas):
    QTest.mouseClick(canvas.view.viewport(), LEFT, NONE,
                     canvas.view.mapFromScene(canvas.centre("b") + QPointF(-40, 0)))
    assert canvas.document.undo_stack.count() == 0
    assert canvas.scene.selected_step_ids() == ["b"]


def test_rubber_band_selects_the_steps_inside_it(canvas):
    drag(canvas.view, QPointF(-30, -50), QPointF(WIDTH + 260, HEIGHT + 20))
    assert canvas.scene.selected_step_ids() == ["a", "b"]
    assert canvas.document.undo_stack.count() == 0


def test_double_click_on_the_canvas_adds_a_step_there_and_opens_the_name_editor(canvas):
    point = QPointF(700, 300)
    QTest.mouseDClick(canvas.view.viewport(), LEFT, NONE, canvas.view.mapFromScene(point))
    assert len(canvas.map.steps) == 5
    new = canvas.map.steps[-1]
    assert new.x <= point.x() <= new.x + WIDTH and new.y <= point.y() <= new.y + HEIGHT
    assert canvas.document.undo_stack.count() == 1
    assert canvas.view.renamer.active and canvas.view.renamer.step_id == new.id


def test_double_click_on_a_step_opens_its_name_editor(canvas):
    QTest.mouseDClick(canvas.view.viewport(), LEFT, NONE, canvas.view.mapFromScene(canvas.centre("c")))
    assert canvas.view.renamer.step_id == "c"
    assert len(canvas.map.steps) == 4 and canvas.document.undo_stack.count() == 0


# ---------------------------------------------------------------- keyboard and actions


def test_delete_key_removes_a_step_with_its_flows_and_undo_restores_ids_and_order(canvas):
    before = canvas.map.snapshot()
    canvas.scene.select_steps(["b"])
    key(canvas.view, Qt.Key.Key_Delete)
    assert [s.id for s in canvas.map.steps] == ["a", "c", "d"]
    assert [f.id for f in canvas.map.flows] == ["cd"]
    assert canvas.document.undo_stack.count() == 1
    canvas.document.undo_stack.undo()
    assert canvas.map.snapshot() == before
    assert set(canvas.scene.item_for_flow) == {"ab", "bc", "cd"}


def test_backspace_deletes_a_selected_flow_only(canvas):
    canvas.scene.select_steps([], ["bc"])
    key(canvas.view, Qt.Key.Key_Backspace)
    assert [f.id for f in canvas.map.flows] == ["ab", "cd"]
    assert len(canvas.map.steps) == 4


def test_arrow_keys_nudge_the_selection_one_command_per_press(canvas):
    canvas.scene.select_steps(["a", "c"])
    key(canvas.view, Qt.Key.Key_Right)
    key(canvas.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert (canvas.map.step("a").x, canvas.map.step("a").y) == (10, 1)
    assert (canvas.map.step("c").x, canvas.map.step("c").y) == (490, 1)
    assert canvas.map.step("b").x == 240
    assert canvas.document.undo_stack.count() == 2
    canvas.document.undo_stack.undo()
    assert canvas.map.step("a").y == 0 and canvas.map.step("a").x == 10


def test_f2_renames_inline_enter_commits_one_command(canvas):
    canvas.scene.select_steps(["b"])
    key(canvas.view, Qt.Key.Key_F2)
    editor = canvas.view.renamer.editor
    assert editor is not None and editor.text() == "Diagnose"
    editor.setText("Diagnose the fault")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert canvas.map.step("b").name == "Diagnose the fault"
    assert canvas.document.undo_stack.count() == 1
    assert not canvas.view.renamer.active


def test_escape_in_the_name_editor_cancels(canvas):
    canvas.view.rename_step("b")
    editor = canvas.view.renamer.editor
    editor.setText("Something else")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert canvas.map.step("b").name == "Diagnose"
    assert canvas.document.undo_stack.count() == 0
    assert not canvas.view.renamer.active


def test_append_step_after_selected_adds_a_connected_step_to_its_right(canvas):
    canvas.scene.select_steps(["a"])
    new_id = canvas.view.append_step_after_selected()
    new = canvas.map.step(new_id)
    assert any((f.source, f.target) == ("a", new_id) for f in canvas.map.flows)
    assert new.x > canvas.map.step("a").x
    assert (new.x, new.y) != (240, 0)  # b is there: the new step goes below it
    assert canvas.scene.selected_step_ids() == [new_id]
    assert canvas.view.renamer.step_id == new_id
    assert canvas.document.undo_stack.count() == 1
    canvas.document.undo_stack.undo()
    assert not canvas.map.has_step(new_id) and len(canvas.map.flows) == 3


def test_append_with_nothing_selected_follows_the_last_step_or_creates_the_first(qtbot):
    document = Document(Project("P", [ValueStreamMap("Empty")]))
    map_ = document.project.maps[0]
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    first = view.append_step_after_selected()
    scene.select_steps([])
    view.renamer.cancel()
    second = view.append_step_after_selected()
    assert [s.id for s in map_.steps] == [first, second]
    assert [(f.source, f.target) for f in map_.flows] == [(first, second)]
    scene.detach()


def test_connect_selected_links_left_to_right(canvas):
    canvas.scene.select_steps(["d", "a"])
    assert canvas.view.connect_selected()
    assert (canvas.map.flows[-1].source, canvas.map.flows[-1].target) == ("a", "d")
    canvas.scene.select_steps(["a"])
    assert not canvas.view.connect_selected()


def test_select_all_and_escape_clears(canvas):
    canvas.view.select_all()
    assert canvas.scene.selected_step_ids() == ["a", "b", "c", "d"]
    assert canvas.scene.selected_flow_ids() == ["ab", "bc", "cd"]
    key(canvas.view, Qt.Key.Key_Escape)
    assert canvas.scene.selected_step_ids() == []


# ---------------------------------------------------------------- clipboard


def test_copy_and_paste_make_new_steps_with_their_inner_flows(canvas):
    canvas.scene.select_steps(["a", "b"])
    assert canvas.view.copy_selection()
    text = QApplication.clipboard().mimeData().text().splitlines()
    assert text[1].split("\t") == ["Log", "5m", "10m", "100"]
    pasted = canvas.view.paste()
    assert len(pasted) == 2 and not set(pasted) & {"a", "b", "c", "d"}
    copies = [canvas.map.step(v) for v in pasted]
    assert [(s.name, s.x, s.y) for s in copies] == [("Log", 40, 40), ("Diagnose", 280, 40)]
    inner = [f for f in canvas.map.flows if f.source in pasted or f.target in pasted]
    assert [(f.source, f.target) for f in inner] == [(pasted[0], pasted[1])]
    assert canvas.scene.selected_step_ids() == pasted
    assert canvas.document.undo_stack.count() == 1
    again = canvas.view.paste()
    assert canvas.map.step(again[0]).x == 80  # each paste of the same copy moves further


def test_cut_is_one_command_and_duplicate_copies_in_place(canvas):
    before = canvas.map.snapshot()
    canvas.scene.select_steps(["c"])
    assert canvas.view.cut_selection()
    assert not canvas.map.has_step("c") and canvas.document.undo_stack.count() == 1
    canvas.document.undo_stack.undo()
    assert canvas.map.snapshot() == before
    canvas.scene.select_steps(["b", "c"])
    copies = canvas.view.duplicate_selection()
    assert [canvas.map.step(v).name for v in copies] == ["Diagnose", "Fix"]
    assert canvas.map.step(copies[1]).performer == "vendor"


def test_steps_from_mime_refuses_foreign_or_damaged_data(canvas):
    from PySide6.QtCore import QMimeData

    assert steps_from_mime(None) is None
    plain = QMimeData()
    plain.setText("hello")
    assert steps_from_mime(plain) is None
    broken = QMimeData()
    broken.setData(MIME_TYPE, b"{not json")
    assert steps_from_mime(broken) is None
    steps, flows = steps_from_mime(copy_steps(canvas.map, ["b", "c"]), offset=0)
    assert [(s.x, s.y) for s in steps] == [(240, 0), (480, 0)]
    assert [(f.source, f.target) for f in flows] == [(steps[0].id, steps[1].id)]


# ---------------------------------------------------------------- layout, zoom


def test_auto_layout_is_one_command_and_undo_restores_positions(canvas):
    before = {s.id: (s.x, s.y) for s in canvas.map.steps}
    assert canvas.view.auto_layout()
    after = {s.id: (s.x, s.y) for s in canvas.map.steps}
    assert after != before and canvas.document.undo_stack.count() == 1
    assert canvas.document.undo_stack.undoText() == "Auto-layout"
    canvas.document.undo_stack.undo()
    assert {s.id: (s.x, s.y) for s in canvas.map.steps} == before
    assert all(canvas.scene.item_for_step[v].pos() == QPointF(*p) for v, p in before.items())


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(canvas):
    view = canvas.view
    centre = QPointF(view.viewport().rect().center())

    def wheel(delta: int, modifiers) -> None:
        event = QWheelEvent(centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())),
                            QPoint(0, 0), QPoint(0, delta), Qt.MouseButton.NoButton, modifiers,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)

    wheel(120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom > 1.1
    zoom = view.zoom
    scrolled = view.verticalScrollBar().value()
    wheel(-120, NONE)
    assert view.zoom == zoom
    assert view.verticalScrollBar().value() != scrolled


def test_middle_drag_pans_without_editing(canvas):
    view, viewport = canvas.view, canvas.view.viewport()
    before = (view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    start = view.mapFromScene(canvas.centre("b"))  # even over a step: pan, not move
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, NONE, start)
    move_mouse(view, start + QPoint(-120, -80), Qt.MouseButton.MiddleButton)
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, NONE, start + QPoint(-120, -80))
    after = (view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    assert after == (before[0] + 120, before[1] + 80)
    assert canvas.document.undo_stack.count() == 0


def test_zoom_in_out_and_to_fit(canvas):
    view = canvas.view
    view.zoom_in()
    assert view.zoom == pytest.approx(1.25)
    view.zoom_out()
    assert view.zoom == pytest.approx(1.0)
    view.zoom_to_fit()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in canvas.scene.item_for_step.values():
        assert visible.contains(item.sceneBoundingRect())


# ---------------------------------------------------------------- analysis on the canvas


def test_analysis_shows_flags_critical_path_ladder_and_summary(canvas, qtbot):
    items = canvas.scene.item_for_step
    assert "bottleneck" in items["b"].flags and "low_pca" in items["b"].flags
    assert items["a"].flags == []
    badge = next(b for b in items["b"].childItems() if getattr(b, "flag", "") == "bottleneck")
    assert "Bottleneck" in badge.toolTip() and "240" in badge.toolTip()  # minutes saved
    assert [v for v in "abcd" if items[v].on_critical_path] == ["a", "b", "c", "d"]
    assert canvas.scene.item_for_flow["ab"].on_critical_path
    assert len(canvas.scene.ladder.segments) == 4
    assert canvas.scene.summary.rows[0] == ("Lead time", "6h 20m")
    assert canvas.scene.ladder.y() > max(i.sceneBoundingRect().bottom() for i in items.values())
    # A loop stops the analysis: the last valid figures stay, greyed, with the problem.
    canvas.document.add_steps(canvas.map.id, [], [Flow("d", "a", id="da")])
    qtbot.waitUntil(lambda: canvas.scene.summary.stale)
    assert canvas.scene.summary.rows[0] == ("Lead time", "6h 20m")
    assert "loop" in " ".join(canvas.scene.summary.hint_lines)
    assert [v for v in "abcd" if items[v].on_critical_path] == ["a", "b", "c", "d"]
    assert "problem" in items["a"].flags
    assert len(canvas.scene.ladder.segments) == 4 and canvas.scene.ladder.stale


def test_an_edit_updates_the_flags_after_the_analysis_runs(canvas, qtbot):
    canvas.document.set_step_field(canvas.map.id, "b", "pca", 95)
    qtbot.waitUntil(lambda: "low_pca" not in canvas.scene.item_for_step["b"].flags)


def test_colour_mode_changes_the_fill_and_the_legend(canvas):
    item = canvas.scene.item_for_step["c"]  # deliver & support, vendor
    by_activity = item.brush_colour()
    canvas.scene.set_colour_mode("performer")
    assert item.brush_colour() != by_activity
    assert canvas.scene.legend.mode == "performer"
    with pytest.raises(ValueError):
        canvas.scene.set_colour_mode("team")


def test_theme_follows_the_palette_and_exports_can_force_light(canvas):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    assert theme_for(dark) is DARK and theme_for(QPalette(QColor("#f0f0f0"))) is LIGHT
    canvas.scene.set_theme(DARK)
    assert canvas.scene.item_for_step["a"].brush_colour() != LIGHT.box_fill(QColor("#E69F00"))
    canvas.scene.set_theme(LIGHT)
    canvas.view.grab()  # paints every kind of item without error


def test_a_map_of_300_steps_builds_its_scene(qtbot):
    map_ = ValueStreamMap("Big")
    for index in range(300):
        map_.add_step(Step(f"Step {index}", wait_time=index % 7 * 10, process_time=5,
                           x=(index % 20) * 240, y=(index // 20) * 200, id=f"s{index}"))
    for index in range(299):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}"))
    document = Document(Project("Big", [map_]))
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.zoom_to_fit()
    view.grab()
    assert len(scene.item_for_step) == 300 and len(scene.item_for_flow) == 299
    assert len(scene.ladder.segments) == 300
    view.select_all()
    view.auto_layout()
    assert document.undo_stack.count() == 1
    scene.detach()
