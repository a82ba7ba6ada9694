"""Measured data (vsm mine): the counts of steps and flows, a step's mined snapshot and a map's
Measured record; the model's rules for them and their round trip through .vsm and vsm-json."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.itsm_logs import service_desk, write_log
from tests.helpers.mining import mine
from vsm.files.formats import load_project
from vsm.files.vsm_file import open_project, save_project
from vsm.files.vsm_rows import CHECKSUM_KEY
from vsm.files.vsmjson_read import project_from_dict
from vsm.files.vsmjson_write import project_to_dict
from vsm.model import Flow, Measured, ModelError, Project, Step, ValueStreamMap

MEASURED = Measured(source="tickets.csv", start="2026-01-05T08:00:00Z",
                    end="2026-03-31T17:30:00Z", cases=1200, events=9876, lead_time_p50=2880.0,
                    lead_time_p85=7200.5, lead_time_p95=14400.0, statistic="median")


def _measured_project() -> Project:
    map_ = ValueStreamMap("Mined", measured=MEASURED)
    a = map_.add_step(Step(name="Triage", wait_time=60.0, process_time=15.0, cases=1200,
                           visits=1310, mined=(("process_time", 15.0), ("wait_time", 60.0),
                                               ("process_time_min", None))))
    b = map_.add_step(Step(name="Fix", cases=12, visits=12))
    map_.add_flow(Flow(a.id, b.id, cases=1100))
    map_.add_flow(Flow(b.id, a.id, "rework", probability=5.0, cases=3))
    return Project("Measured", [map_, ValueStreamMap("Future", "future")])


def test_the_model_checks_counts_and_the_snapshot() -> None:
    map_ = ValueStreamMap()
    step = map_.add_step(Step(name="A"))
    assert map_.set_step_field(step.id, "cases", 7) is None and step.cases == 7
    map_.set_step_field(step.id, "cases", 8.0)
    assert step.cases == 8 and type(step.cases) is int
    for bad in (-1, 1.5, "many", True, 10**13):
        with pytest.raises(ModelError, match="step 'A': cases must"):
            map_.set_step_field(step.id, "cases", bad)
    with pytest.raises(ModelError, match="'pca' is not a mined figure"):
        map_.set_step_field(step.id, "mined", {"pca": 80.0})
    map_.set_step_field(step.id, "mined", {"wait_time": 5, "process_time": 1})
    assert step.mined == (("process_time", 1.0), ("wait_time", 5.0))
    with pytest.raises(ModelError, match="cases must be a whole number"):
        map_.add_flow(Flow(step.id, map_.add_step(Step(name="B")).id, cases="x"))  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="statistic must be median or mean"):
        map_.set_field("measured", Measured(statistic="mode"))
    with pytest.raises(ModelError, match="events must be from 0"):
        map_.set_field("measured", Measured(events=-3))
    map_.set_field("measured", Measured(source=" log.csv ", start=""))
    assert map_.measured == Measured(source="log.csv")


def test_vsm_file_round_trip(tmp_path: Path) -> None:
    project = _measured_project()
    save_project(project, tmp_path / "m.vsm")
    again = open_project(tmp_path / "m.vsm")
    assert again == project
    assert again.maps[0].measured == MEASURED and again.maps[1].measured is None
    assert [s.cases for s in again.maps[0].steps] == [1200, 12]
    assert [f.cases for f in again.maps[0].flows] == [1100, 3]


def test_the_checksum_covers_measured_data(tmp_path: Path) -> None:
    save_project(_measured_project(), tmp_path / "m.vsm")
    with sqlite3.connect(tmp_path / "m.vsm") as connection:
        connection.execute("UPDATE steps SET cases = 13 WHERE name = 'Fix'")
        connection.execute("UPDATE measured SET cases = 1")
    from vsm.files.vsm_file import ContentChanged
    with pytest.raises(ContentChanged):
        open_project(tmp_path / "m.vsm")


def test_a_project_without_measured_data_keeps_its_version_4_checksum(tmp_path: Path) -> None:
    """Rows whose measured columns are all NULL hash as before schema version 5, and an empty
    measured table adds nothing: files saved by version 4 still match their checksum."""
    project = _measured_project()
    plain = Project("Plain", [ValueStreamMap("A")])
    plain.maps[0].add_step(Step(name="X"))
    save_project(plain, tmp_path / "p.vsm")
    with sqlite3.connect(tmp_path / "p.vsm") as connection:
        saved = connection.execute("SELECT value FROM metadata WHERE key = ?",
                                   [CHECKSUM_KEY]).fetchone()[0]
        # the version 4 content: the same rows without the measured columns and table
        connection.execute("ALTER TABLE steps DROP COLUMN cases")
        connection.execute("DROP TABLE measured")
        assert saved == content_checksum_v4(connection)
    assert project  # the measured project is covered by the tests above


def content_checksum_v4(connection: sqlite3.Connection) -> str:
    """The checksum as version 4 computed it: the same walk without the measured table."""
    import hashlib
    import json

    digest = hashlib.sha256(b"vsm content 1\n")

    def add(table: str, rows: list) -> None:
        digest.update(json.dumps([table, rows], ensure_ascii=False,
                                 separators=(",", ":")).encode())
    add("project", connection.execute("SELECT id, name FROM project LIMIT 2").fetchall())
    maps = connection.execute(
        "SELECT id, name, kind, description, demand, demand_period, long_wait_percent, "
        "low_pca_percent, rework_percent, over_capacity_percent FROM maps ORDER BY position"
    ).fetchall()
    add("maps", maps)
    for row in maps:
        add("steps", connection.execute(
            "SELECT name, activity, team, performer, process_time, wait_time, pca, people, "
            "notes, x, y, origin, process_time_min, process_time_max, wait_time_min, "
            "wait_time_max, id FROM steps WHERE map_id = ? ORDER BY position", [row[0]]).fetchall())
        add("flows", connection.execute(
            "SELECT source, target, kind, share, probability, id FROM flows WHERE map_id = ? "
            "ORDER BY position", [row[0]]).fetchall())
        add("kaizens", connection.execute(
            "SELECT title, description, waste, owner, due, status, expected_saving_minutes, "
            "step_id, x, y, id FROM kaizens WHERE map_id = ? ORDER BY position",
            [row[0]]).fetchall())
    return digest.hexdigest()


def test_vsm_json_round_trip() -> None:
    project = _measured_project()
    data = project_to_dict(project)
    step = data["maps"][0]["steps"][0]
    assert step["cases"] == 1200 and step["visits"] == 1310
    assert step["mined"] == {"process_time": "15m", "wait_time": "1h", "process_time_min": None}
    assert data["maps"][0]["flows"][0]["cases"] == 1100
    assert data["maps"][0]["measured"] == {
        "source": "tickets.csv", "start": "2026-01-05T08:00:00Z", "end": "2026-03-31T17:30:00Z",
        "cases": 1200, "events": 9876, "lead_time_p50": "2d", "lead_time_p85": "7200.5m",
        "lead_time_p95": "10d", "statistic": "median"}
    assert "measured" not in data["maps"][1] and "cases" not in data["maps"][0]["steps"][1] or \
        data["maps"][0]["steps"][1]["cases"] == 12
    assert project_from_dict(data) == project


def test_vsm_json_refuses_bad_measured_values() -> None:
    data = project_to_dict(_measured_project())
    data["maps"][0]["steps"][1]["visits"] = -2
    with pytest.raises(Exception, match="visits must be from 0"):
        project_from_dict(data)
    data = project_to_dict(_measured_project())
    data["maps"][0]["measured"]["cases"] = "lots"
    with pytest.raises(Exception, match="cases must be a whole number"):
        project_from_dict(data)


def test_a_mined_map_carries_its_measured_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "desk.csv"
    write_log(log, service_desk(), 300, seed=3)
    status, _, err = mine(capsys, str(log), "-o", str(tmp_path / "desk.vsm"))
    assert status == 0, err
    map_ = load_project(tmp_path / "desk.vsm").maps[0]
    assert map_.measured is not None and map_.measured.source == "desk.csv"
    assert map_.measured.cases == 300 and map_.measured.statistic == "median"
    assert map_.measured.lead_time_p50 is not None and map_.measured.start is not None
    mined = [s for s in map_.steps if s.cases is not None]
    assert mined and all(s.visits is not None and s.visits >= s.cases for s in mined)
    for step in mined:
        assert step.mined is not None
        assert all(getattr(step, name) == value for name, value in step.mined)
    assert any(f.cases for f in map_.flows)
