"""vsm-json and .vsm files: reading, writing and choosing the format by suffix.

`load_json` / `save_json` read and write vsm-json files (docs/file-format.md); the conversion
between a Project and the JSON data is vsm.files.vsmjson_write (`project_to_dict`) and
vsm.files.vsmjson_read (`project_from_dict`), both re-exported here. `load_project` and
`save_project_any` choose the format from the file suffix: ".json" is vsm-json, ".vsm" the SQLite document handled by vsm.files.vsm_file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vsm.errors import FileFormatError, VsmError
from vsm.files.atomic import atomic_file
from vsm.files.vsmjson_read import InvalidDocument, project_from_dict, unexpected_reason
from vsm.files.vsmjson_write import FORMAT, VERSION, project_to_dict
from vsm.model import Project

__all__ = ["FORMAT", "VERSION", "load_json", "save_json", "load_project", "save_project_any",
           "project_from_dict", "project_to_dict"]


# ---------------------------------------------------------------- files


def _reject_constant(name: str) -> None:
    raise InvalidDocument(f"not valid JSON: {name} is not a JSON number")


def _decode(raw: bytes, path: str | Path) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileFormatError(
            path, f"not a vsm-json file: not UTF-8 text (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise FileFormatError(path, f"not valid JSON: {error.msg} at line {error.lineno}, "
                                    f"column {error.colno}") from None
    except InvalidDocument as error:
        raise FileFormatError(path, str(error)) from None
    except RecursionError:
        raise FileFormatError(path, "not a vsm-json file: the JSON is nested too deeply") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(path, "no such file") from None
    except IsADirectoryError:
        raise FileFormatError(path, "is a folder, not a file") from None
    except OSError as error:
        raise FileFormatError(path, f"cannot be read: {error.strerror or error}") from None


def load_json(path: str | Path) -> Project:
    """Read a vsm-json file; FileFormatError naming the file and the problem if it cannot."""
    path = Path(path)
    try:
        return project_from_dict(_decode(_read_bytes(path), path), path)
    except VsmError:
        raise
    except Exception as error:  # the boundary: nothing else escapes the loader
        raise FileFormatError(path, unexpected_reason(error)) from error


def save_json(project: Project, path: str | Path) -> None:
    """Write the project as vsm-json (UTF-8, indented) atomically: a temporary file in the same
    folder replaces the target only once it is completely written."""
    path = Path(path)
    text = json.dumps(project_to_dict(project), indent=2, ensure_ascii=False) + "\n"
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)


# ---------------------------------------------------------------- dispatch on suffix


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".vsm"):
        raise FileFormatError(path, "unknown file type; use .vsm or .json")
    return suffix


def load_project(path: str | Path) -> Project:
    """Open a project from a .vsm document or a .json (vsm-json) file, chosen by suffix."""
    path = Path(path)
    if _suffix(path) == ".json":
        return load_json(path)
    from vsm.files.vsm_file import open_project  # lazily: only .vsm files need SQLite

    return open_project(path)


def save_project_any(project: Project, path: str | Path) -> None:
    """Save a project as a .vsm document or a .json (vsm-json) file, chosen by suffix."""
    path = Path(path)
    if _suffix(path) == ".json":
        save_json(project, path)
        return
    from vsm.files.vsm_file import save_project  # lazily: only .vsm files need SQLite

    save_project(project, path)
