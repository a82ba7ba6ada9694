"""What stakeholders ask of one map, together: the target attainment (vsm.analysis.targets),
who holds the work (vsm.analysis.responsibility), the cost and automation candidates
(vsm.analysis.cost), the experience score and the ITIL 4 description; and their JSON, the keys
`vsm report --json` and `vsm compare --json` print (docs/analysis.md, "Report keys").

JSON numbers are the exact floats (null when missing or not finite); minutes are minutes,
shares of runs are fractions 0 to 1, percentages are percent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from vsm.analysis.cost import CostAnalysis, cost_of
from vsm.analysis.responsibility import WorkSplit, split_by
from vsm.analysis.targets import TargetAttainment, attainment
from vsm.model import Experience, ValueStreamDescription, ValueStreamMap

if TYPE_CHECKING:
    from vsm.analysis.figures import MapAnalysis
    from vsm.analysis.montecarlo import LeadTimeDistribution

__all__ = ["StakeholderFigures", "attainment_json", "cost_json", "experience_json",
           "itil_json", "split_json", "stakeholder_figures", "stakeholders_json"]


@dataclass(frozen=True)
class StakeholderFigures:
    """Everything stakeholders ask of one map. `split` is by performer or team, as asked."""

    attainment: TargetAttainment | None
    split: WorkSplit | None
    cost: CostAnalysis | None
    experience: Experience | None
    itil: ValueStreamDescription
    currency: str


def stakeholder_figures(map_: ValueStreamMap, analysis: MapAnalysis,
                        distribution: LeadTimeDistribution | None = None,
                        by: str = "performer") -> StakeholderFigures:
    """The figures of one map from its analysis (and its simulated lead time, if any)."""
    return StakeholderFigures(attainment(map_, analysis, distribution),
                              split_by(map_, analysis, by), cost_of(map_, analysis),
                              map_.experience, map_.itil, map_.currency)


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def attainment_json(target: TargetAttainment | None) -> dict[str, Any] | None:
    """{target_minutes, expected_minutes, met, gap_minutes, probability, p85_minutes, p85_met,
    steps: [{id, name, target_minutes, expected_minutes, met}]}; None without targets."""
    if target is None:
        return None
    return {"target_minutes": _number(target.target_minutes),
            "expected_minutes": _number(target.expected_minutes), "met": target.met,
            "gap_minutes": _number(target.gap_minutes),
            "probability": _number(target.probability), "p85_minutes": _number(target.p85),
            "p85_met": target.p85_met,
            "steps": [{"id": row.step_id, "name": row.name,
                       "target_minutes": _number(row.target),
                       "expected_minutes": _number(row.expected), "met": row.met}
                      for row in target.steps]}


def split_json(split: WorkSplit | None) -> dict[str, Any] | None:
    """{by, lead_time_minutes, vendor_wait_minutes, rows: [{key, label, wait_minutes,
    process_minutes, lead_minutes, percent}]}; None without a lead time."""
    if split is None:
        return None
    return {"by": split.by, "lead_time_minutes": _number(split.lead_time),
            "vendor_wait_minutes": _number(split.vendor_wait),
            "rows": [{"key": row.key, "label": row.label, "wait_minutes": _number(row.wait),
                      "process_minutes": _number(row.process), "lead_minutes": _number(row.lead),
                      "percent": _number(row.percent)} for row in split.rows]}


def cost_json(cost: CostAnalysis | None) -> dict[str, Any] | None:
    """{currency, per_item, per_period, period, per_month, demand_per_month, unpriced: [names],
    steps: [{id, name, visits, hours, rate, rate_from, cost}], steps_to_change: [{id, name,
    saving_minutes, hours, worth, worth_per_month}], automation_candidates: [{id, name,
    performer, hours_per_item, hours_per_month, worth_per_month}]}; None when not computed."""
    if cost is None:
        return None
    return {
        "currency": cost.currency, "per_item": _number(cost.per_item),
        "per_period": _number(cost.per_period), "period": cost.period,
        "per_month": _number(cost.per_month),
        "demand_per_month": _number(cost.demand_per_month), "unpriced": list(cost.unpriced),
        "steps": [{"id": row.step_id, "name": row.name, "visits": _number(row.visits),
                   "hours": _number(row.hours), "rate": _number(row.rate),
                   "rate_from": row.rate_from, "cost": _number(row.cost)}
                  for row in cost.steps],
        "steps_to_change": [{"id": row.step_id, "name": row.name,
                             "saving_minutes": _number(row.saving_minutes),
                             "hours": _number(row.hours), "worth": _number(row.worth),
                             "worth_per_month": _number(row.worth_per_month)}
                            for row in cost.savings],
        "automation_candidates": [{"id": row.step_id, "name": row.name,
                                   "performer": row.performer,
                                   "hours_per_item": _number(row.hours_per_item),
                                   "hours_per_month": _number(row.hours_per_month),
                                   "worth_per_month": _number(row.worth_per_month)}
                                  for row in cost.automation],
    }


def experience_json(experience: Experience | None) -> dict[str, Any] | None:
    """{scale, score, responses, note}; None without a score."""
    if experience is None:
        return None
    return {"scale": experience.scale, "score": _number(experience.score),
            "responses": experience.responses, "note": experience.note}


def itil_json(itil: ValueStreamDescription) -> dict[str, str]:
    """{trigger, outcome, value, stakeholders} (empty texts where not described)."""
    return {item.name: getattr(itil, item.name) for item in fields(ValueStreamDescription)}


def stakeholders_json(figures: StakeholderFigures) -> dict[str, Any]:
    """The keys `vsm report --json` adds: target, split, cost, experience, itil."""
    return {"target": attainment_json(figures.attainment), "split": split_json(figures.split),
            "cost": cost_json(figures.cost), "experience": experience_json(figures.experience),
            "itil": itil_json(figures.itil)}
