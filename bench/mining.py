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
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.measure import (  # noqa: E402
    best_process,
    build_in_child,
    child_environment,
    machine,
    markdown_table,
    run_process,
)

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
    from bench.itsm_logs import service_desk, write_log

    path = folder / f"log-{events}-{times}.csv"
    write_log(path, service_desk(), events, seed=7, times=times, limit=events)  # cases: plenty
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=120_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="0: no big log")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", nargs=3, metavar=("DIR", "EVENTS", "TIMES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        print(build(Path(args.build[0]), int(args.build[1]), args.build[2]))
        return 0
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="vsm-mining-bench-") as scratch_name:
        scratch = Path(scratch_name)
        env = child_environment(scratch)
        me = Path(__file__).resolve()
        iso = Path(build_in_child(me, [scratch_name, str(args.events), "iso"], env).strip())
        dmy = Path(build_in_child(me, [scratch_name, str(args.events), "dmy"], env).strip())
        out = scratch / "mined"
        mine = [python, "-m", "vsm", "mine"]
        floor = best_process([python, "-c", FLOOR, os.fspath(iso), "Updated", ISO_FORMAT], env,
                             args.repeat, timeout=TIMEOUT, check=True)
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
        rows = [("floor: csv + strptime", f"{floor.seconds:.2f}", f"{floor.peak_kb / 1024:.0f}",
                 "1.00")]
        ratios = []
        for name, command in cases:
            run = best_process(command, env, args.repeat, timeout=TIMEOUT, check=True)
            ratios.append(run.seconds / floor.seconds)
            rows.append((name, f"{run.seconds:.2f}", f"{run.peak_kb / 1024:.0f}",
                         f"{ratios[-1]:.2f}"))
        print("\n".join(markdown_table(
            ["process", "seconds", "peak MB", "ratio to the floor"], rows, "lrrr")))
        verdict = "met" if ratios[0] <= TARGET else "NOT met"
        print(f"\nTarget: {args.events:,} events mined within {TARGET}× the floor: **{verdict}**"
              f" ({ratios[0]:.2f}×).")
        if args.big:
            big = Path(build_in_child(me, [scratch_name, str(args.big), "iso"], env).strip())
            big_floor = run_process([python, "-c", FLOOR, os.fspath(big), "Updated", ISO_FORMAT],
                                    env, timeout=TIMEOUT, check=True)
            mined = run_process([*mine, os.fspath(big), "-o", f"{out}-big.vsm", "--force"], env,
                                timeout=TIMEOUT, check=True)
            print(f"\n{args.big:,} events ({big.stat().st_size / 2**20:.0f} MB of CSV), one run: "
                  f"`vsm mine` {mined.seconds:.1f} s, peak {mined.peak_kb / 1024:.0f} MB; the floor "
                  f"{big_floor.seconds:.1f} s, peak {big_floor.peak_kb / 1024:.0f} MB "
                  f"({mined.seconds / big_floor.seconds:.2f}×).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
