"""The live analysis's job in the second process (ui.document.processes, issue 19).

A large map's analysis (ui.document.live_analysis) runs in a child process: on a worker thread it
still held the GUI thread's interpreter, and every Qt call into Python (a paint, an item's
bounds, a slot) waited for it. The child keeps each map's `vsm.analysis.Analyser` between jobs,
under the key the document gives it (`<document token>:<map id>`), so an edit of times reuses
the structure found before, as on the GUI side; `forget` drops a closed document's or a removed
map's. No Qt here: the child imports only what the jobs need.
"""

from __future__ import annotations

import time

from ui.document.snapshots import MapRecords
from vsm.analysis import Analyser, MapAnalysis
from vsm.analysis.pane_figures import PaneFigures, pane_figures

ANALYSERS: dict[str, Analyser] = {}  # in the process that runs the jobs: key -> its Analyser


def analyse_copy(key: str, records: MapRecords) -> tuple[MapAnalysis, float, PaneFigures]:
    """Analyse the map copied in `records` with the Analyser kept for `key`: its analysis, the
    seconds the analysis took (the copy's rebuilding aside) and the metrics pane's figures of
    the same copy."""
    analyser = ANALYSERS.get(key)
    if analyser is None:
        analyser = ANALYSERS[key] = Analyser()
    twin = records.rebuild()
    started = time.perf_counter()
    analysis = analyser.analyse(twin)
    seconds = time.perf_counter() - started
    return analysis, seconds, pane_figures(twin, analysis)


def forget(prefix: str) -> int:
    """Drop the Analysers whose key starts with `prefix` (a document's token, or a map's whole
    key); how many were dropped."""
    gone = [key for key in ANALYSERS if key.startswith(prefix)]
    for key in gone:
        del ANALYSERS[key]
    return len(gone)
