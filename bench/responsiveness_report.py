"""The Markdown of bench/responsiveness.py: the machine, one table per size and the still-slow
list, from the workers' JSON lines of one run or more per size (`--runs`).

A block is the longest gap of the probe over one action, a single sample on a machine shared
with other work: the same code measured twice in a row blocked 36 ms and 59 ms (issue 19, 5,000
steps). With several runs per size each action shows the median of its runs' blocks and the
worst of them; an action is still slow if its median is over the target, and one whose median
is under it but whose worst is over is listed apart ("over the target in some runs"), with how
many. Nothing is dropped: an error in any run is shown.
"""

from __future__ import annotations

import statistics
from typing import Any

# What bench/responsiveness.py measures, in this order (its docstring says what each does).
ACTIONS = ("select all", "delete", "undo delete", "add flow", "undo add flow", "remove step",
           "undo remove step", "auto-layout", "undo auto-layout", "open", "autosave",
           "zoom to fit", "export PNG", "export SVG", "export PDF", "Monte Carlo", "capacity",
           "edit one wait")


def target_of(size: int) -> float:
    """The issue's block target for a map of `size` steps, in seconds."""
    return 0.05 if size <= 5000 else 0.2


def combined(size: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's runs (each as bench.responsiveness.measure returns it) as one result: per
    action the median block and result and the worst block of the runs that measured it, the
    runs' median floor and compute floor; an action with an error in any run keeps that error
    (the first) with the figures of the runs that had none."""
    lines: dict[str, dict[str, Any]] = {}
    names = [name for run in runs for name in run["lines"]]
    for name in dict.fromkeys(names):
        measured = [run["lines"][name] for run in runs if name in run["lines"]]
        good = [line for line in measured if "error" not in line and "block" in line]
        line: dict[str, Any] = {"action": name, "runs": len(measured)}
        if good:
            blocks = [entry["block"] for entry in good]
            line.update(block=statistics.median(blocks), worst=max(blocks), blocks=blocks,
                        result=statistics.median(entry["result"] for entry in good))
        failed = [entry for entry in measured if "error" in entry]
        if failed:
            line["error"] = failed[0]["error"]
            line["timeout"] = any(entry.get("timeout") for entry in failed)
        notes = [entry["note"] for entry in good if entry.get("note")]
        if notes:
            line["note"] = notes[-1]
        lines[name] = line
    floors = [run["floor"] for run in runs if run.get("floor") is not None]
    computes = [run["compute"] for run in runs if run.get("compute") is not None]
    return {"size": size, "runs": len(runs), "lines": lines,
            "actions": runs[0].get("actions") if runs else (),
            "floor": statistics.median(floors) if floors else None,
            "compute": statistics.median(computes) if computes else None}


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def markdown(results: list[dict[str, Any]], command: str, took: float) -> str:
    """The Markdown of the machine, one table per size and the still-slow list (`results`: one
    `combined` result per size, or a single run's result as measure() returns it)."""
    from bench.run import machine

    runs = max((result.get("runs", 1) for result in results), default=1)
    out = ["## Responsiveness (issue 19)", "", *machine(), "",
           f"Command: `{command}` (took {took / 60:.1f} minutes).", "",
           "Block: the longest time the GUI thread did not turn the event loop (a 5 ms probe "
           "timer's longest gap) from the action to its result"
           + (f", the median of {runs} runs (each a worker of its own) and the worst of them"
              if runs > 1 else "")
           + "; floor: the longest gap of the "
           "idle window in the same process; result: until the result is shown and the canvases "
           "have no work left for later turns (the block is measured over all of it); compute "
           "floor: a fixed workload of the model's and Qt's kind (bench/compute_floor.py) timed "
           "in the same process, its median: the machine's speed in that run, which the idle "
           "floor does not show"
           + (f"; both floors are the medians of the {runs} runs'" if runs > 1 else "")
           + ".", ""]
    slow: list[str] = []
    sometimes: list[str] = []
    for result in results:
        size, floor, compute = result["size"], result["floor"], result.get("compute")
        target = target_of(size)
        out += [f"### {size:,} steps (floor: {_ms(floor)}; compute floor: {_ms(compute)})", "",
                "| action | block | worst | result shown | ratio to floor "
                "| to compute floor | note |",
                "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for name in ACTIONS:
            if name not in result["lines"] and result.get("actions", ACTIONS) != ACTIONS:
                continue  # not chosen with --actions
            line = result["lines"].get(name, {"error": "not measured"})
            block, shown = line.get("block"), line.get("result")
            worst = line.get("worst", block)
            ratio = f"{block / floor:.0f}×" if block is not None and floor else "–"
            computed = f"{block / compute:.2f}×" if block is not None and compute else "–"
            note = line.get("error") and "**error**: " + line["error"] or line.get("note", "")
            out.append(f"| {name} | {_ms(block)} | {_ms(worst)} | {_ms(shown)} | {ratio} | "
                       f"{computed} | {note.replace('|', '/')[:220]} |")
            if line.get("timeout") or (block is not None and block > target):
                slow.append(f"- {name} at {size:,} steps: "
                            + (line["error"] if line.get("timeout")
                               else f"blocks {_ms(block)} (target {_ms(target)})"))
            elif "error" in line:
                slow.append(f"- {name} at {size:,} steps: {line['error'][:200]}")
            elif worst is not None and worst > target:
                over = sum(1 for each in line.get("blocks", [worst]) if each > target)
                sometimes.append(f"- {name} at {size:,} steps: blocks {_ms(worst)} at worst, "
                                 f"over the {_ms(target)} target in {over} of "
                                 f"{len(line.get('blocks', [worst]))} runs "
                                 f"(median {_ms(block)})")
        out.append("")
    out += ["### Still slow", ""] + (slow or ["- nothing over the targets"]) + [""]
    if sometimes:
        out += ["Over the target in some runs only (the median is under it):", "",
                *sometimes, ""]
    return "\n".join(out)
