"""What stakeholders ask, in the files (issue 18): .vsm schema 6 and its migration from 5, the
checksum, the schema checks, vsm-json and step tables, each a round trip with its refusals."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from vsm.errors import FileFormatError
from vsm.files.schema import SCHEMA_VERSION
from vsm.files.step_rows import COLUMNS
from vsm.files.step_tables import SheetError, export_csv, export_xlsx, import_table, table_rows
from vsm.files.vsm_file import ContentChanged, open_project, save_project
from vsm.files.vsm_rows import CHECKSUM_KEY
from vsm.files.vsmjson_read import project_from_dict
from vsm.files.vsmjson_write import project_to_dict
from vsm.model import (
    Experience,
    Flow,
    Project,
    Step,
    ValueStreamDescription,
    ValueStreamMap,
)


def described() -> Project:
    map_ = ValueStreamMap("Now", demand=40, target_lead_time=2880.0, currency="$",
                          experience=Experience("survey", 3.9, 40, "Q3 pulse"),
                          team_rates={"Service desk": 45.0, "Vendor": 90.5},
                          itil=ValueStreamDescription("A user reports an outage",
                                                      "Service restored",
                                                      "The user works again", "Users; vendor"),
                          id="m")
    map_.add_step(Step("Log", team="Service desk", process_time=10, wait_time=5,
                       practices=("service_desk", "incident_management"),
                       information="ITSM tool; phone", target_time=30.0, id="log"))
    map_.add_step(Step("Fix", team="Vendor", performer="vendor", process_time=60,
                       hourly_rate=120.0, id="fix"))
    map_.add_flow(Flow("log", "fix", id="f"))
    return Project("Described", [map_, ValueStreamMap("Later", "future", id="later")], id="p")


def plain() -> Project:
    map_ = ValueStreamMap("Now", demand=12.5, id="m")
    map_.add_step(Step("Log", team="Desk", process_time=10, notes="n", id="log"))
    map_.add_step(Step("Fix", process_time=60, wait_time_max=90, id="fix"))
    map_.add_flow(Flow("log", "fix", id="f"))
    return Project("Plain", [map_], id="p")


def as_schema_5(path: Path) -> None:
    """Turn a file saved now into the file version 5 wrote: without the stakeholder columns and
    table, user_version 5, the migration's record gone; its checksum left as saved."""
    with closing(sqlite3.connect(path)) as connection:
        for column in ("target_time", "hourly_rate", "practices", "information"):
            connection.execute(f"ALTER TABLE steps DROP COLUMN {column}")
        for column in ("target_lead_time", "currency", "experience_scale", "experience_score",
                       "experience_responses", "experience_note", "itil_trigger",
                       "itil_outcome", "itil_value", "itil_stakeholders"):
            connection.execute(f"ALTER TABLE maps DROP COLUMN {column}")
        connection.execute("DROP TABLE team_rates")
        connection.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_stakeholders'")
        connection.execute("PRAGMA user_version = 5")
        connection.commit()


# ---------------------------------------------------------------- .vsm


def test_the_vsm_file_keeps_everything(tmp_path: Path) -> None:
    save_project(described(), tmp_path / "d.vsm")
    again = open_project(tmp_path / "d.vsm")
    assert again == described()
    map_ = again.maps[0]
    assert list(map_.team_rates.items()) == [("Service desk", 45.0), ("Vendor", 90.5)]
    assert map_.step("log").practices == ("service_desk", "incident_management")
    with closing(sqlite3.connect(tmp_path / "d.vsm")) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert connection.execute("SELECT practices FROM steps WHERE id = 'log'").fetchone() == (
            "service_desk;incident_management",)


def test_a_schema_5_file_opens_with_the_defaults_and_its_checksum(tmp_path: Path) -> None:
    path = tmp_path / "old.vsm"
    save_project(plain(), path)
    as_schema_5(path)
    before = path.read_bytes()
    opened = open_project(path)  # no ContentChanged: the checksum is version 5's
    assert opened == plain()
    map_ = opened.maps[0]
    assert (map_.target_lead_time, map_.experience, map_.currency, map_.team_rates,
            map_.itil) == (None, None, "€", {}, ValueStreamDescription())
    assert [(s.target_time, s.hourly_rate, s.practices, s.information) for s in map_.steps] == [
        (None, None, (), "")] * 2
    assert path.read_bytes() == before  # opening never changes the file
    save_project(opened, path)  # saved again: schema 6
    assert open_project(path) == plain()


def test_a_schema_5_file_with_a_changed_content_is_still_caught(tmp_path: Path) -> None:
    path = tmp_path / "old.vsm"
    save_project(plain(), path)
    as_schema_5(path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE steps SET notes = 'edited' WHERE id = 'log'")
        connection.commit()
    with pytest.raises(ContentChanged):
        open_project(path)


def test_the_checksum_covers_the_new_fields(tmp_path: Path) -> None:
    for statement in ("UPDATE steps SET practices = 'service_desk' WHERE id = 'log'",
                      "UPDATE steps SET hourly_rate = 1 WHERE id = 'fix'",
                      "UPDATE maps SET itil_value = 'less' WHERE id = 'm'",
                      "UPDATE maps SET experience_score = 4.5 WHERE id = 'm'",
                      "UPDATE team_rates SET rate = 46 WHERE team = 'Service desk'",
                      "DELETE FROM team_rates WHERE team = 'Vendor'"):
        path = tmp_path / "d.vsm"
        save_project(described(), path)
        with closing(sqlite3.connect(path)) as connection:
            connection.execute(statement)
            connection.commit()
        with pytest.raises(ContentChanged):
            open_project(path)


def _without_checksum(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.execute("DELETE FROM metadata WHERE key = ?", [CHECKSUM_KEY])
        connection.commit()


@pytest.mark.parametrize(("statements", "reason"), [
    (("UPDATE steps SET practices = 'service_desk;astrology' WHERE id = 'log'",),
     "damaged file: step 'Log': practices: 'astrology' is not one of ITIL 4's 34"),
    (("UPDATE maps SET experience_scale = NULL WHERE id = 'm'",),
     "damaged file: map 'Now': its experience score has no scale"),
    (("UPDATE maps SET experience_score = 7 WHERE id = 'm'",),
     "damaged file: map 'Now': experience: a Survey average score must be from 1 to 5"),
    (("UPDATE team_rates SET rate = -3 WHERE team = 'Vendor'",),
     "damaged file: map 'Now': team rates: team 'Vendor' cannot be negative"),
    (("UPDATE maps SET currency = '' WHERE id = 'm'",),
     "damaged file: map 'Now': currency needs a sign or code"),
    (("PRAGMA foreign_keys = OFF", "INSERT INTO team_rates VALUES ('nowhere', 0, 'X', 1)"),
     "damaged file: a row of table 'team_rates' refers to a missing row of 'maps'"),
])
def test_bad_values_in_a_file_are_named(tmp_path: Path, statements, reason) -> None:
    path = tmp_path / "d.vsm"
    save_project(described(), path)
    _without_checksum(path, *statements)
    with pytest.raises(FileFormatError) as caught:
        open_project(path)
    assert reason in str(caught.value) and not isinstance(caught.value, ContentChanged)


def test_the_schema_check_expects_the_new_table_only_from_version_6(tmp_path: Path) -> None:
    path = tmp_path / "d.vsm"
    save_project(described(), path)
    _without_checksum(path, "DROP TABLE team_rates")
    with pytest.raises(FileFormatError, match="damaged file: table 'team_rates' is missing"):
        open_project(path)
    path = tmp_path / "five.vsm"
    save_project(plain(), path)
    as_schema_5(path)
    with closing(sqlite3.connect(path)) as connection:  # a version 5 file with a table 6 has
        connection.execute("CREATE TABLE team_rates (map_id TEXT, team TEXT, rate REAL)")
        connection.commit()
    with pytest.raises(FileFormatError, match="holds a table 'team_rates' that VSM Studio does "
                                              "not write"):
        open_project(path)
    path = tmp_path / "trap.vsm"
    save_project(described(), path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TRIGGER t AFTER INSERT ON team_rates BEGIN "
                           "DELETE FROM steps; END")
        connection.commit()
    with pytest.raises(FileFormatError, match="contains SQL triggers"):
        open_project(path)


# ---------------------------------------------------------------- vsm-json


def test_vsm_json_keeps_everything_and_writes_only_what_is_set() -> None:
    data = project_to_dict(described())
    now = data["maps"][0]
    assert now["target_lead_time"] == "2d" and now["currency"] == "$"
    assert now["experience"] == {"scale": "survey", "score": 3.9, "responses": 40,
                                 "note": "Q3 pulse"}
    assert now["team_rates"] == {"Service desk": 45, "Vendor": 90.5}
    assert now["itil"]["trigger"] == "A user reports an outage"
    log, fix = now["steps"]
    assert (log["practices"], log["information"], log["target_time"]) == (
        ["service_desk", "incident_management"], "ITSM tool; phone", "30m")
    assert fix["hourly_rate"] == 120 and "practices" not in fix and "target_time" not in fix
    later = data["maps"][1]
    assert not {"target_lead_time", "experience", "currency", "team_rates", "itil"} & set(later)
    assert project_from_dict(data) == described()


@pytest.mark.parametrize(("change", "reason"), [
    ({"practices": "service_desk"}, "step 'Log': practices must be a list of texts"),
    ({"practices": ["service_desk", "palmistry"]}, "step 'Log': practices: 'palmistry' is not"),
    ({"hourly_rate": "cheap"}, "step 'Log': hourly_rate must be a number or null, not text"),
    ({"target_time": "soon"}, "step 'Log': target time: "),
    ({"information": 5}, "step 'Log': information must be text, not a number"),
])
def test_vsm_json_names_a_bad_step_value(change, reason) -> None:
    data = project_to_dict(described())
    data["maps"][0]["steps"][0].update(change)
    with pytest.raises(FileFormatError, match=reason.replace("(", r"\(")):
        project_from_dict(data)


@pytest.mark.parametrize(("change", "reason"), [
    ({"experience": {"scale": "csat"}}, "map 'Now': experience: missing required key 'score'"),
    ({"experience": {"scale": "csat", "score": 80, "responses": "many"}},
     "map 'Now': experience: responses must be a whole number or null, not text"),
    ({"experience": {"scale": "csat", "score": 180}}, "a CSAT score must be from 0 to 100"),
    ({"team_rates": {"Ops": None}}, "team_rates: the rate of 'Ops' must be a number, not null"),
    ({"team_rates": [1]}, "map 'Now': team_rates must be an object, not a list"),
    ({"itil": {"value": ["x"]}}, "map 'Now': itil: value must be text, not a list"),
    ({"target_lead_time": 0}, "map 'Now': target lead time must be more than 0"),
    ({"currency": 3}, "map 'Now': currency must be text, not a number"),
])
def test_vsm_json_names_a_bad_map_value(change, reason) -> None:
    data = project_to_dict(described())
    data["maps"][0].update(change)
    with pytest.raises(FileFormatError, match=reason):
        project_from_dict(data)


# ---------------------------------------------------------------- step tables


def test_step_tables_carry_target_rate_practices_and_information(tmp_path: Path) -> None:
    assert COLUMNS[-4:] == ("target_time", "hourly_rate", "practices", "information")
    project = described()
    rows = dict(zip([row[0] for row in table_rows(project.maps[0])], table_rows(project.maps[0])))
    log = dict(zip(COLUMNS, rows["Log"]))
    assert (log["target_time"], log["hourly_rate"], log["practices"], log["information"]) == (
        "30m", "", "Service desk; Incident management", "ITSM tool; phone")
    assert dict(zip(COLUMNS, rows["Fix"]))["hourly_rate"] == 120
    for export, name in ((export_csv, "d.csv"), (export_xlsx, "d.xlsx")):
        export(project, tmp_path / name, ["m"])
        steps = {s.name: s for s in import_table(tmp_path / name).map.steps}
        assert (steps["Log"].target_time, steps["Log"].practices, steps["Log"].information) == (
            30.0, ("service_desk", "incident_management"), "ITSM tool; phone")
        assert steps["Fix"].hourly_rate == 120.0 and steps["Fix"].practices == ()


def test_a_step_table_reads_codes_labels_and_aliases_and_names_bad_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("name,target,rate,ITIL practices,Information and technology\n"
                    "Log,1h,45,service_desk; Incident Management,Portal\n", encoding="utf-8")
    [step] = import_table(path).map.steps
    assert (step.target_time, step.hourly_rate, step.practices, step.information) == (
        60.0, 45.0, ("service_desk", "incident_management"), "Portal")
    path.write_text("name,target_time,hourly_rate,practices\n"
                    "Log,0,-1,Service desk; Fortune telling\n", encoding="utf-8")
    with pytest.raises(SheetError) as caught:
        import_table(path)
    assert caught.value.problems == [
        "row 2: target time must be more than 0",
        "row 2: hourly rate cannot be negative, not -1",
        "row 2: practices: 'Fortune telling' is not one of ITIL 4's 34 management practices",
    ]
