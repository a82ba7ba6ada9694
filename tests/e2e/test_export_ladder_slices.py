"""A long critical-path ladder is drawn in an export across several slices (issue 19): one item
painting thousands of segments took a slice of its own, 0.4 s at 20,000 steps. Drawn a part at a
time (its segments' lines, then their texts, then the totals and the caption), the picture is
the one QGraphicsScene.render draws, and the SVG holds every segment, text, total and caption
once, as one generator writes them."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

import ui.canvas.items.ladder_item
import ui.render.painting
from tests.e2e.test_export_slices import rendered_at_once, svg_raster
from ui.canvas.items.ladder_item import LadderItem, LadderSegment
from ui.render.painting import finish, paint_in_slices, svg_job, with_font_fallbacks

SEGMENTS = 10
PART = 4  # segments a part: 10 segments make parts of 4, 4 and 2


@pytest.fixture
def a_part_a_slice(monkeypatch):
    """A slice after every item or part drawn, and parts of PART segments."""
    monkeypatch.setattr(ui.render.painting, "SLICE_SECONDS", 0.0)
    monkeypatch.setattr(ui.canvas.items.ladder_item, "PART_SEGMENTS", PART, raising=False)


def ladder_scene(stale: bool) -> QGraphicsScene:
    """A ladder of SEGMENTS touching segments (each one's process ends where the next one's wait
    starts: their lines meet) with a caption of two lines, and a box above it."""
    scene = QGraphicsScene()
    ladder = LadderItem()
    segments = [LadderSegment(100.0 * i, 100.0 * i + 40, 100.0 * (i + 1), f"{i}m wait",
                              f"{i}m work") for i in range(SEGMENTS)]
    ladder.set_segments(segments, ["Waits 45m", "Work 45m", "Once through 1h 30m"])
    ladder.set_lead_time("1h 30m", "2h")
    ladder.set_stale(stale)
    scene.addItem(ladder)
    box = QGraphicsRectItem(QRectF(180, 10, 300, 60))
    box.setBrush(Qt.GlobalColor.yellow)
    scene.addItem(box)
    return scene


@pytest.mark.parametrize("stale", [False, True])  # solid, and dashed lines
def test_a_ladder_drawn_a_part_a_slice_is_the_picture_render_draws(qapp, a_part_a_slice,
                                                                    stale):
    scene = ladder_scene(stale)
    region = scene.itemsBoundingRect()
    size = QSize(round(region.width()), round(region.height()))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    slices = list(paint_in_slices(scene, painter, QRectF(0, 0, size.width(), size.height()),
                                  region))
    painter.end()
    assert image == rendered_at_once(scene, region, size)
    # Two top-level items, the ladder first (z -1). Once they are found, a turn before the
    # drawing (0 of 2 drawn); the ladder's parts: lines of 4, 4 and 2 segments, their texts, the
    # totals with the caption: 3 + 3 + 1 = 7, a slice each, 6 of them ending with the ladder not
    # drawn whole (1 + 6 = 7 times 0 of 2); then the box, and the end.
    drawing = [step for step in slices if step[1] == 2]
    assert drawing == [(0, 2)] * 7 + [(1, 2), (2, 2)]


def test_a_ladder_in_an_svg_a_part_a_slice_has_every_segment_and_text_once(
        qapp, a_part_a_slice, monkeypatch):
    made: list[QSvgGenerator] = []

    class Counted(QSvgGenerator):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    scene = ladder_scene(stale=False)
    region = scene.itemsBoundingRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()  # one generator, one render: what the pieces must add up to
    generator.setOutputDevice(buffer)
    generator.setResolution(96)
    generator.setSize(QSize(round(region.width()), round(region.height())))
    generator.setViewBox(QRectF(0, 0, region.width(), region.height()))
    generator.setTitle("t")
    generator.setDescription("d")
    painter = QPainter(generator)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, region.width(), region.height()), region,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    at_once = with_font_fallbacks(bytes(data.data()))
    monkeypatch.setattr(ui.render.painting, "QSvgGenerator", Counted)
    pieces = finish(svg_job(scene, region, "t", "d"))
    # A generator a slice: the ladder's 7 parts and the box.
    assert len(made) == 8
    assert svg_raster(pieces, 1300, 200) == svg_raster(at_once, 1300, 200)
    shapes = re.compile(rb"<(?:polyline|path|line|rect|text)\b[^>]*>[^<]*")
    assert shapes.findall(pieces) == shapes.findall(at_once)
    texts = re.findall(rb"<text[^>]*>\s*([^<]*?)\s*<", pieces)
    # 10 waits, 10 process times, 3 totals, 2 caption lines: 25 texts, each once.
    assert len(texts) == 25 and len(set(texts)) == 25
    assert b"Once through 1h 30m" in texts and b"9m work" in texts


def test_the_svg_pieces_are_joined_on_a_thread_of_their_own(qapp, monkeypatch):
    """Joining the pieces copies the whole document (tens of megabytes at 20,000 steps): it runs
    as background work, whose result is the document."""
    import threading

    joined: list[tuple[str, bytes]] = []
    background = ui.render.painting.in_background

    def recorded(work):
        def run():
            result = work()
            joined.append((threading.current_thread().name, result))
            return result
        return background(run)

    monkeypatch.setattr(ui.render.painting, "in_background", recorded)
    scene = ladder_scene(stale=False)
    document = finish(svg_job(scene, scene.itemsBoundingRect(), "t", "d"))
    assert joined == [("export-writer", document)]
    assert document.endswith(b"</svg>\n") and document.count(b"<title>t</title>") == 1
