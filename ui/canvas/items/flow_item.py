"""FlowItem: an arrow between two steps.

Ordinary flows are straight arrows from box edge to box edge, labelled with their share ("60%")
when they are alternative routes. Rework flows are dashed curves arcing above the boxes back to
the earlier step, labelled with their probability ("↺ 25%"). The item is passive: the steps it
joins call adjust() when they move, the scene calls the setters.

The editor and the exports route every flow orthogonally around the boxes as the deck does
(set_route, from ui.canvas.routes); a step moved afterwards takes its flows back to the live
routing until they are routed again.

Live routing is plain arithmetic on the step boxes (a scene of thousands of flows is built in a blink):
the bounding rectangle is exact, the QPainterPath and arrow head are built when first painted or
asked for. The bounding rectangle is QGraphicsRectItem's rect (no pen): Qt asks it of every flow it
indexes or paints without calling into Python. Zoomed out so far that its label would be unreadable,
a flow draws the label's box only; so far that its steps are drawn small (fonts.drawn_small), its
line only (the arrow head and the label's box a pixel or two there).
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.fonts import drawn_small, label_font, text_readable
from ui.canvas.items.step_item import HEIGHT, WIDTH, StepItem
from ui.canvas.items.tooltips import LazyToolTip, cases_tooltip
from ui.canvas.palette import LIGHT, Theme
from vsm.model import Flow, route_percent
from vsm.model.measured import cases_words, low_confidence

ARROW_SIZE = 11.0
ELBOW = 22.0  # how far before its target a long flow turns up into it
ENTRY = 27.0  # where along its top edge a long flow comes down into its target

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom
_LABEL_WIDTHS: dict[str, float] = {}  # label -> width of its box (the font never changes)


def edge_point(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from the centre of `rect` towards `towards` leaves the rectangle."""
    centre = rect.center()
    dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    scale = min(rect.width() / 2 / abs(dx) if dx else math.inf,
                rect.height() / 2 / abs(dy) if dy else math.inf)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


class FlowItem(LazyToolTip, QGraphicsRectItem):
    """One flow of the map; `flow_id` names it."""

    def __init__(self, flow: Flow, source: StepItem, target: StepItem, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.setPen(Qt.PenStyle.NoPen)  # its rect is its bounding rect, answered by Qt
        self.flow_id = flow.id
        self.source: StepItem | None = None
        self.target: StepItem | None = None
        self._theme = theme
        self._critical = False
        self._points: list[Point] = []  # polyline, or start and end of the rework curve
        self._head_at: tuple[Point, float] = ((0.0, 0.0), 0.0)  # tip and angle (QLineF degrees)
        self._geometry: tuple[QPainterPath, QPolygonF] | None = None  # built when needed
        self._label_rect = QRectF()
        self._routed = False  # along an orthogonal route set by an export (set_route)
        self.extent: Box = (0.0, 0.0, 0.0, 0.0)  # the bounds as numbers (the scene adds them up)
        self._routed_between: tuple = ()  # the step items and their x, y when last routed
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
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
            self.label = (f"↺ {route_percent(flow.probability)}" if flow.probability is not None
                          else "↺")
        else:
            self.label = route_percent(flow.share) if flow.share is not None else ""
        if flow.cases is not None:  # measured (vsm mine): how many cases took this route
            self.label = " · ".join(filter(None, (self.label, cases_words(flow.cases))))
        self.adjust()
        self.update()

    def tooltip_text(self) -> str:
        flow = self.flow
        if flow.kind == "rework":
            text = f"Rework: {flow.probability:g}% of the work goes back"
        else:
            text = (f"Alternative route taken by {flow.share:g}% of the work"
                    if flow.share is not None else "Flow")
        return text + (cases_tooltip(flow.cases, "took this route") if flow.cases is not None
                       else "")

    def reattach(self, source: StepItem, target: StepItem, route: bool = True) -> None:
        """Follow these step items again (a removed flow put back, by an undo); routed again
        only if they are not the items, at the places, it was last routed between. Without
        `route`, that is left for `route_if_moved` (thousands put back: when each is shown)."""
        self.source, self.target = source, target
        source.flows.append(self)
        if target is not source:
            target.flows.append(self)
        if route:
            self.route_if_moved()

    def route_if_moved(self) -> None:
        """Route again unless the flow was last routed between its items at their places."""
        source, target = self.source, self.target
        if source is not None and target is not None and self._routed_between != (
                source, target, source.x(), source.y(), target.x(), target.y()):
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
        if theme is not self._theme:
            self._theme = theme
            self.update()

    # ------------------------------------------------------------ geometry

    def adjust(self) -> None:
        """Re-route after a step moved or the flow changed."""
        if self.source is None or self.target is None:
            return
        source, target = _box(self.source), _box(self.target)
        self._routed_between = (self.source, self.target, source[0], source[1], target[0],
                                target[1])
        self._geometry = None
        self._routed = False
        if self.flow.kind == "rework":  # few: the curve is built at once, for exact bounds
            self._route_rework(source, target)
            path, head = self._built()
            middle = path.pointAtPercent(0.5)
            self._place_label((middle.x(), middle.y()))
            bounds = path.boundingRect().united(head.boundingRect())
        else:
            self._route_straight(source, target)
            xs = [x for x, _ in self._points]
            ys = [y for _, y in self._points]
            for x, y in _head_points(*self._head_at):
                xs.append(x)
                ys.append(y)
            left, top = min(xs), min(ys)
            bounds = QRectF(left, top, max(xs) - left, max(ys) - top)
        self._set_bounds(bounds)

    def set_route(self, points: list[Point], label: Box | None) -> None:
        """Draw the flow along this orthogonal path (an export's router, vsm.model.routing:
        from edge to edge, around the boxes) with its label in `label` (left, top, right,
        bottom), until a step moves and adjust() routes it again."""
        self._geometry = None
        self._routed = True
        self._points = list(points)
        self._head_at = (points[-1], _angle(points[-2], points[-1]))
        if label is not None:
            self._label_rect = QRectF(label[0], label[1], label[2] - label[0], label[3] - label[1])
        xs = [x for x, _ in points] + [x for x, _ in _head_points(*self._head_at)]
        ys = [y for _, y in points] + [y for _, y in _head_points(*self._head_at)]
        self._set_bounds(QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))

    @property
    def routed(self) -> bool:
        """Whether the flow runs along a route set by set_route (not the live routing)."""
        return self._routed

    def label_rect(self) -> QRectF:
        """The label's box in scene coordinates (meaningless without a label)."""
        return QRectF(self._label_rect)

    def label_size(self) -> tuple[float, float]:
        """The width and height of the label's box (0, 0 without a label)."""
        if not self.label:
            return (0.0, 0.0)
        return (_label_width(self.label), _label_height())

    def _set_bounds(self, bounds: QRectF) -> None:
        if self.label:
            bounds = bounds.united(self._label_rect)
        bounds = bounds.adjusted(-8, -8, 8, 8)
        self.extent = (bounds.left(), bounds.top(), bounds.right(), bounds.bottom())
        if bounds != self.rect():
            self.setRect(bounds)  # the bounding rect, kept by Qt (no Python asked for it)
        else:
            self.update()

    def _route_straight(self, source: Box, target: Box) -> None:
        """A straight arrow; a flow skipping columns to another row runs along its own row first
        and turns just before its target, so it does not cut through the steps in between."""
        s_left, s_top, s_right, s_bottom = source
        t_left, t_top, t_right, t_bottom = target
        s_cy, t_cy = (s_top + s_bottom) / 2, (t_top + t_bottom) / 2
        width = s_right - s_left
        rows_differ = abs(t_cy - s_cy) > (s_bottom - s_top) / 2
        forward = t_left - s_right > width + 40
        backward = s_left - t_right > width + 40
        if rows_differ and (forward or backward):
            y = s_cy
            start = (s_right if forward else s_left, y)
            if t_cy > y:  # down into the top edge, clear of the wait triangle
                turn = t_left + ENTRY if forward else t_right - ENTRY
                end = (turn, t_top)
                self._points = [start, (turn, y), end]
                self._head_at = (end, 270.0)
            else:  # up, then into the left (right) edge below the wait triangle
                turn = t_left - ELBOW if forward else t_right + ELBOW
                end = (t_left if forward else t_right, t_cy)
                self._points = [start, (turn, y), (turn, end[1]), end]
                self._head_at = (end, 0.0 if forward else 180.0)
            self._place_label(((start[0] + turn) / 2, y), start, (turn, y))
            return
        start = _edge(source, ((t_left + t_right) / 2, t_cy))
        end = _edge(target, ((s_left + s_right) / 2, s_cy))
        self._points = [start, end]
        self._head_at = (end, _angle(start, end))
        self._place_label(((start[0] + end[0]) / 2, (start[1] + end[1]) / 2), start, end)

    def _route_rework(self, source: Box, target: Box) -> None:
        s_left, s_top, s_right, _ = source
        t_left, t_top, t_right, _ = target
        backwards = (t_left + t_right) / 2 <= (s_left + s_right) / 2
        near, far = 0.25, 0.45  # clear of the flag badges at the top right
        if self.source is self.target or backwards:
            start = (s_left + (s_right - s_left) * near, s_top)
            end = (t_left + (t_right - t_left) * far, t_top)
        else:
            start = (s_left + (s_right - s_left) * far, s_top)
            end = (t_left + (t_right - t_left) * near, t_top)
        distance = abs(end[0] - start[0])
        height = 55 + min(0.12 * distance, 90)
        top = min(start[1], end[1]) - height
        self._points = [start, (start[0], top), (end[0], top), end]  # a cubic: ends and controls
        self._head_at = (end, _angle((end[0], top), end))

    def _place_label(self, centre: Point, start: Point | None = None,
                     end: Point | None = None) -> None:
        """Centre the label on a point; beside a straight line, below it (clear of the wait)."""
        width, height = _label_width(self.label), _label_height()
        x, y = centre
        if start is not None and end is not None:
            dx, dy = end[0] - start[0], end[1] - start[1]
            length = math.hypot(dx, dy) or 1.0
            normal_x, normal_y = -dy / length, dx / length
            if normal_y < 0:
                normal_x, normal_y = -normal_x, -normal_y
            reach = abs(normal_x) * width / 2 + abs(normal_y) * height / 2 + 3
            x, y = x + normal_x * reach, y + normal_y * reach
        self._label_rect = QRectF(x - width / 2, y - height / 2, width, height)

    def _built(self) -> tuple[QPainterPath, QPolygonF]:
        """The path and the arrow head, built from the route on first use."""
        if self._geometry is None:
            points = self._points
            path = QPainterPath(QPointF(*points[0])) if points else QPainterPath()
            if self._routed:
                _round_corners(path, points)
            elif self.flow.kind == "rework" and len(points) == 4:
                path.cubicTo(QPointF(*points[1]), QPointF(*points[2]), QPointF(*points[3]))
            else:
                for point in points[1:]:
                    path.lineTo(*point)
            head = QPolygonF([QPointF(x, y) for x, y in _head_points(*self._head_at)])
            self._geometry = (path, head)
        return self._geometry

    def path(self) -> QPainterPath:
        """The line or curve of the flow (scene coordinates), without the arrow head."""
        return QPainterPath(self._built()[0])

    def shape(self) -> QPainterPath:
        path, head = self._built()
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        shape = stroker.createStroke(path)
        shape.addPolygon(head)
        if self.label:
            shape.addRect(self._label_rect)
        return shape

    # ------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self._theme
        path, head = self._built()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        critical, rework = self._critical, self.flow.kind == "rework"
        if self.isSelected():
            halo = QColor(theme.selection)
            halo.setAlpha(110)
            width = 3.0 if critical else 1.6
            painter.setPen(QPen(halo, width + 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPath(path)
        line, thin, colour = _line_style(theme, critical, rework)
        painter.setPen(line)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if drawn_small(painter, widget, WIDTH):  # its steps a few pixels wide: the line only
            return
        painter.setPen(thin)
        painter.setBrush(colour)
        painter.drawPolygon(head)
        if self.label:
            outline = thin
            if low_confidence(self.flow.cases):  # measured in few cases: a dotted label box
                outline = QPen(theme.colour("muted"), 1.2, Qt.PenStyle.DotLine)
            painter.setPen(outline)
            painter.setBrush(theme.colour("label_fill"))
            painter.drawRoundedRect(self._label_rect, 6, 6)
            if text_readable(painter, widget, label_font().pixelSize()):
                painter.setFont(label_font())
                painter.setPen(theme.colour("text"))
                painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)


@cache
def _line_style(theme: Theme, critical: bool, rework: bool) -> tuple[QPen, QPen, QColor]:
    """The pen of a flow's line (dashed for rework, thicker on the critical path), the thin pen
    of its head and label's box, and their colour, made once: a big map fitted in view paints
    hundreds of flows at every repaint."""
    colour = theme.colour("critical" if critical else "flow")
    line = QPen(colour, 3.0 if critical else 1.6)
    if rework:
        line.setStyle(Qt.PenStyle.DashLine)
    return line, QPen(colour, 1), colour


def _box(item: StepItem) -> Box:
    """The step's process and data boxes in scene coordinates (steps are top-level, unscaled)."""
    x, y = item.x(), item.y()
    return (x, y, x + WIDTH, y + HEIGHT)


def _edge(box: Box, towards: Point) -> Point:
    """Where the line from the centre of `box` towards `towards` leaves it (see edge_point)."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy)
    scale = min((right - left) / 2 / abs(dx) if dx else math.inf,
                (bottom - top) / 2 / abs(dy) if dy else math.inf)
    return (cx + dx * scale, cy + dy * scale)


def _angle(start: Point, end: Point) -> float:
    """The angle of the line from start to end in degrees, as QLineF.angle() gives it."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    if dx == 0 and dy == 0:
        return 0.0
    return math.degrees(math.atan2(-dy, dx)) % 360.0


def _head_points(tip: Point, angle_degrees: float) -> list[Point]:
    """The three corners of the arrow head at `tip` (see _arrow_head)."""
    angle = math.radians(angle_degrees)
    back_x, back_y = -math.cos(angle), math.sin(angle)  # QLineF angles run counter-clockwise
    side_x, side_y = -back_y, back_x
    base_x, base_y = tip[0] + back_x * ARROW_SIZE, tip[1] + back_y * ARROW_SIZE
    wing = ARROW_SIZE * 0.45
    return [tip, (base_x + side_x * wing, base_y + side_y * wing),
            (base_x - side_x * wing, base_y - side_y * wing)]


def _round_corners(path: QPainterPath, points: list[Point], radius: float = 8.0) -> None:
    """Continue `path` (at points[0]) along the polyline with each corner rounded off."""
    for previous, corner, after in zip(points, points[1:], points[2:]):
        into = math.dist(previous, corner)
        out = math.dist(corner, after)
        cut = min(radius, into / 2, out / 2)
        if cut <= 0:
            path.lineTo(*corner)
            continue
        before = (corner[0] + (previous[0] - corner[0]) * cut / into,
                  corner[1] + (previous[1] - corner[1]) * cut / into)
        beyond = (corner[0] + (after[0] - corner[0]) * cut / out,
                  corner[1] + (after[1] - corner[1]) * cut / out)
        path.lineTo(*before)
        path.quadTo(QPointF(*corner), QPointF(*beyond))
    path.lineTo(*points[-1])


def _label_width(label: str) -> float:
    width = _LABEL_WIDTHS.get(label)
    if width is None:
        width = _LABEL_WIDTHS[label] = QFontMetricsF(label_font()).horizontalAdvance(label) + 10
    return width


@cache
def _label_height() -> float:
    return QFontMetricsF(label_font()).height() + 2
