"""The step table's saving and flags show the figures the live analysis has (issue 19): painting
never analyses, and while the worker recomputes a large map's figures the table shows the
previous ones greyed, marked as updating, until the newest state's arrive.

loop_map (tests/helpers/maps.py): lead time 150 minutes; without B's wait of 60 minutes,
T(A) = 40 + 10 + T(C) = 60 + 0.2 T(A) -> 75, so B's saving is 150 - 75 = 75 minutes ("1h 15m");
once B's wait is 0, removing it saves nothing and the cell is empty.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.document.test_analysis_off_thread import Gate, gated_document
from tests.helpers.maps import loop_map
from ui.document.document import Document
from ui.panels.step_table import COLUMN, COLUMNS, UPDATING_COLOUR, StepTableModel
from vsm.model import Project

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
         Qt.ItemDataRole.ForegroundRole)


def paint_all(model: StepTableModel) -> None:
    """Ask every cell what a paint and its tooltips ask."""
    for row in range(model.rowCount()):
        for column in range(len(COLUMNS)):
            for role in ROLES:
                model.data(model.index(row, column), role)


def saving_of(model: StepTableModel, step_id: str, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(model.row_of(step_id), COLUMN["saving"]), role)


def test_painting_the_table_never_analyses_and_new_figures_follow(qtbot, monkeypatch):
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_ = doc.project.maps[0]
    model = StepTableModel(doc)
    model.set_map(map_)
    assert saving_of(model, "B") == "1h 15m"
    analysed: list[str] = []
    analyse_now = doc.live._analyse_now
    monkeypatch.setattr(doc.live, "_analyse_now",
                        lambda m: analysed.append(m.id) or analyse_now(m))
    doc.set_step_field(map_.id, "B", "wait_time", 0)
    paint_all(model)  # before the analysis' turn: the previous figures, and no analysis
    assert analysed == []
    assert saving_of(model, "B") == "1h 15m"
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: changed.append((first.row(), last.row())))
    with qtbot.waitSignal(doc.analysis_changed):
        pass
    assert analysed == [map_.id]  # the live analysis' own, once
    assert saving_of(model, "B") == ""
    assert changed  # the rows whose figures changed were repainted


def test_while_the_worker_runs_the_previous_figures_show_as_updating(qtbot, monkeypatch):
    gate = Gate()
    doc, map_id = gated_document(gate, monkeypatch)
    model = StepTableModel(doc)
    model.set_map(doc.project.maps[0])
    monkeypatch.setattr(doc.live, "_analyse_now", lambda m: (_ for _ in ()).throw(
        AssertionError("an analysis on the GUI thread")))
    assert saving_of(model, "B") == "1h 15m"
    assert saving_of(model, "B", Qt.ItemDataRole.ForegroundRole) is None
    doc.set_step_field(map_id, "B", "wait_time", 0)
    qtbot.waitUntil(lambda: model.updating)
    paint_all(model)
    assert saving_of(model, "B") == "1h 15m"  # the previous figure, greyed
    assert saving_of(model, "B", Qt.ItemDataRole.ForegroundRole) == UPDATING_COLOUR
    assert saving_of(model, "B", Qt.ItemDataRole.ToolTipRole).startswith("Updating")
    gate.release.set()
    qtbot.waitUntil(lambda: not model.updating, timeout=10_000)
    assert saving_of(model, "B") == ""
    assert saving_of(model, "B", Qt.ItemDataRole.ForegroundRole) is None
