"""Draw a scene onto a painter in slices, as one QGraphicsScene.render call would draw it.

`QGraphicsScene.render` draws every item in one call, which keeps the window from turning its
event loop for seconds on a big map. `paint_in_slices` draws the same thing with the painter kept
open between slices (a QImage's, a QSvgGenerator's or a QPdfWriter's): it does what render does
inside — the items of the source region in ascending stacking order, each with its scene
transform combined with the region→target transform, its effective opacity and a plain
QStyleOptionGraphicsItem, children behind or above their parent, clips by the clip flags — and
yields after about SLICE_SECONDS of drawing so that the caller can let the event loop turn.
An item that paints a lot may offer parts (a paint_parts method, as the ladder's): it is drawn a
part at a time, the time checked between parts.
The scene must not change until the drawing ends (an export's scene is its own).

The formats in memory are drawn the same way: `image_job` and `svg_job` (and the PDF's
`pdf_job`, ui.render.pdf_pages, whose slices are written in another process) are generators
that yield the fraction drawn (0 to 1) between slices and return the QImage or the file's
bytes; `finish` runs one to its end at once (the CLI, Copy as Image, the templates). Their
painters always end, even when the job is closed halfway (a cancelled export).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyle, QStyleOptionGraphicsItem

from ui.render.svg_fonts import font_fallbacks, font_fallbacks_job

SLICE_SECONDS = 0.025  # drawing per slice: the event loop turns about this often
POLL_SECONDS = 0.003  # the longest the window waits at a time for work on a thread
DOTS_PER_METRE = round(300 / 0.0254)  # 300 dpi in the PNG's metadata
SVG_DPI = 96  # CSS pixels: the SVG's width and height in mm match the map at 100 %
APP = "VSM Studio"

T = TypeVar("T")

_Flag = QGraphicsItem.GraphicsItemFlag


def region_transform(target: QRectF, source: QRectF) -> QTransform:
    """The transform that maps the scene's `source` rectangle onto `target` (aspect ignored)."""
    return (QTransform().translate(target.left(), target.top())
            .scale(target.width() / source.width(), target.height() / source.height())
            .translate(-source.left(), -source.top()))


def items_to_paint(scene: QGraphicsScene, source: QRectF) -> Generator[float, None,
                                                                          list[QGraphicsItem]]:
    """A job finding the top-level items render() draws for `source`, in the order it draws
    them: those of the visible items whose bounding rectangles meet the region, in ascending
    stacking order (as scene.items(source, IntersectsItemBoundingRect), which asks every item
    its bounding rectangle in one go)."""
    deadline = time.perf_counter() + SLICE_SECONDS  # the list counts in the first slice
    everything = scene.items(Qt.SortOrder.AscendingOrder)  # no item is measured: 15 ms for 60,000
    tops: list[QGraphicsItem] = []
    seen: set[int] = set()
    for index, item in enumerate(everything):
        if item.isVisible() and source.intersects(_adjusted(item.sceneBoundingRect())):
            top = item.topLevelItem()
            if id(top) not in seen:
                seen.add(id(top))
                tops.append(top)
        if time.perf_counter() >= deadline:
            yield index / len(everything)
            deadline = time.perf_counter() + SLICE_SECONDS
    return tops


def _adjusted(rect: QRectF) -> QRectF:
    """A flat rectangle given a hair of width or height, as Qt's item queries do."""
    if not rect.width():
        rect.adjust(-0.00001, 0, 0.00001, 0)
    if not rect.height():
        rect.adjust(0, -0.00001, 0, 0.00001)
    return rect


def paint_in_slices(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF,
                    slice_seconds: float | None = None) -> Iterator[tuple[int, int]]:
    """Draw `source` of the scene into `target` of the active painter exactly as
    scene.render(painter, target, source, Qt.IgnoreAspectRatio) would; yield (top-level items
    drawn, items to draw) after each slice of about `slice_seconds` (default SLICE_SECONDS),
    and once at the end. The painter is left as it was found."""
    if slice_seconds is None:
        slice_seconds = SLICE_SECONDS
    finding = items_to_paint(scene, source)
    while True:
        try:
            next(finding)
        except StopIteration as found:
            tops: list[QGraphicsItem] = found.value
            break
        yield 0, 1
    total = len(tops)
    yield 0, total  # the finding's last slice and the drawing's first are a turn apart
    cursor = Cursor()
    while True:
        draw_some(scene, painter, target, source, tops, cursor,
                   time.perf_counter() + slice_seconds)
        if cursor.drawn >= total:
            break
        yield cursor.drawn, total
    yield total, total


@dataclass
class Cursor:
    """How far a drawing in slices is: the top-level items drawn whole, and of the next one,
    when it is drawn in parts (an item with a paint_parts method, see `_parts`), its parts
    and how many of them are drawn."""

    drawn: int = 0
    parts: list[Callable[[QPainter], None]] | None = None
    parts_drawn: int = 0


def draw_some(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF,
               tops: list[QGraphicsItem], cursor: Cursor, deadline: float) -> None:
    """Draw the rest of `tops` from the cursor on (the background first when nothing is
    drawn yet, the foreground once the last is drawn) until `deadline` passes, at least one
    item or part of one, moving the cursor on. An item offering parts is drawn a part at a
    time, the deadline checked between them. The painter is left as it was found."""
    painter.save()
    painter.setClipRect(target, Qt.ClipOperation.IntersectClip)
    painter.setWorldTransform(region_transform(target, source), True)
    view = painter.worldTransform()
    opacity = painter.opacity()
    try:
        if cursor.drawn == 0 and cursor.parts is None:
            scene.drawBackground(painter, source)
        while cursor.drawn < len(tops):
            item = tops[cursor.drawn]
            if cursor.parts is None:
                cursor.parts, cursor.parts_drawn = _parts(item), 0
            if cursor.parts:
                _paint_part(item, cursor.parts[cursor.parts_drawn], painter, view, opacity)
                cursor.parts_drawn += 1
            else:
                _paint_subtree(item, painter, view, opacity)
            if not cursor.parts or cursor.parts_drawn == len(cursor.parts):
                cursor.drawn, cursor.parts = cursor.drawn + 1, None
            if time.perf_counter() >= deadline:
                break
        painter.setWorldTransform(view)
        painter.setOpacity(opacity)
        if cursor.drawn == len(tops):
            scene.drawForeground(painter, source)
    finally:
        painter.restore()


_OFFERS_PARTS: dict[type, bool] = {}  # item class -> whether it has a paint_parts method


def _parts(item: QGraphicsItem) -> list[Callable[[QPainter], None]]:
    """The parts a visible top-level item without children offers to be painted in:
    item.paint_parts(option, widget) given the option its paint() would get, a list of
    callables that, called with the painter one after the other, draw what paint() draws; []
    for any other item (painted whole)."""
    kind = type(item)
    offers = _OFFERS_PARTS.get(kind)
    if offers is None:
        offers = _OFFERS_PARTS[kind] = callable(getattr(kind, "paint_parts", None))
    if not offers or not item.isVisible() or item.childItems():
        return []
    return list(item.paint_parts(_style_option(item), None))  # type: ignore[attr-defined]


def _paint_part(item: QGraphicsItem, part: Callable[[QPainter], None], painter: QPainter,
                view: QTransform, parent_opacity: float) -> None:
    """Draw one part of a top-level item without children, as _paint_subtree draws the item."""
    flags = QGraphicsItem.flags(item)
    opacity = (item.opacity() if flags & _Flag.ItemIgnoresParentOpacity
               else item.opacity() * parent_opacity)
    if opacity < 0.0001 or flags & _Flag.ItemHasNoContents:
        return
    _paint_item(item, painter, item.sceneTransform() * view, opacity,
                bool(flags & _Flag.ItemClipsToShape), part)


def _paint_subtree(item: QGraphicsItem, painter: QPainter, view: QTransform,
                   parent_opacity: float) -> None:
    """Draw an item and its children as QGraphicsScene's drawSubtreeRecursive does."""
    if not item.isVisible():
        return
    flags = QGraphicsItem.flags(item)
    opacity = (item.opacity() if flags & _Flag.ItemIgnoresParentOpacity
               else item.opacity() * parent_opacity)
    transparent = opacity < 0.0001
    children = item.childItems()
    if transparent and not any(QGraphicsItem.flags(c) & _Flag.ItemIgnoresParentOpacity
                               for c in children):
        return
    clips_children = bool(flags & _Flag.ItemClipsChildrenToShape) and bool(children)
    transform = item.sceneTransform() * view
    if clips_children:
        painter.save()
        painter.setWorldTransform(transform)
        painter.setClipPath(item.shape(), Qt.ClipOperation.IntersectClip)
    behind = 0  # the children stacked behind it come first (children are in stacking order)
    while (behind < len(children)
           and QGraphicsItem.flags(children[behind]) & _Flag.ItemStacksBehindParent):
        behind += 1
    for child in children[:behind]:
        if not transparent or QGraphicsItem.flags(child) & _Flag.ItemIgnoresParentOpacity:
            _paint_subtree(child, painter, view, opacity)
    if not transparent and not flags & _Flag.ItemHasNoContents:
        _paint_item(item, painter, transform, opacity, bool(flags & _Flag.ItemClipsToShape))
    for child in children[behind:]:
        if not transparent or QGraphicsItem.flags(child) & _Flag.ItemIgnoresParentOpacity:
            _paint_subtree(child, painter, view, opacity)
    if clips_children:
        painter.restore()


def _paint_item(item: QGraphicsItem, painter: QPainter, transform: QTransform, opacity: float,
                clip: bool, part: Callable[[QPainter], None] | None = None) -> None:
    """One item's own paint(), with the style option render() gives it (or one part of it)."""
    painter.setWorldTransform(transform)
    painter.setOpacity(opacity)
    painter.save()
    if clip:
        painter.setClipPath(item.shape(), Qt.ClipOperation.IntersectClip)
    if part is None:
        item.paint(painter, _style_option(item), None)
    else:
        part(painter)
    painter.restore()


def _style_option(item: QGraphicsItem) -> QStyleOptionGraphicsItem:
    """The style option render() gives an item's paint(): its whole bounds exposed."""
    bounds = item.boundingRect()
    option = QStyleOptionGraphicsItem()
    option.rect = bounds.toRect()
    option.exposedRect = bounds
    state = QStyle.StateFlag.State_None
    if item.isSelected():
        state |= QStyle.StateFlag.State_Selected
    if item.isEnabled():
        state |= QStyle.StateFlag.State_Enabled
    if item.hasFocus():
        state |= QStyle.StateFlag.State_HasFocus
    option.state = state
    return option


# ---------------------------------------------------------------- the formats, as jobs


def finish(job: Generator[float, None, T]) -> T:
    """Run a drawing job to its end at once and return its result."""
    while True:
        try:
            next(job)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def _paint_job(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF
               ) -> Generator[float, None, None]:
    for drawn, total in paint_in_slices(scene, painter, target, source):
        yield drawn / max(total, 1)


def image_job(scene: QGraphicsScene, region: QRectF, size: QSize
              ) -> Generator[float, None, QImage]:
    """The region drawn on a white image of `size` pixels, tagged as 300 dpi."""
    image = QImage(size, QImage.Format.Format_RGB32)
    if image.isNull():
        raise MemoryError(f"no memory for a {size.width()} × {size.height()} image")
    image.fill(Qt.GlobalColor.white)
    image.setDotsPerMeterX(DOTS_PER_METRE)
    image.setDotsPerMeterY(DOTS_PER_METRE)
    painter = QPainter(image)
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing
                               | QPainter.RenderHint.SmoothPixmapTransform)
        yield from _paint_job(scene, painter, QRectF(0, 0, size.width(), size.height()), region)
    finally:
        painter.end()
    return image


def image_bytes(image: QImage, format_: bytes = b"PNG") -> bytes:
    """The image encoded as a file (PNG by default)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, format_.decode()):
        raise OSError("the image could not be encoded")
    buffer.close()
    return bytes(data.data())


def svg_job(scene: QGraphicsScene, region: QRectF, title: str, description: str
            ) -> Generator[float, None, bytes]:
    """The region as an SVG document: text as <text>, viewBox = the region at map units.

    QPainter.end() on a QSvgGenerator writes its whole document at once, holding the GIL (0.1 s
    at 5,000 steps, 2.3 s at 20,000), so each slice is drawn into a generator of its own, ended
    at once, and the pieces' bodies are joined under the first one's header: QSvgGenerator
    writes every state change as a group holding the whole state, so a piece starting with a
    fresh painter draws what the one painter drew. A piece with definitions (a gradient, whose
    ids each generator numbers from 1) has the document drawn again in one generator."""
    target = QRectF(0, 0, region.width(), region.height())
    tops = yield from finding(items_to_paint(scene, region))
    fallbacks = font_fallbacks()
    head, bodies, cursor = b"", [], Cursor()
    while True:
        generator, buffer, data = _svg_generator(region, title, description)
        painter = QPainter(generator)
        try:
            painter.setRenderHints(QPainter.RenderHint.Antialiasing
                                   | QPainter.RenderHint.TextAntialiasing)
            draw_some(scene, painter, target, region, tops, cursor,
                       time.perf_counter() + SLICE_SECONDS)
        finally:
            painter.end()
            buffer.close()
        parts = _svg_parts(bytes(data.data()))
        if parts is None:
            return (yield from _svg_at_once(scene, region, title, description))
        head = head or parts[0]
        bodies.append(fallbacks(parts[1]))
        if cursor.drawn >= len(tops):
            pieces = [head, *bodies, _SVG_TAIL]  # one copy of tens of megabytes (0.1 to 0.3 s
            # at 20,000 steps), on a thread: bytes.join lets go of the GIL while it copies
            return (yield from in_background(partial(b"".join, pieces)))
        yield cursor.drawn / len(tops)


_SVG_TAIL = b"</g>\n</svg>\n"  # closes QSvgGenerator's group of Qt's defaults, and the document
_SVG_HEAD_END = re.compile(rb"<defs>\n</defs>\n<g [^>]*>\n")  # empty definitions, the defaults


def _svg_parts(document: bytes) -> tuple[bytes, bytes] | None:
    """A QSvgGenerator document's header (up to its group of defaults) and its body (the state
    groups), or None when it holds definitions or ends otherwise."""
    head = _SVG_HEAD_END.search(document)
    if head is None or not document.endswith(_SVG_TAIL):
        return None
    return document[:head.end()], document[head.end():-len(_SVG_TAIL)]


def _svg_generator(region: QRectF, title: str, description: str
                   ) -> tuple[QSvgGenerator, QBuffer, QByteArray]:
    """A QSvgGenerator of the region writing through the buffer into the bytes (keep the
    buffer while the generator paints)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()  # SVG Tiny 1.2, which keeps no clipping: items must not clip
    generator.setOutputDevice(buffer)
    generator.setResolution(SVG_DPI)
    generator.setSize(QSize(round(region.width()), round(region.height())))
    generator.setViewBox(QRectF(0, 0, region.width(), region.height()))
    generator.setTitle(title)
    generator.setDescription(description)
    return generator, buffer, data


def _svg_at_once(scene: QGraphicsScene, region: QRectF, title: str, description: str
                 ) -> Generator[float, None, bytes]:
    """svg_job in one generator (its end() writes the whole document at once)."""
    generator, buffer, data = _svg_generator(region, title, description)
    painter = QPainter(generator)
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        yield from _paint_job(scene, painter, QRectF(0, 0, region.width(), region.height()),
                              region)
    finally:
        if painter.isActive():
            painter.end()
        buffer.close()
    return (yield from font_fallbacks_job(bytes(data.data())))


def finding(job: Generator[float, None, T]) -> Generator[float, None, T]:
    """A job run as the start of a drawing: it reports nothing drawn yet."""
    while True:
        try:
            next(job)
        except StopIteration as done:
            yield 0.0  # its last slice and the drawing's first are a turn apart
            return done.value  # type: ignore[no-any-return]
        yield 0.0


def with_font_fallbacks(svg: bytes) -> bytes:
    """Name the font Qt actually used and a generic family after the one QSvgGenerator wrote
    (often "Sans Serif", which other programs would draw in a serif font)."""
    return finish(font_fallbacks_job(svg))


def in_background(work: Callable[[], T]) -> Generator[float, None, T]:
    """Run `work` on a thread of its own (QImage.save and Python's file writes let the GUI
    thread run meanwhile; QPainter.end on a PDF or SVG writer, or QPicture playing, would not)
    and return its result. It yields 1.0 once the thread is started, before any wait (the turn
    that started it often drew a slice), then after each wait of POLL_SECONDS while the work
    runs: a wait is a time the window does not turn. The work must touch nothing the GUI thread
    uses; closing the job waits for it to end."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - raised again on the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="export-writer", daemon=True)
    thread.start()
    try:
        yield 1.0
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            if thread.is_alive():
                yield 1.0
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
