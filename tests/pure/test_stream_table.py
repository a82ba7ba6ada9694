"""Reading a table row by row under the limits of its kind (vsm.files.sheets.stream_table): the
rows read_table gives, none kept, and an event log allowed far more rows than a step table."""

from __future__ import annotations

import pytest

from vsm.errors import FileFormatError
from vsm.files import sheet_limits
from vsm.files.sheet_limits import EVENT_LOG_LIMITS
from vsm.files.sheets import read_table, stream_table, write_xlsx


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_streamed_rows_are_the_rows_read_table_gives(tmp_path, suffix):
    path = tmp_path / f"log{suffix}"
    rows = [["case", "activity", "time"], ["1", "New", "2024-01-01T08:00:00"],
            ["1", "Closed", "2024-01-02T08:00:00"]]
    if suffix == ".csv":
        path.write_text("\n".join(",".join(row) for row in rows) + "\n\n", encoding="utf-8")
    else:
        write_xlsx(path, [("Log", rows[0], rows[1:])])
    seen: list[tuple[int, list]] = []
    table = stream_table(path, lambda number, cells: seen.append((number, cells)),
                         EVENT_LOG_LIMITS)
    assert table.rows == [] and seen == read_table(path).rows
    assert seen == [(1, rows[0]), (2, rows[1]), (3, rows[2])]


def test_an_event_log_may_hold_more_rows_than_a_step_table(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_STEPS", 10)
    path = tmp_path / "log.csv"
    path.write_text("case,activity\n" + "".join(f"{i},New\n" for i in range(50)),
                    encoding="utf-8")
    count = [0]
    stream_table(path, lambda number, cells: count.__setitem__(0, count[0] + 1),
                 EVENT_LOG_LIMITS)
    assert count[0] == 51
    with pytest.raises(FileFormatError, match=r"row 12: more than 10 steps; is this a step "
                                              r"table\?"):
        read_table(path)


def test_an_event_log_past_its_limits_is_refused_as_an_event_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity\n1," + "x" * 40_000 + "\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"row 2, column 2: more than 32,767 characters "
                                              r"in one cell \(Excel's limit\); is this an event "
                                              r"log\?"):
        stream_table(path, lambda number, cells: None, EVENT_LOG_LIMITS)
