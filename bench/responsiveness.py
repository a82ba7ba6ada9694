"""Responsiveness benchmark (issue 19): `.venv/bin/python bench/responsiveness.py [--sizes 1000,5000,20000]
[--runs 3] [--actions 'delete,export PNG']` (only those actions, with what an undo or a delete
needs first).

For each size it writes the benchmark map (bench/generate.py) and runs a worker process: an
offscreen main window on the map, with a *probe* on the GUI thread (a QTimer firing every
PROBE_MS that records the gaps between its firings). Each action goes through the window's own
actions or verbs, one at a time, and the worker prints one JSON line per action:

- `block`: the longest gap between two probe firings from the action's start to its result (the
  longest time the window could not paint or take input, the timer's own interval included);
- `result`: the time from the start until the result is shown (the figures, the file written,
  the selection made) and the canvases have no work left for later turns (slices, layouts, an
  old canvas taken apart: the block is measured over all of it), and `block_floor`: the longest gap of an idle event loop in the same
  process (the bare turn, measured before the actions); `ratio` = block / block_floor; and the
  compute floor (bench/compute_floor.py): a fixed workload of the model's and Qt's kind timed
  in the same process, which shows how fast the machine ran (the idle floor does not);
- `error`: a worker or export error, printed as such (never as a timeout).

Actions: select all, delete (the whole selection), undo; add a flow (Connect Steps on two
steps) and its undo; remove one step and its undo; auto-layout; open (the file, through the
window's file controller); autosave (the timer's write); zoom to fit; PNG, SVG and PDF export;
the Monte Carlo once a time range is set; the capacity figures once a demand is set; an edit of
one wait. An action that blocks the GUI thread past --timeout seconds cannot be interrupted from
inside: the parent kills the worker, reports "timed out (GUI thread blocked)", and starts a new
worker at the next action (an undo whose action timed out is not run).

At the end it prints Markdown (bench/responsiveness_report.py): the machine, one table per size,
and a "still slow" list of every action whose block is over the issue's targets (50 ms at 5,000
steps or fewer, 200 ms above). With `--runs N` each size is measured by N workers in turn: each
action shows the median of its N blocks and the worst, and one over the target in some runs
only is listed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.responsiveness_report import (  # noqa: E402 - the checkout first on the path
    ACTIONS,
    combined,
    markdown,
)

PROBE_MS = 5
STARTUP_SECONDS = 1800.0  # opening the 20,000-step map in the window, under load
SETTLE_SECONDS = 0.15  # no block over 2 probe intervals for this long: the window is idle
DEPENDS = {"delete": "select all", "undo delete": "delete", "undo add flow": "add flow",
           "undo remove step": "remove step", "undo auto-layout": "auto-layout"}


# ---------------------------------------------------------------- the worker (offscreen Qt)


class Probe:
    """A PROBE_MS timer on the GUI thread; `gaps` since `mark()`: the longest one."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def mark(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0


def _settle(app: Any, probe: Probe, done: Any, limit: float) -> bool:
    """Run the event loop until `done()` holds and the window has been idle SETTLE_SECONDS;
    False if `limit` seconds pass first."""
    deadline = time.perf_counter() + limit
    quiet_since = None
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
        now = time.perf_counter()
        if now - probe.last > 2.5 * PROBE_MS / 1000:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        if done() and quiet_since is not None and now - quiet_since >= SETTLE_SECONDS:
            return True
    return False


def chosen(names: str | None) -> tuple[str, ...]:
    """The ACTIONS named (comma-separated; all when None), in ACTIONS' order, with the action
    an undo needs before it."""
    if not names:
        return ACTIONS
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    unknown = wanted - set(ACTIONS)
    if unknown:
        raise SystemExit(f"unknown action(s): {', '.join(sorted(unknown))}; "
                         f"the actions are: {', '.join(ACTIONS)}")
    while not {DEPENDS[name] for name in wanted if name in DEPENDS} <= wanted:
        wanted |= {DEPENDS[name] for name in wanted if name in DEPENDS}
    return tuple(name for name in ACTIONS if name in wanted)


def worker(size: int, directory: Path, first: int, limit: float,
           names: tuple[str, ...] = ACTIONS) -> None:
    """Open the map in a window and perform names[first:] (of ACTIONS), one JSON line each."""
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    from ui.app import create_application

    app = QApplication.instance() or create_application(["bench"])
    from PySide6.QtWidgets import QMessageBox

    from ui.dialogs.export import ExportOptions
    from ui.document.document import Document
    from ui.window import exports
    from ui.window.main_window import MainWindow

    state: dict[str, Any] = {}

    def refuse(_parent: Any, title: str, text: str, *_rest: Any) -> Any:
        state["error"] = f"{title}: {text}"  # a dialog nobody answers would block the worker
        return QMessageBox.StandardButton.Ok

    QMessageBox.critical = refuse  # type: ignore[method-assign]
    QMessageBox.warning = refuse  # type: ignore[method-assign]
    path = directory / f"bench-{size}.vsm"
    document = Document.open(path)
    window = MainWindow(document)
    window.resize(1400, 860)
    window.show()
    QTest.qWaitForWindowExposed(window)
    probe = Probe()
    drawn = getattr(window.tabs, "drawing", lambda: False)  # a large map's canvas, in slices

    def canvas_busy() -> bool:
        """Whether the window's canvases still have work queued for coming turns: one drawn
        in slices, a closed one taken apart, a batch's items placed in slices, decorations
        still to be placed. An action is measured until it has none (its result shown alone
        left that tail to the next action's measure)."""
        tabs = window.tabs
        teardown = getattr(tabs, "teardown", None)
        return drawn() or bool(teardown is not None and teardown.running) or any(
            getattr(view.scene(), "updating", False) or getattr(view.scene(), "laying_out", False)
            for view in tabs.views.values())

    _settle(app, probe, lambda: not drawn(), STARTUP_SECONDS)
    probe.mark()  # the floor: an idle event loop with the window up, for a second
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    floor = max(probe.longest, PROBE_MS / 1000)
    print(json.dumps({"floor": floor}), flush=True)
    from bench.compute_floor import measure as compute_floor

    print(json.dumps({"compute": compute_floor()}), flush=True)

    def doc() -> Any:
        return window.document

    def map_id() -> str:
        return doc().project.maps[0].id

    def scene() -> Any:
        return window.tabs.views[map_id()].scene()

    actions = window.menu_actions
    analysed: list[str] = []

    watched: list[Any] = []

    def watch_analysis() -> None:
        """Follow the window's document's analyses (again after an open replaced it: a large
        file is read on a worker, the new document arrives after open_path returned)."""
        if not watched or watched[0] is not doc():
            watched[:] = [doc()]
            doc().analysis_changed.connect(analysed.append)

    watch_analysis()

    def figures_shown() -> bool:
        return bool(analysed) and not doc().live.updating(map_id())

    def simulation_shown() -> bool:
        text = window.metrics.simulated_text()
        return (not window.metrics.simulation.running and text != ""
                and "simulating" not in text)

    def pick_two() -> list[str]:
        steps = doc().project.maps[0].steps
        return [steps[len(steps) // 3].id, steps[len(steps) // 3 + 5].id]

    scratch = Path(tempfile.mkdtemp(prefix="vsm-resp-"))

    def export(format_: str) -> Any:
        def run() -> None:
            target = scratch / f"out.{format_}"
            state["written"] = exports.run_export(window, ExportOptions(format_, [map_id()],
                                                                        3840, target))
            if not state["written"]:
                raise RuntimeError(f"the {format_.upper()} export wrote nothing "
                                   "(an error dialog or status says why)")
        return run

    def set_range() -> None:
        step = doc().project.maps[0].steps[len(doc().project.maps[0].steps) // 2]
        doc().set_step_field(map_id(), step.id, "process_time_max", step.process_time * 3 + 10)

    def set_demand() -> None:
        doc().set_map_field(map_id(), "demand", 40)

    def edit_wait() -> None:
        analysis = doc().analysis(map_id())
        step_id = next((v for v in analysis.critical_path
                        if doc().project.maps[0].step(v).wait_time > 0), analysis.critical_path[0])
        doc().set_step_field(map_id(), step_id, "wait_time",
                             doc().project.maps[0].step(step_id).wait_time + 600)

    def open_file() -> None:
        if doc().autosaver is not None:
            doc().autosaver.discard()
        window.files.maybe_save = lambda: True  # the edits are thrown away, as Discard does
        if not window.files.open_path(path):
            raise RuntimeError(state.get("error", "the file did not open"))

    def autosave() -> None:
        saver = doc().autosaver
        state["saved"] = False
        saver.written.connect(lambda: state.__setitem__("saved", True))
        saver.failed.connect(lambda reason: state.__setitem__("error", reason))
        step = doc().project.maps[0].steps[0]  # notes: the document is modified, no analysis
        doc().set_step_field(map_id(), step.id, "notes", step.notes + " checked")
        # the timer's write, now rather than DELAY_MS later (before issue 19: write_now)
        getattr(saver, "write_in_background", saver.write_now)()

    def select_two_and_connect() -> None:
        scene().select_steps(pick_two())
        actions.connect.trigger()

    def select_one_and_delete() -> None:
        scene().select_steps([doc().project.maps[0].steps[len(doc().project.maps[0].steps) // 2].id])
        actions.delete.trigger()

    plan: dict[str, tuple[Any, Any]] = {
        "select all": (actions.select_all.trigger, lambda: True),
        "delete": (actions.delete.trigger, figures_shown),
        "undo delete": (actions.undo.trigger, figures_shown),
        "add flow": (select_two_and_connect, figures_shown),
        "undo add flow": (actions.undo.trigger, figures_shown),
        "remove step": (select_one_and_delete, figures_shown),
        "undo remove step": (actions.undo.trigger, figures_shown),
        "auto-layout": (actions.auto_layout.trigger,  # laid out on a worker, then applied
                        lambda: not getattr(window.tabs.views[map_id()], "arranging", False)),
        "undo auto-layout": (actions.undo.trigger, lambda: True),
        "open": (open_file, lambda: bool(doc().project.maps) and not drawn()),
        "autosave": (autosave, lambda: state.get("saved") or "error" in state),
        "zoom to fit": (actions.zoom_fit.trigger, lambda: True),
        "export PNG": (export("png"), lambda: True),
        "export SVG": (export("svg"), lambda: True),
        "export PDF": (export("pdf"), lambda: True),
        "Monte Carlo": (set_range, simulation_shown),
        "capacity": (set_demand, figures_shown),
        "edit one wait": (edit_wait, figures_shown),
    }
    for name in names[first:]:
        action, done = plan[name]
        watch_analysis()
        analysed.clear()
        state.pop("error", None)
        print(json.dumps({"start": name}), flush=True)
        probe.mark()
        start = time.perf_counter()
        error = None
        try:
            action()
        except Exception as failure:  # noqa: BLE001 - printed as an error, never a timeout
            error = f"{type(failure).__name__}: {failure}"
        finished = error is None and _settle(
            app, probe, lambda shown=done: shown() and not canvas_busy(), limit)
        result = time.perf_counter() - start
        line: dict[str, Any] = {"action": name, "block": probe.longest, "result": result}
        if error is None and "error" in state:
            error = str(state["error"])
        if name == "Monte Carlo" and "not computed" in window.metrics.simulated_text():
            error = window.metrics.simulated_text()
        if error is not None:
            line["error"] = error
        elif not finished:
            line["error"] = f"no result within {limit:g} s (the window stayed responsive)"
        if name == "capacity":
            problems = [p.message for p in doc().analysis(map_id()).problems
                        if "Utilisation not computed" in p.message]
            if problems:
                line["note"] = problems[0]
        if name == "Monte Carlo" and finished:
            line["note"] = window.metrics.simulated_text()
        print(json.dumps(line), flush=True)
    if doc().autosaver is not None:
        doc().autosaver.discard()
    os._exit(0)


# ---------------------------------------------------------------- the parent


def measure(size: int, directory: Path, limit: float, timeout: float,
            actions: tuple[str, ...] = ACTIONS) -> dict[str, Any]:
    """Run workers for one size until every action has a line; kill one blocked past timeout."""
    env = {k: v for k, v in os.environ.items()}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=os.fspath(ROOT),
               XDG_DATA_HOME=os.fspath(directory / "data"),
               XDG_CONFIG_HOME=os.fspath(directory / "config"))
    lines: dict[str, dict[str, Any]] = {}
    floors: list[float] = []
    computes: list[float] = []  # the compute floor of each worker
    first = 0
    while first < len(actions):
        command = [sys.executable, "-m", "bench.responsiveness", "worker", str(size),
                   os.fspath(directory), str(first), str(limit), ",".join(actions)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, env=env, cwd=ROOT)
        received: queue.Queue[str | None] = queue.Queue()

        def read(stream: Any = process.stdout, into: queue.Queue[str | None] = received) -> None:
            for text in stream:
                into.put(text)
            into.put(None)  # the worker ended

        threading.Thread(target=read, daemon=True).start()
        current, started = None, time.perf_counter()
        while True:
            wait = timeout - (time.perf_counter() - started) if current else STARTUP_SECONDS
            try:
                chunk = received.get(timeout=max(wait, 0.001))
            except queue.Empty:
                process.kill()
                process.wait()
                if current is None:
                    raise RuntimeError(f"the worker for {size} steps did not start") from None
                lines[current] = {"action": current, "error": f"timed out: the GUI thread was "
                                  f"blocked for more than {timeout:g} s", "timeout": True}
                first = actions.index(current) + 1
                break
            if chunk is None:
                process.wait()
                if current is not None:
                    lines[current] = {"action": current, "error": "the worker ended (crashed)"}
                    first = actions.index(current) + 1
                else:
                    first = len(actions)
                break
            if not chunk.strip():
                continue
            record = json.loads(chunk)
            if "floor" in record:
                floors.append(record["floor"])
            elif "compute" in record:
                computes.append(record["compute"])
            elif "start" in record:
                current, started = record["start"], time.perf_counter()
            else:
                lines[record["action"]] = record
                current = None
        # skip the undo of an action that did not finish
        while first < len(actions) and DEPENDS.get(actions[first]) in lines and \
                lines[DEPENDS[actions[first]]].get("timeout"):
            lines[actions[first]] = {"action": actions[first], "error": "not run: "
                                     f"{DEPENDS[actions[first]]} timed out"}
            first += 1
    return {"size": size, "floor": max(floors) if floors else None, "lines": lines,
            "actions": actions, "compute": statistics.median(computes) if computes else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds an action may block the GUI thread before it is killed")
    parser.add_argument("--limit", type=float, default=180.0,
                        help="seconds to wait for a result while the window stays responsive")
    parser.add_argument("--runs", type=int, default=1,
                        help="workers per size, each measuring every action: the tables show "
                             "the median block and the worst (bench/responsiveness_report.py)")
    parser.add_argument("--actions", default=None,
                        help="only these actions (comma-separated), e.g. 'delete,export PNG'; "
                             "an undo brings the action it undoes")
    args = parser.parse_args()
    actions = chosen(args.actions)
    from bench.generate import write_files

    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="vsm-responsiveness-") as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            directory = Path(scratch) / str(size)
            write_files(size, directory)
            runs = []
            for run in range(max(args.runs, 1)):
                runs.append(measure(size, directory, args.limit, args.timeout, actions))
                print(f"measured {size} steps (run {run + 1})", file=sys.stderr, flush=True)
            results.append(combined(size, runs))
    command = "python bench/responsiveness.py " + " ".join(sys.argv[1:])
    print(markdown(results, command.strip(), time.perf_counter() - started))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
               chosen(sys.argv[6]) if len(sys.argv) > 6 else ACTIONS)
    else:
        main()
