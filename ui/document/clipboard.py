"""Copy and paste of steps: a vsm-json fragment on the clipboard, plus plain text for spreadsheets.

The fragment is a one-map vsm-json project holding the copied steps and the flows among them, so
it is read back through the same validating loader as a file. Pasting makes new ids (and no
lineage: a pasted step is a new step) and offsets the positions so the copy is visible. What a log
measured comes along, as with Duplicate Map (vsm.model.duplicate): the steps' cases, visits and
mined snapshots and the flows' cases and mined snapshots (the map's Measured record stays with its
map).
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from vsm.errors import VsmError
from vsm.files.formats import project_from_dict, project_to_dict
from vsm.model import Flow, Project, Step, ValueStreamMap, new_id
from vsm.model.durations import format_duration

MIME_TYPE = "application/x-vsm-steps"
IMAGE_MARKER = "application/x-vsm-map-image"  # on the map images ui.render.images copies
OWN_FORMATS = (MIME_TYPE, IMAGE_MARKER)
PASTE_OFFSET = 40.0


def copy_steps(map_: ValueStreamMap, step_ids: list[str]) -> QMimeData:
    """Mime data for these steps (in map order) and the flows between two of them."""
    chosen = set(step_ids)
    fragment = ValueStreamMap(map_.name, map_.kind)
    steps = [s for s in map_.steps if s.id in chosen]
    for step in steps:
        fragment.add_step(copy.copy(step))
    for flow in map_.flows:
        if flow.source in chosen and flow.target in chosen:
            fragment.add_flow(copy.copy(flow))
    data = project_to_dict(Project("Clipboard", [fragment]))
    mime = QMimeData()
    mime.setData(MIME_TYPE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    lines = ["Name\tProcess time\tWait time\t%C&A"]
    lines += [f"{s.name}\t{format_duration(s.process_time)}\t{format_duration(s.wait_time)}\t{s.pca:g}"
              for s in steps]
    mime.setText("\n".join(lines) + "\n")
    return mime


def steps_from_mime(mime: QMimeData | None,
                    offset: float = PASTE_OFFSET) -> tuple[list[Step], list[Flow]] | None:
    """New steps and flows from copied mime data (new ids, positions moved by `offset`).

    None when the data holds no steps of ours or they cannot be read.
    """
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        data = json.loads(bytes(mime.data(MIME_TYPE).data()).decode("utf-8"))
        project = project_from_dict(data, "clipboard")
    except (ValueError, VsmError):
        return None
    if len(project.maps) != 1 or not project.maps[0].steps:
        return None
    fragment = project.maps[0]
    new_ids: dict[str, str] = {}
    steps = []
    for step in fragment.steps:
        twin = copy.copy(step)
        twin.id = new_id()
        twin.origin = None
        twin.x += offset
        twin.y += offset
        new_ids[step.id] = twin.id
        steps.append(twin)
    flows = [replace(f, id=new_id(), source=new_ids[f.source], target=new_ids[f.target])
             for f in fragment.flows]
    return steps, flows


def release_clipboard() -> None:
    """Clear the clipboard if it holds steps or a map image copied here. Call before the
    application quits (`app.aboutToQuit.connect(release_clipboard)`): PySide crashes at exit when
    the clipboard still owns mime data made in Python."""
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and any(mime.hasFormat(own) for own in OWN_FORMATS):
        clipboard.clear()
