"""Render maps to PNG, SVG and PDF files and to the clipboard, always in the light theme.

Every export draws a fresh MapScene of the map (the same items the editor shows) with the
document's current analysis applied — flags, critical path, ladder and summary — and its flows
routed around the boxes by the deck's rules (ui.canvas.routes), in the LIGHT theme, with no
selection, hover handle or grid, and without item caches so that text stays text in the vector
formats. Item texts are drawn with QPainter.drawText, which is plain text: a step
called `<b>x</b>` shows exactly that, and QSvgGenerator escapes it in the SVG.

PNG: `scale` up to MAX_FACTOR is pixels per map unit (1 = the canvas at 100 %), a larger number
is the image width in pixels; by default the image is DEFAULT_WIDTH (4K) wide, or wider when that
would draw text smaller than on screen. SVG: one file, viewBox = the map; QSvgGenerator writes
SVG Tiny 1.2, which keeps no clipping, so items must draw without clips (the step's category
strip is a path cut from the box for that reason). PDF: one A3 page per map
(landscape for wide maps), the map scaled to fit under a title line, all in one file. Several maps
in an image format make one file per map, named OUT-<map name>.<suffix>.

A big map's export never holds the window for long: its scene is built a chunk of items at a
time (MapScene(build=False)), its flows routed a flow at a time, and it is drawn item by item
with the painter kept open (ui.render.painting, exactly what one QGraphicsScene.render call
draws), the PNG encoding and the file writing on a thread; `export_maps` calls its
progress callback between the slices with the items of work done (each map's items built, then
drawn), so a progress dialog can follow and cancel it.

Files are written atomically: everything is rendered in memory first, written to temporary files
in the target's folder and moved onto the targets with os.replace; on failure no target changes
and FileFormatError(path, reason) says why. `export_png`, `export_svg` and `export_pdf` are what
the `vsm export` command loads by name; they create an offscreen QApplication when needed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator
from contextlib import ExitStack
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QRectF, QSize
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from ui.canvas.chunks import dismantle
from ui.canvas.scene import MapScene
from ui.document.clipboard import IMAGE_MARKER
from ui.document.document import Document
from ui.render.export_scenes import ensure_application, export_scene
from ui.render.painting import (
    APP,
    SLICE_SECONDS,
    T,
    finish,
    image_bytes,
    image_job,
    in_background,
    svg_job,
)
from ui.render.pdf_pages import Page, page_job, pdf_job
from vsm.errors import ExportCancelled, FileFormatError
from vsm.files.atomic import write_atomically
from vsm.files.formats import project_from_dict, project_to_dict
from vsm.model import Project, ValueStreamMap

FORMATS = ("png", "svg", "pdf")
DEFAULT_WIDTH = 3840  # pixels: a 4K projector
MAX_FACTOR = 20.0  # a PNG scale above this is a width in pixels
MAX_SIDE = 16384  # pixels
MAX_PIXELS = 120_000_000
MARGIN = 24.0  # map units around the content
CLIPBOARD_FACTOR = 2.0
CLIPBOARD_WIDTH = 3840
SVG_MIME = "image/svg+xml"

Progress = Callable[[int, int], bool]


# ---------------------------------------------------------------- the export scene


def _snapshot(project: Project) -> Project:
    """An independent copy (same ids) to build a throwaway Document on."""
    return project_from_dict(project_to_dict(project), "export")


def as_document(source: Document | Project) -> Document:
    """A document to draw from: the given one, or a snapshot of a project in a document of its own."""
    if isinstance(source, Project):
        return Document(_snapshot(source), autosave=False)
    return source


def content_region(scene: MapScene) -> QRectF:
    """What an export shows: the scene's visible content with a margin, never empty."""
    return finish(_region_job(scene))


def _region_job(scene: MapScene) -> Generator[float, None, QRectF]:
    """content_region as a job: the scene's content_rect() measured a slice at a time."""
    rect = QRectF()
    deadline = time.perf_counter() + SLICE_SECONDS
    for item in scene.items():
        if item.isVisible() and item.parentItem() is None and not item.boundingRect().isNull():
            rect = rect.united(item.sceneBoundingRect())
        if time.perf_counter() >= deadline:
            yield 0.0
            deadline = time.perf_counter() + SLICE_SECONDS
    if rect.isNull() or rect.isEmpty():
        rect = QRectF(0, 0, 200, 100)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


# ---------------------------------------------------------------- formats in memory


def png_factor(scale: float | None, width: float) -> float:
    """Pixels per map unit for a region `width` units wide (see the module docstring)."""
    if scale is None:
        return max(DEFAULT_WIDTH / width, 1.0)
    if scale <= 0:
        raise ValueError(f"the scale must be positive, not {scale:g}")
    return scale if scale <= MAX_FACTOR else scale / width


def _image_size(region: QRectF, scale: float | None, path: Path) -> QSize:
    factor = png_factor(scale, region.width())
    width, height = region.width() * factor, region.height() * factor
    too_big = max(width, height) > MAX_SIDE or width * height > MAX_PIXELS
    if too_big and scale is None:  # the default shrinks to fit; an explicit scale is an error
        factor = min(MAX_SIDE / max(region.width(), region.height()),
                     (MAX_PIXELS / (region.width() * region.height())) ** 0.5)
        width, height = region.width() * factor, region.height() * factor
    elif too_big:
        raise FileFormatError(path, f"the image would be {width:.0f} × {height:.0f} pixels; "
                                    f"the largest is {MAX_SIDE} a side — choose a smaller scale")
    return QSize(max(1, round(width)), max(1, round(height)))


def render_image(scene: QGraphicsScene, region: QRectF, size: QSize) -> QImage:
    """The region drawn on a white image of `size` pixels, tagged as 300 dpi (at once)."""
    return finish(image_job(scene, region, size))


def svg_bytes(scene: QGraphicsScene, region: QRectF, title: str, description: str) -> bytes:
    """The region as an SVG document: text as <text>, viewBox = the region at map units."""
    return finish(svg_job(scene, region, title, description))


def paint_map_page(painter: QPainter, area: QRectF, document: Document, map_id: str,
                   colour_mode: str = "activity") -> None:
    """Draw one map as a page (a title line, the map fitted below it) into `area` of an active
    painter: a PDF page or a printer's page."""
    map_ = document.project.map(map_id)
    with export_scene(document, map_id, colour_mode) as scene:
        finish(page_job(painter, Page(scene, content_region(scene),
                                      _title(document.project, map_)), area))


# ---------------------------------------------------------------- files


def output_paths(path: str | Path, maps: list[ValueStreamMap], format_: str) -> list[Path]:
    """Where each map goes: `path` itself for PDF or one map, else path-<map name>.<suffix>."""
    path = Path(path)
    if format_ == "pdf" or len(maps) <= 1:
        return [path]
    suffix = path.suffix or f".{format_}"
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    result: list[Path] = []
    for number, map_ in enumerate(maps, start=1):
        words = re.findall(r"[^\W_]+", map_.name.casefold())
        slug = "-".join(words) or f"map-{number}"
        candidate = path.with_name(f"{stem}-{slug}{suffix}")
        twin = 2
        while candidate in result:
            candidate = path.with_name(f"{stem}-{slug}-{twin}{suffix}")
            twin += 1
        result.append(candidate)
    return result


def _title(project: Project, map_: ValueStreamMap) -> str:
    return f"{project.name} — {map_.name}"


def _description(map_: ValueStreamMap) -> str:
    kind = "current-state" if map_.kind == "current" else "future-state"
    return f"A {kind} value-stream map of {len(map_.steps)} steps, exported from {APP}."


def _weight(map_: ValueStreamMap) -> int:
    """An export's work on one map, in items: to prepare its scene, and again to draw it."""
    return len(map_.steps) + len(map_.flows) + len(map_.kaizens) + 1


class _Meter:
    """An export's progress in items of work: reports it, and stops the export when the
    callback says so (it returned False)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self.cancellable = True  # False once the files are being written: too late to stop

    def report(self, done: float) -> None:
        """Report `done` items of work (ExportCancelled if the callback returns False)."""
        self.done = min(round(done), self.total)
        answer = self.progress(self.done, self.total) if self.progress is not None else True
        if answer is False and self.cancellable:
            raise ExportCancelled("export cancelled")

    def part(self, weight: int) -> Callable[[float], None]:
        """A reporter of a fraction of the next `weight` items of work."""
        base = self.done
        return lambda fraction: self.report(base + fraction * weight)

    def run(self, job: Generator[float, None, T], weight: int) -> T:
        """Run a drawing job, reporting it as the next `weight` items of work; a cancelled job
        is closed (its painter ends). Its end is reported too: the work after its last slice
        (a scene's last chunk, the picture's encoding) and the next job's first slice are not
        done in one turn of the event loop."""
        report = self.part(weight)
        try:
            while True:
                try:
                    fraction = next(job)
                except StopIteration as done:
                    report(1.0)
                    return done.value  # type: ignore[no-any-return]
                report(fraction)
        finally:
            job.close()


def _drawing(scene: MapScene, project: Project, map_: ValueStreamMap, format_: str,
             scale: float | None, path: Path) -> Generator[float, None, bytes]:
    """A job drawing one map's scene as the bytes of a PNG, SVG or one-page PDF file."""
    region = yield from _region_job(scene)
    yield 0.0  # the region's last slice ends a turn: the drawing's first slice gets its own
    if format_ == "png":
        image = yield from image_job(scene, region, _image_size(region, scale, path))
        return (yield from in_background(lambda: image_bytes(image)))
    if format_ == "svg":
        return (yield from svg_job(scene, region, _title(project, map_), _description(map_)))
    return (yield from pdf_job([Page(scene, region, _title(project, map_))], project.name))


def export_maps(source: Document | Project, path: str | Path, map_ids: list[str] | None,
                format_: str, *, scale: float | None = None, progress: Progress | None = None,
                colour_mode: str = "activity", step_ids: list[str] | None = None) -> list[Path]:
    """Render the maps (default: all, in project order) of a Document or Project; return the
    files written. progress(done, total) is called often (items of work done: each map's items
    built, then drawn; about every SLICE_SECONDS); returning False cancels (ExportCancelled,
    nothing written); failures raise FileFormatError naming the file. `step_ids` limits what is
    drawn to those steps (see export_scene)."""
    if format_ not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format_!r}")
    ensure_application()
    document = as_document(source)
    project: Project = document.project
    wanted = set(map_ids) if map_ids is not None else None
    for map_id in map_ids or []:
        project.map(map_id)  # ModelError for an unknown id
    maps = [m for m in project.maps if wanted is None or m.id in wanted]
    if not maps:
        raise FileFormatError(path, "no map chosen to export")
    targets = output_paths(path, maps, format_)
    for map_ in maps:  # a large map's worker may be recomputing: draw the figures of now
        document.live.current(map_.id)
    meter = _Meter(progress, sum(2 * _weight(map_) for map_ in maps) + 1)
    meter.report(0)
    files: list[tuple[Path, bytes]] = []
    pages: list[Page] = []
    per_map = targets if len(targets) == len(maps) else [targets[0]] * len(maps)
    try:
        with ExitStack() as pdf_scenes:  # PDF pages are drawn once every map's scene is ready
            for map_, target in zip(maps, per_map):
                building = meter.part(_weight(map_))
                if format_ == "pdf":
                    scene = pdf_scenes.enter_context(export_scene(
                        document, map_.id, colour_mode, step_ids, between=building))
                    region = meter.run(_region_job(scene), 0)
                    pages.append(Page(scene, region, _title(project, map_)))
                    continue
                with export_scene(document, map_.id, colour_mode, step_ids,
                                  between=building) as scene:
                    files.append((target, meter.run(
                        _drawing(scene, project, map_, format_, scale, target), _weight(map_))))
                    meter.run(dismantle(scene, SLICE_SECONDS), 0)
            if format_ == "pdf":
                drawing = sum(_weight(map_) for map_ in maps)
                files.append((targets[0], meter.run(pdf_job(pages, project.name), drawing)))
                for page in pages:
                    meter.run(dismantle(page.scene, SLICE_SECONDS), 0)
    except (OSError, MemoryError, RuntimeError) as error:
        raise FileFormatError(targets[0], f"cannot be rendered: {error}") from error
    meter.cancellable = False  # a Cancel now would say "nothing written" of written files
    meter.run(in_background(lambda: write_atomically(files)), 0)
    if progress is not None:
        progress(meter.total, meter.total)
    return [target for target, _ in files]


def render_map(source: Document | Project | MapScene, map_id: str | None, path: str | Path,
               format_: str, scale: float | None = None, selection_only: bool = False,
               colour_mode: str | None = None) -> Path:
    """Render one map of a Document, Project or MapScene to `path` (png, svg or pdf).

    With a MapScene, `map_id` may be None, its colour mode is used, and `selection_only` draws
    only its selected steps (all of the map when none is selected).
    """
    step_ids = None
    if isinstance(source, MapScene):
        map_id = map_id or source.map.id
        colour_mode = colour_mode or source.colour_mode
        step_ids = source.selected_step_ids() if selection_only else None
        source = source.document
    elif selection_only:
        raise ValueError("selection_only needs the editor's scene, which holds the selection")
    return export_maps(source, path, [map_id], format_, scale=scale,
                       colour_mode=colour_mode or "activity", step_ids=step_ids)[0]


def export_png(project: Project, path: str | Path, map_ids: list[str] | None = None, *,
               scale: float | None = None, progress: Progress | None = None) -> list[Path]:
    """`vsm export --format png`: one PNG per map (see export_maps)."""
    return export_maps(project, path, map_ids, "png", scale=scale, progress=progress)


def export_svg(project: Project, path: str | Path, map_ids: list[str] | None = None, *,
               progress: Progress | None = None) -> list[Path]:
    """`vsm export --format svg`: one SVG per map."""
    return export_maps(project, path, map_ids, "svg", progress=progress)


def export_pdf(project: Project, path: str | Path, map_ids: list[str] | None = None, *,
               progress: Progress | None = None) -> list[Path]:
    """`vsm export --format pdf`: one PDF with a page per map."""
    return export_maps(project, path, map_ids, "pdf", progress=progress)


# ---------------------------------------------------------------- clipboard


def map_mime_data(scene: MapScene, selection_only: bool = True) -> QMimeData:
    """The map (or its selected steps) as a PNG image and as SVG, for pasting into slides."""
    step_ids = scene.selected_step_ids() if selection_only else None
    map_ = scene.map
    with export_scene(scene.document, map_.id, scene.colour_mode, step_ids or None) as fresh:
        region = content_region(fresh)
        factor = min(CLIPBOARD_FACTOR, CLIPBOARD_WIDTH / region.width())
        size = QSize(max(1, round(region.width() * factor)),
                     max(1, round(region.height() * factor)))
        image = render_image(fresh, region, size)
        title = f"{scene.document.project.name} — {map_.name}"
        svg = svg_bytes(fresh, region, title, _description(map_))
    mime = QMimeData()
    mime.setImageData(image)
    mime.setData(SVG_MIME, QByteArray(svg))
    mime.setData(IMAGE_MARKER, QByteArray(b"1"))
    return mime


def copy_map_image(scene: MapScene, selection_only: bool = True) -> bool:
    """Put the map (or the selection) on the clipboard as an image and as SVG; True if it was
    the selection. Call ui.document.clipboard.release_clipboard() before the application quits."""
    selected = bool(selection_only and scene.selected_step_ids())
    QGuiApplication.clipboard().setMimeData(map_mime_data(scene, selected))
    return selected
