"""The improvement plan slide: a timeline of the kaizens by due date above a table of every
kaizen, in the largest type at which both fit one slide, so the plan fills its slide.

Each kaizen on the timeline is a marker on the axis at its due date (those without one in a
"No date yet" zone at the right) and a card with its title, due date, status and saving, placed
above or below the axis where it covers no other card and its leader line crosses none. When the
cards cannot all be placed (many kaizens due on the same days) or the table would not fit beside
the timeline, the slide shows the table alone; a plan too long for one slide continues on more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE

from vsm.analysis.plan import PlanRow
from vsm.export.map_shapes import NBSP
from vsm.export.shapes import (
    MUTED,
    OUTLINE,
    TEXT,
    WHITE,
    add_box,
    add_text,
    emu,
    set_line,
    strip_style,
    write_text,
)
from vsm.export.slide_layout import MARGIN, SLIDE_WIDTH
from vsm.export.summary_slides import (
    TABLE_BOTTOM,
    TABLE_TOP,
    TablePage,
    draw_table,
    fit_widths,
    paginate,
    slide_title,
)
from vsm.export.text import line_height, text_width, wrap
from vsm.model.durations import format_duration
from vsm.model.kaizen import KAIZEN_STATUSES, WASTES
from vsm.palette import BLUE, BLUISH_GREEN, GREY, ORANGE

CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
PLAN_HEADER = ["Improvement", "Map", "Step", "Waste", "Owner", "Due", "Status", "Saving"]
PLAN_SHARES = [0.27, 0.125, 0.16, 0.1, 0.13, 0.085, 0.07, 0.06]  # of the content width
TABLE_SIZES = (18.0, 16.0, 14.0, 12.0, 11.0, 10.0)  # the largest that fits one slide wins
MAX_STRETCH = 1.5  # rows grow up to this much taller to fill the slide
CARD_WIDTH, CARD_POINTS, CARD_DETAIL_POINTS = 2.8, 12.0, 11.0
CARD_GAP = 0.12  # between cards side by side, and between a lane and the next
AXIS_ROOM = 0.5  # the axis and its month labels, between the lanes above and below
UNDATED_WIDTH = CARD_WIDTH + 0.3
MARKER = 0.18
STATUS_COLOURS = {"idea": GREY, "planned": BLUE, "in_progress": ORANGE, "done": BLUISH_GREEN,
                  "dropped": WHITE}


@dataclass
class Card:
    """One kaizen on the timeline: its marker's x, its card's rectangle and its text."""

    row: PlanRow
    x: float
    rect: tuple[float, float, float, float]  # left, top, width, height, relative to the axis
    lines: list[tuple[str, float, bool]]  # text, points, bold


@dataclass
class Timeline:
    """Where the axis, the months and the cards go; y values are relative to the axis."""

    left: float
    right: float  # of the dated part; the undated zone, if any, follows
    months: list[tuple[float, float, str]]  # left, right, label
    cards: list[Card]
    above: float  # room the cards need above the axis
    below: float  # and below it, including the axis labels
    undated: bool = False
    height: float = field(init=False)

    def __post_init__(self) -> None:
        self.height = self.above + self.below


@dataclass
class PlanPage:
    """One plan slide: a table page and, on the first, the timeline (None: table only)."""

    table: TablePage
    timeline: Timeline | None


def plan_rows(plan: list[PlanRow]) -> list[list[str]]:
    """The plan table's cells for each kaizen (dates and durations kept on one line)."""
    return [[row.title, row.map_name, row.step_name or "–", WASTES.get(row.waste, row.waste),
             row.owner or "–", _date_text(_due(row), True),
             KAIZEN_STATUSES.get(row.status, row.status), _saving_text(row)]
            for row in plan]


def plan_pages(plan: list[PlanRow]) -> list[PlanPage]:
    """The plan laid out: timeline and table on one slide in the largest type that fits, rows
    grown to fill the slide; else the table alone so; else the table over several slides."""
    rows = plan_rows(plan)
    room = TABLE_BOTTOM - TABLE_TOP
    timeline = timeline_layout(plan, MARGIN, SLIDE_WIDTH - MARGIN)
    for shown in ((timeline, None) if timeline is not None else (None,)):
        left = room - (shown.height + 0.25 if shown is not None else 0.0)
        for points in TABLE_SIZES:
            widths = fit_widths([PLAN_HEADER] + rows, PLAN_SHARES, CONTENT_WIDTH, points)
            if widths is None:
                continue
            pages = paginate(PLAN_HEADER, rows, widths, left, points=points)
            if len(pages) == 1:
                return [PlanPage(_stretch(pages[0], left), shown)]
    points = TABLE_SIZES[-1]
    widths = (fit_widths([PLAN_HEADER] + rows, PLAN_SHARES, CONTENT_WIDTH, points)
              or [share * CONTENT_WIDTH for share in PLAN_SHARES])
    return [PlanPage(page, None)
            for page in paginate(PLAN_HEADER, rows, widths, room, points=points)]


def _stretch(page: TablePage, room: float) -> TablePage:
    """The page with its rows grown (up to MAX_STRETCH) towards filling `room` inches."""
    factor = min(MAX_STRETCH, room / sum(page.heights))
    return TablePage(page.rows, page.widths, [height * factor for height in page.heights],
                     page.points)


def _date_text(day: date | None, year: bool) -> str:
    if day is None:
        return "–"
    return (f"{day.day} {day:%b}" + (f" {day.year}" if year else "")).replace(" ", NBSP)


def _saving_text(row: PlanRow) -> str:
    minutes = row.expected_saving_minutes
    return format_duration(minutes).replace(" ", NBSP) if minutes else "–"


def _due(row: PlanRow) -> date | None:
    try:
        return date.fromisoformat(row.due) if row.due else None
    except ValueError:
        return None


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, at least three months."""
    months = [date(first.year, first.month, 1)]
    while months[-1] <= last or len(months) < 4:
        months.append(_month_after(months[-1]))
    return months  # one more than the months shown: the end of the last


def timeline_layout(plan: list[PlanRow], left: float, right: float) -> Timeline | None:
    """Place every kaizen's marker and card between `left` and `right` (inches), or None when
    no kaizen has a due date or the cards cannot be placed without covering each other."""
    dated = [(row, day) for row in plan if (day := _due(row)) is not None]
    undated = [row for row in plan if _due(row) is None]
    if not dated:
        return None
    axis_right = right - (UNDATED_WIDTH if undated else 0.0)
    bounds = _months(min(day for _, day in dated), max(day for _, day in dated))
    span = (bounds[-1] - bounds[0]).days

    def x_of(day: date) -> float:
        return left + (day - bounds[0]).days / span * (axis_right - left)

    months = [(x_of(start), x_of(end), f"{start:%b %Y}") for start, end in
              zip(bounds, bounds[1:])]
    markers = [(row, x_of(day)) for row, day in sorted(dated, key=lambda item: item[1])]
    step = UNDATED_WIDTH / (len(undated) + 1)
    markers += [(row, axis_right + step * (index + 1)) for index, row in enumerate(undated)]
    cards = _place_cards(markers, left, right)
    if cards is None:
        return None
    above = max([-card.rect[1] for card in cards] + [0.0])
    below = max([card.rect[1] + card.rect[3] for card in cards] + [AXIS_ROOM])
    return Timeline(left, axis_right, _thin_labels(months), cards, above, below, bool(undated))


def _thin_labels(months: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Every month's label if each fits its month, else every second, third… month's."""
    widest = max(text_width(label, CARD_DETAIL_POINTS) for _, _, label in months) + 0.1
    every = 1
    while any(right - left < widest / every for left, right, _ in months):
        every += 1
    return [month if index % every == 0 else (month[0], month[1], "")
            for index, month in enumerate(months)]


def _card_lines(row: PlanRow) -> list[tuple[str, float, bool]]:
    status = KAIZEN_STATUSES.get(row.status, row.status)
    due = _due(row)
    when = f"Due {_date_text(due, False)}" if due else "No date"
    saving = f" · saves {_saving_text(row)}" if row.expected_saving_minutes else ""
    detail = f"{when} · {status}{saving}"
    width = CARD_WIDTH - 0.16
    return ([(line, CARD_POINTS, True) for line in wrap(row.title, width, CARD_POINTS, True)]
            + [(line, CARD_DETAIL_POINTS, False)
               for line in wrap(detail, width, CARD_DETAIL_POINTS)])


def _place_cards(markers: list[tuple[PlanRow, float]], left: float,
                 right: float) -> list[Card] | None:
    """Cards in lanes: near above, near below, then farther out, the first where the card
    covers no other and its leader line crosses no nearer card on its side."""
    texts = [_card_lines(row) for row, _ in markers]
    height = max(sum(line_height(points) for _, points, _ in lines) + 0.14 for lines in texts)
    lanes: dict[tuple[int, int], list[tuple[float, float]]] = {}
    cards = []
    for (row, x), lines in zip(markers, texts):
        card_left = min(max(x - CARD_WIDTH / 2, left), right - CARD_WIDTH)
        span = (card_left - CARD_GAP / 2, card_left + CARD_WIDTH + CARD_GAP / 2)
        for depth, side in ((d, s) for d in range(3) for s in (-1, 1)):
            taken = lanes.get((depth, side), [])
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            nearer = [lanes.get((d, side), []) for d in range(depth)]
            if any(a <= x <= b for lane in nearer for a, b in lane):
                continue
            lanes.setdefault((depth, side), []).append(span)
            offset = depth * (height + CARD_GAP)
            top = (-0.3 - offset - height if side < 0 else AXIS_ROOM + offset)
            cards.append(Card(row, x, (card_left, top, CARD_WIDTH, height), lines))
            break
        else:
            return None
    return cards


def draw_plan_slide(slide: Any, page: PlanPage, number: int, count: int, total: str) -> None:
    """One page of the improvement plan: the timeline (first page) and the table."""
    more = f" ({number} of {count})" if count > 1 else ""
    slide_title(slide, f"Improvement plan{more}",
                f"Soonest due first · expected saving of the whole plan: {total}")
    top = TABLE_TOP
    if page.timeline is not None:
        draw_timeline(slide, page.timeline, top)
        top += page.timeline.height + 0.25
    draw_table(slide, page.table, top, "Improvement plan")


def _line(slide: Any, start: tuple[float, float], end: tuple[float, float], colour: str,
          width: float, dash: bool = False, name: str = "") -> Any:
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, emu(start[0]), emu(start[1]),
                                      emu(end[0]), emu(end[1]))
    strip_style(line)
    set_line(line, colour, width, dash)
    if name:
        line.name = name
    return line


def draw_timeline(slide: Any, timeline: Timeline, top: float) -> None:
    """Axis, month ticks and labels, and each kaizen's marker, leader and card."""
    axis = top + timeline.above
    _line(slide, (timeline.left, axis), (timeline.right, axis), OUTLINE, 1.5, name="Timeline")
    for left, right, label in timeline.months:
        _line(slide, (left, axis - 0.06), (left, axis + 0.06), OUTLINE, 1.0)
        if label:
            add_text(slide, (left, axis + 0.08, right - left, 0.25), label, CARD_DETAIL_POINTS,
                     colour=MUTED, align="centre", name=f"Month {label}")
    _line(slide, (timeline.right, axis - 0.06), (timeline.right, axis + 0.06), OUTLINE, 1.0)
    if timeline.undated:
        end = timeline.right + UNDATED_WIDTH
        _line(slide, (timeline.right, axis), (end, axis), OUTLINE, 1.5, dash=True,
              name="No date yet")
        add_text(slide, (timeline.right + 0.1, axis + 0.08, UNDATED_WIDTH - 0.1, 0.25),
                 "No date yet", CARD_DETAIL_POINTS, colour=MUTED, align="centre")
    for card in timeline.cards:
        left, card_top, width, height = card.rect
        near = axis + card_top + (height if card_top < 0 else 0.0)
        _line(slide, (card.x, axis), (card.x, near), MUTED, 0.75)
        add_box(slide, MSO_SHAPE.OVAL, (card.x - MARKER / 2, axis - MARKER / 2, MARKER, MARKER),
                STATUS_COLOURS.get(card.row.status, GREY), OUTLINE, 0.75,
                name=f"Due: {card.row.title}")
        box = add_box(slide, MSO_SHAPE.RECTANGLE, (left, axis + card_top, width, height),
                      "F7F7F7", OUTLINE, 0.75, name=f"Kaizen: {card.row.title}")
        write_text(box, [(text, points, bold, TEXT if bold else MUTED)
                         for text, points, bold in card.lines], align="left", anchor="middle",
                   inset=0.08)
