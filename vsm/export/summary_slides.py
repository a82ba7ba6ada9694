"""The slides around the maps: title, figures (in plain words) and steps to change, the
comparison of the current and the future state (table and native chart), and the speaker notes
with the figures and the formulas behind them (docs/analysis.md).

A map whose steps have time ranges also gets its simulated lead time (vsm.analysis.montecarlo)
beside the lead time, which uses the most likely times: a row "Lead time, simulated" (mean and
median) and a line in the notes. The simulation runs SIMULATION_RUNS items with SIMULATION_SEED,
as the editor's metrics pane does, so every export shows the same figures as the pane.

Tables are native PowerPoint tables; rows are measured so that long tables continue on a further
slide instead of running off the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.oxml.ns import qn
from pptx.util import Pt

from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.analysis.compare import (
    METRICS,
    MapComparison,
    describe_field_change,
    format_delta,
    format_metric,
)
from vsm.analysis.montecarlo import (
    DEFAULT_SEED,
    LeadTimeDistribution,
    SimulationError,
    should_simulate,
    simulate,
)
from vsm.analysis.stakeholder_words import target_figure_rows
from vsm.export.figure_words import FORMULAS, MEANINGS
from vsm.export.map_shapes import NBSP
from vsm.export.shapes import (
    MUTED,
    OUTLINE,
    TEXT,
    add_box,
    add_table,
    add_text,
    emu,
    rgb,
    style_run,
)
from vsm.export.slide_layout import MARGIN, SLIDE_HEIGHT, SLIDE_WIDTH
from vsm.export.text import FONT, line_height, text_width, wrap
from vsm.model import MAP_KINDS, ValueStreamMap
from vsm.model.durations import format_duration
from vsm.palette import BLUE, ORANGE

CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
TABLE_TOP = 1.05
TABLE_BOTTOM = SLIDE_HEIGHT - 0.35
TABLE_POINTS = 10
NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
SIMULATION_RUNS = 2_000  # the editor's (ui.panels.simulation): the deck shows the pane's figures
SIMULATION_SEED = DEFAULT_SEED
MOST_LIKELY = "Computed with the most likely times."


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _minutes(value: float | None) -> str:
    return "" if value is None else f" ({value:,.0f} min)"


def slide_title(slide: Any, title: str, subtitle: str = "") -> None:
    """The title (and a muted subtitle) at the top of a content slide."""
    add_text(slide, (MARGIN, 0.12, CONTENT_WIDTH, 0.5), title, 24, bold=True, anchor="middle",
             name="Title")
    if subtitle:
        add_text(slide, (MARGIN, 0.6, CONTENT_WIDTH, 0.3), subtitle, 11, colour=MUTED)


def title_slide(slide: Any, project_name: str, maps: list[ValueStreamMap], today: date) -> None:
    """The deck's first slide: project, maps included and date."""
    add_text(slide, (1.0, 2.3, SLIDE_WIDTH - 2.0, 1.0), project_name, 36, bold=True,
             align="centre", anchor="bottom", name="Title")
    add_box(slide, MSO_SHAPE.RECTANGLE, (SLIDE_WIDTH / 2 - 1.2, 3.38, 2.4, 0.05), BLUE, None,
            name="Rule")
    names = ", ".join(m.name for m in maps) or "no maps"
    add_text(slide, (1.0, 3.45, SLIDE_WIDTH - 2.0, 0.5), f"Value-stream maps: {names}", 18,
             colour=MUTED, align="centre")
    add_text(slide, (1.0, 4.0, SLIDE_WIDTH - 2.0, 0.4), f"{today.day} {today:%B %Y}", 14,
             colour=MUTED, align="centre")


# ---------------------------------------------------------------- paginated tables


@dataclass
class TablePage:
    """Rows (header first), their column widths and measured heights, for one slide."""

    rows: list[list[str]]
    widths: list[float]
    heights: list[float]
    points: float = TABLE_POINTS


def paginate(header: list[str], rows: list[list[str]], widths: list[float],
             room: float, first_room: float | None = None,
             points: float = TABLE_POINTS) -> list[TablePage]:
    """Cut rows into pages whose measured height fits `room` inches (`first_room` on page one);
    every page repeats the header. Text is `points` in size."""
    def height(row: list[str], bold: bool = False) -> float:
        lines = max(len(wrap(text, width - 0.14, points, bold)) for text, width in
                    zip(row, widths))
        return lines * line_height(points) + 0.1 * points / TABLE_POINTS

    header_h = height(header, True)
    pages = [TablePage([header], widths, [header_h], points)]
    used = header_h
    limit = first_room if first_room is not None else room
    for row in rows:
        h = height(row)
        if used + h > limit and len(pages[-1].rows) > 1:
            pages.append(TablePage([header], widths, [header_h], points))
            used = header_h
            limit = room
        pages[-1].rows.append(row)
        pages[-1].heights.append(h)
        used += h
    return pages


def fit_widths(rows: list[list[str]], shares: list[float], total: float,
               points: float) -> list[float] | None:
    """Column widths summing to `total` inches, near `shares` of it, each wide enough for the
    longest word of its column (the first row, the header, is bold) at `points`; None when the
    words cannot all fit at this size."""
    least = [max(text_width(word, points, index == 0) for index, row in enumerate(rows)
                 for word in row[column].split(" ")) + 0.16
             for column in range(len(shares))]
    if sum(least) > total:
        return None
    widths = [max(share * total, low) for share, low in zip(shares, least)]
    surplus = [width - low for width, low in zip(widths, least)]
    excess = sum(widths) - total  # taken from the columns wider than their words need
    return [width - excess * spare / sum(surplus) if sum(surplus) else width
            for width, spare in zip(widths, surplus)]


def draw_table(slide: Any, page: TablePage, top: float, name: str) -> float:
    """Draw a measured table page at `top`; return its bottom (inches)."""
    total = sum(page.heights)
    add_table(slide, (MARGIN, top, sum(page.widths), total), page.rows, page.widths,
              page.heights, page.points, name=name)
    return top + total


# ---------------------------------------------------------------- the simulated lead time


def simulated_lead_time(map_: ValueStreamMap, result: MapAnalysis) -> LeadTimeDistribution | None:
    """The map's simulated lead time, the same on every export (fixed runs and seed); None when
    no step has a time range or the figures cannot be computed."""
    if not result.ok or not should_simulate(map_):
        return None
    try:
        return simulate(map_, SIMULATION_RUNS, SIMULATION_SEED)
    except SimulationError:
        return None


def simulated_words(simulated: LeadTimeDistribution) -> str:
    """'mean 1d 11h, median 1d 11h': the simulated figures beside the lead time (each duration
    kept on one line)."""
    mean, median = (format_duration(v).replace(" ", NBSP) for v in (simulated.mean, simulated.p50))
    return f"mean {mean}, median {median}"


def simulated_meaning(simulated: LeadTimeDistribution) -> str:
    """What the simulated lead time means, in plain words, for the figures table."""
    return (f"Mean: the average of {simulated.runs:,} simulated requests, each time drawn between "
            "its minimum and maximum. Median: half of them finish within it; 85% finish within "
            f"{format_duration(simulated.p85)}.")


def simulated_note(lead_time: float | None, simulated: LeadTimeDistribution) -> str:
    """The speaker notes' line on the simulated lead time, set against the lead time."""
    gap = simulated.mean - (lead_time or 0.0)  # simulated only when the lead time is computed
    compared = ("about the same" if abs(gap) < 1 else
                f"{format_duration(abs(gap))} {'longer' if gap > 0 else 'shorter'}")
    return (f"Lead time, simulated ({simulated.runs:,} requests, seed {simulated.seed}, each wait "
            "and process time drawn from its minimum / most likely / maximum): mean "
            f"{format_duration(simulated.mean)}{_minutes(simulated.mean)}, median "
            f"{format_duration(simulated.p50)}, 85% within {format_duration(simulated.p85)}, 95% "
            f"within {format_duration(simulated.p95)}. The lead time above uses the most likely "
            f"times; the simulated mean is {compared}.")


# ---------------------------------------------------------------- figures and steps to change

FIGURE_SHARES = [0.14, 0.26, 0.6]  # of the content width
CHANGE_HEADER = ["#", "Step", "Flags", "Saving", "Why"]
CHANGE_SHARES = [0.045, 0.2, 0.17, 0.09, 0.495]
METRICS_SIZES = (14.0, 12.0, 11.0, 10.0)  # the largest at which figures and steps fit a slide


FIGURE_HEADER = ["Figure", "Value", "What it means"]


def figure_rows(map_: ValueStreamMap, result: MapAnalysis,
                simulated: LeadTimeDistribution | None = None) -> list[list[str]]:
    """Figure, value and what it means in plain words, for the figures table; with a simulated
    lead time, its row under the lead time's, which then says it uses the most likely times."""
    path = result.critical_path
    names = [map_.step(v).name for v in path if map_.has_step(v)]
    route = (f"{len(names)} steps, ‘{names[0]}’ to ‘{names[-1]}’" if len(names) > 1
             else (names[0] if names else "–"))
    lead = [["Lead time", format_duration(result.lead_time) + _minutes(result.lead_time),
             MEANINGS["lead_time"]]]
    if simulated is not None:
        lead[0][2] += " " + MOST_LIKELY
        lead.append(["Lead time, simulated", simulated_words(simulated),
                     simulated_meaning(simulated)])
    return lead + [
        ["Process time", format_duration(result.process_time) + _minutes(result.process_time),
         MEANINGS["process_time"]],
        ["Flow efficiency", _percent(result.flow_efficiency_percent), MEANINGS["flow_efficiency"]],
        ["Rolled %C&A", _percent(result.rolled_pca_percent), MEANINGS["rolled_pca"]],
        ["Critical path", route, MEANINGS["critical_path"]],
    ] + target_figure_rows(map_, result, simulated)  # the target and experience, when set


def change_rows(result: MapAnalysis) -> list[list[str]]:
    """Rank, step, flags, saving and reasons of the steps to change."""
    return [[str(rank), item.name, ", ".join(FLAG_LABELS.get(f, f) for f in item.flags),
             format_duration(item.saving) if item.saving > 0 else "–", " ".join(item.reasons)]
            for rank, item in enumerate(result.steps_to_change, start=1)]


@dataclass
class MetricsPage:
    """One figures slide: the figures table (first slide only) and a page of steps to change."""

    figures: TablePage | None
    changes: TablePage


def metrics_pages(map_: ValueStreamMap, result: MapAnalysis,
                  simulated: LeadTimeDistribution | None = None) -> list[MetricsPage]:
    """The figures and the steps to change on one slide in the largest type at which both fit;
    else in TABLE_POINTS, the steps to change continuing on further slides."""
    figure_table = [FIGURE_HEADER] + figure_rows(map_, result, simulated)
    change_table = [CHANGE_HEADER] + change_rows(result)
    room = TABLE_BOTTOM - TABLE_TOP
    for points in METRICS_SIZES:
        last = points == METRICS_SIZES[-1]  # a word too long for any column: widths by share
        figure_widths = (fit_widths(figure_table, FIGURE_SHARES, CONTENT_WIDTH, points)
                         or (_shared(FIGURE_SHARES) if last else None))
        change_widths = (fit_widths(change_table, CHANGE_SHARES, CONTENT_WIDTH, points)
                         or (_shared(CHANGE_SHARES) if last else None))
        if figure_widths is None or change_widths is None:
            continue
        figures = paginate(FIGURE_HEADER, figure_table[1:], figure_widths, 99, points=points)[0]
        first_room = room - sum(figures.heights) - _gap(points)
        changes = paginate(CHANGE_HEADER, change_table[1:], change_widths, room - _gap(points),
                           first_room=first_room, points=points)
        if len(changes) == 1 or last:
            return [MetricsPage(figures if index == 0 else None, page)
                    for index, page in enumerate(changes)]
    raise AssertionError("unreachable: the smallest size always returns")


def _shared(shares: list[float]) -> list[float]:
    return [share * CONTENT_WIDTH for share in shares]


def _gap(points: float) -> float:
    """The room between the figures and the heading and table of the steps to change."""
    return 0.2 + line_height(points + 2) + 0.1


def draw_metrics_slide(slide: Any, map_: ValueStreamMap, result: MapAnalysis,
                       page: MetricsPage, number: int, count: int) -> None:
    """Figures in plain words (first slide only) and a page of the steps to change."""
    more = f" (continued, {number} of {count})" if number > 1 else ""
    slide_title(slide, f"{map_.name} — figures and steps to change{more}",
                f"{MAP_KINDS.get(map_.kind, map_.kind)} · how each figure is computed: the appendix "
                "and the speaker notes")
    top = TABLE_TOP
    points = page.changes.points
    if page.figures is not None:
        top = draw_table(slide, page.figures, top, "Figures") + 0.2
        problems = [p.message for p in result.problems if p.blocking]
        if problems:
            add_text(slide, (MARGIN, top, CONTENT_WIDTH, 0.5), "Not computed: " + problems[0],
                     points, colour=MUTED)
            return
    heading = line_height(points + 2)
    add_text(slide, (MARGIN, top, CONTENT_WIDTH, heading), "Steps to change, largest saving first",
             points + 2, bold=True)
    if len(page.changes.rows) == 1:
        add_text(slide, (MARGIN, top + heading + 0.1, CONTENT_WIDTH, 0.4), "No steps flagged.",
                 points, colour=MUTED)
        return
    draw_table(slide, page.changes, top + heading + 0.1, "Steps to change")


def figures_notes(map_: ValueStreamMap, result: MapAnalysis, part: str = "",
                  simulated: LeadTimeDistribution | None = None) -> str:
    """Speaker notes: each figure with its formula (and the simulated lead time, if any), the
    critical path, steps to change, problems."""
    names = {s.id: s.name for s in map_.steps}
    kind = MAP_KINDS.get(map_.kind, map_.kind)
    lines = [f"{map_.name} — {kind}, {len(map_.steps)} steps{part}."]
    blocking = [p.message for p in result.problems if p.blocking]
    if blocking:
        lines.append("The figures cannot be computed: " + " ".join(blocking))
        return "\n".join(lines)
    start = names.get(result.lead_start or "", "")
    most_likely = " with the most likely times" if simulated is not None else ""
    lines += [
        f"Lead time {format_duration(result.lead_time)}{_minutes(result.lead_time)}{most_likely}, "
        f"from ‘{start}’. " + FORMULAS["lead_time"],
        f"Process time {format_duration(result.process_time)}{_minutes(result.process_time)}. "
        + FORMULAS["process_time"],
        f"Flow efficiency {_percent(result.flow_efficiency_percent)} = process time ÷ lead time = "
        f"{format_duration(result.process_time)} ÷ {format_duration(result.lead_time)}.",
        f"Rolled %C&A {_percent(result.rolled_pca_percent)}. " + FORMULAS["rolled_pca"],
        "Critical path: " + " → ".join(names.get(v, v) for v in result.critical_path) + ". "
        + FORMULAS["critical_path"],
    ]
    if simulated is not None:
        lines.insert(2, simulated_note(result.lead_time, simulated))
    if result.steps_to_change:
        lines.append("Steps to change (" + FORMULAS["saving"] + "):")
        for rank, item in enumerate(result.steps_to_change, start=1):
            flags = ", ".join(FLAG_LABELS.get(f, f) for f in item.flags)
            lines.append(f"{rank}. {item.name} [{flags}] saves {format_duration(item.saving)}: "
                         + " ".join(item.reasons))
    warnings = [p.message for p in result.problems if not p.blocking]
    if warnings:
        lines.append("Warnings: " + " ".join(warnings))
    return "\n".join(lines)


# ---------------------------------------------------------------- comparison


def comparison_rows(comparison: MapComparison) -> list[list[str]]:
    """Figure, current, future and change for every headline figure of vsm.analysis.compare."""
    return [[label, format_metric(key, comparison.metrics[key].from_),
             format_metric(key, comparison.metrics[key].to),
             format_delta(key, comparison.metrics[key]) or "–"]
            for key, (label, _) in METRICS.items() if key in comparison.metrics]


def comparison_hours(comparison: MapComparison) -> list[tuple[float, float]]:
    """(lead time, process time) in hours for the `before` and the `after` map (0 if missing)."""
    lead = comparison.metrics["lead_time_minutes"]
    process = comparison.metrics["process_time_minutes"]
    return [((lead.from_ or 0.0) / 60, (process.from_ or 0.0) / 60),
            ((lead.to or 0.0) / 60, (process.to or 0.0) / 60)]


def draw_comparison_slide(slide: Any, comparison: MapComparison, rows: list[list[str]]) -> None:
    """The comparison table on the left and a clustered column chart of lead and process time
    (hours) for each map on the right."""
    before, after = comparison.before, comparison.after
    hours = comparison_hours(comparison)
    slide_title(slide, f"{before.name} → {after.name}",
                "Current state against future state · how the changes are computed: the speaker "
                "notes")
    widths = [1.6, 1.45, 1.45, 1.9]
    page = paginate(["Figure", before.name, after.name, "Change"], rows, widths, 99)[0]
    bottom = draw_table(slide, page, TABLE_TOP + 0.2, "Comparison")
    _changes(slide, comparison, (MARGIN, bottom + 0.25, sum(widths), TABLE_BOTTOM - bottom - 0.25))
    data = CategoryChartData(number_format="0.0")
    data.categories = ["Lead time", "Process time"]
    for map_, (lead, process) in zip((before, after), hours):
        data.add_series(map_.name, (round(lead, 2), round(process, 2)))
    left = MARGIN + sum(widths) + 0.4
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, emu(left), emu(TABLE_TOP),
                                   emu(SLIDE_WIDTH - MARGIN - left), emu(5.6), data)
    frame.name = "Lead and process time chart"
    _style_chart(frame.chart)


def change_lines(comparison: MapComparison) -> list[str]:
    """The steps added, removed and changed, one line each, for people."""
    lines = [f"Added: {step.name}" for step in comparison.added]
    lines += [f"Removed: {step.name}" for step in comparison.removed]
    lines += [f"Changed: {change.name} — " + "; ".join(
        describe_field_change(name, old, new) for name, (old, new) in change.fields.items())
        for change in comparison.changed]
    return lines or ["No step was added, removed or changed."]


def _changes(slide: Any, comparison: MapComparison,
             rect: tuple[float, float, float, float]) -> None:
    """What changed between the maps, as many lines as fit; the rest is in the notes."""
    left, top, width, height = rect
    add_text(slide, (left, top, width, 0.3), "What changed (steps matched by lineage)", 12,
             bold=True)
    room = int((height - 0.35) / line_height(10))
    shown: list[str] = []
    used = 0
    lines = change_lines(comparison)
    for index, line in enumerate(lines):
        needed = len(wrap("• " + line, width - 0.1, 10))
        if used + needed > room - (1 if index < len(lines) - 1 else 0):
            shown.append(f"… and {len(lines) - index} more in the speaker notes")
            break
        shown.append("• " + line)
        used += needed
    add_text(slide, (left, top + 0.32, width, height - 0.32), "\n".join(shown), 10,
             name="What changed")


def _style_chart(chart: Any) -> None:
    """Explicit colours and fonts for the chart: no theme styles, square corners, no border."""
    space = chart._chartSpace
    plot_xml = space.find(qn("c:chart"))
    rounded = space.find(qn("c:roundedCorners"))
    if rounded is None:  # absent means rounded corners in PowerPoint
        rounded = etree.Element(qn("c:roundedCorners"))
        plot_xml.addprevious(rounded)
    rounded.set("val", "0")
    area = etree.fromstring(
        f'<c:spPr xmlns:c="{NS_C}" xmlns:a="{NS_A}"><a:solidFill><a:srgbClr val="FFFFFF"/>'
        "</a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>")
    plot_xml.addnext(area)
    chart.font.name = FONT
    chart.font.size = Pt(11)
    chart.font.color.rgb = rgb(TEXT)
    chart.has_title = True
    chart.chart_title.text_frame.text = "Lead time and process time (hours)"
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            style_run(run, 13, bold=True)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.gap_width = 80
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = '0.0" h"'
    labels.number_format_is_linked = False
    labels.font.size = Pt(10)
    labels.font.color.rgb = rgb(TEXT)
    for series, colour in zip(plot.series, (ORANGE, BLUE)):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = rgb(colour)
        series.format.line.color.rgb = rgb(OUTLINE)
        series.format.line.width = Pt(0.75)
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb("D9D9D9")
    axis.format.line.color.rgb = rgb(OUTLINE)
    axis.tick_labels.font.size = Pt(10)
    axis.tick_labels.number_format = "0"
    axis.tick_labels.number_format_is_linked = False
    chart.category_axis.format.line.color.rgb = rgb(OUTLINE)
    chart.category_axis.tick_labels.font.size = Pt(11)


def comparison_notes(comparison: MapComparison, rows: list[list[str]]) -> str:
    """Speaker notes for the comparison slide: the figures, how changes are computed, and the
    steps added, removed and changed (matched by lineage, vsm.analysis.compare)."""
    before, after = comparison.before, comparison.after
    lines = [f"{before.name} compared with {after.name}."]
    lines += [f"{figure}: {a} → {b} ({change})." for figure, a, b, change in rows]
    lines += ["Change = future − current; in brackets, the change as a percentage of the current "
              "figure. Flow efficiency and rolled %C&A change in percentage points (pts).",
              "Lead time: " + FORMULAS["lead_time"],
              "Flow efficiency: " + FORMULAS["flow_efficiency"]]
    if comparison.added:
        lines.append("Steps added: " + ", ".join(s.name for s in comparison.added) + ".")
    if comparison.removed:
        lines.append("Steps removed: " + ", ".join(s.name for s in comparison.removed) + ".")
    for change in comparison.changed:
        lines.append(f"Changed ‘{change.name}’: " + "; ".join(
            describe_field_change(name, old, new) for name, (old, new) in change.fields.items())
            + ".")
    return "\n".join(lines)
