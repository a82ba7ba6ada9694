"""KaizenItem: an improvement idea drawn as the classic kaizen burst.

A jagged star ("explosion") in yellow with a vermilion outline, its title wrapped over up to
three lines (a burst with a three-line title is a little taller) and a short line with its status
and waste. A burst attached to a step has a thin dashed leader line to the step's box; the step
calls adjust() when it moves, so the line follows a drag. A dropped kaizen has a dashed outline
and a done one a tick, so status never rests on colour alone.

The item is passive: the scene sets its kaizen, position and step; a drag only moves the item
until the scene pushes the Move command on release. Its position is the burst's top-left corner,
the kaizen's x and y in the model. Zoomed out so far that its text would be unreadable, the burst
is drawn without it.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.flow_item import edge_point
from ui.canvas.items.fonts import label_font, small_font, text_readable, wrap_text
from ui.canvas.palette import LIGHT, Theme
from vsm.model.durations import format_duration
from vsm.model.kaizen import KAIZEN_STATUSES, WASTES
from vsm.model.records import Kaizen
from vsm.palette import VERMILLION, YELLOW

if TYPE_CHECKING:
    from ui.canvas.items.step_item import StepItem

BURST_WIDTH = 220.0
BURST_HEIGHT = 80.0  # with a title of one or two lines
TALL_BURST_HEIGHT = 100.0  # with three: the star's inner ellipse still holds the lines
TITLE_LINES = 3  # a longer title is elided (the tooltip and the properties show all of it)
SPIKES = 18
INNER = 0.86  # the inner corners of the star, as a fraction of the outer ellipse
TEXT_WIDTH = 140.0  # the title's lines; the status line is a little narrower
INFO_WIDTH = 130.0
FILL = YELLOW
EDGE = VERMILLION
TEXT = "#000000"


def title_lines(title: str) -> list[str]:
    """The lines a burst shows its title in."""
    return wrap_text(title, QFontMetricsF(label_font()), TEXT_WIDTH, TITLE_LINES)


def burst_size(title: str) -> tuple[float, float]:
    """The width and height of the burst of a kaizen with this title."""
    return (BURST_WIDTH, TALL_BURST_HEIGHT if len(title_lines(title)) > 2 else BURST_HEIGHT)


def burst_polygon(rect: QRectF, spikes: int = SPIKES, inner: float = INNER) -> QPolygonF:
    """A star inscribed in the ellipse of `rect`: `spikes` outer points, alternating slightly in
    length so it reads as an explosion rather than a regular star."""
    centre = rect.center()
    rx, ry = rect.width() / 2, rect.height() / 2
    points = []
    for index in range(2 * spikes):
        angle = math.pi * index / spikes - math.pi / 2
        if index % 2:
            scale = inner
        else:
            scale = 1.0 if index % 4 == 0 else 0.93
        points.append(QPointF(centre.x() + rx * scale * math.cos(angle),
                              centre.y() + ry * scale * math.sin(angle)))
    return QPolygonF(points)


class KaizenItem(QGraphicsItem):
    """One kaizen burst; `kaizen_id` names it, `step_item` is the step it points to (or None)."""

    def __init__(self, kaizen: Kaizen, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.kaizen_id = kaizen.id
        self.step_item: StepItem | None = None
        self._theme = theme
        self._leader = QLineF()
        self._size = (BURST_WIDTH, BURST_HEIGHT)
        self._polygon = burst_polygon(self.burst_rect())
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(2)
        self.set_kaizen(kaizen)
        self.setPos(kaizen.x, kaizen.y)

    # ------------------------------------------------------------ setters

    def set_kaizen(self, kaizen: Kaizen) -> None:
        """Refresh the texts from the kaizen (position and step excluded: the scene sets them)."""
        self.kaizen = kaizen
        self._title_lines = title_lines(kaizen.title)
        size = burst_size(kaizen.title)
        if size != self._size:
            self.prepareGeometryChange()
            self._size = size
            self._polygon = burst_polygon(self.burst_rect())
            self.adjust()
        status = KAIZEN_STATUSES.get(kaizen.status, kaizen.status)
        waste = WASTES.get(kaizen.waste, kaizen.waste)
        self._info = QFontMetricsF(small_font()).elidedText(
            f"{status} · {waste}", Qt.TextElideMode.ElideRight, INFO_WIDTH)
        self.setToolTip(self._tooltip(kaizen))
        self.update()

    def set_theme(self, theme: Theme) -> None:
        """Draw the leader and selection in another theme's colours (the burst keeps its own)."""
        self._theme = theme
        self.update()

    def attach(self, step_item: StepItem | None) -> None:
        """Point the leader line at this step (None: a free burst without a leader)."""
        if step_item is self.step_item:
            self.adjust()
            return
        self.detach()
        self.step_item = step_item
        if step_item is not None:
            step_item.kaizens.append(self)
        self.adjust()

    def detach(self) -> None:
        """Stop following the step (before the item is removed or re-attached)."""
        if self.step_item is not None and self in self.step_item.kaizens:
            self.step_item.kaizens.remove(self)
        self.step_item = None

    def adjust(self) -> None:
        """Recompute the leader line after this burst or its step moved."""
        line = QLineF()
        if self.step_item is not None and self.step_item.scene() is self.scene() is not None:
            box = self.mapRectFromItem(self.step_item, self.step_item.box_rect())
            centre = self.burst_rect().center()
            end = edge_point(box, centre)
            if not box.contains(centre):
                line = QLineF(self._burst_exit(end), end)
        if line != self._leader:
            self.prepareGeometryChange()
            self._leader = line
            self.update()

    @property
    def leader(self) -> QLineF:
        """The leader line in item coordinates (null for a free burst)."""
        return QLineF(self._leader)

    # ------------------------------------------------------------ geometry

    def burst_rect(self) -> QRectF:
        """The burst's box in item coordinates (the kaizen's x, y is its top-left corner)."""
        return QRectF(0, 0, *self._size)

    def title_rect(self) -> QRectF:
        """Where the title is drawn, in item coordinates (an inline editor goes over it)."""
        rect = self.burst_rect()
        height = QFontMetricsF(label_font()).height() * max(1, len(self._title_lines))
        top = rect.center().y() - (height + QFontMetricsF(small_font()).height()) / 2
        return QRectF(rect.center().x() - TEXT_WIDTH / 2, top, TEXT_WIDTH, height)

    @property
    def shown_title(self) -> str:
        """The title as the burst shows it, its lines joined by spaces (elided: ends in '…')."""
        return " ".join(self._title_lines)

    def boundingRect(self) -> QRectF:
        rect = self.burst_rect().adjusted(-8, -8, 8, 8)
        if not self._leader.isNull():
            rect = rect.united(QRectF(self._leader.p1(), self._leader.p2()).normalized()
                               .adjusted(-2, -2, 2, 2))
        return rect

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addPolygon(self._polygon)
        path.closeSubpath()
        return path

    def _burst_exit(self, towards: QPointF) -> QPointF:
        """Where a line from the burst's centre to `towards` leaves the inner ellipse."""
        rect = self.burst_rect()
        centre = rect.center()
        dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
        rx, ry = rect.width() / 2 * INNER, rect.height() / 2 * INNER
        length = math.hypot(dx / rx, dy / ry)
        if length <= 1:
            return QPointF(centre)
        return QPointF(centre.x() + dx / length, centre.y() + dy / length)

    # ------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self._theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self._leader.isNull():
            painter.setPen(QPen(QColor(EDGE), 1.3, Qt.PenStyle.DashLine))
            painter.drawLine(self._leader)
            painter.setBrush(QColor(EDGE))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(self._leader.p2(), 2.5, 2.5)
        outline = QPen(QColor(EDGE), 2.0)
        outline.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        if self.kaizen.status == "dropped":
            outline.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(outline)
        painter.setBrush(QColor(FILL))
        painter.drawPolygon(self._polygon)
        if text_readable(painter, widget, label_font().pixelSize()):  # unreadable: the burst only
            self._paint_texts(painter)
        if self.isSelected():
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(theme.colour("selection"), 2.5, Qt.PenStyle.DashLine))
            painter.drawRect(self.burst_rect().adjusted(-6, -6, 6, 6))

    def _paint_texts(self, painter: QPainter) -> None:
        rect = self.burst_rect()
        title_height = QFontMetricsF(label_font()).height()
        info_height = QFontMetricsF(small_font()).height()
        total = title_height * len(self._title_lines) + info_height
        top = rect.center().y() - total / 2
        left = rect.center().x() - TEXT_WIDTH / 2
        painter.setPen(QColor(TEXT))
        painter.setFont(label_font())
        for index, line in enumerate(self._title_lines):
            painter.drawText(QRectF(left, top + index * title_height, TEXT_WIDTH, title_height),
                             Qt.AlignmentFlag.AlignCenter, line)
        painter.setFont(small_font())
        info = self._info + (" ✓" if self.kaizen.status == "done" else "")
        painter.drawText(QRectF(left - 10, top + title_height * len(self._title_lines),
                                TEXT_WIDTH + 20, info_height), Qt.AlignmentFlag.AlignCenter, info)

    # ------------------------------------------------------------ reactions

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change in (QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged,
                      QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged):
            self.adjust()
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)

    @staticmethod
    def _tooltip(kaizen: Kaizen) -> str:
        def escape(text: str) -> str:
            return html.escape(text, quote=False)

        lines = [f"<b>Kaizen: {escape(kaizen.title)}</b>"]
        if kaizen.description:
            lines.append(escape(kaizen.description).replace("\n", "<br>"))
        lines.append(f"Waste: {WASTES.get(kaizen.waste, kaizen.waste)}; status: "
                     f"{KAIZEN_STATUSES.get(kaizen.status, kaizen.status)}")
        who = [f"owner: {escape(kaizen.owner)}" if kaizen.owner else "no owner",
               f"due {kaizen.due}" if kaizen.due else "no due date"]
        text = "; ".join(who)
        lines.append(text[:1].upper() + text[1:])
        if kaizen.expected_saving_minutes > 0:
            lines.append(f"Expected saving: {format_duration(kaizen.expected_saving_minutes)}")
        return "<br>".join(lines)
