"""StepItem: one step drawn the classic value-stream way.

A process box (category strip, name, team and performer) over a data box (PT, LT, %C&A); the
wait before the step as an inventory triangle with its time in the gap to the left; flag badges
above the top right corner. Vendor steps have a double border and a factory glyph, automated steps a dashed
border and a gear, customer steps rounded corners and a person, so they read in greyscale too.

The item is passive: the scene calls its setters and reads `pos()` only during a gesture. Its
position is set by the scene from the model (`move_to`: the flows and bursts attached to it follow;
a drag makes them follow through ui.canvas.tools.MoveTool.follow). It overrides no itemChange: Qt
calls that virtual for every change of every item (selection, visibility, joining the scene…), and
a Python override made each of those calls cross into Python — most of the cost of selecting,
hiding, adding or moving thousands of steps at once. For the same reason its bounding rect is
QGraphicsRectItem's, set once (BOUNDS, no pen): Qt asks it of every moved or painted item.
Setters that change nothing repaint nothing. Texts are laid out on first paint and tooltips built
when shown (see ui.canvas.items.tooltips); zoomed out so far that text would be unreadable, the item
draws its boxes and shapes only (ui.canvas.items.fonts.text_readable).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol, Union

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.badge_item import BadgeItem
from ui.canvas.items.fonts import (
    NAME_FLOOR,
    NAME_PIXELS,
    data_font,
    drawn_small,
    fitted_name,
    small_font,
    strip_font,
    text_readable,
)
from ui.canvas.items.glyphs import draw_glyph
from ui.canvas.items.small_steps import SmallBoxes, paint_small, small_style
from ui.canvas.items.tooltips import LazyToolTip, step_tooltip
from ui.canvas.palette import (
    FLAG_STYLES,
    LIGHT,
    Theme,
    category_colour,
    category_label,
    strip_text_colour,
)
from vsm.model import PERFORMERS, Step
from vsm.model.durations import format_duration
from vsm.model.measured import cases_words, low_confidence


class Follower(Protocol):
    """An item drawn from or to a step (a FlowItem, a KaizenItem's leader): it follows the step
    when the step moves."""

    def adjust(self) -> None: ...

WIDTH = 180.0
PROCESS_HEIGHT = 78.0
DATA_HEIGHT = 42.0
HEIGHT = PROCESS_HEIGHT + DATA_HEIGHT
STRIP_HEIGHT = 18.0
HANDLE_RADIUS = 7.0
GLYPH_ROOM = 26.0  # the performer glyph's place at the strip's right end
HANDLE_HIT_RADIUS = 11.0
PADDING = 7.0
TEAM_TOP = PROCESS_HEIGHT - 18  # the team and performer line, to the process box's bottom
NAME_HEIGHT = TEAM_TOP - STRIP_HEIGHT - 5  # the name, between the strip and the team line

FlagTooltips = Union[Mapping[str, str], Callable[[str, str], str], None]
"""The tooltip of each flag: texts by flag, or a function building a flag's text when shown,
of the step's id and the flag (one function serves every step)."""

BOUNDS = (-66.0, -8.0, WIDTH + HANDLE_HIT_RADIUS + 2, HEIGHT + 8)  # left, top, right, bottom
_BOUNDS = QRectF(BOUNDS[0], BOUNDS[1], BOUNDS[2] - BOUNDS[0], BOUNDS[3] - BOUNDS[1])
_SMALL_BOXES = SmallBoxes(QRectF(0, 0, WIDTH, HEIGHT), QRectF(0, 0, WIDTH, PROCESS_HEIGHT),
                           QRectF(0, PROCESS_HEIGHT, WIDTH, DATA_HEIGHT),
                           QRectF(0, 0, WIDTH, STRIP_HEIGHT), QRectF(-6, -6, WIDTH + 12, HEIGHT + 12),
                           QPolygonF([QPointF(-24, 30), QPointF(-10, 54), QPointF(-38, 54)]))


class StepItem(LazyToolTip, QGraphicsRectItem):
    """One step of the map. `step_id` names it; setters refresh what it shows."""

    def __init__(self, step: Step, colour_mode: str = "activity", theme: Theme = LIGHT) -> None:
        super().__init__(_BOUNDS)  # its bounding rect, answered by Qt without Python
        self.setPen(Qt.PenStyle.NoPen)  # nothing added around it; painted by `paint` alone
        self.step_id = step.id
        self.flows: list[Follower] = []  # FlowItems from or to this step
        self.kaizens: list[Follower] = []  # KaizenItems whose leader line points here
        self._colour_mode = colour_mode
        self._theme = theme
        self._critical = False
        self._hovered = False
        self._badges: list[BadgeItem] = []
        self._flags: tuple[str, ...] = ()
        self._flags_key: tuple = ((), None)
        self._flag_tooltips: FlagTooltips = None
        self._texts: tuple[list[str], str, str] | None = None  # laid out on first paint
        self._name_font = QFont()  # the name's font, fitted with its lines (texts())
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.set_step(step)
        self.setPos(step.x, step.y)

    # ------------------------------------------------------------ setters

    def set_step(self, step: Step) -> None:
        """Refresh every text from the step (position excluded: the scene sets it)."""
        self.step = step
        self._texts = None
        self.update()

    def texts(self) -> tuple[list[str], str, str]:
        """The name's lines (one, or two in a smaller font, see fitted_name), the team and
        performer line, and the wait ("" for none)."""
        if self._texts is None:
            step = self.step
            name = self.name_rect()
            self._name_font, lines = fitted_name(step.name or "(no name)", name.width(),
                                                 name.height())
            performer = PERFORMERS.get(step.performer, step.performer)
            who = f"{step.team} · {performer}" if step.team else performer
            who = QFontMetricsF(small_font()).elidedText(who, Qt.TextElideMode.ElideRight,
                                                         WIDTH - 2 * PADDING)
            wait = format_duration(step.wait_time) if step.wait_time > 0 else ""
            self._texts = (lines, who, wait)
        return self._texts

    def tooltip_text(self) -> str:
        return step_tooltip(self.step)

    def set_colour_mode(self, mode: str) -> None:
        """Fill by "activity" or by "performer"."""
        if mode != self._colour_mode:
            self._colour_mode = mode
            self.update()

    def set_theme(self, theme: Theme) -> None:
        """Draw with another theme's colours (light for exports, dark for a dark desktop)."""
        if theme is not self._theme:
            self._theme = theme
            self.update()

    def set_flags(self, flags: list[str] | tuple[str, ...], tooltips: FlagTooltips = None) -> None:
        """Show a badge per flag above the top right corner; each badge's tooltip explains it.

        `tooltips` gives each flag's text, or is a function of the flag called only when a
        badge's tooltip is shown (missing: the flag's label). Nothing is rebuilt or repainted
        when the flags (and given texts) are those already shown."""
        flags = tuple(flags)
        if isinstance(tooltips, Mapping) and flags:
            key = (flags, tuple(tooltips.get(flag, "") for flag in flags))
        else:
            key = (flags, None)
        self._flag_tooltips = tooltips
        if key == self._flags_key:
            return
        self._flags_key = key
        if ("long_wait" in flags) != ("long_wait" in self._flags):
            self.update()  # the inventory triangle is filled for a long wait
        self._flags = flags
        for badge in self._badges:
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
            else:
                badge.setParentItem(None)
        self._badges = []
        x = WIDTH - 4
        for flag in reversed(flags):
            badge = BadgeItem(flag, self._badge_tooltip(flag), self)
            x -= badge.width
            badge.setPos(x, -BadgeItem.HEIGHT - 3)
            x -= 3
            self._badges.insert(0, badge)

    def _badge_tooltip(self, flag: str) -> str | None:
        tooltips = self._flag_tooltips
        if callable(tooltips):
            return None  # asked through flag_tooltip when shown: set_flags may bring a new function
        return self.flag_tooltip(flag)

    @property
    def flag_tooltips(self) -> FlagTooltips:
        """The badges' tooltips as set_flags was last given them."""
        return self._flag_tooltips

    def flag_tooltip(self, flag: str) -> str:
        """The tooltip of this flag's badge, as shown now."""
        tooltips = self._flag_tooltips
        if callable(tooltips):
            return tooltips(self.step_id, flag)
        if isinstance(tooltips, Mapping) and flag in tooltips:
            return tooltips[flag]
        return FLAG_STYLES.get(flag, FLAG_STYLES["problem"]).label

    @property
    def flags(self) -> list[str]:
        """The flags shown, in order."""
        return list(self._flags)

    def badges(self) -> list[BadgeItem]:
        """The badge items, in the order of the flags."""
        return list(self._badges)

    def set_on_critical_path(self, on_path: bool) -> None:
        """A thicker outline for steps on the critical path."""
        if on_path != self._critical:
            self._critical = on_path
            self.update()

    @property
    def on_critical_path(self) -> bool:
        return self._critical

    # ------------------------------------------------------------ geometry

    def box_rect(self) -> QRectF:
        """The process and data boxes, in item coordinates (where flows attach)."""
        return QRectF(0, 0, WIDTH, HEIGHT)

    def name_rect(self) -> QRectF:
        """Where the name is drawn, in item coordinates (the inline editor goes there): between
        the strip and the team line, never over it."""
        return QRectF(PADDING, STRIP_HEIGHT + 3, WIDTH - 2 * PADDING, NAME_HEIGHT)

    def name_font(self) -> QFont:
        """The font the name is drawn in (fitted to the box)."""
        self.texts()
        return self._name_font

    def handle_centre(self) -> QPointF:
        """The centre of the connection handle, in item coordinates."""
        return QPointF(WIDTH, HEIGHT / 2)

    def handle_at(self, scene_pos: QPointF) -> bool:
        """True when `scene_pos` is on the connection handle."""
        delta = self.mapFromScene(scene_pos) - self.handle_centre()
        return math.hypot(delta.x(), delta.y()) <= HANDLE_HIT_RADIUS

    def brush_colour(self) -> QColor:
        """The fill of the process box in the current colour mode and theme."""
        return self._theme.box_fill(self._category_colour())

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the handle overlaps the box: keep both
        path.addRect(self.box_rect().adjusted(-3, -3, 3, 3))
        path.addEllipse(self.handle_centre(), HANDLE_HIT_RADIUS, HANDLE_HIT_RADIUS)
        return path

    # ------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if drawn_small(painter, widget, WIDTH, self):
            self._paint_small(painter)
            return
        theme = self._theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        performer = self.step.performer
        category = self._category_colour()
        box = QRectF(0, 0, WIDTH, PROCESS_HEIGHT)
        data = QRectF(0, PROCESS_HEIGHT, WIDTH, DATA_HEIGHT)
        radius = 12.0 if performer == "customer" else 0.0
        # fills
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.colour("data_fill"))
        painter.drawRect(data)
        painter.setBrush(theme.box_fill(category))
        painter.drawRoundedRect(box, radius, radius)
        strip = QRectF(0, 0, WIDTH, STRIP_HEIGHT)
        # The strip is the box's top cut out as a path, not a clip: SVG exports drop clipping.
        rounded, top = QPainterPath(), QPainterPath()
        rounded.addRoundedRect(box, radius, radius)
        top.addRect(strip)
        painter.setBrush(category)
        painter.drawPath(rounded.intersected(top))
        low = low_confidence(self.step.cases)
        if low:  # measured in few cases: the fill greyed (and the outline dotted)
            veil = QColor(theme.colour("background"))
            veil.setAlpha(130)
            painter.setBrush(veil)
            painter.drawRoundedRect(box, radius, radius)
            painter.drawRect(data)
        if not self._name_readable(painter, widget):
            self._paint_outline(painter, box, data, radius)  # boxes and shapes only
            if self.step.wait_time > 0:
                self._paint_inventory(painter, False)
            self._paint_handle(painter)
            return
        detail = text_readable(painter, widget, small_font().pixelSize(), self)
        on_strip = strip_text_colour(category)
        painter.setPen(on_strip)
        painter.setFont(strip_font())
        label, count = self.strip_texts()
        right = -GLYPH_ROOM
        if count:  # the data box's cell is taken: "n = 1,234" before the glyph
            painter.drawText(strip.adjusted(PADDING, 0, -GLYPH_ROOM, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, count)
            right -= QFontMetricsF(strip_font()).horizontalAdvance(count) + 6
        painter.drawText(strip.adjusted(PADDING, 0, right, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        draw_glyph(painter, performer, QPointF(WIDTH - 15, STRIP_HEIGHT / 2), on_strip)
        # texts
        name_lines, who, _ = self.texts()
        painter.setPen(theme.colour("text"))
        painter.setFont(self._name_font)
        name = self.name_rect()
        line_height = QFontMetricsF(self._name_font).height()
        top = name.top() + (name.height() - line_height * len(name_lines)) / 2
        for index, line in enumerate(name_lines):
            painter.drawText(QRectF(name.left(), top + index * line_height, name.width(), line_height),
                             Qt.AlignmentFlag.AlignCenter, line)
        if detail:
            painter.setFont(small_font())
            painter.setPen(theme.colour("muted"))
            painter.drawText(QRectF(PADDING, TEAM_TOP, WIDTH - 2 * PADDING, 16),
                             Qt.AlignmentFlag.AlignCenter, who)
            self._paint_data(painter, data)
        self._paint_outline(painter, box, data, radius)
        if self.step.wait_time > 0:
            self._paint_inventory(painter, detail)
        self._paint_handle(painter)

    def _name_readable(self, painter: QPainter, widget: QWidget | None) -> bool:
        """Whether the name is worth drawing in this paint (fonts.text_readable), the name fitted
        to its box (texts()) only when the answer depends on its size: the fitted font is
        between NAME_FLOOR and NAME_PIXELS, and zoomed out to where the largest is unreadable
        a map's first paint fitted every name in sight only to draw none."""
        if not text_readable(painter, widget, NAME_PIXELS, self):
            return False
        if text_readable(painter, widget, NAME_FLOOR, self):
            return True
        return text_readable(painter, widget, self.name_font().pixelSize(), self)

    def _paint_small(self, painter: QPainter) -> None:
        """The step a few device pixels wide in a view (fonts.drawn_small): its boxes as plain
        fills and outlines (ui.canvas.items.small_steps)."""
        paint_small(painter, _SMALL_BOXES,
                    small_style(self._theme, self._colour_mode, self._category_key()),
                    critical=self._critical, dashes=self._outline_dashes(),
                    selected=self.isSelected(), low_confidence=low_confidence(self.step.cases),
                    long_wait=self.step.wait_time > 0 and "long_wait" in self._flags)

    def _outline_dashes(self) -> Qt.PenStyle:
        """The outline's dots for a step measured in few cases, dashes for an automated one."""
        if low_confidence(self.step.cases):
            return Qt.PenStyle.DotLine
        if self.step.performer == "automated":
            return Qt.PenStyle.DashLine
        return Qt.PenStyle.SolidLine

    def _paint_handle(self, painter: QPainter) -> None:
        """The connection handle, shown on a selected or hovered step."""
        if self.isSelected() or self._hovered:
            painter.setPen(QPen(QColor("#FFFFFF"), 1.5))
            painter.setBrush(self._theme.colour("selection"))
            painter.drawEllipse(self.handle_centre(), HANDLE_RADIUS, HANDLE_RADIUS)

    def _paint_data(self, painter: QPainter, data: QRectF) -> None:
        step = self.step
        painter.setFont(data_font())
        painter.setPen(self._theme.colour("text"))
        half = (WIDTH - 2 * PADDING) / 2
        row = DATA_HEIGHT / 2
        cells = [
            (f"PT {format_duration(step.process_time)}", 0, 0),
            (f"LT {format_duration(step.lead_time)}", 1, 0),
            (f"%C&A {step.pca:g}", 0, 1),
        ]
        if step.people != 1:
            cells.append((f"People {step.people:g}", 1, 1))
        elif step.cases is not None:  # measured (vsm mine): the count in the free cell
            cells.append((cases_words(step.cases), 1, 1))
        for text, column, line in cells:
            painter.drawText(QRectF(PADDING + column * half, data.top() + line * row, half, row),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    def strip_texts(self) -> tuple[str, str]:
        """What the strip shows: the activity (or performer), elided only where the room ends,
        and a measured count ("" when none). A count goes in the data box's free cell, where
        figures are read and the activity keeps the strip; on the strip, before the glyph, only
        when that cell shows People."""
        metrics = QFontMetricsF(strip_font())
        room = WIDTH - PADDING - GLYPH_ROOM
        count = ""
        if self.step.cases is not None and self.step.people != 1:
            count = cases_words(self.step.cases)
            room -= metrics.horizontalAdvance(count) + 6
        label = category_label(self._colour_mode, self._category_key())
        return metrics.elidedText(label, Qt.TextElideMode.ElideRight, room), count

    def _paint_outline(self, painter: QPainter, box: QRectF, data: QRectF, radius: float) -> None:
        theme = self._theme
        width = 3.5 if self._critical else 1.5
        pen = QPen(theme.colour("critical" if self._critical else "outline"), width,
                   self._outline_dashes())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        painter.drawRoundedRect(box, radius, radius)
        painter.drawRect(data)
        if self.step.performer == "vendor":
            painter.setPen(QPen(theme.colour("outline"), 1.2))
            inset = width / 2 + 2.5
            painter.drawRect(box.adjusted(inset, inset, -inset, -inset))
        if self.isSelected():
            selection = QPen(theme.colour("selection"), 2.5, Qt.PenStyle.DashLine)
            painter.setPen(selection)
            painter.drawRect(QRectF(-6, -6, WIDTH + 12, HEIGHT + 12))

    def _paint_inventory(self, painter: QPainter, texts: bool = True) -> None:
        """The inventory triangle ("I") in the gap before the step, its wait time above it."""
        theme = self._theme
        centre = -24.0
        long_wait = "long_wait" in self._flags
        triangle = QPolygonF([QPointF(centre, 30), QPointF(centre + 14, 54), QPointF(centre - 14, 54)])
        painter.setPen(QPen(theme.colour("outline"), 1.5))
        painter.setBrush(QColor(FLAG_STYLES["long_wait"].colour) if long_wait
                         else theme.colour("background"))
        painter.drawPolygon(triangle)
        if not texts:
            return
        painter.setFont(strip_font())
        painter.setPen(QColor("#000000") if long_wait else theme.colour("text"))
        painter.drawText(QRectF(centre - 7, 38, 14, 15), Qt.AlignmentFlag.AlignCenter, "I")
        label = QRectF(centre - 40, 10, 80, 17)
        painter.setFont(strip_font())
        painter.setPen(theme.colour("text"))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, self.texts()[2])

    # ------------------------------------------------------------ reactions

    def move_to(self, x: float, y: float) -> None:
        """Move to (x, y), the flows and bursts attached following (nothing if already there)."""
        if (self.x(), self.y()) != (x, y):
            self.setPos(x, y)
            self.follow()

    def follow(self) -> None:
        """Let the flows and bursts attached to the step follow where it is now (after a drag
        moved it)."""
        for flow in self.flows:
            flow.adjust()
        for kaizen in self.kaizens:
            kaizen.adjust()

    def move_alone(self, x: float, y: float) -> list[Follower]:
        """Move to (x, y) leaving flows and bursts as they are; return them, to adjust each once."""
        self.setPos(x, y)
        return [*self.flows, *self.kaizens]

    def hoverEnterEvent(self, event: Any) -> None:
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    # ------------------------------------------------------------ helpers

    def _category_key(self) -> str:
        return self.step.activity if self._colour_mode == "activity" else self.step.performer

    def _category_colour(self) -> QColor:
        return category_colour(self._colour_mode, self._category_key())
