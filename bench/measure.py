"""What the benchmark scripts share: timing whole processes and their peak memory, best of N,
timing in process, the machine they ran on and Markdown tables.

A whole process is timed from spawn to exit (or to a line it prints) and its peak resident memory
is the kernel's figure for that one child, ru_maxrss from os.wait4. Linux starts a child's
ru_maxrss at its parent's peak (exec keeps the larger of the two), so a child smaller than its
parent shows the parent's figure: a parent that measures stays small. This module imports only
the standard library modules a process runner needs (no dataclasses, no typing at run time),
nothing of the app, and inputs are best built by a child of their own (`build_in_child`). The
modules for running processes are imported on first use, so the workers that only time in
process (bench/core.py, bench/editor.py) carry none of them in their peak memory.

Used by bench/run.py, bench/core.py, bench/editor.py, bench/report.py, bench/mining.py,
bench/mining_recovery.py, bench/hostile_sheets.py and bench/hostile_inputs.py.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

TYPE_CHECKING = False  # typing is not imported at run time: it adds 0.5 MB to a parent
if TYPE_CHECKING:
    from typing import IO, Any, TypeVar

    T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- whole processes


class Outcome:
    """What one process did: its exit status (negative: killed by that signal, -9 at the time
    limit), what it printed (with `until`, `out` is the line that stopped the clock), its wall
    seconds, its peak resident memory in KB and whether the time limit killed it.

    A plain class, not a dataclass: importing dataclasses (and inspect) would add over 1 MB to a
    measuring parent, and a child's ru_maxrss starts at its parent's peak (see the module)."""

    __slots__ = ("status", "out", "err", "seconds", "peak_kb", "timed_out")

    def __init__(self, status: int, out: str, err: str, seconds: float, peak_kb: int,
                 timed_out: bool = False) -> None:
        self.status = status
        self.out = out
        self.err = err
        self.seconds = seconds
        self.peak_kb = peak_kb
        self.timed_out = timed_out

    def __repr__(self) -> str:
        return (f"Outcome(status={self.status}, seconds={self.seconds:.3f}, "
                f"peak_kb={self.peak_kb}, timed_out={self.timed_out})")

    @property
    def said(self) -> str:
        """The first line it said: of stderr, else of stdout."""
        lines = (self.err.strip() or self.out.strip()).splitlines()
        return lines[0] if lines else ""


def child_environment(scratch: Path, drop: Iterable[str] = (), **values: str) -> dict[str, str]:
    """This process's environment for a measured child: the repository importable, byte code
    cached in `scratch`/pycache (not in the repo) even where PYTHONDONTWRITEBYTECODE is set, as on
    a user's machine from the second start on (every measure is a best of several runs, so the
    first run's compiling does not count); the variables in `drop` left out, `values` set."""
    unwanted = {"PYTHONDONTWRITEBYTECODE", *drop}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(PYTHONPATH=os.fspath(ROOT), PYTHONPYCACHEPREFIX=os.fspath(scratch / "pycache"))
    env.update(values)
    return env


def _kill(pid: int) -> None:
    import signal

    try:  # os.kill, not Popen.kill(): that would reap the child before wait4 could
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _capped(memory_cap: int | None) -> Callable[[], None] | None:
    if memory_cap is None:
        return None

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    return cap


def run_process(command: Sequence[str], env: dict[str, str], *, timeout: float | None,
                cwd: Path = ROOT, until: str | None = None, memory_cap: int | None = None,
                check: bool = False) -> Outcome:
    """Run `command` as a whole process: wall seconds from spawn to exit, its peak memory
    (ru_maxrss from os.wait4) and what it printed.

    With `until`, the clock stops at the first line of its output starting with that text, and
    the process is then killed (RuntimeError if it ends without printing one). `timeout`: seconds
    after which it is killed (None: never); `memory_cap`: its address space in bytes
    (RLIMIT_AS). With `check` (and no `until`), an exit status other than 0 raises RuntimeError
    naming the command and the last line of its stderr. Its stdin is empty. The time limit is a SIGALRM timer, so
    call this from the main thread.
    """
    import signal
    import subprocess
    import tempfile

    fired: list[bool] = []
    line = ""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE if until is not None else stdout,
                                   stderr=stderr, env=env, cwd=cwd,
                                   preexec_fn=_capped(memory_cap), text=until is not None)

        def on_alarm(signum: int, frame: Any) -> None:  # stuck, or a bomb that got through
            fired.append(True)
            _kill(process.pid)

        previous = signal.signal(signal.SIGALRM, on_alarm) if timeout is not None else None
        if timeout is not None:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            if until is not None:
                assert process.stdout is not None
                line = _until(process.stdout, until)
                elapsed = time.perf_counter() - start
                _kill(process.pid)
                process.stdout.close()
            _, status, usage = os.wait4(process.pid, 0)  # retried after the alarm (PEP 475)
            if until is None:
                elapsed = time.perf_counter() - start
        finally:
            if timeout is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out = line if until is not None else stdout.read().decode(errors="replace")
        outcome = Outcome(process.returncode, out, stderr.read().decode(errors="replace"),
                          elapsed, usage.ru_maxrss, bool(fired))
    shown = " ".join(command[:5])
    if until is not None and not line.startswith(until):
        raise RuntimeError(f"{shown}... ended without {until!r}")
    if check and until is None and outcome.status != 0:
        last = (outcome.err.strip().splitlines() or [""])[-1]
        raise RuntimeError(f"{shown}... failed ({outcome.status}): {last}")
    return outcome


def _until(output: IO[str], until: str) -> str:
    """The first line of `output` starting with `until` (the last line read if none does)."""
    line = ""
    for line in output:
        if line.startswith(until):
            break
    return line


def best_process(command: Sequence[str], env: dict[str, str], repeat: int,
                 before_each: Callable[[], object] | None = None, **options: Any) -> Outcome:
    """`repeat` runs of `command` (options as run_process): the fastest time, the largest peak
    memory, and the exit status and output of the last run. `before_each` is called before each
    run, off the clock (to remove the output of the run before, say)."""
    runs = []
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        runs.append(run_process(command, env, **options))
    return Outcome(runs[-1].status, runs[-1].out, runs[-1].err, min(r.seconds for r in runs),
                   max(r.peak_kb for r in runs), any(r.timed_out for r in runs))


def build_in_child(script: Path, args: Sequence[str], env: dict[str, str],
                   cwd: Path = ROOT) -> str:
    """Run `python SCRIPT --build ARGS` (a benchmark building its inputs) to completion and
    return its stdout; RuntimeError if it fails. Built by a child, the inputs leave the
    measuring parent small."""
    command = [sys.executable, os.fspath(script), "--build", *args]
    return run_process(command, env, timeout=None, cwd=cwd, check=True).out


# ---------------------------------------------------------------- in process


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds one run of `action` took, and what it returned."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    """The fastest of `repeat` runs of `action`, in seconds."""
    return min(timed(action)[0] for _ in range(repeat))


def own_peak_kb() -> int:
    """This process's peak resident memory so far (ru_maxrss), in KB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- printing


def machine(versions: Iterable[str] = ()) -> list[str]:
    """Two Markdown list lines describing this machine: the CPU, its cores and the RAM; the
    system, Python and `versions` (texts such as "networkx 3.6.1")."""
    import platform

    cpu = platform.processor() or platform.machine()
    memory = "unknown"
    try:
        cpu = next((line.split(":", 1)[1].strip()
                    for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
        memory = next(f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                      for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    software = [f"{platform.system()} {platform.release()}",
                f"Python {platform.python_version()}", *versions]
    return [f"- CPU: {cpu}, {os.cpu_count()} cores (nproc); RAM {memory}",
            f"- {'; '.join(software)}"]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]],
                   align: str) -> list[str]:
    """The lines of a Markdown table: `header`, then `rows` (cells written with str()); `align`
    has a letter a column, "l" left or "r" right (numbers)."""
    if len(align) != len(header) or set(align) - {"l", "r"}:
        raise ValueError(f"align {align!r} does not fit {len(header)} columns")
    rule = ["---:" if side == "r" else "---" for side in align]
    return [f"| {' | '.join(map(str, cells))} |" for cells in (header, rule, *rows)]


def file_size(size: int) -> str:
    """A file's size for a table: MB from one MB up (one decimal), else KB."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"
