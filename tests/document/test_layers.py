"""The document layer needs a QApplication's core (signals, timers, the undo stack, the clipboard)
but no widget: importing every module of ui/document loads no QtWidgets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_document_layer_imports_no_widget():
    modules = sorted(f"ui.document.{p.stem}" for p in (ROOT / "ui" / "document").glob("*.py")
                     if p.stem != "__init__")
    assert "ui.document.edits" in modules and "ui.document.document" in modules
    code = "".join(f"import {m}\n" for m in modules) + (
        "import json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('PySide6.Qt'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    loaded = json.loads(done.stdout)
    assert "PySide6.QtCore" in loaded and "PySide6.QtWidgets" not in loaded
