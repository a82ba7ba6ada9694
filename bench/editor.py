"""Benchmark workers for the editor (offscreen Qt), each run in a process of its own.

`python -m bench.editor map N DIR EDITS` opens bench-N.vsm the way the editor does and prints one
JSON object:

- scene_build: a MapScene (ui/canvas/scene.py) for the map, its analysis already computed; floor
  bare_scene: a plain QGraphicsScene with one rectangle and one text item per step and one line
  per flow at the same positions;
- paint_fit / paint_100: one paint of the editor's view (viewport grab), zoomed to show the
  whole map, and at 100 % on the first step;
- edit_*: the median over EDITS edits of the time from pushing a SetStepFieldCommand (the wait of
  a step on the critical path, up by a fifth of the lead time, then back) to the metrics panel showing the new lead time with the window
  repainted, and its parts: push (the command, model events and scene updates), analysis (until
  the document announces the new analysis), panels (the views reacting to it) and paint (the
  event-loop turns that repaint); edit_canvas: from the push to the canvas's first repaint;
- autosave_write: one write of the autosave working copy (the editor does it 0.5 s after edits);
- editor_peak_kb: the process's peak resident memory (VmHWM) with the map open in the window.

`python -m bench.editor window bare|ours [FILE]` prints "shown" the moment its window is exposed
and "built" when the editor's window is complete, the map drawn: bench/run.py times both from
process start (a bare QMainWindow, or the editor via ui.app's open_window with FILE, deferred as
`vsm edit` starts it) and then ends the process.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def peak_kb() -> int:
    """Peak resident memory of this process's own image (VmHWM), in kilobytes: unlike
    ru_maxrss (bench.measure.own_peak_kb), it does not start at the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _application() -> Any:
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    from ui.app import create_application

    return create_application(["bench"]) if QApplication.instance() is None else QApplication.instance()


def _bare_scene(map_: Any) -> Any:
    from PySide6.QtWidgets import (
        QGraphicsLineItem,
        QGraphicsRectItem,
        QGraphicsScene,
        QGraphicsSimpleTextItem,
    )

    scene = QGraphicsScene()
    where = {}
    for step in map_.steps:
        box = QGraphicsRectItem(0, 0, 160, 90)
        box.setPos(step.x, step.y)
        QGraphicsSimpleTextItem(step.name, box)
        scene.addItem(box)
        where[step.id] = (step.x, step.y)
    for flow in map_.flows:
        (x1, y1), (x2, y2) = where[flow.source], where[flow.target]
        scene.addItem(QGraphicsLineItem(x1 + 160, y1 + 45, x2, y2 + 45))
    return scene


def _watch_paints(widget: Any, marks: dict[str, float]) -> Any:
    """An event filter noting in marks["canvas"] when `widget` is first painted after marks were
    cleared (the canvas showing the edit)."""
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                marks.setdefault("canvas", time.perf_counter())
            return False

    watch = Watch(widget)
    widget.installEventFilter(watch)
    return watch


def measure_map(size: int, directory: Path, edits: int) -> dict[str, Any]:
    from PySide6.QtTest import QTest

    from bench.measure import timed  # here, not above: the window processes stay as they were
    from ui.canvas.scene import MapScene
    from ui.document.document import Document
    from ui.window.main_window import MainWindow
    from vsm.files.formats import load_project

    app = _application()
    path = directory / f"bench-{size}.vsm"
    result: dict[str, Any] = {}
    project = load_project(path)
    map_ = project.maps[0]
    document = Document(project, path)
    analysis = document.analysis(map_.id)
    result["scene_build"], scene = timed(lambda: MapScene(document, map_))
    scene.detach()
    del scene
    result["bare_scene"], bare = timed(lambda: _bare_scene(map_))
    del bare
    app.processEvents()

    marks: dict[str, float] = {}
    document.analysis_changed.connect(lambda _id: marks.setdefault("analysed", time.perf_counter()))
    window = MainWindow(document)
    window.resize(1400, 860)
    window.show()
    QTest.qWaitForWindowExposed(window)
    for _ in range(5):
        app.processEvents()
    document.analysis_changed.connect(lambda _id: marks.setdefault("panels", time.perf_counter()))
    view = window.tabs.views[map_.id]
    painted = _watch_paints(view.viewport(), marks)

    view.zoom_to_fit()
    result["paint_fit"], _ = timed(lambda: view.viewport().grab())
    view.reset_zoom()
    view.centerOn(map_.steps[0].x, map_.steps[0].y)
    result["paint_100"], _ = timed(lambda: view.viewport().grab())
    view.zoom_to_fit()
    app.processEvents()

    step_id = next((v for v in analysis.critical_path if map_.step(v).wait_time > 0),
                   analysis.critical_path[0])
    original = map_.step(step_id).wait_time
    delta = max(30.0, round(0.2 * (analysis.lead_time or 0.0)))  # enough to show in the figures
    parts: dict[str, list[float]] = {k: [] for k in ("total", "push", "analysis", "panels", "paint",
                                                     "canvas")}
    shown_before = window.metrics.lead_time_text()
    changed = False
    for number in range(edits):
        marks.clear()
        value = original + delta if number % 2 == 0 else original
        start = time.perf_counter()
        document.set_step_field(map_.id, step_id, "wait_time", value)
        pushed = time.perf_counter()
        deadline = pushed + 120
        while "panels" not in marks and time.perf_counter() < deadline:
            app.processEvents()
        settled = time.perf_counter()
        app.processEvents()  # the repaint the panels and the scene asked for
        app.processEvents()
        end = time.perf_counter()
        changed |= window.metrics.lead_time_text() != shown_before
        parts["total"].append(end - start)
        parts["push"].append(pushed - start)
        parts["analysis"].append(marks.get("analysed", settled) - pushed)
        parts["panels"].append(settled - marks.get("analysed", settled))
        parts["paint"].append(end - settled)
        parts["canvas"].append(marks.get("canvas", end) - start)
    for key, values in parts.items():
        result[f"edit_{key}"] = statistics.median(values)
    result["edit_changed_metrics"] = changed
    del painted
    saver = document.autosaver
    if saver is not None and hasattr(saver, "write_now"):
        result["autosave_write"], _ = timed(saver.write_now)
    result["editor_peak_kb"] = peak_kb()
    document.close()  # remove the working copy, or the next editor would offer to recover it
    return result  # no close(): it would ask to save the edits; the process just ends


def show_window(kind: str, file: str | None) -> None:
    """Show a bare QMainWindow or the editor; print "shown" the moment it is exposed and "built"
    once the editor has drawn the map with its panels (the same moment for the bare window),
    then exit."""
    from PySide6.QtTest import QTest

    if kind == "bare":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(["bench"])
        window = QMainWindow()
        window.resize(1400, 860)
        window.show()
    else:
        app = _application()
        from ui.app import open_window

        window = open_window(Path(file) if file else None, deferred=True)  # as `vsm edit` does
    QTest.qWaitForWindowExposed(window)
    print("shown", peak_kb(), flush=True)
    if kind != "bare":
        while not window.built or window.document.path is None and file:
            app.processEvents()
        app.processEvents()  # the paint of the built window
        app.processEvents()
    print("built", peak_kb(), flush=True)
    os._exit(0)  # the time to tear down is not part of the measure


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1]))
    if sys.argv[1] == "map":
        print(json.dumps(measure_map(int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
        sys.stdout.flush()
        os._exit(0)
    show_window(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
