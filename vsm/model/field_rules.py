"""The rules for the fields of a step and the figures of a flow: what values the model accepts.

These are pure functions of the values (no map, no events), kept apart from vsm.model.maps so that the
maps hold the structure (Project -> ValueStreamMap -> Step and Flow) and this module the field
validation: the tables of allowed codes (ACTIVITIES, PERFORMERS, FLOW_KINDS), one field at a time
(clean_step_value, clean_percent), a whole step in one pass (clean_step_fields, the fast path of
ValueStreamMap.add_step, with a cache of parsed duration texts for loading large files) and a
flow's kind against its share and probability (clean_flow_figures). Text, ids and positions keep
the limits of vsm.model.limits (characters every export can carry, bounded lengths and positions).

ModelError lives in vsm.errors; the records these rules apply to in vsm.model.records.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Protocol

from vsm.errors import ModelError
from vsm.model.durations import MAX_MINUTES, DurationError, parse_duration
from vsm.model.limits import (
    ID_SUSPECT,
    LINE_SUSPECT,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_POSITION,
    MAX_TEXT_LENGTH,
    TEXT_SUSPECT,
    check_id_text,
    clean_position,
    clean_text,
    shown,
)
from vsm.model.measured import clean_count, clean_mined
from vsm.model.practices import PRACTICES, clean_practices
from vsm.model.records import Step
from vsm.model.variability import RANGE_FIELDS, check_ranges, clean_range_bound

__all__ = ["ACTIVITIES", "FLOW_KINDS", "PERFORMERS", "STEP_FIELDS", "FlowFigures",
           "clean_flow_figures", "clean_percent", "clean_rate", "clean_target", "clean_step_fields", "clean_step_value", "finite",
           "one_of"]

ACTIVITIES: dict[str, str] = {
    "engage": "Engage",
    "plan": "Plan",
    "improve": "Improve",
    "design_transition": "Design & transition",
    "obtain_build": "Obtain/build",
    "deliver_support": "Deliver & support",
}
PERFORMERS: dict[str, str] = {
    "internal": "Internal team",
    "vendor": "Vendor",
    "customer": "Customer",
    "automated": "Automated",
}
FLOW_KINDS: dict[str, str] = {"normal": "Flow", "rework": "Rework"}
SHARE_TOLERANCE = 0.01  # percent: shares of alternative routes must sum to 100 within this

# The fields of a Step except its id, in the dataclass's order (the order in which
# clean_step_fields reports the first bad field).
STEP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Step) if f.name != "id")


def one_of(value: Any, choices: tuple[str, ...] | dict[str, Any], what: str) -> Any:
    """`value` if it is one of `choices` (their keys, for a dict); ModelError naming `what`
    and the choices otherwise."""
    if not isinstance(value, str) or value not in choices:
        raise ModelError(f"{what} must be one of {', '.join(choices)}, not {shown(value)}")
    return value


def finite(value: Any, what: str) -> float:
    """`value` as a finite float (numbers, or text such as "12" or "80%"); ModelError naming
    `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value).strip().rstrip("%"))
        except ValueError:
            raise ModelError(f"{what} must be a number, not {shown(value)}") from None
    try:
        value = float(value)
    except OverflowError:  # an int beyond the floats
        value = math.inf
    if not math.isfinite(value):
        raise ModelError(f"{what} must be a finite number, not {value!r}")
    return value


def clean_target(value: Any, what: str) -> float | None:
    """A target time (a step's, a map's lead time): None (or blank text) for none, else minutes
    (a number or a duration text) more than 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        minutes = parse_duration(value)
    except DurationError as error:
        raise ModelError(f"{what}: {error}") from None
    if minutes <= 0:
        raise ModelError(f"{what} must be more than 0")
    return minutes


def clean_rate(value: Any, what: str) -> float | None:
    """An hourly rate: None (or blank text) for none, else a finite number, 0 or more."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    rate = finite(value, what)
    if rate < 0:
        raise ModelError(f"{what} cannot be negative, not {rate:g}")
    return rate


def clean_step_value(step_name: str, name: str, value: Any) -> Any:
    """Validate and normalise one step field; raise ModelError naming the step and field.

    The field's rules (_clean_field) refuse a value with the message after the prefix naming
    the step and field, so that prefix is only formatted for a value that is refused.
    """
    try:
        return _clean_field(name, value)
    except ModelError as error:
        if name not in STEP_FIELDS:
            raise  # "steps have no field ...": nothing to prefix
        raise ModelError(f"step {shown(step_name)}: {name.replace('_', ' ')}{error}") from None


def _clean_field(name: str, value: Any) -> Any:
    """clean_step_value without the prefix: a refusal's message starts after it (" must ...")."""
    if name in ("process_time", "wait_time"):
        try:
            return parse_duration(value)
        except DurationError as error:
            raise ModelError(f": {error}") from None
    if name in RANGE_FIELDS:
        return clean_range_bound("", value)
    if name == "pca":
        pca = finite(value, "")
        if not 0 < pca <= 100:
            raise ModelError(f" must be more than 0 and at most 100, not {pca:g}")
        return pca
    if name == "people":
        people = finite(value, "")
        if people < 0:
            raise ModelError(" cannot be negative")
        return people
    if name in ("x", "y"):
        return clean_position(finite(value, ""), "")
    if name == "activity":
        return one_of(value, ACTIVITIES, "")
    if name == "performer":
        return one_of(value, PERFORMERS, "")
    if name == "origin":
        if value is not None and not isinstance(value, str):
            raise ModelError(" must be a step id")
        if value and (len(value) > MAX_ID_LENGTH or ID_SUSPECT.search(value)):
            check_id_text(value, "")  # raises, naming the problem
        return value or None
    if name in ("name", "team"):
        return clean_text(value, "").strip()
    if name == "notes":
        return clean_text(value, "", multiline=True, limit=MAX_TEXT_LENGTH)
    if name in ("cases", "visits"):
        return clean_count(value, "")
    if name == "mined":
        return clean_mined(value, "")
    if name == "target_time":
        return clean_target(value, "")
    if name == "hourly_rate":
        return clean_rate(value, "")
    if name == "practices":
        return clean_practices(value, "")
    if name == "information":
        return clean_text(value, "", multiline=True, limit=MAX_TEXT_LENGTH)
    raise ModelError(f"steps have no field {name!r}")


def clean_percent(value: Any, what: str, upper_inclusive: bool) -> float:
    """A percentage in (0, 100] or (0, 100)."""
    percent = finite(value, what)
    ok = 0 < percent <= 100 if upper_inclusive else 0 < percent < 100
    limit = "at most 100" if upper_inclusive else "less than 100"
    if not ok:
        raise ModelError(f"{what} must be more than 0 and {limit}, not {percent:g}")
    return percent


@functools.lru_cache(maxsize=4096)
def _text_minutes(text: str) -> float | None:
    """parse_duration(text), or None if it is not a duration. Files give the same few duration
    texts ("1h 30m") for many steps, so these are remembered."""
    try:
        return parse_duration(text)
    except DurationError:
        return None


def clean_step_fields(d: Mapping[str, Any]) -> dict[str, Any]:
    """A step's fields (`d`, the step's __dict__) validated and normalised as by clean_step_value,
    then the time ranges checked; the first bad field (in STEP_FIELDS order) raises ModelError
    naming the step.

    The common case, every field already clean, is checked in one expression with few calls per
    field; it returns only the fields that normalising may change (name, team and the times).
    Otherwise every field in STEP_FIELDS is returned.
    """
    limit, origin = MAX_POSITION, d["origin"]
    name, team, activity, performer = d["name"], d["team"], d["activity"], d["performer"]
    wait, process, pca, people, x, y = (d["wait_time"], d["process_time"], d["pca"], d["people"],
                                        d["x"], d["y"])
    if type(wait) is str:  # a bad text gives None: the checks below then name the first problem
        wait = _text_minutes(wait)
    if type(process) is str:
        process = _text_minutes(process)
    notes, practices, information = d["notes"], d["practices"], d["information"]
    if (type(name) is type(team) is type(activity) is type(performer) is type(notes) is str
            and activity in ACTIVITIES and performer in PERFORMERS
            and len(name) <= MAX_NAME_LENGTH and len(team) <= MAX_NAME_LENGTH
            and len(notes) <= MAX_TEXT_LENGTH and not LINE_SUSPECT.search(name)
            and not LINE_SUSPECT.search(team) and not TEXT_SUSPECT.search(notes)
            and type(wait) is type(process) is type(pca) is type(people) is type(x) is type(y)
            is float and 0.0 <= wait <= MAX_MINUTES and 0.0 <= process <= MAX_MINUTES
            and 0.0 < pca <= 100.0 and 0.0 <= people < math.inf
            and -limit <= x <= limit and -limit <= y <= limit
            and (origin is None or type(origin) is str and origin and len(origin) <= MAX_ID_LENGTH
                 and not ID_SUSPECT.search(origin))
            and d["process_time_min"] is d["process_time_max"] is d["wait_time_min"]
            is d["wait_time_max"] is d["cases"] is d["visits"] is d["mined"] is d["target_time"]
            is d["hourly_rate"] is None
            and type(information) is str and len(information) <= MAX_TEXT_LENGTH
            and not TEXT_SUSPECT.search(information)
            and type(practices) is tuple and (not practices or (
                all(type(code) is str and code in PRACTICES for code in practices)
                and len(set(practices)) == len(practices)))):  # the common case: no call per field
        return {"name": name.strip(), "team": team.strip(), "wait_time": wait,
                "process_time": process}
    values = {field_: clean_step_value(name, field_, d[field_]) for field_ in STEP_FIELDS}
    check_ranges(name, values)
    return values


class FlowFigures(Protocol):
    """What clean_flow_figures reads and normalises: vsm.model.records.Flow has these attributes."""

    source: str
    target: str
    kind: str
    share: float | None
    probability: float | None


def clean_flow_figures(flow: FlowFigures, what: str) -> None:
    """Check a flow's kind against its share and probability; normalise them (in place).

    `what` names the flow at the start of each message ("flow 'A' -> 'B'").
    """
    if flow.kind not in FLOW_KINDS:
        raise ModelError(f"{what}: kind must be 'normal' or 'rework', not {flow.kind!r}")
    if flow.kind == "normal":
        if flow.source == flow.target:
            raise ModelError(f"{what}: a step cannot flow into itself (use a rework flow)")
        if flow.probability is not None:
            raise ModelError(f"{what}: only rework flows have a probability")
        if flow.share is not None:
            flow.share = clean_percent(flow.share, f"{what}: share", upper_inclusive=True)
    else:
        if flow.share is not None:
            raise ModelError(f"{what}: rework flows have a probability, not a share")
        if flow.probability is None:
            raise ModelError(f"{what}: a rework flow needs a probability (percent)")
        flow.probability = clean_percent(flow.probability, f"{what}: probability",
                                         upper_inclusive=True)
