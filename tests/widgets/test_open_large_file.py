"""Opening a large file never blocks the window (issue 19): it is read and its first figures
computed on a worker while a busy dialog says what is opening (Cancel keeps the current
document); the document then shows with those figures, nothing analysed again on the GUI thread.
An unreadable large file says why once, as a small one does. READ_IN_BACKGROUND_BYTES is set to
0 here so that a 600-step map counts as large (any file is read on the worker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from bench.generate import synthetic_map
from ui.document.document import Document
from vsm.analysis import analyse
from vsm.files.formats import save_project_any
from vsm.files.locks import lock_path
from vsm.model import Project


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.vsm"
    save_project_any(Project("Big", [synthetic_map(600, seed=3)]), path)
    return path


@pytest.fixture
def in_background(monkeypatch):
    monkeypatch.setattr("ui.document.reading.READ_IN_BACKGROUND_BYTES", 0)


def test_a_large_file_is_read_on_a_worker_and_shown_with_its_first_figures(
        make_window, big_file, in_background, qtbot):
    window = make_window()
    before = window.document
    seen: dict[str, object] = {}

    def on_opened(path: str) -> None:  # before any turn of the event loop after the handover
        map_id = window.document.project.maps[0].id
        seen["figures"] = window.document.shown_analysis(map_id)

    window.files.opened.connect(on_opened)
    assert window.files.open_path(big_file)  # under way
    assert window.document is before  # not read yet: the current document stays meanwhile
    assert window.tabs.drawing()  # the window says it is busy until the map is drawn
    assert window.files.reading is not None and window.files.reading.dialog.isVisible()
    qtbot.waitUntil(lambda: window.document is not before, timeout=30000)
    document = window.document
    assert document.path == big_file and not document.read_only
    assert document.lock is not None and lock_path(big_file).exists()
    map_ = document.project.maps[0]
    assert len(map_.steps) == 600
    # The figures came with the document (the worker's), the same as a fresh analysis.
    assert seen["figures"] is not None
    assert seen["figures"].lead_time == pytest.approx(analyse(map_).lead_time)
    assert big_file.name in window.windowTitle()
    assert window.files.reading is None
    qtbot.waitUntil(lambda: not window.tabs.drawing(), timeout=30000)
    scene = window.tabs.current_view().scene()
    assert set(scene.item_for_step) == {s.id for s in map_.steps}
    assert scene.analysis is not None and scene.analysis.lead_time == seen["figures"].lead_time


def test_cancel_keeps_the_current_document_and_gives_the_lock_back(
        make_window, big_file, in_background, qtbot):
    window = make_window()
    before = window.document
    assert window.files.open_path(big_file)
    opening = window.files.reading
    assert lock_path(big_file).exists()  # locked while it is read
    opening.dialog.canceled.emit()  # the Cancel button
    assert not lock_path(big_file).exists()
    assert not window.tabs.drawing()
    opening_thread = opening.thread
    opening_thread.join(30)
    qtbot.wait(50)  # the worker's outcome arrives, and is dropped
    assert window.document is before
    # Opened again afterwards: it opens.
    assert window.files.open_path(big_file)
    qtbot.waitUntil(lambda: window.document is not before, timeout=30000)
    assert window.document.path == big_file


def test_an_unreadable_large_file_says_why_once_as_a_small_one_does(
        make_window, tmp_path, monkeypatch, qtbot):
    window = make_window()
    before = window.document
    bad = tmp_path / "broken.vsm"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    assert not window.files.open_path(bad)  # small: read at once, as always
    assert len(shown) == 1
    monkeypatch.setattr("ui.document.reading.READ_IN_BACKGROUND_BYTES", 0)
    assert window.files.open_path(bad)  # under way
    qtbot.waitUntil(lambda: window.files.reading is None, timeout=30000)
    qtbot.wait(50)
    assert len(shown) == 2 and shown[1] == shown[0]  # the same dialog, once
    assert window.document is before
    assert not lock_path(bad).exists()
    assert not window.tabs.drawing()


def test_a_document_from_a_read_file_keeps_the_workers_figures(big_file):
    from ui.document.reading import read_file

    read = read_file(big_file)
    document = Document.from_read(read)
    map_id = document.project.maps[0].id
    assert document.shown_analysis(map_id) is read.analyses[map_id].analysis
    assert not document.live.updating(map_id)
    # the metrics pane's figures came with it: the very object the reading worker found
    assert read.analyses[map_id].figures is not None
    assert document.live.pane_figures(map_id) is read.analyses[map_id].figures
    document.close()


def test_the_first_snapshot_after_a_background_open_copies_no_record(big_file, monkeypatch):
    # The reading worker copies every record for the workers' snapshots while the project is
    # still its own: the first snapshot on the GUI thread (the automation count's, when the
    # panels are filled) copied 48,000 records of the 20,000-step map there (65 ms).
    from ui.document import snapshots
    from ui.document.reading import read_file

    read = read_file(big_file)
    document = Document.from_read(read)
    map_ = document.project.maps[0]
    copied: list[object] = []
    real = snapshots._copied
    monkeypatch.setattr(snapshots, "_copied", lambda record: copied.append(record) or real(record))
    records = snapshots.MapRecords.of(map_, copies=document.live.copies(map_.id))
    assert copied == [map_.thresholds]  # the settings' thresholds only: no step, flow or kaizen
    assert len(records.steps) == len(map_.steps) and records.steps[0] is not map_.steps[0]
    assert records.rebuild().steps == map_.steps  # the same records, copied
    document.close()


def test_the_collector_never_runs_while_a_file_is_read(big_file, monkeypatch):
    # The read makes about 23 objects a step, none of them garbage: each collection it set off
    # walked them on the worker, holding the interpreter the GUI thread waits for (full ones
    # 100-185 ms at 20,000 steps). Without the pause, reading the 600 steps here ran the
    # collector a dozen times or more (gen 0 every 700 new objects). With `freeze` (the window
    # froze a large document) what was read is frozen with it; the collector runs again after.
    import gc

    import ui.document.reading as reading

    assert gc.get_freeze_count() == 0 and gc.isenabled()
    runs: list[int] = []
    during: list[int] = []  # collections while each read ran

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    read_only = reading._read

    def observed(path):
        before = len(runs)
        try:
            return read_only(path)
        finally:
            during.append(len(runs) - before)

    monkeypatch.setattr(reading, "_read", observed)
    gc.callbacks.append(seen)
    try:
        read = reading.read_file(big_file)
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0  # nothing frozen unless asked
        read = reading.read_file(big_file, freeze=True)
        assert during == [0, 0] and gc.isenabled()
        frozen = {id(thing) for thing in gc.get_objects()}  # the collector's, frozen ones not
        steps = read.project.maps[0].steps
        assert len(steps) == 600 and not any(id(step) in frozen for step in steps)
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()


def test_reads_that_overlap_leave_the_collector_as_they_found_it():
    import gc

    from ui.document.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        with collector_paused():  # a second read begins while the first goes on
            assert not gc.isenabled()
        assert not gc.isenabled()  # the first is still reading
    assert gc.isenabled()
    gc.disable()  # a collector someone else turned off stays off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    try:
        with collector_paused():
            raise ValueError("a damaged file")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == 0  # nothing frozen of a failed read


def test_reopening_a_file_writes_no_settings_when_the_recent_list_stays_the_same(
        make_window, big_file, qtbot):
    # Each QSettings write syncs the settings file to disk twice (its lock file and the file),
    # on the GUI thread, in the turn the opened document is shown: 10-100 ms each while the
    # disk is busy. Opening wrote the recent list and the last folder in two writes, whatever
    # they held; now in one, and none when both are as they were (a file opened again).
    import os

    from PySide6.QtCore import QSettings

    from ui.window.files import recent_files

    window = make_window()
    assert window.files.open_path(big_file)
    settings_file = QSettings().fileName()
    first = os.stat(settings_file).st_ino  # each write replaces the file: a new inode
    assert recent_files()[0] == str(big_file.resolve())
    assert QSettings().value("last_folder") == str(big_file.resolve().parent)
    assert window.files.open_path(big_file)  # the same file again: nothing to change
    assert os.stat(settings_file).st_ino == first
    other = big_file.parent / "other.vsm"
    other.write_bytes(big_file.read_bytes())
    assert window.files.open_path(other)
    assert recent_files()[:2] == [str(other.resolve()), str(big_file.resolve())]
    assert os.stat(settings_file).st_ino != first
