"""One map slide: steps, flows, rework arcs, flags, kaizen bursts, the ladder and the summary.

Every shape is native and editable. Ordinary flows are straight connectors glued from the right
of their source box to the left of their target; rework flows are dashed curved connectors glued
top to top; both follow their boxes when someone drags a box in PowerPoint. Steps on other slides
of a split map are reached through small off-page markers with the other slide's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pptx.enum.shapes import MSO_SHAPE

from vsm.analysis import MapAnalysis
from vsm.analysis.flags import FLAG_LABELS, FLAGS
from vsm.export.shapes import (
    FLOW,
    MUTED,
    OUTLINE,
    REWORK,
    TEXT,
    WHITE,
    add_arc,
    add_box,
    add_flow,
    add_text,
    set_fill,
    set_line,
    strip_style,
    style_run,
    write_text,
)
from vsm.export.slide_layout import (
    BURST_TEXT,
    GAP,
    LINK_MARGIN,
    MAP_BOTTOM,
    MARGIN,
    SLIDE_WIDTH,
    MapPage,
    Rect,
    badge_width,
    ladder_cells,
    step_paragraphs,
)
from vsm.export.text import text_width
from vsm.model import ACTIVITIES, MAP_KINDS, PERFORMERS, Step, ValueStreamMap
from vsm.model.durations import format_duration
from vsm.palette import ACTIVITY_COLOURS, GREY, tint

LADDER_UPPER = 6.48  # y of the waits' level
LADDER_LOWER = 6.7  # y of the process times' level
SUMMARY = Rect(MARGIN, 7.0, SLIDE_WIDTH - 2 * MARGIN, 0.34)
BURST_FILL = "FFF2A8"
MARKER_PITCH = 0.7  # a link marker and its caption


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
    add_text(slide, (MARGIN, 0.12, 6.2, 0.48), map_.name + part, 22, bold=True, anchor="middle",
             name="Title")
    kind = MAP_KINDS.get(map_.kind, map_.kind)
    about = [kind] if kind.casefold() != map_.name.casefold() else []
    about += [f"{len(map_.steps)} steps", project_name]
    if page.count > 1:
        about.append(f"part {page.number} of {page.count}")
    add_text(slide, (MARGIN, 0.58, 6.2, 0.26), " · ".join(about), 10, colour=MUTED)


def _legend(slide: Any, map_: ValueStreamMap, page: MapPage) -> None:
    """The colour key of the activities shown and the meaning of outlines, top right."""
    used = [a for a in ACTIVITIES if any(map_.step(v).activity == a for v in page.step_ids)]
    items: list[tuple[str, str | None]] = [(ACTIVITIES[a], a) for a in used]
    items += [("double outline: vendor", None), ("dashed, ⚙: automated", None),
              ("rounded: customer", None), ("thick outline: critical path", None),
              ("△ wait before the step", None)]
    right = SLIDE_WIDTH - MARGIN
    rows: list[list[tuple[str, str | None, float]]] = [[]]
    room = 6.4
    used_width = 0.0
    for label, activity in items:
        width = text_width(label, 9) + 0.08 + (0.2 if activity else 0.0)
        if rows[-1] and used_width + width > room:
            rows.append([])
            used_width = 0.0
        rows[-1].append((label, activity, width))
        used_width += width + 0.12
    for index, row in enumerate(rows[:3]):
        top = 0.12 + index * 0.24
        x = right - sum(w for _, _, w in row) - 0.12 * (len(row) - 1)
        for label, activity, width in row:
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
    """The inventory triangle in the gap before the box, with the wait under the flow line."""
    centre = box.left - GAP / 2
    fill = tint(FLAGS["long_wait"].colour, 0.3) if long_wait else WHITE
    add_box(slide, MSO_SHAPE.ISOSCELES_TRIANGLE, (centre - 0.12, box.top + 0.1, 0.24, 0.21),
            fill, OUTLINE, 1.0, name=f"Wait before {step.name}")
    add_text(slide, (box.left - GAP, box.centre_y + 0.11, GAP, 0.34),
             format_duration(step.wait_time), 9, bold=True, align="centre", fill=WHITE,
             inset=0.0, name=f"Wait: {step.name}")


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
    """A kaizen burst with its title spread over the burst's middle (negative insets widen the
    small text area of the explosion shape)."""
    burst = add_box(slide, MSO_SHAPE.EXPLOSION1, _rect(rect), BURST_FILL, OUTLINE, 1.0,
                    name=f"Kaizen: {title}")
    write_text(burst, [(title, 9, True, TEXT)], inset=0.0)
    body = burst.text_frame._txBody.bodyPr
    left, right, top, bottom = BURST_TEXT
    text_rect = (4627 / 21600, 16702 / 21600, 6320 / 21600, 13937 / 21600)  # irregularSeal1
    insets = {"lIns": (left - text_rect[0]) * rect.width,
              "rIns": (text_rect[1] - right) * rect.width,
              "tIns": (top - text_rect[2]) * rect.height,
              "bIns": (text_rect[3] - bottom) * rect.height}
    for name, inches in insets.items():
        body.set(name, str(round(inches * 914400)))


# ---------------------------------------------------------------- flows


def _flows(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
           links: SlideLinks, first_shape: int) -> None:
    """Connectors for the flows, sent behind the boxes; labels for shares and rework."""
    connectors = []
    markers: dict[str, list[float]] = {"left": [], "right": []}  # tops of the link markers
    for flow in map_.flows:
        inside = flow.source in boxes, flow.target in boxes
        rework = flow.kind == "rework"
        if all(inside):
            if rework:
                connectors.append(_rework(slide, map_, page, boxes, flow))
            else:
                connector = add_flow(slide, boxes[flow.source], boxes[flow.target])
                names = map_.step(flow.source).name, map_.step(flow.target).name
                connector.name = f"Flow: {names[0]} → {names[1]}"
                connectors.append(connector)
                if flow.share is not None:
                    _share_label(slide, page, flow.source, flow.target, f"{flow.share:g}%")
        elif any(inside):
            connectors.append(_link(slide, map_, page, boxes, links, flow, markers))
    anchor = list(slide.shapes)[first_shape]._element
    for connector in connectors:
        anchor.addprevious(connector._element)


def _share_label(slide: Any, page: MapPage, source: str, target: str, text: str) -> None:
    a, b = page.boxes[source], page.boxes[target]
    x = a.right + (b.left - a.right) * 0.5
    y = a.centre_y + (b.centre_y - a.centre_y) * 0.5
    width = text_width(text, 9) + 0.06
    add_text(slide, (x - width / 2, y - 0.09, width, 0.18), text, 9, colour=FLOW,
             align="centre", anchor="middle", fill=WHITE, inset=0.01, name=f"Share {text}")


def _rework(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
            flow: Any) -> Any:
    same = flow.source == flow.target
    rise = page.arc_rise.get((flow.source, flow.target), 0.3)
    connector, peak = add_arc(slide, boxes[flow.source], boxes[flow.target], rise,
                              target_site=3 if same else 0)
    connector.name = f"Rework: {map_.step(flow.source).name} → {map_.step(flow.target).name}"
    a, b = page.boxes[flow.source], page.boxes[flow.target]
    x = (a.centre_x + (b.right if same else b.centre_x)) / 2
    text = f"↺ {flow.probability:g}%"
    width = text_width(text, 9, True) + 0.08
    add_text(slide, (x - width / 2, peak - 0.1, width, 0.2), text, 9, bold=True, colour=REWORK,
             align="centre", anchor="middle", fill=WHITE, inset=0.01, name=f"Rework {text}")
    return connector


def _link(slide: Any, map_: ValueStreamMap, page: MapPage, boxes: dict[str, Any],
          links: SlideLinks, flow: Any, markers: dict[str, list[float]]) -> Any:
    """A flow to or from a step on another slide: a connector to an off-page marker at the edge
    of the map area that names the other slide."""
    outgoing = flow.source in boxes
    here, there = (flow.source, flow.target) if outgoing else (flow.target, flow.source)
    other = links.slide_of.get(there, 0)
    mine = links.slide_of.get(here, 0)
    side = "right" if other > mine else "left"
    box = page.boxes[here]
    x = page.area.right + 0.06 if side == "right" else page.area.left - LINK_MARGIN + 0.04
    y = _free_place(min(max(box.centre_y - 0.17, page.area.top), MAP_BOTTOM - MARKER_PITCH),
                    markers[side], page.area.top, MAP_BOTTOM - MARKER_PITCH)
    markers[side].append(y)
    marker = add_box(slide, MSO_SHAPE.FLOWCHART_OFFPAGE_CONNECTOR, (x, y, 0.34, 0.34), WHITE,
                     REWORK if flow.kind == "rework" else OUTLINE, 1.0,
                     name=f"Link to slide {other}")
    write_text(marker, [(str(other), 9, True, TEXT)], inset=0.0)
    rework = flow.kind == "rework"
    figure = (f"↺ {flow.probability:g}%" if rework else
              f"{flow.share:g}%" if flow.share is not None else "")
    add_text(slide, (x - 0.04, y + 0.34, 0.42, 0.32), f"slide\n{figure}".strip(), 9,
             colour=MUTED, align="centre", inset=0.0)
    colour = REWORK if rework else FLOW
    box_site = 3 if side == "right" else 1
    marker_site = 1 if side == "right" else 3
    if outgoing:
        connector = add_flow(slide, boxes[here], marker, colour, source_site=box_site,
                             target_site=marker_site, dash=rework)
    else:
        connector = add_flow(slide, marker, boxes[here], colour, source_site=marker_site,
                             target_site=box_site, dash=rework)
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
    """The summary box: the headline figures, and what the ladder shows (or the first problem)."""
    box = add_box(slide, MSO_SHAPE.RECTANGLE, _rect(SUMMARY), "F2F2F2", OUTLINE, 0.75,
                  name="Summary")
    frame = box.text_frame
    write_text(box, [("", 10, False, TEXT)], "left", "middle", inset=0.1)
    paragraph = frame.paragraphs[0]
    figures = summary_figures(result)
    for index, (label, value) in enumerate(figures):
        run = paragraph.add_run()
        run.text = ("   ·   " if index else "") + f"{label} "
        style_run(run, 11, colour=MUTED)
        run = paragraph.add_run()
        run.text = value
        style_run(run, 11, bold=True)
    blocking = [p.message for p in result.problems if p.blocking]
    if blocking:
        note = f"Not computed: {blocking[0]}"
    elif page.count > 1:
        note = "Ladder: critical path on this slide, waits above, process times below"
        if page.number < page.count:
            note += " · continued on next slide →"
    else:
        note = "Ladder: critical path, waits above, process times below"
    add_text(slide, (SUMMARY.right - 5.2, SUMMARY.top, 5.1, SUMMARY.height), note, 9,
             colour=MUTED, align="right", anchor="middle")
