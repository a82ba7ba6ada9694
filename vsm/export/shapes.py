"""Low-level drawing for the slide export: shapes with explicit colours, lines and fonts.

Every shape added through this module has its theme style (`p:style`) removed and its fill, line
and font set explicitly, so no theme gradient, shadow or accent colour leaks into the deck. Flows
are connectors glued to their shapes (`a:stCxn` / `a:endCxn`), so they follow when someone drags
a box in PowerPoint. Positions are inches (floats).
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from vsm.export.text import FONT

TEXT = "111111"
MUTED = "3C3C3C"
OUTLINE = "202020"
FLOW = "303030"
WHITE = "FFFFFF"
REWORK = "A0306E"  # a darker reddish purple: rework arcs and their labels
ALIGN = {"left": PP_ALIGN.LEFT, "centre": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}
ANCHOR = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}


def rgb(colour: str) -> RGBColor:
    """A colour written "RRGGBB" or "#RRGGBB" (vsm.palette) as python-pptx wants it."""
    return RGBColor.from_string(colour.lstrip("#"))


def emu(inches: float) -> Emu:
    """Inches as EMU (English Metric Units), rounded."""
    return Emu(round(inches * 914400))


def strip_style(shape: Any) -> None:
    """Remove the theme style of a shape (its accent colours, gradient and shadow)."""
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


def set_line(shape: Any, colour: str | None, width: float = 1.0, dash: bool = False,
             double: bool = False) -> None:
    """An explicit outline (`colour` None: no line); width in points."""
    line = shape.line
    if colour is None:
        line.fill.background()
        return
    line.color.rgb = rgb(colour)
    line.width = Pt(width)
    if dash:
        line.dash_style = MSO_LINE.DASH
    if double:
        ln = line._get_or_add_ln()
        ln.set("cmpd", "dbl")
        etree.SubElement(ln, qn("a:miter"), lim="800000")  # square corners for both lines


def set_fill(shape: Any, colour: str | None) -> None:
    """An explicit solid fill (`colour` None: no fill)."""
    if colour is None:
        shape.fill.background()
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(colour)


def style_run(run: Any, points: float, bold: bool = False, colour: str = TEXT,
              italic: bool = False) -> None:
    """Font, size, weight and colour of one run of text."""
    font = run.font
    font.name = FONT
    font.size = Pt(points)
    font.bold = bold
    font.italic = italic
    font.color.rgb = rgb(colour)


def write_text(shape: Any, paragraphs: list[tuple[str, float, bool, str]], align: str = "centre",
               anchor: str = "middle", inset: float = 0.05, wrap: bool = True) -> None:
    """Replace the shape's text with paragraphs of (text, points, bold, colour), each styled
    explicitly; alignment is set after the text (setting text resets it)."""
    frame = shape.text_frame
    frame.word_wrap = wrap
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = ANCHOR[anchor]
    for side in ("left", "right", "top", "bottom"):
        setattr(frame, f"margin_{side}", emu(inset if side in ("left", "right") else inset / 2))
    frame.clear()  # one empty paragraph; a newline inside a text becomes a line break (a:br)
    for index, (text, points, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = text
        paragraph.alignment = ALIGN[align]
        for run in paragraph.runs:
            style_run(run, points, bold, colour)
        end = paragraph._p.get_or_add_endParaRPr()
        end.set("sz", str(round(points * 100)))


def add_box(slide: Any, kind: MSO_SHAPE, rect: tuple[float, float, float, float],
            fill: str | None, line: str | None, line_width: float = 1.0, *, dash: bool = False,
            double: bool = False, name: str | None = None) -> Any:
    """An autoshape with an explicit fill and outline and no theme style."""
    left, top, width, height = rect
    shape = slide.shapes.add_shape(kind, emu(left), emu(top), emu(width), emu(height))
    strip_style(shape)
    set_fill(shape, fill)
    set_line(shape, line, line_width, dash, double)
    if name:
        shape.name = name
    return shape


def add_text(slide: Any, rect: tuple[float, float, float, float], text: str, points: float,
             bold: bool = False, colour: str = TEXT, align: str = "left", anchor: str = "top",
             fill: str | None = None, inset: float = 0.02, name: str | None = None) -> Any:
    """A text box with one styled paragraph (several lines if `text` has newlines)."""
    left, top, width, height = rect
    box = slide.shapes.add_textbox(emu(left), emu(top), emu(width), emu(height))
    set_fill(box, fill)
    set_line(box, None)
    write_text(box, [(line, points, bold, colour) for line in text.split("\n")], align, anchor,
               inset)
    if name:
        box.name = name
    return box


def make_bullets(box: Any, indent: float, space_before: float = 6.0) -> None:
    """Turn each paragraph of a text box into a bullet with a hanging indent (`indent` inches),
    `space_before` points above every paragraph but the first."""
    for index, paragraph in enumerate(box.text_frame.paragraphs):
        properties = paragraph._p.get_or_add_pPr()
        properties.set("marL", str(emu(indent)))
        properties.set("indent", str(-emu(indent)))
        if index:
            spacing = etree.SubElement(properties, qn("a:spcBef"))
            etree.SubElement(spacing, qn("a:spcPts"), val=str(round(space_before * 100)))
        etree.SubElement(properties, qn("a:buFont"), typeface=FONT)
        etree.SubElement(properties, qn("a:buChar"), char="•")


def _arrow_line(connector: Any, colour: str, width: float, dash: bool, arrow: bool) -> None:
    strip_style(connector)
    set_line(connector, colour, width, dash)
    if arrow:
        ln = connector.line._get_or_add_ln()
        tail = etree.SubElement(ln, qn("a:tailEnd"))
        tail.set("type", "triangle")
        tail.set("w", "med")
        tail.set("len", "med")


def add_flow(slide: Any, source: Any, target: Any, colour: str = FLOW, width: float = 1.25,
             source_site: int = 3, target_site: int = 1, arrow: bool = True,
             dash: bool = False) -> Any:
    """A straight connector glued from a site of `source` to a site of `target`, with an arrow
    at the target (rectangle sites: 0 top, 1 left, 2 bottom, 3 right)."""
    connector = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, 0, 0, Emu(1), Emu(1))
    connector.begin_connect(source, source_site)
    connector.end_connect(target, target_site)
    _arrow_line(connector, colour, width, dash, arrow)
    return connector


def add_routed_flow(slide: Any, source: Any, target: Any, points: list[tuple[float, float]],
                    sites: tuple[int, int], colour: str = FLOW, width: float = 1.25,
                    dash: bool = False) -> Any:
    """A connector glued to `source` and `target` at `sites` that runs along `points` (inches,
    from vsm.model.routing): straight, a `bentConnector3` (one vertical run), a
    `bentConnector5` (through a corridor) or a turned `bentConnector3` (a U below both boxes).
    Its adjust values put the runs where the router did, so PowerPoint, Keynote and LibreOffice
    (7.5 and later) draw it there, and it follows a box dragged in PowerPoint."""
    if len(points) == 2:
        return add_flow(slide, source, target, colour, width, *sites, dash=dash)
    connector = slide.shapes.add_connector(MSO_CONNECTOR.ELBOW, 0, 0, Emu(1), Emu(1))
    connector.begin_connect(source, sites[0])
    connector.end_connect(target, sites[1])
    if sites in ((2, 2), (0, 0)):  # a U below or above: a turned elbow bent at the corridor
        start, end = _site(source, sites[0]), _site(target, sites[1])
        _turn(connector, "bentConnector3", start, end, points[1][1] * 914400)
    else:
        _bend(connector, [(x * 914400, y * 914400) for x, y in points])
    _arrow_line(connector, colour, width, dash, True)
    return connector


def _bend(connector: Any, points: list[tuple[float, float]]) -> None:
    """Geometry of an unturned bentConnector3 (4 points) or bentConnector5 (6 points) through
    `points` (EMU): the box spans the two ends, flips make the start its top-left corner, and
    each adjust value is a run's place as a fraction (1/100000ths) of the box, counted from the
    start, so it may lie outside the box."""
    (sx, sy), (tx, ty) = points[0], points[-1]
    flip_h, flip_v = tx < sx, ty < sy
    width, height = max(abs(tx - sx), 1.0), max(abs(ty - sy), 1.0)

    def along_x(x: float) -> int:
        return round((x - sx) * (-1 if flip_h else 1) / width * 100000)

    def along_y(y: float) -> int:
        return round((y - sy) * (-1 if flip_v else 1) / height * 100000)

    if len(points) == 4:
        preset, values = "bentConnector3", [along_x(points[1][0])]
    else:
        preset = "bentConnector5"
        values = [along_x(points[1][0]), along_y(points[2][1]), along_x(points[3][0])]
    _set_geometry(connector, preset, values, (min(sx, tx), min(sy, ty), width, height),
                  flip_h, flip_v, rotation=0)


def _set_geometry(connector: Any, preset: str, values: list[int],
                  box: tuple[float, float, float, float], flip_h: bool, flip_v: bool,
                  rotation: int) -> None:
    """Write a connector's frame (EMU), flips, turn (60000ths of a degree), preset and
    adjust values adj1, adj2..."""
    xfrm = connector._element.spPr.get_or_add_xfrm()
    if rotation:
        xfrm.set("rot", str(rotation))
    elif "rot" in xfrm.attrib:
        del xfrm.attrib["rot"]
    for attribute, on in (("flipH", flip_h), ("flipV", flip_v)):
        if on:
            xfrm.set(attribute, "1")
        elif attribute in xfrm.attrib:
            del xfrm.attrib[attribute]
    xfrm.off.x, xfrm.off.y = round(box[0]), round(box[1])
    xfrm.ext.cx, xfrm.ext.cy = round(box[2]), round(box[3])
    geometry = connector._element.spPr.find(qn("a:prstGeom"))
    geometry.set("prst", preset)
    guides = geometry.find(qn("a:avLst"))
    if guides is None:
        guides = etree.SubElement(geometry, qn("a:avLst"))
    for child in list(guides):
        guides.remove(child)
    for number, value in enumerate(values, start=1):
        guide = etree.SubElement(guides, qn("a:gd"))
        guide.set("name", f"adj{number}")
        guide.set("fmla", f"val {value}")


def add_arc(slide: Any, source: Any, target: Any, rise: float, colour: str = REWORK,
            width: float = 1.5, source_site: int = 0, target_site: int = 0,
            peak: float | None = None) -> tuple[Any, float]:
    """A dashed curved connector glued from a site of `source` to a site of `target` (top to
    top by default) whose bend runs at `peak` inches down the slide, or `rise` inches above the
    higher of the two ends; returns it and the y of its bend (inches)."""
    connector = slide.shapes.add_connector(MSO_CONNECTOR.CURVE, 0, 0, Emu(1), Emu(1))
    connector.begin_connect(source, source_site)
    connector.end_connect(target, target_site)
    start = _site(source, source_site)
    end = _site(target, target_site)
    bend = peak * 914400 if peak is not None else min(start[1], end[1]) - rise * 914400
    _turn(connector, "curvedConnector3", start, end, bend)
    _arrow_line(connector, colour, width, True, True)
    return connector, bend / 914400


def _site(shape: Any, site: int) -> tuple[float, float]:
    x, y, cx, cy = shape.left, shape.top, shape.width, shape.height
    return {0: (x + cx / 2, y), 1: (x, y + cy / 2), 2: (x + cx / 2, y + cy),
            3: (x + cx, y + cy / 2)}[site]


def _turn(connector: Any, preset: str, start: tuple[float, float], end: tuple[float, float],
          peak: float) -> None:
    """Geometry of a quarter-turned curvedConnector3 or bentConnector3 from `start` to `end`
    (EMU) whose bend runs at the height `peak`, above or below both ends.

    Turned by 90 degrees, the shape's local x runs down the slide and its local y runs right to
    left, so the connector's width is the vertical distance and its height the horizontal one;
    flips choose the direction, and adj1 (the bend, as a fraction of the width) places the bend
    at `peak` (PowerPoint writes such connectors the same way when it routes them itself).
    """
    dx, dy = end[0] - start[0], end[1] - start[1]
    flip_h, flip_v = dy < 0, dx > 0
    width = max(abs(dy), 12700.0)  # never zero: adj1 is a fraction of it
    height = max(abs(dx), 12700.0)
    centre = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    bend = peak - centre[1]  # the bend in centred local x, after the flip
    if flip_h:
        bend = -bend
    adjust = (bend + width / 2) / width
    _set_geometry(connector, preset, [round(adjust * 100000)],
                  (centre[0] - width / 2, centre[1] - height / 2, width, height),
                  flip_h, flip_v, rotation=5400000)


def set_cell(cell: Any, text: str, points: float = 10, bold: bool = False, colour: str = TEXT,
             fill: str = WHITE, border: str = "BFBFBF", align: str = "left") -> None:
    """One table cell with explicit borders, fill, font and alignment."""
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        paragraph.alignment = ALIGN[align]
        for run in paragraph.runs:
            style_run(run, points, bold, colour)
    cell.margin_left = cell.margin_right = emu(0.06)
    cell.margin_top = cell.margin_bottom = emu(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    tc_pr = cell._tc.get_or_add_tcPr()
    for child in list(tc_pr):
        tc_pr.remove(child)
    for side in ("a:lnL", "a:lnR", "a:lnT", "a:lnB"):
        edge = etree.SubElement(tc_pr, qn(side), w=str(Pt(0.75)), cmpd="sng")
        solid = etree.SubElement(edge, qn("a:solidFill"))
        etree.SubElement(solid, qn("a:srgbClr"), val=border)
    cell.fill.solid()
    cell.fill.fore_color.rgb = rgb(fill)


PLAIN_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # "No Style, No Grid"


def add_table(slide: Any, rect: tuple[float, float, float, float], rows: list[list[str]],
              widths: list[float], heights: list[float] | None = None, points: float = 10,
              header_fill: str = "E8E8E8", name: str | None = None) -> Any:
    """A native table: the first row is the header (bold, grey); explicit styling everywhere."""
    left, top, width, height = rect
    frame = slide.shapes.add_table(len(rows), len(widths), emu(left), emu(top), emu(width),
                                   emu(height))
    table = frame.table
    properties = table._tbl.tblPr
    properties.set("firstRow", "0")
    properties.set("bandRow", "0")
    style = properties.find(qn("a:tableStyleId"))
    if style is None:
        style = etree.SubElement(properties, qn("a:tableStyleId"))
    style.text = PLAIN_TABLE
    for index, column_width in enumerate(widths):
        table.columns[index].width = emu(column_width)
    for r, values in enumerate(rows):
        if heights:
            table.rows[r].height = emu(heights[r])
        for c, value in enumerate(values):
            set_cell(table.cell(r, c), value, points, bold=r == 0,
                     fill=header_fill if r == 0 else WHITE)
    if name:
        frame.name = name
    return frame

