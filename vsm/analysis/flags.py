"""Flags: what the analysis points at in a map, and the one table of their names, labels, badges
and colours that the canvas, the report and the deck all use.

A step is flagged as a bottleneck (the biggest single saving), for a long wait (removing it
saves at least the map's long-wait threshold of the lead time), low %C&A (the next step can use
too little of its output as it is: PCA_MEANING), rework (at least the rework threshold goes
back), a vendor handoff (a vendor step next to another team) or over
capacity (utilisation above the threshold, vsm.analysis.capacity); each flag comes with one
sentence saying why (docs/analysis.md, "Flags").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from vsm.analysis.capacity import over_capacity_reasons
from vsm.analysis.structure import Structure
from vsm.model import Step, ValueStreamMap, route_percent
from vsm.model.durations import format_duration
from vsm.palette import BLUE, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW


@dataclass(frozen=True)
class Flag:
    """How a flag reads and looks everywhere: its label, a short badge, the badge's colour and
    the text colour that reads on it (the badge text keeps the meaning without colour)."""

    label: str
    badge: str
    colour: str  # "#RRGGBB"
    text_colour: str


FLAGS: dict[str, Flag] = {
    "bottleneck": Flag("Bottleneck", "BN", VERMILLION, "#FFFFFF"),
    "long_wait": Flag("Long wait", "W", ORANGE, "#000000"),
    "low_pca": Flag("Low %C&A", "%", YELLOW, "#000000"),
    "rework": Flag("Rework", "R", REDDISH_PURPLE, "#000000"),
    "vendor_handoff": Flag("Vendor handoff", "V", SKY_BLUE, "#000000"),
    "over_capacity": Flag("Over capacity", "C", BLUE, "#FFFFFF"),
}
FLAG_LABELS: dict[str, str] = {name: flag.label for name, flag in FLAGS.items()}

# What a step's %C&A means, in the words every text about it uses (docs/analysis.md, "What %C&A
# means"): Martin and Osterling's measure of the quality of a step's output, recorded on the step
# that produces the work and judged by the step that receives it.
PCA_MEANING = "the share of the step's output that the next step can use as it is"


def handoff_key(step: Step) -> str:
    """Who holds the work at a step: its team (case-insensitive), else its performer.

    Work changes hands along a flow when the keys of its two steps differ.
    """
    return step.team.casefold() if step.team else step.performer


def flags_and_reasons(map_: ValueStreamMap, s: Structure, lead_time: float | None,
                      savings: dict[str, float], utilisation: dict[str, float],
                      visits: dict[str, float]) -> tuple[dict[str, list[str]],
                                                         dict[str, list[str]]]:
    """Flags and one human reason per flag, for every step, from the map's figures: its lead
    time, each step's saving, and (with a demand) its utilisation and visits."""
    limits = map_.thresholds
    steps = {st.id: st for st in map_.steps}
    lead = lead_time or 0.0
    flags: dict[str, list[str]] = {v: [] for v in steps}
    reasons: dict[str, list[str]] = {v: [] for v in steps}
    rank = {v: i for i, v in enumerate(s.order)}  # equal savings: the upstream step, as the
    top = max(steps, key=lambda v: (savings[v], -rank.get(v, len(rank))))  # steps to change
    over = over_capacity_reasons(map_, utilisation, visits)

    def percent_of_lead(minutes: float) -> str:
        return f"{100 * minutes / lead:.0f}% of the lead time" if lead else ""

    vendors = {v for v, step in steps.items() if step.performer == "vendor"}
    neighbours: dict[str, list[Step]] = defaultdict(list)
    if vendors:
        for flow in map_.flows:
            if flow.kind == "normal" and (flow.source in vendors or flow.target in vendors):
                neighbours[flow.source].append(steps[flow.target])
                neighbours[flow.target].append(steps[flow.source])
    low_pca, rework_percent = limits.low_pca_percent, limits.rework_percent
    for v, step in steps.items():
        saving = savings[v]
        if saving > 0:
            if v == top:
                flags[v].append("bottleneck")
                reasons[v].append(
                    f"Biggest single saving: removing its {format_duration(step.wait_time)}"
                    f" wait cuts the lead time by {format_duration(saving)} "
                    f"({percent_of_lead(saving)}).")
            if lead and 100 * saving / lead >= limits.long_wait_percent:
                flags[v].append("long_wait")
                reasons[v].append(f"Work waits {format_duration(step.wait_time)} before this "
                                  f"step; removing the wait saves {format_duration(saving)} "
                                  f"({percent_of_lead(saving)}).")
        if step.pca < low_pca:
            flags[v].append("low_pca")
            reasons[v].append(f"The next step can use only {step.pca:g}% of its output as it "
                              f"is, complete and accurate (below {low_pca:g}%).")
        if s.rework[v]:
            back = 100 * s.rho(v)
            if back >= rework_percent:
                targets = ", ".join(repr(steps[t].name) for t, _ in s.rework[v])
                flags[v].append("rework")
                reasons[v].append(f"{route_percent(back)} of its work goes back for rework "
                                  f"(to {targets}).")
        if v in vendors:
            others = sorted({_label(o) for o in neighbours[v]
                             if handoff_key(o) != handoff_key(step)})
            if others:
                flags[v].append("vendor_handoff")
                reasons[v].append(f"Vendor step: work changes hands with {', '.join(others)}; "
                                  "each handoff adds queueing and contract friction.")
        if v in over:
            flags[v].append("over_capacity")
            reasons[v].append(over[v])
    return flags, reasons


def _label(step: Step) -> str:
    return step.team or step.performer
