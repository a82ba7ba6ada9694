"""What stakeholders ask, on the A3 report (issue 18): drawn into the report's columns.

- `stakeholder_rows`: the target (met / missed, with ranges the chance and P85) and the experience
  score, as (label, value) rows under the figures.
- `draw_description`: the ITIL 4 description (trigger, outcome, value, stakeholders, practices,
  information and technology) in a column beside the map.
- `draw_split_and_cost`: who holds the work as a stacked bar in the palette's colours with a
  legend giving minutes and percent, the wait on vendors, the cost and the automation candidates.

The words are vsm.analysis.stakeholder_words', as on the deck and the metrics pane; the simulated
lead time is the deck's (same runs and seed). `column` is the report's column (ui.render.
a3_report._Column: inner, y, room(), line_height(), text()); passed in, not imported, so the two
modules do not import each other.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from vsm.analysis import MapAnalysis
from vsm.analysis.montecarlo import LeadTimeDistribution
from vsm.analysis.stakeholder_words import (
    automation_lines,
    cost_lines,
    description_items,
    segment_words,
    split_segments,
    target_words,
    vendor_wait_words,
    worth_words,
)
from vsm.analysis.stakeholders import StakeholderFigures
from vsm.model import ValueStreamMap
from vsm.model.stakeholders import experience_words

INK = QColor("#1f2328")
MUTED = QColor("#57606a")
AUTOMATION_SHOWN = 5


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def stakeholder_rows(map_: ValueStreamMap, figures: StakeholderFigures) -> list[tuple[str, str]]:
    """(label, value) rows for the figures column: the target and the experience, when set."""
    rows = []
    if figures.attainment is not None:
        label, _, verdict = target_words(figures.attainment)[0].partition(": ")
        rows.append((label, verdict) if verdict else ("Target", label))  # "Target 1w", "✘ missed…"
    if map_.experience is not None:
        rows.append(("Experience", experience_words(map_.experience)))
    return rows


def worth_by_step(figures: StakeholderFigures) -> dict[str, str]:
    """Step id -> what its change is worth ("worth €120/item, …"), where the map has rates."""
    cost = figures.cost
    if cost is None or cost.per_item is None:
        return {}
    return {row.step_id: words for row in cost.savings
            if (words := worth_words(row, cost.currency))}


def draw_description(column: Any, map_: ValueStreamMap) -> None:
    """The ITIL 4 description, item by item while it fits; the rest is said to be in the deck."""
    heading, body = _font(10, True), _font(10)
    gap = column.line_height(body) * 0.4
    items = description_items(map_)
    for index, (title, text) in enumerate(items):
        reserve = column.line_height(body) if index < len(items) - 1 else 0.0
        needed = column.measure(title, heading) + column.measure(text, body) + reserve
        if needed > column.room():
            column.text(f"and {len(items) - index} more in the deck's speaker notes", _font(9),
                        MUTED)
            return
        column.text(title, heading)
        column.text(text, body, gap=gap)


def _bar(column: Any, painter: QPainter, segments: list[Any], height: float) -> None:
    total = sum(s.minutes for s in segments)
    x, top, width = column.inner.left(), column.y, column.inner.width()
    font = _font(10, True)
    metrics = QFontMetricsF(font, painter.device())
    painter.setFont(font)
    for segment in segments:
        part = width * segment.minutes / total if total > 0 else 0.0
        if part <= 0:
            continue
        rect = QRectF(x, top, part, height)
        colour = QColor(segment.colour)
        painter.fillRect(rect, colour)
        painter.setPen(QPen(QColor("#000000"), 2))
        painter.drawRect(rect)
        label = f"{segment.percent:.0f}%" if segment.percent is not None else ""
        if label and metrics.horizontalAdvance(label) * 1.2 <= part:
            painter.setPen(QColor("#ffffff" if colour.lightness() < 140 else "#000000"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        x += part
    column.y += height + column.line_height(font) * 0.4


def _legend(column: Any, painter: QPainter, segments: list[Any]) -> bool:
    font = _font(10)
    size = column.line_height(font) * 0.7
    for segment in segments:
        if column.line_height(font) > column.room():
            return False
        swatch = QRectF(column.inner.left(), column.y + (column.line_height(font) - size) / 2,
                        size, size)
        painter.fillRect(swatch, QColor(segment.colour))
        painter.setPen(QPen(QColor("#000000"), 1))
        painter.drawRect(swatch)
        if not column.text(segment_words(segment), font, INK, indent=size * 1.6):
            return False
    return True


def draw_split_and_cost(column: Any, painter: QPainter, analysis: MapAnalysis,
                        figures: StakeholderFigures) -> None:
    """Who holds the work by performer (bar and legend), the wait on vendors, the cost per item,
    period and month, and the first automation candidates."""
    split = figures.split
    small, body, bold = _font(9), _font(10), _font(10, True)
    if split is None or not analysis.ok:
        column.text("Not computed: the map has problems.", body, MUTED)
        return
    segments = split_segments(split)
    column.text("By performer, share of the lead time", small, MUTED)
    _bar(column, painter, segments, column.line_height(body) * 1.5)
    if not _legend(column, painter, segments):
        return
    vendor = vendor_wait_words(split)
    gap = column.line_height(body) * 0.5
    if vendor and not column.text(vendor, bold, gap=gap):
        return
    cost = figures.cost
    if cost is None:
        return
    if cost.per_item is not None:
        for line in cost_lines(cost):
            if not column.text(line, body):
                return
        column.y += gap
    lines = automation_lines(cost, AUTOMATION_SHOWN)
    if lines and column.text("Automation candidates (hours freed)", bold):
        for _, line in lines:
            if not column.text(line, small):
                return
        if len(cost.automation) > AUTOMATION_SHOWN:
            column.text(f"and {len(cost.automation) - AUTOMATION_SHOWN} more", small, MUTED)


def simulated(map_: ValueStreamMap, analysis: MapAnalysis) -> LeadTimeDistribution | None:
    """The simulated lead time of a map with time ranges, as the deck simulates it."""
    from vsm.export.summary_slides import simulated_lead_time

    return simulated_lead_time(map_, analysis)
