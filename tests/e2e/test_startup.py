"""Start-up: the window shows at once as a frame and is built on the next turn of the event loop;
importing the entry point loads none of the heavy modules (bench/run.py measures the times)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ui.app
from vsm.files.bundled import list_examples

HEAVY = ("ui.canvas.scene", "ui.panels", "ui.document.document", "vsm.analysis", "vsm.files.vsm_file", "sqlite_utils",
         "pptx", "networkx", "openpyxl")


def test_importing_the_entry_point_loads_no_heavy_module():
    code = ("import sys, ui.app; heavy = " + repr(HEAVY) + "; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], check=True)
    assert result.stdout.strip() == "[]"


def test_the_window_shows_first_then_builds_with_the_file(qtbot):
    example = list_examples()[0].path
    window = ui.app.open_window(example, deferred=True)
    qtbot.addWidget(window)
    assert window.isVisible() and not window.built
    assert window.centralWidget().text() == f"Opening {example.name}…"
    qtbot.waitUntil(lambda: window.built and window.document.path == example, timeout=10000)
    assert window.current_map() is not None
    qtbot.waitUntil(lambda: window.metrics.lead_time_text() not in ("", "–"), timeout=5000)
    window.document.close()


def test_closing_the_window_before_it_is_built(qtbot):
    window = ui.app.open_window(None, deferred=True)
    qtbot.addWidget(window)
    assert window.close()  # nothing to save yet: no question, no error
    assert not window.built
