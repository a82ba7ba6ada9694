"""The deck tells the story: executive summary, figures in plain words, the improvement plan
(timeline and a table that fills its slide) and the appendix with the formulas.

The project is small enough to work out by hand:
  Today:    Log the request (wait 60, work 30) → Approve (wait 120, work 30)
            lead time 60 + 30 + 120 + 30 = 240 min = 4h; process time 30 + 30 = 60 min = 1h;
            flow efficiency 60 / 240 = 25.0 %.
  Tomorrow: the same with Approve's wait 0: lead time 60 + 30 + 0 + 30 = 120 min = 2h;
            flow efficiency 60 / 120 = 50.0 %.
  Change:   120 − 240 = −120 min = 2h shorter, −120 / 240 = −50 %; flow efficiency +25.0 pts.
  Steps to change today: Approve's wait costs 120 min (2h), Log the request's 60 min (1h).
  Plan:     Pull approvals into the daily stand-up 120 min (due 15 Jan 2027), Check the queue
            daily 30 min (due 20 Dec 2026), Tidy the form 10 min (no date): 160 min = 2h 40m.
"""

from __future__ import annotations

from datetime import date

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from vsm.analysis.plan import PlanRow
from vsm.export.deck import export_pptx
from vsm.export.figure_words import FORMULAS, MEANINGS
from vsm.export.plan_slides import CARD_WIDTH, plan_pages, timeline_layout
from vsm.export.summary_slides import TABLE_BOTTOM, TABLE_TOP
from vsm.export.text import text_width
from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map

EMU_PER_INCH = 914400


def story_project() -> Project:
    today = ValueStreamMap("Today", "current")
    today.add_step(Step("Log the request", wait_time=60, process_time=30, id="log"))
    today.add_step(Step("Approve", wait_time=120, process_time=30, x=240, id="approve"))
    today.add_flow(Flow("log", "approve"))
    tomorrow = duplicate_map(today, "Tomorrow", "future", keep_origin=True)
    ids = {step.name: step.id for step in tomorrow.steps}
    tomorrow.set_step_field(ids["Approve"], "wait_time", 0)
    tomorrow.add_kaizen(Kaizen("Pull approvals into the daily stand-up", step_id=ids["Approve"],
                               expected_saving_minutes=120, due="2027-01-15", status="planned",
                               owner="Service owner"))
    tomorrow.add_kaizen(Kaizen("Tidy the form", step_id=ids["Log the request"],
                               expected_saving_minutes=10))
    tomorrow.add_kaizen(Kaizen("Check the queue daily", step_id=ids["Approve"],
                               expected_saving_minutes=30, due="2026-12-20",
                               status="in_progress"))
    return Project("Approvals", [today, tomorrow])


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = tmp_path_factory.mktemp("story") / "story.pptx"
    export_pptx(story_project(), path, today=date(2026, 12, 6))
    return Presentation(str(path))


def slide_titled(deck, title: str):
    (slide,) = [s for s in deck.slides
                if any(sh.name == "Title" and sh.text_frame.text == title for sh in s.shapes)]
    return slide


def named_text(slide, name: str) -> str:
    (shape,) = [sh for sh in slide.shapes if sh.name == name]
    return shape.text_frame.text.replace("\u00a0", " ")


def all_text(slide) -> str:
    parts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    parts += [cell.text for sh in slide.shapes if sh.has_table
              for row in sh.table.rows for cell in row.cells]
    return " ".join(parts).replace("\u00a0", " ")


def test_the_deck_goes_title_summary_maps_comparison_plan_appendix(deck):
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.name == "Title")
              for s in deck.slides]
    assert titles == ["Approvals", "Executive summary", "Today",
                      "Today — figures and steps to change", "Tomorrow",
                      "Tomorrow — figures and steps to change", "Today → Tomorrow",
                      "Improvement plan", "Appendix: how the figures are computed"]


def test_the_executive_summary_gives_the_lead_time_change_drivers_and_plan(deck):
    slide = slide_titled(deck, "Executive summary")
    assert named_text(slide, "Value: Lead time today") == "4h"
    assert named_text(slide, "Value: Lead time after the changes") == "2h"
    assert named_text(slide, "Value: Change in lead time") == "−50%"
    assert "2h shorter" in all_text(slide)
    assert named_text(slide, "Value: Flow efficiency") == "25.0% → 50.0%"
    assert "+25.0 pts" in all_text(slide)
    assert named_text(slide, "What drives the lead time today").split("\n") == [
        "Approve: its wait costs 2h (bottleneck, long wait)",
        "Log the request: its wait costs 1h (long wait)"]
    assert named_text(slide, "The three biggest changes").split("\n") == [
        "Pull approvals into the daily stand-up: saves 2h",
        "Check the queue daily: saves 30m",
        "Tidy the form: saves 10m"]
    assert named_text(slide, "Plan total") == (
        "The improvement plan: 3 improvements, expected to save 2h 40m in all.")


def test_without_a_future_state_the_summary_gives_todays_figures(tmp_path):
    project = story_project()
    path = tmp_path / "today.pptx"
    export_pptx(project, path, [project.maps[0].id])
    slide = slide_titled(Presentation(str(path)), "Executive summary")
    assert named_text(slide, "Value: Lead time") == "4h"
    assert named_text(slide, "Value: Process time") == "1h"
    assert named_text(slide, "Value: Flow efficiency") == "25.0%"
    # no kaizen on this map: what to change first, from the analysis
    assert named_text(slide, "What to change first").split("\n")[0] == (
        "Remove the wait before Approve: saves 2h")
    assert named_text(slide, "Plan total").startswith("No improvement plan yet")


def test_figures_are_in_plain_words_and_the_formulas_in_the_appendix(deck):
    figures = slide_titled(deck, "Today — figures and steps to change")
    table = next(sh.table for sh in figures.shapes if sh.has_table)
    assert table.cell(0, 2).text == "What it means"
    assert table.cell(1, 1).text.startswith("4h")
    assert table.cell(1, 2).text == MEANINGS["lead_time"]
    assert "T(v)" not in all_text(figures)
    appendix = all_text(slide_titled(deck, "Appendix: how the figures are computed"))
    for formula in FORMULAS.values():
        assert formula in appendix


def test_the_plan_is_a_timeline_above_a_table_that_fills_the_slide(deck):
    slide = slide_titled(deck, "Improvement plan")
    assert "2h 40m" in all_text(slide)
    markers = {sh.name.removeprefix("Due: "): sh for sh in slide.shapes
               if sh.name.startswith("Due: ")}
    assert set(markers) == {"Pull approvals into the daily stand-up", "Check the queue daily",
                            "Tidy the form"}
    # left to right by due date (20 Dec, then 15 Jan), the kaizen without one at the right end
    xs = [markers[t].left for t in ("Check the queue daily",
                                    "Pull approvals into the daily stand-up", "Tidy the form")]
    assert xs == sorted(xs)
    assert "No date yet" in all_text(slide)
    (table,) = [sh for sh in slide.shapes if sh.has_table]
    assert table.table.cell(1, 0).text == "Check the queue daily"
    assert table.table.cell(1, 5).text.replace("\u00a0", " ") == "20 Dec 2026"
    assert (table.top + table.height) / EMU_PER_INCH >= 6.0  # fills the slide to its foot
    sizes = {int(run.find(qn("a:rPr")).get("sz")) for run in table._element.iter(qn("a:r"))}
    assert min(sizes) >= 1400  # presentation size, not 10 pt
    cards = [sh for sh in slide.shapes if sh.name.startswith("Kaizen: ")]
    assert len(cards) == 3
    for one in cards:  # no card covers another
        for other in cards:
            if one is not other:
                assert (one.left + one.width <= other.left or other.left + other.width <= one.left
                        or one.top + one.height <= other.top
                        or other.top + other.height <= one.top)


def plan_row(title: str, due: str | None, saving: float = 60.0) -> PlanRow:
    return PlanRow("m", "Map", title, title, "", "", "waiting", "", due, "planned", saving)


def test_timeline_cards_due_together_stack_without_covering_each_other():
    rows = [plan_row(f"Kaizen {n}", "2027-03-01") for n in range(2)]
    rows += [plan_row(f"Later {n}", f"2027-0{4 + n}-10") for n in range(4)]
    timeline = timeline_layout(rows, 0.3, 13.0)
    assert timeline is not None
    rects = [card.rect for card in timeline.cards]
    for index, (left, top, width, height) in enumerate(rects):
        assert 0.3 <= left and left + width <= 13.0
        assert left <= timeline.cards[index].x <= left + width  # the leader meets its card
        for other_left, other_top, other_width, other_height in rects[index + 1:]:
            assert (left + width <= other_left or other_left + other_width <= left
                    or top + height <= other_top or other_top + other_height <= top)
    sides = {card.rect[1] < 0 for card in timeline.cards[:2]}
    assert sides == {True, False}  # the two due on the same day: one above, one below


def test_too_many_kaizens_due_the_same_day_give_a_table_alone():
    rows = [plan_row(f"Kaizen {n}", "2027-03-01") for n in range(3)]
    assert timeline_layout(rows, 0.3, 13.0) is None  # a third leader would cross a card
    (page,) = plan_pages(rows)
    assert page.timeline is None


def test_no_due_dates_no_timeline():
    assert timeline_layout([plan_row("Someday", None)], 0.3, 13.0) is None


def test_a_long_plan_continues_on_more_slides_each_within_the_slide():
    rows = [plan_row(f"Improvement number {n} with a longer title to wrap", f"2027-01-{n + 1:02}")
            for n in range(28)]
    pages = plan_pages(rows)
    assert len(pages) > 1
    assert all(page.timeline is None for page in pages)
    assert sum(len(page.table.rows) - 1 for page in pages) == 28
    for page in pages:
        assert page.table.rows[0][0] == "Improvement"
        assert TABLE_TOP + sum(page.table.heights) <= TABLE_BOTTOM


def test_card_lines_fit_their_card_and_keep_durations_whole():
    rows = [plan_row("Pre-approve access for standard roles in the identity management system",
                     "2027-02-01", 2 * 1440 + 6 * 60)]
    (card,) = timeline_layout(rows, 0.3, 13.0).cards
    texts = [text for text, _, _ in card.lines]
    for text, points, bold in card.lines:
        assert text_width(text, points, bold) <= CARD_WIDTH - 0.16
    assert "saves 2d\u00a06h" in texts[-1]  # 2 days 6 hours: never split across lines
    assert texts[-1].startswith("Due 1\u00a0Feb · Planned")
