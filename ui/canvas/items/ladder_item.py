"""Decorations of the map: the lead-time ladder, the summary box and the legend.

The ladder is the classic value-stream timeline along the critical path: each wait on the upper
level, each process time on the lower level, each labelled, with the totals at the right. Its
total is the critical path once through, not the lead time (which also counts rework and the
shares of alternative routes): its caption says so, with both figures where they differ. The
summary box shows the map's figures, or "–" and the first problem when they cannot be computed.
Both can be stale: the last valid figures while a blocking problem stops the analysis, drawn in
the muted colour and marked "last valid" in words, so the meaning does not rest on colour.
The legend is the colour key of the current colour mode and the meaning of shapes and badges.
The swimlanes are horizontal bands behind the steps, one per team or activity, labelled at left.
All of them are passive: the scene gives them their content and their place; content equal to
what they show changes nothing and repaints nothing. The ladder repaints only the segments that
changed, paints only the segments in the exposed area, and skips its texts when the view is zoomed
out so far that they would be unreadable (exports always get them).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.fonts import (
    label_font,
    small_font,
    text_font,
    text_readable,
    title_font,
    wrap_text,
)
from ui.canvas.palette import (
    FLAG_STYLES,
    LIGHT,
    Theme,
    categories,
    category_colour,
    category_label,
    mix,
)
from vsm.model.measured import LOW_CONFIDENCE_CASES

UPPER = 30.0  # y of the wait level
LOWER = 64.0  # y of the process level
TEXT_REACH = 80.0  # how far a segment's texts may reach beyond its ends
STALE_FADE = 0.4  # how far stale figures move from the muted colour towards the background
CAPTION_LINE = 18.0  # the height of one caption line under the ladder
# Segments a part of an export's paint draws (paint_parts): a multiple of 4, so that a part's
# lines start a new batch of QPaintEngineEx::drawLines, which strokes 16 lines at a time, where
# one call for all of them would (the same antialiased pixels where the lines meet).
PART_SEGMENTS = 400


def lead_time_note(once_through: str, lead_time: str) -> str:
    """The caption's second line: the ladder's total against the map's lead time (both as
    shown), or "" without a lead time."""
    if not once_through or not lead_time:
        return ""
    if once_through == lead_time:
        return f"Once through it takes {once_through}, here equal to the lead time."
    return (f"Once through it takes {once_through}, not the lead time ({lead_time}), which also "
            "counts rework and the shares of alternative routes.")


def stale_colour(theme: Theme) -> QColor:
    """The grey of stale figures: the muted colour faded towards the background."""
    return mix(theme.colour("muted"), QColor(theme.background), STALE_FADE)


@dataclass(frozen=True)
class LadderSegment:
    """One step of the critical path on the ladder, in scene x coordinates."""

    wait_from: float
    wait_to: float
    process_to: float
    wait_text: str
    process_text: str


class _Decoration(QGraphicsItem):
    """Not selectable, not movable, behind the map; clicks go to the canvas."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self._theme = theme
        self._bounds = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(-1)

    def set_theme(self, theme: Theme) -> None:
        if theme is not self._theme:
            self._theme = theme
            self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _set_bounds(self, bounds: QRectF) -> bool:
        """Take new bounds (announcing the change to the scene); True if they differ."""
        if bounds == self._bounds:
            return False
        self.prepareGeometryChange()
        self._bounds = bounds
        return True


class LadderItem(_Decoration):
    """The lead-time ladder; its x coordinates are the scene's, the scene sets its y."""

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__(theme)
        self.segments: list[LadderSegment] = []
        self.totals: list[str] = []
        self.stale = False  # the last valid path, greyed: the map has a blocking problem now
        self.once_through = ""  # the critical path's waits and process times, added up
        self.lead_time = ""  # the map's lead time, as the summary shows it
        self._starts: list[float] = []  # wait_from of each segment, when ascending
        self._ends: list[float] = []  # process_to of each segment, when ascending
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self.setToolTip("The waits and process times of the steps on the critical path, added up "
                        "once through. That is not the lead time: the summary's lead time is the "
                        "expected time, which also counts rework and weighs alternative routes by "
                        "their shares.")

    def set_segments(self, segments: list[LadderSegment], totals: list[str]) -> None:
        """Show these segments and, at the right end, these total lines (upper, lower, extra).

        Only what changed is repainted: the segments that differ and the totals."""
        segments, totals = list(segments), list(totals)
        if segments == self.segments and totals == self.totals:
            return
        old, old_totals = self.segments, self.totals
        bounds = self._measure(segments, totals)
        self.segments, self.totals = segments, totals
        starts = [s.wait_from for s in segments]
        ends = [s.process_to for s in segments]
        ascending = all(a <= b for a, b in zip(starts, starts[1:])) and all(
            a <= b for a, b in zip(ends, ends[1:]))
        self._starts, self._ends = (starts, ends) if ascending else ([], [])
        if self._set_bounds(bounds) or len(old) != len(segments) or not segments:
            self.update()  # prepareGeometryChange repaints the whole ladder already
            return
        height = self._bounds.height()
        changed = [(a, b) for a, b in zip(old, segments) if a != b]
        if len(changed) > 32:  # one repaint of the whole ladder costs less than many small ones
            self.update()
            return
        for before, after in changed:
            for segment in (before, after):
                self.update(QRectF(segment.wait_from - TEXT_REACH, 0,
                                   segment.process_to - segment.wait_from + 2 * TEXT_REACH, height))
        if totals != old_totals or old[-1] != segments[-1]:
            self.update(QRectF(segments[-1].process_to, 0,
                               self._bounds.right() - segments[-1].process_to, height))

    def _measure(self, segments: list[LadderSegment], totals: list[str]) -> QRectF:
        """The bounds of these segments with their texts, the totals at the right end and the
        caption under them, all of it: what a paint puts outside the bounds is never repainted,
        so it stays on the screen when the ladder shrinks or goes (a caption's tail)."""
        if not segments:
            return QRectF()
        metrics = QFontMetricsF(label_font())
        right = segments[-1].process_to + 24 + max(
            (metrics.horizontalAdvance(t) for t in totals), default=0) + 8
        small = QFontMetricsF(small_font())
        lines = self.caption_lines()
        caption = max(small.horizontalAdvance(line) for line in lines)
        right = max(right, segments[0].wait_from + caption + 4)
        left = min(s.wait_from for s in segments) - 60
        return QRectF(left, 0, right - left, LOWER + 26 + CAPTION_LINE * len(lines))

    def set_stale(self, stale: bool) -> None:
        """Grey the ladder (and say so in its caption) while it shows the last valid critical path."""
        if stale != self.stale:
            self.stale = stale
            self._set_bounds(self._measure(self.segments, self.totals))  # the caption changed
            self.update()

    def set_lead_time(self, once_through: str, lead_time: str) -> None:
        """The critical path's total once through and the map's lead time, as shown ("" for
        none): the caption sets one against the other."""
        if (once_through, lead_time) != (self.once_through, self.lead_time):
            self.once_through, self.lead_time = once_through, lead_time
            self._set_bounds(self._measure(self.segments, self.totals))  # the caption changed
            self.update()

    def caption_lines(self) -> list[str]:
        """The small lines under the ladder: what it shows, and how its total relates to the
        lead time."""
        if self.stale:
            lines = ["Last valid critical path (greyed): the map has a problem; see the summary"]
        else:
            lines = ["Critical path, once through: waits above, process times below"]
        note = lead_time_note(self.once_through, self.lead_time)
        return lines + [note] if note else lines

    def caption(self) -> str:
        """The caption under the ladder, its lines joined."""
        return "\n".join(self.caption_lines())

    def visible_segments(self, exposed: QRectF) -> list[LadderSegment]:
        """The segments whose lines or texts reach into `exposed` (item coordinates)."""
        if not self._ends:  # not in ascending order: all of them
            return self.segments
        first = bisect_left(self._ends, exposed.left() - TEXT_REACH)
        last = bisect_right(self._starts, exposed.right() + TEXT_REACH)
        return self.segments[first:last]

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if not self.segments:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        visible = self.visible_segments(option.exposedRect)
        self._paint_lines(painter, visible)
        if not text_readable(painter, widget, text_font().pixelSize()):
            return
        self._paint_texts(painter, visible)
        self._paint_ends(painter)

    def paint_parts(self, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
                    ) -> list[Callable[[QPainter], None]]:
        """paint() in parts, each drawing onto the painter it is given: the lines of the
        segments PART_SEGMENTS at a time, then their texts as many at a time, then the totals
        and the caption. Every segment's lines and texts are drawn once, in paint()'s order, so
        the parts one after the other draw what paint() draws (a big map's export draws them a
        slice apart)."""
        if not self.segments:
            return []
        visible = self.visible_segments(option.exposedRect)
        chunks = [visible[start:start + PART_SEGMENTS]
                  for start in range(0, len(visible), PART_SEGMENTS)]

        def lines(chunk: list[LadderSegment]) -> Callable[[QPainter], None]:
            def part(painter: QPainter) -> None:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                self._paint_lines(painter, chunk)
            return part

        def texts(chunk: list[LadderSegment]) -> Callable[[QPainter], None]:
            def part(painter: QPainter) -> None:
                if text_readable(painter, widget, text_font().pixelSize()):
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                    self._paint_texts(painter, chunk)
            return part

        def ends(painter: QPainter) -> None:
            if text_readable(painter, widget, text_font().pixelSize()):
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(self._text_ink())
                self._paint_ends(painter)

        return [*map(lines, chunks), *map(texts, chunks), ends]

    def _text_ink(self) -> QColor:
        return stale_colour(self._theme) if self.stale else self._theme.colour("text")

    def _paint_lines(self, painter: QPainter, segments: list[LadderSegment]) -> None:
        """The segments' lines, in one drawLines call (the pen set for them)."""
        lines = []
        for segment in segments:
            wait_from, wait_to, process_to = segment.wait_from, segment.wait_to, segment.process_to
            lines += [QLineF(wait_from, UPPER, wait_to, UPPER), QLineF(wait_to, UPPER, wait_to, LOWER),
                      QLineF(wait_to, LOWER, process_to, LOWER),
                      QLineF(process_to, LOWER, process_to, UPPER)]
        ink = stale_colour(self._theme) if self.stale else self._theme.colour("ladder")
        painter.setPen(QPen(ink, 2, Qt.PenStyle.DashLine if self.stale else Qt.PenStyle.SolidLine))
        if lines:
            painter.drawLines(lines)

    def _paint_texts(self, painter: QPainter, segments: list[LadderSegment]) -> None:
        """The segments' wait and process times (the pen and font set for them)."""
        painter.setPen(self._text_ink())
        painter.setFont(text_font())
        for segment in segments:
            if segment.wait_text:
                middle = (segment.wait_from + segment.wait_to) / 2
                painter.drawText(QRectF(middle - 60, UPPER - 22, 120, 18),
                                 Qt.AlignmentFlag.AlignCenter, segment.wait_text)
            middle = (segment.wait_to + segment.process_to) / 2
            painter.drawText(QRectF(middle - 80, LOWER + 4, 160, 18), Qt.AlignmentFlag.AlignCenter,
                             segment.process_text)

    def _paint_ends(self, painter: QPainter) -> None:
        """The totals at the right end, in the painter's pen, and the caption under the ladder."""
        x = self.segments[-1].process_to
        painter.setFont(label_font())
        for text, y in zip(self.totals, (UPPER, LOWER, LOWER + 28)):
            painter.drawText(QRectF(x + 16, y - 10, 400, 20),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.setFont(small_font())
        painter.setPen(self._theme.colour("muted"))
        left = self.segments[0].wait_from
        for index, line in enumerate(self.caption_lines()):
            painter.drawText(QRectF(left, LOWER + 22 + CAPTION_LINE * index,
                                    self._bounds.right() - left, CAPTION_LINE),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, line)


class SummaryItem(_Decoration):
    """A box with the map's figures: label, value and a tooltip per row, and a problem hint;
    stale figures (the last valid ones) are greyed under the title "Summary (last valid)"."""

    WIDTH = 300.0

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__(theme)
        self.rows: list[tuple[str, str]] = []
        self.hint_lines: list[str] = []
        self.stale = False
        self.set_figures([], "")

    def set_figures(self, rows: list[tuple[str, str]], hint: str = "", tooltip: str = "",
                    stale: bool = False) -> None:
        """Show (label, value) rows; `hint` (a problem) is word-wrapped under them. `stale`: the
        rows are the last valid figures, not the map's current ones (greyed, titled so)."""
        figures = (list(rows), hint, tooltip, stale)
        if figures == getattr(self, "_figures", None):
            return
        self._figures = figures
        self.rows = list(rows)
        self.stale = stale
        self.hint_lines = wrap_text(hint, QFontMetricsF(text_font()), self.WIDTH - 20, 6) if hint else []
        height = 36 + 22 * len(self.rows) + (18 * len(self.hint_lines) + 8 if self.hint_lines else 0)
        self._set_bounds(QRectF(0, 0, self.WIDTH, height))
        if tooltip != self.toolTip():
            self.setToolTip(tooltip)
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self._theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.colour("outline"), 1.5))
        painter.setBrush(theme.colour("panel_fill"))
        painter.drawRect(self._bounds.adjusted(0.75, 0.75, -0.75, -0.75))
        painter.setFont(title_font())
        painter.setPen(theme.colour("text"))
        painter.drawText(QRectF(10, 6, self.WIDTH - 20, 22), Qt.AlignmentFlag.AlignVCenter,
                         self.title())
        if self.stale:
            painter.setPen(stale_colour(theme))
        y = 32.0
        for label, value in self.rows:
            painter.setFont(text_font())
            painter.drawText(QRectF(10, y, 170, 20), Qt.AlignmentFlag.AlignVCenter, label)
            painter.setFont(label_font())
            painter.drawText(QRectF(150, y, self.WIDTH - 160, 20),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, value)
            y += 22
        if self.hint_lines:
            painter.setFont(text_font())
            # Over stale figures the problem is what to read: in the text colour, not greyed.
            painter.setPen(theme.colour("text") if self.stale else theme.colour("muted"))
            y += 6
            for line in self.hint_lines:
                painter.drawText(QRectF(10, y, self.WIDTH - 20, 18), Qt.AlignmentFlag.AlignVCenter, line)
                y += 18

    def title(self) -> str:
        """The box's title: "Summary", or "Summary (last valid)" over stale figures."""
        return "Summary (last valid)" if self.stale else "Summary"


class LegendItem(_Decoration):
    """The colour key of the current mode, then what shapes and badges mean."""

    def __init__(self, mode: str = "activity", theme: Theme = LIGHT) -> None:
        super().__init__(theme)
        self.mode = ""
        self.measured = False  # a mined map: the key also says what the counts mean
        self.set_mode(mode)

    def set_measured(self, measured: bool) -> None:
        """Say (or not) what "n = …" and the dotted low-confidence outline mean."""
        if measured != self.measured:
            self.measured = measured
            mode, self.mode = self.mode, ""
            self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Show the key of "activity" or "performer" colours."""
        if mode == self.mode:
            return
        self.mode = mode
        metrics = QFontMetricsF(text_font())
        title = QFontMetricsF(label_font()).horizontalAdvance(self._title()) + 16
        colours = title + sum(metrics.horizontalAdvance(category_label(mode, key)) + 38
                              for key in categories(mode))
        shapes = metrics.horizontalAdvance(self._shapes_text()) + 16
        self._set_bounds(QRectF(0, 0, max(colours, shapes) + 8, 52))
        self.update()

    def _title(self) -> str:
        return "Fill: activity" if self.mode == "activity" else "Fill: performer"

    def _shapes_text(self) -> str:
        # Lower-case only the first letter: "Low %C&A" reads "low %C&A", not "low %c&a".
        badges = "  ".join(f"{style.badge} {style.label[:1].lower()}{style.label[1:]}"
                           for flag, style in FLAG_STYLES.items() if flag != "problem")
        measured = (f"n: cases in the log   Dotted, greyed: under {LOW_CONFIDENCE_CASES} cases   "
                    if self.measured else "")
        return ("Double border: vendor   Dashed: automated   Rounded: customer   "
                f"Thick outline: critical path   Burst: kaizen   {measured}Badges: {badges}")

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self._theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(text_font())
        painter.setFont(label_font())
        painter.setPen(theme.colour("text"))
        painter.drawText(QRectF(0, 0, 200, 20), Qt.AlignmentFlag.AlignVCenter, self._title())
        x = QFontMetricsF(label_font()).horizontalAdvance(self._title()) + 16
        painter.setFont(text_font())
        for key in categories(self.mode):
            colour = category_colour(self.mode, key)
            painter.setPen(QPen(theme.colour("outline"), 1))
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, 3, 22, 14))
            label = category_label(self.mode, key)
            painter.setPen(theme.colour("text"))
            painter.drawText(QRectF(x + 28, 0, 300, 20), Qt.AlignmentFlag.AlignVCenter, label)
            x += metrics.horizontalAdvance(label) + 38
        painter.setPen(theme.colour("muted"))
        painter.drawText(QRectF(0, 28, self._bounds.width(), 20), Qt.AlignmentFlag.AlignVCenter,
                         self._shapes_text())


@dataclass(frozen=True)
class LaneBand:
    """One swimlane in scene y coordinates."""

    label: str
    top: float
    height: float


class LanesItem(_Decoration):
    """Swimlane bands behind the steps: alternating fills, a label column at the left edge and
    thin separators. Its coordinates are the scene's; the scene gives it bands and their span."""

    LABEL_WIDTH = 150.0

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__(theme)
        self.bands: list[LaneBand] = []
        self.setZValue(-2)

    def set_bands(self, bands: list[LaneBand], left: float, right: float) -> None:
        """Show these bands from x = `left` (the label column starts there) to x = `right`."""
        if not bands:
            bounds = QRectF()
        else:
            top = min(b.top for b in bands)
            bottom = max(b.top + b.height for b in bands)
            bounds = QRectF(left, top, right - left, bottom - top)
        if list(bands) == self.bands and bounds == self._bounds:
            return
        self.bands = list(bands)
        self._set_bounds(bounds)
        self.update()

    def labels(self) -> list[str]:
        return [band.label for band in self.bands]

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if not self.bands:
            return
        theme = self._theme
        fills = theme.lane_fills()
        left, right = self._bounds.left(), self._bounds.right()
        metrics = QFontMetricsF(label_font())
        for index, band in enumerate(self.bands):
            rect = QRectF(left, band.top, right - left, band.height)
            painter.fillRect(rect, fills[index % 2])
            painter.setPen(QPen(theme.colour("grid"), 0))
            painter.drawLine(QPointF(left, band.top), QPointF(right, band.top))
            painter.drawLine(QPointF(left, band.top + band.height),
                             QPointF(right, band.top + band.height))
            painter.drawLine(QPointF(left + self.LABEL_WIDTH, band.top),
                             QPointF(left + self.LABEL_WIDTH, band.top + band.height))
            painter.setPen(theme.colour("text"))
            painter.setFont(label_font())
            lines = wrap_text(band.label, metrics, self.LABEL_WIDTH - 20, 4)
            y = band.top + 10
            for line in lines:
                painter.drawText(QRectF(left + 10, y, self.LABEL_WIDTH - 20, 20),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, line)
                y += 20
