"""The PDF export: one A3 page per map, the map drawn in slices on the GUI thread, the document
written in a process of its own.

`QPainter.end()` on a QPdfWriter deflates the whole page's content stream in one C++ call that
holds the interpreter (a cost per byte drawn: 170 ms at 5,000 steps, 880 ms at 20,000, whatever
thread makes it). So `pdf_job` never makes it here: each slice of a page (about SLICE_SECONDS
of `painting.draw_some`, as the other formats) is drawn into a QPicture, which records the
painter's calls, and its bytes go to the "pdf" worker (ui.document.processes), whose child
plays them into the QPdfWriter as they come and ends it there (ui.render.pdf_jobs). The pictures
are drawn in the map's units from (0, 0); the child puts them in the page's place under the
title line. The page is what one painter drawing the map gave: the same calls, the text as
text in the same fonts at the same places. What a picture changes: it leaves out the state
changes that change nothing, fills a rectangle as a path, and strokes the lines of one
drawLines call one by one (where the ladder's segments meet, a viewer's antialiasing may
differ by a pixel's shade). Measured on the 5,000-step map: pdftotext -bbox the same, the
page rasterised at 60 dpi the same but for one row of the ladder's line.

A job closed halfway (a cancelled export) cancels what the child has not started and has it
forget the document; a job that failed in the child fails the export (RuntimeError, or its
OSError). Where no child can run, the worker plays the pictures on its own thread in this
process (ui.document.processes): the file is the same, but the writing holds the window again.

`page_job` draws a map as a page straight into a painter (a printer's), laid out alike.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Generator
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QRectF
from PySide6.QtGui import QGuiApplication, QPainter, QPicture
from PySide6.QtWidgets import QGraphicsScene

from ui.document import processes
from ui.render import painting, pdf_jobs
from ui.render.painting import Cursor, draw_some, finding, items_to_paint, paint_in_slices

WORKER = "pdf"  # the name of the process that writes the PDFs
# Pictures handed over together, up to about this many bytes (a slice's is 0.1 to 1 MB): every
# job handed over has the worker's thread take the interpreter from the GUI thread a few times,
# which on busy cores costs the GUI thread a wait each.
BATCH_BYTES = 4_000_000
_NUMBERS = itertools.count(1)


@dataclass
class Page:
    """One map on a PDF page: its scene, the region to draw and the title line above it."""

    scene: QGraphicsScene
    region: QRectF
    title: str


def pdf_job(pages: list[Page], title: str) -> Generator[float, None, bytes]:
    """One A3 page per map (landscape unless the map is taller than wide), as vector PDF: a
    job yielding the fraction done between slices, the PDF file's bytes at its end."""
    writing = _Writing(title)
    finished = False
    try:
        font = pdf_jobs.title_font().toString()
        for index, page in enumerate(pages):
            writing.hand(pdf_jobs.start_page, page.title, font, page.region.width(),
                         page.region.height())
            for fraction in _recorded(page, writing.draw):
                yield (index + fraction) / len(pages)
            writing.flush()
        ending = writing.hand(pdf_jobs.finish)
        while not ending.done():
            # a moment at a time (the window does not turn while it waits; the
            # interpreter is free meanwhile)
            wait([ending], painting.POLL_SECONDS)
            if not ending.done():
                yield 1.0
        writing.raise_failure(every=True)
        data = ending.result()
        if not isinstance(data, bytes):
            raise RuntimeError("the PDF could not be written: no document came back")
        finished = True
        return data
    finally:
        if not finished:
            writing.abandon()


class _Writing:
    """A PDF the "pdf" worker writes: the jobs handed to it under the document's key, and the
    first of them that failed."""

    def __init__(self, title: str) -> None:
        self.key = f"{os.getpid()}:{next(_NUMBERS)}"
        self.worker = processes.shared(WORKER)
        self.handed: list[Future[object]] = []
        self.failures: list[BaseException] = []  # appended on the worker's thread
        self.batch: list[bytes] = []  # pictures drawn, not handed over yet
        self.batched = 0  # their bytes
        self.hand(pdf_jobs.begin, title, QGuiApplication.platformName())

    def hand(self, job: Callable[..., object], *args: object) -> Future[object]:
        """Give the worker `job(key, *args)`; its failure is kept for raise_failure."""
        future = self.worker.submit(job, self.key, *args)
        future.add_done_callback(self._failed)
        self.handed.append(future)
        return future

    def _failed(self, future: Future[object]) -> None:
        if not future.cancelled() and future.exception() is not None:
            self.failures.append(future.exception())  # type: ignore[arg-type]

    def draw(self, picture: bytes) -> None:
        """Hand over a slice's picture, with the next ones up to BATCH_BYTES (after raising
        the failure of a job before it: the drawing stops when the child cannot write)."""
        self.raise_failure()
        self.batch.append(picture)
        self.batched += len(picture)
        if self.batched >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Hand over the pictures not handed over yet."""
        if self.batch:
            self.hand(pdf_jobs.draw, self.batch)
            self.batch, self.batched = [], 0

    def raise_failure(self, every: bool = False) -> None:
        """Raise the first failure of a job handed over, as an error an export reports
        (OSError, MemoryError or RuntimeError): of those noted so far, or with `every` of
        every job done (a future is done before its callbacks run)."""
        failures: list[BaseException | None] = list(self.failures)
        if every:
            failures = [future.exception() for future in self.handed
                        if future.done() and not future.cancelled()
                        and future.exception() is not None]
        if not failures:
            return
        error = failures[0]
        if isinstance(error, (OSError, MemoryError, RuntimeError)):
            raise error
        raise RuntimeError(f"the PDF could not be written: {type(error).__name__}: "
                           f"{error}") from error

    def abandon(self) -> None:
        """Cancel the jobs not started (they never run) and have the child forget the
        document."""
        for future in self.handed:
            future.cancel()
        self.worker.submit(pdf_jobs.abandon, self.key)


def _recorded(page: Page, send: Callable[[bytes], None]) -> Generator[float, None, None]:
    """Draw a page's map a slice at a time, each into a QPicture of the map's units from
    (0, 0), and send each picture's bytes; yield the fraction drawn between slices."""
    tops = yield from finding(items_to_paint(page.scene, page.region))
    local = QRectF(0, 0, page.region.width(), page.region.height())
    cursor = Cursor()
    while True:
        picture = QPicture()
        painter = QPainter(picture)
        try:
            painter.setRenderHints(QPainter.RenderHint.Antialiasing
                                   | QPainter.RenderHint.TextAntialiasing)
            draw_some(page.scene, painter, local, page.region, tops, cursor,
                      time.perf_counter() + painting.SLICE_SECONDS)
        finally:
            painter.end()
        send(bytes(cast(memoryview, picture.data())))  # a copy: the picture goes
        # A turn after every slice, the last one's too: the next page's first slice, or the
        # wait for the finished file, is not drawn out of the same turn (49 ms at 1,000 steps).
        yield cursor.drawn / len(tops)
        if cursor.drawn >= len(tops):
            return


def page_job(painter: QPainter, page: Page, area: QRectF) -> Generator[float, None, None]:
    """Draw one map as a page into `area` of an active painter: a title line, the map fitted
    below it (as the PDF's pages are laid out)."""
    target = pdf_jobs.title_line(painter, area, page.title, pdf_jobs.title_font(),
                                 page.region.width(), page.region.height())
    for drawn, total in paint_in_slices(page.scene, painter, target, page.region):
        yield drawn / max(total, 1)
