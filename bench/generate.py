"""Deterministic synthetic value-stream maps for the benchmarks and the fast-path tests.

`synthetic_document(n, seed)` returns a vsm-json document (plain dicts) with one map of exactly
`n` steps, shaped like a real value stream decomposed to the action level:

- a main line of blocks, left to right: single steps, *concurrent diamonds* (a split step, two to
  four branches that all happen, a join step) and *alternative diamonds* (the same with shares
  that sum to 100, one route taken per item); branches are themselves lines of blocks, nested up
  to three levels deep;
- nested rework loops: along every line, some steps send 5–30 % of their work back to an earlier
  step of the same line (a window of up to eight steps back, so loops nest and overlap), a few
  back to themselves, and a few branch ends back to their diamond's split;
- a few extra start steps (about one per 400 steps) feeding the main line, so several starts run
  together and the lead start is a real choice;
- realistic durations (process 5 minutes to 4 hours; waits from none to two days), %C&A between
  60 and 100, teams and performers (some vendors), and a grid layout (one column per position
  along a line, one lane per branch).

Durations are written as numbers of minutes (valid vsm-json), so a process that only loads the
JSON needs no duration parser. The same (n, seed) always gives the same document.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsm.files.formats import project_from_dict
from vsm.model import Project, ValueStreamMap

COLUMN = 220.0  # layout: x distance between positions along a line
LANE = 170.0  # layout: y distance between branches
TEAMS = ("Service desk", "Network", "Database", "Applications", "Change board", "Security",
         "Field services", "Cloud platform")
ACTIVITIES = ("engage", "plan", "improve", "design_transition", "obtain_build",
              "deliver_support")
PROCESS_MINUTES = (5, 10, 15, 20, 30, 45, 60, 90, 120, 240)
WAIT_MINUTES = (0, 0, 5, 15, 30, 60, 120, 240, 480, 1440, 2880)


@dataclass
class _Builder:
    """Accumulates steps and flows; `rng` makes every choice."""

    rng: random.Random
    steps: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    rework_out: dict[str, float] = field(default_factory=dict)  # percent sent back per step
    rework_pairs: set[tuple[str, str]] = field(default_factory=set)

    def step(self, column: float, lane: float) -> str:
        rng = self.rng
        number = len(self.steps)
        step_id = f"s{number}"
        performer = rng.choices(("internal", "vendor", "customer", "automated"),
                                weights=(80, 10, 5, 5))[0]
        self.steps.append({
            "id": step_id,
            "name": f"Action {number}",
            "activity": rng.choice(ACTIVITIES),
            "team": rng.choice(TEAMS),
            "performer": performer,
            "process_time": rng.choice(PROCESS_MINUTES),
            "wait_time": rng.choice(WAIT_MINUTES),
            "pca": rng.choice((60, 75, 85, 90, 95, 98, 100, 100, 100)),
            "people": 1,
            "notes": "",
            "x": round(column * COLUMN, 1),
            "y": round(lane * LANE, 1),
        })
        return step_id

    def flow(self, source: str, target: str, **extra: Any) -> None:
        self.flows.append({"id": f"f{len(self.flows)}", "from": source, "to": target, **extra})

    def rework(self, source: str, target: str) -> None:
        """Send 5–30 % back, keeping each step's total below 60 % and one flow per pair."""
        if (source, target) in self.rework_pairs:
            return
        probability = self.rng.choice((5, 5, 10, 10, 15, 20, 25, 30))
        if self.rework_out.get(source, 0) + probability >= 60:
            return
        self.rework_out[source] = self.rework_out.get(source, 0) + probability
        self.rework_pairs.add((source, target))
        self.flow(source, target, kind="rework", probability=probability)


def _line(b: _Builder, budget: int, depth: int, column: float, lane: float
          ) -> tuple[str, str, list[str], float, float]:
    """A line of blocks using exactly `budget` (>= 1) steps.

    Returns its entry and exit steps, its spine (the steps every item passes, in order: each
    an ancestor of the next), its width in columns and its height in lanes.
    """
    spine: list[str] = []
    start_column = column
    height = 1.0
    previous: str | None = None
    while budget > 0:
        rng = b.rng
        roll = rng.random()
        diamond = budget >= 4 and depth < 3 and roll < (0.35 if depth == 0 else 0.25)
        if not diamond:
            v = b.step(column, lane)
            if previous is not None:
                b.flow(previous, v)
            spine.append(v)
            previous = v
            column += 1
            budget -= 1
            continue
        branches = rng.randint(2, min(4, budget - 2))
        inner = budget - 2 - branches  # steps beyond one per branch
        limit = 4 if depth >= 1 else max(4, min(60, budget // 6))
        sizes = [1 + rng.randint(0, min(inner, limit)) if inner > 0 else 1
                 for _ in range(branches)]
        while sum(sizes) > budget - 2:
            sizes[sizes.index(max(sizes))] -= 1
        split = b.step(column, lane)
        if previous is not None:
            b.flow(previous, split)
        alternative = rng.random() < 0.45
        shares = _shares(rng, branches) if alternative else [None] * branches
        widest, lanes, ends = 0.0, 0.0, []
        for size, share in zip(sizes, shares):
            entry, exit_, _, width, tall = _line(b, size, depth + 1, column + 1,
                                                           lane + lanes)
            b.flow(split, entry, **({"share": share} if share is not None else {}))
            ends.append(exit_)
            if rng.random() < 0.15:
                b.rework(exit_, split)  # the branch's outcome sends work back to the split
            widest, lanes = max(widest, width), lanes + tall
        join = b.step(column + 1 + widest, lane)
        for exit_ in ends:
            b.flow(exit_, join)
        spine += [split, join]
        previous = join
        column += 2 + widest
        height = max(height, lanes)
        budget -= 2 + sum(sizes)
    _loops(b, spine)
    return spine[0], spine[-1], spine, column - start_column, height


def _loops(b: _Builder, spine: list[str]) -> None:
    """Nested and overlapping rework loops back along a line's spine."""
    rng = b.rng
    for position, v in enumerate(spine):
        roll = rng.random()
        if roll < 0.04:
            b.rework(v, v)  # "do it again"
        elif roll < 0.22 and position > 0:
            back = rng.randint(1, min(8, position))
            b.rework(v, spine[position - back])


def _shares(rng: random.Random, count: int) -> list[int]:
    cuts = sorted(rng.sample(range(5, 96, 5), count - 1))
    bounds = [0, *cuts, 100]
    return [high - low for low, high in zip(bounds, bounds[1:])]


def synthetic_document(n: int, seed: int = 0) -> dict[str, Any]:
    """A vsm-json document holding one synthetic map of exactly `n` steps."""
    if n < 1:
        raise ValueError("a map needs at least one step")
    rng = random.Random(f"vsm-bench-{n}-{seed}")
    b = _Builder(rng)
    extra_starts = n // 400 if n >= 40 else 0
    _, _, spine, _, height = _line(b, n - extra_starts, 0, 0.0, 0.0)
    for number in range(extra_starts):  # extra starts join the main line further along
        target = spine[rng.randrange(1, len(spine))] if len(spine) > 1 else spine[0]
        target_x = next(s["x"] for s in b.steps if s["id"] == target)
        start = b.step(target_x / COLUMN - 1, height + 1 + number % 3)
        b.flow(start, target)
    return {
        "format": "vsm-json", "version": 1, "id": f"bench-{n}-{seed}",
        "name": f"Synthetic value stream, {n} steps",
        "maps": [{"id": f"bench-map-{n}-{seed}", "name": "Current state", "kind": "current",
                  "description": f"Generated by bench/generate.py (n={n}, seed={seed}).",
                  "steps": b.steps, "flows": b.flows}],
    }


def synthetic_project(n: int, seed: int = 0) -> Project:
    """The synthetic document built through the model (what loading its file gives)."""
    return project_from_dict(synthetic_document(n, seed))


def synthetic_map(n: int, seed: int = 0) -> ValueStreamMap:
    """The one map of `synthetic_project(n, seed)`."""
    return synthetic_project(n, seed).maps[0]


def write_files(n: int, directory: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write the map as `bench-<n>.json` and `bench-<n>.vsm` in `directory`; return both paths."""
    from vsm.files.vsm_file import save_project

    directory.mkdir(parents=True, exist_ok=True)
    document = synthetic_document(n, seed)
    json_path = directory / f"bench-{n}.json"
    json_path.write_text(json.dumps(document), encoding="utf-8")
    vsm_path = directory / f"bench-{n}.vsm"
    save_project(project_from_dict(document), vsm_path)
    return json_path, vsm_path


if __name__ == "__main__":  # pragma: no cover - manual use: python bench/generate.py 1000 DIR
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("bench-maps")
    for written in write_files(size, folder):
        print(written)
