"""Benchmark worker for the pure-Python side: `python -m bench.core N DIR REPEAT`.

Runs in its own process (so its peak memory is its own) on the files bench/run.py wrote for one
size, and prints one JSON object of seconds (best of REPEAT runs) and kilobytes:

- json_load: `vsm.files.formats.load_project` of the .json file; floor json_parse: `json.load`;
- analysis: `vsm.analysis.analyse` of the map; floor nx_longest: networkx building the graph of
  the ordinary flows (weights: wait + process of the source) and `dag_longest_path_length`;
- save_vsm / open_vsm: `vsm.files.vsm_file.save_project` / `open_project`; floors sqlite_write /
  sqlite_read: bare sqlite3 writing (executemany, one transaction) and reading (fetchall) the
  same step and flow rows in tables of the same columns, without checks or model objects;
- reanalysis: the median analysis after an edit of one wait with the editor's
  `vsm.analysis.Analyser` (what it reuses between edits), against the fresh analysis;
- analysis_parts: the analysis phase by phase as `analyse` runs them (structure, solve, process
  time, rolled %C&A, savings, flags; the phases of vsm.analysis), for BENCHMARKS.md;
- peak_kb: the process's peak resident memory (ru_maxrss).

`python -m bench.core demand N DIR` times one analysis of the same map with its demand set, and
`python -m bench.core range N DIR` one Monte Carlo simulation once a step has a time range.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from bench.measure import best_of, own_peak_kb, timed
from bench.nx_floor import longest as nx_longest


def _rows(project: Any) -> tuple[list[str], list[tuple], list[str], list[tuple]]:
    map_ = project.maps[0]
    steps = [{"map_id": map_.id, "position": i, **asdict(s)} for i, s in enumerate(map_.steps)]
    flows = [{"map_id": map_.id, "position": i, **asdict(f)} for i, f in enumerate(map_.flows)]
    return (list(steps[0]), [tuple(r.values()) for r in steps],
            list(flows[0]), [tuple(r.values()) for r in flows])


def sqlite_write(path: Path, rows: tuple[list[str], list[tuple], list[str], list[tuple]]) -> None:
    """The floor for saving: the same rows into plain tables, one transaction."""
    step_columns, step_rows, flow_columns, flow_rows = rows
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"CREATE TABLE steps ({', '.join(step_columns)})")
        connection.execute(f"CREATE TABLE flows ({', '.join(flow_columns)})")
        connection.executemany(f"INSERT INTO steps VALUES ({', '.join('?' * len(step_columns))})",
                               step_rows)
        connection.executemany(f"INSERT INTO flows VALUES ({', '.join('?' * len(flow_columns))})",
                               flow_rows)
    connection.close()


def sqlite_read(path: Path) -> int:
    """The floor for opening: read every row back."""
    connection = sqlite3.connect(path)
    count = len(connection.execute("SELECT * FROM steps ORDER BY position").fetchall())
    count += len(connection.execute("SELECT * FROM flows ORDER BY position").fetchall())
    connection.close()
    return count


def analysis_parts(map_: Any) -> dict[str, float]:
    """Seconds per phase of `analyse` (one run each)."""
    from vsm.analysis import figures, flags, savings
    from vsm.analysis import policy as solving
    from vsm.analysis.structure import build_structure

    times: dict[str, float] = {}

    def part(name: str, action: Callable[[], Any]) -> Any:
        times[name], value = timed(action)
        return value

    steps = {st.id: st for st in map_.steps}
    s, _ = part("structure", lambda: build_structure(map_))
    duration = {v: st.wait_time + st.process_time for v, st in steps.items()}
    values, policy, elimination = part("solve", lambda: solving.solve_eliminated(s, duration))
    lead, start = solving.lead(s, values)
    part("process_time", lambda: sum(
        count * steps[v].process_time
        for v, count in elimination.gradient({start: 1.0}).items()))
    part("rolled_pca", lambda: figures.rolled_pca(s, {v: st.pca for v, st in steps.items()}))
    part("savings", lambda: savings.step_savings(s, steps, duration, lead, policy, elimination))
    result = figures.analyse(map_)
    part("flags", lambda: flags.flags_and_reasons(map_, s, result.lead_time, result.savings,
                                                        result.utilisation, result.visits))
    return times


def reanalysis(map_: Any, edits: int) -> float:
    """Median seconds of the editor's analysis after an edit (vsm.analysis.Analyser, as the
    document keeps one per map): the wait of a step on the critical path up by a fifth of the
    lead time, then back, as bench/editor.py edits it."""
    from vsm.analysis import Analyser

    analyser = Analyser()
    first = analyser.analyse(map_)
    step_id = next((v for v in first.critical_path if map_.step(v).wait_time > 0),
                   first.critical_path[0])
    original = map_.step(step_id).wait_time
    delta = max(30.0, round(0.2 * (first.lead_time or 0.0)))
    times = []
    for number in range(edits):
        map_.set_step_field(step_id, "wait_time", original + delta if number % 2 == 0 else original)
        times.append(timed(lambda: analyser.analyse(map_))[0])
    map_.set_step_field(step_id, "wait_time", original)
    return statistics.median(times)


def main(size: int, directory: Path, repeat: int) -> dict[str, Any]:
    from vsm.analysis import analyse
    from vsm.files.formats import load_project
    from vsm.files.vsm_file import open_project, save_project

    json_path = directory / f"bench-{size}.json"
    vsm_path = directory / f"bench-{size}.vsm"
    result: dict[str, Any] = {}
    result["json_parse"] = best_of(repeat, lambda: json.loads(json_path.read_text("utf-8")))
    result["json_load"] = best_of(repeat, lambda: load_project(json_path))
    document = json.loads(json_path.read_text("utf-8"))
    project = load_project(json_path)
    map_ = project.maps[0]
    result["analysis"] = best_of(repeat, lambda: analyse(map_))
    result["nx_longest"] = best_of(repeat, lambda: nx_longest(document))
    result["analysis_parts"] = analysis_parts(map_)
    result["reanalysis"] = reanalysis(map_, max(6, 2 * repeat))
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "saved.vsm"
        result["save_vsm"] = best_of(repeat, lambda: save_project(project, target))
        rows = _rows(project)
        bare = Path(scratch) / "bare.sqlite"
        result["sqlite_write"] = best_of(repeat, lambda: sqlite_write(bare, rows))
    result["open_vsm"] = best_of(repeat, lambda: open_project(vsm_path))
    bare_copy = _bare_copy(directory, size, rows)
    result["sqlite_read"] = best_of(repeat, lambda: sqlite_read(bare_copy))
    result["peak_kb"] = own_peak_kb()
    return result


def _bare_copy(directory: Path, size: int, rows: Any) -> Path:
    """The bare-sqlite file of this size (written once, then only read)."""
    path = directory / f"bare-{size}.sqlite"
    if not path.exists():
        sqlite_write(path, rows)
    return path


def with_demand(size: int, directory: Path) -> dict[str, Any]:
    """One analysis with the map's demand set (40 items a week), which adds the capacity figures
    (vsm.analysis.capacity: visits, utilisation, the over-capacity flag)."""
    from vsm.analysis import analyse
    from vsm.files.formats import load_project

    map_ = load_project(directory / f"bench-{size}.json").maps[0]
    map_.set_field("demand", 40.0)
    result = analyse(map_)
    trouble = next((p.message for p in result.problems if "Utilisation" in p.message), None)
    return {"analysis_with_demand": best_of(1, lambda: analyse(map_)), "capacity_problem": trouble}


def with_range(size: int, directory: Path) -> dict[str, Any]:
    """The editor's Monte Carlo lead time (2,000 runs, as the metrics panel runs it) once one
    step has a time range (vsm.analysis.montecarlo)."""
    from vsm.analysis.montecarlo import simulate
    from vsm.files.formats import load_project

    map_ = load_project(directory / f"bench-{size}.json").maps[0]
    step = map_.steps[0]
    map_.set_step_field(step.id, "process_time_max", step.process_time * 2)
    return {"simulation": best_of(1, lambda: simulate(map_, runs=2000))}


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1]))
    if sys.argv[1] == "demand":
        print(json.dumps(with_demand(int(sys.argv[2]), Path(sys.argv[3]))))
    elif sys.argv[1] == "range":
        print(json.dumps(with_range(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        print(json.dumps(main(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
