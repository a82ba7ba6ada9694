"""The compute floor of bench/responsiveness.py: a fixed piece of the kind of work the GUI thread
does in a big edit, timed in the same process as the actions, so that a table's blocks can be
read against how fast the machine ran during that run.

The idle-loop floor (the longest gap of an idle event loop) does not see a machine that runs
slower: this shared 2-core VM ran the same code 1.5-2x slower for hours at a time, which moved
every block by as much. The workload is the same in every run: the model's removal of every
step of a 2,000-step synthetic map and its restoration (vsm.model.bulk: the loops a Delete and
its Undo run), then 10,000 canvas-like items made, hidden, shown and taken off a scene (the Qt
calls a Delete's take-off makes). Its median over ROUNDS runs is the floor: a block divided by
it compares across runs made while the machine ran at different speeds.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from operator import methodcaller

ROUNDS = 5
MAP_STEPS = 2000
ITEMS = 10_000


def _model_work(map_: object) -> None:
    step_ids = [step.id for step in map_.steps]  # type: ignore[attr-defined]
    removal = map_.remove_items(step_ids)  # type: ignore[attr-defined]
    map_.restore_items(removal)  # type: ignore[attr-defined]


def _qt_work() -> None:
    from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

    scene = QGraphicsScene()
    items = [QGraphicsRectItem(float(n % 100) * 20, float(n // 100) * 20, 16, 16)
             for n in range(ITEMS)]
    deque(map(scene.addItem, items), 0)
    deque(map(methodcaller("setVisible", False), items), 0)
    deque(map(methodcaller("setVisible", True), items), 0)
    deque(map(scene.removeItem, items), 0)


def measure(rounds: int = ROUNDS) -> float:
    """The median time of the workload over `rounds` runs, in seconds (a QApplication must
    exist: the items are Qt's)."""
    from bench.generate import synthetic_map

    map_ = synthetic_map(MAP_STEPS, seed=1)
    _model_work(map_)  # warm: the first run pays for imports and first allocations
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        _model_work(map_)
        _qt_work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
