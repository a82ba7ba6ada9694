"""Time ranges on steps: validation by the model, vsm-json and .vsm round trips, comparison."""

from __future__ import annotations

import pytest

from vsm.analysis.compare import compare_maps
from vsm.errors import FileFormatError
from vsm.files.formats import load_json, project_from_dict, project_to_dict, save_json
from vsm.files.vsm_file import open_project, save_project
from vsm.model import ModelError, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map
from vsm.model.variability import has_variability, time_range, varies


def ranged_map() -> ValueStreamMap:
    map_ = ValueStreamMap("Ranges")
    map_.add_step(Step("Fix", process_time="1h", process_time_min="30m", process_time_max="4h",
                       wait_time="1d", wait_time_max="3d", id="fix"))
    map_.add_step(Step("Close", process_time=5, id="close"))
    return map_


def test_ranges_are_durations_and_a_missing_bound_is_the_most_likely_value():
    fix, close = ranged_map().steps
    assert (fix.process_time_min, fix.process_time_max) == (30, 240)
    assert (fix.wait_time_min, fix.wait_time_max) == (None, 3 * 1440)
    assert time_range(fix, "process_time") == (30, 60, 240)
    assert time_range(fix, "wait_time") == (1440, 1440, 4320)
    assert time_range(close, "process_time") == (5, 5, 5)
    assert varies(fix) and not varies(close)
    assert has_variability([fix, close]) and not has_variability([close])


@pytest.mark.parametrize("field, value, message", [
    ("process_time_min", "2h", "step 'Fix': process time minimum 2h is more than the most likely "
                               "process time 1h"),
    ("process_time_max", "45m", "step 'Fix': process time maximum 45m is less than the most likely "
                                "process time 1h"),
    ("wait_time_max", "-1", "step 'Fix': wait time max: not a duration"),
    ("process_time", "5h", "step 'Fix': process time maximum 4h is less than the most likely "
                           "process time 5h"),
])
def test_bad_ranges_are_refused_and_the_step_is_unchanged(field, value, message):
    map_ = ranged_map()
    before = map_.snapshot()
    with pytest.raises(ModelError, match=message):
        map_.set_step_field("fix", field, value)
    assert map_.snapshot() == before


def test_ranges_can_be_cleared_with_none_or_blank_text():
    map_ = ranged_map()
    map_.set_step_field("fix", "process_time_max", " ")
    map_.set_step_field("fix", "wait_time_max", None)
    assert map_.step("fix").process_time_max is None and map_.step("fix").wait_time_max is None
    map_.set_step_field("fix", "process_time", "5h")  # no maximum any more: allowed
    with pytest.raises(ModelError, match="minimum 1h is more than"):
        map_.add_step(Step("Bad", process_time=30, process_time_min=60))


def test_vsm_json_writes_ranges_only_when_set_and_reads_them_back(tmp_path):
    project = Project("P", [ranged_map()])
    data = project_to_dict(project)
    fix, close = data["maps"][0]["steps"]
    assert (fix["process_time_min"], fix["process_time_max"], fix["wait_time_max"]) == (
        "30m", "4h", "3d")
    assert "wait_time_min" not in fix and "process_time_min" not in close
    save_json(project, tmp_path / "p.json")
    assert load_json(tmp_path / "p.json") == project
    fix["wait_time_min"] = None  # null is accepted: no bound
    fix["process_time_min"] = 20  # minutes as a number
    assert project_from_dict(data).maps[0].step("fix").process_time_min == 20


@pytest.mark.parametrize("value, message", [
    (True, "process_time_max must be minutes or text such as '1h 30m', not true/false"),
    ("10m", "step 'Fix': process time maximum 10m is less than the most likely process time 1h"),
    ("soon", "step 'Fix': process time max: not a duration"),
])
def test_vsm_json_range_errors_name_the_step(value, message):
    data = project_to_dict(Project("P", [ranged_map()]))
    data["maps"][0]["steps"][0]["process_time_max"] = value
    with pytest.raises(FileFormatError, match="map 'Ranges', step 'Fix'"):
        project_from_dict(data)
    with pytest.raises(FileFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        project_from_dict(data)


def test_vsm_file_round_trip(tmp_path):
    project = Project("P", [ranged_map()])
    save_project(project, tmp_path / "p.vsm")
    assert open_project(tmp_path / "p.vsm") == project


def test_copies_keep_ranges_and_compare_reports_changes():
    current = ranged_map()
    future = duplicate_map(current, "Future", "future", keep_origin=True)
    twin = next(s for s in future.steps if s.name == "Fix")
    assert twin.process_time_max == 240
    future.set_step_field(twin.id, "wait_time_max", "1d 12h")
    [change] = compare_maps(current, future).changed
    assert change.fields == {"wait_time_max": (4320, 2160)}
