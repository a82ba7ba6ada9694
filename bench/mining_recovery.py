"""What mining recovers of a synthetic log's known parameters:
`.venv/bin/python bench/mining_recovery.py [--cases 6000] [--seed 12]`.

Writes the service-desk log of bench/itsm_logs.py, mines it by activity (medians) and, without
the vendor, by group stopping at Resolved (means), and prints Markdown tables of each step's
exit probabilities, median or mean time and visits per case: measured against true (the chain's
own figures, bench.itsm_logs.truth). The tests (tests/pure/test_mining_recovery.py) assert the
same within stated tolerances.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.itsm_logs import expected_lead_time, service_desk, truth, write_log  # noqa: E402
from bench.measure import markdown_table  # noqa: E402
from vsm.analysis import analyse  # noqa: E402
from vsm.mining.mine import MiningOptions, mine_log  # noqa: E402
from vsm.mining.visits import statistic  # noqa: E402


def _name(key: str | None) -> str:
    return "end" if key is None else key


def table(mined, expected, cases: int, what: str) -> list[str]:
    """Each step's visits per case, median or mean (`what`) minutes and exit probabilities,
    measured (true) as a Markdown table."""
    rows = []
    for key, visits in mined.visits.steps.items():
        truth_ = expected[key]
        total = sum(mined.visits.exits[key].values())
        exits = ", ".join(
            f"{_name(t)} {mined.visits.exits[key].get(t, 0) / total:.3f} ({p:.3f})"
            for t, p in sorted(truth_.exits.items(), key=lambda tp: -tp[1]))
        if what == "median":
            value, true = statistic(visits.durations, "median"), truth_.median_minutes
        else:
            value, true = statistic(visits.durations, "mean"), truth_.mean_minutes
        shown = "–" if value is None else f"{value:,.0f}"
        true_shown = "–" if true is None else f"{true:,.0f}"
        rows.append((key, f"{visits.visits / cases:.3f} ({truth_.visits_per_case:.3f})",
                     f"{shown} ({true_shown})", exits))
    return markdown_table(["step", "visits per case (true)", f"{what} minutes (true)",
                           "exits measured (true)"], rows, "lrrl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        full, plain = Path(folder) / "full.csv", Path(folder) / "no-vendor.csv"
        write_log(full, service_desk(), args.cases, seed=args.seed)
        write_log(plain, service_desk(vendor=False), args.cases, seed=args.seed)
        by_activity = mine_log(full, MiningOptions())
        print(f"### By activity, medians ({args.cases:,} cases, "
              f"{by_activity.summary['events']:,} events)\n")
        print("\n".join(table(by_activity, truth(service_desk(), "activity"), args.cases,
                              "median")))
        by_group = mine_log(plain, MiningOptions(steps="group", end=("Resolved",),
                                                 statistic="mean"))
        result = analyse(by_group.project.maps[0])
        print(f"\n### By group without the vendor, stopping at Resolved, means "
              f"({args.cases:,} cases)\n")
        print("\n".join(table(by_group, truth(service_desk(vendor=False), "group", "Resolved"),
                              args.cases, "mean")))
        mean = by_group.summary["lead_time_mean_minutes"]
        print(f"\nLead time: the map's (today's analysis) {result.lead_time:,.1f} min, measured "
              f"mean {mean:,.1f} min, true mean "
              f"{expected_lead_time(service_desk(vendor=False), 'Resolved'):,.1f} min.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
