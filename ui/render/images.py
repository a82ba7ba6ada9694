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

Files are written atomically: everything is rendered in memory first, written to temporary files
in the target's folder and moved onto the targets with os.replace; on failure no target changes
and FileFormatError(path, reason) says why. `export_png`, `export_svg` and `export_pdf` are what
the `vsm export` command loads by name; they create an offscreen QApplication when needed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QMimeData, QRectF, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsScene

from ui.canvas.items import FlowItem, StepItem
from ui.canvas.palette import LIGHT
from ui.canvas.routes import route_flows
from ui.canvas.scene import MapScene
from ui.document.clipboard import IMAGE_MARKER
from ui.document.document import Document
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
DOTS_PER_METRE = round(300 / 0.0254)  # 300 dpi in the PNG's metadata
SVG_DPI = 96  # CSS pixels: the SVG's width and height in mm match the map at 100 %
CLIPBOARD_FACTOR = 2.0
CLIPBOARD_WIDTH = 3840
SVG_MIME = "image/svg+xml"
APP = "VSM Studio"

Progress = Callable[[int, int], bool]
_APPLICATION: QApplication | None = None


def ensure_application() -> QApplication:
    """The running QApplication, or a new one; without a display it is offscreen (headless)."""
    global _APPLICATION
    app = QApplication.instance()
    if app is not None:
        return app
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform not in ("win32", "darwin"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _APPLICATION = QApplication([APP])
    return _APPLICATION


# ---------------------------------------------------------------- the export scene


@contextmanager
def export_scene(document: Document, map_id: str, colour_mode: str = "activity",
                 step_ids: list[str] | None = None) -> Iterator[MapScene]:
    """A fresh MapScene of the map in the LIGHT theme with its analysis applied, ready to render.

    With `step_ids`, only those steps, the flows between them and what belongs to them show.
    """
    ensure_application()
    scene = MapScene(document, document.project.map(map_id))
    try:
        scene.set_colour_mode(colour_mode)
        scene.set_theme(LIGHT)
        scene.snap_to_grid = False
        scene.show_last_valid = False  # the real state, never the greyed last valid figures
        scene.apply_analysis()  # the document's current analysis, then the decorations' places
        scene.clearSelection()
        if step_ids:
            chosen = set(step_ids)
            for item in scene.items():
                if item.parentItem() is not None:
                    continue
                if isinstance(item, StepItem):
                    item.setVisible(item.step_id in chosen)
                elif isinstance(item, FlowItem):
                    item.setVisible(item.flow.source in chosen and item.flow.target in chosen)
                else:  # decorations hide; items that belong to a step follow it
                    item.setVisible(_owner_step(item) in chosen)
        route_flows(scene)  # orthogonal, around the boxes, labels never hidden (as in the deck)
        for item in scene.items():
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)  # text stays text in SVG and PDF
        yield scene
    finally:
        scene.detach()
        scene.clear()


def _owner_step(item: QGraphicsItem) -> str | None:
    """The id of the step an item belongs to (a kaizen burst's step), if any."""
    step_item = getattr(item, "step_item", None)
    if step_item is not None:
        return getattr(step_item, "step_id", None)
    return getattr(item, "step_id", None)


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
    rect = scene.content_rect()
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
    """The region drawn on a white image of `size` pixels, tagged as 300 dpi."""
    image = QImage(size, QImage.Format.Format_RGB32)
    if image.isNull():
        raise MemoryError(f"no memory for a {size.width()} × {size.height()} image")
    image.fill(Qt.GlobalColor.white)
    image.setDotsPerMeterX(DOTS_PER_METRE)
    image.setDotsPerMeterY(DOTS_PER_METRE)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), region,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    return image


def _image_bytes(image: QImage, format_: bytes = b"PNG") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, format_.decode()):
        raise OSError("the image could not be encoded")
    buffer.close()
    return bytes(data.data())


def svg_bytes(scene: QGraphicsScene, region: QRectF, title: str, description: str) -> bytes:
    """The region as an SVG document: text as <text>, viewBox = the region at map units."""
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
    painter = QPainter(generator)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, region.width(), region.height()), region,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    buffer.close()
    return _with_font_fallbacks(bytes(data.data()))


def _with_font_fallbacks(svg: bytes) -> bytes:
    """Name the font Qt actually used and a generic family after the one QSvgGenerator wrote
    (often "Sans Serif", which other programs would draw in a serif font)."""
    def fallback(match: re.Match[bytes]) -> bytes:
        family = match.group(1).decode("utf-8")
        names = [family, QFontInfo(QFont(family)).family()]
        unique = list(dict.fromkeys(n for n in names if n and "'" not in n))
        listed = ", ".join(f"'{n}'" for n in unique) + ", sans-serif"
        return b'font-family="' + listed.encode("utf-8") + b'"'

    return re.sub(rb'font-family="([^"\']*)"', fallback, svg)


@dataclass
class _Page:
    """One map on a PDF page: its scene, the region to draw and the title line above it."""

    scene: MapScene
    region: QRectF
    title: str


def pdf_bytes(pages: list[_Page], title: str) -> bytes:
    """One A3 page per map (landscape unless the map is taller than wide), as vector PDF."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator(APP)
    writer.setResolution(300)
    painter = QPainter()
    for index, page in enumerate(pages):
        portrait = page.region.height() > page.region.width()
        orientation = (QPageLayout.Orientation.Portrait if portrait
                       else QPageLayout.Orientation.Landscape)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A3), orientation,
                                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        if index == 0:
            if not painter.begin(writer):
                raise OSError("the PDF could not be started")
        elif not writer.newPage():
            raise OSError("a PDF page could not be added")
        _draw_pdf_page(painter, page, QRectF(0, 0, writer.width(), writer.height()))
    if painter.isActive():
        painter.end()
    buffer.close()
    return bytes(data.data())


def _draw_pdf_page(painter: QPainter, page: _Page, area: QRectF) -> None:
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    font = QFont()
    font.setPointSizeF(14)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    header = painter.fontMetrics().height() * 1.8
    painter.drawText(QRectF(area.left(), area.top(), area.width(), header),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, page.title)
    room = area.adjusted(0, header, 0, 0)
    factor = min(room.width() / page.region.width(), room.height() / page.region.height())
    width, height = page.region.width() * factor, page.region.height() * factor
    target = QRectF(room.left() + (room.width() - width) / 2,
                    room.top() + (room.height() - height) / 2, width, height)
    page.scene.render(painter, target, page.region,
                      Qt.AspectRatioMode.IgnoreAspectRatio)


def paint_map_page(painter: QPainter, area: QRectF, document: Document, map_id: str,
                   colour_mode: str = "activity") -> None:
    """Draw one map as a page (a title line, the map fitted below it) into `area` of an active
    painter: a PDF page or a printer's page."""
    map_ = document.project.map(map_id)
    with export_scene(document, map_id, colour_mode) as scene:
        _draw_pdf_page(painter, _Page(scene, content_region(scene),
                                      _title(document.project, map_)), area)


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


def _render_one(scene: MapScene, project: Project, map_: ValueStreamMap, format_: str,
                scale: float | None, path: Path) -> bytes:
    """One map's scene as the bytes of a PNG, SVG or one-page PDF file."""
    region = content_region(scene)
    if format_ == "png":
        return _image_bytes(render_image(scene, region, _image_size(region, scale, path)))
    if format_ == "svg":
        return svg_bytes(scene, region, _title(project, map_), _description(map_))
    return pdf_bytes([_Page(scene, region, _title(project, map_))], project.name)


def export_maps(source: Document | Project, path: str | Path, map_ids: list[str] | None,
                format_: str, *, scale: float | None = None, progress: Progress | None = None,
                colour_mode: str = "activity", step_ids: list[str] | None = None) -> list[Path]:
    """Render the maps (default: all, in project order) of a Document or Project; return the
    files written. progress(done, total) returning False cancels (ExportCancelled, nothing
    written); failures raise FileFormatError naming the file. `step_ids` limits what is drawn
    to those steps (see export_scene)."""
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
    total = len(maps) + 1
    if progress is not None and progress(0, total) is False:
        raise ExportCancelled("export cancelled")
    files: list[tuple[Path, bytes]] = []
    pages: list[_Page] = []
    per_map = targets if len(targets) == len(maps) else [targets[0]] * len(maps)
    try:
        with ExitStack() as pdf_scenes:  # PDF pages are drawn once every map's scene is ready
            for done, (map_, target) in enumerate(zip(maps, per_map), start=1):
                if format_ == "pdf":
                    scene = pdf_scenes.enter_context(export_scene(document, map_.id, colour_mode,
                                                                   step_ids))
                    pages.append(_Page(scene, content_region(scene), _title(project, map_)))
                else:
                    with export_scene(document, map_.id, colour_mode, step_ids) as scene:
                        files.append((target, _render_one(scene, project, map_, format_, scale,
                                                          target)))
                if progress is not None and progress(done, total) is False:
                    raise ExportCancelled("export cancelled")
            if format_ == "pdf":
                files.append((targets[0], pdf_bytes(pages, project.name)))
    except (OSError, MemoryError, RuntimeError) as error:
        raise FileFormatError(targets[0], f"cannot be rendered: {error}") from error
    write_atomically(files)
    if progress is not None:
        progress(total, total)
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
