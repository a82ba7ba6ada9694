"""The stakeholder panels' counts, run in the second process (ui.document.processes, its "counts"
worker; ui.panels.stakeholder_metrics hands them over for a costly map, issue 19).

The cost and the automation candidates need every step's visits over every branch: without a
demand, a walk of the whole map (1 s at 5,000 steps), and the worth of the steps to change
recounts them once per step sending work back. Each job rebuilds the map from its copied
records (ui.document.snapshots) and gives what the panel shows. No Qt here: the child that runs
them imports only the model and the analysis.
"""

from __future__ import annotations

from ui.document.snapshots import MapRecords
from vsm.analysis import MapAnalysis
from vsm.analysis.cost import CostAnalysis, cost_of
from vsm.analysis.stakeholder_words import automation_lines


def cost_job(records: MapRecords, analysis: MapAnalysis) -> CostAnalysis | None:
    """The cost of the map copied in `records`, with the worth of its steps to change."""
    return cost_of(records.rebuild(), analysis)


def count_job(records: MapRecords, analysis: MapAnalysis
              ) -> tuple[CostAnalysis | None, list[tuple[str, str]]]:
    """The automation candidates of the map copied in `records`: its cost without the worth,
    and the candidates' lines."""
    cost = cost_of(records.rebuild(), analysis, with_savings=False)
    return cost, automation_lines(cost) if cost is not None else []
