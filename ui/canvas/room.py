"""The room a large map's canvas will take once built, foreseen from its model before any of its
items is made (issue 19).

A new scene rect makes Qt rebuild its whole item index (QGraphicsSceneBspTreeIndex puts every
item in again at the next paint or look-up). A map drawn in slices (ui.canvas.building) took its
rect for the whole map only when the build ended: 57,000 items of the 20,000-step map indexed
again in the first paint after the open, and the scroll bars coming and going with it. So the
build takes, before its first chunk, the rect the map will need (MapScene.reserve_room), and
the layout keeps it while the map is built and afterwards, since it leaves between half and one
and a half margins around everything then (ui.canvas.decorations.layout_decorations).

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

from typing import TYPE_CHECKING, Protocol

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
    from vsm.model import Step, ValueStreamMap

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


def room_once_built(scene: MapScene, analysis: MapAnalysis | None) -> QRectF:
    """Everything the scene will hold once every item of its map is built (the map, legend,
    ladder and summary), placed as `layout_decorations` places them, with `analysis` the one
    the ladder will show (None: none known yet, no ladder)."""
    content = map_reach(scene.map)
    if content.isNull():
        return QRectF()
    lanes = scene.lanes.mapRectToScene(scene.lanes.boundingRect())
    if not lanes.isNull():
        content = content.united(lanes)
    legend = scene.legend.boundingRect()
    everything = content.united(QRectF(content.left(),
                                       content.top() - legend.height() - LEGEND_GAP,
                                       legend.width(), legend.height()))
    ladder = _ladder_room(scene, analysis).translated(0, content.bottom() + LADDER_GAP)
    below, right = content.bottom(), content.right()
    if not ladder.isNull():
        everything = everything.united(ladder)
        below, right = ladder.bottom(), max(right, ladder.right())
    summary = scene.summary.boundingRect()
    return everything.united(QRectF(right - summary.width(), below + SUMMARY_GAP,
                                    summary.width(), summary.height()))


def map_reach(map_: ValueStreamMap) -> QRectF:
    """The steps with their waits and badges, the rework arcs over them and the kaizen bursts,
    where the model puts them (null for a map without steps)."""
    steps = map_.steps
    if not steps:
        return QRectF()
    xs, ys = [step.x for step in steps], [step.y for step in steps]
    left, top, right, bottom = STEP_BOUNDS
    left, top, right, bottom = min(xs) + left, min(ys) + top, max(xs) + right, max(ys) + bottom
    reach = QRectF(left, top, right - left, bottom - top)
    highest = min(ys)  # only arcs from near the top row can rise above it
    half_label = (QFontMetricsF(label_font()).height() + 2) / 2
    for flow in map_.flows:
        if flow.kind != "rework":
            continue
        source, target = map_.step(flow.source), map_.step(flow.target)
        if min(source.y, target.y) - RISE - RISE_MOST >= highest:
            continue
        peak = _arc_peak(source, target) - half_label - ITEM_PAD
        if peak < reach.top():
            reach.setTop(peak)
    for kaizen in map_.kaizens:
        width, height = burst_size(kaizen.title)
        reach = reach.united(QRectF(kaizen.x, kaizen.y, width, height).adjusted(
            -BURST_PAD, -BURST_PAD, BURST_PAD, BURST_PAD))
    return reach


def _arc_peak(source: Step, target: Step) -> float:
    """The highest y a rework arc from `source` to `target` reaches (a little higher than it
    does when its ends are on different rows)."""
    backwards = target.x <= source.x
    start, end = (NEAR, FAR) if source is target or backwards else (FAR, NEAR)
    span = abs(target.x + WIDTH * end - source.x - WIDTH * start)
    return min(source.y, target.y) - 0.75 * (RISE + min(RISE_PER_SPAN * span, RISE_MOST))


def _ladder_room(scene: MapScene, analysis: MapAnalysis | None) -> QRectF:
    """The ladder's bounds (its own y at 0) once every step of the critical path has its item,
    as ui.canvas.analysis_presenter lays it out: measured by a ladder item of its own, not
    shown."""
    if analysis is None:
        return QRectF()
    map_ = scene.map
    steps = [map_.step(step_id) for step_id in analysis.critical_path
             if map_.has_step(step_id)]
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
