"""The second process for heavy jobs (ui.document.processes): jobs leave this interpreter, come
back in order with their result or their exception, and a dead child never loses a job."""

from __future__ import annotations

import _thread
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ui.document import processes
from ui.document.processes import ProcessWorker


@pytest.fixture()
def worker():
    made = ProcessWorker("test")
    yield made
    made.shutdown(cancel_futures=True)


def test_a_job_runs_in_another_process(worker):
    child = worker.submit(os.getpid).result(timeout=30)
    assert child != os.getpid()
    assert worker.pid == child  # the same child takes the next job
    assert worker.submit(os.getpid).result(timeout=30) == child


def test_jobs_finish_in_the_order_they_were_handed_over(worker):
    finished: list[str] = []
    slow = worker.submit(time.sleep, 0.3)
    slow.add_done_callback(lambda _f: finished.append("slow"))
    quick = worker.submit(os.getpid)
    quick.add_done_callback(lambda _f: finished.append("quick"))
    quick.result(timeout=30)
    assert finished == ["slow", "quick"]


def test_a_jobs_exception_comes_back_as_it_was_raised(worker):
    with pytest.raises(ValueError, match="invalid literal for int"):
        worker.submit(int, "x").result(timeout=30)
    assert worker.submit(int, "7").result(timeout=30) == 7  # the child goes on


def test_a_child_that_dies_fails_its_job_and_the_next_job_gets_a_new_child(worker):
    first = worker.submit(os.getpid).result(timeout=30)
    with pytest.raises(ChildProcessError, match="the test process ended during the job"):
        worker.submit(os._exit, 3).result(timeout=30)
    second = worker.submit(os.getpid).result(timeout=30)
    assert second not in (first, os.getpid())


def test_a_job_cancelled_before_it_started_never_runs(worker):
    started = worker.submit(time.sleep, 0.3)
    superseded = worker.submit(os._exit, 4)  # would end the child if it ran
    assert superseded.cancel()
    child = worker.submit(os.getpid).result(timeout=30)
    assert started.done() and superseded.cancelled()
    assert worker.pid == child  # the first child is still there: the cancelled job never ran


def test_a_job_that_cannot_be_sent_is_refused_and_never_run_here(worker):
    ran: list[bool] = []
    with pytest.raises(AttributeError, match="pickle"):
        worker.submit(lambda: ran.append(True)).result(timeout=30)
    assert ran == []
    assert worker.submit(int, "1").result(timeout=30) == 1


def test_a_result_that_cannot_come_back_is_said(worker):
    with pytest.raises(RuntimeError, match="sending back 'ok'"):
        worker.submit(_thread.allocate_lock).result(timeout=30)


FRAME = 64 * 1024  # pickle's frame size target: ui.document.piecewise gives a turn a frame


def test_the_dispatching_thread_gives_the_gui_thread_turns_while_it_pickles():
    # The arguments going and the result coming back are pickled on the dispatching thread:
    # in one C call each, the GUI thread could run no Python for their whole length (70 ms for
    # a 20,000-step project). Python calls there are the interpreter's turns, where a waiting
    # thread takes its lock; counted rather than timed (tests/document/test_piecewise.py).
    calls: list[str] = []

    def profile(_frame: object, event: str, _arg: object) -> None:
        if event == "call" and threading.current_thread().name == "vsm-turns-dispatch":
            calls.append(event)

    threading.setprofile(profile)  # for the threads started from now on: the dispatcher
    made = ProcessWorker("turns")
    threading.setprofile(None)  # type: ignore[arg-type]
    try:
        small = ["x"] * 10
        big = [f"item {n}" for n in range(200_000)]  # about 2.6 MB of pickle, each way
        assert made.submit(list, small).result(timeout=60) == small  # the child started
        before = len(calls)
        assert made.submit(list, small).result(timeout=60) == small
        small_job = len(calls) - before
        before = len(calls)
        assert made.submit(list, big).result(timeout=60) == big
        big_job = len(calls) - before
    finally:
        made.shutdown(cancel_futures=True)
    frames = 2 * len(pickle.dumps(big, protocol=5)) // FRAME  # going and coming back: about 80
    assert big_job - small_job >= frames


def test_keyword_arguments_and_a_shut_down_worker_are_refused(worker):
    with pytest.raises(TypeError, match="positional"):
        worker.submit(int, "1", base=10)
    worker.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        worker.submit(os.getpid)


def test_without_a_separate_process_jobs_run_on_the_dispatching_thread(worker, monkeypatch):
    monkeypatch.setattr(processes, "SEPARATE", False)
    assert worker.submit(os.getpid).result(timeout=30) == os.getpid()
    assert worker.submit(threading.current_thread).result(timeout=30).name == "vsm-test-dispatch"
    assert worker.pid is None  # no child was started


def test_one_shared_worker_per_name():
    assert processes.shared("counts") is processes.shared("counts")
    assert processes.shared("counts") is not processes.shared("autosave")


ORPHAN_SCRIPT = """
import os, signal, sys, time
from ui.document.processes import ProcessWorker

if __name__ == "__main__":
    worker = ProcessWorker("orphan")
    print(worker.submit(os.getpid).result(timeout=60), flush=True)
    worker.submit(time.sleep, 60)  # a long job under way when the parent is killed
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _ended(pid: int) -> bool:
    """Whether the process is gone (or a zombie waiting to be reaped by whoever adopted it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_child_ends_when_its_parent_is_killed_even_mid_job(tmp_path):
    # A killed editor must not leave its children behind (an autosave write landing while
    # the next session recovers the copy): the child looks for its parent every
    # ORPHAN_CHECK_SECONDS and ends once it is gone.
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    printed = tmp_path / "printed.txt"
    with printed.open("w") as out:  # a file, not a pipe: the child holds it open too
        parent = subprocess.Popen([sys.executable, str(script)], stdout=out,
                                  stderr=subprocess.STDOUT, cwd=root,
                                  env={**os.environ, "PYTHONPATH": str(root)})
        assert parent.wait(timeout=120) == -signal.SIGKILL, printed.read_text()
    child = int(printed.read_text().split()[0])
    try:
        deadline = time.monotonic() + 10  # its job would keep it 60 s
        while not _ended(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _ended(child)
    finally:
        if not _ended(child):
            os.kill(child, signal.SIGKILL)


LAUNCHER = """
import sys
from {module} import main
from ui.document.processes import ProcessWorker

if __name__ == "__main__":
    worker = ProcessWorker("launched")
    print(worker.submit(eval, "'PySide6.QtWidgets' in __import__('sys').modules").result(60))
    worker.shutdown()
"""


@pytest.mark.parametrize(("module", "widgets"), [("ui.__main__", False), ("ui.app", True)])
def test_the_editor_script_leaves_the_window_out_of_its_second_processes(tmp_path, module,
                                                                         widgets):
    # A child starts by importing the script that started the editor, as pip's launcher writes
    # it ("from module import main"): with ui.__main__ (the vsm-editor script's), no window or
    # widget module; with ui.app, all of them, for jobs that need none.
    script = tmp_path / "launcher.py"
    script.write_text(LAUNCHER.format(module=module))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(widgets)]


@pytest.mark.skipif(sys.platform == "win32", reason="niceness is POSIX")
def test_a_child_runs_at_a_lower_priority_than_the_editor(worker):
    # On 2 cores, the children of a 20,000-step map busy at once starved the window of turns.
    lowered = min(os.nice(0) + processes.CHILD_NICENESS, 19)  # 19: the lowest there is
    assert worker.submit(os.nice, 0).result(timeout=30) == lowered


def test_a_result_is_frozen_with_the_heap_once_the_window_froze_it(worker):
    # An analysis of 20,000 steps comes back as hundreds of thousands of objects: with a large
    # document's heap frozen (ui.window.heap), the collections after it walked them all.
    import gc

    from ui.document.collector import freeze_heap, thaw_heap

    assert worker.submit(list, [1]).result(timeout=30) == [1]  # the child started
    freeze_heap()
    try:
        before = gc.get_freeze_count()
        result = worker.submit(list, [[n] for n in range(2000)]).result(timeout=30)
        assert gc.get_freeze_count() - before >= 2001  # the outer list and its 2,000 lists
    finally:
        thaw_heap()  # as a window gives the heap back when it closes (tests/widgets/test_heap)
    assert len(result) == 2000
