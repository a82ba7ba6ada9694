"""The slides that tell stakeholders the story around the maps: the executive summary after the
title, and the appendix that says how every figure is computed.

The executive summary answers what a stakeholder asks first: how long it takes today and after
the changes (lead time current → future, and the change in %), what drives it today (the steps
to change with the largest savings), the three biggest improvements planned with the time each
saves, and the improvement plan's total expected saving. With no future state it says what the
current state shows and what to change first. A lead time whose map has time ranges says under
it that it uses the most likely times, and gives the simulated mean and median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pptx.enum.shapes import MSO_SHAPE

from vsm.analysis import MapAnalysis
from vsm.analysis.compare import MapComparison
from vsm.analysis.flags import FLAG_LABELS
from vsm.analysis.montecarlo import LeadTimeDistribution
from vsm.analysis.plan import PlanRow
from vsm.export.figure_words import FIGURE_LABELS, FORMULAS
from vsm.export.map_shapes import NBSP
from vsm.export.shapes import MUTED, OUTLINE, TEXT, add_box, add_table, add_text, make_bullets
from vsm.export.slide_layout import MARGIN, SLIDE_WIDTH
from vsm.export.text import line_height, text_width, wrap
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration as _format_duration

CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
KPI_TOP, KPI_HEIGHT, KPI_GAP = 1.1, 1.75, 0.3
KPI_SIZES = (32.0, 28.0, 24.0, 20.0, 16.0)  # the value's size: the largest that fits its card
LIST_TOP = 3.25
LIST_SIZES = (18.0, 16.0, 14.0, 12.0)  # the largest at which both lists fit above the plan
LIST_BOTTOM = 6.35
BULLET_INDENT, BULLET_SPACE = 0.3, 8.0  # inches, points
PANEL_FILL = "F2F2F2"


@dataclass
class Story:
    """What the executive summary says."""

    current: ValueStreamMap
    current_result: MapAnalysis
    comparison: MapComparison | None  # None without a future state
    plan: list[PlanRow]
    simulated: dict[str, LeadTimeDistribution | None] = field(default_factory=dict)  # by map id


@dataclass
class Kpi:
    """One headline card: what it is, its value, and a line under the value."""

    label: str
    value: str
    detail: str = ""


def lead_time_kpi(story: Story, label: str, map_: ValueStreamMap, minutes: float | None) -> Kpi:
    """A lead time card: under the value the map's name; with time ranges, that the value uses
    the most likely times, and the simulated mean and median (two lines at most: the second,
    "mean 123w 4d, median 123w 4d" at the longest, fits the card)."""
    simulated = story.simulated.get(map_.id)
    if simulated is None:
        return Kpi(label, format_duration(minutes), map_.name)
    return Kpi(label, format_duration(minutes),
               f"most likely times; simulated: mean{NBSP}{format_duration(simulated.mean)}, "
               f"median{NBSP}{format_duration(simulated.p50)}")


def summary_kpis(story: Story) -> list[Kpi]:
    """The four headline cards: lead time today, after the changes, the change and flow
    efficiency; without a future state the current state's four figures."""
    comparison = story.comparison
    if comparison is None:
        result = story.current_result
        return [lead_time_kpi(story, "Lead time", story.current, result.lead_time),
                Kpi("Process time", format_duration(result.process_time), "hands-on work"),
                Kpi("Flow efficiency", _percent(result.flow_efficiency_percent),
                    "of the lead time is work"),
                Kpi("Rolled %C&A", _percent(result.rolled_pca_percent), "right first time")]
    lead = comparison.metrics["lead_time_minutes"]
    efficiency = comparison.metrics["flow_efficiency_percent"]
    if lead.delta is None:
        change = Kpi("Change in lead time", "–", "cannot be computed")
    else:
        size = format_duration(abs(lead.delta))
        word = "shorter" if lead.delta < 0 else "longer" if lead.delta > 0 else "the same"
        change = Kpi("Change in lead time",
                     _signed(lead.delta_percent, "%", 0) if lead.delta_percent is not None
                     else size,
                     f"{size} {word}" if lead.delta else "no change")
    points = ("" if efficiency.delta is None
              else f"work's share of the lead time, {_signed(efficiency.delta, ' pts')}")
    return [lead_time_kpi(story, "Lead time today", comparison.before, lead.from_),
            lead_time_kpi(story, "Lead time after the changes", comparison.after, lead.to),
            change,
            Kpi("Flow efficiency", f"{_percent(efficiency.from_)} → {_percent(efficiency.to)}",
                points)]


def drivers(story: Story) -> list[str]:
    """What drives the lead time today: the three steps whose waits cost the most."""
    return [f"{item.name}: its wait costs {format_duration(item.saving)} "
            f"({', '.join(_lower_first(FLAG_LABELS.get(f, f)) for f in item.flags)})"
            for item in story.current_result.steps_to_change if item.saving > 0][:3]


def biggest_changes(story: Story) -> tuple[str, list[str]]:
    """A heading and the (up to) three planned improvements that save the most, each with its
    saving; without a plan, the waits worth removing first."""
    planned = sorted((row for row in story.plan if row.expected_saving_minutes > 0),
                     key=lambda row: -row.expected_saving_minutes)[:3]
    if planned:
        heading = ("The three biggest changes" if len(planned) == 3
                   else "The biggest change" if len(planned) == 1 else "The biggest changes")
        return heading, [f"{row.title}: saves {format_duration(row.expected_saving_minutes)}"
                         for row in planned]
    return "What to change first", [
        f"Remove the wait before {item.name}: saves {format_duration(item.saving)}"
        for item in story.current_result.steps_to_change if item.saving > 0][:3]


def plan_total(plan: list[PlanRow]) -> str:
    """One sentence: how many improvements the plan holds and what they save in all."""
    count = len(plan)
    if not count:
        return "No improvement plan yet: add kaizen bursts to the maps."
    total = sum(row.expected_saving_minutes for row in plan)
    return (f"The improvement plan: {count} improvement{'s' if count != 1 else ''}, expected to "
            f"save {format_duration(total)} in all.")


def draw_summary_slide(slide: Any, story: Story) -> None:
    """The executive summary: lead time (and its change), what drives it, the biggest planned
    changes and the plan's total saving."""
    add_text(slide, (MARGIN, 0.15, CONTENT_WIDTH, 0.6), "Executive summary", 28, bold=True,
             anchor="middle", name="Title")
    kpis = summary_kpis(story)
    width = (CONTENT_WIDTH - KPI_GAP * (len(kpis) - 1)) / len(kpis)
    for index, kpi in enumerate(kpis):
        _kpi_card(slide, kpi, MARGIN + index * (width + KPI_GAP), width)
    column = (CONTENT_WIDTH - 0.5) / 2
    heading, changes = biggest_changes(story)
    lists = [("What drives the lead time today", drivers(story) or ["No wait stands out."]),
             (heading, changes or ["No change planned yet."])]
    points = next((p for p in LIST_SIZES
                   if all(_list_height(lines, column, p) <= LIST_BOTTOM - LIST_TOP - 0.55
                          for _, lines in lists)), LIST_SIZES[-1])
    for index, (title, lines) in enumerate(lists):
        _bullets(slide, (MARGIN + index * (column + 0.5), LIST_TOP, column), title, lines,
                 points)
    add_box(slide, MSO_SHAPE.RECTANGLE, (MARGIN, 6.45, CONTENT_WIDTH, 0.6), PANEL_FILL, None,
            name="Plan band")
    add_text(slide, (MARGIN + 0.2, 6.45, CONTENT_WIDTH - 0.4, 0.6), plan_total(story.plan), 18,
             bold=True, anchor="middle", name="Plan total")


def _kpi_card(slide: Any, kpi: Kpi, left: float, width: float) -> None:
    inner = width - 0.3
    add_box(slide, MSO_SHAPE.RECTANGLE, (left, KPI_TOP, width, KPI_HEIGHT), PANEL_FILL, OUTLINE,
            0.75, name=f"Figure: {kpi.label}")
    add_text(slide, (left + 0.15, KPI_TOP + 0.1, inner, 0.4), kpi.label, 14, colour=MUTED,
             anchor="middle")
    points = next((p for p in KPI_SIZES if text_width(kpi.value, p, True) <= inner),
                  KPI_SIZES[-1])
    add_text(slide, (left + 0.15, KPI_TOP + 0.5, inner, 0.75), kpi.value, points, bold=True,
             anchor="middle", name=f"Value: {kpi.label}")
    detail = wrap(kpi.detail, inner, 12)
    add_text(slide, (left + 0.15, KPI_TOP + 1.25, inner, 0.45), "\n".join(detail[:2]), 12,
             colour=MUTED, anchor="top", name=f"Detail: {kpi.label}")


def _list_height(lines: list[str], width: float, points: float) -> float:
    count = sum(len(wrap(line, width - BULLET_INDENT - 0.1, points)) for line in lines)
    return count * line_height(points) + (len(lines) - 1) * BULLET_SPACE / 72 + 0.2


def _bullets(slide: Any, place: tuple[float, float, float], heading: str,
             lines: list[str], points: float) -> None:
    """A heading and its lines as bullets with a hanging indent, the box as tall as the text."""
    left, top, width = place
    add_text(slide, (left, top, width, 0.45), heading, 18, bold=True, anchor="middle")
    box = add_text(slide, (left, top + 0.55, width, _list_height(lines, width, points)),
                   "\n".join(lines), points, colour=TEXT, name=heading)
    make_bullets(box, BULLET_INDENT, BULLET_SPACE)


def format_duration(minutes: float | None) -> str:
    """A duration for people, kept on one line ("2h 30m" never breaks between its units)."""
    return _format_duration(minutes).replace(" ", NBSP)


def _lower_first(label: str) -> str:
    """'Low %C&A' → 'low %C&A': the label inside a sentence, its abbreviations kept."""
    return label[:1].lower() + label[1:]


def _signed(value: float, unit: str, decimals: int = 1) -> str:
    """+1.6 pts, −85%: a typographic minus sign, as on a printed page."""
    return f"{value:+.{decimals}f}".replace("-", "−") + unit


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def draw_appendix_slide(slide: Any) -> None:
    """Appendix: how each figure and each step's saving is computed (docs/analysis.md)."""
    add_text(slide, (MARGIN, 0.15, CONTENT_WIDTH, 0.6), "Appendix: how the figures are computed",
             24, bold=True, anchor="middle", name="Title")
    rows = [["Figure", "How it is computed"]] + [[FIGURE_LABELS[key], FORMULAS[key]]
                                                  for key in FIGURE_LABELS]
    widths = [2.2, CONTENT_WIDTH - 2.2]
    heights = [max(len(wrap(text, w - 0.14, 13, index == 0)) for text, w in zip(row, widths))
               * line_height(13) + 0.2 for index, row in enumerate(rows)]
    add_table(slide, (MARGIN, 1.0, CONTENT_WIDTH, sum(heights)), rows, widths, heights, 13,
              name="Formulas")
    add_text(slide, (MARGIN, 1.2 + sum(heights), CONTENT_WIDTH, 0.5),
             "d(v): the step's wait plus its process time; ρ(v): the share of work it sends back "
             "for rework; F(v): what follows it. Each map's speaker notes work its figures through.",
             12, colour=MUTED)
