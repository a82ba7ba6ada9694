"""Markdown tables for bench/run.py: one table per size, then the targets."""

from __future__ import annotations

from typing import Any

from bench.measure import markdown_table

REPORT_RATIO_TARGET = 3.0  # vsm report --json at 5,000 steps, against the floor process
LARGE_SECONDS_TARGET = 10.0  # 20,000 steps through JSON and through .vsm
EDIT_SECONDS_TARGET = 0.016  # an edit in a 500-step map, repainted
WINDOW_RATIO_TARGET = 1.5  # the editor window up, against a bare PySide6 window
EDITOR_MB_TARGET = 400  # a 10,000-step map open in the editor


def seconds(value: float | None) -> str:
    """A duration for the table: ms below one second."""
    if value is None:
        return "–"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def ratio(ours: float | None, floor: float | None) -> str:
    if ours is None or not floor:
        return "–"
    return f"{ours / floor:.1f}×"


def megabytes(kb: int | None) -> str:
    return "–" if not kb else f"{kb / 1024:.0f} MB"


def size_table(r: dict[str, Any]) -> list[str]:
    core, editor = r.get("core", {}), r.get("editor", {})
    floor_process = r["floor_process"][0]
    parts = core.get("analysis_parts", {})
    rows = [
        ("analysis (`analyse`, in process)", core.get("analysis"),
         "networkx `dag_longest_path_length` (graph built)", core.get("nx_longest")),
        ("`vsm report --json` on .json (process)", r["report_json"][0],
         "process: json.load + networkx longest path", floor_process),
        ("`vsm report --json` on .vsm (process)", r["report_vsm"][0],
         "same floor process", floor_process),
        ("JSON load (`load_project`)", core.get("json_load"), "`json.load`",
         core.get("json_parse")),
        ("save .vsm", core.get("save_vsm"), "bare sqlite3 write of the rows",
         core.get("sqlite_write")),
        ("open .vsm", core.get("open_vsm"), "bare sqlite3 read of the rows",
         core.get("sqlite_read")),
    ]
    rows.insert(1, ("re-analysis after an edit (`Analyser`, median)", core.get("reanalysis"),
                    "fresh analysis (`analyse`)", core.get("analysis")))
    demand, spread = r.get("demand", {}), r.get("range", {})
    rows.append(("analysis with demand set (capacity figures)",
                 demand.get("analysis_with_demand"), "analysis without demand",
                 core.get("analysis")))
    rows.append(("Monte Carlo, 2,000 runs (one step with a range)", spread.get("simulation"),
                 "analysis without demand", core.get("analysis")))
    if editor and "error" not in editor:
        rows += [
            ("scene build (`MapScene`)", editor.get("scene_build"),
             "bare QGraphicsScene (rect + text + line items)", editor.get("bare_scene")),
            ("paint, whole map in view", editor.get("paint_fit"), "", None),
            ("paint, 100 % zoom", editor.get("paint_100"), "", None),
            ("edit → canvas repainted (median)", editor.get("edit_canvas"), "", None),
            ("edit → repainted metrics (median)", editor.get("edit_total"),
             "fresh analysis (`analyse`)", core.get("analysis")),
            ("autosave write (0.5 s after an edit)", editor.get("autosave_write"),
             "save .vsm", core.get("save_vsm")),
        ]
    lines = [f"### {r['size']:,} steps ({r['flows']:,} flows, {r['rework']:,} of them rework)", "",
             *markdown_table(["measure", "ours", "floor", "floor time", "ratio"],
                             [(name, seconds(ours), floor_name or "–", seconds(floor),
                               ratio(ours, floor)) for name, ours, floor_name, floor in rows],
                             "lrlrr"), ""]
    for label, extra in (("Analysis with demand set", demand), ("Monte Carlo", spread)):
        if "error" in extra:
            lines.append(f"{label}: not finished within 60 s (see BENCHMARKS.md).")
    if demand.get("capacity_problem"):
        lines.append(f"Analysis with demand set: {demand['capacity_problem']}")
    if parts:
        lines.append("Analysis by phase: " + ", ".join(
            f"{name.replace('_', ' ')} {seconds(value)}" for name, value in parts.items()) + ".")
    if editor and "error" not in editor:
        lines.append("Edit → repaint, by part: " + ", ".join(
            f"{name} {seconds(editor.get('edit_' + name))}"
            for name in ("push", "analysis", "panels", "paint"))
            + ("" if editor.get("edit_changed_metrics") else " (the figures did not change!)")
            + ".")
    elif editor:
        lines.append(f"Editor: not measured ({editor['error']}).")
    memory = [f"`vsm report` process {megabytes(r['report_json'][1])} (.json), "
              f"{megabytes(r['report_vsm'][1])} (.vsm)",
              f"floor process {megabytes(r['floor_process'][1])}",
              f"core worker {megabytes(core.get('peak_kb'))}"]
    if editor and "error" not in editor:
        memory.append(f"editor with the map open {megabytes(editor.get('editor_peak_kb'))}")
    lines += ["Peak memory: " + ", ".join(memory) + ".", ""]
    return lines


def _status(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "**missed**"


def targets(results: list[dict[str, Any]], extra: dict[str, Any]) -> list[str]:
    """The targets as a Markdown table: each with what was measured and met or missed."""
    by_size = {r["size"]: r for r in results}
    rows: list[tuple[str, str, str]] = []
    if 5000 in by_size:
        r = by_size[5000]
        value = r["report_json"][0] / r["floor_process"][0]
        rows.append((f"`vsm report --json`, 5,000 steps, within {REPORT_RATIO_TARGET:g}× of the "
                     f"floor process", f"{seconds(r['report_json'][0])} vs "
                     f"{seconds(r['floor_process'][0])}: {value:.1f}×",
                     _status(value <= REPORT_RATIO_TARGET)))
    if 20000 in by_size:
        r = by_size[20000]
        for key, label in (("report_json", "JSON"), ("report_vsm", ".vsm")):
            rows.append((f"20,000 steps through {label} under {LARGE_SECONDS_TARGET:g} s "
                         f"(`vsm report --json`)", seconds(r[key][0]),
                         _status(r[key][0] < LARGE_SECONDS_TARGET)))
    edit = extra.get("edit_500", {})
    if edit and "error" not in edit:
        rows.append((f"an edit in a 500-step map repainted within "
                     f"{EDIT_SECONDS_TARGET * 1000:g} ms: the canvas showing the edit",
                     seconds(edit["edit_canvas"]),
                     _status(edit["edit_canvas"] <= EDIT_SECONDS_TARGET)))
        rows.append(("… and the metrics showing its figures",
                     f"{seconds(edit['edit_total'])} (push {seconds(edit['edit_push'])}, "
                     f"analysis {seconds(edit['edit_analysis'])}, panels "
                     f"{seconds(edit['edit_panels'])}, paint {seconds(edit['edit_paint'])})",
                     _status(edit["edit_total"] <= EDIT_SECONDS_TARGET)))
    window = extra.get("window")
    if window:
        value = window["ours"] / window["bare"]
        rows.append((f"editor window up within {WINDOW_RATIO_TARGET:g}× of a bare PySide6 "
                     f"window", f"{seconds(window['ours'])} vs {seconds(window['bare'])}: "
                     f"{value:.2f}×", _status(value <= WINDOW_RATIO_TARGET)))
        if "built" in window:
            built = window["built"] / window["bare"]
            rows.append(("(not a target) the window complete, the example map drawn",
                         f"{seconds(window['built'])}: {built:.2f}× the bare window", "–"))
    big = extra.get("editor_10000", {})
    if big and "error" not in big:
        mb = big["editor_peak_kb"] / 1024
        rows.append((f"a 10,000-step map open in the editor under {EDITOR_MB_TARGET} MB",
                     f"{mb:.0f} MB peak (scene build {seconds(big['scene_build'])}, edit → "
                     f"repaint {seconds(big['edit_total'])})", _status(mb < EDITOR_MB_TARGET)))
    return markdown_table(["target", "measured", "status"], rows, "lll")


def print_report(machine: list[str], command: str, results: list[dict[str, Any]],
                 extra: dict[str, Any], elapsed: float) -> None:
    lines = ["## Machine", "", *machine, "", f"Command: `.venv/bin/python {command}` "
             f"(took {elapsed / 60:.1f} minutes).", "", "## Results", ""]
    for result in results:
        lines += size_table(result)
    lines += ["## Targets", "", *targets(results, extra), ""]
    print("\n".join(lines))
