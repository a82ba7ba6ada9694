"""Refreshing a mined map from a newer log (`vsm mine LOG --update MAP.vsm`): the map mined
afresh is merged into the existing one, keeping what the user made of it.

- Steps are matched by name, ignoring case. A matched step's figure fields (its times and their
  ranges) that still equal its `mined` snapshot take the new mined values, and the snapshot
  follows; a field the user has edited since (its value differs from the snapshot) is kept, and
  so is its snapshot entry, so the next refresh keeps it too. A step without a snapshot (made by
  the user) keeps every figure. The counts (cases, visits) are always the new ones.
- Steps of the new log that the map lacks are added, right of the map, and listed.
- Mined steps (with a snapshot or counts) that the new log no longer has are flagged with a line
  in their notes ("Not in the log of …") and listed; nothing is deleted.
- Flows between steps of the new map: a flow of the same kind between the same steps takes the
  new share or probability, its snapshot and cases when it was mined (it has cases; a flow the
  user drew keeps its figures) and its share and probability still equal its `mined` snapshot
  (a flow mined before snapshots existed counts as unedited). A mined flow whose share or
  probability the user has edited keeps them and its snapshot, takes the new cases, and is
  listed; missing flows are added. Mined flows the log no longer has are removed (their shares
  would no longer add up with the new ones); flows the user drew are kept.
- Positions, kaizens, the map's settings and the other maps are untouched; the map's measured
  record is the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from vsm.errors import ModelError
from vsm.mining.build import MinedMap
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.layout import COLUMN_SPACING
from vsm.model.measured import MINED_FIELDS, flow_figures
from vsm.model.variability import RANGE_FIELDS

_DEFAULTS = Step()


@dataclass
class Refreshed:
    """What a refresh changed, by step name."""

    updated: list[str] = field(default_factory=list)  # steps whose mined figures were updated
    kept: dict[str, list[str]] = field(default_factory=dict)  # step -> edited fields kept
    added: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    flows_updated: int = 0
    flows_added: int = 0
    flows_removed: int = 0
    flows_kept: list[str] = field(default_factory=list)  # "A → B" (↺ for rework): edits kept


def _refresh_step(target: ValueStreamMap, step: Step, new: Step, done: Refreshed) -> None:
    """Update a matched step's unedited mined figures and its counts (see the module)."""
    old = dict(step.mined) if step.mined is not None else None
    fresh = dict(new.mined or ())
    snapshot: dict[str, float | None] = {}
    update: dict[str, float | None] = {}
    kept: list[str] = []
    for name in MINED_FIELDS:
        if name not in fresh:
            if old is not None and name in old:
                snapshot[name] = old[name]
            continue
        current = getattr(step, name)
        if old is None:
            unedited = False
        elif name in old:
            unedited = current == old[name]
        else:  # mined now, not before: unedited while it has its default
            unedited = current == getattr(_DEFAULTS, name)
        if unedited:
            update[name] = fresh[name]
            snapshot[name] = fresh[name]
        else:
            kept.append(name)
            if old is not None and name in old:
                snapshot[name] = old[name]
    # Ranges first cleared, then the times, then the ranges: no step passes through a range
    # that leaves out its own time. A new value an edited range refuses is kept as it was.
    for name in RANGE_FIELDS:
        if name in update:
            target.set_step_field(step.id, name, None)
    for name in sorted(update, key=lambda n: n in RANGE_FIELDS):
        if getattr(step, name) == update[name]:
            continue
        try:
            target.set_step_field(step.id, name, update[name])
        except ModelError:
            kept.append(name)
            snapshot.pop(name, None)
    changed = any(old is None or old.get(name) != value for name, value in update.items())
    target.set_step_field(step.id, "cases", new.cases)
    target.set_step_field(step.id, "visits", new.visits)
    if old is not None or snapshot:
        target.set_step_field(step.id, "mined", snapshot or None)
    if changed:
        done.updated.append(step.name)
    if kept:
        done.kept[step.name] = [name.replace("_", " ") for name in MINED_FIELDS if name in kept]


def refresh_map(target: ValueStreamMap, mined: MinedMap, log_date: str) -> Refreshed:
    """Merge the freshly mined map into `target` (see the module); `log_date` names the log in
    the note of a step it no longer has ("2026-03-31")."""
    done = Refreshed()
    new_map = mined.map
    by_name = {step.name.casefold(): step for step in target.steps}
    ids: dict[str, str] = {}  # new step id -> target step id
    right = max((step.x for step in target.steps), default=-COLUMN_SPACING)
    top = min((step.y for step in target.steps), default=0.0)
    for new in new_map.steps:
        existing = by_name.get(new.name.casefold())
        if existing is not None:
            _refresh_step(target, existing, new, done)
            ids[new.id] = existing.id
            continue
        right += COLUMN_SPACING
        added = target.add_step(replace(new, id=Step().id, x=right, y=top))
        ids[new.id] = added.id
        done.added.append(added.name)
    names = {step.name.casefold() for step in new_map.steps}
    note = f"Not in the log of {log_date}."
    for step in target.steps:
        if step.name.casefold() in names or (step.mined is None and step.cases is None):
            continue
        done.vanished.append(step.name)
        if note not in step.notes:
            notes = f"{step.notes}\n{note}" if step.notes else note
            target.set_step_field(step.id, "notes", notes)
    for flow in new_map.flows:
        source, destination = ids[flow.source], ids[flow.target]
        same = next((f for f in target.flows if f.source == source
                     and f.target == destination and f.kind == flow.kind), None)
        if same is None:
            target.add_flow(Flow(source, destination, flow.kind, flow.share, flow.probability,
                                 cases=flow.cases, mined=flow.mined))
            done.flows_added += 1
        elif same.cases is not None and same.mined not in (None, flow_figures(same)):
            ends = target.step(source).name, target.step(destination).name
            arrow = " ↺ " if same.kind == "rework" else " → "
            done.flows_kept.append(arrow.join(ends))  # edited since mined: kept
            target.set_flow_cases(same.id, flow.cases)
        elif same.cases is not None:  # mined before, unedited: the new figures
            if (same.share, same.probability, same.cases) != (flow.share, flow.probability,
                                                              flow.cases):
                done.flows_updated += 1
            target.set_flow_state(same.id, same.kind, flow.share, flow.probability)
            target.set_flow_cases(same.id, flow.cases)
            target.set_flow_mined(same.id, flow.mined)
    routes = {(ids[f.source], ids[f.target], f.kind) for f in new_map.flows}
    for flow in target.flows:  # mined routes the log no longer has: their shares are stale
        if flow.cases is not None and (flow.source, flow.target, flow.kind) not in routes:
            target.remove_flow(flow.id)
            done.flows_removed += 1
    target.set_field("measured", new_map.measured)
    return done
