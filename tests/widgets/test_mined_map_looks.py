"""A mined map reads in the editor and its pictures: no flow label covers another flow's label,
a step box or a step's badges (the routing of ui.canvas.routes, which the editor and the PNG,
SVG and PDF exports share); a step's name fits above its team line; the activity keeps the
strip and the count goes in the data box; Auto-Layout keeps the path most cases take on a line."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF

from tests.helpers.mining import mined_service_desk
from ui.canvas.items import StepItem
from ui.canvas.items.fonts import NAME_FLOOR, NAME_PIXELS, ONE_LINE_FLOOR
from ui.canvas.items.step_item import TEAM_TOP
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from ui.render.images import as_document, export_scene
from vsm.files.formats import load_project
from vsm.model import Step
from vsm.model.routing import Box, overlaps


def _box(rect) -> Box:
    return Box(rect.left(), rect.top(), rect.right(), rect.bottom())


def test_flow_labels_of_a_mined_map_cover_nothing(qtbot, tmp_path, capsys):
    project = load_project(mined_service_desk(capsys, tmp_path))
    map_ = project.maps[0]
    assert len(map_.flows) == 9 and sum(f.kind == "rework" for f in map_.flows) == 3
    with export_scene(as_document(project), map_.id) as scene:
        labels = [(item.label, _box(item.label_rect()))
                  for item in scene.item_for_flow.values() if item.label]
        others = []
        for item in scene.item_for_step.values():
            others.append((f"box of {item.step.name}",
                           _box(item.mapRectToScene(item.box_rect()))))
            others += [(f"badge of {item.step.name}", _box(badge.sceneBoundingRect()))
                       for badge in item.badges()]
        assert len(labels) == 9  # every flow carries its count at least
        assert all(item.routed for item in scene.item_for_flow.values())
        found = [(a, b) for index, (a, box) in enumerate(labels)
                 for b, other in labels[index + 1:] + others if overlaps(box, other)]
    # Before labels could leave their line, three collided on this map: a share under a
    # rework label, a share over the vendor's box, another share under the vendor's rework.
    assert found == []


def _name_bottom(item: StepItem) -> float:
    """Where the name's lines end (they are centred in the name's area)."""
    lines, _, _ = item.texts()
    area = item.name_rect()
    used = QFontMetricsF(item.name_font()).height() * len(lines)
    return area.top() + (area.height() + used) / 2


def test_a_vendors_name_fits_above_its_team_line(qtbot):
    vendor = StepItem(Step(name="Acme Telecom (vendor)", team="Acme Telecom (vendor)",
                           performer="vendor", cases=1174, visits=1180))
    lines, _, _ = vendor.texts()
    # 185 px in the bold 14 px font, more than the 166 px between the paddings (180 - 2 x 7):
    # shrunk to one line rather than wrapped onto the team line
    assert lines == ["Acme Telecom (vendor)"]
    assert ONE_LINE_FLOOR <= vendor.name_font().pixelSize() < NAME_PIXELS
    assert _name_bottom(vendor) <= TEAM_TOP
    longer = StepItem(Step(name="Network Operations Centre Escalations"))
    lines, _, _ = longer.texts()
    metrics = QFontMetricsF(longer.name_font())
    assert len(lines) == 2 and " ".join(lines) == longer.step.name  # every word shows
    assert all(metrics.horizontalAdvance(line) <= longer.name_rect().width() for line in lines)
    assert _name_bottom(longer) <= TEAM_TOP
    endless = StepItem(Step(name=" ".join(["Supercalifragilistic"] * 8)))
    lines, _, _ = endless.texts()
    assert endless.name_font().pixelSize() == NAME_FLOOR and lines[-1].endswith("…")
    assert _name_bottom(endless) <= TEAM_TOP
    assert endless.step.name in endless.tooltip_text()  # the whole name, where it is cut
    short = StepItem(Step(name="Network"))
    assert short.texts()[0] == ["Network"] and short.name_font().pixelSize() == NAME_PIXELS


def test_the_activity_keeps_the_strip_and_the_count_goes_in_the_data_box(qtbot):
    item = StepItem(Step(name="Network", activity="deliver_support", cases=6497, visits=7000))
    assert item.strip_texts() == ("Deliver & support", "")  # not "Deliver & s…"
    busy = StepItem(Step(name="Network", activity="deliver_support", cases=6497, people=2))
    label, count = busy.strip_texts()  # People takes the data box's cell: count on the strip
    assert count == "n = 6,497" and label.endswith("…")


def test_auto_layout_keeps_the_path_most_cases_take_on_a_line(qtbot, tmp_path, capsys):
    project = load_project(mined_service_desk(capsys, tmp_path))
    document = Document(project)
    map_ = project.maps[0]
    names = {step.name: step for step in map_.steps}
    desk, end = names["Service Desk"], names["End"]
    assert (desk.y, end.y) == (0.0, 0.0)  # as mined: 58.9 % go from the desk straight to End
    document.move(map_.id, {desk.id: (0.0, 400.0), end.id: (900.0, -300.0)})
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    assert view.auto_layout()
    # the longest chain (desk, Network, the vendor) would take the line without the main path
    assert desk.y == end.y and names["Network"].y != desk.y
    scene.detach()
