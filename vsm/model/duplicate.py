"""Copying a value-stream map: a deep copy with new ids (a duplicate, a future state), and a
name no other map has yet."""

from __future__ import annotations

import copy
from dataclasses import replace

from vsm.model.maps import ValueStreamMap
from vsm.model.records import new_id


def duplicate_map(map_: ValueStreamMap, name: str, kind: str | None = None,
                  keep_origin: bool = False) -> ValueStreamMap:
    """A deep copy with new ids for the map, its steps, flows and kaizens; the map's settings
    come along (demand, thresholds, target lead time, experience, currency, team rates, ITIL
    description), and each step's fields (practices, information, target, rate...).

    With keep_origin, each new step's `origin` is the id of the step it was copied from (a future
    state remembers its lineage); otherwise origins are copied as they are. Kaizens stay attached
    to the copies of their steps. What a log measured comes along: the map's Measured record
    (frozen, shared), the counts and mined snapshots of steps and flows.
    """
    clone = ValueStreamMap(name, kind or map_.kind, map_.description, map_.demand,
                           map_.demand_period, copy.copy(map_.thresholds),
                           measured=map_.measured, target_lead_time=map_.target_lead_time,
                           experience=map_.experience, currency=map_.currency,
                           team_rates=map_.team_rates, itil=map_.itil)
    new_ids: dict[str, str] = {}
    for step in map_.steps:
        twin = copy.copy(step)
        twin.id = new_id()
        twin.origin = step.id if keep_origin else step.origin
        new_ids[step.id] = twin.id
        clone.add_step(twin)
    for flow in map_.flows:
        clone.add_flow(replace(flow, id=new_id(), source=new_ids[flow.source],
                               target=new_ids[flow.target]))
    for kaizen in map_.kaizens:
        clone.add_kaizen(replace(kaizen, id=new_id(), step_id=new_ids.get(kaizen.step_id or "")))
    return clone


def future_state_of(map_: ValueStreamMap, name: str) -> ValueStreamMap:
    """A future state copied from `map_`: new ids, every step's origin the step it was copied
    from, flows kept, kaizens left behind (they belong to the map they were written for), and
    the Measured record too (the log measured today's process, not the future one); the counts
    behind the copied figures stay."""
    future = duplicate_map(map_, name, kind="future", keep_origin=True)
    future.set_field("measured", None)
    for kaizen in future.kaizens:
        future.remove_kaizen(kaizen.id)
    return future


def unused_name(base: str, taken: set[str]) -> str:
    """`base`, or `base 2`, `base 3`... whichever no map has yet."""
    if base not in taken:
        return base
    return next(f"{base} {n}" for n in range(2, len(taken) + 3) if f"{base} {n}" not in taken)
