"""Errors that reach people survive pickling (the editor's second process sends them back, issue
19): the same type, message and attributes, whatever their __init__ takes."""

from __future__ import annotations

import pickle
from pathlib import Path

from vsm.errors import FileFormatError, VsmError
from vsm.files.locks import LockedError, this_process
from vsm.files.step_tables import SheetError
from vsm.files.vsm_file import ContentChanged
from vsm.model import Project


def round_trip(error: VsmError) -> VsmError:
    return pickle.loads(pickle.dumps(error))


def test_a_file_format_error_keeps_its_file_and_reason():
    back = round_trip(FileFormatError("/data/copies/c.vsm", "disk full"))
    assert type(back) is FileFormatError
    assert back.path == Path("/data/copies/c.vsm") and back.reason == "disk full"
    assert str(back) == "/data/copies/c.vsm: disk full"


def test_errors_whose_init_takes_other_arguments_come_back_whole():
    changed = round_trip(ContentChanged("/d/a.vsm", Project("Read anyway")))
    assert type(changed) is ContentChanged and changed.project.name == "Read anyway"
    sheet = round_trip(SheetError("/d/t.xlsx", ["row 7: no name"]))
    assert sheet.problems == ["row 7: no name"]
    assert sheet.reason == "1 problem in the step table: row 7: no name"
    owner = this_process()
    locked = round_trip(LockedError("/d/a.vsm", owner))
    assert locked.owner == owner and locked.reason == f"is open {owner.describe()}"
    assert str(locked) == f"/d/a.vsm: is open {owner.describe()}"
