"""Render VSM Studio's application icon from its one source, resources/icons/vsm-studio.svg.

The SVG is drawn by hand; this script renders, with Qt's own SVG renderer (PySide6.QtSvg, part
of PySide6-Essentials) and no display:

- resources/icons/vsm-studio-<size>.png for each size in SIZES (the window icon, the Linux
  hicolor theme, the macOS bundle's .icns is made from the 256 px one), and
- resources/icons/vsm-studio.ico, a Windows icon holding every size, each entry a PNG image (an
  ICO file is a 6-byte header, one 16-byte entry per image, then the images; Windows has read
  PNG entries since Vista).

To regenerate them after changing the SVG, from the project's folder:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/icons.py

and look at the 16 and 256 px PNGs before committing them. `--check` renders into memory and
exits with 1, naming the files, if the committed ones differ from what the SVG gives (rendering
may differ slightly between Qt versions: regenerate rather than chase single pixels).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "vsm-studio.svg"
SIZES = (16, 32, 48, 64, 128, 256)
ICO_HEADER = struct.Struct("<HHH")  # reserved 0, type 1 (icon), number of images
ICO_ENTRY = struct.Struct("<BBBBHHII")  # width, height (0 means 256), colours, reserved,
# colour planes, bits per pixel, size of the image, where it starts in the file


def png_path(size: int) -> Path:
    """The PNG rendering of the icon at `size` pixels."""
    return ICONS / f"vsm-studio-{size}.png"


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered at size × size pixels with a transparent background, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not an SVG Qt can render")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding each PNG (by size, smallest first)."""
    sizes = sorted(pngs)
    offset = ICO_HEADER.size + ICO_ENTRY.size * len(sizes)
    entries, images = [], []
    for size in sizes:
        image = pngs[size]
        side = 0 if size >= 256 else size
        entries.append(ICO_ENTRY.pack(side, side, 0, 0, 1, 32, len(image), offset))
        images.append(image)
        offset += len(image)
    return ICO_HEADER.pack(0, 1, len(sizes)) + b"".join(entries) + b"".join(images)


def rendered(svg: Path = SOURCE) -> dict[Path, bytes]:
    """Every icon file and what it should hold."""
    pngs = {size: render_png(svg, size) for size in SIZES}
    files = {png_path(size): data for size, data in pngs.items()}
    files[ICONS / "vsm-studio.ico"] = ico_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the PNG and ICO icons from the SVG.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed icon differs from the SVG's")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - kept alive
    files = rendered()
    if args.check:
        stale = [path for path, data in files.items()
                 if not path.is_file() or path.read_bytes() != data]
        for path in stale:
            print(f"{path.relative_to(ROOT)}: differs from {SOURCE.name}; run packaging/icons.py")
        return 1 if stale else 0
    for path, data in files.items():
        path.write_bytes(data)
        print(f"Wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
