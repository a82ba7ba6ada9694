"""The A3 report of a map using what stakeholders ask (issue 18): the ITIL 4 description beside
the map, the target and experience beside the lead time, a "Who holds the work, cost" column
(stacked bar in the palette's colours, legend with minutes and %, wait on vendors, cost,
automation candidates) and what each step to change is worth. A map using none of it keeps the
report it had.

The map (tests/pure/test_stakeholder_deck.py's): lead time 225 min = 3h 45m; internal 40
(17.8 %), vendor 180 (80.0 %), customer 5 (2.2 %); waiting on vendors 2h (53.3 %); cost per
item €110, per week €2,200, per month €9,533; automation B 86.7 h/month (€7,800/month).
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from tests.e2e.test_a3_report import pdf_text
from tests.helpers.maps import export_project, make_map
from ui.document.document import Document
from ui.render.a3_report import export_a3, paint_report_page
from vsm.model import Experience, Project, ValueStreamDescription
from vsm.palette import PERFORMER_COLOURS


def line_project() -> Project:
    map_ = make_map({"A": (30, 10, 100, {"team": "Desk", "people": 2}),
                     "B": (120, 60, 100, {"team": "V", "performer": "vendor"}),
                     "C": (0, 5, 100, {"performer": "customer"})},
                    [("A", "B"), ("B", "C")], name="Now")
    for index, step in enumerate(map_.steps):
        map_.set_step_field(step.id, "x", 240.0 * index)
    map_.set_field("team_rates", {"Desk": 60, "V": 90})
    map_.set_field("demand", 20)
    map_.set_field("demand_period", "week")
    map_.set_field("target_lead_time", "3h")
    map_.set_field("experience", Experience("csat", 71, 412))
    map_.set_field("itil", ValueStreamDescription(
        trigger="A user reports that the payroll service is down.",
        stakeholders="Users, service desk, hosting vendor."))
    map_.set_step_field("A", "practices", ("service_desk",))
    return Project("Payroll", [map_])


def test_the_report_says_what_stakeholders_ask(qapp, tmp_path):
    target = tmp_path / "report.pdf"
    export_a3(line_project(), target, today=date(2026, 12, 6))
    text = pdf_text(target)
    if text is None:
        pytest.skip("pdftotext is not installed")
    for expected in ("ITIL 4 description", "Trigger", "A user reports that the payroll service "
                     "is down.", "Stakeholders", "ITIL 4 practices", "Service desk (1 step)",
                     "Target 3h", "missed by 45m", "CSAT 71% (412 responses)",
                     "Who holds the work, cost", "Internal team 40m (17.8%)",
                     "Vendor 3h (80.0%)", "Customer 5m (2.2%)",
                     "Waiting on vendors: 2h (53.3% of the lead time)", "Cost per item: €110.00",
                     "per week: €2,200.00", "per month: €9,533.33",
                     "1. B — 86.7 h/month freed (€7,800.00/month)", "Steps to change",
                     "Improvement plan"):
        assert expected in text, expected


def test_the_bar_is_drawn_in_the_performer_colours(qapp):
    document = Document(line_project())
    image = QImage(2000, 1414, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_report_page(painter, QRectF(0, 0, 2000, 1414), document,
                      document.project.maps[0].id, stamp="2026-12-06")
    painter.end()
    lower = image.copy(0, int(1414 * 0.62), 2000, int(1414 * 0.38))  # under the map
    counts = {key: 0 for key in PERFORMER_COLOURS}
    wanted = {QColor(colour).rgb(): key for key, colour in PERFORMER_COLOURS.items()}
    for y in range(0, lower.height(), 2):
        for x in range(0, lower.width(), 2):
            key = wanted.get(lower.pixel(x, y))
            if key is not None:
                counts[key] += 1
    # the vendor's part (80 %) is the largest, the customer's (2.2 %) the smallest drawn
    assert counts["vendor"] > counts["internal"] > counts["customer"] > 0
    assert counts["automated"] == 0  # no automated step: no such part, no swatch
    document.deleteLater()


def test_a_map_without_it_keeps_its_report(qapp, tmp_path):
    target = tmp_path / "plain.pdf"
    export_a3(export_project("A3 test", kaizens=1), target, today=date(2026, 1, 2))
    text = pdf_text(target)
    if text is None:
        pytest.skip("pdftotext is not installed")
    assert "Who holds the work" not in text and "ITIL 4 description" not in text
    assert "Figures" in text and "Steps to change" in text and "Improvement plan" in text


def test_every_figure_keeps_its_value_when_target_and_experience_take_room(qapp, tmp_path):
    # The onboarding template's current state has a target (three lines at its size), an
    # experience score and a demand (so a takt time): at 16 pt the figures column ran out of
    # room and drew the step count's label without its value and no takt time at all. Now the
    # values shrink (to 14 pt here) and, where even 12 pt is short, the step count goes first.
    from vsm.files.bundled import new_from_template

    target = tmp_path / "onboard.pdf"
    project = new_from_template("onboard-a-new-employee")
    export_a3(project, target, [project.maps[0].id], today=date(2026, 12, 6))
    text = pdf_text(target)
    if text is None:
        pytest.skip("pdftotext is not installed")
    # takt time: a week of 5 working days of 8h = 2,400 minutes / 4 starters a week = 600
    # minutes = 10h of working time
    assert "Takt time, of working time (8h days) 10h" in text
    assert "Target 1w ✘ missed by 1w 2d" in text  # 2w 2d expected against 1w
    assert "29.9 % Steps 1." not in text  # the step count's label, alone, then the next column
