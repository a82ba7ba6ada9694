"""Big edits in the editor: `.venv/bin/python bench/big_edits.py [--sizes 1000,5000,20000]`.

For each size it writes the synthetic map (bench/generate.py) and measures, offscreen, each
action in a fresh process of its own (so one that takes minutes is cut off at `--timeout` and the
others still run), the map open in the main window as `vsm edit` shows it:

- select all (Edit > Select All), delete all selected (Delete), undo; delete 100 selected steps
  spread over the map, undo: floor, a bare QGraphicsScene with one rectangle per step and one
  line per flow where the same number of items is selected, removed, added back;
- add a flow, undo; remove one step (with its flows), undo: floor, the same on the bare scene;
- auto-layout (compute, one command, the scene following, zoom to fit): floor, networkx's
  longest-path layering (`topological_generations`) of the ordinary flows of the same map;
- open (the file read, the window's canvas and panels built, painted): floor, a bare sqlite3
  read of the step and flow rows; also how many times zoom to fit ran;
- zoom to fit: floor, `fitInView` of a bare view of the bare scene.

"ours" is the edit's own cost on the GUI thread: the call (the push, undo or action), then the
event-loop turns that follow until the window is repainted, less the time the live analysis took
in between (the figures are the analysis's part, measured on their own: "analysis"; the
autosave write is off, bench/run.py times it). It prints
Markdown as bench/run.py does. Times in seconds unless marked ms; ratio = ours / floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if os.fspath(ROOT) not in sys.path:
    sys.path.insert(0, os.fspath(ROOT))

from bench.generate import write_files  # noqa: E402
from bench.measure import machine, markdown_table, timed  # noqa: E402
from bench.report import ratio, seconds  # noqa: E402

ACTIONS = ("select_all", "delete_all", "delete_100", "add_flow", "remove_step", "auto_layout",
           "open", "zoom_to_fit")
LABELS = {
    "select_all": ("select all", "bare scene: select every item"),
    "delete_all": ("delete all selected", "bare scene: remove every item"),
    "undo_all": ("undo the delete", "bare scene: add every item back"),
    "delete_100": ("delete 100 selected steps", "bare scene: remove 100 rects and their lines"),
    "undo_100": ("undo the delete of 100", "bare scene: add them back"),
    "add_flow": ("add a flow", "bare scene: add one line"),
    "undo_add_flow": ("undo add flow", "bare scene: remove one line"),
    "remove_step": ("remove a step (with its flows)", "bare scene: remove a rect and its lines"),
    "undo_remove_step": ("undo remove step", "bare scene: add them back"),
    "auto_layout": ("auto-layout (one command, zoom to fit)",
                    "networkx layering (`topological_generations`)"),
    "open": ("open .vsm in the window", "bare sqlite3 read of the rows"),
    "zoom_to_fit": ("zoom to fit", "bare view `fitInView`"),
}
TURNS = 3  # event-loop turns after an action: the repaint, the analysis, its panels


# ------------------------------------------------------------------ the worker (one process)

class Clock:
    """Times an action with the turns of the event loop after it, less the live analysis."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.analysis = 0.0
        self.watch()

    def watch(self) -> None:
        """Count the time every document's live analysis computes (LiveAnalysis.analysis)."""
        from ui.document.live_analysis import LiveAnalysis

        original = LiveAnalysis.analysis
        clock = self

        def analysis(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                clock.analysis += time.perf_counter() - start

        LiveAnalysis.analysis = analysis  # type: ignore[method-assign]

    def time(self, action: Callable[[], Any]) -> dict[str, float]:
        self.analysis = 0.0
        start = time.perf_counter()
        action()
        called = time.perf_counter()
        for _ in range(TURNS):
            self.app.processEvents()
        end = time.perf_counter()
        analysis = self.analysis
        return {"ours": end - start - analysis, "call": called - start, "analysis": analysis}


def bare_scene(map_: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """A plain QGraphicsScene: one selectable rectangle per step, one selectable line per flow."""
    from PySide6.QtWidgets import (
        QGraphicsItem,
        QGraphicsLineItem,
        QGraphicsRectItem,
        QGraphicsScene,
    )

    scene = QGraphicsScene()
    selectable = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    rects, lines = {}, {}
    for step in map_.steps:
        box = QGraphicsRectItem(0, 0, 160, 90)
        box.setPos(step.x, step.y)
        box.setFlag(selectable)
        scene.addItem(box)
        rects[step.id] = box
    for flow in map_.flows:
        a, b = map_.step(flow.source), map_.step(flow.target)
        line = QGraphicsLineItem(a.x + 160, a.y + 45, b.x, b.y + 45)
        line.setFlag(selectable)
        scene.addItem(line)
        lines[flow.id] = line
    return scene, rects, lines


def _floor(action: Callable[[], Any]) -> float:
    return timed(action)[0]


def _bare_remove_add(scene: Any, items: list[Any]) -> tuple[float, float]:
    removed = _floor(lambda: [scene.removeItem(i) for i in items])
    added = _floor(lambda: [scene.addItem(i) for i in items])
    return removed, added


def _window(path: Path, app: Any) -> tuple[Any, Any, Any]:
    from PySide6.QtTest import QTest

    from ui.document.document import Document
    from ui.window.main_window import MainWindow

    document = Document.open(path)
    _no_autosave(document)
    window = MainWindow(document)
    window.resize(1400, 860)
    window.show()
    QTest.qWaitForWindowExposed(window)
    for _ in range(5):
        app.processEvents()
    return window, document, window.tabs.views[document.project.maps[0].id]


def _no_autosave(document: Any) -> None:
    """No autosave write in the measures (bench/run.py times it; it is not the edit's own)."""
    if getattr(document, "autosaver", None) is not None:
        document.autosaver.discard()
        document.autosaver = None


def _spread(ids: list[str], count: int) -> list[str]:
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def measure(action: str, size: int, folder: Path) -> dict[str, Any]:
    """One action on the size's map, with its floor; {name: {ours, call, analysis, floor}}."""
    from bench.editor import _application

    app = _application()
    path = folder / f"bench-{size}.vsm"
    if action == "open":
        return {"open": _measure_open(path, app)}
    window, document, view = _window(path, app)
    clock = Clock(app)
    map_ = document.project.maps[0]
    scene, rects, lines = bare_scene(map_)
    out: dict[str, Any] = {}
    steps = [s.id for s in map_.steps]
    if action == "select_all":
        out["select_all"] = clock.time(view.select_all)
        out["select_all"]["floor"] = _floor(
            lambda: [i.setSelected(True) for i in (*rects.values(), *lines.values())])
    elif action == "delete_all":
        clock.time(view.select_all)
        out["delete_all"] = clock.time(view.delete_selection)
        out["undo_all"] = clock.time(document.undo_stack.undo)
        removed, added = _bare_remove_add(scene, [*lines.values(), *rects.values()])
        out["delete_all"]["floor"], out["undo_all"]["floor"] = removed, added
        out["restored"] = len(map_.steps) == size
    elif action == "delete_100":
        chosen = _spread(steps, 100)
        view.scene().select_steps(chosen)
        clock.time(lambda: None)
        out["delete_100"] = clock.time(view.delete_selection)
        out["undo_100"] = clock.time(document.undo_stack.undo)
        touching = {f.id for f in map_.flows if f.source in chosen or f.target in chosen}
        items = [*(lines[f] for f in touching), *(rects[s] for s in chosen)]
        out["delete_100"]["floor"], out["undo_100"]["floor"] = _bare_remove_add(scene, items)
    elif action == "add_flow":
        source, target = map_.steps[3].id, map_.steps[-1].id
        out["add_flow"] = clock.time(lambda: document.add_flow(map_.id, source, target))
        out["undo_add_flow"] = clock.time(document.undo_stack.undo)
        from PySide6.QtWidgets import QGraphicsLineItem

        line = QGraphicsLineItem(0, 0, 100, 100)
        out["add_flow"]["floor"] = _floor(lambda: scene.addItem(line))
        out["undo_add_flow"]["floor"] = _floor(lambda: scene.removeItem(line))
    elif action == "remove_step":
        victim = map_.steps[size // 2].id
        out["remove_step"] = clock.time(lambda: document.remove(map_.id, [victim]))
        out["undo_remove_step"] = clock.time(document.undo_stack.undo)
        items = [*(lines[f.id] for f in map_.flows_of(victim)), rects[victim]]
        out["remove_step"]["floor"], out["undo_remove_step"]["floor"] = _bare_remove_add(scene,
                                                                                         items)
    elif action == "auto_layout":
        out["auto_layout"] = clock.time(view.auto_layout)
        out["auto_layout"]["floor"] = _networkx_layering(map_)
    elif action == "zoom_to_fit":
        from PySide6.QtWidgets import QGraphicsView

        view.reset_zoom()
        out["zoom_to_fit"] = clock.time(view.zoom_to_fit)
        bare_view = QGraphicsView(scene)
        bare_view.resize(view.size())
        out["zoom_to_fit"]["floor"] = _floor(
            lambda: bare_view.fitInView(scene.itemsBoundingRect()))
    document.close()
    return out


def _networkx_layering(map_: Any) -> float:
    """networkx's layering of the ordinary flows (graph built), the floor of auto-layout."""
    import networkx as nx

    def layering() -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(s.id for s in map_.steps)
        graph.add_edges_from((f.source, f.target) for f in map_.flows
                             if f.kind == "normal" and f.source != f.target)
        list(nx.topological_generations(graph))

    return min(_floor(layering) for _ in range(3))


def _measure_open(path: Path, app: Any) -> dict[str, Any]:
    from PySide6.QtTest import QTest

    from ui.canvas.view import MapView
    from ui.window.main_window import MainWindow

    fits = [0]
    original = MapView.zoom_to_fit

    def counted(self: Any) -> None:
        fits[0] += 1
        original(self)

    MapView.zoom_to_fit = counted  # type: ignore[method-assign]
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    QTest.qWaitForWindowExposed(window)
    for _ in range(5):
        app.processEvents()
    fits[0] = 0
    clock = Clock(app)
    opened = window.files.open_path

    def open_and_watch() -> None:
        opened(path)
        _no_autosave(window.document)

    result = clock.time(open_and_watch)
    result["zoom_to_fit_calls"] = fits[0]

    def read_rows() -> None:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            for table in ("steps", "flows"):
                connection.execute(f"SELECT * FROM {table} ORDER BY position").fetchall()

    result["floor"] = min(_floor(read_rows) for _ in range(3))
    window.document.close()
    return result


# ------------------------------------------------------------------ the runner and the report

def run_worker(action: str, size: int, folder: Path, timeout: float) -> dict[str, Any]:
    """One action in its own process; {"error": ...} when it fails or takes over `timeout`."""
    from bench.measure import run_process
    from bench.run import environment

    command = [sys.executable, "-m", "bench.big_edits", "worker", action, str(size),
               os.fspath(folder)]
    outcome = run_process(command, environment(folder), timeout=timeout)
    if outcome.timed_out:
        return {"error": f"over {timeout:.0f} s"}
    lines = outcome.out.strip().splitlines()
    if outcome.status != 0 or not lines:
        tail = outcome.err.strip().splitlines()[-1:] or [f"status {outcome.status}"]
        return {"error": tail[0]}
    return json.loads(lines[-1])


def table(size: int, results: dict[str, Any]) -> list[str]:
    """The Markdown of one size: a row per measure, errors (a cut-off action) in bold."""
    rows: list[list[str]] = []
    for action in ACTIONS:
        found = results.get(action, {})
        if "error" in found:
            rows.append([LABELS[action][0], f"**{found['error']}**", LABELS[action][1],
                         "–", "–", "–", "–"])
            continue
        for name, measured in found.items():
            if not isinstance(measured, dict) or name not in LABELS:
                continue
            ours, floor = measured.get("ours"), measured.get("floor")
            rows.append([LABELS[name][0], seconds(ours), LABELS[name][1], seconds(floor),
                         ratio(ours, floor), seconds(measured.get("call")),
                         seconds(measured.get("analysis"))])
    lines = [f"### {size:,} steps", "", *markdown_table(
        ("action", "ours", "floor", "floor time", "ratio", "call", "analysis (apart)"), rows,
        "lrlrrrr")]
    opened = results.get("open", {}).get("open", {})
    if "zoom_to_fit_calls" in opened:
        lines += ["", f"Zoom to fit ran {opened['zoom_to_fit_calls']} time(s) while the file "
                      "opened and the window showed it."]
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000",
                        help="comma-separated step counts (default: %(default)s)")
    parser.add_argument("--actions", default=",".join(ACTIONS),
                        help="comma-separated actions (default: all)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds before an action's process is cut off (default: 300)")
    args = parser.parse_args(argv)
    from bench.run import versions

    began = time.perf_counter()
    output = ["## Big edits", "", *machine(versions()), ""]
    with tempfile.TemporaryDirectory(prefix="vsm-big-edits-") as scratch:
        folder = Path(scratch)
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"measuring {size} steps...", file=sys.stderr, flush=True)
            write_files(size, folder)
            results = {action: run_worker(action, size, folder, args.timeout)
                       for action in args.actions.split(",")}
            output += table(size, results)
    output.append(f"Command: `bench/big_edits.py {' '.join(argv or sys.argv[1:])}` "
                  f"(took {(time.perf_counter() - began) / 60:.1f} minutes).")
    print("\n".join(output))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        result = measure(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
        print(json.dumps(result), flush=True)
        os._exit(0)  # no teardown: the window would ask to save the edits
    sys.exit(main())
