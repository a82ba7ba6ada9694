"""With time ranges, the deck shows the simulated lead time beside the lead time, each labelled:
the executive summary's lead time card, the figures slide (a row "Lead time, simulated") and
the speaker notes. Maps without ranges show nothing new.

The map, skewed towards longer times as waits usually are (minutes):
  Submit    process 10, no wait
  Approve   wait most likely 60 (30 .. 1,440), process 15
  Provision wait most likely 120 (120 .. 2,880), process 30
    lead time with the most likely times = 10 + 60 + 15 + 120 + 30 = 235 min = 3h 55m
    simulated mean -> 10 + (30 + 60 + 1,440) / 3 + 15 + (120 + 120 + 2,880) / 3 + 30
                    = 10 + 510 + 15 + 1,040 + 30 = 1,605 min (about 1d 3h), far above 235
The figures shown are the seeded simulation's own (SIMULATION_RUNS runs, SIMULATION_SEED).
"""

from __future__ import annotations

from datetime import date

import pytest
from pptx import Presentation

from vsm.analysis import analyse
from vsm.analysis.montecarlo import simulate
from vsm.export import summary_slides
from vsm.export.deck import export_pptx
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map
from vsm.model.durations import format_duration

MOST_LIKELY_MINUTES = 235
EXPECTED_MEAN = 1605


def skewed_map(name: str = "Access today", kind: str = "current") -> ValueStreamMap:
    map_ = ValueStreamMap(name, kind)
    map_.add_step(Step("Submit", id="submit", process_time=10))
    map_.add_step(Step("Approve", id="approve", x=240, process_time=15, wait_time=60,
                       wait_time_min=30, wait_time_max=1440))
    map_.add_step(Step("Provision", id="provision", x=480, process_time=30, wait_time=120,
                       wait_time_min=120, wait_time_max=2880))
    map_.add_flow(Flow("submit", "approve"))
    map_.add_flow(Flow("approve", "provision"))
    return map_


def without_ranges(map_: ValueStreamMap) -> ValueStreamMap:
    for step in map_.steps:
        for bound in ("wait_time_min", "wait_time_max"):
            map_.set_step_field(step.id, bound, None)
    return map_


def export(project: Project, tmp_path, name: str = "deck.pptx"):
    path = tmp_path / name
    export_pptx(project, path, today=date(2026, 12, 6))
    return Presentation(str(path))


def seeded(map_: ValueStreamMap):
    return simulate(map_, summary_slides.SIMULATION_RUNS, summary_slides.SIMULATION_SEED)


def slide_titled(deck, title: str):
    (slide,) = [s for s in deck.slides
                if any(sh.name == "Title" and sh.text_frame.text == title for sh in s.shapes)]
    return slide


def named_text(slide, name: str) -> str:
    (shape,) = [sh for sh in slide.shapes if sh.name == name]
    return shape.text_frame.text.replace("\u00a0", " ")


def figures_table(slide) -> list[list[str]]:
    (table,) = [sh.table for sh in slide.shapes if sh.has_table and sh.name == "Figures"]
    return [[cell.text.replace("\u00a0", " ") for cell in row.cells] for row in table.rows]


def everything(deck) -> str:
    """Every text of the deck: shapes, tables and speaker notes."""
    parts = []
    for slide in deck.slides:
        parts += [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        parts += [cell.text for sh in slide.shapes if sh.has_table
                  for row in sh.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts).replace("\u00a0", " ")


def test_the_skewed_map_simulates_far_above_its_most_likely_lead_time():
    map_ = skewed_map()
    assert analyse(map_).lead_time == pytest.approx(MOST_LIKELY_MINUTES)
    simulated = seeded(map_)
    assert simulated.mean > MOST_LIKELY_MINUTES and simulated.p50 > MOST_LIKELY_MINUTES
    assert simulated.mean == pytest.approx(EXPECTED_MEAN, rel=0.05)
    assert simulated == seeded(skewed_map())  # fixed runs and seed: the same on every export


def test_summary_figures_slide_and_notes_show_the_simulated_lead_time_labelled(tmp_path):
    map_ = skewed_map()
    simulated = seeded(map_)
    mean, median = format_duration(simulated.mean), format_duration(simulated.p50)
    deck = export(Project("Access", [map_]), tmp_path)

    summary = slide_titled(deck, "Executive summary")
    assert named_text(summary, "Value: Lead time") == "3h 55m"
    assert named_text(summary, "Detail: Lead time") == (
        f"most likely times; simulated:\nmean {mean}, median {median}")

    table = figures_table(slide_titled(deck, "Access today — figures and steps to change"))
    assert table[1][0] == "Lead time" and table[1][1] == "3h 55m (235 min)"
    assert table[1][2].endswith("Computed with the most likely times.")
    assert table[2][:2] == ["Lead time, simulated", f"mean {mean}, median {median}"]
    assert "half of them finish within it" in table[2][2]
    assert f"85% finish within {format_duration(simulated.p85)}" in table[2][2]

    notes = [s.notes_slide.notes_text_frame.text for s in list(deck.slides)[2:4]]  # map, figures
    for text in notes:
        assert "Lead time 3h 55m (235 min) with the most likely times" in text
        assert (f"Lead time, simulated (2,000 requests, seed 42, each wait and process time "
                f"drawn from its minimum / most likely / maximum): mean {mean} "
                f"({simulated.mean:,.0f} min), median {median}, 85% within "
                f"{format_duration(simulated.p85)}, 95% within "
                f"{format_duration(simulated.p95)}.") in text
        gap = format_duration(simulated.mean - MOST_LIKELY_MINUTES)
        assert f"the simulated mean is {gap} longer." in text


def test_exports_show_the_same_simulated_figures_every_time(tmp_path):
    first = everything(export(Project("Access", [skewed_map()]), tmp_path, "one.pptx"))
    second = everything(export(Project("Access", [skewed_map()]), tmp_path, "two.pptx"))
    assert "Lead time, simulated" in first
    assert first == second


def test_today_and_after_the_changes_each_show_their_simulated_figures(tmp_path):
    today = skewed_map()
    after = duplicate_map(today, "Access after", "future", keep_origin=True)
    approve = next(s.id for s in after.steps if s.name == "Approve")
    after.set_step_field(approve, "wait_time_max", 120)
    deck = export(Project("Access", [today, after]), tmp_path)
    summary = slide_titled(deck, "Executive summary")
    for label, map_ in (("Lead time today", today), ("Lead time after the changes", after)):
        simulated = seeded(map_)
        assert named_text(summary, f"Detail: {label}") == (
            f"most likely times; simulated:\nmean {format_duration(simulated.mean)}, "
            f"median {format_duration(simulated.p50)}")
    assert named_text(summary, "Value: Lead time today") == "3h 55m"


def test_a_map_without_ranges_shows_nothing_new(tmp_path):
    deck = export(Project("Access", [without_ranges(skewed_map())]), tmp_path)
    text = everything(deck)
    assert "simulated" not in text.lower() and "most likely" not in text
    assert named_text(slide_titled(deck, "Executive summary"), "Detail: Lead time") == (
        "Access today")
    table = figures_table(slide_titled(deck, "Access today — figures and steps to change"))
    assert [row[0] for row in table[1:3]] == ["Lead time", "Process time"]


def test_each_map_is_simulated_once_per_export(tmp_path, monkeypatch):
    """Map slide, figures slide, summary and notes share one simulation: the deck stays fast."""
    calls = []
    real = summary_slides.simulate
    monkeypatch.setattr(summary_slides, "simulate",
                        lambda map_, runs, seed: calls.append((map_.name, runs, seed))
                        or real(map_, runs, seed))
    today = skewed_map()
    after = duplicate_map(today, "Access after", "future", keep_origin=True)
    export(Project("Access", [today, after, without_ranges(skewed_map("Plain"))]), tmp_path)
    assert calls == [("Access today", 2000, 42), ("Access after", 2000, 42)]
