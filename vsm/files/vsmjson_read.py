"""vsm-json documents in memory: a project to plain dicts and back (docs/file-format.md).

Loading happens in two phases: the JSON data is first parsed into plain records, checking every
type and required key; the records are then built into a Project through the model's API
(ValueStreamMap(...), add_step, add_flow, add_kaizen), which applies the model's own rules. Any
failure on the way, whatever raised it, comes out as one FileFormatError that names the map,
step, flow or kaizen. Error text is only formatted for a value that is refused (_fast_step and
_fast_flow are phase 1's fast path; phase 2 names a step or flow once the model refuses it).

The checks of single values (text, numbers, durations, lists, ids) and how messages name things
are vsm.files.vsmjson_checks. Writing (project_to_dict, with FORMAT and VERSION) is in
vsm.files.vsmjson_write.
Files (reading, atomic writing, choosing the format by suffix) are in vsm.files.formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from vsm.errors import FileFormatError
from vsm.files import vsmjson_checks as check
from vsm.files.vsmjson_checks import InvalidDocument
from vsm.files.vsmjson_write import FORMAT, VERSION
from vsm.model import (
    Experience,
    Flow,
    Measured,
    ModelError,
    Project,
    Step,
    Thresholds,
    ValueStreamDescription,
    ValueStreamMap,
    new_id,
)
from vsm.model.durations import DurationError, parse_duration
from vsm.model.limits import shown
from vsm.model.records import Kaizen
from vsm.model.variability import RANGE_FIELDS

_STEP_DEFAULTS = Step()
_KAIZEN_DEFAULTS = Kaizen()
_MAP_DEFAULTS = ValueStreamMap()
_THRESHOLD_KEYS = tuple(f.name for f in fields(Thresholds))
_ITIL_KEYS = tuple(f.name for f in fields(ValueStreamDescription))


# ---------------------------------------------------------------- plain records


@dataclass
class _FlowRecord:
    number: int  # 1-based position in the map's "flows" list
    id: str | None
    source: str
    target: str
    kind: str
    share: float | None
    probability: float | None
    cases: Any = None  # measured; the model checks it
    mined: Any = None  # measured: {"share": percent or null, ...}; the model checks it


@dataclass
class _MapRecord:
    id: str | None
    name: str
    settings: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)  # keyword arguments of Step()
    flows: list[_FlowRecord] = field(default_factory=list)
    kaizens: list[dict[str, Any]] = field(default_factory=list)  # keyword arguments of Kaizen()


@dataclass
class _ProjectRecord:
    id: str | None
    name: str
    maps: list[_MapRecord]


# ---------------------------------------------------------------- phase 1: parse


_NUMBER, _DURATION, _NULLABLE_NUMBER = {int, float}, {int, float, str}, {int, float, type(None)}
_STEP_NUMBERS = ("process_time", "wait_time", "pca", "people", "x", "y")  # ints become floats
_NO_RANGES = dict.fromkeys(RANGE_FIELDS)
_MEASURED_KEYS = frozenset(("cases", "visits", "mined"))  # a step's optional measured data
_STAKEHOLDER_KEYS = frozenset(("target_time", "hourly_rate", "practices", "information"))
_NO_STAKEHOLDERS = {"target_time": None, "hourly_rate": None, "practices": (), "information": ""}
_NO_MEASURES = dict.fromkeys(_MEASURED_KEYS)
_MEASURED_DURATIONS = ("lead_time_p50", "lead_time_p85", "lead_time_p95")


def _fast_step(data: Any) -> dict[str, Any] | None:
    """_parse_step's result for a step whose values all have their plain JSON types and which has
    no time range keys, else None (then _parse_step finds any problem and names it). Builds no
    error text and calls no checking helper per key."""
    if (type(data) is not dict or not data.keys().isdisjoint(RANGE_FIELDS)
            or not data.keys().isdisjoint(_MEASURED_KEYS)
            or not data.keys().isdisjoint(_STAKEHOLDER_KEYS)):
        return None
    get, defaults = data.get, _STEP_DEFAULTS
    values = {"id": get("id"), "name": get("name"), "activity": get("activity", defaults.activity),
              "team": get("team", defaults.team), "performer": get("performer", defaults.performer),
              "notes": get("notes", defaults.notes), "origin": get("origin"),
              "process_time": get("process_time", defaults.process_time),
              "wait_time": get("wait_time", defaults.wait_time), "pca": get("pca", defaults.pca),
              "people": get("people", defaults.people), "x": get("x", defaults.x),
              "y": get("y", defaults.y), **_NO_RANGES, **_NO_MEASURES, **_NO_STAKEHOLDERS}
    origin, process, wait = values["origin"], values["process_time"], values["wait_time"]
    if not (type(values["id"]) is type(values["name"]) is type(values["activity"])
            is type(values["team"]) is type(values["performer"]) is type(values["notes"]) is str
            and values["id"] and (origin is None or type(origin) is str)
            and type(process) in _DURATION and type(wait) in _DURATION
            and type(values["pca"]) in _NUMBER and type(values["people"]) in _NUMBER
            and type(values["x"]) in _NUMBER and type(values["y"]) in _NUMBER):
        return None
    try:
        for name in _STEP_NUMBERS:
            if type(values[name]) is int:
                values[name] = float(values[name])
    except OverflowError:
        return None
    values["origin"] = origin or None
    return values


def _fast_flow(data: Any, number: int) -> _FlowRecord | None:
    """_parse_flow's result for a flow whose values all have their plain JSON types, else None."""
    if type(data) is not dict:
        return None
    get = data.get
    source, target, kind, flow_id = get("from"), get("to"), get("kind", "normal"), get("id")
    share, probability = get("share"), get("probability")
    if get("cases") is not None:
        return None
    if not (type(source) is type(target) is type(kind) is str
            and (flow_id is None or type(flow_id) is str)
            and type(share) in _NULLABLE_NUMBER and type(probability) in _NULLABLE_NUMBER):
        return None
    try:
        return _FlowRecord(number, flow_id or None, source, target, kind,
                           None if share is None else float(share),
                           None if probability is None else float(probability))
    except OverflowError:
        return None


def _parse_step(value: Any, map_where: str, number: int) -> dict[str, Any]:
    """One step as keyword arguments for Step(...); errors name it by name, else id, else number."""
    data = check.object_(value, f"{map_where}, step {number}")
    if "id" not in data:
        raise InvalidDocument(f"{map_where}, step {number}: missing required key 'id'")
    step_id = data["id"]
    if not isinstance(step_id, str) or not step_id:
        raise InvalidDocument(f"{map_where}, step {number}: id must be non-empty text, "
                              f"not {shown(step_id)}")
    name = check.text(data, "name", f"{map_where}, step {shown(step_id)}")
    where = f"{map_where}, step {check.label(name, step_id)}"
    defaults = _STEP_DEFAULTS
    origin = data.get("origin")
    if origin is not None and not isinstance(origin, str):
        raise InvalidDocument(f"{where}: origin must be a step id (text) or null, "
                       f"not {check.type_name(origin)}")
    return {
        "id": step_id,
        "name": name,
        "activity": check.text(data, "activity", where, defaults.activity),
        "team": check.text(data, "team", where, defaults.team),
        "performer": check.text(data, "performer", where, defaults.performer),
        "process_time": check.duration(data, "process_time", where, defaults.process_time),
        "wait_time": check.duration(data, "wait_time", where, defaults.wait_time),
        "pca": check.number(data, "pca", where, defaults.pca),
        "people": check.number(data, "people", where, defaults.people),
        "notes": check.text(data, "notes", where, defaults.notes),
        "x": check.number(data, "x", where, defaults.x),
        "y": check.number(data, "y", where, defaults.y),
        "origin": origin or None,
        **{name: check.duration(data, name, where, None) for name in RANGE_FIELDS},
        "cases": data.get("cases"),
        "visits": data.get("visits"),
        "mined": _mined(data, where),
        "target_time": check.duration(data, "target_time", where, None),
        "hourly_rate": check.number(data, "hourly_rate", where, None, nullable=True),
        "practices": _practices(data, where),
        "information": check.text(data, "information", where, defaults.information),
    }


def _practices(data: dict[str, Any], where: str) -> tuple[str, ...]:
    """A step's "practices": a list of texts (codes of ITIL 4 practices; the model checks them)."""
    value = data.get("practices")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidDocument(f"{where}: practices must be a list of texts (ITIL 4 practice "
                              f"codes), not {check.type_name(value)}")
    return tuple(value)


def _experience(data: dict[str, Any], where: str) -> Experience | None:
    """A map's "experience" object; the model checks its values."""
    if data.get("experience") is None:
        return None
    where = f"{where}: experience"
    experience = check.object_(data["experience"], where)
    responses = experience.get("responses")
    if responses is not None and not check.is_number(responses):
        raise InvalidDocument(f"{where}: responses must be a whole number or null, "
                              f"not {check.type_name(responses)}")
    if "score" not in experience:
        raise InvalidDocument(f"{where}: missing required key 'score'")
    return Experience(scale=check.text(experience, "scale", where),
                      score=check.number(experience, "score", where, 0.0),
                      responses=responses, note=check.text(experience, "note", where, ""))


def _team_rates(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A map's "team_rates" object (team name -> hourly rate); the model checks the values."""
    if data.get("team_rates") is None:
        return {}
    rates = check.object_(data["team_rates"], f"{where}: team_rates")
    for team, rate in rates.items():
        if not check.is_number(rate):
            raise InvalidDocument(f"{where}: team_rates: the rate of {shown(team)} must be a "
                                  f"number, not {check.type_name(rate)}")
    return dict(rates)


def _itil(data: dict[str, Any], where: str) -> ValueStreamDescription:
    """A map's "itil" object (trigger, outcome, value, stakeholders: texts)."""
    if data.get("itil") is None:
        return ValueStreamDescription()
    where = f"{where}: itil"
    itil = check.object_(data["itil"], where)
    return ValueStreamDescription(**{key: check.text(itil, key, where, "") for key in _ITIL_KEYS})


def _minutes(data: dict[str, Any], key: str, where: str) -> float | None:
    """An optional duration (minutes or text) as minutes; the model checks its range."""
    value = check.duration(data, key, where, None)
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except DurationError as error:
            raise InvalidDocument(f"{where}: {key}: {error}") from None
    return value


def _mined(data: dict[str, Any], where: str) -> dict[str, Any] | None:
    """A step's "mined" object (figure: duration) as minutes; the model checks the figures."""
    if data.get("mined") is None:
        return None
    mined = check.object_(data["mined"], f"{where}: mined")
    return {key: _minutes(mined, key, f"{where}: mined") for key in mined}


def _measured(data: dict[str, Any], where: str) -> Measured | None:
    """A map's "measured" object; the model checks its values."""
    if data.get("measured") is None:
        return None
    where = f"{where}: measured"
    measured = check.object_(data["measured"], where)
    defaults = Measured()
    return Measured(
        source=check.text(measured, "source", where, defaults.source),
        start=_nullable_text(measured, "start", where), end=_nullable_text(measured, "end", where),
        cases=measured.get("cases", 0), events=measured.get("events", 0),
        **{key: _minutes(measured, key, where) for key in _MEASURED_DURATIONS},
        statistic=check.text(measured, "statistic", where, defaults.statistic))


def _parse_flow(value: Any, number: int, map_where: str) -> _FlowRecord:
    where = f"{map_where}, flow {number}"
    data = check.object_(value, where)
    source = check.text(data, "from", where)
    target = check.text(data, "to", where)
    where = f"{where} ({check.clip(source)} -> {check.clip(target)})"
    return _FlowRecord(
        number=number,
        id=check.optional_id(data, where),
        source=source,
        target=target,
        kind=check.text(data, "kind", where, "normal"),
        share=check.number(data, "share", where, None, nullable=True),
        probability=check.number(data, "probability", where, None, nullable=True),
        cases=data.get("cases"),
        mined=_flow_mined(data, where),
    )


def _flow_mined(data: dict[str, Any], where: str) -> tuple[tuple[str, Any], ...] | None:
    """A flow's "mined" object (share, probability: percent or null); the model checks it."""
    if data.get("mined") is None:
        return None
    return tuple(check.object_(data["mined"], f"{where}: mined").items())


def _nullable_text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidDocument(f"{where}: {key} must be text or null, not {check.type_name(value)}")
    return value or None


def _parse_kaizen(value: Any, map_where: str, number: int) -> dict[str, Any]:
    """One kaizen as keyword arguments for Kaizen(...); errors name it by title, else number."""
    data = check.object_(value, f"{map_where}, kaizen {number}")
    title = check.text(data, "title", f"{map_where}, kaizen {number}")
    where = f"{map_where}, kaizen {check.label(title, number)}"
    defaults = _KAIZEN_DEFAULTS
    values = {
        "title": title,
        "description": check.text(data, "description", where, defaults.description),
        "waste": check.text(data, "waste", where, defaults.waste),
        "owner": check.text(data, "owner", where, defaults.owner),
        "due": _nullable_text(data, "due", where),
        "status": check.text(data, "status", where, defaults.status),
        "expected_saving_minutes": check.duration(data, "expected_saving", where,
                                             defaults.expected_saving_minutes),
        "step_id": _nullable_text(data, "step", where),
        "x": check.number(data, "x", where, defaults.x),
        "y": check.number(data, "y", where, defaults.y),
    }
    kaizen_id = check.optional_id(data, where)
    if kaizen_id is not None:
        values["id"] = kaizen_id
    return values


def _parse_map(value: Any, number: int) -> _MapRecord:
    where = f"map {number}"
    data = check.object_(value, where)
    name = check.text(data, "name", where, _MAP_DEFAULTS.name)
    where = f"map {check.label(name, number)}"
    thresholds_data = check.object_(data.get("thresholds", {}), f"{where}: thresholds")
    thresholds = Thresholds(**{
        key: check.number(thresholds_data, key, f"{where}: thresholds", getattr(Thresholds(), key))
        for key in _THRESHOLD_KEYS})
    settings = {
        "kind": check.text(data, "kind", where, _MAP_DEFAULTS.kind),
        "description": check.text(data, "description", where, _MAP_DEFAULTS.description),
        "demand": check.number(data, "demand", where, _MAP_DEFAULTS.demand, nullable=True),
        "demand_period": check.text(data, "demand_period", where, _MAP_DEFAULTS.demand_period),
        "thresholds": thresholds,
        "measured": _measured(data, where),
        "target_lead_time": check.duration(data, "target_lead_time", where, None),
        "experience": _experience(data, where),
        "currency": check.text(data, "currency", where, _MAP_DEFAULTS.currency),
        "team_rates": _team_rates(data, where),
        "itil": _itil(data, where),
    }
    record = _MapRecord(check.optional_id(data, where), name, settings)
    for index, step in enumerate(check.list_(data, "steps", where, required=False), start=1):
        record.steps.append(_fast_step(step) or _parse_step(step, where, index))
    for index, flow in enumerate(check.list_(data, "flows", where, required=False), start=1):
        record.flows.append(_fast_flow(flow, index) or _parse_flow(flow, index, where))
    for index, kaizen in enumerate(check.list_(data, "kaizens", where, required=False), start=1):
        record.kaizens.append(_parse_kaizen(kaizen, where, index))
    return record


def _parse_project(data: Any) -> _ProjectRecord:
    if not isinstance(data, dict):
        raise InvalidDocument("not a vsm-json file: the top level must be an object, "
                       f"not {check.type_name(data)}")
    if data.get("format") != FORMAT:
        found = "no 'format' key" if "format" not in data else f"format is {shown(data['format'])}"
        raise InvalidDocument(f"not a vsm-json file ({found}; expected \"format\": \"{FORMAT}\")")
    if "version" not in data:
        raise InvalidDocument("missing required key 'version'")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidDocument(f"version must be a whole number, not {check.type_name(version)}")
    if version > VERSION:
        raise InvalidDocument(f"made by a newer version of the app (file version {version}, this one "
                       f"reads version {VERSION}); upgrade to open it")
    if version < 1:
        raise InvalidDocument(f"unknown file version {version}")
    name = check.text(data, "name", "project", "Untitled")
    if not name.strip():
        raise InvalidDocument("project: name cannot be empty")
    maps = [_parse_map(map_, number) for number, map_ in
            enumerate(check.list_(data, "maps", "project", required=True), start=1)]
    return _ProjectRecord(check.optional_id(data, "project"), name.strip(), maps)


# ---------------------------------------------------------------- phase 2: build


def _build_map(record: _MapRecord, number: int) -> ValueStreamMap:
    """The map of a record, built through the model's API. Error text is only made once the
    model refuses something: the message then names the step or flow as in the file."""
    try:
        map_ = ValueStreamMap(name=record.name, id=record.id, **record.settings)
    except ModelError as error:  # named by its number when its name is the problem
        message = str(error).removeprefix(f"map {shown(record.name)}: ")
        raise InvalidDocument(f"map {check.label(record.name, number)}: {message}") from None
    add_step, add_flow = map_.add_step, map_.add_flow
    for values in record.steps:
        try:
            add_step(Step(**values))
        except ModelError as error:
            raise InvalidDocument(_step_refused(map_, record, values, error)) from None
    for flow in record.flows:
        try:
            add_flow(Flow(flow.source, flow.target, flow.kind, flow.share, flow.probability,
                          flow.id or new_id(), flow.cases, flow.mined))
        except ModelError as error:
            raise InvalidDocument(_flow_refused(map_, record, flow, error)) from None
    for number, values in enumerate(record.kaizens, start=1):
        _build_kaizen(map_, values, number)
    return map_


def _step_refused(map_: ValueStreamMap, record: _MapRecord, values: dict[str, Any],
                  error: ModelError) -> str:
    """Why the model refused a step of the file: its id is taken, or the model's message."""
    step_id = values["id"]
    where = f"map {record.name!r}, step {check.label(values['name'], step_id)}"
    if map_.has_step(step_id):  # the ids are non-empty text, so this is what add_step refused
        first = next(other for other in record.steps if other["id"] == step_id)
        return (f"{where}: the id {step_id!r} is already used by "
                f"step {check.label(first['name'], first['id'])}")
    prefix = f"step {shown(values['name'])}: "
    return f"{where}: {str(error).removeprefix(prefix)}"


def _flow_refused(map_: ValueStreamMap, record: _MapRecord, flow: _FlowRecord,
                  error: ModelError) -> str:
    """Why the model refused a flow of the file: a step is not in the map, its id is taken, or
    the model's message (without the model's own naming of the flow)."""
    where = (f"map {record.name!r}, flow {flow.number} "
             f"({check.clip(flow.source)} -> {check.clip(flow.target)})")
    for step_id in (flow.source, flow.target):
        if not map_.has_step(step_id):
            return f"{where}: step {shown(step_id)} is not in the map"
    if flow.id is not None and map_.has_flow(flow.id):
        return f"{where}: another flow already has the id {flow.id!r}"
    prefix = f"flow {map_.step(flow.source).name!r} -> {map_.step(flow.target).name!r}: "
    return f"{where}: {str(error).removeprefix(prefix)}"


def _build_kaizen(map_: ValueStreamMap, values: dict[str, Any], number: int) -> None:
    title = values["title"]
    where = f"map {map_.name!r}, kaizen {check.label(title, number)}"
    if values["step_id"] is not None and not map_.has_step(values["step_id"]):
        raise InvalidDocument(f"{where}: step {shown(values['step_id'])} is not in the map")
    if "id" in values and map_.has_kaizen(values["id"]):
        raise InvalidDocument(f"{where}: another kaizen already has the id {values['id']!r}")
    try:
        map_.add_kaizen(Kaizen(**values))
    except ModelError as error:
        message = str(error).removeprefix(f"kaizen {shown(title)}: ")
        raise InvalidDocument(f"{where}: {message}") from None


def _build_project(record: _ProjectRecord) -> Project:
    try:
        project = Project(name=record.name, id=record.id)
    except ModelError as error:
        raise InvalidDocument(str(error)) from None
    for number, map_record in enumerate(record.maps, start=1):
        map_ = _build_map(map_record, number)
        if any(other.id == map_.id for other in project.maps):
            raise InvalidDocument(f"map {map_record.name!r}: another map already has the id {map_.id!r}")
        project.add_map(map_)
    return project


def unexpected_reason(error: Exception) -> str:
    """The reason given for an error no check foresaw (a bug to report, never a traceback)."""
    return f"could not be read ({type(error).__name__}: {error})"


def project_from_dict(data: Any, path: str | Path = "<data>") -> Project:
    """Build a Project from a vsm-json document; FileFormatError(path, reason) if it is not one."""
    try:
        return _build_project(_parse_project(data))
    except InvalidDocument as error:
        raise FileFormatError(path, str(error)) from None
    except RecursionError:
        raise FileFormatError(path, "the data is nested too deeply") from None
    except Exception as error:  # the boundary: nothing else escapes the loader
        raise FileFormatError(path, unexpected_reason(error)) from error
