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
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.generate import write_files  # noqa: E402
from bench.measure import best_process, child_environment, machine, run_process  # noqa: E402

TIMEOUT = 900  # seconds: a worker still running then is stuck (a modal dialog nobody answers)
EXTRA_TIMEOUT = 60  # seconds for the capacity figures or the simulation before "too slow"
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"
FLOOR_PROCESS = [os.fspath(ROOT / "bench" / "nx_floor.py")]  # json.load + networkx, nothing more


def environment(scratch: Path) -> dict[str, str]:
    """A child's environment (bench.measure.child_environment) with offscreen Qt; settings,
    working copies and locks in throwaway folders."""
    return child_environment(scratch, QT_QPA_PLATFORM="offscreen",
                             XDG_DATA_HOME=os.fspath(scratch / "data"),
                             XDG_CONFIG_HOME=os.fspath(scratch / "config"))


def timed_process(command: list[str], env: dict[str, str], repeat: int,
                  until: str | None = None) -> tuple[float, int, str]:
    """The fastest of `repeat` runs of a whole process, its largest peak memory (KB) and the
    last run's output (with `until`: the line that stopped the clock)."""
    best = best_process(command, env, repeat, timeout=TIMEOUT, until=until, check=True)
    return best.seconds, best.peak_kb, best.out


def worker(module: str, args: list[str], env: dict[str, str],
           timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run a bench worker; its last output line is a JSON object ({"error": ...} on failure)."""
    try:
        output = run_process([sys.executable, "-m", module, *args], env, timeout=timeout,
                             check=True).out
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
    result["report_json"] = timed_process(report + [os.fspath(json_path)], env, r)[:2]
    result["report_vsm"] = timed_process(report + [os.fspath(vsm_path)], env, r)[:2]
    floor = [sys.executable, *FLOOR_PROCESS, os.fspath(json_path)]
    result["floor_process"] = timed_process(floor, env, r)[:2]
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
    bare = timed_process(editor + ["bare"], env, repeat, until="shown")
    ours = timed_process(editor + ["ours", os.fspath(EXAMPLE)], env, repeat, until="shown")
    built = timed_process(editor + ["ours", os.fspath(EXAMPLE)], env, repeat, until="built")
    return {"bare": bare[0], "ours": ours[0], "built": built[0], "bare_kb": int(bare[2].split()[1]),
            "ours_kb": int(ours[2].split()[1]), "built_kb": int(built[2].split()[1])}


def versions() -> list[str]:
    """The versions of what the measures depend on, for the machine's description."""
    import sqlite3

    import networkx
    import PySide6

    return [f"PySide6 {PySide6.__version__}", f"networkx {networkx.__version__}",
            f"SQLite {sqlite3.sqlite_version}"]


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
    print_report(machine(versions()), " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
                 results, extra, time.perf_counter() - began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
