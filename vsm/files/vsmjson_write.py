"""vsm-json documents in memory, the writing half: a Project to plain dicts (docs/file-format.md).

Split from vsm.files.vsmjson_read (the reading half: parse, check and build a Project) to keep each module a
readable size; the two share nothing but the format's name and version, which live here because
the writer stamps them on every document. Files are read and written by vsm.files.formats.

Numbers are written as ints when they are whole (95 rather than 95.0); durations as exact text
(format_exact); optional keys (origin, time ranges, due, step, kaizens, the measured cases, visits, mined
figures and a map's measured record; a step's target time, hourly rate, practices and information;
a map's target lead time, experience, currency when not "€", team rates and ITIL description) only
when they are set.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from vsm.model import (
    Flow,
    Measured,
    Project,
    Step,
    Thresholds,
    ValueStreamDescription,
    ValueStreamMap,
)
from vsm.model.durations import format_exact
from vsm.model.records import Kaizen
from vsm.model.stakeholders import DEFAULT_CURRENCY
from vsm.model.variability import RANGE_FIELDS

__all__ = ["FORMAT", "VERSION", "project_to_dict"]

FORMAT = "vsm-json"
VERSION = 1

_THRESHOLD_KEYS = tuple(f.name for f in fields(Thresholds))
_ITIL_KEYS = tuple(f.name for f in fields(ValueStreamDescription))


def _plain_number(value: float) -> int | float:
    """Whole numbers as ints (95 rather than 95.0) so the file reads naturally."""
    if float(value).is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _step_to_dict(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": step.id,
        "name": step.name,
        "activity": step.activity,
        "team": step.team,
        "performer": step.performer,
        "process_time": format_exact(step.process_time),
        "wait_time": format_exact(step.wait_time),
        "pca": _plain_number(step.pca),
        "people": _plain_number(step.people),
        "notes": step.notes,
        "x": _plain_number(step.x),
        "y": _plain_number(step.y),
    }
    if step.origin is not None:
        data["origin"] = step.origin
    for name in RANGE_FIELDS:
        if getattr(step, name) is not None:
            data[name] = format_exact(getattr(step, name))
    for name in ("cases", "visits"):
        if getattr(step, name) is not None:
            data[name] = getattr(step, name)
    if step.mined is not None:
        data["mined"] = {name: None if value is None else format_exact(value)
                         for name, value in step.mined}
    if step.target_time is not None:
        data["target_time"] = format_exact(step.target_time)
    if step.hourly_rate is not None:
        data["hourly_rate"] = _plain_number(step.hourly_rate)
    if step.practices:
        data["practices"] = list(step.practices)
    if step.information:
        data["information"] = step.information
    return data


def _flow_to_dict(flow: Flow) -> dict[str, Any]:
    data: dict[str, Any] = {"id": flow.id, "from": flow.source, "to": flow.target}
    if flow.kind != "normal":
        data["kind"] = flow.kind
    if flow.share is not None:
        data["share"] = _plain_number(flow.share)
    if flow.probability is not None:
        data["probability"] = _plain_number(flow.probability)
    if flow.cases is not None:
        data["cases"] = flow.cases
    if flow.mined is not None:
        data["mined"] = {name: None if value is None else _plain_number(value)
                         for name, value in flow.mined}
    return data


def _kaizen_to_dict(kaizen: Kaizen) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": kaizen.id,
        "title": kaizen.title,
        "description": kaizen.description,
        "waste": kaizen.waste,
        "owner": kaizen.owner,
        "status": kaizen.status,
        "expected_saving": format_exact(kaizen.expected_saving_minutes),
    }
    if kaizen.due is not None:
        data["due"] = kaizen.due
    if kaizen.step_id is not None:
        data["step"] = kaizen.step_id
    data["x"] = _plain_number(kaizen.x)
    data["y"] = _plain_number(kaizen.y)
    return data


def _measured_to_dict(measured: Measured) -> dict[str, Any]:
    data: dict[str, Any] = {"source": measured.source, "start": measured.start,
                            "end": measured.end, "cases": measured.cases,
                            "events": measured.events}
    for name in ("lead_time_p50", "lead_time_p85", "lead_time_p95"):
        value = getattr(measured, name)
        data[name] = None if value is None else format_exact(value)
    data["statistic"] = measured.statistic
    return data


def _add_stakeholders(data: dict[str, Any], map_: ValueStreamMap) -> None:
    """The keys of what stakeholders ask, where set: target_lead_time, experience, currency,
    team_rates, itil."""
    if map_.target_lead_time is not None:
        data["target_lead_time"] = format_exact(map_.target_lead_time)
    experience = map_.experience
    if experience is not None:
        data["experience"] = {"scale": experience.scale,
                              "score": _plain_number(experience.score),
                              "responses": experience.responses, "note": experience.note}
    if map_.currency != DEFAULT_CURRENCY:
        data["currency"] = map_.currency
    if map_.team_rates:
        data["team_rates"] = {team: _plain_number(rate) for team, rate in map_.team_rates.items()}
    if map_.itil:
        data["itil"] = {name: getattr(map_.itil, name) for name in _ITIL_KEYS}


def _map_to_dict(map_: ValueStreamMap) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": map_.id,
        "name": map_.name,
        "kind": map_.kind,
        "description": map_.description,
        "demand": None if map_.demand is None else _plain_number(map_.demand),
        "demand_period": map_.demand_period,
        "thresholds": {key: _plain_number(getattr(map_.thresholds, key))
                       for key in _THRESHOLD_KEYS},
    }
    _add_stakeholders(data, map_)
    data["steps"] = [_step_to_dict(step) for step in map_.steps]
    data["flows"] = [_flow_to_dict(flow) for flow in map_.flows]
    if map_.measured is not None:
        data["measured"] = _measured_to_dict(map_.measured)
    if map_.kaizens:
        data["kaizens"] = [_kaizen_to_dict(kaizen) for kaizen in map_.kaizens]
    return data


def project_to_dict(project: Project) -> dict[str, Any]:
    """The project as a vsm-json document (plain dicts, lists, strings and numbers)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "id": project.id,
        "name": project.name,
        "maps": [_map_to_dict(map_) for map_ in project.maps],
    }
