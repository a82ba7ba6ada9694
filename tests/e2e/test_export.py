"""Pictures of the maps: PNG, SVG and PDF files, the clipboard, `vsm export` and File > Export."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog

import ui.render.images
import vsm.files.atomic
from tests.helpers.maps import TRICKY, export_project
from ui.canvas.palette import DARK
from ui.canvas.scene import MapScene
from ui.dialogs.export import ExportDialog, ExportOptions
from ui.document.clipboard import release_clipboard
from ui.document.document import Document
from ui.render.images import (
    DEFAULT_WIDTH,
    SVG_MIME,
    content_region,
    copy_map_image,
    export_maps,
    render_map,
    svg_bytes,
)
from ui.window.exports import run_export
from vsm.cli.main import main
from vsm.errors import FileFormatError
from vsm.files.formats import save_json

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _release_clipboard_afterwards():
    yield
    release_clipboard()


@pytest.fixture
def document(qapp):
    return Document(export_project(), autosave=False)


@pytest.fixture
def live_scene(document):
    """The editor's scene in the dark theme, a step selected: what an export must not show."""
    scene = MapScene(document, document.project.map("current"))
    scene.set_theme(DARK)
    scene.select_steps(["b"])
    yield scene
    scene.detach()


def svg_texts(data: bytes) -> str:
    root = ET.fromstring(data)
    return "\n".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


# ---------------------------------------------------------------- files


def test_png_is_4k_wide_by_default_on_white_and_not_blank(document, tmp_path):
    path = render_map(document, "current", tmp_path / "map.png", "png")
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() == DEFAULT_WIDTH >= 1600
    assert image.pixelColor(0, 0) == QColor("white")
    assert image.pixelColor(image.width() - 1, image.height() - 1) == QColor("white")
    assert image.dotsPerMeterX() == pytest.approx(11811, abs=2)  # about 300 dpi
    small = image.scaled(200, 200 * image.height() // image.width())
    colours = {small.pixel(x, y) for x in range(small.width()) for y in range(small.height())}
    assert len(colours) > 20


@pytest.mark.parametrize("scale, width", [(1600, 1600), (2500, 2500)])
def test_png_scale_above_20_is_the_width(document, tmp_path, scale, width):
    path = render_map(document, "current", tmp_path / "map.png", "png", scale=scale)
    assert QImage(str(path)).width() == width


def test_png_scale_up_to_20_is_pixels_per_map_unit(document, tmp_path, live_scene):
    region = content_region(live_scene)  # the live scene shows the same content
    path = render_map(document, "current", tmp_path / "map.png", "png", scale=2)
    image = QImage(str(path))
    assert image.width() == round(region.width() * 2)
    assert image.height() == round(region.height() * 2)


def test_svg_holds_every_step_name_escaped_in_the_light_theme(live_scene, tmp_path):
    path = render_map(live_scene, None, tmp_path / "map.svg", "svg")
    data = path.read_bytes()
    texts = svg_texts(data)  # parses as XML
    for name in (TRICKY, "Beta", "Gamma"):
        assert name in texts
    assert b"&lt;b&gt;x&lt;/b&gt; &amp;" in data
    root = ET.fromstring(data)
    assert not [e for e in root.iter() if e.tag in (f"{SVG}b", "b")]
    assert root.find(f"{SVG}title").text == "Export test — Current state"
    assert root.get("viewBox").startswith("0 0 ")
    assert DARK.background.lower().encode() not in data.lower()
    assert b"<image" not in data  # drawn as shapes and text, not cached bitmaps
    assert "sans-serif" in root.find(f"{SVG}g").get("font-family", "") or b"sans-serif" in data


def test_exports_show_no_selection_or_handle(live_scene, tmp_path):
    # Control: drawing the live scene itself (uncached) shows the dashed selection frame (2.5).
    for item in live_scene.items():
        item.setCacheMode(item.CacheMode.NoCache)
    live = svg_bytes(live_scene, content_region(live_scene), "live", "")
    assert b'stroke-width="2.5"' in live
    exported = render_map(live_scene, None, tmp_path / "map.svg", "svg").read_bytes()
    assert b'stroke-width="2.5"' not in exported
    assert live_scene.selected_step_ids() == ["b"]  # the editor's selection is untouched


def test_pdf_has_one_page_per_map(document, tmp_path):
    written = export_maps(document, tmp_path / "maps.pdf", None, "pdf")
    assert written == [tmp_path / "maps.pdf"]
    data = written[0].read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 2
    assert b"VSM Studio" in data


def test_several_maps_in_an_image_format_make_one_file_each(document, tmp_path):
    written = export_maps(document, tmp_path / "deck.png", None, "png", scale=800)
    assert written == [tmp_path / "deck-current-state.png", tmp_path / "deck-future-state.png"]
    assert all(QImage(str(path)).width() == 800 for path in written)


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(document, tmp_path, monkeypatch):
    target = tmp_path / "map.svg"
    target.write_text("previous", encoding="utf-8")

    def failing_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vsm.files.atomic.os, "replace", failing_replace)
    with pytest.raises(FileFormatError, match="map.svg: cannot be written: No space left"):
        render_map(document, "current", target, "svg")
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.svg"]


def test_a_failed_rendering_writes_nothing(document, tmp_path, monkeypatch):
    target = tmp_path / "map.png"
    target.write_bytes(b"previous")

    def broken(*args, **kwargs):
        raise MemoryError("no memory for the image")

    monkeypatch.setattr(ui.render.images, "image_job", broken)  # the PNG's drawing
    with pytest.raises(FileFormatError, match="map.png: cannot be rendered"):
        render_map(document, "current", target, "png")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_cancelling_through_progress_writes_nothing(document, tmp_path):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done == 0  # Cancel at the second call

    with pytest.raises(ui.render.images.ExportCancelled):
        export_maps(document, tmp_path / "maps.pdf", None, "pdf", progress=progress)
    # Work in items: each map's steps + flows + kaizens + 1, to build and again to draw, and 1 to
    # write: current 3 + 2 + 0 + 1 = 6, future 1 + 0 + 0 + 1 = 2, total 2 × (6 + 2) + 1 = 17.
    # The current state's 5 items are built in one chunk: BUILDING (0.6) of its 6 = 3.6 → 4.
    assert calls == [(0, 17), (4, 17)]
    assert list(tmp_path.iterdir()) == []


def test_a_project_renders_without_being_changed(tmp_path, qapp):
    project = export_project()
    render_map(project, "current", tmp_path / "map.png", "png", scale=1)
    assert project._listeners == []  # the renderer works on its own copy


# ---------------------------------------------------------------- clipboard


def test_copy_puts_an_image_and_svg_of_the_selection_on_the_clipboard(live_scene):
    assert copy_map_image(live_scene, selection_only=True)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasImage()
    image = QImage(mime.imageData())
    assert not image.isNull() and image.pixelColor(0, 0) == QColor("white")
    texts = svg_texts(bytes(mime.data(SVG_MIME).data()))
    assert "Beta" in texts and "Gamma" not in texts and "Summary" not in texts
    release_clipboard()
    left = QGuiApplication.clipboard().mimeData()
    assert left is None or not left.hasImage()


def test_copy_without_a_selection_copies_the_whole_map(live_scene):
    live_scene.select_steps([])
    assert not copy_map_image(live_scene, selection_only=True)
    texts = svg_texts(bytes(QGuiApplication.clipboard().mimeData().data(SVG_MIME).data()))
    assert all(name in texts for name in (TRICKY, "Beta", "Gamma", "Summary"))


# ---------------------------------------------------------------- command line


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "sample.json"
    save_json(export_project(), path)
    return path


def test_cli_png_works_headless(project_file, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "out.png"
    done = subprocess.run([sys.executable, "-m", "vsm", "export", str(project_file), "--map",
                           "current state", "--format", "png", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {out} (1 map)"
    assert QImage(str(out)).width() == DEFAULT_WIDTH


def test_cli_scale_and_formats(project_file, tmp_path, capsys):
    assert main(["export", str(project_file), "--format", "png", "--scale", "1600",
                 "-o", str(tmp_path / "m.png")]) == 0
    assert QImage(str(tmp_path / "m-current-state.png")).width() == 1600
    assert main(["export", str(project_file), "-o", str(tmp_path / "m.pdf")]) == 0
    assert pdf_pages((tmp_path / "m.pdf").read_bytes()) == 2
    assert main(["export", str(project_file), "--map", "Future state", "-o",
                 str(tmp_path / "f.svg")]) == 0
    assert "Delta" in svg_texts((tmp_path / "f.svg").read_bytes())
    assert main(["export", str(project_file), "--format", "svg", "--scale", "2", "-o",
                 str(tmp_path / "x.svg")]) == 2
    assert "--scale applies to --format png only" in capsys.readouterr().err
    assert main(["export", str(project_file), "--format", "png", "-o",
                 str(tmp_path / "absent" / "x.png")]) == 2
    assert "cannot be written" in capsys.readouterr().err


# ---------------------------------------------------------------- File > Export…


@pytest.fixture
def window(make_window):
    return make_window(Document(export_project(), autosave=False))


def test_export_dialog_end_to_end(window, tmp_path, monkeypatch):
    target = tmp_path / "chosen.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def answer(dialog):
        assert dialog.chosen_map_ids() == ["current", "future"]  # all maps at first
        dialog.format_box.setCurrentIndex(dialog.format_box.findData("png"))
        assert dialog.width_box.isEnabled() and dialog.width_box.value() == DEFAULT_WIDTH
        dialog.width_box.setValue(2000)
        dialog.maps.item(1).setCheckState(dialog.maps.item(0).checkState().Unchecked)
        dialog.browse()
        assert dialog.export_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", answer)
    window.menu_actions.export.trigger()
    assert QImage(str(target)).width() == 2000
    assert str(target) in window.statusBar().currentMessage()


def test_export_dialog_puts_the_suffix_of_the_format(window, tmp_path):
    dialog = ExportDialog(window.document.project, tmp_path / "deck.pptx")
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("pdf"))
    assert dialog.options().path == tmp_path / "deck.pdf"
    assert not dialog.width_box.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "plain"))
    assert dialog.options().path == tmp_path / "plain.pdf"
    for row in range(dialog.maps.count()):
        dialog.maps.item(row).setCheckState(dialog.maps.item(row).checkState().Unchecked)
    assert not dialog.export_button.isEnabled()
    dialog.deleteLater()


def test_cancel_in_the_progress_dialog_writes_no_deck(window, tmp_path, monkeypatch):
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    target = tmp_path / "deck.pptx"
    assert run_export(window, ExportOptions("pptx", ["current"], 0, target)) == []
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()


def test_an_export_error_names_the_file(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1:3]))
    target = tmp_path / "missing" / "map.svg"
    assert run_export(window, ExportOptions("svg", ["current"], 0, target)) == []
    assert shown and "map.svg" in shown[0][1]


def test_copy_as_image_action(window):
    window.current_view().scene().select_steps(["a"])
    window.menu_actions.copy_image.trigger()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasImage() and mime.hasFormat(SVG_MIME)
    assert TRICKY in svg_texts(bytes(mime.data(SVG_MIME).data()))
    assert "selected steps" in window.statusBar().currentMessage()
