"""The improvement plan: every kaizen burst of a project, soonest due first, and the kaizen a
step to change suggests.

`improvement_plan(project)` lists the kaizens as PlanRow records (with the names of their map and
step); `kaizen_from_step_to_change` pre-fills a new kaizen from a flagged step of the analysis.
The plan as a spreadsheet (CSV) is written by vsm.export.plan_csv.
"""

from __future__ import annotations

from dataclasses import dataclass

from vsm.analysis.figures import StepToChange
from vsm.model.kaizen import KAIZEN_ABOVE_STEP, KAIZEN_STACK
from vsm.model.maps import ValueStreamMap
from vsm.model.project import Project
from vsm.model.records import Kaizen

# The waste and the title a kaizen made from a step to change gets from the step's first flag.
FLAG_WASTES: dict[str, str] = {
    "bottleneck": "waiting",
    "long_wait": "waiting",
    "low_pca": "defects",
    "rework": "defects",
    "vendor_handoff": "transport",
    "over_capacity": "waiting",  # overburden shows as queues in front of the step
}
FLAG_TITLES: dict[str, str] = {
    "bottleneck": "Remove the wait before {step}",
    "long_wait": "Remove the wait before {step}",
    "low_pca": "Get the output of {step} complete and accurate",
    "rework": "Stop the rework after {step}",
    "vendor_handoff": "Smooth the vendor handoff at {step}",
    "over_capacity": "Balance the load at {step}",
}


def kaizen_from_step_to_change(item: StepToChange, map_: ValueStreamMap) -> Kaizen:
    """A new kaizen for a flagged step, pre-filled from the analysis (not yet added to the map).

    The first flag sets the title and the waste (FLAG_TITLES, FLAG_WASTES); the description is
    the analysis's reasons, one per line; the expected saving is the step's saving; the kaizen is
    attached to the step and placed above it, above any kaizens the step already has.
    """
    step = map_.step(item.step_id)
    flag = item.flags[0] if item.flags else "long_wait"
    return Kaizen(
        title=FLAG_TITLES.get(flag, FLAG_TITLES["long_wait"]).format(step=step.name),
        description="\n".join(item.reasons),
        waste=FLAG_WASTES.get(flag, "waiting"),
        expected_saving_minutes=max(0.0, item.saving),
        step_id=step.id,
        x=step.x,
        y=step.y - KAIZEN_ABOVE_STEP - KAIZEN_STACK * len(map_.kaizens_of(step.id)),
    )


@dataclass(frozen=True)
class PlanRow:
    """One line of the improvement plan: a kaizen with the names of its map and step."""

    map_id: str
    map_name: str
    kaizen_id: str
    title: str
    description: str
    step_name: str  # "" for a kaizen that is not attached to a step
    waste: str
    owner: str
    due: str | None
    status: str
    expected_saving_minutes: float


def improvement_plan(project: Project) -> list[PlanRow]:
    """Every kaizen of the project, soonest due first (no due date last), then largest saving.

    Ties keep the order of the maps and of their kaizens.
    """
    rows = []
    for map_ in project.maps:
        for kaizen in map_.kaizens:
            step_name = map_.step(kaizen.step_id).name if kaizen.step_id else ""
            rows.append(PlanRow(map_.id, map_.name, kaizen.id, kaizen.title, kaizen.description,
                                step_name, kaizen.waste, kaizen.owner, kaizen.due, kaizen.status,
                                kaizen.expected_saving_minutes))
    return sorted(rows, key=lambda r: (r.due is None, r.due or "", -r.expected_saving_minutes))
