"""The autosave timer's write runs on a copy of the project, on the worker (issue 19): the file is
the one a direct write gives, and a write handed over before the copy was removed never brings it
back. (tests/document/test_autosave_process.py: the worker's second process.)"""

from __future__ import annotations

import threading

from tests.helpers.maps import loop_map
from ui.document import processes
from ui.document.document import Document
from vsm.files.working_copies import WorkingCopy
from vsm.model import Kaizen, Project, ValueStreamMap


def edited_document(tmp_path) -> Document:
    map_ = loop_map()
    map_.add_kaizen(Kaizen("Fewer handoffs", step_id="B"))
    document = Document(Project("Autosaved", [map_], id="p"))
    document.autosaver.copy.directory = tmp_path / "copies"
    document.set_step_field(map_.id, "B", "wait_time", 45)
    return document


def test_the_worker_writes_what_a_direct_write_writes(qtbot, tmp_path):
    document = edited_document(tmp_path)
    assert document.autosaver.pending
    with qtbot.waitSignal(document.autosaver.written, timeout=5000):
        pass  # the timer fires after DELAY_MS and the worker writes
    assert not document.autosaver.pending and not document.autosaver.failing
    background = document.autosaver.copy.load()
    direct = WorkingCopy.new(None, "direct", tmp_path / "direct")
    direct.write(document.project)
    expected = direct.load()
    assert background.name == expected.name == "Autosaved"
    assert background.maps == expected.maps == document.project.maps
    assert background.maps[0].step("B").wait_time == 45
    assert [k.title for k in background.maps[0].kaizens] == ["Fewer handoffs"]
    document.close()


def test_a_write_handed_over_before_the_copy_was_removed_is_dropped(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child would not see the held rebuild
    document = edited_document(tmp_path)
    autosaver = document.autosaver
    entered, release = threading.Event(), threading.Event()
    from ui.document import snapshots

    original = snapshots.ProjectRecords.rebuild

    def held(self):
        entered.set()
        release.wait(10)
        return original(self)

    monkeypatch.setattr(snapshots.ProjectRecords, "rebuild", held)
    autosaver.write_in_background()
    assert entered.wait(5)  # the worker has the copy of the project, not yet written
    document.undo_stack.undo()  # back to the clean state: the working copy is removed
    release.set()
    # The running write lands, then the removal handed over after it removes the copy.
    qtbot.waitUntil(lambda: not autosaver.pending and not autosaver.copy.exists, timeout=5000)
    assert not autosaver.failing
    processes.shared("autosave").submit(int, "0").result(timeout=10)  # the worker is idle
    assert not autosaver.copy.exists and not autosaver.copy.sidecar.exists()
    document.close()


def test_kept_record_copies_follow_every_edit(qtbot, tmp_path):
    # The snapshot reuses the copies of records no event named since: after a move (a layout
    # event the analysis ignores), a rename and an undo, each snapshot equals the model.
    from ui.document.snapshots import MapRecords

    document = edited_document(tmp_path)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    first = MapRecords.of(map_, copies=copies)
    assert first.rebuild() == map_
    document.set_step_field(map_.id, "A", "x", 999)
    document.set_step_field(map_.id, "C", "name", "Check")
    second = MapRecords.of(map_, copies=copies)
    assert second.rebuild() == map_
    assert second.steps[1] is first.steps[1]  # B unchanged: its copy is reused
    assert second.steps[0] is not first.steps[0] and second.steps[0].x == 999
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert MapRecords.of(map_, copies=copies).rebuild() == map_
    assert first.steps[0].x == 0  # a copy handed out never changes
    document.close()


def test_the_workers_copy_keeps_every_setting_of_a_map(qtbot, tmp_path):
    # The autosave worker and the analysis worker rebuild the project from copies: a setting the
    # copy leaves out would be lost from the working copy. The template's current state has a
    # target, an experience score, rates, a currency, an ITIL 4 description and a demand; a
    # measured record and the rest are set so no one of MAP_FIELDS has its default.
    from ui.document.snapshots import MapRecords, ProjectRecords
    from vsm.files.bundled import new_from_template
    from vsm.model import MAP_FIELDS, Measured, Thresholds

    project = new_from_template("fulfil-a-user-request")
    map_ = project.maps[0]
    map_.set_field("measured", Measured(source="log.csv", cases=40, events=120))
    for name, value in (("name", "As measured"), ("kind", "future"), ("demand_period", "month"),
                        ("thresholds", Thresholds(long_wait_percent=20.0)), ("currency", "CHF")):
        map_.set_field(name, value)  # the rest differ from a new map's already
    defaults = ValueStreamMap()
    assert all(getattr(map_, name) != getattr(defaults, name) for name in MAP_FIELDS)
    assert MapRecords.of(map_).rebuild() == map_
    assert ProjectRecords.of(project).rebuild() == project


def test_undoing_back_to_the_clean_state_never_waits_for_a_running_write(qtbot, tmp_path,
                                                                        monkeypatch):
    # Issue 19: the removal of the working copy took the write lock on the GUI thread, so an
    # undo back to the clean state waited for the worker's whole write (1.3 s at 5,000 steps).
    # The write is held inside the file write until released: an undo that waited for it would
    # return only after the held write ended (the 10 s wait below), so `finished` says it did.
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child would not see the held write
    document = edited_document(tmp_path)
    autosaver = document.autosaver
    writing, release, finished = threading.Event(), threading.Event(), threading.Event()
    original = WorkingCopy.write

    def held(self, *args, **kwargs):
        writing.set()
        release.wait(10)
        try:
            return original(self, *args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(WorkingCopy, "write", held)
    autosaver.write_in_background()
    assert writing.wait(5)  # the worker is in the middle of the write, holding the file lock
    document.undo_stack.undo()  # back to the clean state
    assert not finished.is_set()  # the undo returned while the write was still running
    release.set()
    qtbot.waitUntil(lambda: finished.is_set(), timeout=5000)
    qtbot.waitUntil(lambda: not autosaver.copy.exists, timeout=5000)  # removed after the write
    qtbot.waitUntil(lambda: not autosaver.pending, timeout=5000)
    assert not autosaver.failing
    document.close()
