"""Comparing two maps (typically the current state and a future state): the headline figures
from / to / delta, and the steps added, removed and changed, matched by lineage, not by name.

Lineage. A step's lineage is its own id followed by its `origin`, the origin's origin and so on
(`lineage`). The chain is followed through the steps of the two maps compared and of any other
maps given as `context` (compare_maps(..., context=project.maps)), so a future state copied from
another future state still leads back to the current state. Two steps match when their lineages
share an id. That covers:

- a future step whose origin is the current step (duplicate_map(..., keep_origin=True));
- the same comparison the other way round (future as `before`, current as `after`);
- two future states copied from the same current state (their steps share an origin);
- a future of a future compared with the current state, through the intermediate map;
- a step with the same id in both maps (a map compared with itself, hand-written files).

Matching is one to one. When several pairs are possible (a step split in two), the closest pair
wins: fewest origin links between the two steps, then the order of `after`, then of `before`.
Steps of `after` left without a partner are *added*; steps of `before` without one are *removed*.
A matched pair whose fields differ is *changed*; the fields compared are every Step field except
id, origin, x and y (positions are layout, not a change to the work), so the time ranges (minimum
and maximum process and wait times) count too. Durations are compared and reported as minutes.
A renamed step is therefore changed, never removed and added.

Pure Python: no Qt. docs/analysis.md ("Comparing maps") describes the same rules for people.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from vsm.analysis.figures import MapAnalysis, analyse
from vsm.analysis.flags import handoff_key
from vsm.analysis.stakeholders import (
    StakeholderFigures,
    attainment_json,
    experience_json,
    split_json,
    stakeholder_figures,
)
from vsm.model import ACTIVITIES, PERFORMERS, STEP_FIELDS, Step, ValueStreamMap
from vsm.model.durations import format_duration
from vsm.model.practices import practices_words
from vsm.model.variability import RANGE_FIELDS

if TYPE_CHECKING:
    from vsm.analysis.montecarlo import LeadTimeDistribution

COMPARED_FIELDS: tuple[str, ...] = tuple(f for f in STEP_FIELDS if f not in ("origin", "x", "y", "cases", "visits", "mined"))
FIELD_LABELS: dict[str, str] = {
    "name": "name", "activity": "activity", "team": "team", "performer": "performer",
    "process_time": "process time", "wait_time": "wait time", "pca": "%C&A", "people": "people",
    "notes": "notes", "process_time_min": "process time minimum",
    "process_time_max": "process time maximum", "wait_time_min": "wait time minimum",
    "wait_time_max": "wait time maximum", "target_time": "target time",
    "hourly_rate": "hourly rate", "practices": "practices",
    "information": "information and technology",
}
# Headline figures: key (as in the JSON) -> (label, unit). Units: "minutes", "percent", "count".
METRICS: dict[str, tuple[str, str]] = {
    "lead_time_minutes": ("Lead time", "minutes"),
    "process_time_minutes": ("Process time", "minutes"),
    "flow_efficiency_percent": ("Flow efficiency", "percent"),
    "rolled_pca_percent": ("Rolled %C&A", "percent"),
    "step_count": ("Steps", "count"),
    "handoffs": ("Handoffs", "count"),
    "vendor_handoffs": ("Vendor handoffs", "count"),
}


@dataclass(frozen=True)
class MetricDelta:
    """One figure in both maps. None where a map's figure cannot be computed; delta_percent is
    None too when `from_` is 0."""

    from_: float | None
    to: float | None
    delta: float | None
    delta_percent: float | None

    @classmethod
    def of(cls, from_: float | None, to: float | None) -> MetricDelta:
        """The delta (to - from) and the delta as a percentage of `from_`."""
        if from_ is None or to is None:
            return cls(from_, to, None, None)
        delta = to - from_
        return cls(from_, to, delta, 100.0 * delta / from_ if from_ else None)


@dataclass
class StepChange:
    """A step present in both maps whose fields differ: field -> (before, after)."""

    id: str  # the step in `after`
    name: str  # its name in `after`
    origin_id: str  # the step of `before` it was matched with
    fields: dict[str, tuple[Any, Any]]


@dataclass
class MapComparison:
    """Everything that differs between two maps (see the module docstring for the rules)."""

    before: ValueStreamMap
    after: ValueStreamMap
    metrics: dict[str, MetricDelta]
    added: list[Step]  # steps of `after`, in its order
    removed: list[Step]  # steps of `before`, in its order
    changed: list[StepChange]  # in the order of `after`
    matches: list[tuple[Step, Step]] = field(default_factory=list)  # (before, after), after's order
    before_analysis: MapAnalysis = field(default_factory=MapAnalysis)
    after_analysis: MapAnalysis = field(default_factory=MapAnalysis)
    # What stakeholders ask of each map (vsm.analysis.stakeholders): target attainment, the split
    # by performer, cost, experience. The probability of meeting a target needs each map's
    # simulated lead time (compare_maps' `distributions`).
    before_figures: StakeholderFigures | None = None
    after_figures: StakeholderFigures | None = None

    @property
    def cost_per_item(self) -> MetricDelta:
        """The cost per item, before and after (None where a map has no priced step)."""
        def cost(figures: StakeholderFigures | None) -> float | None:
            return None if figures is None or figures.cost is None else figures.cost.per_item
        return MetricDelta.of(cost(self.before_figures), cost(self.after_figures))

    def stakeholders_json(self) -> dict[str, Any]:
        """The keys of what stakeholders ask in `vsm compare --json`: target, experience,
        cost_per_item (with the currencies) and split_by_performer, each {"from", "to"}."""
        before, after = self.before_figures, self.after_figures
        cost = self.cost_per_item

        def pair(make: Any, name: str) -> dict[str, Any]:
            return {"from": None if before is None else make(getattr(before, name)),
                    "to": None if after is None else make(getattr(after, name))}
        return {
            "target": pair(attainment_json, "attainment"),
            "experience": pair(experience_json, "experience"),
            "cost_per_item": {"from": _json_number(cost.from_), "to": _json_number(cost.to),
                              "delta": _json_number(cost.delta),
                              "delta_percent": _json_number(cost.delta_percent),
                              "currency": pair(str, "currency")},
            "split_by_performer": pair(split_json, "split"),
        }

    def to_json_dict(self) -> dict[str, Any]:
        """The `vsm compare --json` document (numbers are the exact floats; null when missing)."""
        data: dict[str, Any] = {"from": self.before.name, "to": self.after.name}
        for key, metric in self.metrics.items():
            data[key] = {"from": _json_number(metric.from_), "to": _json_number(metric.to),
                         "delta": _json_number(metric.delta),
                         "delta_percent": _json_number(metric.delta_percent)}
        data["steps"] = {
            "added": [{"id": s.id, "name": s.name} for s in self.added],
            "removed": [{"id": s.id, "name": s.name} for s in self.removed],
            "changed": [{"id": c.id, "name": c.name, "from_id": c.origin_id,
                         "fields": {name: {"from": _json_value(old), "to": _json_value(new)}
                                    for name, (old, new) in c.fields.items()}}
                        for c in self.changed],
        }
        data["problems"] = {
            "from": [p.message for p in self.before_analysis.problems if p.blocking],
            "to": [p.message for p in self.after_analysis.problems if p.blocking],
        }
        data.update(self.stakeholders_json())
        return data


def _json_number(value: float | None) -> float | int | None:
    if value is None or not math.isfinite(value):
        return None
    if isinstance(value, int):
        return value
    return float(value)


def _json_value(value: Any) -> Any:
    return _json_number(value) if isinstance(value, (int, float)) else value


# ---------------------------------------------------------------- figures


def count_handoffs(map_: ValueStreamMap) -> tuple[int, int]:
    """(handoffs, vendor handoffs): the ordinary flows whose two steps are held by different
    teams (vsm.analysis.figures.handoff_key), and those of them with a vendor step at either end."""
    steps = {s.id: s for s in map_.steps}
    handoffs = vendor = 0
    for flow in map_.flows:
        if flow.kind != "normal":
            continue
        source, target = steps[flow.source], steps[flow.target]
        if handoff_key(source) != handoff_key(target):
            handoffs += 1
            vendor += "vendor" in (source.performer, target.performer)
    return handoffs, vendor


def headline_figures(map_: ValueStreamMap, result: MapAnalysis) -> dict[str, float | None]:
    """The figures compared, keyed as METRICS."""
    handoffs, vendor = count_handoffs(map_)
    return {
        "lead_time_minutes": result.lead_time,
        "process_time_minutes": result.process_time,
        "flow_efficiency_percent": result.flow_efficiency_percent,
        "rolled_pca_percent": result.rolled_pca_percent,
        "step_count": len(map_.steps),
        "handoffs": handoffs,
        "vendor_handoffs": vendor,
    }


# ---------------------------------------------------------------- lineage


def _origins(maps: Iterable[ValueStreamMap]) -> dict[str, str]:
    """step id -> origin id over the maps (the first map with that step id wins)."""
    origins: dict[str, str] = {}
    for map_ in maps:
        for step in map_.steps:
            if step.origin and step.id not in origins:
                origins[step.id] = step.origin
    return origins


def lineage(step: Step, origins: Mapping[str, str] | None = None) -> list[str]:
    """The step's id, its origin, the origin's origin... (`origins`: step id -> origin id of the
    steps that can be passed through). Stops at an id already seen, so a loop cannot hang it."""
    origins = origins or {}
    chain = [step.id]
    current = step.origin
    while current and current not in chain:
        chain.append(current)
        current = origins.get(current)
    return chain


def origin_map(map_: ValueStreamMap, maps: Iterable[ValueStreamMap]) -> ValueStreamMap | None:
    """The map `map_` was copied from: of the other `maps`, the one holding the most of its
    steps' origin ids (ties: the earlier map). None when no origin is a step of another map."""
    origins = {step.origin for step in map_.steps if step.origin}
    best, best_count = None, 0
    for other in maps:
        if other is map_ or other.id == map_.id:
            continue
        count = sum(1 for step in other.steps if step.id in origins)
        if count > best_count:
            best, best_count = other, count
    return best


def match_steps(before: ValueStreamMap, after: ValueStreamMap,
                context: Iterable[ValueStreamMap] = ()) -> list[tuple[Step, Step]]:
    """The pairs (before step, after step) that are the same step by lineage, in after's order."""
    origins = _origins([before, after, *context])
    reach: dict[str, list[tuple[int, int]]] = defaultdict(list)  # id -> (depth, index in before)
    for i, step in enumerate(before.steps):
        for depth, ancestor in enumerate(lineage(step, origins)):
            reach[ancestor].append((depth, i))
    candidates: list[tuple[int, int, int]] = []  # (origin links between them, after, before)
    for j, step in enumerate(after.steps):
        closest: dict[int, int] = {}
        for depth, ancestor in enumerate(lineage(step, origins)):
            for other_depth, i in reach.get(ancestor, ()):
                closest[i] = min(closest.get(i, depth + other_depth), depth + other_depth)
        candidates += [(links, j, i) for i, links in closest.items()]
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for _, j, i in sorted(candidates):
        if j not in partner and i not in taken:
            partner[j] = i
            taken.add(i)
    before_steps, after_steps = before.steps, after.steps
    return [(before_steps[partner[j]], after_steps[j]) for j in sorted(partner)]


def step_differences(before: Step, after: Step) -> dict[str, tuple[Any, Any]]:
    """field -> (before, after) for each of COMPARED_FIELDS that differs."""
    return {name: (getattr(before, name), getattr(after, name)) for name in COMPARED_FIELDS
            if getattr(before, name) != getattr(after, name)}


def compare_maps(before: ValueStreamMap, after: ValueStreamMap,
                 context: Iterable[ValueStreamMap] = (),
                 distributions: tuple[LeadTimeDistribution | None,
                                      LeadTimeDistribution | None] = (None, None)
                 ) -> MapComparison:
    """Compare two maps; `context`: other maps whose steps origin chains may pass through
    (pass the project's maps); `distributions`: each map's simulated lead time, if any (for the
    probability of meeting its target)."""
    before_result, after_result = analyse(before), analyse(after)
    before_figures = headline_figures(before, before_result)
    after_figures = headline_figures(after, after_result)
    metrics = {key: MetricDelta.of(before_figures[key], after_figures[key]) for key in METRICS}
    matches = match_steps(before, after, context)
    matched_before = {b.id for b, _ in matches}
    matched_after = {a.id for _, a in matches}
    changed = [StepChange(new.id, new.name, old.id, differences) for old, new in matches
               if (differences := step_differences(old, new))]
    return MapComparison(
        before, after, metrics,
        added=[s for s in after.steps if s.id not in matched_after],
        removed=[s for s in before.steps if s.id not in matched_before],
        changed=changed, matches=matches,
        before_analysis=before_result, after_analysis=after_result,
        before_figures=stakeholder_figures(before, before_result, distributions[0]),
        after_figures=stakeholder_figures(after, after_result, distributions[1]))


# ---------------------------------------------------------------- words for people


def format_metric(key: str, value: float | None) -> str:
    """A figure for people: '1d 2h', '24.4%', '12'; '–' when missing."""
    if value is None or not math.isfinite(value):
        return "–"
    unit = METRICS[key][1]
    if unit == "minutes":
        return format_duration(value)
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:g}"


def format_delta(key: str, metric: MetricDelta) -> str:
    """The change for people: '-16h 30m, -63.5%', '+28.2 pts, +115.6%', 'no change', or ''
    when a figure is missing."""
    if metric.delta is None:
        return ""
    if metric.delta == 0:
        return "no change"
    sign = "+" if metric.delta > 0 else "-"
    unit = METRICS[key][1]
    size = abs(metric.delta)
    if unit == "minutes":
        text = f"{sign}{format_duration(size)}"
    elif unit == "percent":
        text = f"{sign}{size:.1f} pts"
    else:
        text = f"{sign}{size:g}"
    if metric.delta_percent is not None:
        text += f", {metric.delta_percent:+.1f}%"
    return text


def format_field_value(name: str, value: Any) -> str:
    """A step field's value for people: durations as '2d 4h', %C&A as '85%', labels for ids."""
    if name in ("process_time", "wait_time"):
        return format_duration(value)
    if name in (*RANGE_FIELDS, "target_time"):  # a bound or target, None when not set
        return "(none)" if value is None else format_duration(value)
    if name == "hourly_rate":
        return "(none)" if value is None else f"{value:g}"
    if name == "practices":
        return practices_words(value) or "(none)"
    if name == "pca":
        return f"{value:g}%"
    if name == "people":
        return f"{value:g}"
    if name == "activity":
        return ACTIVITIES.get(value, value)
    if name == "performer":
        return PERFORMERS.get(value, value)
    return f"'{value}'" if value else "(none)"


def describe_field_change(name: str, before: Any, after: Any) -> str:
    """One changed field for people: 'wait time 2d → 4h'; notes only say that they changed."""
    label = FIELD_LABELS.get(name, name.replace("_", " "))
    if name in ("notes", "information"):
        return f"{label} changed"
    return f"{label} {format_field_value(name, before)} → {format_field_value(name, after)}"
