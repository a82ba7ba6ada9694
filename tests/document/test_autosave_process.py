"""The autosave timer's write runs in the second process (ui.document.processes, issue 19): the
file is written there and reads back to the project, the sidecar still names this process, a
removal or a synchronous write after a background write is never overtaken by it, and a failure
there is reported as one here."""

from __future__ import annotations

import os
import time

import pytest

from tests.helpers.maps import loop_map
from ui.document import processes
from ui.document.document import Document
from vsm.files.working_copies import WorkingCopy
from vsm.model import Project


@pytest.fixture
def jobs(monkeypatch) -> list[str]:
    """The names of the autosave's jobs handed to its worker (which still runs them)."""
    worker = processes.shared("autosave")
    handed: list[str] = []
    submit = worker.submit

    def recording(fn, *args):
        if fn.__module__ == "ui.document.working_copy_jobs":  # not the tests' own
            handed.append(fn.__name__)
        return submit(fn, *args)

    monkeypatch.setattr(worker, "submit", recording)
    return handed


def busy_worker(seconds: float = 0.5):
    """Keep the autosave's worker busy for a while (the jobs handed over next wait)."""
    return processes.shared("autosave").submit(time.sleep, seconds)


def idle_worker() -> None:
    """Wait until every job handed to the autosave's worker so far has run (one at a time, in
    order: a job handed over now runs after them)."""
    processes.shared("autosave").submit(int, "0").result(timeout=30)


def edited_document(tmp_path, name: str = "first") -> Document:
    document = Document(Project("Autosaved", [loop_map()], id="p"), tmp_path / "doc.vsm")
    document.autosaver.copy.directory = tmp_path / "copies"
    rename(document, name)
    return document


def rename(document: Document, name: str) -> None:
    document.set_step_field(document.project.maps[0].id, "B", "name", name)


def test_the_write_runs_in_another_process_and_reads_back(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path)
    autosaver = document.autosaver
    assert autosaver.copy.last_edit is None  # nothing written yet
    with qtbot.waitSignal(autosaver.written, timeout=30_000):
        autosaver.write_in_background()
    assert jobs == ["write_working_copy"]
    child = processes.shared("autosave").pid
    assert child is not None and child != os.getpid()
    assert autosaver.copy.load() == document.project
    assert autosaver.copy.load().maps[0].step("B").name == "first"
    assert not autosaver.pending and not autosaver.failing
    # What the child's write recorded is set on this process's copy too, as the sidecar says.
    note = WorkingCopy.read(autosaver.copy.sidecar)
    assert autosaver.copy.last_edit == note.last_edit == autosaver._edited_at
    assert autosaver.copy.original == note.original == tmp_path / "doc.vsm"
    assert autosaver.copy.name == note.name == "Autosaved"
    document.close()


def test_the_sidecar_names_this_process_as_the_owner(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path)
    with qtbot.waitSignal(document.autosaver.written, timeout=30_000):
        document.autosaver.write_in_background()
    assert jobs == ["write_working_copy"]
    owner = WorkingCopy.read(document.autosaver.copy.sidecar).owner
    assert owner.pid == os.getpid() != processes.shared("autosave").pid
    assert owner.is_alive()  # so recovery never offers the copy of an open document
    document.close()


def test_a_removal_handed_over_after_a_write_leaves_no_working_copy(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path)
    autosaver = document.autosaver
    busy_worker()
    autosaver.write_in_background()  # waits behind the busy job
    document.undo_stack.undo()  # back to the clean state: the removal goes after the write
    assert jobs == ["write_working_copy", "remove_working_copy"]
    idle_worker()
    qtbot.waitUntil(lambda: not autosaver.pending, timeout=30_000)
    assert not autosaver.copy.exists and not autosaver.copy.sidecar.exists()
    assert not autosaver.failing
    document.close()


def test_write_now_during_a_background_write_leaves_the_newest_edit(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path, "first")
    autosaver = document.autosaver
    with qtbot.waitSignal(autosaver.written, timeout=30_000):
        autosaver.write_in_background()  # the child is started: the next write runs at once
    rename(document, "second")
    autosaver.write_in_background()
    rename(document, "third")
    autosaver.write_now()  # waits for the write handed over if it runs, else cancels it
    assert autosaver.copy.load().maps[0].step("B").name == "third"
    idle_worker()
    qtbot.waitUntil(lambda: not autosaver.pending, timeout=30_000)
    assert jobs == ["write_working_copy", "write_working_copy"]
    assert autosaver.copy.load().maps[0].step("B").name == "third"
    assert WorkingCopy.read(autosaver.copy.sidecar).last_edit == autosaver.copy.last_edit
    document.close()


def test_a_write_waiting_behind_another_job_is_cancelled_by_write_now(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path, "second")
    autosaver = document.autosaver
    busy_worker()
    autosaver.write_in_background()  # waits behind the busy job
    rename(document, "third")
    autosaver.write_now()  # the waiting write is cancelled: it never runs
    assert autosaver.copy.load().maps[0].step("B").name == "third"
    idle_worker()
    qtbot.waitUntil(lambda: not autosaver.pending, timeout=30_000)
    assert autosaver.copy.load().maps[0].step("B").name == "third"
    assert jobs == ["write_working_copy"]
    document.close()


def test_a_failure_in_the_child_is_reported_with_its_reason(qtbot, tmp_path, jobs):
    document = edited_document(tmp_path)
    autosaver = document.autosaver
    (tmp_path / "blocker").write_text("a file where the folder of copies should be")
    autosaver.copy.directory = tmp_path / "blocker" / "copies"
    with qtbot.waitSignal(autosaver.failed, timeout=30_000) as failed:
        autosaver.write_in_background()
    assert jobs == ["write_working_copy"]
    [reason] = failed.args
    assert reason.startswith("cannot create the folder for working copies: ")  # FileFormatError's
    assert autosaver.failing and reason in autosaver.warning
    assert not autosaver.pending
    document.close()
