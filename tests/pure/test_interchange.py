"""vsm-json: round trips, leniency (defaults, unknown keys) and one clear error per problem."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import sys
import types
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsm.errors import FileFormatError
from vsm.files import vsmjson_read as vsmjson
from vsm.files.formats import (
    load_json,
    load_project,
    project_from_dict,
    project_to_dict,
    save_json,
    save_project_any,
)
from vsm.model import Flow, Project, Step, Thresholds, ValueStreamMap
from vsm.model.durations import format_exact, parse_duration
from vsm.model.records import Kaizen

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"


def sample_project() -> Project:
    """Two maps using every field: fractions, unicode, shares, rework, origin, settings."""
    current = ValueStreamMap("Current state", "current", "Außer Betrieb → wieder live", demand=12.5,
                             demand_period="month", thresholds=Thresholds(15, 70.5, 5))
    current.add_step(Step("Log", "engage", "Service desk", "internal", 10, 30, 95, 2, "", 0, 0, id="log"))
    current.add_step(Step("Triage", team="Service desk", process_time=15.25, wait_time=90.5, pca=70,
                          notes="median of last quarter's P2 incidents\nsecond line", x=220, y=0,
                          id="triage"))
    current.add_step(Step("Fix", "obtain_build", performer="automated", process_time=1530, people=0,
                          x=440, y=-160.5, id="fix"))
    current.add_step(Step("Vendor", performer="vendor", wait_time=1440, x=440, y=160, id="vendor"))
    current.add_step(Step("Close", "engage", performer="customer", x=660, id="close"))
    current.add_flow(Flow("log", "triage"))
    current.add_flow(Flow("triage", "fix", share=70))
    current.add_flow(Flow("triage", "vendor", share=30))
    current.add_flow(Flow("triage", "log", "rework", probability=12.5))
    current.add_flow(Flow("fix", "close", id="readable-flow-id"))
    current.add_flow(Flow("vendor", "close"))
    future = ValueStreamMap("Future state", "future", id="future")
    future.add_step(Step("Log and triage", process_time=20, origin="log", id="f1"))
    future.add_step(Step("Fix", process_time=60, origin="fix", id="f2"))
    future.add_flow(Flow("f1", "f2"))
    future.add_kaizen(Kaizen("Pre-approve fixes", "Standard change", "overprocessing", "Change mgr",
                             "2027-01-29", "planned", 150.5, step_id="f2", x=10, y=-90, id="k1"))
    future.add_kaizen(Kaizen("Free idea"))
    return Project("Restore a live service", [current, future])


def minimal_doc() -> dict:
    """A small valid document used as the base of the error cases."""
    return {
        "format": "vsm-json", "version": 1, "name": "P",
        "maps": [{
            "name": "Current state",
            "steps": [{"id": "s1", "name": "Log"}, {"id": "s2", "name": "Diagnose"},
                      {"id": "s3", "name": "Fix"}],
            "flows": [{"from": "s1", "to": "s2"}, {"from": "s2", "to": "s3"},
                      {"from": "s2", "to": "s1", "kind": "rework", "probability": 25}],
        }],
    }


# ---------------------------------------------------------------- round trips


def test_project_survives_dict_round_trip():
    project = sample_project()
    assert project_from_dict(project_to_dict(project)) == project


def test_project_survives_file_round_trip(tmp_path):
    project = sample_project()
    path = tmp_path / "project.json"
    save_json(project, path)
    assert load_json(path) == project
    assert load_project(path) == project


def test_written_file_is_readable_text(tmp_path):
    path = tmp_path / "project.json"
    save_json(sample_project(), path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "Außer Betrieb → wieder live" in text  # ensure_ascii=False
    assert '\n  "format": "vsm-json"' in text  # indent=2
    data = json.loads(text)
    triage = data["maps"][0]["steps"][1]
    assert (triage["process_time"], triage["wait_time"]) == ("15.25m", format_exact(90.5))
    assert parse_duration(triage["wait_time"]) == 90.5
    assert data["maps"][0]["steps"][2]["process_time"] == "1d 1h 30m"
    assert triage["pca"] == 70 and isinstance(triage["pca"], int)
    assert "origin" not in triage and data["maps"][1]["steps"][0]["origin"] == "log"
    flows = data["maps"][0]["flows"]
    assert {k: v for k, v in flows[0].items() if k != "id"} == {"from": "log", "to": "triage"}
    assert flows[3]["kind"] == "rework" and flows[3]["probability"] == 12.5
    assert flows[4]["id"] == "readable-flow-id"


def test_save_replaces_the_file_atomically(tmp_path, monkeypatch):
    path = tmp_path / "project.json"
    save_json(sample_project(), path)
    before = path.read_bytes()
    os.chmod(path, 0o640)

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(FileFormatError, match="cannot be written: No space left on device"):
        save_json(Project("Other"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.json"]
    monkeypatch.undo()
    save_json(Project("Other"), path)
    assert load_json(path).name == "Other"
    assert os.stat(path).st_mode & 0o777 == 0o640  # the existing file's permissions are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.json"]


def test_save_into_missing_folder_is_a_file_format_error(tmp_path):
    with pytest.raises(FileFormatError, match="cannot be written"):
        save_json(Project(), tmp_path / "missing" / "p.json")


# ---------------------------------------------------------------- leniency


def test_durations_accept_numbers_and_text():
    doc = minimal_doc()
    figures = [("1h 30m", 90), (45, "2d"), (2.5, "1w 1d 1h 1m")]
    for step, (process, wait) in zip(doc["maps"][0]["steps"], figures):
        step.update(process_time=process, wait_time=wait)
    steps = project_from_dict(doc).maps[0].steps
    assert [(s.process_time, s.wait_time) for s in steps] == [
        (90.0, 90.0), (45.0, 2880.0), (2.5, 10080.0 + 1440 + 60 + 1)]


def test_missing_optional_keys_take_the_model_defaults():
    project = project_from_dict({"format": "vsm-json", "version": 1, "maps": [
        {"steps": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
         "flows": [{"from": "a", "to": "b"}]}]})
    assert project.name == "Untitled" and re.fullmatch(r"[0-9a-f]{32}", project.id)
    map_ = project.maps[0]
    default_map = ValueStreamMap()
    assert (map_.name, map_.kind, map_.description, map_.demand, map_.demand_period) == (
        default_map.name, default_map.kind, default_map.description, default_map.demand,
        default_map.demand_period)
    assert map_.thresholds == Thresholds()
    assert map_.steps[0] == Step("A", id="a")
    flow = map_.flows[0]
    assert (flow.kind, flow.share, flow.probability) == ("normal", None, None)
    assert re.fullmatch(r"[0-9a-f]{32}", flow.id)


def test_partial_thresholds_keep_the_other_defaults():
    doc = minimal_doc()
    doc["maps"][0]["thresholds"] = {"low_pca_percent": 60}
    assert project_from_dict(doc).maps[0].thresholds == Thresholds(low_pca_percent=60)


def test_unknown_keys_are_ignored_everywhere():
    doc = minimal_doc()
    plain = project_from_dict(copy.deepcopy(doc))
    doc["generator"] = {"name": "some tool", "nested": [1, 2]}
    doc["maps"][0]["colour"] = "blue"
    doc["maps"][0]["thresholds"] = {"surprise": True}
    doc["maps"][0]["steps"][0]["cost"] = 12
    doc["maps"][0]["flows"][0]["label"] = None
    loaded = project_from_dict(doc)
    assert loaded.maps[0].steps == plain.maps[0].steps
    assert [(f.source, f.target, f.kind) for f in loaded.maps[0].flows] == [
        (f.source, f.target, f.kind) for f in plain.maps[0].flows]


def test_utf8_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal_doc()).encode())
    assert load_json(path).name == "P"


# ---------------------------------------------------------------- errors


def _set(path: str, value):
    """A mutation of minimal_doc(): set the value at a dotted path ('maps.0.steps.1.pca')."""
    def mutate(doc):
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _delete(path: str):
    def mutate(doc):
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[int(last) if isinstance(node, list) else last]
    return mutate


def _append(path: str, value):
    def mutate(doc):
        node = doc
        for key in path.split("."):
            node = node[int(key)] if isinstance(node, list) else node[key]
        node.append(value)
    return mutate


ERRORS = {
    "missing step name": (_delete("maps.0.steps.1.name"),
                          "map 'Current state', step 's2': missing required key 'name'"),
    "missing step id": (_delete("maps.0.steps.1.id"),
                        "map 'Current state', step 2: missing required key 'id'"),
    "pca of the wrong type": (_set("maps.0.steps.1.pca", "high"),
                              "map 'Current state', step 'Diagnose': pca must be a number, not text"),
    "pca 0": (_set("maps.0.steps.1.pca", 0),
              "map 'Current state', step 'Diagnose': pca must be more than 0 and at most 100, not 0"),
    "bad duration": (_set("maps.0.steps.2.wait_time", "soon"),
                     "map 'Current state', step 'Fix': wait time: not a duration: 'soon'"),
    "negative duration": (_set("maps.0.steps.2.process_time", -5),
                          "map 'Current state', step 'Fix': process time"),
    "duration of the wrong type": (_set("maps.0.steps.2.process_time", [5]),
                                   "map 'Current state', step 'Fix': process_time must be minutes"),
    "unknown activity": (_set("maps.0.steps.0.activity", "coding"),
                         "map 'Current state', step 'Log': activity must be one of"),
    "name of the wrong type": (_set("maps.0.steps.0.name", 7),
                               "map 'Current state', step 's1': name must be text, not a number"),
    "flow to an unknown step": (_set("maps.0.flows.2", {"from": "s3", "to": "s9"}),
                                "map 'Current state', flow 3 (s3 -> s9): step 's9' is not in the map"),
    "flow without a target": (_delete("maps.0.flows.1.to"),
                              "map 'Current state', flow 2: missing required key 'to'"),
    "flow that is not an object": (_set("maps.0.flows.1", "s2->s3"),
                                   "map 'Current state', flow 2 must be an object, not text"),
    "share 0": (_set("maps.0.flows.1.share", 0),
                "map 'Current state', flow 2 (s2 -> s3): share must be more than 0"),
    "share of the wrong type": (_set("maps.0.flows.1.share", "60%"),
                                "map 'Current state', flow 2 (s2 -> s3): share must be a number or null"),
    "rework without probability": (_delete("maps.0.flows.2.probability"),
                                   "map 'Current state', flow 3 (s2 -> s1): a rework flow needs a probability"),
    "rework probability 101": (_set("maps.0.flows.2.probability", 101),
                               "map 'Current state', flow 3 (s2 -> s1): probability must be more than 0 and at most 100"),
    "duplicate flow": (_append("maps.0.flows", {"from": "s1", "to": "s2"}),
                       "map 'Current state', flow 4 (s1 -> s2): there is already such a flow"),
    "duplicate flow id": (lambda d: [f.update(id="f") for f in d["maps"][0]["flows"][:2]],
                          "map 'Current state', flow 2 (s2 -> s3): another flow already has the id 'f'"),
    "duplicate step id": (_set("maps.0.steps.2.id", "s1"),
                          "map 'Current state', step 'Fix': the id 's1' is already used by step 'Log'"),
    "unknown map kind": (_set("maps.0.kind", "past"),
                         "map 'Current state': kind must be 'current' or 'future'"),
    "negative demand": (_set("maps.0.demand", -1), "map 'Current state': demand must be more than 0"),
    "thresholds of the wrong type": (_set("maps.0.thresholds", [10]),
                                     "map 'Current state': thresholds must be an object, not a list"),
    "threshold 0": (_set("maps.0.thresholds", {"rework_percent": 0}),
                    "map 'Current state': thresholds: rework_percent must be more than 0"),
    "steps not a list": (_set("maps.0.steps", {"s1": {}}),
                         "map 'Current state': steps must be a list, not an object"),
    "map not an object": (_set("maps.0", "Current state"), "map 1 must be an object, not text"),
    "duplicate map id": (lambda d: d["maps"].extend([dict(d["maps"][0], id="m", name="Two"),
                                                     dict(d["maps"][0], id="m", name="Three")]),
                         "map 'Three': another map already has the id 'm'"),
    "version 2": (_set("version", 2), "made by a newer version"),
    "version as text": (_set("version", "1"), "version must be a whole number, not text"),
    "version true": (_set("version", True), "version must be a whole number, not true/false"),
    "version 0": (_set("version", 0), "unknown file version 0"),
    "missing version": (_delete("version"), "missing required key 'version'"),
    "missing format": (_delete("format"), "not a vsm-json file (no 'format' key"),
    "other format": (_set("format", "drawio"), "not a vsm-json file (format is 'drawio'"),
    "missing maps": (_delete("maps"), "project: missing required key 'maps'"),
    "maps not a list": (_set("maps", {}), "project: maps must be a list, not an object"),
    "blank project name": (_set("name", "  "), "project: name cannot be empty"),
    "kaizen with an unknown waste": (
        _set("maps.0.kaizens", [{"title": "Pre-approve fixes", "waste": "delay"}]),
        "map 'Current state', kaizen 'Pre-approve fixes': waste must be one of transport, "),
    "kaizen on a missing step": (
        _set("maps.0.kaizens", [{"title": "Pre-approve fixes", "step": "approve"}]),
        "map 'Current state', kaizen 'Pre-approve fixes': step 'approve' is not in the map"),
    "kaizen without a title": (_set("maps.0.kaizens", [{"waste": "waiting"}]),
                               "map 'Current state', kaizen 1: missing required key 'title'"),
    "kaizen with a bad due date": (_set("maps.0.kaizens", [{"title": "T", "due": "next week"}]),
                                   "map 'Current state', kaizen 'T': due must be a date written YYYY-MM-DD"),
    "kaizen due of the wrong type": (_set("maps.0.kaizens", [{"title": "T", "due": 20270101}]),
                                     "map 'Current state', kaizen 'T': due must be text or null, not a number"),
    "kaizen with a negative saving": (_set("maps.0.kaizens", [{"title": "T", "expected_saving": -5}]),
                                      "map 'Current state', kaizen 'T': expected saving: not a duration"),
    "duplicate kaizen id": (_set("maps.0.kaizens", [{"title": "A", "id": "k"}, {"title": "B", "id": "k"}]),
                            "map 'Current state', kaizen 'B': another kaizen already has the id 'k'"),
    "kaizens not a list": (_set("maps.0.kaizens", {}),
                           "map 'Current state': kaizens must be a list, not an object"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_each_error_names_where_it_is(case):
    mutate, expected = ERRORS[case]
    doc = minimal_doc()
    mutate(doc)
    with pytest.raises(FileFormatError) as caught:
        project_from_dict(doc, "in.json")
    assert caught.value.path == Path("in.json")
    assert expected in caught.value.reason
    assert str(caught.value).startswith("in.json: ")
    assert "\n" not in str(caught.value)


def test_a_duplicate_step_id_names_the_first_step_as_written():
    doc = minimal_doc()
    doc["maps"][0]["steps"][0]["name"] = " Log "  # stored stripped, but named as written
    doc["maps"][0]["steps"][2]["id"] = "s1"
    with pytest.raises(FileFormatError) as caught:
        project_from_dict(doc)
    assert caught.value.reason == ("map 'Current state', step 'Fix': the id 's1' is already used "
                                   "by step ' Log '")


# Values of every JSON type, valid and not, for the fast parse of steps and flows.
JSON_VALUES = [None, True, False, 0, -3, 7, 2.5, -0.0, 10**400, "", " ", "1h 30m", "s1", "plan",
               "rework", [], {}, [1]]
STEP_KEYS = [*(f.name for f in dataclasses.fields(Step)), "extra"]


@pytest.mark.parametrize("key", STEP_KEYS)
def test_the_fast_parse_of_a_step_gives_what_the_full_parse_gives(key):
    for value in [*JSON_VALUES, KeyError]:  # KeyError: the key is left out
        data = {"id": "s1", "name": "Log", "process_time": 5, "wait_time": "1h", "x": 1.5}
        data.pop(key, None) if value is KeyError else data.update({key: value})
        fast = vsmjson._fast_step(data)
        try:
            full = vsmjson._parse_step(data, "map 'M'", 1)
        except vsmjson.InvalidDocument:
            assert fast is None  # the full parse then names the problem
            continue
        assert fast is None or repr(sorted(fast.items())) == repr(sorted(full.items()))
    assert vsmjson._fast_step({"id": "s1", "name": "Log", "origin": ""})["origin"] is None


@pytest.mark.parametrize("key", ["id", "from", "to", "kind", "share", "probability", "extra"])
def test_the_fast_parse_of_a_flow_gives_what_the_full_parse_gives(key):
    for value in [*JSON_VALUES, KeyError]:
        data = {"id": "f1", "from": "s1", "to": "s2", "share": 40}
        data.pop(key, None) if value is KeyError else data.update({key: value})
        fast = vsmjson._fast_flow(data, 3)
        try:
            full = vsmjson._parse_flow(data, 3, "map 'M'")
        except vsmjson.InvalidDocument:
            assert fast is None
            continue
        assert fast is None or repr(fast) == repr(full)


@pytest.mark.parametrize("data, expected", [
    ([minimal_doc()], "the top level must be an object, not a list"),
    ("vsm-json", "the top level must be an object, not text"),
    (None, "the top level must be an object, not null"),
])
def test_top_level_must_be_an_object(data, expected):
    with pytest.raises(FileFormatError, match=re.escape(expected)):
        project_from_dict(data)


@pytest.mark.parametrize("content, expected", [
    (b'{"format": "vsm-json",\n  "version": 1,\n  "maps": [}', "not valid JSON: Expecting value at line 3, column 12"),
    (b"", "not valid JSON: Expecting value at line 1, column 1"),
    (b'{"format": "vsm-json", "version": 1, "maps": [], "x": NaN}', "NaN is not a JSON number"),
    ('{"format": "vsm-json", "name": "Störung"}'.encode("latin-1"), "not UTF-8"),
    (b"SQLite format 3\x00\xff\xfe", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (json.dumps([minimal_doc()]).encode(), "the top level must be an object, not a list"),
])
def test_unreadable_files_give_one_error(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as caught:
        load_json(path)
    assert caught.value.path == path
    assert expected in caught.value.reason


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        load_json(tmp_path / "absent.json")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(FileFormatError, match="is a folder"):
        load_json(folder)


def test_unexpected_exceptions_are_wrapped_at_the_boundary(monkeypatch):
    def boom(record):
        raise KeyError("surprise")

    monkeypatch.setattr(vsmjson, "_build_project", boom)  # the parse/build half of the format
    with pytest.raises(FileFormatError, match="could not be read .KeyError"):
        project_from_dict(minimal_doc())


# ---------------------------------------------------------------- dispatch on suffix


def test_unknown_suffix_is_refused(tmp_path):
    for path in (tmp_path / "p.txt", tmp_path / "p"):
        with pytest.raises(FileFormatError, match=re.escape("unknown file type; use .vsm or .json")):
            load_project(path)
        with pytest.raises(FileFormatError, match="unknown file type"):
            save_project_any(Project(), path)


def test_json_suffix_is_case_insensitive(tmp_path):
    project = sample_project()
    path = tmp_path / "P.JSON"
    save_project_any(project, path)
    assert load_project(path) == project


def test_vsm_suffix_goes_to_storage(tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("vsm.files.vsm_file")
    fake.open_project = lambda path: calls.append(("open", Path(path))) or Project("From storage")
    fake.save_project = lambda project, path: calls.append(("save", project.name, Path(path)))
    monkeypatch.setitem(sys.modules, "vsm.files.vsm_file", fake)
    assert load_project(tmp_path / "a.vsm").name == "From storage"
    save_project_any(Project("Mine"), tmp_path / "b.VSM")
    assert calls == [("open", tmp_path / "a.vsm"), ("save", "Mine", tmp_path / "b.VSM")]


# ---------------------------------------------------------------- any input: a project or our error


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _paths(node, prefix=()):
    """Every path into a JSON document, as tuples of keys and indices."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


BASE = project_to_dict(sample_project())
BASE_PATHS = [p for p in _paths(BASE) if p]


@st.composite
def mutated_documents(draw):
    """The sample document with a few values replaced by arbitrary JSON or removed."""
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(BASE_PATHS))
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            if draw(st.booleans()):
                node[path[-1]] = draw(json_values)
            elif isinstance(node, dict):
                del node[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the parent
    return doc


def _project_or_our_error(load):
    try:
        result = load()
    except FileFormatError:
        return
    assert isinstance(result, Project)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, mutated_documents()))
def test_any_json_value_gives_a_project_or_a_file_format_error(data):
    _project_or_our_error(lambda: project_from_dict(data))


@settings(deadline=None, max_examples=200,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(content=st.one_of(
    st.binary(max_size=200),
    mutated_documents().map(lambda d: json.dumps(d).encode()),
    mutated_documents().map(lambda d: json.dumps(d).encode()[: len(json.dumps(d)) // 2]),
))
def test_any_bytes_give_a_project_or_a_file_format_error(tmp_path, content):
    path = tmp_path / "fuzz.json"
    path.write_bytes(content)
    _project_or_our_error(lambda: load_json(path))


# ---------------------------------------------------------------- the shipped example and the doc


def test_example_loads_and_shows_every_kind_of_flow():
    project = load_json(EXAMPLE)
    assert project.name == "Restore a live service"
    map_, target = project.maps  # the current state first; the future state is tested in test_compare
    assert map_.kind == "current" and 10 <= len(map_.steps) <= 12
    assert target.kind == "future"
    steps = {s.id: s for s in map_.steps}
    assert {s.performer for s in steps.values()} == {"internal", "vendor", "customer", "automated"}
    assert len({s.activity for s in steps.values()}) >= 5
    assert any(s.pca < 80 for s in steps.values())
    graph = nx.DiGraph((f.source, f.target) for f in map_.flows if f.kind == "normal")
    graph.add_nodes_from(steps)
    assert nx.is_directed_acyclic_graph(graph)
    assert [v for v in graph if graph.in_degree(v) == 0] == ["report"]
    assert [v for v in graph if graph.out_degree(v) == 0] == ["record"]
    rework = [f for f in map_.flows if f.kind == "rework"]
    assert rework and all(f.target in nx.ancestors(graph, f.source) for f in rework)
    for step_id in steps:
        out = [f for f in map_.flows if f.source == step_id and f.kind == "normal"]
        shares = [f.share for f in out if f.share is not None]
        assert not shares or (len(shares) == len(out) and sum(shares) == 100)
        assert sum(f.probability for f in rework if f.source == step_id) < 100
    assert any(len([f for f in map_.flows if f.source == v and f.kind == "normal"]) > 1
               and all(f.share is None for f in map_.flows if f.source == v) for v in steps)
    assert all(s.x == 220 * round(s.x / 220) and s.y in (0, -160, 160) for s in steps.values())


def test_example_is_written_back_unchanged_apart_from_formatting(tmp_path):
    project = load_json(EXAMPLE)
    save_json(project, tmp_path / "again.json")
    assert load_json(tmp_path / "again.json") == project


def test_example_in_the_format_doc_loads():
    text = (ROOT / "docs" / "file-format.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```json\n(.*?)```", text, re.S)
    project = project_from_dict(json.loads(block))
    assert [s.id for s in project.maps[0].steps][:2] == ["log", "triage"]
