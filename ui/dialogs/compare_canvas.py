"""The pieces of the compare view: read-only canvases kept on one scale, and the lead-time bars.

CompareCanvas is a read-only MapView. `align_canvases` gives two of them the same zoom and shows
the same scene x range in both, so steps a future state kept where they were sit exactly above
their originals and the lead-time ladders line up; scrolling or zooming one follows in the other.

LeadTimeBars draws each map's critical path as a bar of waits (hatched) and process times (solid)
on one time scale: equal minutes are equal lengths in both rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen, QResizeEvent, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from vsm.analysis import MapAnalysis
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration
from vsm.palette import BLUE, SKY_BLUE

FIT_MARGIN = 30.0  # scene pixels around the content when fitting
MAX_SHARED_ZOOM = 1.0


class CompareCanvas(MapView):
    """A read-only canvas that tells the compare view when it was resized or scrolled."""

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent, read_only=True)
        self.on_resized: Callable[[], None] | None = None
        self.on_scrolled: Callable[[CompareCanvas], None] | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.on_resized is not None:
            self.on_resized()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        callback = getattr(self, "on_scrolled", None)
        if callback is not None:
            callback(self)

    def left_scene_x(self) -> float:
        """The scene x at the left edge of the viewport."""
        return self.mapToScene(0, 0).x()

    def show_from(self, left: float, zoom: float, centre_y: float) -> None:
        """Scale to `zoom` and scroll so scene x `left` is at the viewport's left edge."""
        if abs(self.transform().m11() - zoom) > 1e-9:
            self.setTransform(QTransform.fromScale(zoom, zoom))
        half_width = self.viewport().width() / 2 / zoom
        self.centerOn(QPointF(left + half_width, centre_y))


def widen(canvases: list[CompareCanvas]) -> None:
    """Let every canvas scroll over all the maps shown and a viewport beyond, so that any scene
    x can be put at the left edge of any of them (a view cannot scroll a scene it shows whole)."""
    union = QRectF()
    for canvas in canvases:
        union = union.united(canvas.scene().sceneRect())
    for canvas in canvases:
        zoom = canvas.transform().m11() or 1.0
        dx = canvas.viewport().width() / zoom
        dy = canvas.viewport().height() / zoom
        wanted = union.adjusted(-dx, -dy, dx, dy)
        if canvas.sceneRect() != wanted:
            canvas.setSceneRect(wanted)


def map_rect(scene: MapScene) -> QRectF:
    """The steps, flows and kaizen bursts of a scene, without its legend, ladder and summary
    (fitting those too left the maps too small to read)."""
    rect = QRectF()
    for items in (scene.item_for_step, scene.item_for_flow, scene.item_for_kaizen):
        for item in items.values():
            rect = rect.united(item.sceneBoundingRect())
    return rect


def align_canvases(canvases: list[CompareCanvas]) -> float:
    """Fit every canvas's map (its steps, flows and bursts) at one shared zoom (the smallest
    fit, at most 100%) with the same scene x at their left edges; return the zoom."""
    rects = []
    for canvas in canvases:
        canvas.scene().layout_decorations()
        rects.append(map_rect(canvas.scene()))
    rects = [r if not r.isNull() else QRectF(0, 0, 200, 120) for r in rects]
    zooms = []
    for canvas, rect in zip(canvases, rects):
        viewport = canvas.viewport()
        zooms.append(min(viewport.width() / (rect.width() + 2 * FIT_MARGIN),
                         viewport.height() / (rect.height() + 2 * FIT_MARGIN)))
    zoom = max(0.05, min([MAX_SHARED_ZOOM, *zooms]))
    left = min(r.left() for r in rects) - FIT_MARGIN
    for canvas in canvases:
        canvas.setTransform(QTransform.fromScale(zoom, zoom))
    widen(canvases)
    for canvas, rect in zip(canvases, rects):
        canvas.show_from(left, zoom, rect.center().y())
    return zoom


def follow(source: CompareCanvas, others: list[CompareCanvas]) -> None:
    """Give `others` the zoom and the left scene x of `source` (keeping their vertical place)."""
    zoom, left = source.transform().m11(), source.left_scene_x()
    widen(others)
    for other in others:
        if other is source:
            continue
        centre_y = other.mapToScene(other.viewport().rect().center()).y()
        other.show_from(left, zoom, centre_y)


# ---------------------------------------------------------------- lead time on one time scale


@dataclass(frozen=True)
class BarRow:
    """One map's critical path: (step name, wait, process) per step, and its lead time."""

    label: str
    segments: list[tuple[str, float, float]]
    lead_time: float | None

    @property
    def path_total(self) -> float:
        return sum(wait + process for _, wait, process in self.segments)


def bar_row(label: str, map_: ValueStreamMap, analysis: MapAnalysis) -> BarRow:
    """The bar of one map from its analysis (an empty bar when it cannot be computed)."""
    segments = [(map_.step(v).name, map_.step(v).wait_time, map_.step(v).process_time)
                for v in analysis.critical_path if map_.has_step(v)]
    return BarRow(label, segments, analysis.lead_time)


class LeadTimeBars(QWidget):
    """Both maps' critical paths as bars on one time scale, their lead time at the right."""

    ROW = 26
    LABEL_WIDTH = 150
    TOTAL_WIDTH = 150

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BarRow] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The critical path of each map on one time scale: waits hatched, "
                        "process times solid. The figure at the right is the map's lead time.")

    def set_rows(self, rows: list[BarRow]) -> None:
        self.rows = list(rows)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(600, 12 + self.ROW * max(2, len(self.rows)) + 18)

    def minutes_per_pixel(self) -> float:
        """The shared scale: the longest path fills the bar area."""
        longest = max((row.path_total for row in self.rows), default=0.0)
        width = max(1, self.width() - self.LABEL_WIDTH - self.TOTAL_WIDTH)
        return longest / width if longest > 0 else 0.0

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(self.foregroundRole())
        scale = self.minutes_per_pixel()
        y = 6
        for row in self.rows:
            painter.setPen(text)
            painter.drawText(QRectF(4, y, self.LABEL_WIDTH - 10, self.ROW - 6),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             self.fontMetrics().elidedText(row.label, Qt.TextElideMode.ElideRight,
                                                           self.LABEL_WIDTH - 10))
            x = float(self.LABEL_WIDTH)
            for _name, wait, process in row.segments:
                for minutes, solid in ((wait, False), (process, True)):
                    width = minutes / scale if scale else 0.0
                    if width <= 0:
                        continue
                    rect = QRectF(x, y + 3, width, self.ROW - 12)
                    painter.setPen(QPen(QColor(BLUE), 1))
                    painter.setBrush(QColor(BLUE) if solid else
                                     QBrush(QColor(SKY_BLUE), Qt.BrushStyle.BDiagPattern))
                    painter.drawRect(rect)
                    x += width
            painter.setPen(text)
            lead = format_duration(row.lead_time) if row.lead_time is not None else "–"
            painter.drawText(QRectF(x + 8, y, self.TOTAL_WIDTH, self.ROW - 6),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             f"lead time {lead}")
            y += self.ROW
        painter.setPen(self.palette().color(self.foregroundRole()).lighter(150)
                       if self.palette().color(self.backgroundRole()).lightness() < 128
                       else QColor("#606060"))
        painter.drawText(QRectF(self.LABEL_WIDTH, y, self.width() - self.LABEL_WIDTH, 16),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         "Critical path on one time scale: hatched = waiting, solid = processing")
        painter.end()
