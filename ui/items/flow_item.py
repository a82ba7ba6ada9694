"""FlowItem: an arrow between two steps.

Ordinary flows are straight arrows from box edge to box edge, labelled with their share ("60%")
when they are alternative routes. Rework flows are dashed curves arcing above the boxes back to
the earlier step, labelled with their probability ("↺ 25%"). The item is passive: the steps it
joins call adjust() when they move, the scene calls the setters.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker,
                           QPen, QPolygonF)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.items.step_item import StepItem
from ui.palette import LIGHT, Theme
from vsm.model import Flow
from ui.items.fonts import label_font

ARROW_SIZE = 11.0
ELBOW = 22.0  # how far before its target a long flow turns up into it
ENTRY = 27.0  # where along its top edge a long flow comes down into its target


def edge_point(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from the centre of `rect` towards `towards` leaves the rectangle."""
    centre = rect.center()
    dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    scale = min(rect.width() / 2 / abs(dx) if dx else math.inf,
                rect.height() / 2 / abs(dy) if dy else math.inf)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


class FlowItem(QGraphicsItem):
    """One flow of the map; `flow_id` names it."""

    def __init__(self, flow: Flow, source: StepItem, target: StepItem, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.flow_id = flow.id
        self.source: StepItem | None = None
        self.target: StepItem | None = None
        self._theme = theme
        self._critical = False
        self._path = QPainterPath()
        self._head = QPolygonF()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.set_flow(flow, source, target)

    # ------------------------------------------------------------ setters

    def set_flow(self, flow: Flow, source: StepItem, target: StepItem) -> None:
        """Show this flow between these step items (its ends may have changed)."""
        self.flow = flow
        if source is not self.source or target is not self.target:
            self.detach()
            self.source, self.target = source, target
            source.flows.append(self)
            if target is not source:
                target.flows.append(self)
        if flow.kind == "rework":
            self.label = f"↺ {flow.probability:g}%" if flow.probability is not None else "↺"
            self.setToolTip(f"Rework: {flow.probability:g}% of the work goes back")
        else:
            self.label = f"{flow.share:g}%" if flow.share is not None else ""
            self.setToolTip(f"Alternative route taken by {flow.share:g}% of the work"
                            if flow.share is not None else "Flow")
        self.adjust()

    def detach(self) -> None:
        """Stop following the steps (before the item is removed)."""
        for end in (self.source, self.target):
            if end is not None and self in end.flows:
                end.flows.remove(self)
        self.source = self.target = None

    def set_on_critical_path(self, on_path: bool) -> None:
        """A thicker line for a flow between two consecutive steps of the critical path."""
        if on_path != self._critical:
            self._critical = on_path
            self.update()

    @property
    def on_critical_path(self) -> bool:
        return self._critical

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    # ------------------------------------------------------------ geometry

    def adjust(self) -> None:
        """Re-route after a step moved or the flow changed."""
        if self.source is None or self.target is None:
            return
        self.prepareGeometryChange()
        source = self.source.mapRectToScene(self.source.box_rect())
        target = self.target.mapRectToScene(self.target.box_rect())
        if self.flow.kind == "rework":
            self._route_rework(source, target)
        else:
            self._route_straight(source, target)
        bounds = self._path.boundingRect().united(self._head.boundingRect())
        if self.label:
            bounds = bounds.united(self._label_rect)
        self._bounds = bounds.adjusted(-8, -8, 8, 8)

    def _route_straight(self, source: QRectF, target: QRectF) -> None:
        """A straight arrow; a flow skipping columns to another row runs along its own row first
        and turns just before its target, so it does not cut through the steps in between."""
        rows_differ = abs(target.center().y() - source.center().y()) > source.height() / 2
        forward = target.left() - source.right() > source.width() + 40
        backward = source.left() - target.right() > source.width() + 40
        if rows_differ and (forward or backward):
            y = source.center().y()
            start = QPointF(source.right() if forward else source.left(), y)
            self._path = QPainterPath(start)
            if target.center().y() > y:  # down into the top edge, clear of the wait triangle
                turn = target.left() + ENTRY if forward else target.right() - ENTRY
                end = QPointF(turn, target.top())
                self._path.lineTo(turn, y)
                self._head = _arrow_head(end, 270.0)
            else:  # up, then into the left (right) edge below the wait triangle
                turn = target.left() - ELBOW if forward else target.right() + ELBOW
                end = QPointF(target.left() if forward else target.right(), target.center().y())
                self._path.lineTo(turn, y)
                self._path.lineTo(turn, end.y())
                self._head = _arrow_head(end, 0.0 if forward else 180.0)
            self._path.lineTo(end)
            self._place_label(QPointF((start.x() + turn) / 2, y), start, QPointF(turn, y))
            return
        start = edge_point(source, target.center())
        end = edge_point(target, source.center())
        self._path = QPainterPath(start)
        self._path.lineTo(end)
        self._head = _arrow_head(end, QLineF(start, end).angle())
        self._place_label(QPointF((start.x() + end.x()) / 2, (start.y() + end.y()) / 2), start, end)

    def _route_rework(self, source: QRectF, target: QRectF) -> None:
        backwards = target.center().x() <= source.center().x()
        near, far = 0.25, 0.45  # clear of the flag badges at the top right
        if self.source is self.target or backwards:
            start = QPointF(source.left() + source.width() * near, source.top())
            end = QPointF(target.left() + target.width() * far, target.top())
        else:
            start = QPointF(source.left() + source.width() * far, source.top())
            end = QPointF(target.left() + target.width() * near, target.top())
        distance = abs(end.x() - start.x())
        height = 55 + min(0.12 * distance, 90)
        top = min(start.y(), end.y()) - height
        control_start = QPointF(start.x(), top)
        control_end = QPointF(end.x(), top)
        self._path = QPainterPath(start)
        self._path.cubicTo(control_start, control_end, end)
        self._head = _arrow_head(end, QLineF(control_end, end).angle())
        self._place_label(self._path.pointAtPercent(0.5))

    def _place_label(self, centre: QPointF, start: QPointF | None = None,
                     end: QPointF | None = None) -> None:
        """Centre the label on a point; beside a straight line, below it (clear of the wait)."""
        metrics = QFontMetricsF(label_font())
        width = metrics.horizontalAdvance(self.label) + 10
        height = metrics.height() + 2
        if start is not None and end is not None:
            dx, dy = end.x() - start.x(), end.y() - start.y()
            length = math.hypot(dx, dy) or 1.0
            normal_x, normal_y = -dy / length, dx / length
            if normal_y < 0:
                normal_x, normal_y = -normal_x, -normal_y
            reach = abs(normal_x) * width / 2 + abs(normal_y) * height / 2 + 3
            centre = QPointF(centre.x() + normal_x * reach, centre.y() + normal_y * reach)
        self._label_rect = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)

    def label_rect(self) -> QRectF:
        """Where the share or probability label is drawn (scene coordinates)."""
        return QRectF(self._label_rect)

    def path(self) -> QPainterPath:
        """The line or curve of the flow (scene coordinates), without the arrow head."""
        return QPainterPath(self._path)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        shape = stroker.createStroke(self._path)
        shape.addPolygon(self._head)
        if self.label:
            shape.addRect(self._label_rect)
        return shape

    # ------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self._theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = theme.colour("critical" if self._critical else "flow")
        width = 3.0 if self._critical else 1.6
        if self.isSelected():
            halo = QColor(theme.selection)
            halo.setAlpha(110)
            painter.setPen(QPen(halo, width + 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPath(self._path)
        pen = QPen(colour, width)
        if self.flow.kind == "rework":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(colour)
        painter.drawPolygon(self._head)
        if self.label:
            painter.setPen(QPen(colour, 1))
            painter.setBrush(theme.colour("label_fill"))
            painter.drawRoundedRect(self._label_rect, 6, 6)
            painter.setFont(label_font())
            painter.setPen(theme.colour("text"))
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)


def _arrow_head(tip: QPointF, angle_degrees: float) -> QPolygonF:
    """A filled arrow head at `tip` for a line arriving at `angle_degrees` (QLineF convention)."""
    angle = math.radians(angle_degrees)
    back = QPointF(-math.cos(angle), math.sin(angle))  # QLineF angles run counter-clockwise
    side = QPointF(-back.y(), back.x())
    base = tip + back * ARROW_SIZE
    return QPolygonF([tip, base + side * (ARROW_SIZE * 0.45), base - side * (ARROW_SIZE * 0.45)])
