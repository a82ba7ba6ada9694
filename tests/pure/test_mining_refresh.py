"""`vsm mine LOG --update MAP`: a mined map refreshed from a newer log of the synthetic service
desk (bench/itsm_logs.py). The first log has vendor hand-offs and no waits on the user; the
second no vendor and waits on the user, so 'Awaiting Vendor' leaves the log and 'Awaiting User
Info' comes in. In between the user edits a step's wait, moves a step, adds a kaizen and a
second map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.itsm_logs import service_desk, write_log
from tests.helpers.mining import mine
from vsm.files.formats import load_project, save_project_any
from vsm.model import Kaizen, ValueStreamMap


@pytest.fixture
def refreshed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    first, second = tmp_path / "march.csv", tmp_path / "april.csv"
    write_log(first, service_desk(vendor=True, user_waits=False), 400, seed=1)
    write_log(second, service_desk(vendor=False, user_waits=True), 400, seed=2)
    path = tmp_path / "desk.vsm"
    assert mine(capsys, str(first), "-o", str(path))[0] == 0
    project = load_project(path)
    map_ = project.maps[0]
    names = {step.name: step for step in map_.steps}
    assigned, resolved = names["Assigned"], names["Resolved"]
    map_.set_step_field(assigned.id, "wait_time", 99.0)  # the user's own figure
    map_.set_step_field(resolved.id, "x", resolved.x + 17)  # moved
    map_.add_kaizen(Kaizen(title="Auto-assign", step_id=assigned.id))
    project.add_map(ValueStreamMap("Future", "future"))
    save_project_any(project, path)
    status, out, err = mine(capsys, str(second), "--update", str(path), "--json")
    assert status == 0, err
    fresh = tmp_path / "fresh.vsm"
    assert mine(capsys, str(second), "-o", str(fresh))[0] == 0
    return {"before": project, "after": load_project(path), "report": json.loads(out),
            "fresh": load_project(fresh).maps[0]}


def test_unedited_figures_take_the_new_log_and_edited_ones_are_kept(refreshed: dict) -> None:
    after = {step.name: step for step in refreshed["after"].maps[0].steps}
    fresh = {step.name: step for step in refreshed["fresh"].steps}
    assert after["Assigned"].wait_time == 99.0  # edited: kept
    assert after["Assigned"].wait_time_min == fresh["Assigned"].wait_time_min  # not edited
    assert dict(after["Assigned"].mined or ())["wait_time"] != 99.0  # still seen as edited
    assert after["Assigned"].cases == fresh["Assigned"].cases
    for name in ("In Progress", "Resolved", "New"):
        for field in ("process_time", "wait_time", "process_time_min", "wait_time_max"):
            assert getattr(after[name], field) == getattr(fresh[name], field), (name, field)
        assert after[name].mined == fresh[name].mined and after[name].cases == fresh[name].cases
    report = refreshed["report"]
    assert report["kept"] == {"Assigned": ["wait time"]}
    assert "In Progress" in report["updated"]


def test_positions_kaizens_and_other_maps_are_kept(refreshed: dict) -> None:
    before, after = refreshed["before"], refreshed["after"]
    old = {step.name: (step.x, step.y) for step in before.maps[0].steps}
    new = {step.name: (step.x, step.y) for step in after.maps[0].steps}
    assert all(new[name] == spot for name, spot in old.items())
    assert [k.title for k in after.maps[0].kaizens] == ["Auto-assign"]
    assert [m.name for m in after.maps] == [m.name for m in before.maps]
    assert after.maps[0].measured.source == "april.csv"


def test_new_steps_are_added_right_of_the_map_and_vanished_ones_flagged(refreshed: dict) -> None:
    before, after = refreshed["before"].maps[0], refreshed["after"].maps[0]
    steps = {step.name: step for step in after.steps}
    assert refreshed["report"]["added"] == ["Awaiting User Info"]
    assert steps["Awaiting User Info"].x > max(step.x for step in before.steps)
    assert refreshed["report"]["not_in_log"] == ["Awaiting Vendor"]
    vendor = steps["Awaiting Vendor"]  # not deleted, flagged
    assert vendor.notes.endswith("\nNot in the log of " + after.measured.end[:10] + ".")
    assert any(f.target == steps["Awaiting User Info"].id for f in after.flows)
    # the mined routes to and from the vendor are gone, so the shares add up again
    assert refreshed["report"]["flows_removed"] == 2
    assert not [f for f in after.flows if vendor.id in (f.source, f.target)]
    from vsm.analysis import analyse
    assert not [p.message for p in analyse(after).problems if p.blocking]


def test_the_text_lists_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_log(first, service_desk(vendor=True, user_waits=False), 200, seed=4)
    write_log(second, service_desk(vendor=False, user_waits=False), 200, seed=5)
    path = tmp_path / "m.json"
    assert mine(capsys, str(first), "-o", str(path))[0] == 0
    status, out, _ = mine(capsys, str(second), "--update", str(path))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"Refreshed map 'Mined from a.csv' of {path} from {second}"
    assert "Not in the log (flagged in their notes, not deleted): 'Awaiting Vendor'" in lines
    assert lines[-1].startswith("Flows: ")


def test_update_and_output_go_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "a.csv"
    write_log(log, service_desk(), 50, seed=1)
    status, _, err = mine(capsys, str(log), "-o", str(tmp_path / "x.vsm"), "--update",
                          str(tmp_path / "y"))
    assert status == 2 and "not allowed with argument" in err
    status, _, err = mine(capsys, str(log), "-o", str(tmp_path / "x.vsm"), "--map", "A")
    assert status == 2 and "--map goes with --update" in err
