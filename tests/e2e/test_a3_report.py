"""The one-page A3 report: `export_a3`, `vsm export --format a3` and File > Export A3 Report…."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

import vsm.files.atomic
from tests.helpers.maps import export_project
from ui.document.document import Document
from ui.render.a3_report import export_a3
from vsm.analysis import analyse
from vsm.errors import FileFormatError
from vsm.files.formats import save_json
from vsm.model.durations import format_duration

ROOT = Path(__file__).resolve().parents[2]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def pdf_text(path: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True)
    return " ".join(unicodedata.normalize("NFKC", done.stdout).split())  # no ligatures


def test_default_is_one_page_of_the_first_current_map(qapp, tmp_path):
    project = export_project("A3 test", kaizens=2)
    target = tmp_path / "report.pdf"
    assert export_a3(project, target, today=date(2026, 1, 2)) == [target]
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) == 1
    text = pdf_text(target)
    if text is not None:
        lead = format_duration(analyse(project.map("current")).lead_time)
        for expected in ("A3 test — Current state", "2026-01-02", "Figures", "Steps to change",
                         "Improvement plan", "Beta", "Gamma", "<b>x</b>", lead, "Idea 0", "Idea 1",
                         "Lead time", "Flow efficiency"):
            assert expected in text, expected
        assert "Delta" not in text
        assert "1. Beta — saves" in text


def test_one_page_per_chosen_map(qapp, tmp_path):
    target = tmp_path / "both.pdf"
    export_a3(Document(export_project("A3 test", kaizens=2), autosave=False), target, ["current", "future"])
    assert pdf_pages(target.read_bytes()) == 2
    text = pdf_text(target)
    if text is not None:
        assert "A3 test — Future state" in text and "Delta" in text
        assert "No kaizen burst on this map yet." in text


def test_a_long_plan_says_how_many_more(qapp, tmp_path):
    target = tmp_path / "long.pdf"
    export_a3(export_project("A3 test", kaizens=14), target)
    assert pdf_pages(target.read_bytes()) == 1
    text = pdf_text(target)
    if text is not None:
        assert re.search(r"and \d+ more", text)


def test_a_failed_replace_leaves_the_old_file(qapp, tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous")

    def failing_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vsm.files.atomic.os, "replace", failing_replace)
    with pytest.raises(FileFormatError, match="report.pdf: cannot be written: No space left"):
        export_a3(export_project("A3 test", kaizens=2), target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_cli_a3_works_headless(qapp, tmp_path):
    source = tmp_path / "sample.json"
    save_json(export_project("A3 test", kaizens=2), source)
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "report.pdf"
    done = subprocess.run([sys.executable, "-m", "vsm", "export", str(source), "--map",
                           "current state", "--format", "a3", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {out} (1 map)"
    assert out.read_bytes().startswith(b"%PDF")
    assert pdf_pages(out.read_bytes()) == 1


@pytest.fixture
def window(make_window):
    return make_window(Document(export_project("A3 test", kaizens=2), autosave=False))


def test_file_menu_action_writes_the_current_map(window, tmp_path, monkeypatch):
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.menu_actions.export_a3.trigger()
    written = target.with_suffix(".pdf")
    assert pdf_pages(written.read_bytes()) == 1


def test_file_menu_action_reports_errors(window, tmp_path, monkeypatch):
    target = tmp_path / "absent" / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    window.menu_actions.export_a3.trigger()
    assert shown and "report.pdf" in shown[0]
    assert not target.exists()
