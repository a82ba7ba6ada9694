"""Exports of big maps in slices (issue 19): the scene is built and drawn a slice at a time, the
progress callback runs between slices (so the window turns its event loop and Cancel works),
and the pictures are exactly those of one QGraphicsScene.render call."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QProgressDialog

import ui.render.painting
from bench.generate import synthetic_project
from tests.helpers.maps import export_project
from ui.canvas.scene import MapScene
from ui.dialogs.export import ExportOptions
from ui.document.document import Document
from ui.render.images import content_region, export_maps, export_scene, render_image
from ui.window.exports import run_export
from vsm.errors import ExportCancelled
from vsm.model import Flow, Step


def rendered_at_once(scene, region, size) -> QImage:
    """What the exports drew before issue 19: one scene.render call on a white image."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), region,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    return image


@pytest.fixture
def every_item_a_slice(monkeypatch):
    """A slice after every item drawn: as many slices as a big map gives, on a small one."""
    monkeypatch.setattr(ui.render.painting, "SLICE_SECONDS", 0.0)


@pytest.mark.parametrize("step_ids", [None, ["a", "b"]])
def test_the_picture_drawn_in_slices_is_the_one_render_draws(qapp, every_item_a_slice, step_ids):
    """Badges, kaizen bursts, routed flows with labels, the legend, ladder and summary; and a
    selection, whose other items are hidden."""
    document = Document(export_project(kaizens=2), autosave=False)
    with export_scene(document, "current", step_ids=step_ids) as scene:
        region = content_region(scene)
        size = QImage(1200, 500, QImage.Format.Format_RGB32).size()
        sliced = render_image(scene, region, size)
        assert sliced == rendered_at_once(scene, region, size)


def test_a_scene_built_in_chunks_has_the_items_of_one_built_at_once(qapp):
    project = synthetic_project(60)
    document = Document(project, autosave=False)
    map_ = project.maps[0]
    at_once = MapScene(document, map_)
    in_chunks = MapScene(document, map_, build=False)
    assert not in_chunks.complete and not in_chunks.item_for_step
    progress = list(in_chunks.build_in_chunks(chunk=25))
    total = len(map_.steps) + len(map_.flows)
    # 60 steps then the flows, 25 items a chunk: ceil(total / 25) chunks, the last says all.
    assert len(progress) == -(-total // 25) and progress[-1] == (total, total)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert in_chunks.complete
    assert in_chunks.item_for_step.keys() == at_once.item_for_step.keys() == {
        step.id for step in map_.steps}
    assert in_chunks.item_for_flow.keys() == at_once.item_for_flow.keys() == {
        flow.id for flow in map_.flows}
    for step_id, item in at_once.item_for_step.items():
        twin = in_chunks.item_for_step[step_id]
        assert [b.flag for b in twin.badges()] == [b.flag for b in item.badges()]
        assert twin.pos() == item.pos()
    assert len(in_chunks.items()) == len(at_once.items())
    for scene in (at_once, in_chunks):
        scene.detach()


def test_edits_while_a_scene_is_built_are_taken_by_the_builder(qapp):
    """A step added meanwhile is built, a removed one is not, a changed one shows its new
    name; events about items not built yet are left to the builder."""
    project = synthetic_project(30)
    document = Document(project, autosave=False)
    map_ = project.maps[0]
    scene = MapScene(document, map_, build=False)
    building = scene.build_in_chunks(chunk=10)
    next(building)  # 10 steps built
    last = map_.steps[-1]
    document.set_step_field(map_.id, last.id, "name", "Renamed meanwhile")
    gone = map_.steps[-2]
    document.remove(map_.id, [gone.id])
    document.add_steps(map_.id, [Step("Added meanwhile", id="new", x=0, y=900)],
                       [Flow(map_.steps[0].id, "new", id="new-flow")])
    first = map_.steps[0]  # built: it follows its edits at once
    document.set_step_field(map_.id, first.id, "x", first.x + 40)
    for _ in building:
        pass
    assert scene.complete
    assert scene.item_for_step.keys() == {step.id for step in map_.steps}
    assert gone.id not in scene.item_for_step and "new" in scene.item_for_step
    assert scene.item_for_flow.keys() == {flow.id for flow in map_.flows}
    assert scene.item_for_step[last.id].step.name == "Renamed meanwhile"
    assert scene.item_for_step[first.id].x() == first.x
    assert "new-flow" in scene.item_for_flow
    scene.detach()


def test_the_progress_is_told_many_times_and_cancel_midway_writes_nothing(
        qapp, tmp_path, every_item_a_slice):
    project = synthetic_project(300)
    map_ = project.maps[0]
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    written = export_maps(project, tmp_path / "all.png", None, "png", progress=progress)
    assert [p.name for p in written] == ["all.png"]
    # Work: (steps + flows + kaizens + 1) to build and again to draw, and 1 to write.
    total = 2 * (len(map_.steps) + len(map_.flows) + len(map_.kaizens) + 1) + 1
    assert {t for _, t in calls} == {total} and calls[-1] == (total, total)
    assert len(calls) > len(map_.steps)  # a call after every top-level item drawn, at least
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)

    cancelled_at: list[int] = []

    def cancel_halfway(done: int, total: int) -> bool:
        if done > total // 2:
            cancelled_at.append(done)
            return False
        return True

    with pytest.raises(ExportCancelled):
        export_maps(project, tmp_path / "cancelled.svg", None, "svg", progress=cancel_halfway)
    assert len(cancelled_at) == 1 and cancelled_at[0] < total  # it stopped while drawing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.png"]


def test_cancel_in_the_progress_dialog_midway_through_the_drawing(make_window, tmp_path,
                                                                   monkeypatch):
    """File > Export… of a 200-step map: the progress dialog counts items of work and its
    Cancel, pressed once the bar is past half (the scene built, the drawing under way), stops
    the export with nothing written."""
    project = synthetic_project(200)
    map_ = project.maps[0]
    window = make_window(Document(project, autosave=False))
    seen: list[tuple[int, int]] = []

    def cancelled(dialog: QProgressDialog) -> bool:
        seen.append((dialog.value(), dialog.maximum()))
        return dialog.value() > dialog.maximum() // 2

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancelled)
    target = tmp_path / "map.png"
    assert run_export(window, ExportOptions("png", [map_.id], 2000, target)) == []
    assert list(tmp_path.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    # (steps + flows + kaizens + 1) to build and again to draw, and 1 to write.
    total = 2 * (len(map_.steps) + len(map_.flows) + len(map_.kaizens) + 1) + 1
    assert {maximum for _, maximum in seen} == {total}
    assert len(seen) > 2 and total // 2 < seen[-1][0] < total


def test_a_dismantled_export_scene_leaves_no_items_to_the_garbage_collector(qapp):
    """Steps and their flows refer to each other (and a badge to its step): the export's items
    are freed as they are taken away, not by a later full collection of the whole map."""
    import gc
    import weakref

    from ui.canvas.chunks import dismantle

    document = Document(synthetic_project(30), autosave=False)
    map_id = document.project.maps[0].id
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # only reference counting frees anything during the test
    try:
        with export_scene(document, map_id) as scene:
            steps = [weakref.ref(item) for item in scene.item_for_step.values()]
            flows = [weakref.ref(item) for item in scene.item_for_flow.values()]
            assert len(steps) == 30 and flows
            for _ in dismantle(scene):
                pass
            assert scene.items() == []
            alive = [ref for ref in steps + flows if ref() is not None]
            assert alive == []
    finally:
        if enabled:
            gc.enable()


def svg_raster(svg: bytes, width: int = 1200, height: int = 500) -> QImage:
    """An SVG document drawn on a white image of width × height."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(svg)).render(painter)
    painter.end()
    return image


def test_an_svg_drawn_a_generator_a_slice_draws_what_one_generator_draws(
        qapp, every_item_a_slice, monkeypatch):
    """Each slice goes into a QSvgGenerator of its own (whose end() writes only that piece);
    the joined document draws the same picture, with the same texts, as one generator did."""
    import re

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtSvg import QSvgGenerator

    from ui.render.painting import svg_job, with_font_fallbacks

    made: list[QSvgGenerator] = []

    class Counted(QSvgGenerator):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    document = Document(export_project(kaizens=2), autosave=False)
    with export_scene(document, "current") as scene:
        region = content_region(scene)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()  # what svg_job wrote before: one generator, one render
        generator.setOutputDevice(buffer)
        generator.setResolution(96)
        generator.setSize(QSize(round(region.width()), round(region.height())))
        generator.setViewBox(QRectF(0, 0, region.width(), region.height()))
        generator.setTitle("t")
        generator.setDescription("d")
        painter = QPainter(generator)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, region.width(), region.height()), region,
                     Qt.AspectRatioMode.IgnoreAspectRatio)
        painter.end()
        at_once = with_font_fallbacks(bytes(data.data()))
        monkeypatch.setattr(ui.render.painting, "QSvgGenerator", Counted)
        job = svg_job(scene, region, "t", "d")
        fractions = []
        while True:
            try:
                fractions.append(next(job))
            except StopIteration as done:
                pieces: bytes = done.value
                break
    assert len(made) > 3  # a slice after every item: a generator for each
    # A slice's turn says how far it drew; the last piece's turns, the join's, say 1.0.
    assert len(made) == len([f for f in fractions if 0 < f < 1]) + 1
    assert svg_raster(pieces) == svg_raster(at_once)
    texts = re.compile(rb"<text[^>]*>[^<]*")
    assert texts.findall(pieces) == texts.findall(at_once)
    assert pieces.count(b"<title>t</title>") == 1 and pieces.endswith(b"</g>\n</svg>\n")
    assert b"font-family=\"Sans Serif\"" not in pieces  # every family has its fallbacks


def test_font_fallbacks_follow_every_family_once_each(qapp):
    from PySide6.QtGui import QFont, QFontInfo

    from ui.render.painting import with_font_fallbacks

    used = QFontInfo(QFont("Sans Serif")).family()
    svg = (b'<g font-family="Sans Serif">\n<text font-family="Sans Serif">a</text>\n'
           b'<text font-family="x\'y">b</text>\n</g>\n')
    # "Sans Serif" gets the font Qt used and the generic family; a name with a quote is left.
    fallback = f"'Sans Serif', '{used}', sans-serif".encode() if used != "Sans Serif" else (
        b"'Sans Serif', sans-serif")
    assert with_font_fallbacks(svg) == (
        b'<g font-family="' + fallback + b'">\n<text font-family="' + fallback
        + b'">a</text>\n<text font-family="x\'y">b</text>\n</g>\n')


def test_each_export_job_ends_its_turn_before_the_next_begins(qapp):
    """The work after a job's last slice (a scene's last chunk, a picture's encoding) and the
    next job's first slice are not done in one turn: the progress callback, the window's turn,
    comes between them (a PDF's last slice and its finish blocked 49 ms at 1,000 steps)."""
    from ui.render.images import _Meter

    log: list[str] = []

    def job(name: str):
        log.append(f"{name} starts")
        yield 0.5
        log.append(f"{name} ends")  # after its last slice, no yield
        return name

    meter = _Meter(lambda done, total: log.append("turn") is None, 10)
    assert [meter.run(job("build"), 5), meter.run(job("draw"), 5)] == ["build", "draw"]
    assert log == ["build starts", "turn", "build ends", "turn",
                   "draw starts", "turn", "draw ends", "turn"]
    assert meter.done == 10  # each job reported whole


def test_an_export_scene_joins_the_frozen_heap_as_it_is_built(qapp):
    """While the window keeps the collector off a large document (ui.window.heap), an export
    scene's items join the frozen heap as they are made, as a canvas drawn in slices does: a
    full collection during the drawing walked the 57,000 items of a 20,000-step map (91 ms)."""
    import gc

    from ui.document.collector import freeze_heap, thaw_heap

    document = Document(synthetic_project(40), autosave=False)
    freeze_heap()
    try:
        was_frozen = gc.get_freeze_count()
        with export_scene(document, document.project.maps[0].id) as scene:
            item = next(iter(scene.item_for_step.values()))
            tracked = {id(obj) for obj in gc.get_objects()}
            assert id(item.__dict__) not in tracked  # frozen: in no generation
            assert gc.get_freeze_count() > was_frozen
    finally:
        thaw_heap()


@pytest.mark.parametrize("format_", ["png", "svg", "pdf"])
def test_the_region_measured_and_the_first_slice_drawn_are_two_turns(qapp, monkeypatch, format_,
                                                                      tmp_path):
    """An export measures the map's region a slice at a time, then draws it a slice at a time,
    in one job: the region's last slice and the drawing's first were one turn (49 ms at 5,000
    steps, a PNG)."""
    import ui.render.images as images

    log: list[str] = []
    region_job = images._region_job

    def logged_region(scene):
        region = yield from region_job(scene)
        log.append("region measured")
        return region

    def first_slice(*args, **kwargs):
        log.append("drawing starts")
        yield 1.0
        return QImage(1, 1, QImage.Format.Format_RGB32)  # a PNG's, encoded next; else unused

    monkeypatch.setattr(images, "_region_job", logged_region)
    for name in ("image_job", "svg_job", "pdf_job"):
        monkeypatch.setattr(images, name, first_slice)
    document = Document(export_project(), autosave=False)
    map_ = document.project.maps[0]
    with export_scene(document, map_.id) as scene:
        job = images._drawing(scene, document.project, map_, format_, None,
                              tmp_path / f"map.{format_}")
        for _fraction in job:
            log.append("turn")
    assert log.index("region measured") < log.index("turn", log.index("region measured")) \
        < log.index("drawing starts")


def test_background_work_lets_the_window_turn_first_and_then_waits_only_a_moment_at_a_time(
        qapp, monkeypatch):
    """Work handed to a thread (a PNG's encoding, the SVG's joining, the files' writing) is
    waited for in short steps, the first after a turn of the window: the wait was a slice long
    (25 ms) and came in the very turn of the drawing's last slice, an SVG of 5,000 steps
    blocking 49 ms (20 ms drawing, then 25 waiting for the join)."""
    import threading

    from ui.render.painting import POLL_SECONDS, SLICE_SECONDS, finish, in_background

    waits: list[float] = []
    real_join = threading.Thread.join

    def join(self, timeout=None):
        if self.name == "export-writer" and timeout is not None:
            waits.append(timeout)
        return real_join(self, timeout)

    monkeypatch.setattr(threading.Thread, "join", join)
    release = threading.Event()
    job = in_background(lambda: release.wait(10) and "written")
    assert next(job) == 1.0
    assert waits == []  # the window's turn came before any wait
    assert next(job) == 1.0  # still writing: one short wait, then a turn again
    assert waits == [POLL_SECONDS] and POLL_SECONDS <= SLICE_SECONDS / 5
    release.set()
    assert finish(job) == "written"
