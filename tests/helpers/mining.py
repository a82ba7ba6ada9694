"""What the mining tests share: logs written from rows, the exit probabilities a map's flows
give each step (as the analysis reads them), and `vsm mine` run in-process."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from vsm.cli.main import main
from vsm.model import ValueStreamMap


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def map_exits(map_: ValueStreamMap) -> dict[str, dict[str | None, float]]:
    """Each step's exit probabilities as the flows give them: a rework flow's probability/100;
    an ordinary flow (1 - the rework leaving the step) x its share/100 (all of it without a
    share); the end (None) takes what is not reworked at a step without ordinary flows."""
    names = {step.id: step.name for step in map_.steps}
    found: dict[str, dict[str | None, float]] = {}
    for step in map_.steps:
        out = [flow for flow in map_.flows if flow.source == step.id]
        rework = [flow for flow in out if flow.kind == "rework"]
        ordinary = [flow for flow in out if flow.kind == "normal"]
        rho = sum((flow.probability or 0.0) / 100 for flow in rework)
        exits: dict[str | None, float] = {}
        for flow in rework:
            exits[names[flow.target]] = (flow.probability or 0.0) / 100
        for flow in ordinary:
            share = 1.0 if flow.share is None else flow.share / 100
            exits[names[flow.target]] = exits.get(names[flow.target], 0.0) + (1 - rho) * share
        if not ordinary and 1 - rho > 1e-12:  # several rework flows of 100 % together
            exits[None] = 1 - rho                 # leave a residue of rounding, no exit
        found[step.name] = exits
    return found


def mine(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run `vsm mine ARGS` in-process: (exit status, stdout, stderr)."""
    status = main(["mine", *args])
    out, err = capsys.readouterr()
    return status, out, err


def mine_json(capsys: Any, *args: str) -> dict[str, Any]:
    status, out, err = mine(capsys, *args, "--json")
    assert status == 0, err
    return json.loads(out)


def mined_service_desk(capsys: Any, folder: Path, cases: int = 3000) -> Path:
    """The synthetic service desk's log (bench.itsm_logs, seed 1) mined by group up to
    Resolved, as the lead's screenshots of a mined map show it: Service Desk, Network,
    Applications, Acme Telecom (vendor) and a zero-time end; the .vsm written."""
    from bench.itsm_logs import service_desk, write_log

    log, out = folder / "desk_log.csv", folder / "mined.vsm"
    write_log(log, service_desk(), cases)
    status, _, err = mine(capsys, str(log), "-o", str(out), "--steps", "group",
                          "--end", "Resolved")
    assert status == 0, err
    return out
