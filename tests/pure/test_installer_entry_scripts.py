"""The installer's entry scripts (packaging/bundle_inputs.py): each runs its program as pip's
launcher would, and lets a started-again executable be the editor's second process
(ui.document.processes) before anything else is imported."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bundle_inputs():
    spec = importlib.util.spec_from_file_location("bundle_inputs",
                                                  ROOT / "packaging" / "bundle_inputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_entry_script_calls_freeze_support_before_importing_the_program(tmp_path):
    script = _bundle_inputs().entry_script("vsm.cli.main:main", tmp_path).read_text()
    assert script.index("multiprocessing.freeze_support()") < script.index("from vsm.cli.main")
    assert 'if __name__ == "__main__":' in script  # a spawned child reading it runs nothing


def test_the_entry_script_runs_its_program(tmp_path):
    script = _bundle_inputs().entry_script("vsm.cli.main:main", tmp_path)
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "usage: vsm" in done.stdout
