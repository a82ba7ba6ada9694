"""Heavy pure computations run in a second Python process, never holding this interpreter's lock.

A worker *thread* does not keep its work off the GUI thread in CPython: the two share one lock
on the interpreter, and every time Qt calls back into Python (a paint, an item's event, a
slot) the GUI thread must win that lock from the worker, waiting up to the switch interval each
time. Measured on the 5,000-step benchmark map (issue 19): with the cost and automation counts
and the autosave write on threads, undoing a step's removal blocked the window 406 ms and
Auto-Layout 692 ms; with those two jobs kept off the interpreter, 29 ms and 259 ms.

`ProcessWorker` is a `concurrent.futures.Executor` of one job at a time, in submission order,
run by a child process started on first use (the "spawn" way: a fresh interpreter, whatever
threads the GUI has). Jobs are module-level functions of picklable arguments (records copied by
ui.document.snapshots, never the live model); each `submit` gives a Future, completed on the
worker's own dispatching thread (hand the result to the GUI thread with
ui.document.handoff.Receiver). A Future cancelled before its job starts never runs: a newer edit
supersedes the job it made stale.

The dispatching thread pickles each job's arguments (a copy of a map or a project: 6 MB at
20,000 steps) and unpickles its result (an analysis: 2.8 MB) a frame at a time
(ui.document.piecewise): in one call each, 85 ms and 25 ms of C holding the interpreter's lock,
the GUI thread could run no Python meanwhile; between frames it takes the lock within the
switch interval. The child, whose lock is its own, uses pickle as is. A map's records sent
again to the same child go as their changes (ui.document.resending: after an edit of one wait
at 20,000 steps, 1 KB instead of 6 MB, 2 ms of pickling instead of 85): a job must never change
the records it is given, which the child keeps for the next job.

Whatever happens in the child reaches the caller, never lost: the job's exception as is (or its
type and message, when it cannot be pickled); a child that dies mid-job (killed, out of memory)
fails that job with ChildProcessError and the next job starts a new child. Where no process can
be started at all, or `SEPARATE` is False (tests that replace a job's function in this process),
jobs run on the dispatching thread instead, as before.

The child is a daemon: it ends with the application (multiprocessing terminates it at exit),
and a job running then is abandoned (the workers' jobs only compute, or write an autosave copy
atomically: the previous copy stays whole). A child whose parent was killed ends within
ORPHAN_CHECK_SECONDS, mid-job or not. Children run at a lower priority than the editor
(`_yield_to_the_window`): the window is served first when the cores are busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from multiprocessing.connection import Connection
from typing import Any

from ui.document import piecewise, resending
from ui.document.collector import collector_paused

SEPARATE = True  # jobs run in the child process (False: on the dispatching thread, in this one)
ORPHAN_CHECK_SECONDS = 0.2  # how often a child looks whether its parent is still there
CHILD_NICENESS = 10  # added to a child's niceness (POSIX): the window's process comes first
BELOW_NORMAL_PRIORITY_CLASS = 0x4000  # a child's priority class on Windows
_log = logging.getLogger(__name__)
_WORKERS: dict[str, ProcessWorker] = {}


def serve(connection: Connection) -> None:
    """The child's loop: receive (function, arguments), send back ("ok", result) or ("error",
    exception) until the connection closes, or the parent ends (then at once, even mid-job:
    `_orphaned`)."""
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    _yield_to_the_window()
    while True:
        try:
            function, args = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return  # the parent closed the connection or ended
        try:
            reply: tuple[str, object] = ("ok", function(*args))
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the caller
            reply = ("error", error)
        try:
            message = pickle.dumps(reply, protocol=piecewise.PROTOCOL)
        except Exception as error:  # noqa: BLE001 - a result or an exception pickle cannot hold
            message = pickle.dumps(("error", RuntimeError(
                f"{type(error).__name__}: {error} (sending back {reply[0]!r})")),
                protocol=piecewise.PROTOCOL)
        try:
            connection.send_bytes(message)
        except OSError:
            return  # the parent ended during the job (killed): no one is left to answer


def _yield_to_the_window() -> None:
    """In the child: a lower scheduling priority than the editor's, so that on a laptop's few
    cores the window gets the processor first and the jobs take what is left (on 2 cores the
    children of a 20,000-step map, busy at once, starved the window of its turns)."""
    try:
        if sys.platform == "win32":
            import ctypes

            kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel.SetPriorityClass(kernel.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(CHILD_NICENESS)
    except (OSError, AttributeError):
        pass  # not allowed here: the jobs run at the editor's priority


def _orphaned(parent: int) -> None:
    """In the child: end it as soon as its parent has gone (a crash, a kill): a job must not
    carry on without anyone to read its result (an autosave write landing while the next
    session recovers the copy)."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


class ProcessWorker(Executor):
    """Runs submitted jobs one at a time, in order, in a child process (see the module
    docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple] | None] = (
            queue.SimpleQueue())
        self._process: Any = None  # multiprocessing's SpawnProcess, once started
        self._connection: Connection | None = None
        self._sent = resending.Sent()  # what the child holds of the maps sent to it
        self._unavailable = False  # no child could be started: jobs run on the thread
        self._closed = False
        self._thread = threading.Thread(target=self._dispatch, name=f"vsm-{name}-dispatch",
                                        daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (None before the first job or without one)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue `fn(*args)` (a module-level function, picklable arguments; no keyword
        arguments) and give its Future."""
        if kwargs:
            raise TypeError("ProcessWorker jobs take positional arguments only")
        if self._closed:
            raise RuntimeError(f"the {self.name} worker is shut down")
        future: Future[Any] = Future()
        self._jobs.put((future, fn, args))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more jobs; stop the dispatching thread and the child once the queue is
        empty (`cancel_futures`: drop the queued jobs first)."""
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        self._jobs.put(None)
        if wait:
            self._thread.join()

    def _dispatch(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                self._stop_child()
                return
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue  # superseded before it started
            try:
                future.set_result(self._run(fn, args))
            except BaseException as error:  # noqa: BLE001 - the caller reads it from the future
                future.set_exception(error)

    def _run(self, fn: Callable[..., Any], args: tuple) -> Any:
        connection = self._child() if SEPARATE else None
        if connection is None:
            return fn(*args)
        sent = self._sent.draft()
        message = piecewise.dumps((fn, args), resending.reducers(sent))  # a job that cannot be
        try:  # pickled is a bug: said as pickle says it, never run here instead
            connection.send_bytes(message)
            self._sent.commit(sent)
        except OSError as error:
            self._stop_child()
            raise ChildProcessError(f"the {self.name} process could not take the job: {error}") \
                from error
        try:
            answer = connection.recv_bytes()
        except (EOFError, OSError) as error:
            self._stop_child()
            raise ChildProcessError(f"the {self.name} process ended during the job") from error
        try:  # its objects (an analysis of 20,000 steps: hundreds of thousands) frozen with the
            with collector_paused():  # heap if the window froze it (ui.document.collector),
                status, outcome = piecewise.loads(answer)  # not walked by every collection
        except Exception as error:  # an exception the child sent that cannot be rebuilt here
            raise RuntimeError(f"the {self.name} process's answer could not be read: "
                               f"{type(error).__name__}: {error}") from error
        if status == "error":
            assert isinstance(outcome, BaseException)
            raise outcome
        return outcome

    def _child(self) -> Connection | None:
        """The connection to a running child, started now if need be; None when no child can
        be started on this machine (jobs then run on this thread)."""
        if self._unavailable:
            return None
        if self._process is not None and self._process.is_alive():
            return self._connection
        self._stop_child()
        try:
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            process = context.Process(target=serve, args=(theirs,), name=f"vsm-{self.name}",
                                      daemon=True)
            process.start()
            theirs.close()
        except Exception as error:  # noqa: BLE001 - run here rather than not at all
            _log.warning("no %s process could be started (%s): its jobs run in this one",
                         self.name, error)
            self._unavailable = True
            return None
        self._process, self._connection = process, ours
        return ours

    def _stop_child(self) -> None:
        self._sent.reset()  # a new child holds nothing
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(timeout=5)
            self._process = None


def shared(name: str) -> ProcessWorker:
    """The application's worker called `name` ("counts", "autosave"...), made on first use:
    jobs of one name run in order in one child, and jobs of another name never wait for them."""
    worker = _WORKERS.get(name)
    if worker is None or worker._closed:
        worker = _WORKERS[name] = ProcessWorker(name)
    return worker
