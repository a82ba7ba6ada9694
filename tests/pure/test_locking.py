"""Locks: one owner per document, who it is, stale locks taken over, two real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from vsm.files import locks as locking
from vsm.files.locks import LockedError, Owner, acquire, lock_path, read_owner, this_process


def dead_pid() -> int:
    """The pid of a process that has just ended (so surely not alive now)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(document: Path, owner: Owner) -> Path:
    file = lock_path(document)
    file.write_text(json.dumps(owner.to_dict()))
    return file


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "Change process.vsm"
    path.write_bytes(b"content")
    return path


def test_acquire_writes_who_and_release_removes_it(document: Path) -> None:
    lock = acquire(document)
    file = lock_path(document)
    assert file.name == ".~lock.Change process.vsm#" and file.parent == document.parent
    owner = read_owner(document)
    assert owner == lock.owner
    assert (owner.host, owner.pid) == (socket.gethostname(), os.getpid())
    assert owner.user and owner.since
    lock.release()
    assert not file.exists()
    lock.release()  # twice is harmless
    assert document.read_bytes() == b"content"


def test_a_second_acquire_is_refused_naming_the_owner(document: Path) -> None:
    with acquire(document):
        with pytest.raises(LockedError) as caught:
            acquire(document)
    error = caught.value
    assert error.owner.pid == os.getpid() and error.owner.host == socket.gethostname()
    assert error.path == document
    text = str(error)
    assert document.name in text and f"process {os.getpid()}" in text
    assert f"on {socket.gethostname()}" in text and "since" in text
    assert not lock_path(document).exists()


def test_a_lock_of_a_dead_process_is_stale_and_taken_over(document: Path) -> None:
    stale = replace(this_process(), pid=dead_pid(), process_start=None)
    write_lock(document, stale)
    with acquire(document) as lock:
        assert read_owner(document) == lock.owner != stale
    assert not lock_path(document).exists()


def test_a_reused_pid_is_recognised_by_its_start_time(document: Path) -> None:
    me = this_process()
    if me.process_start is None:
        pytest.skip("process start times are only known on Linux")
    write_lock(document, replace(me, process_start=me.process_start - 1))  # our pid, not us
    with acquire(document):
        pass


def test_a_lock_from_before_a_restart_is_stale(document: Path) -> None:
    me = this_process()
    if me.boot_id is None:
        pytest.skip("boot ids are only known on Linux")
    write_lock(document, replace(me, boot_id="an earlier boot"))
    with acquire(document):
        pass


def test_a_lock_of_another_computer_is_respected(document: Path) -> None:
    other = replace(this_process(), host="laptop-of-someone-else", pid=dead_pid())
    file = write_lock(document, other)
    with pytest.raises(LockedError, match="on laptop-of-someone-else") as caught:
        acquire(document)
    assert caught.value.owner == other
    assert json.loads(file.read_text())["host"] == "laptop-of-someone-else"


def test_a_lock_of_another_computer_can_be_taken_over_once_confirmed(document: Path) -> None:
    # A synced folder, or a crash on a colleague's laptop: the person says it is not in use there.
    other = replace(this_process(), host="colleagues-laptop", pid=4242)
    write_lock(document, other)
    with locking.take_over(document, other) as lock:
        assert lock.held and read_owner(document) == lock.owner
        assert (lock.owner.host, lock.owner.pid) == (socket.gethostname(), os.getpid())
        with pytest.raises(LockedError):  # ours now: a second opener is refused as usual
            acquire(document)
    assert not lock_path(document).exists() and document.read_bytes() == b"content"


def test_taking_over_replaces_only_the_lock_the_person_saw(document: Path) -> None:
    seen = replace(this_process(), host="colleagues-laptop", pid=4242)
    meanwhile = replace(seen, host="another-laptop")
    write_lock(document, meanwhile)  # someone else opened it between the question and the answer
    with pytest.raises(LockedError) as caught:
        locking.take_over(document, seen)
    assert caught.value.owner == meanwhile and read_owner(document) == meanwhile


def test_a_live_process_of_this_computer_is_never_taken_over(document: Path) -> None:
    with acquire(document) as ours:
        with pytest.raises(LockedError):
            locking.take_over(document, ours.owner)
        assert read_owner(document) == ours.owner


def test_a_lock_gone_meanwhile_is_simply_acquired(document: Path) -> None:
    other = replace(this_process(), host="colleagues-laptop", pid=4242)
    with locking.take_over(document, other) as lock:  # no lock file at all now
        assert lock.held and read_owner(document) == lock.owner


def test_an_unreadable_lock_is_respected_while_fresh_then_taken_over(document: Path) -> None:
    file = lock_path(document)
    file.write_bytes(b"{half writ")
    with pytest.raises(LockedError, match="being opened by another program"):
        acquire(document)
    old = time.time() - 2 * locking.UNREADABLE_GRACE_SECONDS
    os.utime(file, (old, old))
    with acquire(document):
        assert read_owner(document) is not None


def test_a_folder_that_cannot_hold_a_lock_gives_an_unheld_lock(tmp_path: Path) -> None:
    lock = acquire(tmp_path / "no such folder" / "a.vsm")
    assert not lock.held
    lock.release()


def test_without_hard_links_exclusive_create_is_used(document: Path, monkeypatch) -> None:
    def no_links(*_args):
        raise PermissionError("no hard links on this file system")

    monkeypatch.setattr(locking.os, "link", no_links)
    with acquire(document):
        with pytest.raises(LockedError):
            acquire(document)
    assert [p.name for p in document.parent.iterdir()] == [document.name]


def test_release_leaves_a_lock_someone_else_took(document: Path) -> None:
    lock = acquire(document)
    other = replace(this_process(), host="elsewhere")
    write_lock(document, other)
    lock.release()
    assert read_owner(document) == other


def test_breaking_a_stale_lock_never_removes_a_fresh_one(document: Path) -> None:
    file = write_lock(document, replace(this_process(), host="fresh"))
    locking._break(file, b"the content that was judged stale")
    assert read_owner(document).host == "fresh"


# ---------------------------------------------------------------- two processes


HOLDER = textwrap.dedent("""
    import sys
    from vsm.files.locks import acquire
    lock = acquire(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.read()
    lock.release()
    print("released", flush=True)
""")


def start_holder(document: Path) -> subprocess.Popen:
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(document)], cwd=root,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(root)})
    assert child.stdout.readline().strip() == "locked"
    return child


def test_two_processes_one_document(document: Path) -> None:
    child = start_holder(document)
    try:
        with pytest.raises(LockedError) as caught:
            acquire(document)
        owner = caught.value.owner
        assert (owner.pid, owner.host) == (child.pid, socket.gethostname())
        assert f"process {child.pid}" in str(caught.value)
        child.stdin.close()
        assert child.stdout.readline().strip() == "released"
    finally:
        child.kill()
        child.wait()
    with acquire(document):
        pass


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_the_lock_of_a_killed_process_is_taken_over(document: Path) -> None:
    child = start_holder(document)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert read_owner(document).pid == child.pid  # left behind
    with acquire(document) as lock:
        assert read_owner(document) == lock.owner
