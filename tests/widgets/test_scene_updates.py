"""The canvas does work in proportion to what changed, and draws detail only where it is readable.

An analysis touches only the items whose flags or critical-path membership changed; tooltips are
built when shown (with the same text as before); the scene rect and the map's extent are kept
while nothing moves; text is skipped when a view is zoomed out too far to read it, never in
exports.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF
from PySide6.QtGui import QHelpEvent, QImage, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import restore_map
from ui.canvas.items import FlowItem, LadderItem, LadderSegment, StepItem
from ui.canvas.items.fonts import MIN_TEXT_PIXELS
from ui.canvas.scene import MapScene
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.durations import format_duration


@pytest.fixture
def canvas(qtbot):
    """a -> b -> c in a row, c -> d below: b is the bottleneck, low %C&A."""
    yield from shown_canvas(qtbot, Document(Project("P", [restore_map()])))


class CountingPainter(QPainter):
    """Counts the texts the items draw (their paint() calls drawText from Python)."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args) -> None:  # noqa: N802 - Qt name
        self.texts.append(str(args[-1]))
        super().drawText(*args)


def paint_texts(item: QGraphicsItem, scale: float, widget: QWidget | None,
                exposed: QRectF | None = None) -> list[str]:
    """Paint `item` at `scale` (for a view when `widget` is given) and return the texts drawn."""
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = CountingPainter(image)
    painter.scale(scale, scale)
    option = QStyleOptionGraphicsItem()
    option.exposedRect = exposed if exposed is not None else item.boundingRect()
    item.paint(painter, option, widget)
    painter.end()
    return painter.texts


@pytest.fixture
def calls(monkeypatch):
    """Record which items the scene calls setters on."""
    seen: dict[str, list] = {"flags": [], "critical": [], "flow": []}
    for cls, name, key, attr in ((StepItem, "set_flags", "flags", "step_id"),
                                 (StepItem, "set_on_critical_path", "critical", "step_id"),
                                 (FlowItem, "set_on_critical_path", "flow", "flow_id")):
        original = getattr(cls, name)

        def spy(self, *args, _original=original, _key=key, _attr=attr, **kwargs):
            seen[_key].append(getattr(self, _attr))
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(cls, name, spy)
    return seen


# ---------------------------------------------------------------- work in proportion to change


def test_an_edit_that_changes_one_steps_flags_touches_only_that_item(canvas, qtbot, calls):
    items = canvas.scene.item_for_step
    assert "low_pca" in items["b"].flags
    canvas.document.set_step_field(canvas.map.id, "b", "pca", 95)
    qtbot.waitUntil(lambda: "low_pca" not in items["b"].flags)
    assert calls["flags"] == ["b"]
    assert calls["critical"] == [] and calls["flow"] == []  # the critical path did not change
    assert "bottleneck" in items["b"].flags


def test_flags_of_many_items_show_a_slice_per_turn_and_always_the_newest(canvas, qtbot, calls):
    """Past `flag_slice` changed items, a slice shows at once and the rest one per turn (a demand
    on a 5,000-step map flags 4,300 steps); a newer analysis takes over the waiting items. At
    1,000 items a week every step is over capacity: Log 1,000 x 5 min / 2,400 min = 208 %,
    Diagnose 2,500 %, Fix 1,250 %, Close 208 % (all over 85 %, one person each)."""
    scene, items = canvas.scene, canvas.scene.item_for_step
    presenter = scene._presenter
    presenter.flag_slice = 1
    at_the_signal: list[tuple[list[str], int]] = []

    def look(_map_id: str) -> None:  # connected after the scene: runs once it has shown a slice
        at_the_signal.append((list(calls["flags"]), presenter.flags_waiting))
        if len(at_the_signal) == 2:  # a newer analysis while three wait: no demand at all
            canvas.document.set_map_field(canvas.map.id, "demand", None)
            scene.apply_analysis()

    canvas.document.analysis_changed.connect(look)
    canvas.document.set_map_field(canvas.map.id, "demand", 1000)
    qtbot.waitUntil(lambda: bool(at_the_signal))
    assert at_the_signal == [(["a"], 3)]  # one at once, three waiting
    qtbot.waitUntil(lambda: presenter.flags_waiting == 0)
    assert sorted(calls["flags"]) == ["a", "b", "c", "d"]
    assert all("over_capacity" in items[v].flags for v in "abcd")
    calls["flags"].clear()
    canvas.document.set_map_field(canvas.map.id, "demand", 2)  # 2 x 60 / 2,400 = 5 %: none over
    qtbot.waitUntil(lambda: len(at_the_signal) >= 2 and presenter.flags_waiting == 0)
    assert at_the_signal[1] == (["a"], 3)
    assert not any("over_capacity" in items[v].flags for v in "abcd")  # the newest: no demand
    assert "bottleneck" in items["b"].flags
    canvas.document.analysis_changed.disconnect(look)


def test_an_analysis_that_changes_nothing_touches_no_item(canvas, calls):
    canvas.scene.apply_analysis()
    assert calls == {"flags": [], "critical": [], "flow": []}


def test_a_critical_path_change_touches_only_the_steps_and_flows_that_left_or_joined_it(qtbot, calls):
    map_ = ValueStreamMap("Fork")  # a -> b -> d and a -> c -> d; b's branch is the slower one
    for step_id, wait, x, y in (("a", 10, 0, 0), ("b", 100, 240, 0), ("c", 20, 240, 240),
                                ("d", 10, 480, 0)):
        map_.add_step(Step(step_id.upper(), wait_time=wait, process_time=5, x=x, y=y, id=step_id))
    for source, target in (("a", "b"), ("b", "d"), ("a", "c"), ("c", "d")):
        map_.add_flow(Flow(source, target, id=source + target))
    document = Document(Project("P", [map_]))
    scene = MapScene(document, map_)
    assert [v for v in "abcd" if scene.item_for_step[v].on_critical_path] == ["a", "b", "d"]
    for seen in calls.values():
        seen.clear()
    document.set_step_field(map_.id, "c", "wait_time", 500)
    qtbot.waitUntil(lambda: scene.item_for_step["c"].on_critical_path)
    assert sorted(calls["critical"]) == ["b", "c"]
    assert sorted(calls["flow"]) == ["ab", "ac", "bd", "cd"]
    assert scene.item_for_flow["ac"].on_critical_path and not scene.item_for_flow["ab"].on_critical_path
    scene.detach()


def test_items_rebuilt_by_undo_get_their_flags_and_critical_path_back(canvas, qtbot):
    scene, document = canvas.scene, canvas.document
    document.remove(canvas.map.id, ["b"])
    qtbot.waitUntil(lambda: scene.analysis is not None and "b" not in scene.analysis.flags)
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: "bottleneck" in scene.item_for_step["b"].flags)
    assert scene.item_for_step["b"].on_critical_path
    assert scene.item_for_flow["ab"].on_critical_path and scene.item_for_flow["bc"].on_critical_path


def test_setters_that_change_nothing_leave_the_item_alone():
    item = StepItem(Step("S", id="s"))
    item.set_flags(["low_pca"], {"low_pca": "Low"})
    badge = item.badges()[0]
    item.set_flags(["low_pca"], {"low_pca": "Low"})
    assert item.badges()[0] is badge  # not rebuilt
    item.set_flags(["low_pca"], lambda step_id, flag: f"<b>{flag}</b> of {step_id}")
    assert item.badges()[0] is not badge and item.badges()[0].toolTip() == "<b>low_pca</b> of s"


# ---------------------------------------------------------------- tooltips built when shown


def test_badge_tooltips_are_built_when_shown_with_the_same_text(canvas, qtbot):
    scene = canvas.scene
    badge = next(b for b in scene.item_for_step["b"].badges() if b.flag == "bottleneck")
    reasons = {item.step_id: dict(zip(item.flags, item.reasons))
               for item in scene.analysis.steps_to_change}
    saving = scene.analysis.savings["b"]
    expected = (f"<b>Bottleneck</b><br>{reasons['b']['bottleneck']}"
                f"<br>Minutes saved by removing its wait: {saving:.0f} ({format_duration(saving)})")
    assert badge.toolTip() == expected
    assert QGraphicsItem.toolTip(badge) == ""  # nothing handed to Qt before a hover
    # A tooltip event over the badge hands Qt the same text, which it shows.
    view = canvas.view
    point = view.mapFromScene(badge.mapToScene(badge.boundingRect().center()))
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert QGraphicsItem.toolTip(badge) == expected
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == expected
    QToolTip.hideText()


def test_step_and_flow_tooltips_follow_the_model(canvas):
    step_item = canvas.scene.item_for_step["c"]
    assert step_item.toolTip().startswith("<b>Fix</b><br>Hosting · ")
    canvas.document.set_step_field(canvas.map.id, "c", "name", "Repair <it>")
    assert step_item.toolTip().startswith("<b>Repair &lt;it&gt;</b>")
    assert canvas.scene.item_for_flow["ab"].toolTip() == "Flow"


# ---------------------------------------------------------------- layout kept while nothing moves


def test_the_scene_rect_stays_while_the_ladder_totals_change(canvas, qtbot):
    scene = canvas.scene
    changes = []
    scene.sceneRectChanged.connect(changes.append)
    for wait in (250, 1250, 240):
        canvas.document.set_step_field(canvas.map.id, "b", "wait_time", wait)
        qtbot.waitUntil(lambda w=wait: scene.ladder.segments[1].wait_text == format_duration(w))
    assert changes == []


def test_the_ladder_follows_a_moved_step(canvas, qtbot):
    scene = canvas.scene
    before = scene.ladder.y()
    canvas.document.move(canvas.map.id, {"d": (240, 700)})
    qtbot.waitUntil(lambda: scene.ladder.y() > before + 400)
    assert scene.ladder.y() > scene.item_for_step["d"].sceneBoundingRect().bottom()
    assert scene.sceneRect().contains(scene.ladder.sceneBoundingRect())


# ---------------------------------------------------------------- level of detail


@pytest.mark.parametrize("cache", [QGraphicsItem.CacheMode.NoCache,
                                   QGraphicsItem.CacheMode.DeviceCoordinateCache])
def test_steps_skip_text_only_when_a_view_shows_it_unreadably_small(qapp, cache):
    item = StepItem(Step("Diagnose", wait_time=30, process_time=5, id="s"))
    item.setCacheMode(cache)
    view = QWidget()
    small = (MIN_TEXT_PIXELS - 0.5) / 14  # the name's 14 px become less than MIN_TEXT_PIXELS
    assert paint_texts(item, small, view) == []
    assert "Diagnose" in paint_texts(item, 1.0, view)
    assert "PT 5m" in paint_texts(item, 0.5, view)
    # Without a widget: an export (uncached items) gets every text, a view's cache none.
    exported = paint_texts(item, small, None)
    if cache == QGraphicsItem.CacheMode.NoCache:
        assert "Diagnose" in exported and "30m" in exported
    else:
        assert exported == []


def test_flow_labels_and_badges_skip_text_when_unreadable(qapp):
    source, target = StepItem(Step("A", id="a")), StepItem(Step("B", x=300, id="b"))
    flow = FlowItem(Flow("a", "b", share=60, id="ab"), source, target)
    view = QWidget()
    assert paint_texts(flow, 0.2, view) == []
    assert paint_texts(flow, 1.0, view) == ["60%"]
    assert paint_texts(flow, 0.2, None) == ["60%"]
    source.set_flags(["low_pca"])
    badge = source.badges()[0]
    assert paint_texts(badge, 0.2, view) == []
    assert paint_texts(badge, 1.0, view) == ["%"]


def test_the_ladder_paints_only_exposed_segments_and_no_text_when_unreadable(qapp):
    ladder = LadderItem()
    segments = [LadderSegment(i * 240 - 60.0, i * 240.0, i * 240 + 180.0, f"w{i}", f"p{i}")
                for i in range(200)]
    ladder.set_segments(segments, ["Waiting", "Processing", "Path total"])
    view = QWidget()
    texts = paint_texts(ladder, 1.0, view, QRectF(2400, 0, 500, 100))
    shown = [t for t in texts if t[:1] in "wp" and t[1:].isdigit()]
    assert 4 <= len(shown) <= 10 and "p10" in shown
    assert len(ladder.visible_segments(QRectF(2400, 0, 500, 100))) <= 5
    assert paint_texts(ladder, 0.2, view, ladder.boundingRect()) == []
    everything = paint_texts(ladder, 0.2, None, ladder.boundingRect())
    assert len(everything) == 2 * 200 + 3 + 1  # exports: every text


def test_the_ladder_repaints_after_a_scroll_as_it_paints_at_once(canvas, qtbot):
    view, scene = canvas.view, canvas.scene
    view.centerOn(scene.ladder.sceneBoundingRect().center())
    QApplication.processEvents()
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 137)
    QApplication.processEvents()
    scrolled = view.viewport().grab().toImage()
    view.viewport().update()
    QApplication.processEvents()
    assert view.viewport().grab().toImage() == scrolled


def test_zoomed_out_view_draws_boxes_without_text(canvas):
    view = canvas.view
    view.set_zoom(0.2)
    view.centerOn(QPointF(340, 60))
    image = view.viewport().grab().toImage()
    assert not image.isNull()
    item = canvas.scene.item_for_step["b"]
    name = view.mapFromScene(item.mapRectToScene(item.name_rect())).boundingRect()
    fill = item.brush_colour().name()
    colours = {image.pixelColor(QPoint(x, y)).name()
               for x in range(name.left() + 1, name.right() - 1)
               for y in range(name.top() + 1, name.bottom() - 1)}
    assert colours == {fill}  # the box is filled, the unreadable name is not drawn
    view.set_zoom(1.0)
    view.centerOn(item.mapToScene(item.box_rect().center()))
    image = view.viewport().grab().toImage()
    name = view.mapFromScene(item.mapRectToScene(item.name_rect())).boundingRect()
    assert len({image.pixelColor(QPoint(x, name.center().y())).name()
                for x in range(name.left(), name.right())}) > 2  # readable: the name is drawn


def test_a_slice_of_flags_stops_once_its_time_is_spent(canvas, qtbot, calls, monkeypatch):
    """A slice shows at most `flag_slice` items, fewer once FLAG_SLICE_SECONDS have passed in
    the turn (here none: one FLAG_CHUNK of one item a turn, though the slice allows two); the
    flags shown in the end are the analysis's. The demand of the test above: every step over
    capacity."""
    import ui.canvas.analysis_presenter as analysis_presenter

    monkeypatch.setattr(analysis_presenter, "FLAG_SLICE_SECONDS", 0.0, raising=False)
    monkeypatch.setattr(analysis_presenter, "FLAG_CHUNK", 1, raising=False)
    scene, items = canvas.scene, canvas.scene.item_for_step
    presenter = scene._presenter
    presenter.flag_slice = 2
    at_the_signal: list[tuple[list[str], int]] = []
    look = lambda _map_id: at_the_signal.append((list(calls["flags"]), presenter.flags_waiting))  # noqa: E731
    canvas.document.analysis_changed.connect(look)
    canvas.document.set_map_field(canvas.map.id, "demand", 1000)
    qtbot.waitUntil(lambda: bool(at_the_signal))
    assert at_the_signal == [(["a"], 3)]  # one item in the first turn, not two
    qtbot.waitUntil(lambda: presenter.flags_waiting == 0)
    assert sorted(calls["flags"]) == ["a", "b", "c", "d"]
    assert all("over_capacity" in items[v].flags for v in "abcd")
    canvas.document.analysis_changed.disconnect(look)


def test_a_switch_to_the_last_valid_figures_and_back_touches_only_what_changed(canvas, qtbot,
                                                                               calls):
    """A loop (c -> b, not marked rework) stops the analysis: the canvas keeps the last valid
    figures, the problem's steps get its badge and every other badge fades; the critical path is
    the last valid one, as shown. Only the steps whose flags changed are given them and no item
    its critical path again (a switch on the 20,000-step map gave all 20,000 steps their flags
    and critical path again, 131-175 ms in one turn). The undo switches back alike."""
    scene, document, items = canvas.scene, canvas.document, canvas.scene.item_for_step
    presenter = scene._presenter
    flagged = {v for v in "abcd" if items[v].flags}
    assert "b" in flagged  # the bottleneck, at 70 % C&A
    document.add_flow(canvas.map.id, "c", "b")
    qtbot.waitUntil(lambda: presenter.stale and presenter.flags_waiting == 0)
    loop = {v for v in "abcd" if "problem" in items[v].flags}
    assert loop == {"b", "c"}
    assert sorted(calls["flags"]) == sorted(loop)
    assert calls["critical"] == []  # a -> b -> c -> d, the last valid path, shown already
    assert len(calls["flow"]) == 1  # the new flow c -> b: not on it
    for step_id in flagged | loop:
        for badge in items[step_id].badges():
            assert badge.opacity() == (1.0 if badge.flag == "problem" else 0.4), (step_id, badge.flag)
    for seen in calls.values():
        seen.clear()

    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not presenter.stale and presenter.flags_waiting == 0)
    assert sorted(calls["flags"]) == sorted(loop)  # their problem badge gone
    assert calls["critical"] == [] and calls["flow"] == []
    assert not any("problem" in items[v].flags for v in "abcd")
    assert {v for v in "abcd" if items[v].flags} == flagged
    assert all(badge.opacity() == 1.0 for v in flagged for badge in items[v].badges())
    # The steps given their flags together share the function that writes their badges'
    # tooltips: one made per step (and its bound method) was 40,000 objects on the 20,000-step
    # map for the next young collection to walk.
    assert len({id(items[v].flag_tooltips) for v in loop}) == 1
    bottleneck = next(b for b in items["b"].badges() if b.flag == "bottleneck")
    assert bottleneck.toolTip().startswith("<b>Bottleneck</b><br>")  # b's reasons, as before
    assert bottleneck.toolTip() == presenter.flag_tooltip("b", "bottleneck")
