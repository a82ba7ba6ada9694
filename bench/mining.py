"""`vsm mine` against the floor: `.venv/bin/python bench/mining.py [--events 120000] [--big 1000000]`.

Writes synthetic ITSM logs (bench/itsm_logs.py, the service-desk chain, ISO 8601 times) of
`--events` and `--big` events in a temporary folder, each by a child process (`--build`), so
that this process stays small: Linux starts a child's peak memory at its parent's. Then, each a
whole process (wall time from spawn to exit, best of `--repeat` runs; peak resident memory from
the kernel's accounting of the child, os.wait4):

- the floor: a bare Python process that reads the same CSV with the csv module and parses every
  timestamp with datetime.strptime;
- `python -m vsm mine LOG -o OUT.vsm` (steps by activity), with `--steps group --end Resolved`,
  with `--time-format` (every time through strptime, as the floor), on the same log with
  day-first times (recognised from the data), and writing vsm-json;
- the big log mined once: time and peak memory.

It prints Markdown: the machine, one table with the ratio of each to the floor, and the big log.
The target: 120,000 events mined within 2.5 times the floor.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 1800
TARGET = 2.5
FLOOR = """
import csv, sys
from datetime import datetime
with open(sys.argv[1], newline="", encoding="utf-8") as file:
    rows = csv.reader(file)
    column = next(rows).index(sys.argv[2])
    count = 0
    for row in rows:
        datetime.strptime(row[column], sys.argv[3])
        count += 1
print(count)
"""
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DMY_FORMAT = "%d/%m/%Y %H:%M:%S"


def build(folder: Path, events: int, times: str) -> Path:
    """Write a log of exactly `events` events (the last case may be cut short)."""
    import csv

    from bench.itsm_logs import rows, service_desk

    path = folder / f"log-{events}-{times}.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        produced = rows(service_desk(), events, seed=7, times=times)  # a case has several
        writer.writerow(next(produced))
        for count, row in enumerate(produced):
            if count == events:
                break
            writer.writerow(row)
    return path


def _kill(pid: int) -> None:
    try:  # os.kill, not Popen.kill(): that would reap the child before wait4 could
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak memory (KB) and stdout of one process; RuntimeError if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=ROOT, text=True)
    watchdog = threading.Timer(TIMEOUT, _kill, (process.pid,))
    watchdog.start()
    try:
        assert process.stdout is not None and process.stderr is not None
        output, errors = process.stdout.read(), process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = status
    finally:
        watchdog.cancel()
    if status != 0:
        raise RuntimeError(f"{' '.join(command[:5])}... failed ({status}): {errors.strip()}")
    return elapsed, usage.ru_maxrss, output


def best(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, int]:
    runs = [run(command, env) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def environment(scratch: Path) -> dict[str, str]:
    """Byte code cached in the scratch folder (as on a user's machine after the first start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=os.fspath(ROOT), PYTHONPYCACHEPREFIX=os.fspath(scratch / "pycache"))
    return env


def machine() -> list[str]:
    memory = ""
    try:
        with open("/proc/meminfo") as file:
            kb = int(file.readline().split()[1])
        memory = f"; RAM {kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return [f"- CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
            f"{memory}", f"- {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=120_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="0: no big log")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", nargs=3, metavar=("DIR", "EVENTS", "TIMES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        sys.path.insert(0, os.fspath(ROOT))
        print(build(Path(args.build[0]), int(args.build[1]), args.build[2]))
        return 0
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="vsm-mining-bench-") as scratch_name:
        scratch = Path(scratch_name)
        env = environment(scratch)
        me = [python, os.fspath(Path(__file__).resolve()), "--build", scratch_name]
        iso = Path(run([*me, str(args.events), "iso"], env)[2].strip())
        dmy = Path(run([*me, str(args.events), "dmy"], env)[2].strip())
        out = scratch / "mined"
        mine = [python, "-m", "vsm", "mine"]
        floor = best([python, "-c", FLOOR, os.fspath(iso), "Updated", ISO_FORMAT], env,
                     args.repeat)
        cases = [
            ("`vsm mine LOG -o OUT.vsm`", [*mine, os.fspath(iso), "-o", f"{out}.vsm", "--force"]),
            ("`--steps group --end Resolved`",
             [*mine, os.fspath(iso), "-o", f"{out}.vsm", "--force", "--steps", "group",
              "--end", "Resolved"]),
            (f"`--time-format '{ISO_FORMAT}'` (strptime)",
             [*mine, os.fspath(iso), "-o", f"{out}.vsm", "--force", "--time-format",
              ISO_FORMAT]),
            ("day-first times, recognised", [*mine, os.fspath(dmy), "-o", f"{out}.vsm",
                                             "--force"]),
            ("`-o OUT.json`", [*mine, os.fspath(iso), "-o", f"{out}.json", "--force"]),
        ]
        size = iso.stat().st_size
        print("## Mining event logs (`bench/mining.py`)\n")
        print(*machine(), sep="\n")
        print(f"\n{args.events:,} events ({size / 2**20:.1f} MB of CSV), best of "
              f"{args.repeat} whole processes; the floor reads the CSV with `csv` and parses "
              "every timestamp with `datetime.strptime`.\n")
        print("| process | seconds | peak MB | ratio to the floor |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| floor: csv + strptime | {floor[0]:.2f} | {floor[1] / 1024:.0f} | 1.00 |")
        ratios = []
        for name, command in cases:
            seconds, peak = best(command, env, args.repeat)
            ratios.append(seconds / floor[0])
            print(f"| {name} | {seconds:.2f} | {peak / 1024:.0f} | {seconds / floor[0]:.2f} |")
        verdict = "met" if ratios[0] <= TARGET else "NOT met"
        print(f"\nTarget: {args.events:,} events mined within {TARGET}× the floor: **{verdict}**"
              f" ({ratios[0]:.2f}×).")
        if args.big:
            big = Path(run([*me, str(args.big), "iso"], env)[2].strip())
            big_floor = run([python, "-c", FLOOR, os.fspath(big), "Updated", ISO_FORMAT], env)
            seconds, peak, _ = run([*mine, os.fspath(big), "-o", f"{out}-big.vsm", "--force"],
                                   env)
            print(f"\n{args.big:,} events ({big.stat().st_size / 2**20:.0f} MB of CSV), one run: "
                  f"`vsm mine` {seconds:.1f} s, peak {peak / 1024:.0f} MB; the floor "
                  f"{big_floor[0]:.1f} s, peak {big_floor[1] / 1024:.0f} MB "
                  f"({seconds / big_floor[0]:.2f}×).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
