"""What stakeholders ask, on the deck (issue 18).

- The ITIL 4 description box of a map slide: trigger, outcome, value, stakeholders, the
  practices the steps name and their information and technology, in a column on the right of the
  map area that the map is laid out beside (vsm.export.slide_layout.plan_map_pages' `reserve`),
  so it never covers a box; the largest size from 11 pt down to 9 pt at which it fits, else cut
  with a pointer to the speaker notes, which always hold it whole.
- The "who holds the work, cost and automation" slide of a map: the lead time split by performer
  and by team as native stacked bars with a legend giving minutes and percent; the wait on
  vendors; the target and the experience score; the cost per item, per period and per month; the
  automation candidates.

Colours from vsm.palette (through vsm.analysis.stakeholder_words); every colour is named by its
legend's text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Pt

from vsm.analysis import MapAnalysis
from vsm.analysis.cost import CostAnalysis
from vsm.analysis.responsibility import WorkSplit
from vsm.analysis.stakeholder_words import (
    INFORMATION,
    Segment,
    automation_lines,
    cost_lines,
    description_items,
    experience_line,
    information_lines,
    segment_words,
    split_segments,
    target_words,
    vendor_wait_words,
)
from vsm.analysis.stakeholders import StakeholderFigures
from vsm.export.map_shapes import Rect
from vsm.export.shapes import MUTED, OUTLINE, TEXT, WHITE, add_box, add_text, write_text
from vsm.export.slide_layout import (
    MAP_BOTTOM,
    MAP_TOP,
    MARGIN,
    SLIDE_WIDTH,
    MapPage,
    plan_map_pages,
)
from vsm.export.text import line_height, text_width, wrap
from vsm.model import MAP_KINDS, ValueStreamMap

DESCRIPTION_WIDTH = 3.1  # inches, on the right of the map area
DESCRIPTION_GAP = 0.2  # between the map and the box
DESCRIPTION_SIZES = (11.0, 10.0, 9.0)
DESCRIPTION_FILL = "F4F6F8"
BOX_INSET = 0.1
PARAGRAPH_GAP = 0.06  # inches between two items
LIST_GAP = 0.04  # inches between two lines of a list (a step's tools), so a wrapped line reads as one
CUT = "… (whole description in the speaker notes)"
SHORT_CUT = "… (see the notes)"
BELOW_HEIGHTS = (1.45, 1.1, 0.8)  # inches: the band under the map when there is no room beside it
SLIDE_SIZES = (18.0, 16.0, 14.0, 12.0)  # the description's own slide
MAX_TEAMS = 7  # teams drawn in the bar; the rest together as one part
BODY = 14.0  # points: readable on a projector


def plan_with_description(map_: ValueStreamMap, flags: dict[str, list[str]],
                          kaizens: Sequence[Any] = ()) -> tuple[list[MapPage], str | None]:
    """The map's pages and where its description goes, never at the cost of a slide more for
    the map: "right" (a column beside the map) when the map keeps its number of slides so, else
    "below" (a band under the map, BELOW_HEIGHTS tried from the tallest) when that keeps it, else
    "slide" (a slide of its own before the map's, the map laid out as without a description);
    None without a description. The map never runs under the box: the layout keeps its room."""
    plain = plan_map_pages(map_, flags, kaizens)
    if not description_items(map_):
        return plain, None
    right = plan_map_pages(map_, flags, kaizens, reserve=DESCRIPTION_WIDTH + DESCRIPTION_GAP)
    if len(right) <= len(plain):
        return right, "right"
    for height in BELOW_HEIGHTS:
        below = plan_map_pages(map_, flags, kaizens, reserve_below=height + DESCRIPTION_GAP)
        if len(below) <= len(plain):
            return below, f"below:{height:g}"
    return plain, "slide"


def description_rect(placement: str) -> Rect:
    """Where the description box goes: the right of the map area over its whole height, or a
    band at the bottom of it over its whole width ("below:HEIGHT")."""
    if placement.startswith("below:"):
        height = float(placement.split(":")[1])
        return Rect(MARGIN, MAP_BOTTOM - height, SLIDE_WIDTH - 2 * MARGIN, height)
    return Rect(SLIDE_WIDTH - MARGIN - DESCRIPTION_WIDTH, MAP_TOP, DESCRIPTION_WIDTH,
                MAP_BOTTOM - MAP_TOP)


Paragraphs = list[tuple[str, float, bool, str]]


def description_lines(items: list[tuple[str, str]], width: float, height: float,
                      cut_text: str = CUT, sizes: Sequence[float] = DESCRIPTION_SIZES
                      ) -> tuple[Paragraphs, float, bool]:
    """(paragraphs (text, points, bold, colour), points, whether it was cut): the items at the
    largest size that fits `width` x `height` inches (insets included); at the smallest size the
    items that fit and as many lines of the next as fit, then `cut_text`. An item's text holding
    line breaks is one paragraph a line (a list, such as the steps' information and technology)."""
    inner = width - 2 * BOX_INSET
    for points in sizes:
        line = line_height(points)
        paragraphs: Paragraphs = []
        used = 2 * BOX_INSET
        cut = False
        shown = 0
        for heading, text in items:
            parts = text.split("\n")
            needed = (len(wrap(heading, inner, points, True))
                      + sum(len(wrap(part, inner, points)) for part in parts)
                      ) * line + PARAGRAPH_GAP + (len(parts) - 1) * LIST_GAP
            if used + needed > height:
                cut = True
                break
            paragraphs += [(heading, points, True, TEXT)]
            paragraphs += [(part, points, False, TEXT) for part in parts]
            used += needed
            shown += 1
        if not cut:
            return paragraphs, points, False
    heading, text = items[shown]
    room = height - used - len(wrap(cut_text, inner, points)) * line  # keep the pointer's lines
    room -= len(wrap(heading, inner, points, True)) * line
    parts = []  # as many wrapped lines as fit; each line of a list its own paragraph
    for part in text.split("\n"):
        gap = LIST_GAP if parts else 0.0
        lines = wrap(part, inner, points)
        count = min(len(lines), int((room - gap) / line + 1e-9))
        if count < 1:
            break
        parts.append(" ".join(lines[:count]))
        room -= gap + count * line
        if count < len(lines):
            break
    if parts:
        paragraphs += [(heading, points, True, TEXT)]
        paragraphs += [(part, points, False, TEXT) for part in parts]
    return paragraphs + [(cut_text, points, False, MUTED)], points, True


def draw_description_box(slide: Any, map_: ValueStreamMap, placement: str | None) -> Rect | None:
    """The ITIL 4 description of the map where the layout kept room for it ("right": one column;
    "below": one column per item); None (nothing drawn) without a description."""
    items = description_items(map_)
    if not items or placement in (None, "slide"):
        return None
    rect = description_rect(placement)
    box = add_box(slide, MSO_SHAPE.RECTANGLE, (rect.left, rect.top, rect.width, rect.height),
                  DESCRIPTION_FILL, OUTLINE, 0.75, name="ITIL 4 description")
    if placement == "right":
        _write(box, description_lines(items, rect.width, rect.height)[0])
        return rect
    width = rect.width / len(items)
    points = min(description_lines([item], width, rect.height, SHORT_CUT)[1] for item in items)
    for index, item in enumerate(items):  # one size for all the columns
        paragraphs = description_lines([item], width, rect.height, SHORT_CUT, (points,))[0]
        column = add_text(slide, (rect.left + index * width, rect.top, width, rect.height), "",
                          9, name=f"ITIL 4 description: {item[0]}")
        _write(column, paragraphs)
    return rect


def _write(shape: Any, paragraphs: Paragraphs) -> None:
    """The paragraphs, each heading (bold) a little apart from the text before it and each line
    of a list from the line before it (the room PARAGRAPH_GAP and LIST_GAP that description_lines
    counts)."""
    write_text(shape, paragraphs, align="left", anchor="top", inset=BOX_INSET)
    previous_bold = True
    for index, (paragraph, (_, _, bold, _)) in enumerate(
            zip(shape.text_frame.paragraphs, paragraphs)):
        paragraph.space_after = 0
        gap = PARAGRAPH_GAP if bold and index else LIST_GAP if not (bold or previous_bold) else 0
        paragraph.space_before = Pt(gap * 72) if gap else 0
        previous_bold = bold


def draw_description_slide(slide: Any, map_: ValueStreamMap) -> None:
    """The value stream described, on a slide of its own before the map's (when the map has no
    room for it): trigger, outcome, value, stakeholders and the practices on the left, the
    information and technology on the right, a line a step; each column at the largest size
    from 18 pt that it fits."""
    add_text(slide, (MARGIN, 0.12, SLIDE_WIDTH - 2 * MARGIN, 0.5),
             f"{map_.name} — the value stream (ITIL 4)", 24, bold=True, anchor="middle",
             name="Title")
    add_text(slide, (MARGIN, 0.6, SLIDE_WIDTH - 2 * MARGIN, 0.3),
             f"{MAP_KINDS.get(map_.kind, map_.kind)} · the map follows on the next slide", 11,
             colour=MUTED)
    about = [item for item in description_items(map_) if item[0] != INFORMATION]
    tools = information_lines(map_)
    steps = [(INFORMATION, "\n".join(tools))] if tools else []
    width, height, top = (SLIDE_WIDTH - 2 * MARGIN - 0.4) / 2, 6.1, 1.1
    columns = [column for column in (about, steps) if column]
    for index, column in enumerate(columns):  # each column at the largest size it fits
        paragraphs, points, _ = description_lines(column, width, height, sizes=SLIDE_SIZES)
        box = add_text(slide, (MARGIN + index * (width + 0.4), top, width, height), "", points,
                       name="ITIL 4 description" + (": the steps" if index else ""))
        _write(box, paragraphs)


def description_notes(map_: ValueStreamMap) -> str:
    """The description whole, for the speaker notes ("" without one)."""
    items = description_items(map_)
    if not items:
        return ""
    return "ITIL 4 description — " + " ".join(
        f"{heading}: {text}" + ("" if text.endswith((".", "!", "?")) else ".")
        for heading, text in items)


# ---------------------------------------------------------------- the stakeholders slide


def wanted(map_: ValueStreamMap) -> bool:
    """Whether the map takes part in what stakeholders ask: a target (the map's or a step's), an
    experience score, an hourly rate, or an ITIL 4 description (a map using none of it keeps the
    deck it always had)."""
    return bool(map_.target_lead_time is not None or map_.experience is not None
                or map_.team_rates or map_.itil
                or any(step.hourly_rate is not None or step.target_time is not None
                       or step.practices for step in map_.steps))


def _bar(slide: Any, segments: list[Segment], rect: Rect, name: str) -> None:
    """A stacked bar of native rectangles, each part's percent inside it where it fits."""
    total = sum(s.minutes for s in segments)
    x = rect.left
    for segment in segments:
        width = rect.width * segment.minutes / total if total > 0 else 0.0
        if width <= 0:
            continue
        shape = add_box(slide, MSO_SHAPE.RECTANGLE, (x, rect.top, width, rect.height),
                        segment.colour.lstrip("#"), OUTLINE, 0.75,
                        name=f"{name}: {segment_words(segment)}")
        label = f"{segment.percent:.0f}%" if segment.percent is not None else ""
        if label and text_width(label, BODY, True) + 0.08 <= width:
            dark = segment.colour.upper() in ("#0072B2", "#D55E00", "#CC79A7", "#009E73")
            write_text(shape, [(label, BODY, True, WHITE if dark else "000000")], inset=0.02)
        x += width


def _legend(slide: Any, segments: list[Segment], left: float, top: float, width: float,
            columns: int = 1) -> float:
    """Swatch and "Vendor 14h 20m (45.2%)" per part; returns the bottom."""
    row = line_height(BODY) + 0.04
    if any(text_width(segment_words(s), BODY) > width / columns - 0.34 for s in segments):
        columns = 1  # a part's words would wrap into the next row: one column
    column_width = width / columns
    rows = (len(segments) + columns - 1) // columns
    for index, segment in enumerate(segments):
        x = left + (index // rows) * column_width
        y = top + (index % rows) * row
        add_box(slide, MSO_SHAPE.RECTANGLE, (x, y + 0.06, 0.18, 0.18),
                segment.colour.lstrip("#"), OUTLINE, 0.75, name=f"Legend: {segment.label}")
        add_text(slide, (x + 0.26, y, column_width - 0.3, row), segment_words(segment), BODY)
    return top + rows * row


def _teams(split: WorkSplit) -> list[Segment]:
    segments = split_segments(split)
    if len(segments) <= MAX_TEAMS + 1:
        return segments
    rest = segments[MAX_TEAMS:]
    minutes = sum(s.minutes for s in rest)
    percent = (100 * minutes / split.lead_time) if split.lead_time > 0 else None
    return segments[:MAX_TEAMS] + [Segment("", f"{len(rest)} other teams", minutes, percent,
                                           "#999999")]


def _lines(slide: Any, heading: str, lines: list[str], left: float, top: float, width: float,
           bottom: float, name: str) -> float:
    """A bold heading and lines (wrapped) while they fit above `bottom`; returns the bottom."""
    add_text(slide, (left, top, width, line_height(BODY + 2) + 0.04), heading, BODY + 2,
             bold=True, name=name)
    y = top + line_height(BODY + 2) + 0.08
    for index, line in enumerate(lines):
        height = len(wrap(line, width - 0.04, BODY)) * line_height(BODY) + 0.04
        if y + height > bottom:
            add_text(slide, (left, y, width, line_height(BODY)),
                     f"… and {len(lines) - index} more in the speaker notes", BODY, colour=MUTED)
            return y + line_height(BODY)
        add_text(slide, (left, y, width, height), line, BODY)
        y += height
    return y


def draw_stakeholder_slide(slide: Any, map_: ValueStreamMap, result: MapAnalysis,
                           figures: StakeholderFigures, by_team: WorkSplit | None) -> None:
    """Who holds the work (by performer and by team), target, experience, cost, automation."""
    add_text(slide, (MARGIN, 0.12, SLIDE_WIDTH - 2 * MARGIN, 0.5),
             f"{map_.name} — who holds the work, cost and automation", 24, bold=True,
             anchor="middle", name="Title")
    add_text(slide, (MARGIN, 0.6, SLIDE_WIDTH - 2 * MARGIN, 0.3),
             f"{MAP_KINDS.get(map_.kind, map_.kind)} · shares of the lead time along the flow it "
             "follows, rework included · how each figure is computed: the speaker notes", 11,
             colour=MUTED)
    left, width = MARGIN, 6.6
    split = figures.split
    if split is None or not result.ok:
        add_text(slide, (left, 1.2, SLIDE_WIDTH - 2 * MARGIN, 0.5),
                 "Not computed: the map has problems (see its figures slide).", BODY,
                 colour=MUTED)
        return
    y = 1.1
    add_text(slide, (left, y, width, 0.34), "Who holds the work: by performer", BODY + 2,
             bold=True)
    performers = split_segments(split)
    _bar(slide, performers, Rect(left, y + 0.42, width, 0.5), "By performer")
    y = _legend(slide, performers, left, y + 1.02, width, columns=2)
    vendor = vendor_wait_words(split)
    if vendor:
        add_text(slide, (left, y + 0.04, width, 0.3), vendor, BODY, bold=True,
                 name="Waiting on vendors")
        y += 0.34
    if by_team is not None and by_team.rows:
        y += 0.2
        add_text(slide, (left, y, width, 0.34), "By team", BODY + 2, bold=True)
        teams = _teams(by_team)
        _bar(slide, teams, Rect(left, y + 0.42, width, 0.5), "By team")
        _legend(slide, teams, left, y + 1.02, width, columns=2)
    right = left + width + 0.45
    room = SLIDE_WIDTH - MARGIN - right
    facts = []
    if figures.attainment is not None:
        facts.append(target_words(figures.attainment)[0])
    experience = experience_line(map_)
    if experience:
        facts.append(experience)
    y = 1.1
    if facts:
        y = _lines(slide, "Target and experience", facts, right, y, room, 3.0,
                   "Target and experience") + 0.15
    cost: CostAnalysis | None = figures.cost
    if cost is not None and cost.per_item is not None:
        y = _lines(slide, "Cost", cost_lines(cost), right, y, room, y + 1.6, "Cost") + 0.15
    if cost is not None and cost.automation:
        _lines(slide, "Automation candidates (hours freed)",
               [text for _, text in automation_lines(cost)], right, y, room, 7.2,
               "Automation candidates")


def stakeholder_notes(map_: ValueStreamMap, figures: StakeholderFigures) -> str:
    """Speaker notes: how the split, the cost and the candidates are computed, every line."""
    lines = [f"{map_.name}: who holds the work, cost and automation."]
    if figures.split is not None:
        lines.append("Who holds the work: each step's expected visits along the flow the lead "
                     "time follows × (wait + process), summed per performer; the parts add up "
                     "to the lead time. " + "; ".join(
                         segment_words(s) for s in split_segments(figures.split)) + ".")
        vendor = vendor_wait_words(figures.split)
        if vendor:
            lines.append(vendor + ".")
    if figures.attainment is not None:
        text, tip = target_words(figures.attainment)
        lines.append(f"{text}. {tip}")
    if figures.cost is not None:
        lines.append("Cost per item = the sum over the steps of visits × process time (hours) × "
                     "people × hourly rate; waits cost nothing. " + "; ".join(
                         cost_lines(figures.cost)) + ".")
        if figures.cost.automation:
            lines.append("Automation candidates, hours freed = visits × process time × people × "
                         "demand per month: " + "; ".join(
                             text for _, text in automation_lines(figures.cost)) + ".")
    return "\n".join(lines)
