"""The benchmark: `.venv/bin/python bench/run.py [--sizes 10,100,1000,5000,20000] [--quick]`.

For each size it writes a synthetic map (bench/generate.py) as .json and .vsm, then measures, each
in a fresh process where memory or start-up matters:

- the pure-Python side (bench/core.py): analysis, JSON load, save and open of the .vsm file, with
  their floors (networkx's longest path, json.load, bare sqlite3 write and read);
- `vsm report --json` as a whole process on the .json and on the .vsm file, against a process that
  only loads the same JSON and runs networkx's dag_longest_path_length (wall time, best of a few
  runs; peak memory from the kernel's accounting of the child);
- the editor (bench/editor.py, offscreen): scene build against a bare QGraphicsScene, one paint,
  the time from an edit command to the repainted metrics, the autosave write and the peak memory.

Then, once: the editor window up (process start to window exposed, with the bundled example)
against a bare PySide6 QMainWindow, an edit in a 500-step map and a 10,000-step map open in the
editor (the targets). It prints Markdown: the machine, one table per size, the targets. Times
are seconds unless marked ms; ratios are ours / floor. `--quick` runs 10, 100 and 1,000 steps
and skips the 10,000-step editor run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.generate import write_files  # noqa: E402

TIMEOUT = 900  # seconds: a worker still running then is stuck (a modal dialog nobody answers)
EXTRA_TIMEOUT = 60  # seconds for the capacity figures or the simulation before "too slow"
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"
FLOOR_PROCESS = """
import json, sys
import networkx as nx
data = json.load(open(sys.argv[1], encoding="utf-8"))
m = data["maps"][0]
duration = {s["id"]: s["wait_time"] + s["process_time"] for s in m["steps"]}
graph = nx.DiGraph()
graph.add_nodes_from(duration)
graph.add_weighted_edges_from((f["from"], f["to"], duration[f["from"]]) for f in m["flows"]
                              if f.get("kind", "normal") == "normal")
print(nx.dag_longest_path_length(graph))
"""


def environment(scratch: Path) -> dict[str, str]:
    """Offscreen Qt; settings, working copies and locks in throwaway folders.

    Byte code is cached (in the scratch folder, not the repo) even where PYTHONDONTWRITEBYTECODE
    is set, as on a user's machine from the second start on: every measure is a best of several
    runs, so the first run's compiling does not count.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=os.fspath(scratch / "data"),
               XDG_CONFIG_HOME=os.fspath(scratch / "config"), PYTHONPATH=os.fspath(ROOT),
               PYTHONPYCACHEPREFIX=os.fspath(scratch / "pycache"))
    return env


def run_process(command: list[str], env: dict[str, str], until: str | None = None,
                timeout: float = TIMEOUT) -> tuple[float, int, str]:
    """Wall seconds, peak memory (KB) and output of one process.

    With `until`, the time stops at the first output line starting with it (the process is then
    killed); otherwise at the process's end.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env, cwd=ROOT, text=True)
    assert process.stdout is not None
    watchdog = threading.Timer(timeout, _kill, (process.pid,))  # stuck, or a stray modal dialog
    watchdog.start()
    try:
        return _finish(process, start, until, command)
    finally:
        watchdog.cancel()


def _kill(pid: int) -> None:
    try:  # os.kill, not Popen.kill(): that would reap the child before wait4 could
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _finish(process: subprocess.Popen, start: float, until: str | None,
            command: list[str]) -> tuple[float, int, str]:
    assert process.stdout is not None
    if until is not None:
        line = ""
        for line in process.stdout:
            if line.startswith(until):
                break
        elapsed = time.perf_counter() - start
        _kill(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = status
        if not line.startswith(until):
            raise RuntimeError(f"{' '.join(command[:4])}... ended without {until!r}")
        return elapsed, usage.ru_maxrss, line
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = status
    if status != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed with status {status}")
    return elapsed, usage.ru_maxrss, output


def best_process(command: list[str], env: dict[str, str], repeat: int,
                 until: str | None = None) -> tuple[float, int, str]:
    """The fastest of `repeat` runs (and the largest peak memory)."""
    runs = [run_process(command, env, until) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2]


def worker(module: str, args: list[str], env: dict[str, str],
           timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run a bench worker; its last output line is a JSON object ({"error": ...} on failure)."""
    try:
        _, _, output = run_process([sys.executable, "-m", module, *args], env, timeout=timeout)
        return json.loads(output.strip().splitlines()[-1])
    except (RuntimeError, ValueError, IndexError) as error:
        return {"error": str(error)}


def repeats(size: int) -> int:
    return 5 if size <= 1000 else 3 if size <= 5000 else 2


def measure_size(size: int, folder: Path, env: dict[str, str], editor: bool) -> dict[str, Any]:
    json_path, vsm_path = write_files(size, folder)
    r = repeats(size)
    result: dict[str, Any] = {"size": size}
    document = json.loads(json_path.read_text("utf-8"))
    result["flows"] = len(document["maps"][0]["flows"])
    result["rework"] = sum(1 for f in document["maps"][0]["flows"] if f.get("kind") == "rework")
    result["core"] = worker("bench.core", [str(size), os.fspath(folder), str(r)], env)
    report = [sys.executable, "-m", "vsm", "report", "--json"]
    result["report_json"] = best_process(report + [os.fspath(json_path)], env, r)[:2]
    result["report_vsm"] = best_process(report + [os.fspath(vsm_path)], env, r)[:2]
    floor = [sys.executable, "-c", FLOOR_PROCESS, os.fspath(json_path)]
    result["floor_process"] = best_process(floor, env, r)[:2]
    for mode in ("demand", "range"):  # figures that only some maps have: capacity, simulation
        result[mode] = worker("bench.core", [mode, str(size), os.fspath(folder)], env,
                              timeout=EXTRA_TIMEOUT)
    if editor:
        edits = 7 if size <= 1000 else 3
        result["editor"] = worker("bench.editor", ["map", str(size), os.fspath(folder),
                                                   str(edits)], env)
    return result


def window_up(env: dict[str, str], repeat: int) -> dict[str, Any]:
    editor = [sys.executable, "-m", "bench.editor", "window"]
    bare = best_process(editor + ["bare"], env, repeat, until="shown")
    ours = best_process(editor + ["ours", os.fspath(EXAMPLE)], env, repeat, until="shown")
    built = best_process(editor + ["ours", os.fspath(EXAMPLE)], env, repeat, until="built")
    return {"bare": bare[0], "ours": ours[0], "built": built[0], "bare_kb": int(bare[2].split()[1]),
            "ours_kb": int(ours[2].split()[1]), "built_kb": int(built[2].split()[1])}


def machine() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import networkx
    import PySide6

    return [f"- CPU: {cpu}, {os.cpu_count()} cores (nproc); RAM {memory}",
            f"- {platform.system()} {platform.release()}; Python {platform.python_version()}; "
            f"PySide6 {PySide6.__version__}; networkx {networkx.__version__}; "
            f"SQLite {__import__('sqlite3').sqlite_version}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,5000,20000",
                        help="comma-separated step counts (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="10, 100 and 1,000 steps only")
    parser.add_argument("--no-editor", action="store_true", help="skip the editor measurements")
    args = parser.parse_args(argv)
    sizes = [10, 100, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    from bench.report import print_report

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vsm-bench-") as scratch:
        folder = Path(scratch)
        env = environment(folder)
        results = []
        for size in sizes:
            print(f"measuring {size} steps...", file=sys.stderr, flush=True)
            results.append(measure_size(size, folder, env, not args.no_editor))
        extra: dict[str, Any] = {}
        if not args.no_editor:
            print("measuring the window and the editor targets...", file=sys.stderr, flush=True)
            extra["window"] = window_up(environment(folder / "window"), 5)
            write_files(500, folder)
            extra["edit_500"] = worker("bench.editor", ["map", "500", os.fspath(folder), "9"], env)
            if not args.quick:
                write_files(10_000, folder)
                extra["editor_10000"] = worker("bench.editor",
                                               ["map", "10000", os.fspath(folder), "3"], env)
    print_report(machine(), " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
                 results, extra, time.perf_counter() - began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
