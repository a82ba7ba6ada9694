"""Where the bundled examples, templates, documents and icon live, and what they are called.

An installed package reads them from `vsm/resources/` through importlib.resources (the wheel's
build step copies them there from the source tree, see setup.py); a checkout reads the source
tree's `resources/`, `docs/` and README.md.

The application icon (resources/icons: an SVG, its PNG renderings and a Windows .ico) is found
with `icon_path(size)`.

Templates (resources/templates/*.json) are vsm-json projects, one per ITIL 4 value stream, each
with a current state and a future state whose steps carry their origin; a template's id is its
file stem, its title the project's "name" and its description the top-level "description" key
(which the vsm-json loader ignores). `new_from_template(id)` gives a new project made from one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from vsm.errors import VsmError

if TYPE_CHECKING:
    from vsm.model import Project

def _bundled_root() -> Path:
    """Where the bundled files are: `vsm/resources/` of an installed package (the wheel's build
    step copies them there, see setup.py), else the source tree's `resources/` (a checkout)."""
    packaged = files("vsm") / "resources"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "resources"


RESOURCES = _bundled_root()
EXAMPLES = RESOURCES / "examples"
TEMPLATES = RESOURCES / "templates"
ICONS = RESOURCES / "icons"
ICON_SIZES = (16, 32, 48, 64, 128, 256)  # the PNG renderings of the icon (packaging/icons.py)
DOCS = RESOURCES / "docs" if (RESOURCES / "docs").is_dir() else RESOURCES.parent / "docs"
# README.md sits beside docs/ in the package as in the tree, so its links and pictures resolve
README = (RESOURCES / "README.md" if (RESOURCES / "README.md").is_file()
          else RESOURCES.parent / "README.md")


def icon_path(size: int | None = None, folder: Path = ICONS) -> Path:
    """The application icon: its PNG rendering of `size` × `size` pixels (one of ICON_SIZES),
    or its SVG source with no size. ValueError for a size that has no rendering."""
    if size is None:
        return folder / "vsm-studio.svg"
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; the sizes are {', '.join(map(str, ICON_SIZES))}")
    return folder / f"vsm-studio-{size}.png"


@dataclass(frozen=True)
class Example:
    """A bundled value stream: its id (file stem), title and path."""

    id: str
    title: str
    path: Path


def list_examples(folder: Path = EXAMPLES) -> list[Example]:
    """The bundled examples, sorted by title. A file that cannot be read is skipped."""
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            title = json.loads(path.read_text(encoding="utf-8")).get("name") or path.stem
        except (OSError, ValueError, AttributeError):
            continue
        found.append(Example(path.stem, str(title), path))
    return sorted(found, key=lambda e: e.title.casefold())


def default_example() -> Path:
    """The example the README opens: Restore a live service."""
    return EXAMPLES / "restore-a-live-service.json"


@dataclass(frozen=True)
class Template:
    """A bundled ITIL 4 template: id (file stem), title, description and path."""

    id: str
    title: str
    description: str
    path: Path


class UnknownTemplate(VsmError):
    """No template has the id asked for; the message lists the ids there are."""


def list_templates(folder: Path = TEMPLATES) -> list[Template]:
    """The bundled templates, sorted by title. A file that cannot be read is skipped."""
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            title = str(data.get("name") or path.stem)
            description = str(data.get("description") or "")
        except (OSError, ValueError, AttributeError):
            continue
        found.append(Template(path.stem, title, description, path))
    return sorted(found, key=lambda t: t.title.casefold())


def template_path(template_id: str, folder: Path = TEMPLATES) -> Path:
    """The file of the template with this id; UnknownTemplate listing the ids if there is none."""
    for template in list_templates(folder):
        if template.id == template_id:
            return template.path
    ids = ", ".join(t.id for t in list_templates(folder)) or "none"
    raise UnknownTemplate(f"no template {template_id!r}; the templates are: {ids}")


def new_from_template(template_id: str, folder: Path = TEMPLATES) -> Project:
    """A new project from a template: a fresh project id and the template's title as its name.

    Map, step, flow and kaizen ids stay as the template has them (they are readable, and ids only
    need to be unique within their project or map).
    """
    from vsm.files.formats import load_json  # lazily: listing templates needs no model
    from vsm.model import Project, new_id

    template = load_json(template_path(template_id, folder))
    return Project(template.name, template.maps, id=new_id())
