"""`vsm mine` as people use it: the recognised exports (small fixed logs in mining_logs/), the
summary and its JSON, and bad input: a missing column with "did you mean", ambiguous or
unreadable times, too many bad rows, an existing OUT, options out of range, any table or bytes
at all. Every error is one line with exit status 2, never a traceback, nothing written, the log
never changed."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.mining import map_exits, mine, mine_json, write_csv
from vsm.files.formats import load_project
from vsm.files.sheets import write_xlsx

LOGS = Path(__file__).parent / "mining_logs"
SUMMARY_KEYS = {"cases", "events", "skipped_rows", "steps", "lead_time_p50_minutes",
                "lead_time_p85_minutes", "lead_time_p95_minutes"}


def steps_and_flows(path: Path) -> tuple[list[str], dict]:
    map_ = load_project(path).maps[0]
    return [step.name for step in map_.steps], map_exits(map_)


@pytest.mark.parametrize("log, recognised, steps", [
    ("servicenow_incident.csv", "a ServiceNow incident export",
     ["New", "-100", "Active", "Awaiting User Info", "Resolved", "Closed", "End"]),
    ("servicenow_audit.csv", "a ServiceNow audit export (sys_audit)",
     ["New", "In Progress", "On Hold", "Resolved", "Closed"]),
    ("jira_history.csv", "a Jira issue history export", ["Open", "In Progress", "Done"]),
    ("xes_log.csv", "an XES-style event log", ["Register", "Diagnose", "Fix", "Close"]),
    ("bpi2014_style.csv", None, ["Start", "Open", "Reassignment", "Operator Update",
                                 "Assignment", "Update from customer", "Closed"]),
])
def test_common_exports_are_recognised_by_their_headers(tmp_path, capsys, log, recognised, steps):
    out = tmp_path / "mined.vsm"
    data = mine_json(capsys, str(LOGS / log), "-o", str(out))
    assert SUMMARY_KEYS <= data.keys() and data["recognised"] == recognised
    assert data["skipped_rows"] == 0 and data["cases"] in (2, 3)
    assert steps_and_flows(out)[0] == steps


def test_the_servicenow_incident_export_reads_day_first_times_and_question_marks(tmp_path,
                                                                                 capsys):
    out = tmp_path / "groups.json"
    data = mine_json(capsys, str(LOGS / "servicenow_incident.csv"), "-o", str(out),
                     "--steps", "group", "--end", "Resolved")
    assert data["times_read_as"] == "day first"
    assert data["window_utc"] == ["2016-02-29T01:23:00Z", "2016-03-01T09:52:00Z"]
    assert data["skipped"] == {"without a group": {"rows": 1, "first_rows": [15]}}
    assert data["lead_time_p50_minutes"] == 10 * 60 + 6  # INC0000045: 01:23 to 11:29
    names, exits = steps_and_flows(out)
    assert names == ["Start", "Group 56", "Group 70", "Group 24"]
    assert exits["Start"] == pytest.approx({"Group 56": 2 / 3, "Group 70": 1 / 3}, rel=1e-15)


def test_the_summary_for_people_and_the_map_written(tmp_path, capsys):
    out = tmp_path / "map.json"
    status, text, err = mine(capsys, str(LOGS / "xes_log.csv"), "-o", str(out),
                             "--name", "Incidents Q1")
    assert status == 0
    assert text.splitlines() == [
        f"Mined {LOGS / 'xes_log.csv'}: 2 cases, 7 events",
        "Lead time: P50 2h 25m, P85 3h 32m, P95 3h 50m (mean 2h 25m)",
        f"Wrote {out}: map 'Incidents Q1', 4 steps, 4 flows"]
    assert "recognised an XES-style event log: columns case 'case:concept:name'" in err
    assert "cannot be computed" not in err
    project = load_project(out)
    assert project.maps[0].name == "Incidents Q1" and "xes_log.csv" in project.maps[0].description


def test_a_map_the_analysis_accepts_gets_no_note_and_reports(tmp_path, capsys):
    out = tmp_path / "jira.json"
    data = mine_json(capsys, str(LOGS / "jira_history.csv"), "-o", str(out), "--steps",
                     "group", "--end", "Done", "--statistic", "mean")
    assert data["analysis_problems"] == []
    from vsm.cli.main import main

    assert main(["report", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["lead_time_minutes"] == pytest.approx(data["lead_time_mean_minutes"])


def test_an_xlsx_log_with_date_cells(tmp_path, capsys):
    log = tmp_path / "tickets.xlsx"
    start = dt.datetime(2024, 5, 6, 9, 0)
    write_xlsx(log, [("Export", ["Case ID", "Activity", "Timestamp"], [
        ["A", "New", start], ["A", "In Progress", start + dt.timedelta(hours=2)],
        ["A", "Resolved", start + dt.timedelta(hours=3)],
        [17, "New", start], [17, "Resolved", start + dt.timedelta(minutes=30)]])])
    data = mine_json(capsys, str(log), "-o", str(tmp_path / "out.vsm"))
    assert (data["cases"], data["events"], data["steps"]) == (2, 5, 3)
    assert data["lead_time_p50_minutes"] == 105
    assert data["times_read_as"] == "spreadsheet dates"


def test_times_with_offsets_are_converted_to_utc(tmp_path, capsys):
    log = write_csv(tmp_path / "zones.csv", [
        ["case", "activity", "time"],
        ["A", "New", "2024-03-31T01:30:00+01:00"],  # 00:30 UTC
        ["A", "Done", "2024-03-31T03:30:00+02:00"],  # 01:30 UTC: one hour later, not two
    ])
    data = mine_json(capsys, str(log), "-o", str(tmp_path / "out.json"))
    assert data["lead_time_p50_minutes"] == 60
    assert data["window_utc"] == ["2024-03-31T00:30:00Z", "2024-03-31T01:30:00Z"]


# ---------------------------------------------------------------- bad input


def refused(capsys, *args: str) -> str:
    status, out, err = mine(capsys, *args)
    assert status == 2 and out == "", (out, err)
    assert err.count("\n") == 1 and err.startswith("vsm: error: ") and "Traceback" not in err
    return err.strip().removeprefix("vsm: error: ")


@pytest.fixture
def log(tmp_path):
    path = write_csv(tmp_path / "tickets.csv", [
        ["Ticket ID", "State", "Updated", "Team"],
        ["1", "New", "2024-01-01 08:00", "Desk"], ["1", "Closed", "2024-01-01 09:00", "Desk"]])
    return path


def unchanged(path: Path):
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    return lambda: (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_a_missing_column_names_the_closest_header(tmp_path, capsys, log):
    out = tmp_path / "out.vsm"
    assert refused(capsys, str(log), "-o", str(out), "--case", "Tiket ID") == (
        "--case 'Tiket ID': there is no such column (did you mean 'Ticket ID'?); the columns "
        "are 'Ticket ID', 'State', 'Updated', 'Team'")
    assert refused(capsys, str(log), "-o", str(out), "--group", "Assignment group") == (
        "--group 'Assignment group': there is no such column; the columns are 'Ticket ID', "
        "'State', 'Updated', 'Team'")
    assert not out.exists()


def test_headers_nothing_recognises_ask_for_the_column(tmp_path, capsys):
    log = write_csv(tmp_path / "odd.csv", [["Ref", "What", "When"], ["1", "New", "2024-01-01"]])
    assert refused(capsys, str(log), "-o", str(tmp_path / "out.vsm")) == (
        "cannot tell which column holds the case (ticket) id: name it with --case COLUMN (the "
        "columns are 'Ref', 'What', 'When')")
    data = mine_json(capsys, str(log), "-o", str(tmp_path / "out.vsm"), "--case", "ref",
                     "--activity", "WHAT", "--time", "When")
    assert data["cases"] == 1


def test_steps_by_group_need_a_group(tmp_path, capsys):
    log = write_csv(tmp_path / "log.csv", [["case", "activity", "time"], ["1", "New", "2024-01-01"]])
    assert refused(capsys, str(log), "-o", str(tmp_path / "o.vsm"), "--steps", "group") == (
        "cannot tell which column holds the group (team) holding the ticket: name it with "
        "--group COLUMN (the columns are 'case', 'activity', 'time')")


def test_times_that_could_be_either_order_ask_for_the_format(tmp_path, capsys):
    log = write_csv(tmp_path / "log.csv", [["case", "activity", "time"],
                                           ["1", "New", "3/4/2024 10:00"],
                                           ["1", "Done", "5/4/2024 10:00"]])
    message = refused(capsys, str(log), "-o", str(tmp_path / "o.vsm"))
    assert message.startswith("the times could be day first or month first (2 values, none "
                              "with a day above 12); give the format with --time-format")
    day_first = mine_json(capsys, str(log), "-o", str(tmp_path / "o.vsm"), "--time-format",
                          "%d/%m/%Y %H:%M")
    assert day_first["lead_time_p50_minutes"] == 2 * 24 * 60
    month_first = mine_json(capsys, str(log), "-o", str(tmp_path / "o2.vsm"), "--time-format",
                            "%m/%d/%Y %H:%M")
    assert month_first["lead_time_p50_minutes"] == 61 * 24 * 60


def test_bad_rows_are_skipped_counted_and_named_and_more_than_half_refuses(tmp_path, capsys):
    rows = [["case", "activity", "time"]]
    rows += [["A", "New", "2024-01-01T08:00"], ["A", "Done", "2024-01-01T09:00"]]
    rows += [["", "New", "2024-01-01T08:00"], ["B", "New", "yesterday"], ["B", "", "2024-01-01"]]
    log = write_csv(tmp_path / "bad.csv", rows)
    out = tmp_path / "out.json"
    assert refused(capsys, str(log), "-o", str(out)) == (
        f"{log}: 3 of 5 rows cannot be read (1 without a case id (row 4), 1 with a time that "
        "cannot be read ('yesterday'; row 5), 1 without an activity (row 6)); check the columns "
        "and the time format; nothing was written")
    assert not out.exists()
    rows += [["C", "New", "2024-01-02T08:00"], ["C", "Done", "2024-01-02T08:30"]]
    write_csv(log, rows)
    data = mine_json(capsys, str(log), "-o", str(out))
    assert data["skipped_rows"] == 3 and data["skipped"]["without a case id"] == {
        "rows": 1, "first_rows": [4]}


def test_an_existing_out_is_refused_without_force_and_the_log_never_changes(tmp_path, capsys,
                                                                           log):
    out = tmp_path / "out.vsm"
    out.write_bytes(b"precious")
    same = unchanged(log)
    assert refused(capsys, str(log), "-o", str(out)) == (
        f"{out}: the file exists; choose another name or add --force to replace it")
    assert out.read_bytes() == b"precious"
    assert mine(capsys, str(log), "-o", str(out), "--force")[0] == 0
    assert load_project(out).maps[0].steps and same()
    assert refused(capsys, str(log), "-o", str(log), "--force") == (
        f"{log}: LOG and OUT are the same file; choose another OUT")
    assert same()


@pytest.mark.parametrize("args, message", [
    (["--min-share", "100"], "--min-share must be a percentage from 0 to under 100, not 100"),
    (["--min-share", "nan"], "--min-share must be a percentage from 0 to under 100, not nan"),
    (["--min-cases", "0"], "--min-cases must be 1 or more, not 0"),
    (["--work", "(unclosed"], "--work '(unclosed' is not a regular expression: missing ), "
                              "unterminated subpattern at position 0"),
    (["--end", "Resolved,"], "--end names activities separated by commas; one of them is empty"),
])
def test_options_out_of_range(tmp_path, capsys, log, args, message):
    assert refused(capsys, str(log), "-o", str(tmp_path / "o.vsm"), *args) == message


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty; an event log needs a header row and one row per event"),
    (b"case,activity,time\n", "no events: the file has a header but no rows of events"),
    (b"PK\x03\x04\x00\x00binary", "not a text file (is it a workbook saved with a .csv name?)"),
])
def test_files_that_are_no_logs_are_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "log.csv"
    path.write_bytes(content)
    assert refused(capsys, str(path), "-o", str(tmp_path / "o.vsm")) == f"{path}: {message}"


def test_a_missing_log_and_an_unknown_type(tmp_path, capsys):
    assert refused(capsys, str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.vsm")) == (
        f"{tmp_path / 'none.csv'}: no such file")
    other = tmp_path / "log.pdf"
    other.write_bytes(b"%PDF")
    assert refused(capsys, str(other), "-o", str(tmp_path / "o.vsm")) == (
        f"{other}: unknown table type; use .csv or .xlsx")


def test_an_end_activity_no_event_has_is_named_with_the_closest(tmp_path, capsys, log):
    data = mine_json(capsys, str(log), "-o", str(tmp_path / "o.vsm"), "--end", "Close")
    assert "--end 'Close': no event has this activity (did you mean 'Closed'?)" in data["notes"]


# ---------------------------------------------------------------- never a traceback

CELLS = st.sampled_from(["case", "activity", "time", "group", "1", "2", "New", "Done", "?", "",
                         "2024-01-01T08:00:00Z", "2024-01-01 09:30", "31/12/2024 10:00",
                         "1/2/2024 10:00", "x\"y", "In Progress", "Resolved", "-1", "1e999"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, max_size=6), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]),
       options=st.lists(st.sampled_from([["--steps", "group"], ["--end", "Done"],
                                         ["--statistic", "mean"], ["--min-share", "30"],
                                         ["--min-cases", "2"], ["--case", "case"]]), max_size=3))
def test_any_table_is_a_map_or_one_error_line(tmp_path, capsys, rows, delimiter, options):
    log = write_csv(tmp_path / "log.csv", rows, delimiter=delimiter)
    out = tmp_path / "out.json"
    out.unlink(missing_ok=True)
    status, _, err = mine(capsys, str(log), "-o", str(out),
                          *(option for pair in options for option in pair))
    assert status in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if status == 2:
        assert not out.exists() and err.count("vsm: error: ") == 1
    else:
        assert load_project(out).maps[0].steps


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400))
def test_any_bytes_are_a_map_or_one_error_line(tmp_path, capsys, content):
    log = tmp_path / "log.csv"
    log.write_bytes(content)
    status, _, err = mine(capsys, str(log), "-o", str(tmp_path / "never.vsm"))
    assert status in (0, 2) and "Traceback" not in err and "internal error" not in err
