"""`vsm report`: the figures and the ranked steps to change of one map, as text or JSON; with a
demand, takt time and the busiest step; with time ranges, the simulated P50 / P85 / P95; and
what stakeholders ask (vsm.analysis.stakeholders, vsm.cli.stakeholder_text): the target, the
experience score, who holds the work (--by performer or team), the cost and the worth of the steps
to change, the automation candidates and the ITIL 4 description.

JSON numbers are the exact floats. When a figure cannot be computed (vsm.cli.common.unanalysed, or
the simulation failed) the report exits with 2 and the problems on stderr; the text report is not
printed, the JSON is (null figures, the problems listed)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from vsm.analysis.capacity import AVAILABLE_MINUTES
from vsm.analysis.flags import FLAG_LABELS
from vsm.cli.common import EXIT_OK, choose_map, fail, json_number, load, percent, unanalysed
from vsm.model import Project, ValueStreamMap
from vsm.model.durations import format_duration, format_working_time
from vsm.model.measured import MEASURED_LABEL, measured_words


def add_report(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report", parents=[common], help="print the figures of one map",
        description="Print a map's lead time, process time, flow efficiency, rolled %%C&A, "
                    "critical path and the steps to change first.")
    parser.add_argument("file", metavar="FILE", help="a .vsm or .json project")
    parser.add_argument("--map", metavar="NAME",
                        help="the map to report on (default: the first current-state map)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--by", choices=("performer", "team"), default="performer",
                        help="split the lead time by performer (default) or by team")
    _add_simulation_options(parser)
    parser.set_defaults(run=_run_report)


def report_data(map_: ValueStreamMap, result: Any, distribution: Any = None,
                figures: Any = None) -> dict[str, Any]:
    """The `vsm report --json` document for a map and its MapAnalysis (and the simulated lead
    time: p50, p85, p95 keys; capacity keys when the map has a demand; what stakeholders ask:
    target, split, cost, experience, itil, from `figures` (StakeholderFigures), computed here
    when not given)."""
    from vsm.analysis.stakeholders import stakeholder_figures, stakeholders_json

    if figures is None:
        figures = stakeholder_figures(map_, result, distribution)
    return {
        "map": map_.name,
        "lead_time_minutes": json_number(result.lead_time),
        "process_time_minutes": json_number(result.process_time),
        "flow_efficiency_percent": json_number(result.flow_efficiency_percent),
        "rolled_pca_percent": json_number(result.rolled_pca_percent),
        "critical_path": list(result.critical_path),
        "steps_to_change": [
            {"id": item.step_id, "name": item.name, "flags": list(item.flags),
             "saving_minutes": json_number(item.saving), "reasons": list(item.reasons)}
            for item in result.steps_to_change],
        "problems": [problem.message for problem in result.problems],
        **report_json_extras(map_, result, distribution),
        **stakeholders_json(figures),
    }


def report_text(project: Project, map_: ValueStreamMap, result: Any, distribution: Any = None,
                figures: Any = None) -> str:
    """The `vsm report` text for people (`figures`: StakeholderFigures, computed here when not
    given)."""
    from vsm.analysis.stakeholders import stakeholder_figures
    from vsm.cli.stakeholder_text import report_blocks, report_rows, worth_words

    if figures is None:
        figures = stakeholder_figures(map_, result, distribution)
    names = {step.id: step.name for step in map_.steps}
    kind = "current state" if map_.kind == "current" else "future state"
    about = f"{len(map_.steps)} steps"
    if map_.name.casefold() != kind:
        about = f"{kind}, {about}"
    lines = [f"{project.name} — {map_.name} ({about})", ""]
    rows = [
        ("Lead time", format_duration(result.lead_time)),
        ("Process time", format_duration(result.process_time)),
        ("Flow efficiency", percent(result.flow_efficiency_percent)),
        ("Rolled %C&A", percent(result.rolled_pca_percent)),
        ("Critical path", " → ".join(names.get(v, v) for v in result.critical_path) or "–"),
    ]
    after_lead, capacity = report_text_rows(map_, result, distribution)
    if distribution is not None:
        rows[0] = ("Lead time", f"{format_duration(result.lead_time)} with the most likely "
                                "times")
    rows[1:1] = after_lead
    rows += capacity + report_rows(figures)
    width = max(len(label) for label, _ in rows)
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    if result.steps_to_change:
        worth = worth_words(figures)
        lines += ["", "Steps to change"]
        for number, item in enumerate(result.steps_to_change, start=1):
            flags = ", ".join(FLAG_LABELS.get(flag, flag) for flag in item.flags)
            saving = f" — saves {format_duration(item.saving)}" if item.saving > 0 else ""
            lines.append(f"  {number}. {item.name} [{flags}]{saving}")
            lines += [f"     {reason}" for reason in item.reasons]
            if item.step_id in worth:
                lines.append(f"     {worth[item.step_id][0].upper()}{worth[item.step_id][1:]}.")
    elif not result.problems:
        lines += ["", "No steps flagged."]
    for block in report_blocks(map_, figures) if result.ok else []:
        lines += ["", *block]
    if result.problems:
        lines += ["", "Problems"]
        lines += [f"  - {problem.message}" for problem in result.problems]
    return "\n".join(lines)


def _run_report(args: argparse.Namespace) -> int:
    from vsm.analysis import Problem, analyse
    from vsm.analysis.stakeholders import stakeholder_figures

    project = load(args.file)
    map_ = choose_map(project, args.map, args.file)
    result = analyse(map_)
    distribution, trouble = simulation(map_, result, args.runs, args.seed)
    problems = unanalysed(map_, result)
    if trouble:
        result.problems.append(Problem(trouble, blocking=False))
        problems.append(f"map {map_.name!r}: {trouble}")
    figures = stakeholder_figures(map_, result, distribution, args.by)
    if args.json:
        print(json.dumps(report_data(map_, result, distribution, figures), indent=2,
                         ensure_ascii=False))
    elif not problems:
        print(report_text(project, map_, result, distribution, figures))
    return fail(problems) if problems else EXIT_OK


# ---------------------------------------------------------------- simulation and capacity


def _runs(text: str) -> int:
    """--runs: a whole number of at least 1 (argparse reports anything else, exit status 2)."""
    try:
        runs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if runs < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {runs}")
    return runs


def _add_simulation_options(parser: argparse.ArgumentParser) -> None:
    """--runs and --seed for `vsm report`."""
    parser.add_argument("--runs", type=_runs, metavar="N",
                        help="simulated runs for P50/P85/P95 (default 10,000); simulating is "
                             "automatic when a step has a time range")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the simulation (default 42)")


def simulation(map_: ValueStreamMap, result: Any, runs: int | None,
               seed: int | None) -> tuple[Any, str | None]:
    """(LeadTimeDistribution or None, a problem sentence or None) for `vsm report`: simulated
    when a step has a time range or --runs / --seed were given, and the map can be analysed."""
    from vsm.analysis.montecarlo import (
        DEFAULT_RUNS,
        DEFAULT_SEED,
        SimulationError,
        should_simulate,
        simulate,
    )

    if not result.ok or not (should_simulate(map_) or runs is not None or seed is not None):
        return None, None
    try:
        return simulate(map_, DEFAULT_RUNS if runs is None else runs,
                        DEFAULT_SEED if seed is None else seed), None
    except SimulationError as error:
        return None, f"Lead time not simulated: {error}."


def report_json_extras(map_: ValueStreamMap, result: Any, distribution: Any) -> dict[str, Any]:
    """The keys `vsm report --json` adds when there is demand and when there are percentiles."""
    data: dict[str, Any] = {}
    measured = map_.measured
    if measured is not None:
        data["measured"] = {
            "source": measured.source, "start": measured.start, "end": measured.end,
            "cases": measured.cases, "events": measured.events,
            "lead_time_p50_minutes": json_number(measured.lead_time_p50),
            "lead_time_p85_minutes": json_number(measured.lead_time_p85),
            "lead_time_p95_minutes": json_number(measured.lead_time_p95),
            "statistic": measured.statistic}
    if distribution is not None:
        data.update({"lead_time_p50_minutes": json_number(distribution.p50),
                     "lead_time_p85_minutes": json_number(distribution.p85),
                     "lead_time_p95_minutes": json_number(distribution.p95),
                     "lead_time_simulated_mean_minutes": json_number(distribution.mean),
                     "simulation_runs": distribution.runs, "simulation_seed": distribution.seed})
    if result.takt_time is not None:
        data["takt_time_minutes"] = json_number(result.takt_time)
        data["utilisation"] = [
            {"id": step.id, "name": step.name,
             "percent": json_number(result.utilisation[step.id]),  # null: nobody assigned
             "visits": json_number(result.visits.get(step.id)),
             "over_capacity": "over_capacity" in result.flags.get(step.id, [])}
            for step in map_.steps if step.id in result.utilisation]
    return data


def report_text_rows(map_: ValueStreamMap, result: Any,
                     distribution: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Rows for `vsm report`: (after the lead time, after the other figures)."""
    after_lead: list[tuple[str, str]] = []
    if map_.measured is not None:  # beside the map's lead time: what the log measured
        after_lead.append((MEASURED_LABEL, measured_words(map_.measured)))
    if distribution is not None:  # the headline uses the most likely times: say so, beside it
        after_lead.append(("Simulated", f"mean {format_duration(distribution.mean)}, "
                                        f"median {format_duration(distribution.p50)}, "
                                        f"85% within {format_duration(distribution.p85)}, "
                                        f"95% within {format_duration(distribution.p95)} "
                                        f"({distribution.runs:,} runs, seed {distribution.seed})"))
    rows: list[tuple[str, str]] = []
    if result.takt_time is not None:
        day = AVAILABLE_MINUTES["day"]
        rows.append(("Takt time", f"{format_working_time(result.takt_time, day)} at "
                                  f"{map_.demand:g} items/{map_.demand_period}"))
        if result.utilisation:
            busiest = max(result.utilisation, key=result.utilisation.__getitem__)
            value = result.utilisation[busiest]
            shown = "nobody assigned" if math.isinf(value) else f"{value:.0f}% utilised"
            rows.append(("Busiest step", f"{map_.step(busiest).name} ({shown})"))
    return after_lead, rows
