"""While shares are typed that do not add up yet, the last valid figures stay, greyed, with the
problem beside them (the issue "The editor in the workshop room": figures vanish while typing
shares).

The map: a (wait 10m, process 10m) splits into three alternative routes,
    a -> b 50 %,  a -> c 30 %,  a -> d 20 %,  b = 20m + 10m,  c = 60m + 10m,  d = 30m + 10m.
    T(a) = 20 + 0.5 x 30 + 0.3 x 70 + 0.2 x 40 = 20 + 15 + 21 + 8 = 64m   -> lead time "1h 4m"
    process time = 10 + 0.5 x 10 + 0.3 x 10 + 0.2 x 10 = 20m             -> "20m"
    critical path a -> b (the ladder: waits 10m, 20m; processes 10m, 10m; "Once through 50m")
    flags: long wait on a, b and c, bottleneck on c.
Typing 40 as the first share: 40 + 30 + 20 = 90 %, a blocking problem on a ("add up to 90%").
Typing 40 as the second: 40 + 40 + 20 = 100 % again,
    T(a) = 20 + 0.4 x 30 + 0.4 x 70 + 0.2 x 40 = 20 + 12 + 28 + 8 = 68m -> "1h 8m", fresh.
"""

from __future__ import annotations

import pytest

from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import make_map, share
from ui.canvas.scene import MapScene
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.model import Flow, Project

PROBLEM = "add up to 90%"  # from "Step 'a': the shares of its routes add up to 90%, not 100%."


def split_map():
    return make_map({"a": (10, 10, 100, {"x": 0}), "b": (20, 10, 100, {"x": 240}),
                     "c": (60, 10, 100, {"x": 480}), "d": (30, 10, 100, {"x": 720})},
                    [("a", "b", share(50)), ("a", "c", share(30)), ("a", "d", share(20))])


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [split_map()]), autosave=False))


def metrics_panel(qtbot, document: Document) -> MetricsPanel:
    panel = MetricsPanel(document)
    qtbot.addWidget(panel)
    panel.set_map(document.project.maps[0])
    return panel


def flow_id(canvas, target: str) -> str:
    return next(f.id for f in canvas.map.flows if f.source == "a" and f.target == target)


def test_last_valid_figures_stay_greyed_while_the_shares_do_not_add_up(canvas, qtbot):
    scene, document, map_id = canvas.scene, canvas.document, canvas.map.id
    metrics = metrics_panel(qtbot, document)
    qtbot.waitUntil(lambda: metrics.lead_time_text() == "1h 4m", timeout=3000)
    assert not metrics.figures_stale() and metrics.reason.message() == ""
    assert scene.summary.rows[0] == ("Lead time", "1h 4m") and not scene.summary.stale
    ladder = list(scene.ladder.segments)
    assert [s.wait_text for s in ladder] == ["10m", "20m"]  # the critical path a -> b
    assert scene.ladder.totals[-1] == "Once through 50m" and not scene.ladder.stale
    assert "bottleneck" in scene.item_for_step["c"].flags

    # The first of the three shares typed, as the properties pane would: 40 + 30 + 20 = 90 %.
    document.set_flow_field(map_id, flow_id(canvas, "b"), "share", 40)
    qtbot.waitUntil(lambda: not document.analysis(map_id).ok, timeout=3000)
    qtbot.waitUntil(lambda: PROBLEM in metrics.reason.message(), timeout=3000)

    # The metrics panel keeps the previous figures (not "–"), greyed and captioned, and says why.
    assert metrics.lead_time_text() == "1h 4m"
    assert metrics.figure_text("process_time") == "20m"
    assert metrics.figures_stale()
    lead = metrics.figures["lead_time"]
    assert lead.caption.text() == "Lead time (last valid)" and "color:" in lead.value.styleSheet()
    assert "last valid" in metrics.reason.message()
    # The canvas keeps the summary, the ladder, the badges and the critical path, greyed, with
    # the problem under the summary and a problem badge on a.
    assert scene.summary.rows[0] == ("Lead time", "1h 4m")
    assert scene.summary.stale and scene.summary.title() == "Summary (last valid)"
    assert PROBLEM in " ".join(scene.summary.hint_lines)
    assert scene.ladder.segments == ladder and scene.ladder.stale
    assert "Last valid" in scene.ladder.caption()
    items = scene.item_for_step
    assert "bottleneck" in items["c"].flags and "problem" in items["a"].flags
    assert items["a"].on_critical_path and items["b"].on_critical_path
    opacity = {b.flag: b.opacity() for b in items["a"].badges()}
    assert opacity["long_wait"] < 1.0 and opacity["problem"] == 1.0  # the problem is current
    # The analysis itself stays the real one: no figures (what exports and the deck read).
    assert document.analysis(map_id).lead_time is None

    # The second share completes them: 40 + 40 + 20 = 100 %, fresh figures, nothing greyed.
    document.set_flow_field(map_id, flow_id(canvas, "c"), "share", 40)
    qtbot.waitUntil(lambda: metrics.lead_time_text() == "1h 8m", timeout=3000)
    assert not metrics.figures_stale() and metrics.reason.message() == ""
    assert metrics.figures["lead_time"].caption.text() == "Lead time"
    assert metrics.figures["lead_time"].value.styleSheet() == ""
    qtbot.waitUntil(lambda: scene.summary.rows[0] == ("Lead time", "1h 8m"), timeout=3000)
    assert not scene.summary.stale and scene.summary.hint_lines == []
    assert not scene.ladder.stale
    assert "problem" not in items["a"].flags
    assert all(b.opacity() == 1.0 for b in items["c"].badges())


def test_a_scene_for_export_shows_the_real_state(canvas, qtbot):
    """An export's scene (show_last_valid False) shows blanks and the problem, never stale
    figures; so does a map that was never valid."""
    document, map_ = canvas.document, canvas.map
    qtbot.waitUntil(lambda: canvas.scene.summary.rows[0] == ("Lead time", "1h 4m"), timeout=3000)
    document.set_flow_field(map_.id, flow_id(canvas, "b"), "share", 40)
    qtbot.waitUntil(lambda: canvas.scene.summary.stale, timeout=3000)
    export = MapScene(document, map_)
    try:
        export.show_last_valid = False  # what ui.render.images.export_scene sets
        export.apply_analysis()
        assert export.summary.rows[0] == ("Lead time", "–") and not export.summary.stale
        assert export.ladder.segments == [] and not export.ladder.stale
        assert not any(item.on_critical_path for item in export.item_for_step.values())
        assert export.item_for_step["c"].flags == []
    finally:
        export.detach()


def test_a_map_never_valid_shows_blanks_and_the_problem(qtbot):
    looped = make_map({"A": (10, 10), "B": (10, 10)})
    looped.add_flow(Flow("A", "B"))
    looped.add_flow(Flow("B", "A"))
    document = Document(Project("P", [looped]), autosave=False)
    metrics = metrics_panel(qtbot, document)
    qtbot.waitUntil(lambda: "loop" in metrics.reason.message(), timeout=3000)
    assert metrics.lead_time_text() == "–" and not metrics.figures_stale()
    scene = MapScene(document, looped)
    try:
        assert scene.summary.rows[0] == ("Lead time", "–") and not scene.summary.stale
        assert "loop" in " ".join(scene.summary.hint_lines)
    finally:
        scene.detach()


def test_pictures_show_the_real_state_never_the_greyed_figures(qtbot):
    from ui.render.images import export_scene

    document = Document(Project("P", [split_map()]), autosave=False)
    map_id = document.project.maps[0].id
    assert document.analysis(map_id).ok  # 1h 4m: a valid analysis the editor would keep
    flow = next(f.id for f in document.project.maps[0].flows if f.target == "b")
    document.set_flow_field(map_id, flow, "share", 40)  # 90 %: blocked
    with export_scene(document, map_id) as scene:
        assert scene.summary.rows[0] == ("Lead time", "–") and not scene.summary.stale
        assert scene.ladder.segments == []
