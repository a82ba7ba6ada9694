"""The canvas shows measured counts: a step's box and a flow's label carry "n = …"; under 30
cases the item is drawn low confidence (dotted outline, greyed fill) and its tooltip says so."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

from tests.pure.test_measured_display import measured_project
from ui.canvas.scene import MapScene
from ui.document.document import Document


def _render(scene: MapScene) -> QImage:
    rect = scene.itemsBoundingRect()
    image = QImage(int(rect.width()) + 2, int(rect.height()) + 2, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, source=rect)
    painter.end()
    return image


def test_counts_and_low_confidence(qtbot):
    document = Document(measured_project())
    map_ = document.project.maps[0]
    scene = MapScene(document, map_)
    triage, fix = map_.steps
    flow = map_.flows[0]
    label = scene.item_for_flow[flow.id].label
    assert label == "n = 12"
    assert "12 cases took this route — fewer than 30" in scene.item_for_flow[flow.id].tooltip_text()
    assert "Measured: 1,200 cases visited it (1,300 visits)" in \
        scene.item_for_step[triage.id].tooltip_text()
    assert "low-confidence" not in scene.item_for_step[triage.id].tooltip_text()
    assert "Measured: 12 cases visited it (12 visits) — fewer than 30, so a low-confidence" in \
        scene.item_for_step[fix.id].tooltip_text()
    assert not _render(scene).isNull()  # both looks paint
    scene.detach()


def test_the_legend_explains_counts_on_a_mined_map_only(qtbot):
    document = Document(measured_project())
    scene = MapScene(document, document.project.maps[0])
    scene.layout_decorations()
    assert "Dotted, greyed: under 30 cases" in scene.legend._shapes_text()
    for step in document.project.maps[0].steps:
        document.project.maps[0].set_step_field(step.id, "cases", None)
    scene.layout_decorations()
    assert "cases" not in scene.legend._shapes_text()
    scene.detach()
