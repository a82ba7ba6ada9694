"""The PDF export's jobs in a process of its own (ui.document.processes, its "pdf" worker).

`QPainter.end()` on a QPdfWriter writes the whole document in one C++ call that holds the
interpreter: it deflates the page's content stream, a cost per byte drawn (170 ms at 5,000
steps, 880 ms at 20,000; the fonts are a few milliseconds). On a thread it would still hold the
GUI thread, so the PDF is written here, in another process: the GUI thread draws the map a
slice at a time into QPictures (ui.render.pdf_pages), which record the painter's calls, and
hands their bytes over; this side plays them into the QPdfWriter's painter and ends it.

The child keeps each PDF being written between jobs under a key its owner gives: `begin` makes
the writer, `start_page` lays out a page (A3, its title line, the map's place below it),
`draw` plays slices' pictures into it, `finish` ends the document and gives its bytes and
forgets it, `abandon` forgets it unfinished (a cancelled export). Only QtCore and QtGui are
imported: the child makes a QGuiApplication of its own on the platform `begin` names (the
"offscreen" one unless the editor runs on Windows' own, whose font database it then shares).

`page_area` and `title_line` are shared with the in-process drawing of a page (a printer's,
ui.render.pdf_pages.page_job), so both lay a page out alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPicture,
    QTransform,
)

RESOLUTION = 300  # the writer's dots per inch: the unit of a page's coordinates
MARGIN_MM = 12.0
TITLE_POINTS = 14.0
CHILD_PLATFORMS = ("offscreen", "minimal", "windows")  # what a child without windows may run on
APP = "VSM Studio"

_APPLICATION: list[QGuiApplication] = []  # the child's own, once made


@dataclass
class _Writing:
    """A PDF being written: its bytes, writer and painter, the pages started, and the
    transform that puts the current page's pictures in place."""

    data: QByteArray
    buffer: QBuffer
    writer: QPdfWriter
    painter: QPainter = field(default_factory=QPainter)
    pages: int = 0
    placing: QTransform = field(default_factory=QTransform)


_WRITING: dict[str, _Writing] = {}  # in the process that runs the jobs: key -> its PDF


def title_font() -> QFont:
    """The font of a page's title line: the application's, bold, TITLE_POINTS points."""
    font = QFont()
    font.setPointSizeF(TITLE_POINTS)
    font.setBold(True)
    return font


def page_layout(width: float, height: float) -> QPageLayout:
    """An A3 page with MARGIN_MM margins, landscape unless the map (width × height) is taller
    than wide."""
    orientation = (QPageLayout.Orientation.Portrait if height > width
                   else QPageLayout.Orientation.Landscape)
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A3), orientation,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                       QPageLayout.Unit.Millimeter)


def title_line(painter: QPainter, area: QRectF, title: str, font: QFont, width: float,
               height: float) -> QRectF:
    """Draw a page's title line at the top of `area` of an active painter (leaving it the
    painter's font and pen, black) and give the rectangle below it where a map of width ×
    height is drawn: fitted, centred, its aspect kept."""
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    header = painter.fontMetrics().height() * 1.8
    painter.drawText(QRectF(area.left(), area.top(), area.width(), header),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
    room = area.adjusted(0, header, 0, 0)
    factor = min(room.width() / width, room.height() / height)
    fitted_width, fitted_height = width * factor, height * factor
    return QRectF(room.left() + (room.width() - fitted_width) / 2,
                  room.top() + (room.height() - fitted_height) / 2, fitted_width, fitted_height)


def _application(platform: str) -> None:
    """A QGuiApplication for the writer's fonts: the running one, else one made on `platform`
    (one of CHILD_PLATFORMS; "offscreen" for any other)."""
    if QGuiApplication.instance() is None and not _APPLICATION:
        chosen = platform if platform in CHILD_PLATFORMS else "offscreen"
        _APPLICATION.append(QGuiApplication([APP, "-platform", chosen]))


def begin(key: str, title: str, platform: str) -> None:
    """Start a PDF document under `key` (a QGuiApplication on `platform` made first if this
    process has none); its pages come with start_page."""
    _application(platform)
    abandon(key)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator(APP)
    writer.setResolution(RESOLUTION)
    _WRITING[key] = _Writing(data, buffer, writer)


def start_page(key: str, title: str, font: str, width: float, height: float) -> None:
    """Add a page to the document of `key`: its title line in `font` (QFont.toString) and the
    place of a map of width × height map units below it, where `draw` puts the pictures."""
    writing = _WRITING[key]
    writing.writer.setPageLayout(page_layout(width, height))
    if writing.pages == 0:
        if not writing.painter.begin(writing.writer):
            raise OSError("the PDF could not be started")
    elif not writing.writer.newPage():
        raise OSError("a PDF page could not be added")
    writing.pages += 1
    painter = writing.painter
    chosen = QFont()
    chosen.fromString(font)
    area = QRectF(0, 0, writing.writer.width(), writing.writer.height())
    target = title_line(painter, area, title, chosen, width, height)
    # A picture plays in inches: scaled by the device's dots per inch over its own (those of
    # the screen, 96); its coordinates are the page's dots, so that scale is undone.
    own = QPicture()
    writing.placing = (QTransform.fromScale(own.logicalDpiX() / writing.writer.logicalDpiX(),
                                            own.logicalDpiY() / writing.writer.logicalDpiY())
                       * QTransform.fromTranslate(target.left(), target.top()).scale(
                           target.width() / width, target.height() / height))


def draw(key: str, pictures: list[bytes]) -> None:
    """Play slices' pictures (QPicture.data(), drawn in the map's units from (0, 0)), one
    after the other, into the current page of the document of `key`."""
    writing = _WRITING[key]
    painter = writing.painter
    for picture in pictures:
        played = QPicture()
        played.setData(picture)
        painter.save()
        painter.setWorldTransform(writing.placing)
        painter.drawPicture(0, 0, played)
        painter.restore()


def finish(key: str) -> bytes:
    """End the document of `key` (its content deflated, its fonts embedded), forget it and
    give the PDF file's bytes."""
    writing = _WRITING.pop(key)
    try:
        if writing.painter.isActive() and not writing.painter.end():
            raise OSError("the PDF could not be finished")
    finally:
        writing.buffer.close()
    return bytes(writing.data.data())


def abandon(key: str) -> bool:
    """Forget the document of `key` unfinished (its painter ended); whether there was one."""
    writing = _WRITING.pop(key, None)
    if writing is None:
        return False
    if writing.painter.isActive():
        writing.painter.end()
    writing.buffer.close()
    return True
