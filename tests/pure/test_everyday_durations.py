"""Durations as people write them: words, any case, "and", a decimal comma; everywhere a
duration is read (the model's fields, the step tables)."""

from __future__ import annotations

import csv

import pytest

from vsm.files.step_tables import import_table
from vsm.model.durations import DurationError, parse_duration


@pytest.mark.parametrize("text, minutes", [
    ("1 hour", 60), ("2 hours", 120), ("90 min", 90), ("90 minutes", 90), ("1 minute", 1),
    ("2 days", 2 * 1440), ("1 Day", 1440), ("1 week", 7 * 1440), ("2 wks", 2 * 7 * 1440),
    ("1,5h", 90), ("1,5 hours", 90), ("0,25h", 15), ("2,75", 2.75),
    ("1 hour and 30 minutes", 90), ("1h, 30m", 90), ("1 WEEK 2 DAYS", 9 * 1440),
    # 1w 1d 1h 1m = 10080 + 1440 + 60 + 1
    ("1 week, 1 day, 1 hour and 1 minute", 11581),
])
def test_everyday_forms(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text, says", [
    ("1,500m", "thousands separator or a decimal comma"),
    ("3 fortnights", "unknown time unit 'fortnights'"),
    ("1 hour and", "not a duration"), ("and 5m", "not a duration"),
])
def test_what_is_still_refused_is_said(text, says):
    with pytest.raises(DurationError, match=says):
        parse_duration(text)


def test_a_step_table_reads_everyday_durations(tmp_path):
    path = tmp_path / "steps.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "process_time", "wait_time"])
        writer.writerow(["Log the request", "10 min", "1 hour"])
        writer.writerow(["Approve", "1,5h", "2 days"])
    result = import_table(path)
    steps = result.map.steps
    assert [(s.process_time, s.wait_time) for s in steps] == [(10, 60), (90, 2880)]
