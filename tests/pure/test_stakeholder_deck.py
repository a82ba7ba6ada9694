"""What stakeholders ask, on the deck (issue 18): the ITIL 4 description beside or under the map
(never over it, the map keeping its number of slides), the "who holds the work, cost and
automation" slide, the target and experience among the figures, and the comparison current ->
future. With LibreOffice and pdftotext (skipped otherwise) the rendered pages show every word
whole and no words over each other.

The map (as tests/pure/test_stakeholder_analysis.py's line):
  A  internal, team Desk, 2 people: wait 30, process 10
  B  vendor, team V:                wait 120, process 60
  C  customer, no team:             wait 0, process 5
  lead time 225 min = 3h 45m; internal 40 (17.8 %), vendor 180 (80.0 %), customer 5 (2.2 %);
  waiting on vendors 120 = 2h (53.3 %). Rates Desk €60/h, V €90/h; demand 20 per week:
  cost per item A 1 x 10/60 h x 2 x 60 = 20 + B 1 h x 90 = 90 -> €110; per week €2,200;
  per month 110 x 20 x 10,400 / 2,400 = €9,533.33.
  Automation: B 1 h/item x 86.667 items a month = 86.7 h/month (x 90 = €7,800/month).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation

from tests.helpers.deck_checks import broken_words, overlapping_words, render_pdf
from tests.helpers.deck_geometry import (
    connectors_through_boxes,
    shape_bounds,
    shapes_outside_slide,
    walk_shapes,
)
from tests.helpers.maps import make_map
from vsm.analysis import analyse
from vsm.analysis.compare import compare_maps
from vsm.analysis.stakeholder_words import comparison_rows, money, target_words
from vsm.analysis.targets import attainment
from vsm.export.deck import export_pptx
from vsm.export.slide_layout import plan_map_pages
from vsm.export.stakeholder_slides import (
    BODY,
    LIST_GAP,
    SHORT_CUT,
    description_lines,
    plan_with_description,
)
from vsm.export.text import line_height
from vsm.files.bundled import new_from_template
from vsm.model import Experience, Project, ValueStreamDescription
from vsm.model.duplicate import future_state_of

RENDERING = shutil.which("libreoffice") is not None and shutil.which("pdftotext") is not None
EMU = 914400
DESCRIPTION = ValueStreamDescription(
    trigger="A user reports that the payroll service is down.",
    outcome="Payroll runs again and the user is told.",
    value="Staff are paid on time.", stakeholders="Users, service desk, hosting vendor.")


def line_map(name: str = "Now"):
    map_ = make_map({"A": (30, 10, 100, {"team": "Desk", "people": 2}),
                     "B": (120, 60, 100, {"team": "V", "performer": "vendor"}),
                     "C": (0, 5, 100, {"performer": "customer"})},
                    [("A", "B"), ("B", "C")], name=name)
    for index, step in enumerate(map_.steps):
        map_.set_step_field(step.id, "x", 240.0 * index)
    map_.set_field("team_rates", {"Desk": 60, "V": 90})
    map_.set_field("demand", 20)
    map_.set_field("demand_period", "week")
    map_.set_field("target_lead_time", "3h")  # 225 - 180 = 45m over
    map_.set_field("experience", Experience("csat", 71, 412))
    map_.set_field("itil", DESCRIPTION)
    map_.set_step_field("A", "practices", ("service_desk", "incident_management"))
    map_.set_step_field("B", "information", "Vendor portal")
    return map_


def project() -> Project:
    current = line_map()
    future = future_state_of(current, "Next")
    b = next(step for step in future.steps if step.name == "B")
    future.set_step_field(b.id, "wait_time", 30)  # lead 40 + 90 + 5 = 135 <= 180: met
    future.set_field("experience", Experience("csat", 84, 120))
    return Project("Payroll", [current, future])


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in walk_shapes(slide.shapes) if shape.has_text_frame]


def title(slide) -> str:
    return next(shape.text_frame.text for shape in slide.shapes if shape.name == "Title")


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("deck") / "stakeholders.pptx"
    export_pptx(project(), path, today=date(2026, 12, 6))
    return path


def test_words():
    assert money(62.5, "€") == "€62.50" and money(8250, "€") == "€8,250.00"  # as vsm report
    assert money(1250, "CHF") == "CHF 1,250.00" and money(None, "€") == "–"
    map_ = line_map()
    found = attainment(map_, analyse(map_))
    assert target_words(found)[0] == "Target 3h: ✘ missed by 45m"


def test_stakeholder_slide(deck):
    slides = list(Presentation(str(deck)).slides)
    titles = [title(s) for s in slides]
    assert titles[2:5] == ["Now", "Now — figures and steps to change",
                           "Now — who holds the work, cost and automation"]
    words = texts(slides[4])
    for expected in ("Internal team 40m (17.8%)", "Vendor 3h (80.0%)", "Customer 5m (2.2%)",
                     "Waiting on vendors: 2h (53.3% of the lead time)",
                     "Target 3h: ✘ missed by 45m", "Experience: CSAT 71% (412 responses)",
                     "Cost per item: €110.00", "per week: €2,200.00", "per month: €9,533.33",
                     "1. B — 86.7 h/month freed (€7,800.00/month) · vendor"):
        assert expected in words, expected
    bars = [s.name for s in walk_shapes(slides[4].shapes) if s.name.startswith("By performer: ")]
    assert bars == ["By performer: Internal team 40m (17.8%)", "By performer: Vendor 3h (80.0%)",
                    "By performer: Customer 5m (2.2%)"]
    notes = slides[4].notes_slide.notes_text_frame.text
    assert "visits × process time (hours) × people × hourly rate" in notes


def test_target_and_experience_among_the_figures(deck):
    slide = list(Presentation(str(deck)).slides)[3]
    table = next(s for s in slide.shapes if s.has_table)
    cells = [[cell.text for cell in row.cells] for row in table.table.rows]
    assert ["Target", "Target 3h: ✘ missed by 45m"] == cells[-2][:2]
    assert ["Experience", "CSAT 71% (412 responses)"] == cells[-1][:2]


def test_description_beside_the_map_never_over_it(deck):
    slide = list(Presentation(str(deck)).slides)[2]
    box = next(s for s in slide.shapes if s.name == "ITIL 4 description")
    x0, y0, x1, y1 = shape_bounds(box)
    assert box.text_frame.text.startswith("Trigger\nA user reports that the payroll service")
    assert "ITIL 4 practices\nIncident management (1 step), Service desk (1 step)" in \
        box.text_frame.text
    assert "Information and technology\nB: Vendor portal" in box.text_frame.text
    for shape in walk_shapes(slide.shapes):
        if shape.name.startswith(("Step: ", "Wait", "Flag: ", "Kaizen: ", "Link to slide")):
            a0, b0, a1, b1 = shape_bounds(shape)
            assert a1 <= x0 or a0 >= x1 or b1 <= y0 or b0 >= y1, shape.name
    assert connectors_through_boxes(deck, box_prefix="ITIL 4 description") == []
    assert shapes_outside_slide(deck) == []
    notes = slide.notes_slide.notes_text_frame.text
    assert ("ITIL 4 description — Trigger: A user reports that the payroll service is down. "
            "Outcome: Payroll runs again and the user is told. Value for the consumer: Staff are "
            "paid on time. Stakeholders: Users, service desk, hosting vendor. ITIL 4 practices: "
            "Incident management (1 step), Service desk (1 step). Information and technology: "
            "B: Vendor portal.") in notes


def test_a_wide_map_keeps_one_slide_with_the_description_under_it():
    # The bundled "Restore a live service": 12 steps in 3 rows with flags and a rework arc fit
    # one slide; beside them there is no room without a second slide, so the description goes
    # in a band under the map, which stays on one slide above the band.
    map_ = new_from_template("restore-a-live-service").maps[0]
    map_.set_field("itil", DESCRIPTION)
    result = analyse(map_)
    assert len(plan_map_pages(map_, result.flags, map_.kaizens)) == 1
    pages, placement = plan_with_description(map_, result.flags, map_.kaizens)
    assert (len(pages), placement) == (1, "below:1.45")
    band_top = 6.5 - 1.45  # MAP_BOTTOM - BELOW_HEIGHT
    assert all(box.bottom <= band_top for box in pages[0].boxes.values())
    short = line_map()  # three steps: beside the map
    assert plan_with_description(short, analyse(short).flags)[1] == "right"


def test_comparison_current_to_future():
    current, future = project().maps
    rows = comparison_rows(compare_maps(current, future))
    # costs: the future's B waits less but works as long: the same €110 per item
    assert rows == [["Target lead time", "✘ missed (3h)", "✔ met (3h)", "missed → met"],
                    ["Experience", "CSAT 71%", "CSAT 84%", "+13 pts"],
                    ["Cost per item", "€110.00", "€110.00", "+€0.00 (+0.0%)"],
                    ["Waiting on vendors", "2h", "30m", "-1h 30m"]]


@pytest.mark.skipif(not RENDERING, reason="LibreOffice or pdftotext is not installed")
def test_rendered_pages_readable(deck, tmp_path):
    pdf = render_pdf(deck, tmp_path)
    assert broken_words(deck, pdf) == []
    assert overlapping_words(pdf) == []


def test_a_map_filling_its_slide_gets_the_description_on_the_slide_before(tmp_path):
    # "Develop a new service": its 12 steps fill the map area; any room kept for the description
    # (beside: 3.3 in, under: 0.8 in or more) would split the map over two slides. The map stays
    # on one slide and the description comes on the slide before it.
    project = new_from_template("develop-a-new-service")
    map_ = project.maps[0]
    result = analyse(map_)
    pages, placement = plan_with_description(map_, result.flags, map_.kaizens)
    assert (len(pages), placement) == (1, "slide")
    path = tmp_path / "develop.pptx"
    export_pptx(project, path, map_ids=[map_.id], today=date(2026, 12, 6))
    slides = list(Presentation(str(path)).slides)
    titles = [title(s) for s in slides]
    assert titles[2:4] == [f"{map_.name} — the value stream (ITIL 4)", map_.name]
    about = next(s for s in slides[2].shapes if s.name == "ITIL 4 description")
    assert about.text_frame.text.startswith(f"Trigger\n{map_.itil.trigger}")
    assert not any(s.name == "ITIL 4 description" for s in slides[3].shapes)
    # The information and technology: one line (paragraph) per step that names any, in the
    # map's order, under its heading, nothing cut, at a size readable on a projector (it was one
    # paragraph of all the steps at 12 pt); the practices stay with the description on the left.
    tools = next(s for s in slides[2].shapes if s.name == "ITIL 4 description: the steps")
    lines = [paragraph.text for paragraph in tools.text_frame.paragraphs]
    expected = [f"{step.name}: {' '.join(step.information.split())}"
                for step in map_.steps if step.information.strip()]
    assert len(expected) == 12  # every step of the template names its tools
    assert lines == ["Information and technology", *expected]
    sizes = {run.font.size.pt for paragraph in tools.text_frame.paragraphs
             for run in paragraph.runs}
    assert len(sizes) == 1 and sizes.pop() >= BODY
    assert "ITIL 4 practices" in about.text_frame.text
    assert "notes)" not in about.text_frame.text + tools.text_frame.text  # nothing cut


def test_a_list_cut_short_keeps_a_paragraph_a_line():
    # Four short lines at 12 pt in a box 3 in wide, one wrapped line each of line_height(12) =
    # 12 x 1.2 / 72 = 0.2 in. The box holds the insets (2 x 0.1 in), the heading (1 line), the
    # "… (see the notes)" pointer (1 line) and two lines with the LIST_GAP between them, plus
    # 0.001 in: the whole list (4 lines, 3 gaps) does not fit, a third line would need
    # LIST_GAP + 0.2 in more, so the list is cut after its second line.
    line = line_height(12)
    height = 2 * 0.1 + line + line + 2 * line + LIST_GAP + 0.001
    paragraphs, points, cut = description_lines(
        [("Information and technology", "A: one\nB: two\nC: three\nD: four")], 3.0, height,
        SHORT_CUT, (12.0,))
    assert (points, cut) == (12.0, True)
    assert [text for text, *_ in paragraphs] == ["Information and technology", "A: one",
                                                 "B: two", SHORT_CUT]
