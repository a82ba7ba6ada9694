"""The editor's and the A3 report's words: the ladder is the critical path once through, not the
lead time; a step's %C&A is the share of its output the next step can use as it is.

loop_map: A (30 + 10) -> B (60 + 10) -> C (0 + 10), 20 % of C's work back to A. The critical path
once through takes 120m = "2h"; the lead time, with the rework, is 150m = "2h 30m".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest
from PySide6.QtCore import Qt

from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import loop_map, two_step_map
from tests.pure.test_one_meaning import says_output
from ui.canvas.analysis_presenter import SUMMARY_TOOLTIP
from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from ui.panels.step_table import COLUMN, StepTablePanel
from ui.render.a3_report import export_a3
from ui.render.images import export_scene
from vsm.analysis import analyse
from vsm.model import Project


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [loop_map()]), autosave=False))


def test_the_ladder_says_it_is_not_the_lead_time(canvas, qtbot):
    ladder = canvas.scene.ladder
    qtbot.waitUntil(lambda: ladder.lead_time == "2h 30m", timeout=3000)
    assert ladder.totals[-1] == "Once through 2h"
    caption = ladder.caption()
    assert "Path total" not in caption and "Lead-time ladder" not in caption
    assert ("Once through it takes 2h, not the lead time (2h 30m), which also counts rework and "
            "the shares of alternative routes.") in caption
    assert "not the lead time" in ladder.toolTip()
    # The caption fits in the ladder's bounds, so it is painted and repainted whole.
    assert ladder.boundingRect().height() >= 64 + 22 + 2 * 18
    # Without the rework, the two agree, and the caption says that instead.
    canvas.document.remove(canvas.map.id, flow_ids=["ca"])
    qtbot.waitUntil(lambda: ladder.lead_time == "2h", timeout=3000)
    assert "Once through it takes 2h, here equal to the lead time." in ladder.caption()
    assert "not the lead time" not in ladder.caption()


def test_the_ladder_follows_a_change_that_moves_only_the_lead_time(canvas, qtbot):
    # A rework probability changes the lead time but not the path's steps or their times.
    ladder = canvas.scene.ladder
    qtbot.waitUntil(lambda: ladder.lead_time == "2h 30m", timeout=3000)
    canvas.document.set_flow_field(canvas.map.id, "ca", "probability", 50)
    # T(A) = 120 + 0.5 T(A): 240m.
    qtbot.waitUntil(lambda: ladder.lead_time == "4h", timeout=3000)
    assert "not the lead time (4h)" in ladder.caption()


def test_the_a3_report_labels_its_ladder_the_same_way(qapp, tmp_path):
    document = Document(Project("P", [loop_map()]), autosave=False)
    map_id = document.project.maps[0].id
    with export_scene(document, map_id) as scene:
        assert "not the lead time (2h 30m)" in scene.ladder.caption()
        assert scene.ladder.totals[-1] == "Once through 2h"
    if shutil.which("pdftotext"):
        path = tmp_path / "loop.pdf"
        export_a3(document, path)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        text = " ".join(unicodedata.normalize("NFKC", text).split())
        assert re.search(r"Once through it takes 2h, not the lead time \(2h 30m\)", text), text


def test_every_pca_text_of_the_editor_speaks_of_the_output(qtbot):
    map_ = two_step_map()
    map_.set_step_field("A", "pca", 70)
    document = Document(Project("P", [map_]), autosave=False)
    properties = PropertiesPanel(document)
    qtbot.addWidget(properties)
    properties.set_map(map_)
    properties.set_selection(["A"], [])
    table = StepTablePanel(document)
    qtbot.addWidget(table)
    table.set_map(map_)
    header = table.model.headerData(COLUMN["pca"], Qt.Orientation.Horizontal,
                                    Qt.ItemDataRole.ToolTipRole)
    with export_scene(document, map_.id) as scene:
        step_tip = scene.item_for_step["A"].toolTip()
    reason = next(r for item in analyse(map_).steps_to_change for r in item.reasons
                  if "complete and accurate" in r)
    texts = {"properties": properties.step_fields["pca"].editor.toolTip(),
             "step table": header, "canvas": step_tip.split("<br>")[3], "flag": reason}
    assert all(says_output(text) for text in texts.values()), texts
    assert "70%" in texts["canvas"] and "70%" in texts["flag"]
    assert "every step hands the work on complete and accurate" in SUMMARY_TOOLTIP
