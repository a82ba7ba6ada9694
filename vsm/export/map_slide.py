"""One map slide: steps, flows, rework arcs, flags, kaizen bursts, the ladder and the summary.

Every shape is native and editable. Ordinary flows are connectors glued to their boxes and
routed around the other boxes, the wait triangles, the flag badges and the kaizen bursts
(vsm.model.routing): straight, or elbows with one or two vertical runs, or a U below the boxes;
rework flows are dashed curved connectors glued top to top. All follow their boxes when someone
drags a box in PowerPoint. Steps on other slides of a split map are reached through small
off-page markers with the other slide's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pptx.enum.shapes import MSO_SHAPE

from vsm.analysis import MapAnalysis
from vsm.analysis.flags import FLAG_LABELS, FLAGS
from vsm.export.ladder_layout import ladder_cells, ladder_note
from vsm.export.map_shapes import BURST_INSET, Rect, badge_width, inventory_rect, step_paragraphs
from vsm.export.shapes import (
    FLOW,
    MUTED,
    OUTLINE,
    REWORK,
    TEXT,
    WHITE,
    add_arc,
    add_box,
    add_routed_flow,
    add_text,
    set_fill,
    set_line,
    strip_style,
    style_run,
    write_text,
)
from vsm.export.slide_layout import LINK_MARGIN, MARGIN, SLIDE_WIDTH, MapPage
from vsm.export.text import text_width
from vsm.model import ACTIVITIES, MAP_KINDS, PERFORMERS, Step, ValueStreamMap, route_percent
from vsm.model.durations import format_duration
from vsm.model.measured import MEASURED_LABEL, measured_words
from vsm.model.routing import Box, Router, label_on_run, label_spot
from vsm.palette import ACTIVITY_COLOURS, GREY, tint

LADDER_UPPER = 6.78  # y of the waits' level
LADDER_LOWER = 6.98  # y of the process times' level
FIGURES = Rect(SLIDE_WIDTH / 2, 0.62, SLIDE_WIDTH / 2 - MARGIN, 0.28)  # the headline figures
NOTE = Rect(MARGIN, 7.2, SLIDE_WIDTH - 2 * MARGIN, 0.22)  # under the ladder
BURST_FILL = "FFF2A8"
MARKER_PITCH = 0.7  # a link marker and its caption
ROUTE_MARGIN = 0.08  # connectors keep this far from boxes and labels
ROUTE_SPACING = 0.07  # between parallel runs of two connectors
LABEL_GAP = 0.04  # between a share label and the start of its line


@dataclass
class SlideLinks:
    """Which slide shows each step of a split map (1-based slide numbers of the deck)."""

    slide_of: dict[str, int] = field(default_factory=dict)


def _rect(r: Rect) -> tuple[float, float, float, float]:
    return r.left, r.top, r.width, r.height


def draw_map_slide(slide: Any, project_name: str, map_: ValueStreamMap, result: MapAnalysis,
                   page: MapPage, links: SlideLinks) -> dict[str, Any]:
    """Draw one page of a map on a blank slide; return the step boxes by step id."""
    _title(slide, project_name, map_, page)
    _legend(slide, map_, page)
    if not page.step_ids:
        add_text(slide, (MARGIN, 3.2, SLIDE_WIDTH - 2 * MARGIN, 0.5),
                 "This map has no steps yet.", 14, colour=MUTED, align="centre")
        _summary(slide, map_, result, page)
        return {}
    steps = {v: map_.step(v) for v in page.step_ids}
    critical = set(result.critical_path)
    first_shape = len(slide.shapes)
    boxes = {v: _step_box(slide, steps[v], page, v in critical) for v in page.step_ids}
    for v in page.step_ids:
        if steps[v].wait_time > 0:
            _inventory(slide, steps[v], page.boxes[v], "long_wait" in result.flags.get(v, []))
        _badges(slide, result.flags.get(v, []), page.badges.get(v, []), page.boxes[v],
                v in page.hanging)
    _flows(slide, map_, page, boxes, links, first_shape)
    for kaizen in map_.kaizens:
        if kaizen.id in page.bursts:
            _burst(slide, kaizen.title, page.bursts[kaizen.id])
    _ladder(slide, map_, result, page)
    _summary(slide, map_, result, page)
    return boxes


# ---------------------------------------------------------------- title and legend


def _title(slide: Any, project_name: str, map_: ValueStreamMap, page: MapPage) -> None:
    part = f" ({page.number} of {page.count})" if page.count > 1 else ""
    add_text(slide, (MARGIN, 0.1, 6.4, 0.46), map_.name + part, 22, bold=True, anchor="middle",
             name="Title")
    kind = MAP_KINDS.get(map_.kind, map_.kind)
    about = [kind] if kind.casefold() != map_.name.casefold() else []
    about += [f"{len(map_.steps)} steps", project_name]
    if page.count > 1:
        about.append(f"part {page.number} of {page.count}")
    add_text(slide, (MARGIN, 0.6, 6.4, 0.26), " · ".join(about), 10, colour=MUTED)


def _legend(slide: Any, map_: ValueStreamMap, page: MapPage) -> None:
    """The colour key of the activities shown (first row) and the meaning of the outlines and
    marks the slide uses (second row), top right."""
    steps = [map_.step(v) for v in page.step_ids]
    used = [a for a in ACTIVITIES if any(s.activity == a for s in steps)]
    performers = {s.performer for s in steps}
    notes = [note for performer, note in (("vendor", "double outline: vendor"),
                                          ("automated", "dashed, ⚙: automated"),
                                          ("customer", "rounded: customer"))
             if performer in performers]
    notes += ["thick outline: critical path"]
    if any(s.wait_time > 0 for s in steps):
        notes.append("△ wait before the step")
    rows: list[list[tuple[str, str | None]]] = [[(ACTIVITIES[a], a) for a in used],
                                                [(note, None) for note in notes]]
    right = SLIDE_WIDTH - MARGIN
    for index, row in enumerate(rows):
        top = 0.1 + index * 0.24
        widths = [text_width(label, 9) + 0.08 + (0.2 if activity else 0.0)
                  for label, activity in row]
        x = right - sum(widths) - 0.12 * (len(row) - 1)
        for (label, activity), width in zip(row, widths):
            if activity:
                colour = ACTIVITY_COLOURS.get(activity, GREY)
                add_box(slide, MSO_SHAPE.RECTANGLE, (x, top + 0.05, 0.14, 0.14), tint(colour),
                        OUTLINE, 0.75, name=f"Legend: {label}")
                add_text(slide, (x + 0.2, top, width - 0.2, 0.24), label, 9, colour=TEXT)
            else:
                add_text(slide, (x, top, width, 0.24), label, 9, colour=MUTED)
            x += width + 0.12


# ---------------------------------------------------------------- steps


def _step_box(slide: Any, step: Step, page: MapPage, critical: bool) -> Any:
    kind = MSO_SHAPE.ROUNDED_RECTANGLE if step.performer == "customer" else MSO_SHAPE.RECTANGLE
    vendor = step.performer == "vendor"
    width = (4.5 if critical else 3.5) if vendor else (2.5 if critical else 1.0)
    shape = add_box(slide, kind, _rect(page.boxes[step.id]),
                    tint(ACTIVITY_COLOURS.get(step.activity, GREY)),
                    "000000" if critical else OUTLINE, width,
                    dash=step.performer == "automated", double=vendor, name=f"Step: {step.name}")
    if kind == MSO_SHAPE.ROUNDED_RECTANGLE:
        shape.adjustments[0] = 0.12
    paragraphs = [(p.text, p.points, p.bold, MUTED if p.muted else TEXT)
                  for p in step_paragraphs(step, page.points, page.mode)]
    write_text(shape, paragraphs, "centre", "middle", inset=0.05)
    activity = ACTIVITIES.get(step.activity, step.activity)
    performer = PERFORMERS.get(step.performer, step.performer)
    shape._element.nvSpPr.cNvPr.set("descr", f"{step.name}: {activity}, {performer}")
    return shape


def _inventory(slide: Any, step: Step, box: Rect, long_wait: bool) -> None:
    """The inventory triangle in the gap before the box, with the wait under it."""
    place = inventory_rect(box, format_duration(step.wait_time))
    fill = tint(FLAGS["long_wait"].colour, 0.3) if long_wait else WHITE
    add_box(slide, MSO_SHAPE.ISOSCELES_TRIANGLE, (place.centre_x - 0.1, place.top, 0.2, 0.17),
            fill, OUTLINE, 1.0, name=f"Wait before {step.name}")
    text = format_duration(step.wait_time)
    width = text_width(text, 9, True) + 0.04
    add_text(slide, (place.centre_x - width / 2, place.top + 0.18, width, 0.17), text, 9,
             bold=True, align="centre", anchor="middle", fill=WHITE, inset=0.0,
             name=f"Wait: {step.name}")


def _badges(slide: Any, flags: list[str], rows: list[list[str]], box: Rect,
            hanging: bool) -> None:
    """Flag badges in rows above the box (below it when `hanging`), labelled with text."""
    by_label = {FLAG_LABELS.get(f, f): f for f in flags}
    for index, row in enumerate(rows):
        top = box.bottom + index * 0.2 if hanging else box.top - (index + 1) * 0.2
        x = box.left
        for label in row:
            width = badge_width(label)
            badge = add_box(slide, MSO_SHAPE.ROUNDED_RECTANGLE, (x, top + 0.01, width, 0.18),
                            FLAGS[by_label[label]].colour if label in by_label else GREY, OUTLINE, 0.5,
                            name=f"Flag: {label}")
            write_text(badge, [(label, 9, True, "000000")], inset=0.03)
            x += width + 0.04


def _burst(slide: Any, title: str, rect: Rect) -> None:
    """A kaizen burst with its title in the preset's own text rectangle (sized for it by
    vsm.export.slide_layout.burst_size), so every renderer keeps it inside the star."""
    burst = add_box(slide, MSO_SHAPE.EXPLOSION1, _rect(rect), BURST_FILL, OUTLINE, 1.0,
                    name=f"Kaizen: {title}")
    write_text(burst, [(title, 9, True, TEXT)], inset=BURST_INSET)


# ---------------------------------------------------------------- flows


def _flows(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
           links: SlideLinks, first_shape: int) -> None:
    """Connectors for the flows, routed around what is on the slide and sent behind the boxes;
    labels for shares and rework."""
    connectors = []
    obstacles = _obstacles(map_, page)
    router = Router({v: Box(r.left, r.top, r.right, r.bottom) for v, r in page.boxes.items()},
                    ROUTE_MARGIN, ROUTE_SPACING, obstacles)
    labels = list(obstacles)  # where a share label may not go: wait times, badges, bursts...
    labels += [Box(r.left, r.top, r.right, r.bottom) for r in page.boxes.values()]
    inside = [f for f in map_.flows if f.source in boxes and f.target in boxes]
    outside = [f for f in map_.flows if (f.source in boxes) != (f.target in boxes)]
    markers = _markers(slide, map_, page, boxes, links, outside, router)
    ordinary = sorted((f for f in inside if f.kind == "normal"),  # the short ones first
                      key=lambda f: abs(page.boxes[f.target].left - page.boxes[f.source].right)
                      + abs(page.boxes[f.target].top - page.boxes[f.source].top))
    for flow in ordinary:
        route = router.route(flow.source, flow.target)
        connector = add_routed_flow(slide, boxes[flow.source], boxes[flow.target], route.points,
                                    route.sites)
        names = map_.step(flow.source).name, map_.step(flow.target).name
        connector.name = f"Flow: {names[0]} → {names[1]}"
        connectors.append(connector)
        if flow.share is not None:
            _share_label(slide, route.points, route_percent(flow.share), labels)
    for flow in inside:
        if flow.kind == "rework":
            connectors.append(_rework(slide, map_, page, boxes, flow, router, labels))
    for flow in outside:
        connectors.append(_link(slide, map_, boxes, markers[flow.id], flow, router))
    anchor = list(slide.shapes)[first_shape]._element
    for connector in connectors:
        anchor.addprevious(connector._element)


def _obstacles(map_: ValueStreamMap, page: MapPage) -> list[Box]:
    """What connectors must not cross: wait triangles with their times, flag badges, bursts."""
    found = []
    for v, box in page.boxes.items():
        if map_.step(v).wait_time > 0:
            place = inventory_rect(box, format_duration(map_.step(v).wait_time))
            found.append(Box(place.left, place.top, place.right, place.bottom))
        for index, row in enumerate(page.badges.get(v, [])):
            top = box.bottom + index * 0.2 if v in page.hanging else box.top - (index + 1) * 0.2
            width = sum(badge_width(label) + 0.04 for label in row)
            found.append(Box(box.left, top, box.left + width, top + 0.2))
    found += [Box(r.left, r.top, r.right, r.bottom) for r in page.bursts.values()]
    return found


def _share_label(slide: Any, points: list[tuple[float, float]], text: str,
                 taken: list[Box]) -> None:
    """The share of an alternative route on its connector, as near its start as it can go
    without covering a label, a box or another share; beside the line where no part of the
    line is free (a short connector between neighbours)."""
    width, height = text_width(text, 9) + 0.06, 0.18
    place = label_spot(points, width, height, taken, LABEL_GAP)
    if place is None:  # nowhere free: just past the start
        (x0, y0) = points[0]
        place = Box(x0 + 0.04, y0 - height / 2, x0 + 0.04 + width, y0 + height / 2)
    taken.append(place)
    add_text(slide, (place.left, place.top, width, height), text, 9, colour=FLOW,
             align="centre", anchor="middle", fill=WHITE, inset=0.01, name=f"Share {text}")


def _rework(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
            flow: Any, router: Router, labels: list[Box]) -> Any:
    """A dashed curved connector for work sent back: a U above the boxes (below them where a
    box is in the way; from the top to the right side for a step sending work back to itself),
    with its probability on the U's middle."""
    text = f"↺ {route_percent(flow.probability)}"
    width = text_width(text, 9, True) + 0.08
    if flow.source == flow.target:
        box = page.boxes[flow.source]
        connector, peak = add_arc(slide, boxes[flow.source], boxes[flow.target], 0.3,
                                  target_site=3)
        x = (box.centre_x + box.right) / 2
    else:
        route = router.route_back(flow.source, flow.target)
        peak = route.points[1][1]
        if abs(route.points[0][1] - route.points[-1][1]) < 1e-6:  # one row: the classic arc
            connector = add_arc(slide, boxes[flow.source], boxes[flow.target], 0.0,
                                source_site=route.sites[0], target_site=route.sites[1],
                                peak=peak)[0]
        else:  # between rows a curve would cut corners the route keeps clear: elbows
            connector = add_routed_flow(slide, boxes[flow.source], boxes[flow.target],
                                        route.points, route.sites, REWORK, 1.5, dash=True)
        x = (route.points[1][0] + route.points[2][0]) / 2
    connector.name = f"Rework: {map_.step(flow.source).name} → {map_.step(flow.target).name}"
    if flow.source == flow.target:
        place = Box(x - width / 2, peak - 0.1, x + width / 2, peak + 0.1)
    else:  # along the corridor, the middle first
        place = label_on_run(route.points[1], route.points[2], width, 0.2, labels, LABEL_GAP,
                             route.points)
    labels.append(place)
    add_text(slide, (place.left, place.top, width, 0.2), text, 9, bold=True, colour=REWORK,
             align="centre", anchor="middle", fill=WHITE, inset=0.01, name=f"Rework {text}")
    return connector


def _markers(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
             links: SlideLinks, flows: list[Any], router: Router) -> dict[str, Any]:
    """An off-page marker for every flow to or from a step on another slide, at the edge of the
    map area towards that slide, near its box's height; each joins the router's boxes."""
    taken: dict[str, list[float]] = {"left": [], "right": []}  # tops of the markers
    markers = {}
    for flow in flows:
        outgoing = flow.source in boxes
        here, there = (flow.source, flow.target) if outgoing else (flow.target, flow.source)
        other = links.slide_of.get(there, 0)
        side = "right" if other > links.slide_of.get(here, 0) else "left"
        box = page.boxes[here]
        x = page.area.right + 0.06 if side == "right" else page.area.left - LINK_MARGIN + 0.04
        bottom = page.area.bottom - MARKER_PITCH  # (the area ends higher above a description)
        y = _free_place(min(max(box.centre_y - 0.17, page.area.top), bottom),
                        taken[side], page.area.top, bottom)
        taken[side].append(y)
        rework = flow.kind == "rework"
        marker = add_box(slide, MSO_SHAPE.FLOWCHART_OFFPAGE_CONNECTOR, (x, y, 0.34, 0.34), WHITE,
                         REWORK if rework else OUTLINE, 1.0, name=f"Link to slide {other}")
        write_text(marker, [(str(other), 9, True, TEXT)], inset=0.0)
        figure = (f"↺ {route_percent(flow.probability)}" if rework else
                  route_percent(flow.share) if flow.share is not None else "")
        add_text(slide, (x - 0.04, y + 0.34, 0.42, 0.32), f"slide\n{figure}".strip(), 9,
                 colour=MUTED, align="centre", inset=0.0)
        router.boxes[flow.id] = Box(x, y, x + 0.34, y + 0.34)
        markers[flow.id] = marker
    return markers


def _link(slide: Any, map_: ValueStreamMap, boxes: dict[str, Any], marker: Any, flow: Any,
          router: Router) -> Any:
    """The connector between a box and the marker of the slide its flow comes from or goes to,
    routed like every other flow."""
    outgoing = flow.source in boxes
    source, target = (flow.source, flow.id) if outgoing else (flow.id, flow.target)
    route = router.route(source, target)
    rework = flow.kind == "rework"
    shapes = (boxes[flow.source], marker) if outgoing else (marker, boxes[flow.target])
    connector = add_routed_flow(slide, *shapes, route.points, route.sites,
                                REWORK if rework else FLOW, dash=rework)
    other = marker.name.removeprefix("Link to slide ")
    names = map_.step(flow.source).name, map_.step(flow.target).name
    connector.name = f"{'Rework' if rework else 'Flow'}: {names[0]} → {names[1]} (slide {other})"
    return connector


def _free_place(wanted: float, taken: list[float], low: float, high: float) -> float:
    """The place nearest to `wanted` (below first) at least MARKER_PITCH from every taken one."""
    for distance in range(0, 40):
        step = distance * MARKER_PITCH / 2
        for candidate in (wanted + step, wanted - step):
            if low <= candidate <= high and all(abs(candidate - t) >= MARKER_PITCH for t in taken):
                return candidate
    return wanted  # more links than fit the edge: let them overlap rather than leave the slide


# ---------------------------------------------------------------- ladder and summary


def _ladder(slide: Any, map_: ValueStreamMap, result: MapAnalysis, page: MapPage) -> None:
    """The lead-time ladder along the critical path: waits up, process times down, labelled."""
    cells = ladder_cells(page, result.critical_path, MARGIN, SLIDE_WIDTH - MARGIN)
    if not cells:
        return
    points: list[tuple[float, float]] = [(cells[0].start, LADDER_UPPER)]
    for cell in cells:
        points += [(cell.start, LADDER_UPPER), (cell.middle, LADDER_UPPER),
                   (cell.middle, LADDER_LOWER), (cell.end, LADDER_LOWER), (cell.end, LADDER_UPPER)]
    builder = slide.shapes.build_freeform(round(points[0][0] * 914400),
                                          round(points[0][1] * 914400), scale=1.0)
    builder.add_line_segments([(round(x * 914400), round(y * 914400)) for x, y in points[1:]],
                              close=False)
    line = builder.convert_to_shape()
    line.name = "Lead-time ladder"
    strip_style(line)
    set_fill(line, None)
    set_line(line, OUTLINE, 1.5)
    def label_width(centre: float, width: float) -> float:  # centred, and inside the slide
        return min(width, 2 * (centre - MARGIN / 2), 2 * (SLIDE_WIDTH - MARGIN / 2 - centre))

    for cell in cells:
        step = map_.step(cell.step_id)
        wait_centre = (cell.start + cell.middle) / 2
        process_centre = (cell.middle + cell.end) / 2
        width = label_width(wait_centre, cell.end - cell.start)
        add_text(slide, (wait_centre - width / 2, LADDER_UPPER - 0.2, width, 0.19),
                 format_duration(step.wait_time), 9, align="centre", anchor="bottom", inset=0.0)
        width = label_width(process_centre, cell.end - cell.start)
        add_text(slide, (process_centre - width / 2, LADDER_LOWER + 0.01, width, 0.19),
                 format_duration(step.process_time), 9, bold=True, align="centre", inset=0.0)


def summary_figures(result: MapAnalysis) -> list[tuple[str, str]]:
    """The four headline figures as (label, value) for the summary box."""
    def percent(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}%"

    return [("Lead time", format_duration(result.lead_time)),
            ("Process time", format_duration(result.process_time)),
            ("Flow efficiency", percent(result.flow_efficiency_percent)),
            ("Rolled %C&A", percent(result.rolled_pca_percent))]


def _summary(slide: Any, map_: ValueStreamMap, result: MapAnalysis, page: MapPage) -> None:
    """The headline figures under the legend, and under the ladder what it shows (or the first
    problem that stops the figures) and whether the map goes on on the next slide."""
    figures = summary_figures(result)
    for points in (11.0, 10.0, 9.0):  # the largest size at which the line fits
        width = sum(text_width(("   ·   " if index else "") + f"{label} ", points)
                    + text_width(value, points, True)
                    for index, (label, value) in enumerate(figures)) + 0.1
        if width <= SLIDE_WIDTH - 2 * MARGIN - 6.6:
            break
    box = add_text(slide, (FIGURES.right - width, FIGURES.top, width, FIGURES.height), "",
                   points, align="right", anchor="middle", name="Summary")
    paragraph = box.text_frame.paragraphs[0]
    for index, (label, value) in enumerate(figures):
        run = paragraph.add_run()
        run.text = ("   ·   " if index else "") + f"{label} "
        style_run(run, points, colour=MUTED)
        run = paragraph.add_run()
        run.text = value
        style_run(run, points, bold=True)
    blocking = [p.message for p in result.problems if p.blocking]
    more = "continued on the next slide →" if page.count > 1 and page.number < page.count else ""
    if map_.measured is not None:  # beside the figures: the lead time the log measured
        more = " · ".join(part for part in (
            f"{MEASURED_LABEL}: {measured_words(map_.measured)}", more) if part)
    if blocking:
        note = f"Not computed: {blocking[0]}"
    else:  # the critical path once through is not the lead time: say so, with both figures
        once_through = sum(map_.step(v).wait_time + map_.step(v).process_time
                           for v in result.critical_path)
        room = NOTE.width - 0.1 - (text_width(more, 9) + 0.3 if more else 0.0)  # insets, a gap
        note = ladder_note(once_through, result.lead_time, page.count > 1, room)
    add_text(slide, _rect(NOTE), note, 9, colour=MUTED, anchor="middle")
    if more:
        add_text(slide, _rect(NOTE), more, 9, colour=MUTED, align="right", anchor="middle")
