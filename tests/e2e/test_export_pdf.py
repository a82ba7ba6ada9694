"""The PDF export written in a process of its own (issue 19): its QPainter.end(), which deflates
the whole page at once holding the interpreter, never runs on the GUI thread; the GUI thread
draws each slice into a QPicture and turns its event loop while the child writes the file.
The file is the one a single painter drew before: one A3 page per map under its title line,
its text as text at the same places, the same picture."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

import ui.render.painting
import ui.render.pdf_pages
from tests.helpers.maps import TRICKY, export_project
from ui.document import processes
from ui.document.document import Document
from ui.render import pdf_jobs
from ui.render.images import content_region, export_maps, export_scene
from vsm.errors import ExportCancelled, FileFormatError
from vsm.model import Step

POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def pdf_words(path: Path) -> list[str]:
    """Every word of the PDF with its box (pdftotext -bbox): the text and where it is."""
    done = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, timeout=60, check=True)
    return re.findall(r"<word [^>]*>[^<]*</word>", done.stdout)


def pdf_raster(path: Path, tmp_path: Path) -> list[QImage]:
    """The PDF's pages rasterised by poppler at 60 dpi."""
    stem = tmp_path / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(stem)], check=True,
                   timeout=60)
    return [QImage(str(page)) for page in sorted(tmp_path.glob(f"{stem.name}-*.png"))]


def drawn_by_one_painter(document: Document, title: str) -> bytes:
    """What the PDF export wrote before issue 19: one QPdfWriter painted in this process, each
    map's page a title line and one scene.render of the map fitted below it."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("VSM Studio")
    writer.setResolution(300)
    painter = QPainter()
    for index, map_ in enumerate(document.project.maps):
        with export_scene(document, map_.id) as scene:
            region = content_region(scene)
            portrait = region.height() > region.width()
            writer.setPageLayout(QPageLayout(
                QPageSize(QPageSize.PageSizeId.A3),
                QPageLayout.Orientation.Portrait if portrait else QPageLayout.Orientation.Landscape,
                QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
            assert painter.begin(writer) if index == 0 else writer.newPage()
            area = QRectF(0, 0, writer.width(), writer.height())
            painter.setRenderHints(QPainter.RenderHint.Antialiasing
                                   | QPainter.RenderHint.TextAntialiasing)
            font = QFont()
            font.setPointSizeF(14)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(Qt.GlobalColor.black)
            header = painter.fontMetrics().height() * 1.8
            painter.drawText(QRectF(area.left(), area.top(), area.width(), header),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             f"{document.project.name} — {map_.name}")
            room = area.adjusted(0, header, 0, 0)
            factor = min(room.width() / region.width(), room.height() / region.height())
            width, height = region.width() * factor, region.height() * factor
            target = QRectF(room.left() + (room.width() - width) / 2,
                            room.top() + (room.height() - height) / 2, width, height)
            scene.render(painter, target, region, Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    buffer.close()
    return bytes(data.data())


@pytest.fixture
def in_this_process(monkeypatch):
    """The "pdf" worker's jobs on its thread in this process, where a test can hold them."""
    monkeypatch.setattr(processes, "SEPARATE", False)


def test_the_pdf_is_written_in_another_process_one_page_a_map(qapp, tmp_path):
    document = Document(export_project(), autosave=False)
    written = export_maps(document, tmp_path / "maps.pdf", None, "pdf")
    data = written[0].read_bytes()
    assert data.startswith(b"%PDF-") and pdf_pages(data) == 2  # current and future state
    writer = processes.shared("pdf").pid
    assert writer is not None and writer != os.getpid()
    assert b"/Title (" in data or b"/Title <" in data  # the project's name as its title
    if POPPLER:
        text = subprocess.run(["pdftotext", str(written[0]), "-"], capture_output=True,
                              text=True, timeout=60, check=True).stdout
        pages = text.split("\f")
        assert "Export test — Current state" in pages[0] and TRICKY in pages[0]
        assert "Beta" in pages[0] and "Gamma" in pages[0]
        assert "Export test — Future state" in pages[1] and "Delta" in pages[1]


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext and pdftoppm are not installed")
def test_the_pdf_is_what_one_painter_drew(qapp, tmp_path):
    """The same words at the same places, and the same pages rasterised: the pictures played
    in the child draw what the painter drew (line segments stroked apart may differ in an
    antialiased pixel where they meet: none here)."""
    project = export_project(kaizens=2)
    project.map("current").add_step(Step("Tall", id="t", x=260, y=900))  # a portrait page
    document = Document(project, autosave=False)
    before = tmp_path / "before.pdf"
    before.write_bytes(drawn_by_one_painter(document, "Export test"))
    after = export_maps(document, tmp_path / "after.pdf", None, "pdf")[0]
    assert pdf_words(after) == pdf_words(before)
    assert len(pdf_words(after)) > 20
    rasters = pdf_raster(after, tmp_path)
    assert len(rasters) == 2
    assert rasters == pdf_raster(before, tmp_path)
    assert rasters[0].height() > rasters[0].width()  # the current state is taller: portrait
    assert rasters[1].width() > rasters[1].height()


def test_the_window_turns_while_the_pdf_is_written(qapp, tmp_path, in_this_process,
                                                   monkeypatch):
    """The writing (held here until the GUI thread has turned three times) goes on while the
    export's progress callback, the window's event-loop turn, keeps being called."""
    writing, turned = threading.Event(), threading.Event()
    turns_while_writing: list[int] = []
    finish = pdf_jobs.finish

    def held_finish(key: str) -> bytes:
        writing.set()
        turned.wait(30)
        return finish(key)

    monkeypatch.setattr(pdf_jobs, "finish", held_finish)

    def progress(done: int, total: int) -> bool:
        if writing.is_set() and not turned.is_set():
            turns_while_writing.append(done)
            if len(turns_while_writing) == 3:
                turned.set()
        return True

    document = Document(export_project(), autosave=False)
    written = export_maps(document, tmp_path / "maps.pdf", None, "pdf", progress=progress)
    assert len(turns_while_writing) == 3
    assert pdf_pages(written[0].read_bytes()) == 2


def test_a_cancelled_pdf_is_forgotten_by_its_writer(qapp, tmp_path, in_this_process,
                                                    monkeypatch):
    monkeypatch.setattr(ui.render.painting, "SLICE_SECONDS", 0.0)  # a slice an item
    monkeypatch.setattr(ui.render.pdf_pages, "BATCH_BYTES", 0)  # each handed over at once
    played: list[str] = []
    draw = pdf_jobs.draw

    def counted_draw(key: str, pictures: list[bytes]) -> None:
        played.append(key)
        draw(key, pictures)

    monkeypatch.setattr(pdf_jobs, "draw", counted_draw)
    calls = 0

    def cancel_midway(done: int, total: int) -> bool:
        nonlocal calls
        calls += 1
        return not played  # Cancel once a picture reached the writer

    with pytest.raises(ExportCancelled):
        export_maps(export_project(), tmp_path / "maps.pdf", None, "pdf", progress=cancel_midway)
    processes.shared("pdf").submit(len, "").result(timeout=30)  # the jobs before it ran
    assert played and pdf_jobs._WRITING == {}
    assert list(tmp_path.iterdir()) == []


def test_a_writer_that_fails_fails_the_export_naming_the_file(qapp, tmp_path, in_this_process,
                                                              monkeypatch):
    def broken(key: str, pictures: list[bytes]) -> None:
        raise ValueError("a picture it cannot play")

    monkeypatch.setattr(pdf_jobs, "draw", broken)
    target = tmp_path / "maps.pdf"
    target.write_bytes(b"previous")
    with pytest.raises(FileFormatError, match="maps.pdf: cannot be rendered: the PDF could not "
                                              "be written: ValueError: a picture it cannot"):
        export_maps(export_project(), target, None, "pdf")
    assert target.read_bytes() == b"previous"
    processes.shared("pdf").submit(len, "").result(timeout=30)
    assert pdf_jobs._WRITING == {}  # the failed document is forgotten


def test_the_pictures_go_over_in_batches(qapp, tmp_path, in_this_process, monkeypatch):
    """Every job handed to the worker costs the GUI thread waits for the interpreter: the
    slices' pictures go over together, up to BATCH_BYTES, and each page's rest at its end."""
    monkeypatch.setattr(ui.render.painting, "SLICE_SECONDS", 0.0)  # a slice an item
    batches: list[int] = []
    draw = pdf_jobs.draw

    def counted_draw(key: str, pictures: list[bytes]) -> None:
        batches.append(len(pictures))
        draw(key, pictures)

    monkeypatch.setattr(pdf_jobs, "draw", counted_draw)
    export_maps(export_project(), tmp_path / "batched.pdf", None, "pdf")
    # A small map's pictures are far below BATCH_BYTES: one batch a page, of all its slices
    # (the current state: 3 steps, 2 flows and the decorations, a slice each).
    assert len(batches) == 2 and batches[0] > 5 and batches[1] >= 1
    monkeypatch.setattr(ui.render.pdf_pages, "BATCH_BYTES", 1)  # every picture is more
    one_each = len(batches)
    export_maps(export_project(), tmp_path / "single.pdf", None, "pdf")
    assert batches[one_each:] == [1] * (batches[0] + batches[1])


def test_a_document_that_cannot_be_finished_fails_the_export(qapp, tmp_path, in_this_process,
                                                             monkeypatch):
    """The last job's failure too (its future is done before its callbacks have run)."""
    def broken(key: str) -> bytes:
        pdf_jobs.abandon(key)
        raise KeyError(key)

    monkeypatch.setattr(pdf_jobs, "finish", broken)
    with pytest.raises(FileFormatError, match="maps.pdf: cannot be rendered: the PDF could not "
                                              "be written: KeyError"):
        export_maps(export_project(), tmp_path / "maps.pdf", None, "pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_pages_last_slice_leaves_the_next_page_and_the_finish_to_another_turn(
        qapp, tmp_path, in_this_process, monkeypatch):
    """The last slice of a page's drawing ends a turn of its own: the next page's start, or
    the wait for the finished file, comes on the next one (both in one turn blocked the window
    49 ms at 1,000 steps)."""
    log: list[str] = []
    pages = ui.render.pdf_pages
    draw, hand = pages._Writing.draw, pages._Writing.hand

    def logged_draw(self, picture: bytes) -> None:
        log.append("picture")
        draw(self, picture)

    def logged_hand(self, job, *args):
        if job in (pdf_jobs.start_page, pdf_jobs.finish):
            log.append(job.__name__)
        return hand(self, job, *args)

    monkeypatch.setattr(pages._Writing, "draw", logged_draw)
    monkeypatch.setattr(pages._Writing, "hand", logged_hand)

    def progress(done: int, total: int) -> bool:
        log.append("turn")
        return True

    document = Document(export_project(), autosave=False)  # two maps: two pages
    export_maps(document, tmp_path / "maps.pdf", None, "pdf", progress=progress)
    assert log.count("start_page") == 2 and log.count("finish") == 1
    for index, entry in enumerate(log):
        if entry in ("start_page", "finish") and "picture" in log[:index]:
            since_last_picture = log[index - log[index - 1::-1].index("picture"):index]
            assert "turn" in since_last_picture, (entry, log)


def test_the_wait_for_the_finished_file_is_a_moment_at_a_time(qapp, tmp_path, in_this_process,
                                                               monkeypatch):
    """While the writer finishes the file, the window turns between short waits for it, as it
    does for an export's other work on a thread (ui.render.painting.in_background): a wait is
    a time the window does not turn, and was a slice long (25 ms)."""
    from ui.render.painting import POLL_SECONDS

    pages = ui.render.pdf_pages
    writing, turned = threading.Event(), threading.Event()
    waits: list[float | None] = []
    finish, wait = pdf_jobs.finish, pages.wait

    def held_finish(key: str) -> bytes:
        writing.set()
        turned.wait(30)
        return finish(key)

    def timed_wait(futures, timeout=None):
        waits.append(timeout)
        return wait(futures, timeout)

    def progress(done: int, total: int) -> bool:
        if len(waits) >= 3:
            turned.set()
        return True

    monkeypatch.setattr(pdf_jobs, "finish", held_finish)
    monkeypatch.setattr(pages, "wait", timed_wait)
    document = Document(export_project(), autosave=False)
    written = export_maps(document, tmp_path / "maps.pdf", None, "pdf", progress=progress)
    assert len(waits) >= 3 and set(waits) == {POLL_SECONDS}
    assert pdf_pages(written[0].read_bytes()) == 2
