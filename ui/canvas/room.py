"""The room a large map's canvas will take once built, foreseen from its model before any of its
items is made (issue 19).

A new scene rect makes Qt rebuild its whole item index (QGraphicsSceneBspTreeIndex puts every
item in again at the next paint or look-up). A map drawn in slices (ui.canvas.building) took its
rect for the whole map only when the build ended: 57,000 items of the 20,000-step map indexed
again in the first paint after the open, and the scroll bars coming and going with it. So the
build takes, before its first chunk, the rect the map will need (ui.canvas.chunks, `reserve`),
and the layout keeps it while the map is built and afterwards, since it leaves between half and
one and a half margins around everything then (ui.canvas.decorations.layout_decorations).

`room_once_built` is what `layout_decorations` places once every item is there, found from the
model instead of the items: the steps' boxes where their steps are (with their waits and badges:
ui.canvas.items.step_item.BOUNDS), the rework arcs over them (the live routing's, which a map
drawn in slices keeps: ui.canvas.routes), the kaizen bursts, the lanes; the legend above, the
ladder along the critical path below (as the shown analysis will lay it out) and the summary
under the ladder's right end. Ordinary flows run between their steps' boxes and never reach past
them. An estimate a little off (a burst's leader, a caption's width) costs nothing: the layout
keeps a rect within half a margin of its own; one further off is replaced once, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from ui.canvas.analysis_presenter import ladder_segments
from ui.canvas.items import LadderItem, LanesItem, LegendItem, SummaryItem
from ui.canvas.items.fonts import label_font
from ui.canvas.items.kaizen_item import burst_size
from ui.canvas.items.step_item import BOUNDS as STEP_BOUNDS
from ui.canvas.items.step_item import WIDTH
from vsm.model.durations import format_duration

if TYPE_CHECKING:
    from ui.canvas.palette import Theme
    from vsm.analysis import MapAnalysis
    from vsm.model import Flow, Step, ValueStreamMap

# Where the layout puts the decorations around the map (ui.canvas.decorations).
LEGEND_GAP = 24.0  # between the legend and the map's top
LADDER_GAP = 36.0  # between the map's bottom and the ladder
SUMMARY_GAP = 16.0  # between the ladder (or the map) and the summary
# A rework arc (ui.canvas.items.flow_item.FlowItem._route_rework): from a quarter (or 0.45) along
# its source's top to 0.45 (or a quarter) along its target's, a cubic whose controls rise 55 px
# plus 0.12 of its span (145 px at most); it peaks three quarters of the way up, its label
# centred there, and the item reaches ITEM_PAD further.
NEAR, FAR = 0.25, 0.45
RISE, RISE_PER_SPAN, RISE_MOST = 55.0, 0.12, 90.0
ITEM_PAD = 8.0
BURST_PAD = 8.0  # a kaizen burst's bounds around its star


class MapScene(Protocol):
    """What is read of the scene (ui.canvas.scene.MapScene, which imports this module)."""

    map: ValueStreamMap
    theme: Theme
    legend: LegendItem
    ladder: LadderItem
    summary: SummaryItem
    lanes: LanesItem


def room_once_built(scene: MapScene, analysis: MapAnalysis | None, reach: Reach) -> QRectF:
    """Everything the scene will hold once every item of its map is built (the map, legend,
    ladder and summary), placed as `layout_decorations` places them around the map's `reach`
    (`map_reach`), with `analysis` the one the ladder will show (None: none known yet, no
    ladder)."""
    content = reach.rect
    if content.isNull():
        return QRectF()
    lanes = scene.lanes.mapRectToScene(scene.lanes.boundingRect())
    if not lanes.isNull():
        content = content.united(lanes)
    legend = scene.legend.boundingRect()
    everything = content.united(QRectF(content.left(),
                                       content.top() - legend.height() - LEGEND_GAP,
                                       legend.width(), legend.height()))
    ladder = _ladder_room(scene, analysis, reach.by_id).translated(
        0, content.bottom() + LADDER_GAP)
    below, right = content.bottom(), content.right()
    if not ladder.isNull():
        everything = everything.united(ladder)
        below, right = ladder.bottom(), max(right, ladder.right())
    summary = scene.summary.boundingRect()
    return everything.united(QRectF(right - summary.width(), below + SUMMARY_GAP,
                                    summary.width(), summary.height()))


class Reach(NamedTuple):
    """The map's steps, flows and bursts as the model puts them, and what reaches furthest."""

    rect: QRectF  # the steps with their waits and badges, the arcs over them, the bursts
    steps: list[Step]  # the steps furthest left, up, right and down (and the arc's)
    arcs: list[Flow]  # the rework arc rising highest, if it rises above the top row
    by_id: dict[str, Step]  # every step (looked up faster than by the map's `step`)


def map_reach(map_: ValueStreamMap) -> Reach:
    """Where the map's steps (with their waits and badges), the rework arcs over them and the
    kaizen bursts reach (a null rect for a map without steps), and the steps and the arc
    reaching furthest: built first (ui.canvas.chunks), they give the map its whole extent
    from the first chunk on, the bursts aside (built last). One pass over the steps and the
    rework flows (about 10 ms at 20,000 steps)."""
    steps = map_.steps
    by_id = {step.id: step for step in steps}
    if not steps:
        return Reach(QRectF(), [], [], by_id)
    xs, ys = [step.x for step in steps], [step.y for step in steps]
    low_x, low_y, high_x, high_y = min(xs), min(ys), max(xs), max(ys)
    furthest = {id(step): step for step in (steps[xs.index(low_x)], steps[ys.index(low_y)],
                                            steps[xs.index(high_x)], steps[ys.index(high_y)])}
    left, top, right, bottom = STEP_BOUNDS
    rect = QRectF(low_x + left, low_y + top, high_x + right - low_x - left,
                  high_y + bottom - low_y - top)
    arcs: list[Flow] = []
    half_label = (QFontMetricsF(label_font()).height() + 2) / 2
    # The most an arc's item rises over its higher end: one whose higher end is lower than the
    # top found so far by more than that cannot rise above it (most are not looked at again).
    most = 0.75 * (RISE + RISE_MOST) + half_label + ITEM_PAD
    highest = rect.top()
    for flow in map_.flows:
        if flow.kind == "rework":
            source, target = by_id[flow.source], by_id[flow.target]
            if (source.y if source.y < target.y else target.y) - most < highest:
                top = _arc_top(source, target, half_label)
                if top < highest:
                    highest, arcs = top, [flow]
                    arc_ends = (source, target)
    if arcs:
        rect.setTop(highest)
        furthest.update({id(step): step for step in arc_ends})
    for kaizen in map_.kaizens:
        width, height = burst_size(kaizen.title)
        rect = rect.united(QRectF(kaizen.x, kaizen.y, width, height).adjusted(
            -BURST_PAD, -BURST_PAD, BURST_PAD, BURST_PAD))
    return Reach(rect, list(furthest.values()), arcs, by_id)


def _arc_top(source: Step, target: Step, half_label: float) -> float:
    """The top of a rework arc's item from `source` to `target`: the cubic's highest point or
    its label's top (centred halfway along it, taken here at the cubic's middle: exact when both
    ends are on one row, a few pixels off otherwise), and the item's pad."""
    start, end = (NEAR, FAR) if source is target or target.x <= source.x else (FAR, NEAR)
    span = abs(target.x + WIDTH * end - source.x - WIDTH * start)
    y0, y1 = source.y, target.y
    control = (y0 if y0 < y1 else y1) - (RISE + min(RISE_PER_SPAN * span, RISE_MOST))
    middle = (y0 + y1) / 8 + 0.75 * control
    peak = middle
    if y0 != y1:  # where the cubic's slope is nought: a*t*t + b*t + c = 0
        a, b, c = y1 - y0, 2 * (y0 - control), control - y0
        root = (b * b - 4 * a * c) ** 0.5
        for t in ((-b + root) / (2 * a), (-b - root) / (2 * a)):
            if 0 < t < 1:
                u = 1 - t
                peak = min(peak, u * u * u * y0 + 3 * t * u * control + t * t * t * y1)
    return min(peak, middle - half_label) - ITEM_PAD


def _ladder_room(scene: MapScene, analysis: MapAnalysis | None, by_id: dict[str, Step]
                 ) -> QRectF:
    """The ladder's bounds (its own y at 0) once every step of the critical path has its item,
    as ui.canvas.analysis_presenter lays it out: measured by a ladder item of its own, not
    shown."""
    if analysis is None:
        return QRectF()
    steps = [by_id[step_id] for step_id in analysis.critical_path if step_id in by_id]
    if not steps:
        return QRectF()
    ladder = LadderItem(scene.theme)
    ladder.set_segments(*ladder_segments(steps, [step.x for step in steps]))
    ladder.set_stale(scene.ladder.stale)
    once_through = format_duration(sum(s.wait_time for s in steps)
                                   + sum(s.process_time for s in steps))
    lead = "" if analysis.lead_time is None else format_duration(analysis.lead_time)
    ladder.set_lead_time(once_through, lead)
    return ladder.boundingRect()
