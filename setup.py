"""Build step for the wheel: the package carries the bundled files it reads at run time.

`resources/` (examples, templates, icons), `README.md` and `docs/*.md` stay where they are in the
source tree, their one source; building copies them into `vsm/resources/` of the built package,
where vsm.files.bundled finds them through importlib.resources. A checkout (the README's
editable install) reads them from the tree itself. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"resources/examples": "examples", "resources/templates": "templates",
           "resources/icons": "icons", "docs": "docs", "README.md": "README.md"}
BUNDLED_SUFFIXES = {".json", ".md", ".svg", ".png", ".ico"}


class BuildWithResources(build_py):
    """build_py that also copies the bundled files into the built `vsm/resources/`."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree's own files
        target = Path(self.build_lib) / "vsm" / "resources"
        for source, place in BUNDLED.items():
            path = ROOT / source
            files = [path] if path.is_file() else sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in BUNDLED_SUFFIXES)
            for file in files:
                relative = Path(place) if path.is_file() else Path(place) / file.relative_to(path)
                destination = target / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, destination)


setup(cmdclass={"build_py": BuildWithResources})
