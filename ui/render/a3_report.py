"""A one-page A3 report per map (PDF): the map, its figures, the steps to change and its plan.

Each page is A3 landscape: a title line (project — map, date), the map drawn as vector in the
LIGHT theme (the same export scene as ui.render.images) in the top ~60 %, and below it three columns
drawn with QPainter: the figures (lead time, process time, flow efficiency, rolled %C&A, steps,
takt time when the map has demand), the top steps to change (rank, name, saving, flags, first
reason) and the improvement-plan rows of that map (title, owner, due, status, saving).

All text is drawn with QPainter.drawText, which is plain text: markup in names stays literal.
The file is written atomically through vsm.files.atomic.write_atomically (FileFormatError on failure).
`export_a3` is what `vsm export --format a3` loads by name; ui.window.exports.export_a3_report is
File > Export A3 Report….
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from ui.document.document import Document
from ui.render.a3_stakeholders import (
    draw_description,
    draw_split_and_cost,
    simulated,
    stakeholder_rows,
    worth_by_step,
)
from ui.render.images import (
    APP,
    Progress,
    as_document,
    content_region,
    ensure_application,
    export_scene,
)
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.analysis.capacity import AVAILABLE_MINUTES
from vsm.analysis.plan import PlanRow, improvement_plan
from vsm.analysis.stakeholder_words import description_items
from vsm.analysis.stakeholders import StakeholderFigures, stakeholder_figures
from vsm.errors import ExportCancelled, FileFormatError
from vsm.export.stakeholder_slides import wanted
from vsm.files.atomic import write_atomically
from vsm.model import Project, ValueStreamMap
from vsm.model.durations import format_duration, format_working_hours, working_time_basis
from vsm.model.kaizen import KAIZEN_STATUSES

MAX_STEPS = 8
MAX_PLAN_ROWS = 10
MAP_SHARE = 0.60  # of the page below the title line
DESCRIPTION_SHARE = 0.2  # of the width, beside the map: the ITIL 4 description
RESOLUTION = 300
INK = QColor("#1f2328")
MUTED = QColor("#57606a")
RULE = QColor("#c8ccd2")
HEADER_FILL = QColor("#eef1f4")
Align = Qt.AlignmentFlag


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _percent(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.1f} %"


def _saving(minutes: float) -> str:
    return format_duration(minutes) if minutes else "–"


def default_map(project: Project) -> ValueStreamMap | None:
    """The first current-state map, else the first map."""
    return project.first_map("current") or (project.maps[0] if project.maps else None)


# ---------------------------------------------------------------- drawing


class _Column:
    """A box on the page with a heading, filled top to bottom with plain-text lines."""

    def __init__(self, painter: QPainter, rect: QRectF, heading: str) -> None:
        self.painter = painter
        self.rect = rect
        painter.setPen(QPen(RULE, 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        painter.setFont(_font(12, True))
        height = QFontMetricsF(painter.font(), painter.device()).height() * 1.6
        head = QRectF(rect.left(), rect.top(), rect.width(), height)
        painter.fillRect(head, HEADER_FILL)
        painter.setPen(QPen(RULE, 3))
        painter.drawLine(head.bottomLeft(), head.bottomRight())
        self.pad = height * 0.35
        painter.setPen(INK)
        painter.drawText(head.adjusted(self.pad, 0, -self.pad, 0),
                         Align.AlignLeft | Align.AlignVCenter, heading)
        self.inner = rect.adjusted(self.pad, height + self.pad, -self.pad, -self.pad)
        self.y = self.inner.top()

    def room(self) -> float:
        return self.inner.bottom() - self.y

    def line_height(self, font: QFont) -> float:
        return QFontMetricsF(font, self.painter.device()).height()

    def measure(self, text: str, font: QFont, indent: float = 0.0) -> float:
        self.painter.setFont(font)
        box = QRectF(self.inner.left() + indent, self.y, self.inner.width() - indent, 1e6)
        return self.painter.boundingRect(box, Align.AlignLeft | Qt.TextFlag.TextWordWrap,
                                         text).height()

    def text(self, text: str, font: QFont, colour: QColor = INK, indent: float = 0.0,
             gap: float = 0.0, max_lines: int | None = None) -> bool:
        """Draw wrapped plain text at the cursor; False (nothing drawn) when it does not fit."""
        height = self.measure(text, font, indent)
        if max_lines is not None:
            height = min(height, self.line_height(font) * max_lines)
        if height > self.room():
            return False
        self.painter.setFont(font)
        self.painter.setPen(colour)
        box = QRectF(self.inner.left() + indent, self.y, self.inner.width() - indent, height)
        self.painter.save()
        self.painter.setClipRect(box.adjusted(0, 0, 0, 1))
        self.painter.drawText(box, Align.AlignLeft | Align.AlignTop | Qt.TextFlag.TextWordWrap,
                              text)
        self.painter.restore()
        self.y += height + gap
        return True

    def cells(self, texts: list[str], shares: list[float], font: QFont, colour: QColor = INK,
              gap: float = 0.0, first_lines: int = 1) -> bool:
        """One row of cells, each elided to one line of its share of the width, except the first,
        which wraps to at most `first_lines` lines; False (nothing drawn) when it does not fit."""
        line = self.line_height(font)
        metrics = QFontMetricsF(font, self.painter.device())
        spacing = metrics.horizontalAdvance("  ")
        first_width = self.inner.width() * shares[0] - spacing
        self.painter.setFont(font)
        wrapped = self.painter.boundingRect(QRectF(0, 0, first_width, 1e6),
                                            Align.AlignLeft | Qt.TextFlag.TextWordWrap,
                                            texts[0]).height()
        lines = max(1, min(first_lines, round(wrapped / line)))
        height = line * lines
        if height > self.room():
            return False
        self.painter.setPen(colour)
        x = self.inner.left()
        for index, (text, share) in enumerate(zip(texts, shares)):
            width = self.inner.width() * share
            last = index == len(texts) - 1
            if index == 0 and lines > 1:
                box = QRectF(x, self.y, first_width, height)
                self.painter.save()
                self.painter.setClipRect(box)
                self.painter.drawText(box, Align.AlignLeft | Align.AlignTop
                                      | Qt.TextFlag.TextWordWrap, text)
                self.painter.restore()
                x += width
                continue
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                       width - (0 if last else spacing))
            align = Align.AlignRight if last else Align.AlignLeft
            self.painter.drawText(QRectF(x, self.y, width, height), align | Align.AlignTop, shown)
            x += width
        self.y += height + gap
        return True

    def rule(self, gap: float) -> None:
        self.painter.setPen(QPen(RULE, 2))
        self.painter.drawLine(self.inner.left(), self.y, self.inner.right(), self.y)
        self.y += gap


def _figures(map_: ValueStreamMap, analysis: MapAnalysis) -> list[tuple[str, str]]:
    rows = [("Lead time", format_duration(analysis.lead_time)),
            ("Process time", format_duration(analysis.process_time)),
            ("Flow efficiency", _percent(analysis.flow_efficiency_percent)),
            ("Rolled %C&A", _percent(analysis.rolled_pca_percent)),
            ("Steps", str(len(map_.steps)))]
    if analysis.takt_time is not None:  # working time, never calendar days (as CLI and editor)
        rows.append((f"Takt time, {working_time_basis(AVAILABLE_MINUTES['day'])}",
                     format_working_hours(analysis.takt_time)))
    return rows


def _draw_figures(column: _Column, map_: ValueStreamMap, analysis: MapAnalysis,
                  extra: list[tuple[str, str]] = ()) -> None:
    label_font = _font(10)
    gap = column.line_height(label_font) * 0.5
    # The values' size is the largest that fits them all (16 pt down to 12); where even 12 pt
    # does not, the step count goes first (the least asked-for figure). With a target, an
    # experience score and a takt time, 16 pt left the step count's label without its value
    # and the takt time off the page. A label is drawn only with its value.
    figures = _figures(map_, analysis)
    for rows_wanted in (figures, [row for row in figures if row[0] != "Steps"]):
        for points in (16, 14, 13, 12):
            rows = [(label, value, _font(points, True)) for label, value in rows_wanted]
            # beside the lead time, the target and the experience (a3_stakeholders)
            rows[1:1] = [(label, value, _font(min(points, 11), True)) for label, value in extra]
            needed = sum(column.measure(label, label_font) + column.measure(value, font) + gap
                         for label, value, font in rows) - gap
            if needed <= column.room():
                break
        else:
            continue
        break
    for label, value, font in rows:
        if column.measure(label, label_font) + column.measure(value, font) > column.room():
            break
        column.text(label, label_font, MUTED)
        column.text(value, font, INK, gap=gap)
    blocking = [p.message for p in analysis.problems if p.blocking]
    if blocking:
        column.text("Figures not computed: " + blocking[0], _font(9), MUTED)


def _draw_steps(column: _Column, analysis: MapAnalysis, worth: dict[str, str] | None = None
                ) -> None:
    items = analysis.steps_to_change
    body, small = _font(10, True), _font(9)
    gap = column.line_height(small) * 0.45
    if not items:
        column.text("No step is flagged." if analysis.ok else
                    "Not computed: the map has problems.", _font(10), MUTED)
        return
    shown = 0
    for rank, item in enumerate(items[:MAX_STEPS], start=1):
        flags = ", ".join(FLAG_LABELS.get(f, f) for f in item.flags)
        head = f"{rank}. {item.name} — saves {_saving(item.saving)}"
        if worth and worth.get(item.step_id):  # with rates: what the change is worth
            head += f" ({worth[item.step_id]})"
        # keep a line free for "and N more" unless this is the last step
        reserve = column.line_height(small) if rank < len(items) else 0.0
        needed = (column.measure(head, body) + column.measure(flags, small, indent=gap * 3)
                  + (column.measure(item.reasons[0], small, indent=gap * 3)
                     if item.reasons else 0.0))
        if needed + reserve > column.room():
            break
        column.text(head, body)
        column.text(flags, small, MUTED, indent=gap * 3)
        if item.reasons:
            column.text(item.reasons[0], small, INK, indent=gap * 3)
        column.y += gap
        shown += 1
    if shown < len(items):
        column.text(f"and {len(items) - shown} more", small, MUTED)


PLAN_SHARES = [0.42, 0.17, 0.15, 0.14, 0.12]


def _draw_plan(column: _Column, rows: list[PlanRow]) -> None:
    head, body, small = _font(9, True), _font(9), _font(9)
    if not rows:
        column.text("No kaizen burst on this map yet.", _font(10), MUTED)
        return
    gap = column.line_height(body) * 0.35
    column.cells(["Improvement", "Owner", "Due", "Status", "Saving"], PLAN_SHARES, head, MUTED,
                 gap=gap * 0.5)
    column.rule(gap)
    shown = 0
    for row in rows[:MAX_PLAN_ROWS]:
        reserve = column.line_height(small) + gap if len(rows) > shown + 1 else 0.0
        if column.line_height(body) * 2 + reserve > column.room():
            break
        if not column.cells([row.title, row.owner or "–", row.due or "–",
                             KAIZEN_STATUSES.get(row.status, row.status),
                             _saving(row.expected_saving_minutes)], PLAN_SHARES, body, gap=gap,
                            first_lines=2):
            break
        shown += 1
    if shown < len(rows):
        column.text(f"and {len(rows) - shown} more", small, MUTED)


def _draw_page(painter: QPainter, area: QRectF, scene, region: QRectF, title: str,
               map_: ValueStreamMap, analysis: MapAnalysis, plan: list[PlanRow],
               figures: StakeholderFigures | None = None) -> None:
    """The page; with `figures` (a map using what stakeholders ask) the ITIL 4 description
    beside the map and a "Who holds the work" column."""
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.setFont(_font(16, True))
    painter.setPen(INK)
    header = QFontMetricsF(painter.font(), painter.device()).height() * 1.6
    painter.drawText(QRectF(area.left(), area.top(), area.width(), header),
                     Align.AlignLeft | Align.AlignTop, title)
    body = area.adjusted(0, header, 0, 0)
    gutter = area.width() * 0.012
    described = figures is not None and bool(description_items(map_))
    map_width = body.width() * (1 - DESCRIPTION_SHARE) - gutter if described else body.width()
    map_box = QRectF(body.left(), body.top(), map_width, body.height() * MAP_SHARE - gutter)
    if described:
        draw_description(_Column(painter, QRectF(map_box.right() + gutter, map_box.top(),
                                                 body.right() - map_box.right() - gutter,
                                                 map_box.height()), "ITIL 4 description"),
                         map_)
    factor = min(map_box.width() / region.width(), map_box.height() / region.height())
    width, height = region.width() * factor, region.height() * factor
    target = QRectF(map_box.left() + (map_box.width() - width) / 2, map_box.top(), width, height)
    scene.render(painter, target, region, Qt.AspectRatioMode.IgnoreAspectRatio)
    lower = QRectF(body.left(), map_box.bottom() + gutter, body.width(),
                   body.bottom() - map_box.bottom() - gutter)
    shares = (0.22, 0.39, 0.39) if figures is None else (0.2, 0.27, 0.27, 0.26)
    usable = lower.width() - gutter * (len(shares) - 1)
    x = lower.left()
    rects = []
    for share in shares:
        rects.append(QRectF(x, lower.top(), usable * share, lower.height()))
        x += usable * share + gutter
    if figures is None:
        _draw_figures(_Column(painter, rects[0], "Figures"), map_, analysis)
        _draw_steps(_Column(painter, rects[1], "Steps to change"), analysis)
        _draw_plan(_Column(painter, rects[2], "Improvement plan"), plan)
        return
    _draw_figures(_Column(painter, rects[0], "Figures"), map_, analysis,
                  stakeholder_rows(map_, figures))
    draw_split_and_cost(_Column(painter, rects[1], "Who holds the work, cost"), painter,
                        analysis, figures)
    _draw_steps(_Column(painter, rects[2], "Steps to change"), analysis, worth_by_step(figures))
    _draw_plan(_Column(painter, rects[3], "Improvement plan"), plan)


def paint_report_page(painter: QPainter, area: QRectF, document: Document, map_id: str,
                      colour_mode: str = "activity", stamp: str | None = None) -> None:
    """Draw the A3 report of one map into `area` of an active painter (a PDF page, a printer)."""
    project = document.project
    map_ = project.map(map_id)
    stamp = stamp or date.today().isoformat()
    plan = [row for row in improvement_plan(project) if row.map_id == map_id]
    analysis = document.analysis(map_id)
    figures = (stakeholder_figures(map_, analysis, simulated(map_, analysis))
               if wanted(map_) else None)  # a map using what stakeholders ask
    with export_scene(document, map_id, colour_mode) as scene:
        _draw_page(painter, area, scene, content_region(scene),
                   f"{project.name} — {map_.name}    {stamp}", map_, analysis, plan, figures)


# ---------------------------------------------------------------- the file


def export_a3(project: Project | Document, path: str | Path, map_ids: list[str] | None = None,
              *, progress: Progress | None = None, colour_mode: str = "activity",
              today: date | None = None) -> list[Path]:
    """`vsm export --format a3`: one A3 landscape report page per map (default: the first
    current-state map) in one PDF; return [path]. FileFormatError when it cannot be written."""
    ensure_application()
    path = Path(path)
    document = as_document(project)
    project_ = document.project
    if map_ids is None:
        first = default_map(project_)
        map_ids = [first.id] if first is not None else []
    maps = [project_.map(map_id) for map_id in map_ids]  # ModelError for an unknown id
    if not maps:
        raise FileFormatError(path, "no map chosen to export")
    stamp = (today or date.today()).isoformat()
    total = len(maps) + 1
    if progress is not None and progress(0, total) is False:
        raise ExportCancelled("export cancelled")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        writer = QPdfWriter(buffer)
        writer.setTitle(f"{project_.name} — A3 report")
        writer.setCreator(APP)
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A3),
                                         QPageLayout.Orientation.Landscape,
                                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        painter = QPainter()
        try:
            for done, map_ in enumerate(maps, start=1):
                if done == 1:
                    if not painter.begin(writer):
                        raise OSError("the PDF could not be started")
                elif not writer.newPage():
                    raise OSError("a PDF page could not be added")
                paint_report_page(painter, QRectF(0, 0, writer.width(), writer.height()),
                                  document, map_.id, colour_mode, stamp)
                if progress is not None and progress(done, total) is False:
                    raise ExportCancelled("export cancelled")
        finally:
            if painter.isActive():
                painter.end()
        buffer.close()
    except (OSError, MemoryError, RuntimeError) as error:
        raise FileFormatError(path, f"cannot be rendered: {error}") from error
    write_atomically([(path, bytes(data.data()))])
    if progress is not None:
        progress(total, total)
    return [path]
