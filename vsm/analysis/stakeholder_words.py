"""What stakeholders ask, in words and colours: the same sentences on the metrics pane, the deck and
the A3 report (issue 18).

- `money(value, currency)`: "€412.50", "€8,250.00", "CHF 1,250.00" (as `vsm report`).
- `target_words(attainment)`: the target beside the lead time, met or missed said in words
  (never by colour alone), with ranges the chance of meeting it and the P85 against it.
- `split_segments(split)`: who holds the work as (label, minutes, percent, colour) with colours
  from vsm.palette (performers: PERFORMER_COLOURS; teams: the Okabe-Ito colours in turn).
- `cost_lines(cost)`, `worth_words(worth, currency)`, `automation_lines(cost)`.
- `description_items(map_)`: the ITIL 4 description as (heading, text), with the practices the
  steps name and the information and technology they use.

Pure Python (no python-pptx, no Qt). It lives in vsm.analysis, beside the figures it puts into
words (as vsm.analysis.flags holds the flags' labels), because the deck (vsm.export), the editor's
panels and the A3 report all use it: the panels take figures and their words from the analysis,
never from the deck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vsm.analysis.cost import CostAnalysis, SavingWorth
from vsm.analysis.responsibility import WorkSplit
from vsm.analysis.targets import TargetAttainment, attainment
from vsm.model import PERFORMERS, PRACTICES, Experience, ValueStreamMap
from vsm.model.durations import format_duration
from vsm.model.stakeholders import experience_words, money_words
from vsm.palette import (
    BLUE,
    BLUISH_GREEN,
    GREY,
    ORANGE,
    PERFORMER_COLOURS,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
)

if TYPE_CHECKING:
    from vsm.analysis.compare import MapComparison
    from vsm.analysis.figures import MapAnalysis
    from vsm.analysis.montecarlo import LeadTimeDistribution

__all__ = ["MET", "MISSED", "Segment", "automation_lines", "comparison_rows", "cost_lines",
           "description_items", "experience_line", "information_lines", "money", "practice_counts", "practices_line",
           "segment_words", "split_segments", "target_figure_rows", "target_words",
           "vendor_wait_words", "worth_words"]

MET = "✔ met"
MISSED = "✘ missed"
TEAM_COLOURS = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW, GREY)
INFORMATION = "Information and technology"  # the heading of the steps' tools
DESCRIPTION_HEADINGS = {"trigger": "Trigger", "outcome": "Outcome",
                        "value": "Value for the consumer", "stakeholders": "Stakeholders"}


def money(value: float | None, currency: str) -> str:
    """An amount with its currency, as `vsm report` writes it (vsm.model.stakeholders.
    money_words): "€412.50", "€8,250.00", "CHF 1,250.00"; "–" for None."""
    return money_words(value, currency)


def target_words(target: TargetAttainment) -> tuple[str, str]:
    """(the line beside the lead time, its tooltip). "Target 3d: ✔ met, 4h under" /
    "Target 3d: ✘ missed by 1d 2h"; with a simulation "; 72% chance of meeting it; P85 3d 4h
    ✘ over the target". Steps missing their own target are named."""
    parts, tip = target_parts(target)
    return "; ".join(parts), tip


def target_parts(target: TargetAttainment) -> tuple[list[str], str]:
    """The parts of target_words: the map's target met or missed, the chance, the P85, the
    steps' own targets (each present when known), and the tooltip."""
    parts: list[str] = []
    tip: list[str] = []
    if target.target_minutes is not None:
        head = f"Target {format_duration(target.target_minutes)}: "
        gap = target.gap_minutes
        if target.met is None or gap is None:
            head += "not computed"
        elif target.met:
            head += MET + (f", {format_duration(-gap)} under" if gap < 0 else "")
        else:
            head += f"{MISSED} by {format_duration(gap)}"
        parts.append(head)
        tip.append("Met when the lead time (most likely times) is at most the target: "
                   f"{format_duration(target.expected_minutes)} vs "
                   f"{format_duration(target.target_minutes)}.")
        if target.probability is not None:
            parts.append(f"{100 * target.probability:.0f}% chance of meeting it")
            tip.append("Chance: the share of the simulated items done within the target.")
        if target.p85 is not None:
            verdict = "✔ within" if target.p85_met else "✘ over"
            parts.append(f"P85 {format_duration(target.p85)} {verdict} the target")
            tip.append("P85: 85% of the simulated items are done within it — the promise that "
                       "can be made to stakeholders.")
    missed = target.missed_steps
    if missed:
        parts.append("steps over their target: " + ", ".join(
            f"{row.name} ({format_duration(row.expected)} > {format_duration(row.target)})"
            for row in missed))
    elif len(target.steps) == 1:
        parts.append(f"{target.steps[0].name} within its target")
    elif target.steps:
        parts.append(f"all {len(target.steps)} steps with a target within it")
    return parts, " ".join(tip)


def experience_line(map_: ValueStreamMap) -> str:
    """"Experience: CSAT 78% (412 responses)", or "" when not measured."""
    return "" if map_.experience is None else f"Experience: {experience_words(map_.experience)}"


@dataclass(frozen=True)
class Segment:
    """One part of the stacked bar of who holds the work."""

    key: str
    label: str
    minutes: float
    percent: float | None
    colour: str  # "#RRGGBB"


def split_segments(split: WorkSplit) -> list[Segment]:
    """The rows of the split with their colours: a performer's own colour, teams the palette's
    colours in turn (in the split's order, longest first)."""
    segments = []
    for index, row in enumerate(split.rows):
        colour = (PERFORMER_COLOURS.get(row.key, GREY) if split.by == "performer"
                  else TEAM_COLOURS[index % len(TEAM_COLOURS)])
        segments.append(Segment(row.key, row.label, row.lead, row.percent, colour))
    return segments


def segment_words(segment: Segment) -> str:
    """"Vendor 14h 20m (45.2%)"."""
    percent = "" if segment.percent is None else f" ({segment.percent:.1f}%)"
    return f"{segment.label} {format_duration(segment.minutes)}{percent}"


def vendor_wait_words(split: WorkSplit) -> str:
    """"Waiting on vendors: 12h (38.1% of the lead time)", or "" when no wait is at a vendor."""
    if split.vendor_wait <= 0:
        return ""
    share = (f" ({100 * split.vendor_wait / split.lead_time:.1f}% of the lead time)"
             if split.lead_time > 0 else "")
    return f"Waiting on vendors: {format_duration(split.vendor_wait)}{share}"


def cost_lines(cost: CostAnalysis) -> list[str]:
    """"Cost per item: €412.50", "per week: €8,250 (20 items)", "per month: €35,750";
    the steps without a rate; or why there is no cost."""
    if cost.per_item is None:
        return ["Cost: no step has an hourly rate (set the team rates in the map settings)"]
    lines = [f"Cost per item: {money(cost.per_item, cost.currency)}"]
    if cost.per_period is not None and cost.period is not None:
        lines.append(f"per {cost.period}: {money(cost.per_period, cost.currency)}")
    if cost.per_month is not None and cost.period != "month":
        lines.append(f"per month: {money(cost.per_month, cost.currency)}")
    if cost.unpriced:
        lines.append("not priced (no rate): " + ", ".join(cost.unpriced))
    return lines


def worth_words(worth: SavingWorth | None, currency: str) -> str:
    """What a step to change is worth: "worth €120/item, €2,400/month"; "" when nothing is
    known (no rate), "no labour saved" for a wait (a wait costs nothing)."""
    if worth is None or worth.worth is None:  # (callers leave it out where nothing is priced)
        return ""
    if worth.worth == 0:
        return "no labour saved"
    text = f"worth {money(worth.worth, currency)}/item"
    if worth.worth_per_month is not None:
        text += f", {money(worth.worth_per_month, currency)}/month"
    return text


def automation_lines(cost: CostAnalysis, limit: int | None = None) -> list[tuple[str, str]]:
    """(step id, "1. Triage — 86.7 h/month freed (€5,200/month) · internal") for the automation
    candidates, most hours first; per item when the map has no demand."""
    lines = []
    for rank, row in enumerate(cost.automation[:limit], start=1):
        if row.hours_per_month is not None:
            hours = f"{row.hours_per_month:,.1f} h/month freed"
        else:
            hours = f"{row.hours_per_item:,.2f} h per item freed"
        worth = (f" ({money(row.worth_per_month, cost.currency)}/month)"
                 if row.worth_per_month is not None else "")
        who = PERFORMERS.get(row.performer, row.performer).lower()
        lines.append((row.step_id, f"{rank}. {row.name} — {hours}{worth} · {who}"))
    return lines


def practice_counts(map_: ValueStreamMap) -> list[tuple[str, int]]:
    """(practice label, number of steps naming it), most steps first, then in ITIL 4's order."""
    counts: dict[str, int] = {}
    for step in map_.steps:
        for code in step.practices:
            counts[code] = counts.get(code, 0) + 1
    order = {code: index for index, code in enumerate(PRACTICES)}
    return [(PRACTICES[code], count)
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))]


def practices_line(map_: ValueStreamMap) -> str:
    """'Incident management (2 steps), Service desk (1 step)', or ''."""
    return ", ".join(f"{label} ({count} step{'s' if count != 1 else ''})"
                     for label, count in practice_counts(map_))


def description_items(map_: ValueStreamMap) -> list[tuple[str, str]]:
    """The ITIL 4 description as (heading, text): trigger, outcome, value, stakeholders (those
    written), the practices the steps name, and each step's information and technology."""
    items = [(heading, getattr(map_.itil, key).strip())
             for key, heading in DESCRIPTION_HEADINGS.items() if getattr(map_.itil, key).strip()]
    practices = practices_line(map_)
    if practices:
        items.append(("ITIL 4 practices", practices))
    tools = "; ".join(information_lines(map_))
    if tools:
        items.append((INFORMATION, tools))
    return items


def information_lines(map_: ValueStreamMap) -> list[str]:
    """Each step's information and technology, "step: what it uses" (its spaces and line breaks
    made single spaces), for the steps that name any, in the map's order."""
    return [f"{step.name}: {' '.join(step.information.split())}"
            for step in map_.steps if step.information.strip()]


# ---------------------------------------------------------------- figures and comparison rows


def target_figure_rows(map_: ValueStreamMap, result: MapAnalysis,
                       simulated: LeadTimeDistribution | None = None) -> list[list[str]]:
    """Rows (figure, value, what it means) for the figures table: the target and the experience
    score, when the map has them."""
    rows = []
    found = attainment(map_, result, simulated) if result.ok else None
    if found is not None:
        text, tip = target_words(found)
        rows.append(["Target", text, tip or "Each step's own lead time against its target."])
    if map_.experience is not None:
        note = f" {map_.experience.note}" if map_.experience.note else ""
        rows.append(["Experience", experience_words(map_.experience),
                     "The experience score measured with the value stream's consumers." + note])
    return rows


def _attained(target: TargetAttainment | None) -> str:
    if target is None or target.target_minutes is None:
        return "–"
    if target.met is None:
        return f"not computed ({format_duration(target.target_minutes)})"
    return f"{MET if target.met else MISSED} ({format_duration(target.target_minutes)})"


def _attainment_change(before: TargetAttainment | None, after: TargetAttainment | None) -> str:
    known = [t.met for t in (before, after)
             if t is not None and t.target_minutes is not None and t.met is not None]
    if len(known) < 2:
        return "–"
    first, second = ("met" if met else "missed" for met in known)
    return f"still {first}" if first == second else f"{first} → {second}"


def _short_experience(experience: Experience | None) -> str:
    if experience is None:
        return "–"
    return (f"CSAT {experience.score:.4g}%" if experience.scale == "csat"
            else f"{experience.score:.3g} of 5")


def comparison_rows(comparison: MapComparison) -> list[list[str]]:
    """Rows (figure, from, to, change) of what stakeholders ask, for the comparison table:
    the target met or missed, the chance of meeting it, the experience, the cost per item and
    the wait on vendors, each where either map has it."""
    before, after = comparison.before_figures, comparison.after_figures
    rows: list[list[str]] = []
    targets = [f.attainment if f is not None else None for f in (before, after)]
    if any(t is not None and t.target_minutes is not None for t in targets):
        rows.append(["Target lead time", _attained(targets[0]), _attained(targets[1]),
                     _attainment_change(*targets)])
        chances = [t.probability if t is not None else None for t in targets]
        if any(c is not None for c in chances):
            change = ("–" if None in chances else
                      f"{100 * (chances[1] - chances[0]):+.0f} pts")  # type: ignore[operator]
            rows.append(["Chance of meeting it", *(
                "–" if c is None else f"{100 * c:.0f}%" for c in chances), change])
    experiences = [f.experience if f is not None else None for f in (before, after)]
    if any(e is not None for e in experiences):
        a, b = experiences
        change = "–"
        if a is not None and b is not None and a.scale == b.scale:
            change = (f"{b.score - a.score:+.0f} pts" if a.scale == "csat"
                      else f"{b.score - a.score:+.2g}")
        rows.append(["Experience", _short_experience(a), _short_experience(b), change])
    cost = comparison.cost_per_item
    if cost.from_ is not None or cost.to is not None:
        either = after or before
        currency = either.currency if either is not None else "€"
        change = "–"
        if cost.delta is not None:
            sign = "+" if cost.delta >= 0 else "-"
            change = f"{sign}{money(abs(cost.delta), currency)}"
            if cost.delta_percent is not None:
                change += f" ({cost.delta_percent:+.1f}%)"
        rows.append(["Cost per item", money(cost.from_, before.currency if before else currency),
                     money(cost.to, after.currency if after else currency), change])
    waits = [f.split.vendor_wait if f is not None and f.split is not None else None
             for f in (before, after)]
    if any(w for w in waits):
        change = ("–" if None in waits else
                  _signed_duration(waits[1] - waits[0]))  # type: ignore[operator]
        rows.append(["Waiting on vendors", *(format_duration(w) for w in waits), change])
    return rows


def _signed_duration(minutes: float) -> str:
    if minutes == 0:
        return "0m"
    return ("+" if minutes > 0 else "-") + format_duration(abs(minutes))
