"""Where the bundled examples and templates live, and what they are called."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
EXAMPLES = RESOURCES / "examples"


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
