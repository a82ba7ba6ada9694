"""Which columns an event log's header gives each role, and how its times are read."""

from __future__ import annotations

import datetime as dt

import pytest

from vsm.mining.columns import MiningError, find_columns
from vsm.mining.times import PENDING, TimeReader

NONE = {"case": None, "activity": None, "time": None, "group": None}


@pytest.mark.parametrize("header, roles, recognised", [
    (["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"],
     (0, 1, 2, 4), "an XES-style event log"),
    (["number", "incident_state", "active", "sys_updated_at", "assignment_group"],
     (0, 1, 3, 4), "a ServiceNow incident export"),
    (["Number", "State", "Sys Updated On", "Assignment Group"], (0, 1, 2, 3),
     "a ServiceNow incident export"),
    (["Case ID", "Activity", "Timestamp", "Resource"], (0, 1, 2, None), ""),
    (["SR Number", "Change Date+Time", "Status", "Involved ST"], (0, 2, 1, 3), ""),
])
def test_plain_logs(header, roles, recognised):
    columns = find_columns(header, NONE, need_group=False)
    assert (columns.case, columns.activity, columns.time, columns.group) == roles
    assert columns.recognised == recognised and not columns.change_log


def test_change_logs_take_the_activity_and_the_group_from_their_rows():
    audit = find_columns(["sys_id", "documentkey", "fieldname", "oldvalue", "newvalue",
                          "sys_created_on"], NONE, need_group=True)
    assert audit.change_log and (audit.case, audit.time, audit.field, audit.value) == (1, 5, 2, 4)
    assert audit.activity_fields == {"state", "incident state"}
    assert audit.group_fields == {"assignment group"}
    jira = find_columns(["issue_id", "changelog_id", "author_id", "created_date", "field",
                         "field_type", "from", "from_string", "to", "to_string"], NONE, True)
    assert (jira.case, jira.time, jira.field, jira.value) == (0, 3, 4, 9)
    # a group column named by the user is read from the rows as a plain column
    named = find_columns(["documentkey", "fieldname", "newvalue", "sys_created_on", "team"],
                         {**NONE, "group": "TEAM"}, need_group=True)
    assert named.group == 4 and named.group_fields == frozenset()


def test_named_columns_win_and_must_be_distinct():
    columns = find_columns(["When", "Ticket", "Status", "Date"], {**NONE, "time": "when"}, False)
    assert (columns.case, columns.activity, columns.time) == (1, 2, 0)
    with pytest.raises(MiningError, match="must be different columns"):
        find_columns(["case", "activity", "time"], {**NONE, "case": "case", "activity": "CASE"},
                     False)


def test_a_wrong_name_gets_the_closest_header():
    with pytest.raises(MiningError) as error:
        find_columns(["Incident Number", "Status", "Updated"], {**NONE, "case": "incident nr"},
                     False)
    assert "(did you mean 'Incident Number'?)" in str(error.value)


@pytest.mark.parametrize("text, minutes", [
    ("2024-03-01T08:15:00Z", 0), ("2024-03-01 09:15:00+01:00", 0), ("2024-03-01T08:15", 0),
    ("2024-03-01 08:15:00.000", 0), ("20240301T081500Z", 0), ("2024-03-01T03:15:00-05:00", 0),
])
def test_iso_8601_with_and_without_offset(text, minutes):
    reader = TimeReader()
    base = dt.datetime(2024, 3, 1, 8, 15, tzinfo=dt.timezone.utc).timestamp()
    assert reader.read(text) == base + 60 * minutes and reader.describe() == "ISO 8601"


def test_day_or_month_first_is_settled_by_the_data():
    reader = TimeReader()
    assert reader.read("3/4/2016 01:16") is PENDING and reader.form is None
    first = reader.read("29/2/2016 13:05:30")
    assert reader.form == "dmy" and first == dt.datetime(
        2016, 2, 29, 13, 5, 30, tzinfo=dt.timezone.utc).timestamp()
    assert reader.read_pending("3/4/2016 01:16") == dt.datetime(
        2016, 4, 3, 1, 16, tzinfo=dt.timezone.utc).timestamp()
    assert reader.read("2/29/2016 01:16") is None  # contradicts day first: not a time
    month = TimeReader()
    assert month.read("12/31/16 11:59:59.5 PM") == dt.datetime(
        2016, 12, 31, 23, 59, 59, 500000, tzinfo=dt.timezone.utc).timestamp()
    assert month.describe() == "month first"
    assert month.read("1/2/2016 12:00 AM") == dt.datetime(
        2016, 1, 2, tzinfo=dt.timezone.utc).timestamp()
    dashes = TimeReader()
    assert dashes.read("18-03-2013 11:23:00") is not None and dashes.form == "dmy"
    year = TimeReader()
    assert year.read("2024/03/01 08:15") == dt.datetime(
        2024, 3, 1, 8, 15, tzinfo=dt.timezone.utc).timestamp() and year.form == "ymd"


def test_undecided_times_ask_for_the_format_and_a_format_is_used_as_given():
    reader = TimeReader()
    reader.read("1/2/2024")
    with pytest.raises(MiningError, match="--time-format"):
        reader.settle()
    given = TimeReader("%d.%m.%Y %H:%M %z")
    assert given.read("01.03.2024 09:15 +0100") == dt.datetime(
        2024, 3, 1, 8, 15, tzinfo=dt.timezone.utc).timestamp()
    assert given.read("2024-03-01T08:15") is None


@pytest.mark.parametrize("value", ["", "yesterday", "31/31/2024", "2024-13-01", "12:00",
                                   "1/2", None, 3.5, True])
def test_what_is_no_time(value):
    assert TimeReader().read(value) is None


def test_spreadsheet_dates_are_taken_as_utc():
    reader = TimeReader()
    assert reader.read(dt.datetime(2024, 3, 1, 8, 15)) == dt.datetime(
        2024, 3, 1, 8, 15, tzinfo=dt.timezone.utc).timestamp()
    assert reader.read(dt.date(2024, 3, 1)) == dt.datetime(
        2024, 3, 1, tzinfo=dt.timezone.utc).timestamp()


FORMATS = ["%Y-%m-%dT%H:%M:%SZ", "%d/%m/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%d-%m-%Y %H:%M:%S",
           "%Y%m%d%H%M%S", "%d.%m.%Y %H:%M %z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S%z",
           "%d/%m/%Y"]
VALUES = ["2024-03-01T08:15:00Z", "2024-3-1T8:5:0Z", "01/03/2024 08:15", "1/3/2024 8:15",
          "31/02/2024 08:15", "03/01/24 08:15:30", "29-02-2016 01:16:00", "20240301081500",
          "01.03.2024 09:15 +0100", "01.03.2024 09:15 +01:00", "01.03.2024 09:15 Z",
          "2024-03-01 08:15:00.5", "2024-03-01 08:15:00.123456", "2024-03-01T08:15:00+05:30",
          "2024-03-01T08:15:00-0000", "01/03/2024", "1/3/2024  ", "01/03/2024  08:15",
          "2024-03-01T08:15:00z", " 1/03/2024", "2024-13-01T08:15:00Z", "00/03/2024",
          "2024-03-01T24:00:00Z", "2024-03-01T08:60:00Z", "2024-03-01T08:15:61Z", "99/99/9999"]


@pytest.mark.parametrize("time_format", FORMATS)
def test_a_numeric_format_is_read_as_strptime_reads_it(time_format):
    from vsm.mining.times import compiled_format, seconds

    read = compiled_format(time_format)
    assert read is not None
    moments = [dt.datetime(2000, 1, 1) + dt.timedelta(minutes=97_123 * i + i * i)
               for i in range(200)]
    samples = VALUES + [moment.strftime(time_format) for moment in moments]
    for value in samples:
        try:
            expected: object = seconds(dt.datetime.strptime(value, time_format))
        except ValueError:
            expected = "refused"
        try:
            got: object = read(value)
        except ValueError:
            got = "refused"
        assert got == expected, value


@pytest.mark.parametrize("time_format", ["%d %b %Y %H:%M", "%m/%d/%Y %I:%M %p", "%H:%M",
                                         "%Y-%m-%d %y"])
def test_other_formats_go_through_strptime(time_format):
    from vsm.mining.times import compiled_format

    assert compiled_format(time_format) is None
    reader = TimeReader(time_format)
    assert reader.read(dt.datetime(2024, 3, 1, 8, 15).strftime(time_format)) is not None
