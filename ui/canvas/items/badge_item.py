"""BadgeItem: a flag badge above a step box (bottleneck, long wait, rework…): short text on a
coloured rounded box with a tooltip explaining the flag; clicks pass through to the step.

Its bounding rect is QGraphicsRectItem's, set once (no pen), as a step's and a flow's are: Qt
asks it of every badge when the scene's index is rebuilt, and a Python override made each ask
cross into Python, waiting for the interpreter whenever another thread held it (9,679 badges
at 20,000 steps: a third of a second of the first paint after a large file opened)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.fonts import strip_font, text_readable
from ui.canvas.items.tooltips import LazyToolTip
from ui.canvas.palette import FLAG_STYLES

_BADGE_WIDTHS: dict[str, float] = {}  # badge text -> width (the font never changes)
_COLOURS: dict[str, QColor] = {}  # a colour's name -> the colour, made once (badges are painted
_BORDER = QPen(QColor("#000000"), 1)  # in their thousands when a big map is fitted in view)


def _colour(name: str) -> QColor:
    colour = _COLOURS.get(name)
    if colour is None:
        colour = _COLOURS[name] = QColor(name)
    return colour


class BadgeItem(LazyToolTip, QGraphicsRectItem):
    """A flag badge: short text on a coloured rounded box, with a tooltip; clicks pass through.

    `tooltip` is the text, or a function returning it called only when the tooltip is shown;
    None asks the parent step when shown (StepItem.set_flags with a function of the flag)."""

    HEIGHT = 18.0

    def __init__(self, flag: str, tooltip: str | Callable[[], str] | None,
                 parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.flag = flag
        style = FLAG_STYLES.get(flag, FLAG_STYLES["problem"])
        self._style = style
        self._tooltip = tooltip
        width = _BADGE_WIDTHS.get(style.badge)
        if width is None:
            width = _BADGE_WIDTHS[style.badge] = max(
                22.0, QFontMetricsF(strip_font()).horizontalAdvance(style.badge) + 12)
        self.width = width
        self.setPen(Qt.PenStyle.NoPen)  # the bounds are the rect, exactly
        self.setRect(QRectF(-1, -1, width + 2, self.HEIGHT + 2))  # the border drawn 1 wide
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(True)

    def tooltip_text(self) -> str:
        tooltip = self._tooltip
        if tooltip is None:
            explain = getattr(self.parentItem(), "flag_tooltip", None)  # a StepItem's
            return explain(self.flag) if explain is not None else ""
        return tooltip() if callable(tooltip) else tooltip

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_BORDER)
        painter.setBrush(_colour(self._style.colour))
        painter.drawRoundedRect(QRectF(0, 0, self.width, self.HEIGHT), 5, 5)
        if not text_readable(painter, widget, strip_font().pixelSize()):
            return
        painter.setPen(_colour(self._style.text_colour))
        painter.setFont(strip_font())
        painter.drawText(QRectF(0, 0, self.width, self.HEIGHT), Qt.AlignmentFlag.AlignCenter,
                         self._style.badge)
