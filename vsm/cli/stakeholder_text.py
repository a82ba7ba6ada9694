"""The text of what stakeholders ask, for `vsm report` and `vsm compare`: the target line, the
experience score, who holds the work, the cost, the worth of the steps to change, the automation
candidates and the ITIL 4 description (the JSON is vsm.analysis.stakeholders')."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vsm.model.durations import format_duration
from vsm.model.practices import practices_words
from vsm.model.stakeholders import experience_words
from vsm.model.stakeholders import money_words as money

if TYPE_CHECKING:
    from vsm.analysis.cost import CostAnalysis
    from vsm.analysis.responsibility import WorkSplit
    from vsm.analysis.stakeholders import StakeholderFigures
    from vsm.analysis.targets import TargetAttainment
    from vsm.model import ValueStreamMap

PERIOD_WORDS = {"day": "a day", "week": "a week", "month": "a month"}
ITIL_LABELS = (("trigger", "Trigger"), ("outcome", "Outcome"), ("value", "Value"),
               ("stakeholders", "Stakeholders"))


def share(value: float | None) -> str:
    """A share of runs (0 to 1) as a whole percentage: "62%"."""
    return "–" if value is None else f"{100 * value:.0f}%"


def target_words(target: TargetAttainment) -> str:
    """The map's target line: "2d: missed by 4h (expected 2d 4h); 17% of runs within it;
    P85 2d 12h, over the target"."""
    if target.target_minutes is None:
        missed = len(target.missed_steps)
        return (f"none for the map; {missed} of {len(target.steps)} step target"
                f"{'s' if len(target.steps) != 1 else ''} missed")
    text = format_duration(target.target_minutes)
    gap = target.gap_minutes
    if target.met is None or gap is None:
        text += ": not computed"
    elif target.met:
        text += f": met ({format_duration(-gap)} to spare)" if gap < 0 else ": met, exactly"
    else:
        text += f": MISSED by {format_duration(gap)} (expected {format_duration(target.expected_minutes)})"
    if target.probability is not None:
        text += f"; {share(target.probability)} of simulated runs within it"
    if target.p85 is not None:
        text += (f"; P85 {format_duration(target.p85)}, "
                 f"{'within' if target.p85_met else 'over'} the target")
    return text


def report_rows(figures: StakeholderFigures) -> list[tuple[str, str]]:
    """Rows for the figures block: Target, Step targets missed, Experience, Cost."""
    rows: list[tuple[str, str]] = []
    target = figures.attainment
    if target is not None:
        rows.append(("Target", target_words(target)))
        missed = target.missed_steps
        if missed and target.target_minutes is not None:
            rows.append(("Step targets", "missed at " + ", ".join(
                f"{row.name} ({format_duration(row.expected)} > {format_duration(row.target)})"
                for row in missed)))
    if figures.experience is not None:
        note = f" — {figures.experience.note}" if figures.experience.note else ""
        rows.append(("Experience", experience_words(figures.experience) + note))
    cost = figures.cost
    if cost is not None and (cost.per_item is not None or cost.unpriced):
        rows.append(("Cost", cost_words(cost)))
    return rows


def cost_words(cost: CostAnalysis) -> str:
    """"€140.00 per item, €5,600.00 a week, €24,266.67 a month (no rate: C)"."""
    if cost.per_item is None:
        return "no rates: give the teams an hourly rate"
    parts = [f"{money(cost.per_item, cost.currency)} per item"]
    if cost.per_period is not None and cost.period is not None and cost.period != "month":
        parts.append(f"{money(cost.per_period, cost.currency)} {PERIOD_WORDS[cost.period]}")
    if cost.per_month is not None:
        parts.append(f"{money(cost.per_month, cost.currency)} a month")
    text = ", ".join(parts)
    if cost.unpriced:
        text += f" (no rate: {', '.join(cost.unpriced[:5])}"
        text += f" and {len(cost.unpriced) - 5} more)" if len(cost.unpriced) > 5 else ")"
    return text


def split_lines(split: WorkSplit) -> list[str]:
    """The block "Who holds the work (by performer)": one line per row, then the vendor wait."""
    lines = [f"Who holds the work (by {split.by})"]
    width = max((len(row.label) for row in split.rows), default=0)
    for row in split.rows:
        percent = "–" if row.percent is None else f"{row.percent:5.1f}%"
        lines.append(f"  {row.label:<{width}}  {percent}  {format_duration(row.lead)} "
                     f"(wait {format_duration(row.wait)}, process {format_duration(row.process)})")
    if split.vendor_wait > 0:
        lines.append(f"  Waiting on vendors: {format_duration(split.vendor_wait)}")
    return lines


def worth_words(figures: StakeholderFigures) -> dict[str, str]:
    """step id -> " — worth €x per item, €y a month" for the steps to change whose change saves
    labour."""
    cost = figures.cost
    if cost is None:
        return {}
    words = {}
    for row in cost.savings:
        if row.worth:
            text = f"worth {money(row.worth, cost.currency)} per item"
            if row.worth_per_month is not None:
                text += f", {money(row.worth_per_month, cost.currency)} a month"
            words[row.step_id] = f"{text} (the rework it repeats)"
    return words


def automation_lines(cost: CostAnalysis, most: int = 5) -> list[str]:
    """The block "Automation candidates": the first `most`, hours freed first."""
    if not cost.automation:
        return []
    lines = ["Automation candidates (people-hours automating them would free)"]
    for number, row in enumerate(cost.automation[:most], start=1):
        if row.hours_per_month is not None:
            text = f"{row.hours_per_month:,.1f} h a month"
        else:
            text = f"{row.hours_per_item:,.2f} h per item"
        if row.worth_per_month is not None:
            text += f", worth {money(row.worth_per_month, cost.currency)} a month"
        lines.append(f"  {number}. {row.name} ({row.performer}) — {text}")
    if len(cost.automation) > most:
        lines.append(f"  … and {len(cost.automation) - most} more")
    return lines


def description_lines(map_: ValueStreamMap) -> list[str]:
    """The block "ITIL 4 description": trigger, outcome, value, stakeholders (those given), then
    each step's practices and information."""
    lines: list[str] = []
    for name, label in ITIL_LABELS:
        text = getattr(map_.itil, name)
        if text:
            lines.append(f"  {label + ':':<14}{' '.join(text.split())}")
    steps = [step for step in map_.steps if step.practices or step.information]
    for step in steps:
        parts = [practices_words(step.practices), step.information]
        lines.append(f"  · {step.name}: " + " — ".join(" ".join(p.split()) for p in parts if p))
    return ["ITIL 4 description", *lines] if lines else []


def report_blocks(map_: ValueStreamMap, figures: StakeholderFigures) -> list[list[str]]:
    """The blocks after the figures: who holds the work, automation candidates, the ITIL 4
    description (each a list of lines; empty ones left out)."""
    blocks = []
    if figures.split is not None and figures.split.rows:
        blocks.append(split_lines(figures.split))
    if figures.cost is not None:
        blocks.append(automation_lines(figures.cost))
    blocks.append(description_lines(map_))
    return [block for block in blocks if block]


def compare_rows(comparison: Any) -> list[tuple[str, str]]:
    """Rows for `vsm compare`: Target, Experience, Cost per item, and each performer's share of
    the lead time, current -> future."""
    before, after = comparison.before_figures, comparison.after_figures
    if before is None or after is None:
        return []
    rows: list[tuple[str, str]] = []
    if before.attainment is not None or after.attainment is not None:
        rows.append(("Target", f"{_target_short(before.attainment)} → "
                               f"{_target_short(after.attainment)}"))
    if before.experience is not None or after.experience is not None:
        rows.append(("Experience", " → ".join(
            "–" if e is None else experience_words(e) for e in (before.experience,
                                                                 after.experience))))
    cost = comparison.cost_per_item
    if cost.from_ is not None or cost.to is not None:
        text = f"{money(cost.from_, before.currency)} → {money(cost.to, after.currency)}"
        if cost.delta == 0:
            text += " (no change)"
        elif cost.delta is not None and before.currency == after.currency:
            text += f" ({'+' if cost.delta > 0 else ''}{money(cost.delta, after.currency)}"
            text += f", {cost.delta_percent:+.1f}%)" if cost.delta_percent is not None else ")"
        rows.append(("Cost per item", text))
    if before.split is not None and after.split is not None:
        keys = dict.fromkeys([*(r.key for r in before.split.rows),
                              *(r.key for r in after.split.rows)])
        for key in keys:
            old, new = before.split.row(key), after.split.row(key)
            label = (old or new).label
            rows.append((f"{label} share", f"{_percent(old)} → {_percent(new)}"))
    return rows


def _percent(row: Any) -> str:
    return "–" if row is None or row.percent is None else f"{row.percent:.1f}%"


def _target_short(target: TargetAttainment | None) -> str:
    if target is None or target.target_minutes is None:
        return "no target"
    state = "–" if target.met is None else "met" if target.met else "missed"
    text = f"{state} ({format_duration(target.expected_minutes)} for {format_duration(target.target_minutes)})"
    if target.probability is not None:
        text += f", {share(target.probability)} likely"
    return text
