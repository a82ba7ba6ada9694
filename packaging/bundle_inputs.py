"""What goes into the PyInstaller bundle besides the code, read from the project's own files.

Shared by packaging/vsm-studio.spec (what to collect) and packaging/build.py (what to check
before and after building). Nothing here is a second copy of a list kept elsewhere:

- the bundled files (templates, examples, documents, icons) and where they go are setup.py's
  BUNDLED and BUNDLED_SUFFIXES, read from its source (importing setup.py would run setup());
  `bundled_files()` places them under `vsm/resources/` exactly as the wheel's build step does, so
  vsm.files.bundled finds them in the frozen app the way it finds them in an installed wheel;
- the version is pyproject.toml's;
- the libraries whose licences Help > About lists are ui/window/help.py's LIBRARIES.
"""

from __future__ import annotations

import ast
import platform
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "VSM Studio"
FOLDER = "vsm-studio"  # dist/vsm-studio/: both executables and their shared libraries
BUNDLE_ID = "org.vsmstudio.editor"  # macOS bundle identifier
DOCUMENT_UTI = "org.vsmstudio.vsm"  # macOS uniform type of a .vsm file
ICONS = ROOT / "resources" / "icons"  # made by packaging/icons.py
LINUX = ROOT / "packaging" / "linux"  # the menu entry and the MIME type of a .vsm file
DESKTOP_FILE = LINUX / "vsm-studio.desktop"
MIME_FILE = LINUX / "vsm-studio-mime.xml"


def literal(path: Path, name: str) -> object:
    """The value of the top-level assignment `name = <literal>` in a Python source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path.name} has no top-level {name} = ...")


def bundled_mapping() -> tuple[dict[str, str], set[str]]:
    """setup.py's BUNDLED (source in the tree -> place under vsm/resources/) and the suffixes of
    the files it takes from folders."""
    setup = ROOT / "setup.py"
    mapping = literal(setup, "BUNDLED")
    suffixes = literal(setup, "BUNDLED_SUFFIXES")
    if not isinstance(mapping, dict) or not isinstance(suffixes, set):
        raise TypeError("setup.py: BUNDLED must be a dict and BUNDLED_SUFFIXES a set")
    return mapping, suffixes


def bundled_files() -> list[tuple[str, Path]]:
    """(place in the bundle, source file) for every bundled file, as setup.py's build step
    copies them into the wheel's `vsm/resources/` (the place is relative to the bundle's root)."""
    mapping, suffixes = bundled_mapping()
    found = []
    for source, place in mapping.items():
        path = ROOT / source
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in suffixes)
        for file in files:
            relative = Path(place) if path.is_file() else Path(place) / file.relative_to(path)
            found.append(((Path("vsm") / "resources" / relative).as_posix(), file))
    return found


def version() -> str:
    """The project's version, from pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def about_libraries() -> list[str]:
    """The distributions whose metadata Help > About reads (their versions and licences)."""
    return [str(name) for name in literal(ROOT / "ui" / "window" / "help.py", "LIBRARIES")]


def system() -> str:
    """linux, macos or windows."""
    return {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)


def platform_tag() -> str:
    """The archive's platform part: linux-x86_64, macos-arm64, windows-amd64…"""
    return f"{system()}-{platform.machine().lower() or 'unknown'}"


def icon(name: str) -> Path:
    """An icon made by packaging/icons.py (resources/icons/<name>)."""
    return ICONS / name


def required_inputs() -> list[Path]:
    """Files made elsewhere in the project (packaging/icons.py, packaging/linux/) that a build on
    this system needs: the executables' icons, the .vsm MIME type and, on Linux, the menu entry
    and the icon in every size."""
    needed = {"windows": [icon("vsm-studio.ico")],
              "macos": [icon("vsm-studio-256.png"), MIME_FILE],
              "linux": [icon("vsm-studio-256.png"), icon("vsm-studio.svg"), DESKTOP_FILE,
                        MIME_FILE]}
    return needed.get(system(), [])


def document_mime_type() -> str:
    """The MIME type of a .vsm file, as packaging/linux/vsm-studio-mime.xml declares it."""
    namespace = "{http://www.freedesktop.org/standards/shared-mime-info}"
    found = ElementTree.parse(MIME_FILE).getroot().find(f"{namespace}mime-type")
    if found is None or not found.get("type"):
        raise LookupError(f"{MIME_FILE.name} declares no mime-type")
    return str(found.get("type"))


def linux_icons() -> list[tuple[str, Path]]:
    """(hicolor theme folder, file) of the icon in each size made, and the scalable SVG."""
    found = [("scalable", icon("vsm-studio.svg"))] if icon("vsm-studio.svg").is_file() else []
    for png in sorted(ICONS.glob("vsm-studio-*.png")):
        size = png.stem.rpartition("-")[2]
        if size.isdigit():
            found.append((f"{size}x{size}", png))
    return found


def entry_points() -> list[tuple[str, str, bool]]:
    """(executable name, "module:function", console?) of pyproject.toml's scripts, the GUI
    scripts first (macOS takes the first executable of the bundle as the .app's)."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    return ([(name, target, False) for name, target in project.get("gui-scripts", {}).items()]
            + [(name, target, True) for name, target in project.get("scripts", {}).items()])


def entry_script(target: str, folder: Path) -> Path:
    """A script for PyInstaller that runs `module:function` as pip's launcher would, after
    `multiprocessing.freeze_support()`: the editor's second process (ui.document.processes) is
    the executable started again, which must then serve its jobs instead of opening a window
    (PyInstaller's runtime hook makes freeze_support do that on every system)."""
    module, _, function = target.partition(":")
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"{module.replace('.', '_')}_{function}.py"
    script.write_text("import multiprocessing\nimport sys\n\n"
                      "if __name__ == \"__main__\":\n"
                      "    multiprocessing.freeze_support()  # a worker process stops here\n"
                      f"    from {module} import {function}\n\n"
                      f"    sys.exit({function}())\n", encoding="utf-8")
    return script


def prune_libraries(toc: list[tuple[str, str, str]], needs) -> list[tuple[str, str, str]]:
    """`toc` (PyInstaller's (place, source, kind) entries) less the shared libraries that nothing
    kept loads: after plugins are left out (a Qt theme plugin linked to GTK, say), the libraries
    PyInstaller collected for them alone would still ship. Extension modules, Qt plugins and
    libpython are kept as they are; a shared library is kept when one of those, or another kept
    library, names it (`needs(source)` gives the names a binary links to), and a symbolic link
    when its target is kept. Linux only: it matches libraries by file name."""
    def is_library(place: str, kind: str) -> bool:
        parts = Path(place).parts
        return (kind == "BINARY" and "plugins" not in parts
                and not Path(place).name.startswith("libpython"))

    target_of = {place: source for place, source, kind in toc if kind == "SYMLINK"}
    by_name: dict[str, str] = {}
    for place, _source, kind in toc:
        if kind in ("BINARY", "EXTENSION", "SYMLINK"):
            by_name.setdefault(Path(place).name, target_of.get(place, place))
    source_of = {place: source for place, source, kind in toc if kind != "SYMLINK"}
    kept = {place for place, _source, kind in toc
            if kind in ("BINARY", "EXTENSION") and not is_library(place, kind)}
    queue = list(kept)
    while queue:
        for name in needs(source_of[queue.pop()]):
            place = by_name.get(Path(name).name)
            if place is not None and place in source_of and place not in kept:
                kept.add(place)
                queue.append(place)
    return [(place, source, kind) for place, source, kind in toc
            if (kind == "SYMLINK" and source in kept) or place in kept
            or kind not in ("BINARY", "EXTENSION", "SYMLINK")]
