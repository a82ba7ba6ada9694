"""Geometric checks of a PowerPoint deck on the PPTX itself (python-pptx only): the segments a
connector draws, the step boxes a connector passes through, shapes not inside the slide.
(The rendered checks are in tests/helpers/deck_checks.py.)"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.oxml.ns import qn

EMU_PER_INCH = 914400


def walk_shapes(shapes: Any) -> Iterator[Any]:
    """Every shape, group members included (after their group), in z-order."""
    for shape in shapes:
        yield shape
        if shape._element.tag == qn("p:grpSp"):
            yield from walk_shapes(shape.shapes)



Point = tuple[float, float]
Segment = tuple[Point, Point]


def groups_around(element: Any) -> list[Any]:
    """The group shapes (p:grpSp) around `element`, innermost first."""
    groups = []
    parent = element.getparent()
    while parent is not None and parent.tag == qn("p:grpSp"):
        groups.append(parent)
        parent = parent.getparent()
    return groups


def _xfrm(element: Any) -> Any:
    """A shape's own transform: `a:xfrm` in spPr (shapes, pictures, connectors) or grpSpPr
    (groups), `p:xfrm` in a graphic frame (tables, charts); None when it inherits one."""
    for path in (("p:spPr", "a:xfrm"), ("p:grpSpPr", "a:xfrm"), ("p:xfrm",)):
        found = element.find("/".join(qn(tag) for tag in path))
        if found is not None:
            return found
    return None


def _pair(xfrm: Any, tag: str, names: tuple[str, str]) -> tuple[float, float] | None:
    child = xfrm.find(qn(tag)) if xfrm is not None else None
    if child is None:
        return None
    return float(child.get(names[0], 0)), float(child.get(names[1], 0))


def _orient(point: Point, box: tuple[float, float, float, float], xfrm: Any) -> Point:
    """`point` (in the box's frame) flipped about the box centre by flipH/flipV, then turned
    clockwise by `rot` (60000ths of a degree) about it: how DrawingML places a shape."""
    x, y = point
    left, top, width, height = box
    cx, cy = left + width / 2, top + height / 2
    if xfrm is None:
        return x, y
    if xfrm.get("flipH") in ("1", "true"):
        x = 2 * cx - x
    if xfrm.get("flipV") in ("1", "true"):
        y = 2 * cy - y
    rotation = float(xfrm.get("rot", 0)) / 60000
    if rotation % 360:
        angle = math.radians(rotation)
        cos, sin = math.cos(angle), math.sin(angle)
        dx, dy = x - cx, y - cy
        x, y = cx + dx * cos - dy * sin, cy + dx * sin + dy * cos
    return x, y


def _to_slide(element: Any, point: Point) -> Point:
    """`point` in the coordinates of `element`'s parent (its group's child space, or the slide)
    carried out through every enclosing group's scale, offset, flips and rotation."""
    x, y = point
    for group in groups_around(element):
        xfrm = _xfrm(group)
        off = _pair(xfrm, "a:off", ("x", "y")) or (0.0, 0.0)
        ext = _pair(xfrm, "a:ext", ("cx", "cy")) or (0.0, 0.0)
        child_off = _pair(xfrm, "a:chOff", ("x", "y")) or off
        child_ext = _pair(xfrm, "a:chExt", ("cx", "cy")) or ext
        scale_x = ext[0] / child_ext[0] if child_ext[0] else 1.0
        scale_y = ext[1] / child_ext[1] if child_ext[1] else 1.0
        x = off[0] + (x - child_off[0]) * scale_x
        y = off[1] + (y - child_off[1]) * scale_y
        x, y = _orient((x, y), (off[0], off[1], ext[0], ext[1]), xfrm)
    return x, y


def _frame(shape: Any) -> tuple[float, float, float, float]:
    """left, top, width, height of a shape in its parent's coordinates (python-pptx supplies a
    placeholder's inherited position)."""
    return (float(shape.left or 0), float(shape.top or 0), float(shape.width or 0),
            float(shape.height or 0))


def _place(shape: Any, points: list[Point]) -> list[Point]:
    """Points in a shape's own frame (0..width, 0..height) placed on the slide."""
    left, top, width, height = box = _frame(shape)
    xfrm = _xfrm(shape._element)
    return [_to_slide(shape._element, _orient((left + x, top + y), box, xfrm))
            for x, y in points]


def shape_bounds(shape: Any) -> tuple[float, float, float, float]:
    """The slide-coordinate bounding box (x0, y0, x1, y1, EMU) of a shape's frame after its own
    and its groups' flips, rotations and scales (line widths and arrowheads not included)."""
    _, _, width, height = _frame(shape)
    corners = _place(shape, [(0, 0), (width, 0), (width, height), (0, height)])
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def shapes_outside_slide(pptx: Path) -> list[tuple[int, str]]:
    """(slide number, shape name) for every shape, group members included, whose bounding box
    (`shape_bounds`) is not inside the slide, with 1 EMU of tolerance."""
    presentation = Presentation(str(pptx))
    width, height = presentation.slide_width, presentation.slide_height
    outside = []
    for number, slide in enumerate(presentation.slides, 1):
        for shape in walk_shapes(slide.shapes):
            x0, y0, x1, y1 = shape_bounds(shape)
            if x0 < -1 or y0 < -1 or x1 > width + 1 or y1 > height + 1:
                outside.append((number, shape.name))
    return outside


def _adjustments(element: Any, defaults: dict[str, float]) -> dict[str, float]:
    values = dict(defaults)
    for guide in element.iter(qn("a:gd")):
        formula = (guide.get("fmla") or "").split()
        if guide.get("name") in values and len(formula) == 2 and formula[0] == "val":
            values[guide.get("name")] = float(formula[1])
    return values


def _cubic(start: Point, first: Point, second: Point, end: Point, pieces: int) -> list[Point]:
    """A cubic Bézier as `pieces` straight pieces (the points after `start`)."""
    points = []
    for step in range(1, pieces + 1):
        t = step / pieces
        u = 1 - t
        points.append(tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                            for a, b, c, d in zip(start, first, second, end)))
    return points


def _bent(preset: str, w: float, h: float, adjust: dict[str, float]) -> list[Point]:
    """The path of a straight or bent connector preset in its box (ECMA-376 Part 1,
    presetShapeDefinitions.xml; the same paths as LibreOffice's oox-drawingml-cs-presets)."""
    if preset in ("line", "straightConnector1"):
        return [(0, 0), (w, h)]
    if preset == "bentConnector2":
        return [(0, 0), (w, 0), (w, h)]
    if preset == "bentConnector3":
        x1 = w * adjust["adj1"] / 100000
        return [(0, 0), (x1, 0), (x1, h), (w, h)]
    if preset == "bentConnector4":
        x1, y2 = w * adjust["adj1"] / 100000, h * adjust["adj2"] / 100000
        return [(0, 0), (x1, 0), (x1, y2), (w, y2), (w, h)]
    if preset == "bentConnector5":
        x1, x3 = w * adjust["adj1"] / 100000, w * adjust["adj3"] / 100000
        y2 = h * adjust["adj2"] / 100000
        return [(0, 0), (x1, 0), (x1, y2), (x3, y2), (x3, h), (w, h)]
    raise ValueError(f"unknown connector preset {preset!r}")


def _curved(preset: str, w: float, h: float, adjust: dict[str, float],
            pieces: int) -> list[Point]:
    """The Bézier path of a curved connector preset, flattened (ECMA-376 presetShapeDefinitions:
    each curve's control points lie on the matching bent connector's path)."""
    if preset == "curvedConnector2":
        curves = [((w / 2, 0), (w, h / 2), (w, h))]
    elif preset == "curvedConnector3":
        x2 = w * adjust["adj1"] / 100000
        x1, x3 = x2 / 2, (w + x2) / 2
        curves = [((x1, 0), (x2, h / 4), (x2, h / 2)), ((x2, 3 * h / 4), (x3, h), (w, h))]
    elif preset == "curvedConnector4":
        x2, y4 = w * adjust["adj1"] / 100000, h * adjust["adj2"] / 100000
        x1, x3 = x2 / 2, (w + x2) / 2
        x4, x5 = (x2 + x3) / 2, (x3 + w) / 2
        y1 = y4 / 2
        y2, y3, y5 = y1 / 2, (y1 + y4) / 2, (h + y4) / 2
        curves = [((x1, 0), (x2, y2), (x2, y1)), ((x2, y3), (x4, y4), (x3, y4)),
                  ((x5, y4), (w, y5), (w, h))]
    elif preset == "curvedConnector5":
        x3, x6 = w * adjust["adj1"] / 100000, w * adjust["adj3"] / 100000
        y4 = h * adjust["adj2"] / 100000
        x1 = (x3 + x6) / 2
        x2, x4, x5, x7 = x3 / 2, (x3 + x1) / 2, (x6 + x1) / 2, (x6 + w) / 2
        y1 = y4 / 2
        y2, y3, y5 = y1 / 2, (y1 + y4) / 2, (h + y4) / 2
        y6, y7 = (y5 + y4) / 2, (y5 + h) / 2
        curves = [((x2, 0), (x3, y2), (x3, y1)), ((x3, y3), (x4, y4), (x1, y4)),
                  ((x5, y4), (x6, y6), (x6, y5)), ((x6, y7), (x7, h), (w, h))]
    else:
        raise ValueError(f"unknown connector preset {preset!r}")
    points: list[Point] = [(0, 0)]
    for first, second, end in curves:
        points.extend(_cubic(points[-1], first, second, end, pieces))
    return points


_DEFAULTS = {"adj1": 50000.0, "adj2": 50000.0, "adj3": 50000.0}


def connector_paths(shape: Any, exact_curves: bool = False, pieces: int = 16) -> list[Segment]:
    """The straight segments, in slide EMU, that a connector (`p:cxnSp`) draws.

    The path comes from the preset (`a:prstGeom@prst`) and its adjust values (`a:avLst`, in
    1/100000ths of the width or height; may be negative or above 100000), laid in the box
    `a:xfrm` gives (off, ext), flipped by flipH/flipV about the box centre, turned clockwise by
    `rot` (60000ths of a degree) about it, and carried through enclosing groups:

    * `line`, `straightConnector1`: top left to bottom right;
    * `bentConnector2`: along the top, then down the right side;
    * `bentConnector3`: to x = adj1, down to the bottom, to the right side;
    * `bentConnector4`: to x = adj1, down to y = adj2, to the right side, down to the bottom;
    * `bentConnector5`: to x = adj1, down to y = adj2, to x = adj3, down, to the right side.

    `curvedConnector2`..`5` are approximated by the polyline of the matching bent connector
    (same adjust values). The preset's Bézier control points all lie on that polyline, so each
    piece of the curve stays inside the triangle of the corner it rounds off: the curve leaves
    and reaches its ends along the polyline's first and last legs, passes through the middle of
    each inner leg and cuts the corners. The polyline can thus report a box that only a corner
    reaches into, and miss a box that lies inside a corner's triangle. With `exact_curves` the
    Béziers are flattened instead, `pieces` straight pieces each. Raises ValueError for another
    geometry.
    """
    element = shape._element if hasattr(shape, "_element") else shape
    if element.tag != qn("p:cxnSp"):
        raise ValueError(f"{getattr(shape, 'name', element.tag)!r} is not a connector")
    geometry = element.find(f"{qn('p:spPr')}/{qn('a:prstGeom')}")
    if geometry is None:
        raise ValueError(f"{getattr(shape, 'name', '?')!r} has no preset geometry")
    preset = geometry.get("prst")
    adjust = _adjustments(geometry, _DEFAULTS)
    xfrm = _xfrm(element)
    off = _pair(xfrm, "a:off", ("x", "y")) or (0.0, 0.0)
    ext = _pair(xfrm, "a:ext", ("cx", "cy")) or (0.0, 0.0)
    w, h = ext
    if preset.startswith("curvedConnector"):
        local = (_curved(preset, w, h, adjust, pieces) if exact_curves
                 else _bent(preset.replace("curved", "bent"), w, h, adjust))
    else:
        local = _bent(preset, w, h, adjust)
    box = (off[0], off[1], w, h)
    points = [_to_slide(element, _orient((off[0] + x, off[1] + y), box, xfrm))
              for x, y in local]
    return list(zip(points, points[1:]))


def _crosses(segment: Segment, box: tuple[float, float, float, float]) -> bool:
    """Whether `segment` passes through the open rectangle `box` (x0, y0, x1, y1): some stretch
    of positive length strictly inside it (Liang-Barsky clipping)."""
    (ax, ay), (bx, by) = segment
    x0, y0, x1, y1 = box
    if x0 >= x1 or y0 >= y1:
        return False
    dx, dy = bx - ax, by - ay
    enter, leave = 0.0, 1.0
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            if q <= 0:
                return False  # parallel to this side, on it or outside
            continue
        t = q / p
        if p < 0:
            enter = max(enter, t)
        else:
            leave = min(leave, t)
    return leave - enter > 1e-9


def connectors_through_boxes(pptx: Path, box_prefix: str = "Step: ",
                             margin: float = 0.02 * EMU_PER_INCH,
                             exact_curves: bool = False) -> list[tuple[int, str, str]]:
    """(slide number, connector, box) for every box a connector passes through.

    Boxes are the shapes whose name starts with `box_prefix`; a connector (named by its name, or
    its id when unnamed) passes through a box when a segment of `connector_paths` enters the
    box shrunk by `margin` EMU (0.02 inch) on every side, so running along or ending on an edge
    is fine. The boxes a connector is glued to (`a:stCxn`, `a:endCxn`) are not counted.
    """
    presentation = Presentation(str(pptx))
    found = []
    for number, slide in enumerate(presentation.slides, 1):
        shapes = list(walk_shapes(slide.shapes))
        boxes = []
        for shape in shapes:
            if shape.name.startswith(box_prefix):
                x0, y0, x1, y1 = shape_bounds(shape)
                boxes.append((shape, (x0 + margin, y0 + margin, x1 - margin, y1 - margin)))
        for connector in shapes:
            if connector._element.tag != qn("p:cxnSp"):
                continue
            glued = set()
            for tag in ("a:stCxn", "a:endCxn"):
                end = connector._element.find(".//" + qn(tag))
                if end is not None:
                    glued.add(end.get("id"))
            segments = connector_paths(connector, exact_curves=exact_curves)
            for box, interior in boxes:
                if str(box.shape_id) in glued:
                    continue
                if any(_crosses(segment, interior) for segment in segments):
                    found.append((number, connector.name or str(connector.shape_id), box.name))
    return found
