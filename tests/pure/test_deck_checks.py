"""The deck checkers of tests/helpers/deck_checks.py, on small decks built here: each check is
shown to fail on a deck made to fail it and to pass on its mended twin.

The rendered checks (broken and overlapping words) need LibreOffice and pdftotext and are
skipped without them; one deck with a slide per case is rendered once for the module.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from tests.helpers.deck_checks import (
    DeckCheckError,
    broken_words,
    normalise_words,
    overlapping_words,
    render_pdf,
)
from tests.helpers.deck_geometry import (
    connector_paths,
    connectors_through_boxes,
    shapes_outside_slide,
)

RENDERING = shutil.which("libreoffice") is not None and shutil.which("pdftotext") is not None
needs_rendering = pytest.mark.skipif(not RENDERING,
                                     reason="LibreOffice or pdftotext is not installed")

LONG_WORD = "acknowledgement"


# ---------------------------------------------------------------- deck builders


def new_deck() -> Any:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    return deck


def blank(deck: Any) -> Any:
    return deck.slides.add_slide(deck.slide_layouts[6])


def text_box(slide: Any, left: float, top: float, width: float, height: float, text: str,
             points: float = 20) -> Any:
    """A wrapping text box (inches) without autofit."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(points)
    return box


def step(slide: Any, name: str, left: float, top: float, size: float = 1.0) -> Any:
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(size),
                                 Inches(size))
    box.name = f"Step: {name}"
    return box


def glued(slide: Any, source: Any, source_site: int, target: Any, target_site: int,
          kind: Any = MSO_CONNECTOR.STRAIGHT) -> Any:
    """A connector glued to two shapes (rectangle sites: 0 top, 1 left, 2 bottom, 3 right)."""
    connector = slide.shapes.add_connector(kind, 0, 0, Emu(1), Emu(1))
    connector.begin_connect(source, source_site)
    connector.end_connect(target, target_site)
    return connector


def set_geometry(connector: Any, preset: str, **adjustments: int) -> None:
    """Set `a:prstGeom@prst` and its `a:avLst` adjust values."""
    geometry = connector._element.spPr.find(qn("a:prstGeom"))
    geometry.set("prst", preset)
    values = geometry.find(qn("a:avLst"))
    if values is None:
        values = etree.SubElement(geometry, qn("a:avLst"))
    for child in list(values):
        values.remove(child)
    for name, value in adjustments.items():
        etree.SubElement(values, qn("a:gd"), name=name, fmla=f"val {value}")


def placed(slide: Any, preset: str, off: tuple[int, int], ext: tuple[int, int],
           rot: int = 0, flip_h: bool = False, flip_v: bool = False,
           **adjustments: int) -> Any:
    """A connector with the exact transform given (EMU), glued to nothing."""
    connector = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, 0, 0, Emu(1), Emu(1))
    xfrm = connector._element.spPr.xfrm
    xfrm.off.x, xfrm.off.y = off
    xfrm.ext.cx, xfrm.ext.cy = ext
    for attribute in ("rot", "flipH", "flipV"):
        xfrm.attrib.pop(attribute, None)
    if rot:
        xfrm.set("rot", str(rot))
    if flip_h:
        xfrm.set("flipH", "1")
    if flip_v:
        xfrm.set("flipV", "1")
    set_geometry(connector, preset, **adjustments)
    return connector


def points(path: list[tuple[tuple[float, float], tuple[float, float]]]) -> list[tuple[int, int]]:
    """The polyline of a list of segments, rounded to whole EMU."""
    corners = [path[0][0]] + [end for _, end in path]
    return [(round(x), round(y)) for x, y in corners]


def saved(deck: Any, tmp_path: Path, name: str = "deck.pptx") -> Path:
    path = tmp_path / name
    deck.save(str(path))
    return path


# ---------------------------------------------------------------- words, normalised


def test_normalisation_makes_slide_and_page_spellings_equal():
    # The deck's figures: non-breaking spaces inside "PT 1h 30m", middle dots, symbols.
    slide = "⚙ Deploy\u00a0it · PT\u00a01h\u00a030m · W\u00a02w · %C&A\u00a095 · ↺ 20% → △ ﬁx"
    page = "⚙ Deploy it · PT 1h 30m · W 2w · %C&A 95 · ↺ 20% → △ fix"
    assert normalise_words(slide) == normalise_words(page) == [
        "deploy", "it", "pt", "1h", "30m", "2w", "%c&a", "95", "20%", "fix"]


def test_normalisation_strips_punctuation_splits_compounds_and_drops_short_words():
    assert normalise_words("“Well-known”, (in-house) a/b… e.g. it’s 95%; x") == [
        "well", "known", "in", "house", "e.g", "it's", "95%"]
    # A soft hyphen is invisible unless a line breaks there: the word is one word.
    assert normalise_words("acknow\u00adledgement") == ["acknowledgement"]


# ---------------------------------------------------------------- rendered checks

NARROW, WIDE, STACKED, APART, FIGURES, HIDDEN, AFTER_HIDDEN = 1, 2, 3, 4, 5, 6, 7


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One deck, one slide per case, rendered once."""
    folder = tmp_path_factory.mktemp("deck-checks")
    deck = new_deck()
    # 1: a long word in a box far too narrow: LibreOffice breaks it across lines.
    text_box(blank(deck), 1, 1, 0.7, 4, f"Please {LONG_WORD} it")
    # 2: the same word in a wide box.
    text_box(blank(deck), 1, 1, 8, 1, f"Please {LONG_WORD} it")
    # 3: two text boxes on top of each other.
    slide = blank(deck)
    text_box(slide, 1, 1, 6, 1, "Overlapping words here")
    text_box(slide, 1, 1, 6, 1, "Different text drawn")
    # 4: the same two side by side.
    slide = blank(deck)
    text_box(slide, 1, 1, 5, 1, "Overlapping words here")
    text_box(slide, 7, 1, 5, 1, "Different text drawn")
    # 5: what a step box holds, in a box wide enough: nothing may count as broken.
    text_box(blank(deck), 1, 1, 11, 2,
             "⚙ Synthetic monitoring check · Network ops\nPT\u00a01h\u00a030m · W\u00a02d · "
             "%C&A\u00a095 · ↺ 20% · 95% → △ wait · ﬁrst in-house fix", points=14)
    # 6, hidden: LibreOffice leaves it out of the PDF; 7 is therefore page 6.
    hidden = blank(deck)
    hidden._element.set("show", "0")
    text_box(hidden, 1, 1, 0.7, 4, "Hidden")
    text_box(blank(deck), 1, 1, 0.7, 4, f"After {LONG_WORD}")
    pptx = saved(deck, folder)
    return pptx, render_pdf(pptx, folder)


@needs_rendering
def test_a_word_broken_across_lines_is_reported(rendered):
    assert (NARROW, LONG_WORD) in broken_words(*rendered)


@needs_rendering
def test_the_same_word_in_a_wide_box_is_whole(rendered):
    reported = broken_words(*rendered)
    assert [item for item in reported if item[0] == WIDE] == []


@needs_rendering
def test_a_deck_s_figures_and_symbols_are_not_broken_words(rendered):
    assert [item for item in broken_words(*rendered) if item[0] == FIGURES] == []


@needs_rendering
def test_slides_are_matched_to_pages_past_a_hidden_slide(rendered):
    reported = broken_words(*rendered)
    assert (AFTER_HIDDEN, LONG_WORD) in reported
    assert [item for item in reported if item[0] == HIDDEN] == []


@needs_rendering
def test_text_boxes_on_top_of_each_other_overlap(rendered):
    _, pdf = rendered
    pairs = [(a, b) for page, a, b in overlapping_words(pdf) if page == STACKED]
    first, second = {"Overlapping", "words", "here"}, {"Different", "text", "drawn"}
    assert any({a, b} & first and {a, b} & second for a, b in pairs), pairs


@needs_rendering
def test_text_boxes_side_by_side_do_not_overlap(rendered):
    _, pdf = rendered
    assert [item for item in overlapping_words(pdf) if item[0] != STACKED] == []


@needs_rendering
def test_render_pdf_says_when_no_pdf_appears(tmp_path):
    with pytest.raises(DeckCheckError, match="no PDF"):
        render_pdf(tmp_path / "missing.pptx", tmp_path / "out")


# ---------------------------------------------------------------- connectors through boxes


def row_of_three(slide: Any) -> tuple[Any, Any, Any]:
    """Boxes A, B, C of one inch, a row at y = 1..2 in, x = 1..2, 3..4, 5..6 in."""
    return step(slide, "A", 1, 1), step(slide, "B", 3, 1), step(slide, "C", 5, 1)


def test_a_straight_connector_across_a_box_is_reported_with_that_box_only(tmp_path):
    deck = new_deck()
    slide = blank(deck)
    a, _, c = row_of_three(slide)
    connector = glued(slide, a, 3, c, 1)  # right of A to left of C, straight through B
    connector.name = "Flow: A → C"
    assert connectors_through_boxes(saved(deck, tmp_path)) == [(1, "Flow: A → C", "Step: B")]


def test_the_boxes_a_connector_is_glued_to_are_not_counted(tmp_path):
    deck = new_deck()
    slide = blank(deck)
    a, _, c = row_of_three(slide)
    # From the left of A to the left of C: through A, its own box, and B.
    glued(slide, a, 1, c, 1).name = "glued"
    loose = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(1), Inches(1.5),
                                       Inches(5), Inches(1.5))
    loose.name = "loose"
    assert connectors_through_boxes(saved(deck, tmp_path)) == [
        (1, "glued", "Step: B"), (1, "loose", "Step: A"), (1, "loose", "Step: B")]


def test_an_elbow_around_a_box_passes_and_the_same_elbow_through_it_fails(tmp_path):
    # A at x 1..2 in, B at 3..4 in (y 1..2), C a row lower at x 5..6, y 3..4. The elbow runs
    # from A's right (2, 1.5) to C's left (5, 3.5): 3 in wide, its vertical at 2 + 3 * adj1.
    deck = new_deck()
    for adj1 in (50000, 16667):  # x = 3.5 in, inside B; x = 2.5 in, between A and B
        slide = blank(deck)
        a, c = step(slide, "A", 1, 1), step(slide, "C", 5, 3)
        step(slide, "B", 3, 1)
        elbow = glued(slide, a, 3, c, 1, MSO_CONNECTOR.ELBOW)
        set_geometry(elbow, "bentConnector3", adj1=adj1)
        elbow.name = f"elbow {adj1}"
    assert connectors_through_boxes(saved(deck, tmp_path)) == [(1, "elbow 50000", "Step: B")]


def test_touching_an_edge_is_fine_entering_the_box_is_not(tmp_path):
    deck = new_deck()
    slide = blank(deck)
    step(slide, "B", 3, 1)
    # Horizontal lines across B (top edge at y = 1 in): on the edge, 0.01 in inside (within
    # the 0.02 in margin), 0.1 in inside.
    for name, y in (("on the edge", 1.0), ("0.01 in", 1.01), ("0.1 in", 1.1)):
        slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(2), Inches(y), Inches(5),
                                   Inches(y)).name = name
    assert connectors_through_boxes(saved(deck, tmp_path)) == [(1, "0.1 in", "Step: B")]


# ---------------------------------------------------------------- connector paths


def test_straight_and_bent_presets_follow_the_ecma_paths():
    slide = blank(new_deck())
    off, ext = (1000, 2000), (4000, 1000)
    # In the box: left 1000, top 2000, right 5000, bottom 3000.
    assert points(connector_paths(placed(slide, "straightConnector1", off, ext))) == [
        (1000, 2000), (5000, 3000)]
    assert points(connector_paths(placed(slide, "bentConnector2", off, ext))) == [
        (1000, 2000), (5000, 2000), (5000, 3000)]
    # bentConnector3, adj1 default 50000: the vertical at 1000 + 0.5 * 4000 = 3000.
    assert points(connector_paths(placed(slide, "bentConnector3", off, ext))) == [
        (1000, 2000), (3000, 2000), (3000, 3000), (5000, 3000)]
    # adj1 -25000: the vertical 1000 EMU left of the box, at 1000 - 0.25 * 4000 = 0.
    assert points(connector_paths(placed(slide, "bentConnector3", off, ext, adj1=-25000))) == [
        (1000, 2000), (0, 2000), (0, 3000), (5000, 3000)]
    # bentConnector4: x1 = 1000 + 0.25 * 4000 = 2000, y2 = 2000 + 1.5 * 1000 = 3500.
    assert points(connector_paths(placed(slide, "bentConnector4", off, ext, adj1=25000,
                                         adj2=150000))) == [
        (1000, 2000), (2000, 2000), (2000, 3500), (5000, 3500), (5000, 3000)]
    # bentConnector5: x1 = 2000, y2 = 2000 + 0.2 * 1000 = 2200, x3 = 1000 + 0.75 * 4000 = 4000.
    assert points(connector_paths(placed(slide, "bentConnector5", off, ext, adj1=25000,
                                         adj2=20000, adj3=75000))) == [
        (1000, 2000), (2000, 2000), (2000, 2200), (4000, 2200), (4000, 3000), (5000, 3000)]


def test_bent_connector3_flipped_vertically():
    slide = blank(new_deck())
    connector = placed(slide, "bentConnector3", (1000, 2000), (4000, 1000), flip_v=True,
                       adj1=25000)
    # Unflipped: x1 = 1000 + 0.25 * 4000 = 2000, so (1000,2000) (2000,2000) (2000,3000)
    # (5000,3000). flipV mirrors about the centre y = 2000 + 1000 / 2 = 2500: y -> 5000 - y.
    assert points(connector_paths(connector)) == [
        (1000, 3000), (2000, 3000), (2000, 2000), (5000, 2000)]


def test_bent_connector3_turned_a_quarter_clockwise():
    slide = blank(new_deck())
    connector = placed(slide, "bentConnector3", (1000, 2000), (4000, 1000), rot=5400000,
                       adj1=25000)
    # Unturned: (1000,2000) (2000,2000) (2000,3000) (5000,3000); centre (3000, 2500).
    # 90 degrees clockwise (y down): (dx, dy) -> (-dy, dx) about the centre, so
    # (1000,2000): d = (-2000,-500) -> (500,-2000)  -> (3500, 500)
    # (2000,2000): d = (-1000,-500) -> (500,-1000)  -> (3500, 1500)
    # (2000,3000): d = (-1000, 500) -> (-500,-1000) -> (2500, 1500)
    # (5000,3000): d = ( 2000, 500) -> (-500, 2000) -> (2500, 4500)
    assert points(connector_paths(connector)) == [
        (3500, 500), (3500, 1500), (2500, 1500), (2500, 4500)]


def test_curved_connectors_take_the_bent_polyline_or_their_flattened_curve():
    slide = blank(new_deck())
    curve = placed(slide, "curvedConnector3", (0, 0), (4000, 1000), adj1=25000)
    bent = placed(slide, "bentConnector3", (0, 0), (4000, 1000), adj1=25000)
    assert connector_paths(curve) == connector_paths(bent)
    exact = points(connector_paths(curve, exact_curves=True, pieces=8))
    # Two cubic Béziers of 8 pieces: from (0,0) through (x2, h/2) = (1000, 500) to (4000,1000),
    # everywhere inside the box.
    assert len(exact) == 17
    assert exact[0] == (0, 0) and exact[8] == (1000, 500) and exact[-1] == (4000, 1000)
    assert all(0 <= x <= 4000 and 0 <= y <= 1000 for x, y in exact)


def test_connector_paths_follow_a_group_s_scale():
    deck = new_deck()
    group = blank(deck).shapes.add_group_shape()
    connector = placed(group, "straightConnector1", (100, 100), (400, 200))
    xfrm = group._element.grpSpPr.get_or_add_xfrm()
    for tag, values in (("a:off", {"x": "1000", "y": "1000"}), ("a:ext", {"cx": "2000",
                        "cy": "2000"}), ("a:chOff", {"x": "0", "y": "0"}),
                        ("a:chExt", {"cx": "1000", "cy": "1000"})):
        child = xfrm.find(qn(tag))
        if child is None:
            child = etree.SubElement(xfrm, qn(tag))
        child.attrib.update(values)
    # Child space 0..1000 maps onto 1000..3000: twice the size, 1000 along.
    assert points(connector_paths(connector)) == [(1200, 1200), (2000, 1600)]


def test_connector_paths_refuse_what_they_do_not_know():
    slide = blank(new_deck())
    with pytest.raises(ValueError, match="not a connector"):
        connector_paths(step(slide, "A", 1, 1))
    with pytest.raises(ValueError, match="unknown connector preset"):
        connector_paths(placed(slide, "ellipse", (0, 0), (10, 10)))


# ---------------------------------------------------------------- shapes outside the slide


def test_a_shape_half_off_the_slide_is_reported(tmp_path):
    deck = new_deck()
    slide = blank(deck)
    inside = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, deck.slide_width,
                                    deck.slide_height)
    inside.name = "exactly the slide"
    half = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, deck.slide_width - Inches(0.5),
                                  Inches(1), Inches(1), Inches(1))
    half.name = "half off"
    # 4 x 0.5 in near the top, turned 90 degrees: 4 in tall about its centre at y = 0.45 in.
    turned = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(3), Inches(0.2), Inches(4),
                                    Inches(0.5))
    turned.rotation = 90
    turned.name = "turned"
    unturned = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(3), Inches(3), Inches(4),
                                      Inches(0.5))
    unturned.name = "unturned"
    assert shapes_outside_slide(saved(deck, tmp_path)) == [(1, "half off"), (1, "turned")]
    assert math.isclose(turned.rotation, 90)
