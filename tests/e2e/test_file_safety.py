"""Offline safety in the editor: autosave, recovery, locks, failed saves, bad files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

import ui.app
from tests.helpers.bad_files import CATALOGUE
from ui.dialogs.locked import LockedChoice, ask_locked
from ui.dialogs.recovery import Choice, offer_recovery
from ui.document.autosave import DELAY_MS
from ui.document.document import Document
from ui.window.main_window import MainWindow
from vsm.files.locks import LockedError, Owner, acquire, lock_path, read_owner, this_process
from vsm.files.vsm_file import open_project, save_project
from vsm.files.working_copies import WorkingCopy, list_working_copies, orphans, working_copies_dir
from vsm.model import Project, Step, ValueStreamMap

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str = "Change") -> Project:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Assess", wait_time=30, id="s1"))
    map_.add_step(Step("Build", wait_time=60, id="s2"))
    return Project(name, [map_])


def rename(document: Document, name: str) -> None:
    """One edit: rename the first step (add it if the map is empty)."""
    map_ = document.project.maps[0]
    if map_.steps:
        document.set_step_field(map_.id, map_.steps[0].id, "name", name)
    else:
        document.add_steps(map_.id, [Step(name)])


def copies() -> list[WorkingCopy]:
    return list_working_copies(working_copies_dir())


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def orphan_of(document: Document) -> WorkingCopy:
    """Make a document's working copy look left by a crashed process (the document forgets it)."""
    document.autosaver.write_now()
    copy = document.autosaver.copy
    copy.owner = replace(copy.owner, pid=dead_pid(), process_start=None)
    copy._write_sidecar()
    document.autosaver.copy = WorkingCopy.new()  # detach: the "crashed" editor is gone
    document.release_lock()
    return copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "docs" / "change.vsm"
    path.parent.mkdir()
    save_project(sample(), path)
    return path




@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    return shown


# ---------------------------------------------------------------- working copies


def test_every_edit_reaches_the_working_copy_within_two_seconds(qtbot, saved):
    document = Document.open(saved)
    assert copies() == []  # nothing to protect yet
    with qtbot.waitSignal(document.autosaver.written, timeout=2000):  # written by a worker
        rename(document, "Edited")
    assert len(copies()) == 1
    copy = copies()[0]
    assert copy.original == saved and copy.owner.pid == os.getpid()
    assert copy.load().maps[0].steps[0].name == "Edited"
    assert working_copies_dir().is_relative_to(Path(os.environ["XDG_DATA_HOME"]))
    document.close()


def test_a_steady_stream_of_edits_is_still_written(qtbot):
    document = Document(sample())
    for n in range(12):  # an edit every DELAY_MS / 4 for 3 * DELAY_MS
        rename(document, f"edit-{n}")
        qtbot.wait(DELAY_MS // 4)
    # The timer is never pushed back by a new edit: the copy was written while editing went on.
    assert copies() and copies()[0].load().maps[0].steps[0].name.startswith("edit-")
    qtbot.waitUntil(lambda: copies()[0].load().maps[0].steps[0].name == "edit-11", timeout=2000)
    document.close()


def test_untitled_documents_are_protected_too(qtbot):
    document = Document()
    with qtbot.waitSignal(document.autosaver.written, timeout=2000):
        rename(document, "Named")
    assert len(copies()) == 1
    assert copies()[0].original is None
    assert copies()[0].display_name == document.project.name
    document.close()
    assert copies() == []


def test_saving_or_undoing_to_the_saved_state_removes_the_working_copy(qtbot, saved):
    document = Document.open(saved)
    rename(document, "One")
    document.autosaver.write_now()
    assert copies()
    document.undo_stack.undo()  # back to the file's state: nothing to protect
    assert copies() == []
    rename(document, "Two")
    document.autosaver.write_now()
    document.save()
    assert copies() == [] and open_project(saved).maps[0].steps[0].name == "Two"
    document.close()


def test_a_clean_close_of_the_window_removes_working_copy_and_lock(qtbot, saved, monkeypatch):
    win = MainWindow()
    assert win.files.open_path(saved)
    rename(win.document, "Changed")
    win.document.autosaver.write_now()
    assert copies() and lock_path(saved).exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert win.close()
    assert copies() == [] and not lock_path(saved).exists()
    assert open_project(saved).maps[0].steps[0].name == "Assess"


def test_a_failing_autosave_is_reported_once_and_editing_goes_on(qtbot, monkeypatch, window):
    blocker = Path(os.environ["XDG_DATA_HOME"])
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the data folder should be")
    rename(window.document, "A")
    window.document.autosaver.write_now()
    assert "Cannot keep a recovery copy" in window.statusBar().currentMessage()
    rename(window.document, "B")
    assert window.document.project.maps[0].steps[0].name == "B"


# ---------------------------------------------------------------- recovery


def test_recover_opens_the_working_copy_as_a_modified_document(qtbot, saved, monkeypatch):
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    copy = orphan_of(crashed)
    asked = []
    monkeypatch.setattr("ui.dialogs.recovery.ask_recovery", lambda p, c: asked.append(c) or Choice.RECOVER)
    [document] = offer_recovery()
    assert [c.id for c in asked] == [copy.id] and asked[0].display_name == "change.vsm"
    assert asked[0].last_edit_text != "unknown"
    assert document.modified and document.path == saved
    assert document.project == crashed.project
    assert read_owner(saved).pid == os.getpid() and document.lock.held
    assert orphans() == [] and copies()[0].owner.pid == os.getpid()  # adopted, still protecting
    document.undo_stack.undo()
    assert document.modified  # a recovered document is modified until saved
    document.save()
    assert open_project(saved).maps[0].steps[0].name == "Unsaved edit"
    assert copies() == []
    document.close()


@pytest.mark.parametrize("choice", [Choice.OPEN_ORIGINAL, Choice.DISCARD, Choice.LATER])
def test_open_original_discard_and_later(qtbot, saved, monkeypatch, choice):
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    copy = orphan_of(crashed)
    monkeypatch.setattr("ui.dialogs.recovery.ask_recovery", lambda p, c: choice)
    documents = offer_recovery()
    if choice is Choice.OPEN_ORIGINAL:
        [document] = documents
        assert not document.modified and document.project.maps[0].steps[0].name == "Assess"
        document.close()
    else:
        assert documents == []
    assert copy.exists is (choice is Choice.LATER)


def test_start_up_offers_recovery_before_the_window(qtbot, saved, monkeypatch):
    untitled = Document(sample("Never saved"))
    rename(untitled, "Draft")
    orphan_of(untitled)
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    orphan_of(crashed)
    monkeypatch.setattr("ui.dialogs.recovery.ask_recovery", lambda p, c: Choice.RECOVER)
    window = ui.app.open_window(saved)
    others = list(ui.app.WINDOWS)
    try:
        titles = sorted(w.windowTitle() for w in [window, *others])
        assert titles == ["Never saved[*] — VSM Studio", "change.vsm[*] — VSM Studio"]
        assert all(w.isWindowModified() for w in [window, *others])
        assert len(others) == 1  # saved was recovered: not opened a second time
    finally:
        for each in [window, *others]:
            each.document.undo_stack.setClean()
            each.close()
        ui.app.WINDOWS.clear()


def test_the_recovery_dialog_names_the_file_and_the_time(qtbot, saved, monkeypatch):
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    copy = orphan_of(crashed)
    seen = []

    def exec_(box):
        seen.append((box.text(), box.informativeText(), [b.text() for b in box.buttons()]))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    from ui.dialogs.recovery import ask_recovery
    assert ask_recovery(None, copy) is Choice.LATER
    text, info, buttons = seen[0]
    assert "change.vsm" in text and copy.last_edit_text in info
    assert sorted(buttons) == ["&Discard", "&Open Original", "&Recover"]


# ---------------------------------------------------------------- locks


HOLDER = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from ui.document.document import Document
    document = Document.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.read()
    document.close()
""")


def test_a_document_open_in_another_process_opens_read_only(qtbot, window, saved, monkeypatch):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(saved)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "open"
        asked: list[LockedError] = []
        monkeypatch.setattr("ui.window.files.ask_locked",
                            lambda p, e: asked.append(e) or LockedChoice.READ_ONLY)
        assert window.files.open_path(saved)
        assert asked[0].owner.pid == child.pid and asked[0].path == saved
        document = window.document
        assert document.read_only and document.lock is None
        assert "(read-only)" in window.windowTitle()
        assert not window.menu_actions.save.isEnabled()
        assert read_owner(saved).pid == child.pid  # the other process keeps its lock
        rename(document, "Mine")
        with pytest.raises(Exception, match="read-only"):
            document.save()
        target = saved.with_name("mine.vsm")
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
        assert window.files.save()  # Save on a read-only document is Save As
        assert not document.read_only and window.menu_actions.save.isEnabled()
        assert read_owner(target).pid == os.getpid()
        assert open_project(saved).maps[0].steps[0].name == "Assess"
    finally:
        child.stdin.close()
        child.wait(30)
        child.stdout.close()
    assert not lock_path(saved).exists()


def test_cancel_keeps_the_current_document(window, saved, monkeypatch):
    other = replace(this_process(), host="colleagues-laptop")
    lock_path(saved).write_text(__import__("json").dumps(other.to_dict()))
    before = window.document
    monkeypatch.setattr("ui.window.files.ask_locked", lambda p, e: LockedChoice.CANCEL)
    assert not window.files.open_path(saved)
    assert window.document is before


def test_the_locked_dialog_says_who_has_it(qtbot, saved, monkeypatch):
    owner = Owner("colleagues-laptop", "anna", 4242, "2026-03-01T09:15:00+00:00")
    seen = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box.text()) or 0)
    assert ask_locked(None, LockedError(saved, owner)) is LockedChoice.CANCEL  # nothing clicked
    assert seen[0].startswith(
        "change.vsm is open on colleagues-laptop by anna (process 4242) since 2026-")


def buttons_of(monkeypatch, click: str | None = None) -> list[str]:
    """Patch QMessageBox.exec to record its buttons' texts (and click the one named `click`)."""
    seen: list[str] = []

    def exec_(box):
        for button in box.buttons():
            seen.append(button.text())
            if button.text() == click:
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return seen


def test_only_another_computers_lock_can_be_opened_anyway(qtbot, saved, monkeypatch):
    elsewhere = LockedError(saved, Owner("colleagues-laptop", "anna", 4242, "2026-03-01T09:15"))
    here = LockedError(saved, replace(this_process(), pid=1))  # this computer: surely checked
    seen = buttons_of(monkeypatch)
    ask_locked(None, elsewhere)
    assert "Open &Anyway" in seen and "Open &Read-Only" in seen
    seen.clear()
    ask_locked(None, here)
    assert "Open &Anyway" not in seen and "Open &Read-Only" in seen


def test_open_anyway_takes_a_lock_of_another_computer_over(window, saved, monkeypatch):
    other = replace(this_process(), host="colleagues-laptop", pid=4242)
    lock_path(saved).write_text(__import__("json").dumps(other.to_dict()))
    buttons_of(monkeypatch, click="Open &Anyway")
    assert window.files.open_path(saved)
    document = window.document
    assert document.path == saved and not document.read_only
    assert document.lock.held and read_owner(saved) == document.lock.owner
    assert document.lock.owner.pid == os.getpid()
    assert window.menu_actions.save.isEnabled()
    rename(document, "Mine")
    document.save()
    assert open_project(saved).maps[0].steps[0].name == "Mine"


def test_reopening_the_current_file_keeps_our_lock(window, saved):
    assert window.files.open_path(saved)
    first = window.document
    assert window.files.open_path(saved)
    assert window.document is not first
    assert window.document.lock.held and read_owner(saved).pid == os.getpid()


def test_save_as_onto_a_file_open_elsewhere_is_refused(window, saved, monkeypatch, errors):
    lock_path(saved).write_text(__import__("json").dumps(
        replace(this_process(), host="colleagues-laptop").to_dict()))
    before = digest(saved)
    rename(window.document, "Mine")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    assert not window.files.save_as()
    assert "is open on colleagues-laptop" in errors[0]
    assert window.document.modified and digest(saved) == before


# ---------------------------------------------------------------- saving where it cannot be saved


def test_a_file_deleted_while_open_is_written_again(window, saved):
    assert window.files.open_path(saved)
    rename(window.document, "After deletion")
    saved.unlink()
    assert window.files.save()
    assert open_project(saved).maps[0].steps[0].name == "After deletion"


def test_a_folder_gone_while_open_keeps_the_document_and_save_as_works(window, saved, errors,
                                                                        monkeypatch):
    assert window.files.open_path(saved)
    rename(window.document, "Precious")
    moved = saved.parent.with_name("moved away")
    saved.parent.rename(moved)
    assert not window.files.save()
    assert "change.vsm" in errors[0] and "folder does not exist" in errors[0]
    assert window.document.modified and window.isWindowModified()
    target = moved.parent / "elsewhere.vsm"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.files.save_as()
    assert not window.document.modified and window.document.path == target
    assert open_project(target).maps[0].steps[0].name == "Precious"
    assert not saved.parent.exists()


def test_disk_full_keeps_the_old_file_and_the_document(window, saved, errors, monkeypatch):
    assert window.files.open_path(saved)
    before = digest(saved)
    rename(window.document, "Too big")
    monkeypatch.setattr("vsm.files.vsm_file.os.replace",
                        lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    assert not window.files.save()
    assert "disk full" in errors[0] and window.document.modified
    assert digest(saved) == before
    assert sorted(p.name for p in saved.parent.iterdir()) == [".~lock.change.vsm#", "change.vsm"]


def test_a_read_only_folder(window, saved, errors):
    assert window.files.open_path(saved)
    rename(window.document, "Changed")
    os.chmod(saved.parent, 0o555)
    try:
        if os.access(saved.parent, os.W_OK):
            pytest.skip("chmod does not stop this user from writing (root?)")
        assert not window.files.save()
        assert "permission denied" in errors[0] and window.document.modified
    finally:
        os.chmod(saved.parent, 0o755)


# ---------------------------------------------------------------- bad files in the editor


@pytest.mark.parametrize("name, make, words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_a_bad_file_gives_one_dialog_naming_it(window, tmp_path, errors, name, make, words):
    path = tmp_path / name
    make(path)
    before = digest(path), sorted(tmp_path.iterdir())
    document = window.document
    assert not window.files.open_path(path)
    assert len(errors) == 1 and path.name in errors[0] and words in errors[0]
    assert "Traceback" not in errors[0]
    assert window.document is document
    assert (digest(path), sorted(tmp_path.iterdir())) == before  # no lock left behind either


def test_an_orphan_another_instance_took_meanwhile_is_left_to_it(qtbot, saved, monkeypatch):
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    copy = orphan_of(crashed)
    listed = orphans()
    WorkingCopy.read(copy.sidecar).claim()  # another editor (here: us) recovered it first
    monkeypatch.setattr("ui.dialogs.recovery.orphans", lambda directory=None: listed)
    for choice in (Choice.RECOVER, Choice.DISCARD):
        monkeypatch.setattr("ui.dialogs.recovery.ask_recovery", lambda p, c, choice=choice: choice)
        assert offer_recovery() == []
        assert copy.exists


def test_an_orphan_being_recovered_by_another_instance_is_skipped(qtbot, saved):
    crashed = Document.open(saved)
    rename(crashed, "Unsaved edit")
    copy = orphan_of(crashed)
    from ui.dialogs.recovery import recover
    with acquire(copy.database):  # the other instance's claim
        assert recover(copy) is None
    document = recover(copy)
    assert document is not None and document.modified
    document.close()
