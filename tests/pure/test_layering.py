"""vsm/ must never depend on Qt or ui/: the CLI starts fast and works with no display."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

VSM = Path(__file__).resolve().parents[2] / "vsm"
FORBIDDEN = ("PySide6", "shiboken6", "ui")


def test_no_module_in_vsm_imports_qt_or_ui():
    offenders = []
    for path in sorted(VSM.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_vsm_module_loads_no_qt():
    modules = [".".join(p.relative_to(VSM.parent).with_suffix("").parts).removesuffix(".__init__")
               for p in sorted(VSM.rglob("*.py")) if p.stem != "__main__"]
    assert "vsm.model.maps" in modules and "vsm.cli.main" in modules
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
