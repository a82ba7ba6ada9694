"""Kaizen bursts: the map's kaizen methods, validation, undo, the files, and the improvement plan."""

from __future__ import annotations

import copy
import csv
from datetime import date

import pytest

from vsm.analysis import StepToChange, analyse
from vsm.analysis.plan import improvement_plan, kaizen_from_step_to_change
from vsm.errors import FileFormatError
from vsm.export.plan_csv import PLAN_COLUMNS, write_plan_csv
from vsm.files.formats import load_json, project_from_dict, project_to_dict, save_json
from vsm.files.vsm_file import open_project, save_project
from vsm.model import Flow, ModelError, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map
from vsm.model.events import KaizenAdded, KaizenChanged, KaizenRemoved, StepRemoved
from vsm.model.kaizen import KAIZEN_ABOVE_STEP, KAIZEN_STACK, WASTES
from vsm.model.records import Kaizen


def linear_map() -> ValueStreamMap:
    """Alpha (wait 30, process 10, %C&A 90) -> Beta (wait 60, process 20, %C&A 50), Beta at (220, 0).

    lead time 30 + 10 + 60 + 20 = 120; removing Beta's wait saves 60 (the largest saving: a
    bottleneck; 60 / 120 = 50 % >= 10 %: a long wait), and 50 % < 80 %: low %C&A.
    """
    map_ = ValueStreamMap("Target", "future", id="target")
    map_.add_step(Step("Alpha", wait_time=30, process_time=10, pca=90, id="a"))
    map_.add_step(Step("Beta", wait_time=60, process_time=20, pca=50, x=220, y=0, id="b"))
    map_.add_flow(Flow("a", "b", id="ab"))
    return map_


def with_kaizens() -> ValueStreamMap:
    map_ = linear_map()
    map_.add_kaizen(Kaizen("Book the vendor in advance ✓", "Änderung: call them first",
                           "waiting", "Supplier manager", "2027-01-29", "planned", "1h 30m",
                           step_id="b", x=220, y=-90, id="k1"))
    map_.add_kaizen(Kaizen("Train the desk", waste="unused_skills", x=-40.5, y=300, id="k2"))
    return map_


# ---------------------------------------------------------------- the model


def test_add_change_remove_emit_events_and_return_what_undo_needs():
    map_ = linear_map()
    events = []
    map_.subscribe(events.append)
    kaizen = map_.add_kaizen(Kaizen("Remove the wait", step_id="b", expected_saving_minutes="1h",
                                    id="k"))
    assert kaizen.expected_saving_minutes == 60.0  # "1h" = 60 minutes
    assert map_.kaizens == [kaizen] and map_.kaizen("k") is kaizen and map_.kaizens_of("b") == [kaizen]
    assert map_.set_kaizen_field("k", "status", "done") == "idea"
    assert map_.set_kaizen_field("k", "status", "done") == "done"  # unchanged: no event
    assert map_.set_kaizen_field("k", "due", date(2027, 3, 1)) is None
    assert kaizen.due == "2027-03-01"
    assert map_.remove_kaizen("k") == (kaizen, 0)
    assert events == [KaizenAdded(kaizen, 0), KaizenChanged(kaizen, "status"),
                      KaizenChanged(kaizen, "due"), KaizenRemoved(kaizen, 0)]


def test_add_at_an_index_keeps_the_order():
    map_ = with_kaizens()
    map_.add_kaizen(Kaizen("First", id="k0"), index=0)
    assert [k.id for k in map_.kaizens] == ["k0", "k1", "k2"]


@pytest.mark.parametrize("field, value, message", [
    ("waste", "delay", "waste must be one of transport, inventory"),
    ("status", "blocked", "status must be one of idea, planned, in_progress, done, dropped"),
    ("due", "2027-02-30", "due must be a date written YYYY-MM-DD"),
    ("due", "2027-2-3", "YYYY-MM-DD"),
    ("due", "20270203", "YYYY-MM-DD"),
    ("due", 20270203, "YYYY-MM-DD"),
    ("expected_saving_minutes", -5, "expected saving: not a duration"),
    ("expected_saving_minutes", "soon", "expected saving: not a duration"),
    ("title", "  ", "needs a title"),
    ("owner", 7, "owner must be text"),
    ("x", float("nan"), "x must be a finite number"),
    ("step_id", "zz", "step 'zz' is not in the map"),
])
def test_bad_values_are_refused_naming_the_kaizen(field, value, message):
    map_ = with_kaizens()
    before = copy.deepcopy(map_.snapshot())
    with pytest.raises(ModelError, match=message) as error:
        map_.set_kaizen_field("k1", field, value)
    assert "'Book the vendor in advance ✓'" in str(error.value)
    new = Kaizen("Book the vendor in advance ✓", id="new")
    setattr(new, field, value)
    with pytest.raises(ModelError, match=message):
        map_.add_kaizen(new)
    assert map_.snapshot() == before


def test_unknown_fields_are_refused():
    with pytest.raises(ModelError, match="kaizens have no field 'colour'"):
        with_kaizens().set_kaizen_field("k1", "colour", "red")


def test_good_values_are_normalised():
    map_ = with_kaizens()
    for value, expected in [("2028-02-29", "2028-02-29"), (" 2027-12-01 ", "2027-12-01"),
                            ("", None), (None, None)]:
        map_.set_kaizen_field("k1", "due", value)
        assert map_.kaizen("k1").due == expected
    map_.set_kaizen_field("k1", "step_id", "")
    assert map_.kaizen("k1").step_id is None
    map_.set_kaizen_field("k1", "expected_saving_minutes", "1d 2h")
    assert map_.kaizen("k1").expected_saving_minutes == 1560.0  # 24 x 60 + 2 x 60
    assert set(WASTES) == {"transport", "inventory", "motion", "waiting", "overproduction",
                           "overprocessing", "defects", "unused_skills"}


def test_duplicate_ids_are_refused():
    map_ = with_kaizens()
    with pytest.raises(ModelError, match="already has a kaizen with id 'k1'"):
        map_.add_kaizen(Kaizen("Again", id="k1"))


def test_removing_a_step_removes_its_kaizens_and_undo_restores_them_exactly():
    map_ = with_kaizens()
    map_.add_kaizen(Kaizen("Second idea for Beta", step_id="b", id="k3"))
    before = copy.deepcopy(map_.snapshot())
    events = []
    map_.subscribe(events.append)
    step, index, flows, kaizens = map_.remove_step("b")
    assert [(k.id, i) for k, i in kaizens] == [("k1", 0), ("k3", 2)]
    assert [k.id for k in map_.kaizens] == ["k2"]
    assert [type(e) for e in events][:2] == [KaizenRemoved, KaizenRemoved]
    assert isinstance(events[-1], StepRemoved)
    map_.add_step(step, index)
    for flow, position in flows:
        map_.add_flow(flow, position)
    for kaizen, position in kaizens:
        map_.add_kaizen(kaizen, position)
    assert map_.snapshot() == before


def test_equality_covers_kaizens():
    assert with_kaizens() == with_kaizens()
    changed = with_kaizens()
    changed.set_kaizen_field("k2", "owner", "Someone")
    assert changed != with_kaizens()


def test_duplicate_map_copies_kaizens_onto_the_copied_steps():
    original = with_kaizens()
    future = duplicate_map(original, "Scenario B", "future", keep_origin=True)
    beta = next(s for s in future.steps if s.origin == "b")
    attached, free = future.kaizens
    assert attached.step_id == beta.id and free.step_id is None
    assert {attached.id, free.id}.isdisjoint({"k1", "k2"})
    assert (attached.title, attached.due, attached.expected_saving_minutes) == (
        "Book the vendor in advance ✓", "2027-01-29", 90.0)
    future.set_kaizen_field(attached.id, "title", "Changed")
    assert original.kaizen("k1").title == "Book the vendor in advance ✓"


# ---------------------------------------------------------------- from a step to change


def test_kaizen_from_a_step_to_change():
    map_ = linear_map()
    result = analyse(map_)
    beta = next(item for item in result.steps_to_change if item.step_id == "b")
    assert beta.flags == ["bottleneck", "long_wait", "low_pca"] and beta.saving == 60
    kaizen = kaizen_from_step_to_change(beta, map_)
    assert kaizen.title == "Remove the wait before Beta"
    assert kaizen.waste == "waiting"
    assert kaizen.description == "\n".join(beta.reasons)
    assert (kaizen.expected_saving_minutes, kaizen.step_id, kaizen.status) == (60, "b", "idea")
    assert (kaizen.x, kaizen.y) == (220, 0 - KAIZEN_ABOVE_STEP)  # above Beta at (220, 0)
    assert map_.kaizens == []  # made, not added: the editor adds it through a command
    map_.add_kaizen(kaizen)
    second = kaizen_from_step_to_change(beta, map_)
    assert second.y == 0 - KAIZEN_ABOVE_STEP - KAIZEN_STACK  # stacked above the first one


@pytest.mark.parametrize("flags, title, waste", [
    (["low_pca"], "Get the output of Beta complete and accurate", "defects"),
    (["rework", "low_pca"], "Stop the rework after Beta", "defects"),
    (["vendor_handoff"], "Smooth the vendor handoff at Beta", "transport"),
    (["long_wait", "vendor_handoff"], "Remove the wait before Beta", "waiting"),
])
def test_the_first_flag_sets_title_and_waste(flags, title, waste):
    item = StepToChange("b", "Beta", flags, 0.0, ["One.", "Two."])
    kaizen = kaizen_from_step_to_change(item, linear_map())
    assert (kaizen.title, kaizen.waste, kaizen.description) == (title, waste, "One.\nTwo.")


# ---------------------------------------------------------------- files


def test_round_trip_through_vsm_and_vsm_json(tmp_path):
    project = Project("Kaizens", [with_kaizens()], id="p")
    save_project(project, tmp_path / "p.vsm")
    assert open_project(tmp_path / "p.vsm") == project
    save_json(project, tmp_path / "p.json")
    assert load_json(tmp_path / "p.json") == project
    assert project_from_dict(project_to_dict(project)) == project


def test_kaizens_in_vsm_json_read_naturally():
    data = project_to_dict(Project("Kaizens", [with_kaizens()]))
    attached, free = data["maps"][0]["kaizens"]
    assert attached == {"id": "k1", "title": "Book the vendor in advance ✓",
                        "description": "Änderung: call them first", "waste": "waiting",
                        "owner": "Supplier manager", "status": "planned",
                        "expected_saving": "1h 30m", "due": "2027-01-29", "step": "b",
                        "x": 220, "y": -90}
    assert "due" not in free and "step" not in free and free["x"] == -40.5
    assert "kaizens" not in project_to_dict(Project("Plain", [linear_map()]))["maps"][0]


def test_vsm_json_kaizen_defaults():
    doc = {"format": "vsm-json", "version": 1, "maps": [
        {"steps": [{"id": "s", "name": "S"}], "kaizens": [{"title": "Just an idea"}]}]}
    [kaizen] = project_from_dict(doc).maps[0].kaizens
    assert (kaizen.title, kaizen.waste, kaizen.status, kaizen.due, kaizen.step_id,
            kaizen.expected_saving_minutes) == ("Just an idea", "waiting", "idea", None, None, 0.0)


# ---------------------------------------------------------------- the plan


def plan_project() -> Project:
    """Two maps; due dates and savings chosen so that every ordering rule is needed."""
    first = with_kaizens()  # k1: due 2027-01-29, 90 minutes; k2: no date, 0 minutes
    second = ValueStreamMap("Scenario B", "future")
    second.add_step(Step("Gamma", id="g"))
    second.add_kaizen(Kaizen("=1+1 looks like a formula", due="2027-01-29",
                             expected_saving_minutes=120, step_id="g", id="m1"))
    second.add_kaizen(Kaizen("Soonest", owner="-Ann", due="2026-12-01", id="m2"))
    second.add_kaizen(Kaizen("Undated but large", expected_saving_minutes=600, id="m3"))
    return Project("Plan", [first, second])


def test_plan_is_sorted_by_due_date_then_largest_saving():
    rows = improvement_plan(plan_project())
    # 2026-12-01 first; on 2027-01-29: 120 minutes before 90; undated last, 600 before 0
    assert [r.kaizen_id for r in rows] == ["m2", "m1", "k1", "m3", "k2"]
    k1 = rows[2]
    assert (k1.map_name, k1.step_name, k1.owner, k1.due, k1.status, k1.waste,
            k1.expected_saving_minutes) == ("Target", "Beta", "Supplier manager", "2027-01-29",
                                            "planned", "waiting", 90.0)
    assert rows[3].step_name == ""


def test_plan_csv(tmp_path):
    path = tmp_path / "plan.csv"
    write_plan_csv(improvement_plan(plan_project()), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    assert b"\r\n" in raw
    with open(path, encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert tuple(table[0]) == PLAN_COLUMNS
    assert table[1] == ["Scenario B", "Soonest", "", "", "Waiting", "'-Ann", "2026-12-01", "Idea",
                        "0", "0m"]
    assert table[2][1] == "'=1+1 looks like a formula"  # not run as a formula
    assert table[2][8:] == ["120", "2h"]
    assert table[3] == ["Target", "Book the vendor in advance ✓", "Änderung: call them first",
                        "Beta", "Waiting", "Supplier manager", "2027-01-29", "Planned", "90",
                        "1h 30m"]
    assert table[5][:2] == ["Target", "Train the desk"] and table[5][4] == "Unused skills"
    assert len(table) == 6 and sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]


def test_plan_csv_into_a_missing_folder(tmp_path):
    with pytest.raises(FileFormatError, match="cannot be written"):
        write_plan_csv([], tmp_path / "missing" / "plan.csv")
    assert list(tmp_path.iterdir()) == []
