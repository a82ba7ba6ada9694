"""Where things go on a map slide: pure geometry in inches, no python-pptx.

The steps keep the editor's layout: their model x and y (the top-left corner of the editor's
180 x 120 box) are scaled to the map area of a 16:9 slide, so rows stay rows and columns stay
columns. Each step gets a box of one size for the whole slide, sized for its text at the largest
size from 12 pt down to 9 pt (the smallest we allow) that lets the map fit, with a gap on its
left for the inventory triangle and the wait. The vertical scale may be larger than the
horizontal one, so that rows leave room for the flag badges, rework arcs and kaizen bursts.

When the boxes would get narrower than their longest word at 9 pt (a map more than about ten
columns wide), the map is cut into bands of x, which go one under the other on the same slide
while they fit its height (a map of 20 steps in a row takes two bands); only beyond that is it
split over several slides, by bands of x (and, if needed, of y), each laid out on its own.

Text is measured with the real advance widths of the deck's font (vsm.export.text); what each
box, badge, burst and wait triangle holds and how big it gets is vsm.export.map_shapes; the
lead-time ladder under the map is vsm.export.ladder_layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Callable, Literal, overload

from vsm.analysis import FLAG_LABELS
from vsm.export.map_shapes import (
    BOX_INSET,
    GAP,
    MAX_BURST_WIDTH,
    MIN_FONT,
    Rect,
    badge_rows,
    burst_size,
    inventory_rect,
    paragraphs_height,
    step_paragraphs,
    words_fit,
)
from vsm.export.text import text_width
from vsm.model import Step, ValueStreamMap
from vsm.model.durations import format_duration

SLIDE_WIDTH = 13.333
SLIDE_HEIGHT = 7.5
MARGIN = 0.3
MAP_TOP = 0.95  # below the title, the legend and the headline figures
MAP_BOTTOM = 6.5  # above the lead-time ladder
LINK_MARGIN = 0.45  # room at a split page's sides for the off-slide link markers

EDITOR_WIDTH = 180.0  # the editor's step box, scene units (ui/canvas/items/step_item.py)
EDITOR_HEIGHT = 120.0
DEFAULT_PITCH = 240.0  # vsm.model.layout.COLUMN_SPACING

MIN_BOX_WIDTH = 0.75
BAND_GAP = 0.34  # between two bands of one slide: the corridor a connector back to the left uses
MAX_BOX_WIDTH = 2.0
MIN_BOX_HEIGHT = 0.72  # room for the wait triangle and its time before the box
BADGE_HEIGHT = 0.2
ARC_CLEARANCE = 0.16  # a rework arc rises this far above the badges
ARC_LABEL = 0.1  # the arc's label sits on its peak, half above it
ROW_SPACE = 0.08  # free space between a box and the badges of the row below
# (size, whether the box shows who does the step) tried in order
FONTS = ((12.0, "full"), (11.0, "full"), (10.0, "full"), (9.0, "full"), (9.0, "compact"))

@dataclass
class MapPage:
    """The geometry of one map slide: boxes, badges, rework arcs and bursts, in inches."""

    step_ids: list[str]
    boxes: dict[str, Rect]
    points: float = 10.0
    mode: str = "full"  # see FONTS
    badges: dict[str, list[list[str]]] = field(default_factory=dict)  # rows of flag labels
    hanging: set[str] = field(default_factory=set)  # steps whose badges hang below the box
    arc_rise: dict[tuple[str, str], float] = field(default_factory=dict)  # above the higher end
    bursts: dict[str, Rect] = field(default_factory=dict)  # kaizen id -> burst
    number: int = 1  # 1-based page of this map
    count: int = 1
    scale: tuple[float, float] = (1.0, 1.0)  # inches per scene unit, x and y
    origin: tuple[float, float] = (0.0, 0.0)  # slide position of scene (0, 0)
    area: Rect = field(default_factory=lambda: Rect(MARGIN, MAP_TOP, SLIDE_WIDTH - 2 * MARGIN,
                                                    MAP_BOTTOM - MAP_TOP))

    def to_slide(self, x: float, y: float) -> tuple[float, float]:
        """A scene position in slide inches."""
        return self.origin[0] + x * self.scale[0], self.origin[1] + y * self.scale[1]


def pitches(steps: list[Step]) -> tuple[float, float | None]:
    """The smallest horizontal distance between boxes side by side and the smallest vertical
    distance between boxes one above the other (None when no boxes are stacked)."""
    across, down = [], []
    for a, b in combinations(steps, 2):
        dx, dy = abs(a.x - b.x), abs(a.y - b.y)
        if dy < EDITOR_HEIGHT and dx >= EDITOR_WIDTH / 2:
            across.append(dx)
        elif dx < EDITOR_WIDTH and dy >= EDITOR_HEIGHT / 2:
            down.append(dy)
    return (min(across) if across else DEFAULT_PITCH), (min(down) if down else None)


@dataclass
class _Context:
    """What the page layout needs besides the steps: flags, rework flows and kaizens."""

    flags: dict[str, list[str]]
    rework: list[tuple[str, str]]
    kaizens: list[Any]  # vsm.model.kaizen.Kaizen: id, step_id, title, x, y
    pitch_x: float
    reserve: float = 0.0  # inches kept free on the right of the map area (the description)
    reserve_below: float = 0.0  # inches kept free at the bottom of the map area (or there)


def plan_map_pages(map_: ValueStreamMap, flags: dict[str, list[str]],
                   kaizens: Sequence[Any] = (), reserve: float = 0.0,
                   reserve_below: float = 0.0) -> list[MapPage]:
    """Lay the map out on as few slides as keep every word of every box whole and its text at
    9 pt or more: bands of x one under the other on one slide when they fit; else split by bands
    of x, then, where rows do not fit, by y. `reserve` / `reserve_below`: inches kept free on the
    right / at the bottom of the map area on every page (the ITIL 4 description,
    vsm.export.stakeholder_slides)."""
    steps = map_.steps
    if not steps:
        return [MapPage([], {})]
    context = _Context(flags, [(f.source, f.target) for f in map_.flows if f.kind == "rework"],
                       list(kaizens), pitches(steps)[0], reserve, reserve_below)
    width = SLIDE_WIDTH - 2 * MARGIN - reserve
    narrowest_allowed = min_box_width(steps)
    for columns in range(1, len(steps) + 1):
        bands = _bands(steps, lambda s: s.x, columns)
        narrowest = min(_box_width(band, context.pitch_x, width) for band in bands)
        if narrowest >= narrowest_allowed:
            break
    if columns > 1:
        stacked = _stack(bands, context)
        if stacked is not None:
            _place_free_kaizens([stacked], steps, context.kaizens)
            return [stacked]
    tiles: list[list[Step]] = []
    for band in bands:
        for rows in range(1, len(band) + 1):
            cut = _bands(band, lambda s: s.y, rows)
            split = columns > 1 or rows > 1
            if all(_fit(tile, context, split) for tile in cut):
                break
        tiles += cut
    pages = [_fit(tile, context, len(tiles) > 1, force=True) for tile in tiles]
    for number, page in enumerate(pages, start=1):
        page.number, page.count = number, len(pages)
    _place_free_kaizens(pages, steps, context.kaizens)
    return pages


def min_box_width(steps: list[Step]) -> float:
    """The narrowest box that holds the longest word of every step's text at 9 pt, whole."""
    widest = max((text_width(word, p.points, p.bold) for s in steps
                  for p in step_paragraphs(s, MIN_FONT) for word in p.text.split(" ")),
                 default=0.0)
    return max(MIN_BOX_WIDTH, widest + 2 * BOX_INSET)


def _stack(bands: list[list[Step]], context: _Context) -> MapPage | None:
    """All bands on one slide, one under the other, or None if they do not fit its height."""
    area = Rect(MARGIN, MAP_TOP, SLIDE_WIDTH - 2 * MARGIN - context.reserve,
                MAP_BOTTOM - MAP_TOP - context.reserve_below)
    box_w = min(_box_width(band, context.pitch_x, area.width) for band in bands)
    if box_w < min_box_width([s for band in bands for s in band]):
        return None
    scale_x = (box_w + GAP) / context.pitch_x
    slot = (area.height - BAND_GAP * (len(bands) - 1)) / len(bands)
    for points, mode in FONTS:
        if not words_fit([s for band in bands for s in band], points, mode, box_w):
            continue
        box_h = max(MIN_BOX_HEIGHT, max(paragraphs_height(step_paragraphs(s, points, mode), box_w)
                                        for band in bands for s in band))
        pages = []
        for index, band in enumerate(bands):
            top = area.top + index * (slot + BAND_GAP)
            page, fitted = _arrange(band, context, Rect(area.left, top, area.width, slot), box_w,
                                  box_h, scale_x, centre=False)
            if not fitted:
                break
            pages.append(page)
        else:
            merged = MapPage([v for page in pages for v in page.step_ids], {}, points, mode,
                             scale=pages[0].scale, origin=pages[0].origin, area=area)
            for page in pages:
                merged.boxes.update(page.boxes)
                merged.badges.update(page.badges)
                merged.hanging |= page.hanging
                merged.arc_rise.update(page.arc_rise)
                merged.bursts.update(page.bursts)
            return merged
    return None


def _bands(steps: list[Step], key: Callable[[Step], float], count: int) -> list[list[Step]]:
    """The steps cut into `count` equal bands of `key` (empty bands dropped), in order."""
    low = min(key(s) for s in steps)
    span = max(key(s) for s in steps) - low
    if count == 1 or span == 0:
        return [list(steps)]
    bands: list[list[Step]] = [[] for _ in range(count)]
    for step in steps:
        bands[min(count - 1, int((key(step) - low) / span * count))].append(step)
    return [band for band in bands if band]


def _box_width(steps: list[Step], pitch_x: float, width: float) -> float:
    span = max(s.x for s in steps) - min(s.x for s in steps)
    return min(MAX_BOX_WIDTH, pitch_x * width / (span + pitch_x) - GAP)


@overload
def _fit(steps: list[Step], context: _Context, split: bool, force: Literal[True]) -> MapPage: ...
@overload
def _fit(steps: list[Step], context: _Context, split: bool, force: bool = False) -> MapPage | None:
    ...
def _fit(steps: list[Step], context: _Context, split: bool, force: bool = False) -> MapPage | None:
    """Lay out one page, or None if it does not fit (with `force`: the best it can do)."""
    margin = LINK_MARGIN if split else 0.0
    area = Rect(MARGIN + margin, MAP_TOP, SLIDE_WIDTH - 2 * (MARGIN + margin) - context.reserve,
                MAP_BOTTOM - MAP_TOP - context.reserve_below)
    box_w = _box_width(steps, context.pitch_x, area.width)
    scale_x = (box_w + GAP) / context.pitch_x
    page = None
    for points, mode in FONTS:
        if not words_fit(steps, points, mode, box_w) and points > MIN_FONT:
            continue
        box_h = max(MIN_BOX_HEIGHT, max(paragraphs_height(step_paragraphs(s, points, mode), box_w)
                                        for s in steps))
        page, fitted = _arrange(steps, context, area, box_w, box_h, scale_x)
        page.points, page.mode = points, mode
        if fitted:
            return page
    return page if force else None


def _arrange(steps: list[Step], context: _Context, area: Rect, box_w: float, box_h: float,
             scale_x: float, centre: bool = True) -> tuple[MapPage, bool]:
    """Place the boxes with the room each needs above and below it; say whether all fits."""
    ids = {s.id for s in steps}
    by_id = {s.id: s for s in steps}
    badges = {s.id: badge_rows(_labels(context.flags.get(s.id, [])), box_w) for s in steps}
    # Rework arcs are glued to the middle of the top edge: the badges of their steps go below.
    hanging = {v for pair in context.rework if set(pair) <= ids for v in pair}
    badge_h = {v: len(rows) * BADGE_HEIGHT for v, rows in badges.items()}
    # Room each box needs above it (badges, rework arcs, bursts) and below it (hanging badges,
    # bursts placed under the step), for the boxes one above the other and the page's height.
    extent = {v: 0.0 if v in hanging else h for v, h in badge_h.items()}
    below = {v: badge_h[v] if v in hanging else 0.0 for v in ids}
    arc_rise: dict[tuple[str, str], float] = {}
    limits: list[tuple[float, float]] = []  # (room needed in inches, scene distance)
    for source, target in context.rework:
        if source not in ids or target not in ids:
            continue
        a, b = by_id[source], by_id[target]
        if abs(a.y - b.y) >= EDITOR_HEIGHT / 2:
            continue  # between rows: routed through the gaps (vsm.model.routing), no arc to fit
        # The arc is routed (vsm.model.routing) through the first free corridor above the row,
        # or below it: room is kept above its two ends, where it leaves and arrives.
        rise = max(extent[source], extent[target]) + ARC_CLEARANCE
        arc_rise[(source, target)] = rise
        for end in (source, target):
            extent[end] = max(extent[end], rise + ARC_LABEL)
    clear = dict(extent)  # bursts above a box start above its badges and any rework arc
    stacks: dict[str, list[tuple[Any, float, float, bool]]] = {}  # (kaizen, width, height, below)
    for kaizen in context.kaizens:
        if kaizen.step_id in ids:
            under_box = kaizen.y > by_id[kaizen.step_id].y + EDITOR_HEIGHT / 2
            width = _burst_width(kaizen, under_box, context.kaizens, by_id, box_w, scale_x)
            width, burst_h = burst_size(kaizen.title, width)
            stacks.setdefault(kaizen.step_id, []).append((kaizen, width, burst_h, under_box))
            room = below if under_box else extent  # bursts stack beyond badges and arcs
            room[kaizen.step_id] += burst_h + 0.04
    for upper, lower in combinations(sorted(steps, key=lambda s: s.y), 2):
        if abs(upper.x - lower.x) < EDITOR_WIDTH and lower.y - upper.y >= EDITOR_HEIGHT / 2:
            limits.append((box_h + extent[lower.id] + below[upper.id] + ROW_SPACE,
                           lower.y - upper.y))
    x0, y0 = min(s.x for s in steps), min(s.y for s in steps)

    def height(scale_y: float) -> float:
        return (max((s.y - y0) * scale_y + box_h + below[s.id] for s in steps)
                - min((s.y - y0) * scale_y - extent[s.id] for s in steps))

    needed = max((room / distance for room, distance in limits), default=0.0)
    scale_y = max(scale_x, needed)
    for step in range(41):  # from the preferred scale down to the least that separates the rows
        candidate = scale_y - (scale_y - needed) * step / 40
        if height(candidate) <= area.height:
            scale_y = candidate
            break
    fitted = height(scale_y) <= area.height + 1e-9 and (not limits or scale_y >= needed - 1e-9)
    used_w = (max(s.x for s in steps) - x0) * scale_x + GAP + box_w
    top_extent = -min((s.y - y0) * scale_y - extent[s.id] for s in steps)
    left = area.left + (max(0.0, (area.width - used_w) / 2) if centre else 0.0) + GAP - x0 * scale_x
    top = area.top + max(0.0, (area.height - height(scale_y)) / 2) + top_extent - y0 * scale_y
    boxes = {s.id: Rect(left + s.x * scale_x, top + s.y * scale_y, box_w, box_h) for s in steps}
    page = MapPage([s.id for s in steps], boxes, badges=badges, hanging=hanging,
                   arc_rise=arc_rise, scale=(scale_x, scale_y), origin=(left, top), area=area)
    occupied = _occupied(steps, page)
    for step_id, stack in stacks.items():
        box = boxes[step_id]
        up = box.top - clear[step_id] - 0.02
        down = box.bottom + below[step_id] - sum(h + 0.04 for _, _, h, under in stack if under)
        down += 0.04
        for kaizen, width, burst_h, under_box in stack:
            centred = min(max(box.centre_x - width / 2, area.left), area.right - width)
            if under_box:
                wanted = Rect(centred, down, width, burst_h)
                down += burst_h + 0.04
            else:
                wanted = Rect(centred, up - burst_h, width, burst_h)
                up -= burst_h + 0.04
            burst = _free_spot(wanted, box, area, occupied)
            page.bursts[kaizen.id] = burst
            occupied.append(burst)
    return page, fitted


def _occupied(steps: list[Step], page: MapPage) -> list[Rect]:
    """What a burst must not cover: the boxes, their badges and the waits before them."""
    found = []
    for step in steps:
        box = page.boxes[step.id]
        found.append(Rect(box.left - 0.04, box.top - 0.04, box.width + 0.08, box.height + 0.08))
        rows = len(page.badges.get(step.id, []))
        if rows:
            top = box.bottom if step.id in page.hanging else box.top - rows * BADGE_HEIGHT
            found.append(Rect(box.left, top, box.width, rows * BADGE_HEIGHT))
        if step.wait_time > 0:
            found.append(inventory_rect(box, format_duration(step.wait_time)))
    return found


def _free_spot(wanted: Rect, box: Rect, area: Rect, occupied: list[Rect]) -> Rect:
    """`wanted`, or the nearest free place around the step's box, inside the map area."""
    def free(rect: Rect) -> bool:
        return (area.left <= rect.left and rect.right <= area.right and area.top <= rect.top
                and rect.bottom <= area.bottom
                and not any(rect.left < o.right and o.left < rect.right and rect.top < o.bottom
                            and o.top < rect.bottom for o in occupied))

    if free(wanted):
        return wanted
    w, h = wanted.width, wanted.height
    candidates = []
    for dy in (wanted.top, box.top - h - 0.06, box.bottom + 0.06, wanted.top - h / 2,
               box.bottom + h / 2):
        for dx in (wanted.left, box.left - w - 0.06, box.right + 0.06, box.left - w / 2,
                   box.right - w / 2):
            candidates.append(Rect(dx, dy, w, h))
    candidates.sort(key=lambda r: abs(r.centre_x - box.centre_x) + abs(r.centre_y - box.centre_y))
    return next((rect for rect in candidates if free(rect)), wanted)


def _burst_width(kaizen: Any, under_box: bool, kaizens: list[Any], steps: dict[str, Step],
                 box_w: float, scale_x: float) -> float:
    """As wide as MAX_BURST_WIDTH allows without reaching the burst of a neighbouring step on
    the same side of the same row, and never narrower than the box and half the gaps beside it."""
    own = steps[kaizen.step_id]
    room = MAX_BURST_WIDTH
    for other in kaizens:
        step = steps.get(other.step_id)
        if step is None or step.id == own.id or abs(step.y - own.y) >= EDITOR_HEIGHT:
            continue
        if (other.y > step.y + EDITOR_HEIGHT / 2) == under_box:
            room = min(room, abs(step.x - own.x) * scale_x - 0.06)
    return max(room, box_w + 0.8 * GAP)


def _place_free_kaizens(pages: list[MapPage], steps: list[Step], kaizens: list[Any]) -> None:
    """Kaizens not attached to a step go on the page of the nearest step, at their own place."""
    where = {step_id: page for page in pages for step_id in page.step_ids}
    for kaizen in kaizens:
        if kaizen.step_id is not None:
            continue
        nearest = min(steps, key=lambda s: (s.x - kaizen.x) ** 2 + (s.y - kaizen.y) ** 2)
        page = where[nearest.id]
        width, height = burst_size(kaizen.title, 1.3)
        x, y = page.to_slide(kaizen.x, kaizen.y)
        x = min(max(x, page.area.left), page.area.right - width)
        y = min(max(y, page.area.top), page.area.bottom - height)
        page.bursts[kaizen.id] = Rect(x, y, width, height)


def _labels(flags: list[str]) -> list[str]:
    return [FLAG_LABELS.get(flag, flag) for flag in flags]
