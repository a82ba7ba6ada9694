"""Showing another map or document without a long block. A costly map's panels are given the map one per turn of the event loop (ui.window.panel_filling):
in the turn the document is shown no panel shows any map (neither the new one, nor the old
document's), and once the last one has it, every panel shows what a fresh window on the same
map shows, with the canvas's selection. An ordinary map's panels get it at once.

"Costly" is the live analysis' threshold lowered to one step (`live.async_steps = 1`). The map:
tests.helpers.maps.restore_map (steps a, b, c, d; flows ab, bc, cd), lead time
(10 + 5) + (240 + 60) + (30 + 30) + (0 + 5) = 380 min = 6h 20m.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsScene

from tests.helpers.maps import restore_map
from ui.document.document import Document
from vsm.model import Project


def costly_document() -> Document:
    document = Document(Project("P", [restore_map()]))
    document.live.async_steps = 1
    return document


def panels(window) -> list:
    return [window.properties, window.table, window.metrics, window.problems,
            window.description, window.automation]


def shown(window) -> dict[str, object]:
    """What the panels show that a fresh window's must match."""
    model = window.table.model
    return {"rows": [model.step_id(row) for row in range(model.rowCount())],
            "lead time": window.metrics.lead_time_text(),
            "page": window.properties.current_page(),
            "properties' steps": window.properties.step_ids,
            "table's steps": window.table.selected_step_ids(),
            "problems": [p.message for p in window.problems.problems()],
            "candidates": window.automation.lines()}


def counting(window) -> bool:
    """Whether the automation pane still says it is counting."""
    return any(line.startswith("Updating") for line in window.automation.lines())


def test_a_costly_maps_panels_get_it_one_per_turn_and_end_as_in_a_fresh_window(make_window,
                                                                               qtbot):
    window = make_window()
    old_map = window.current_map()
    document = costly_document()
    window.set_document(document)
    map_ = document.project.maps[0]
    assert window.current_map() is map_
    assert window.panel_filling.pending
    assert all(panel.map is None for panel in panels(window))  # not the old map either
    assert old_map is not None
    window.current_view().scene().select_steps(["b"])  # before the panels have the map
    qtbot.waitUntil(lambda: not window.panel_filling.pending, timeout=5000)
    assert all(panel.map is map_ for panel in panels(window))
    qtbot.waitUntil(lambda: window.metrics.lead_time_text() == "6h 20m", timeout=5000)
    fresh = make_window(costly_document())
    qtbot.waitUntil(lambda: not fresh.panel_filling.pending, timeout=5000)
    fresh.current_view().scene().select_steps(["b"])
    qtbot.waitUntil(lambda: fresh.metrics.lead_time_text() == "6h 20m", timeout=5000)
    for each in (window, fresh):  # the automation candidates are counted in a child process:
        # their "Updating…" line may outlast the figures on a busy machine
        qtbot.waitUntil(lambda each=each: not counting(each), timeout=10000)
    assert shown(window) == shown(fresh)
    assert shown(window)["page"] == "step" and shown(window)["properties' steps"] == ["b"]
    assert shown(window)["table's steps"] == ["b"]
    assert shown(window)["rows"] == ["a", "b", "c", "d"]


def test_a_newer_map_supersedes_the_panels_still_waiting(make_window, qtbot):
    document = Document(Project("P", [restore_map(), restore_map()]))  # two costly maps
    document.live.async_steps = 1
    window = make_window(document)
    qtbot.waitUntil(lambda: not window.panel_filling.pending, timeout=5000)
    first, second = document.project.maps
    window.tabs.show_map(second.id)
    assert window.panel_filling.pending
    window.tabs.show_map(first.id)  # before the panels had the second map
    qtbot.waitUntil(lambda: not window.panel_filling.pending, timeout=5000)
    assert all(panel.map is first for panel in panels(window))


def test_an_ordinary_maps_panels_get_it_at_once(make_window):
    window = make_window(Document(Project("P", [restore_map()])))
    map_ = window.current_map()
    assert not window.panel_filling.pending
    assert all(panel.map is map_ for panel in panels(window))


def test_the_old_documents_scenes_drop_their_index_before_they_are_deleted(make_window, qtbot):
    """Each item of a scene with an index is taken out of it when the scene is deleted, one by
    one: the 5,000-step map's scene took 64 ms to delete, 11 ms without its index."""
    window = make_window(Document(Project("P", [restore_map()])))
    old_scene = window.current_view().scene()
    assert old_scene.itemIndexMethod() == QGraphicsScene.ItemIndexMethod.BspTreeIndex
    window.set_document(Document(Project("Q", [restore_map()])))
    qtbot.waitUntil(  # in a coming turn: not in the one that shows the new document
        lambda: old_scene.itemIndexMethod() == QGraphicsScene.ItemIndexMethod.NoIndex)
    assert window.current_view().scene().itemIndexMethod() == (
        QGraphicsScene.ItemIndexMethod.BspTreeIndex)  # the new one keeps its index
