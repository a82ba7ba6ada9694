"""The editor's hooks into mining: a preview of the first rows, progress and cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.itsm_logs import service_desk, write_log
from vsm.errors import FileFormatError
from vsm.mining.events import PROGRESS_ROWS, first_rows
from vsm.mining.mine import MiningOptions, mine_log

LOGS = Path(__file__).parent / "mining_logs"


def test_first_rows_reads_the_header_and_no_more_than_asked():
    rows = first_rows(LOGS / "servicenow_incident.csv", 3)
    assert len(rows) == 3
    assert rows[0][:2] == ["number", "incident_state"]
    assert rows[1][:2] == ["INC0000045", "New"]


def test_first_rows_of_a_short_log_are_all_its_rows(tmp_path):
    log = tmp_path / "short.csv"
    log.write_text("Case,Activity,Time\nA,New,2024-01-01T00:00:00Z\n", encoding="utf-8")
    assert first_rows(log, 20) == [["Case", "Activity", "Time"],
                                   ["A", "New", "2024-01-01T00:00:00Z"]]


def test_first_rows_of_a_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(FileFormatError):
        first_rows(tmp_path / "nothing.csv", 20)


def test_progress_is_told_the_rows_read_and_what_it_raises_stops_the_mining(tmp_path):
    log = tmp_path / "desk.csv"
    rows = write_log(log, service_desk(), 4000)
    assert rows > 2 * PROGRESS_ROWS
    seen: list[int] = []
    mined = mine_log(log, MiningOptions(end=("Resolved",)), seen.append)
    assert seen == [PROGRESS_ROWS * (i + 1) for i in range(rows // PROGRESS_ROWS)]
    assert mined.summary["events"] == rows

    class Stop(Exception):
        pass

    def stop(read: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        mine_log(log, MiningOptions(), stop)
