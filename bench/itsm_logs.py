"""Synthetic ITSM event logs with known parameters, for the mining tests and benchmark.

A ticket walks a Markov chain of *nodes*, each a state (the activity) held by a group: it
enters a node at an event (one row of the log: ticket, state, time, group), stays a lognormal
time set by the state (median, sigma), and moves to the next node with the node's exit
probabilities; a terminal node (Closed) ends the case. `service_desk()` builds a chain shaped
like real incident logs (docs: /work/shared/mining-notes.md): first line resolves about 60 %,
the rest goes to two second-line teams, of which 25-30 % bounce back to first line
(ping-pong), the network team hands 15 % to a vendor with a long queue (median 40 h), 10-15 %
wait on the user, 1 % reopen after resolve, and Resolved is closed automatically after about
six days. Queues and work are lognormal with sigma 1 to 1.3.

Consecutive nodes never share a state, so a visit of a step by activity is one node's stay.
`truth(chain, by, end)` computes exactly what mining the log should find in expectation: each
step's exit probabilities, the mean duration of its visits (and its median when all its nodes
share the state), its visits per case, and the mean lead time (absorbing-chain sums, solved by
Gaussian elimination).

`write_log(path, chain, cases, seed, ...)` streams the log to CSV in one of the recognised
shapes (plain, XES, ServiceNow incident or audit export, Jira history), with optional noise
(rows without a case id, unreadable times, equal timestamps). The same arguments always give
the same file.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

END = "END"
HOUR = 60.0
DAY = 24 * HOUR


@dataclass
class Node:
    state: str
    group: str
    exits: dict[str, float] = field(default_factory=dict)  # node name or END -> probability


@dataclass
class Chain:
    """The process: nodes, the first node, and the lognormal time (median minutes, sigma) of
    each state; a state without one (Closed) ends the case."""

    nodes: dict[str, Node]
    first: str
    durations: dict[str, tuple[float, float]]

    def mean_minutes(self, state: str) -> float:
        median, sigma = self.durations[state]
        return median * math.exp(sigma * sigma / 2)


def service_desk(vendor: bool = True, user_waits: bool = True) -> Chain:
    """The incident process of real service desks (see the module). Without `vendor` the
    network team never hands work to the vendor; without `user_waits` nobody waits on users."""
    desk, network, apps, acme = "Service Desk", "Network", "Applications", "Acme Telecom (vendor)"
    user = 0.12 if user_waits else 0.0  # first line: waits on the user
    user_network, user_apps = (0.10, 0.15) if user_waits else (0.0, 0.0)
    to_vendor = 0.15 if vendor else 0.0
    nodes = {
        "new": Node("New", desk, {"desk work": 1.0}),
        "desk work": Node("In Progress", desk, {
            "desk resolved": 0.58 - user / 2, "desk user": user, "network queue": 0.21 - user / 4,
            "apps queue": 0.21 - user / 4}),
        "desk user": Node("Awaiting User Info", desk, {"desk work": 1.0}),
        "desk queue": Node("Assigned", desk, {"desk work": 1.0}),
        "network queue": Node("Assigned", network, {"network work": 1.0}),
        "network work": Node("In Progress", network, {
            "network resolved": 1 - 0.3 - to_vendor - user_network, "desk queue": 0.3,
            "vendor": to_vendor, "network user": user_network}),
        "network user": Node("Awaiting User Info", network, {"network work": 1.0}),
        "vendor": Node("Awaiting Vendor", acme, {"network work": 1.0}),
        "apps queue": Node("Assigned", apps, {"apps work": 1.0}),
        "apps work": Node("In Progress", apps, {
            "apps resolved": 1 - 0.25 - user_apps, "desk queue": 0.25, "apps user": user_apps}),
        "apps user": Node("Awaiting User Info", apps, {"apps work": 1.0}),
    }
    for team, key in ((desk, "desk"), (network, "network"), (apps, "apps")):
        nodes[f"{key} resolved"] = Node("Resolved", team, {f"{key} closed": 0.99,
                                                           f"{key} work": 0.01})
        nodes[f"{key} closed"] = Node("Closed", team, {END: 1.0})
    for node in nodes.values():  # routes of probability 0 (an option turned off) are no routes
        node.exits = {target: p for target, p in node.exits.items() if p > 0}
        assert abs(sum(node.exits.values()) - 1) < 1e-12, node
    durations = {"New": (30.0, 1.0), "In Progress": (45.0, 1.2), "Assigned": (4 * HOUR, 1.3),
                 "Awaiting User Info": (8 * HOUR, 1.2), "Awaiting Vendor": (40 * HOUR, 1.2),
                 "Resolved": (6 * DAY, 0.3)}
    return Chain(nodes, "new", durations)


# ---------------------------------------------------------------- what mining should find


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix·x = vector (Gaussian elimination with partial pivoting)."""
    n = len(vector)
    rows = [row[:] + [value] for row, value in zip(matrix, vector)]
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(n):
            if r != column and rows[r][column]:
                factor = rows[r][column] / rows[column][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _cut(chain: Chain, end: str | None) -> dict[str, dict[str, float]]:
    """Each node's exits, with the nodes of the end state (if any) ending the case."""
    return {name: ({END: 1.0} if end is not None and node.state == end else dict(node.exits))
            for name, node in chain.nodes.items()}


def expected_visits(chain: Chain, end: str | None = None) -> dict[str, float]:
    """Expected entries into each node per case (x = start + x·P)."""
    names = list(chain.nodes)
    exits = _cut(chain, end)
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    matrix = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for source, targets in exits.items():
        for target, p in targets.items():
            if target != END:
                matrix[index[target]][index[source]] -= p
    start = [1.0 if name == chain.first else 0.0 for name in names]
    return dict(zip(names, _solve(matrix, start)))


@dataclass
class StepTruth:
    visits_per_case: float
    exits: dict[str | None, float]  # next step key (None: the end) -> probability
    mean_minutes: float  # of a measured visit
    median_minutes: float | None  # when every node of the step has one state


def truth(chain: Chain, by: str = "activity", end: str | None = None) -> dict[str, StepTruth]:
    """What mining the chain's log by `by` ("activity" or "group") with `end` (a state, or None)
    should find in expectation (see the module). Steps by group need `end`, so that every visit
    is measured (each run of a group's nodes lasts until the next group's first event, or the
    end event)."""
    exits = _cut(chain, end)
    x = expected_visits(chain, end)
    key = {name: (node.state if by == "activity" else node.group)
           for name, node in chain.nodes.items()}
    stays = {name: 0.0 if (end is not None and node.state == end) or node.state not in
             chain.durations else chain.mean_minutes(node.state)
             for name, node in chain.nodes.items()}
    found: dict[str, StepTruth] = {}
    for step in dict.fromkeys(key.values()):
        members = [n for n in chain.nodes if key[n] == step]
        # entries into the step's nodes from another step (or the case's start)
        entries = {m: (1.0 if m == chain.first else 0.0) + sum(
            x[s] * p for s, targets in exits.items() if key[s] != step
            for t, p in targets.items() if t == m) for m in members}
        total = sum(entries.values())
        if total == 0:
            continue
        # within a visit: absorption into each way out, and the time, from each member
        index = {m: i for i, m in enumerate(members)}
        size = len(members)
        matrix = [[1.0 if i == j else 0.0 for j in range(size)] for i in range(size)]
        for m in members:
            for t, p in exits[m].items():
                if t != END and key[t] == step:
                    matrix[index[m]][index[t]] -= p
        outs = sorted({(None if t == END else key[t]) for m in members for t in exits[m]
                       if t == END or key[t] != step}, key=lambda k: (k is None, str(k)))
        probabilities: dict[str | None, float] = {}
        for out in outs:
            direct = [sum(p for t, p in exits[m].items()
                          if (t == END and out is None) or (t != END and key[t] == out
                                                            and key[t] != step))
                      for m in members]
            reach = _solve(matrix, direct)
            probabilities[out] = sum(entries[m] * reach[index[m]] for m in members) / total
        times = _solve(matrix, [stays[m] for m in members])
        mean = sum(entries[m] * times[index[m]] for m in members) / total
        states = {chain.nodes[m].state for m in members}
        median = None
        if by == "activity" and len(states) == 1 and step in chain.durations and step != end:
            median = chain.durations[step][0]
        found[step] = StepTruth(total, probabilities, mean, median)
    return found


def expected_lead_time(chain: Chain, end: str | None = None) -> float:
    """Mean minutes from a case's first event to its end event (the first `end` state, or the
    terminal state)."""
    x = expected_visits(chain, end)
    return sum(x[name] * chain.mean_minutes(node.state) for name, node in chain.nodes.items()
               if node.state in chain.durations and not (end is not None and node.state == end))


# ---------------------------------------------------------------- the log

SHAPES = ("plain", "xes", "servicenow", "audit", "jira")
HEADERS = {
    "plain": ["Ticket", "Status", "Updated", "Assignment group", "Priority"],
    "xes": ["case:concept:name", "concept:name", "time:timestamp", "org:group", "org:resource"],
    "servicenow": ["number", "incident_state", "active", "reassignment_count", "sys_updated_at",
                   "assignment_group", "priority"],
    "audit": ["documentkey", "fieldname", "oldvalue", "newvalue", "sys_created_on", "user"],
    "jira": ["issue_id", "changelog_id", "author_id", "created_date", "field", "field_type",
             "from", "from_string", "to", "to_string"],
}


def walk(chain: Chain, rng: random.Random) -> Iterator[tuple[str, str, float]]:
    """One case: (state, group, minutes since its first event) of each event."""
    node_name = chain.first
    clock = 0.0
    for _ in range(10_000):
        node = chain.nodes[node_name]
        yield node.state, node.group, clock
        if node.state not in chain.durations:
            return
        median, sigma = chain.durations[node.state]
        clock += median * math.exp(rng.gauss(0.0, sigma))
        targets = list(node.exits)
        node_name = rng.choices(targets, weights=[node.exits[t] for t in targets])[0]
        if node_name == END:
            return


def _time_text(moment: datetime, form: str) -> str:
    if form == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "offset":  # the same instant written in UTC+01:00
        return (moment + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
    if form == "dmy":
        return f"{moment.day}/{moment.month}/{moment.year} {moment:%H:%M:%S}"
    if form == "mdy":
        return f"{moment.month}/{moment.day}/{moment.year} {moment:%I:%M:%S %p}"
    raise ValueError(f"unknown time form {form!r}")


def rows(chain: Chain, cases: int, seed: int = 1, shape: str = "plain", times: str = "iso",
         noise: float = 0.0, start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
         days: float = 180.0) -> Iterator[list[str]]:
    """The log's header and rows (see write_log). With `noise` (a fraction of the events)
    some rows lose their case id, some their time (written as "not a time"), and some events
    share the time of the one before."""
    rng = random.Random(seed)
    decoration = random.Random(seed + 1)  # what is not the process: the same cases in any shape
    yield HEADERS[shape]
    changes = 0
    for number in range(cases):
        case = f"INC{number + 1:07d}"
        opened = start + timedelta(days=rng.random() * days)
        last_group = None
        previous = None
        for state, group, minutes in walk(chain, rng):
            moment = opened + timedelta(seconds=round(minutes * 60))
            if noise and previous is not None and rng.random() < noise:
                moment = previous  # an equal timestamp
            previous = moment
            text = _time_text(moment, times)
            case_id = case
            if noise and rng.random() < noise:
                case_id = ""
            if noise and rng.random() < noise:
                text = "not a time"
            changes += 1
            if shape == "plain":
                yield [case_id, state, text, group, "3 - Moderate"]
            elif shape == "xes":
                yield [case_id, state, text, group, f"agent{decoration.randrange(40)}"]
            elif shape == "servicenow":
                yield [case_id, state, "true" if state != "Closed" else "false", "0", text,
                       group, "3 - Moderate"]
            elif shape == "audit":
                if group != last_group:
                    yield [case_id, "assignment_group", last_group or "", group, text, "admin"]
                yield [case_id, "state", "", state, text, "admin"]
                yield [case_id, "priority", "4", "3", text, "admin"]  # not an event
            elif shape == "jira":
                if group != last_group:
                    yield [case_id, str(changes), "u1", text, "Team", "custom", "", last_group
                           or "", "", group]
                yield [case_id, str(changes), "u1", text, "status", "jira", "", "", "", state]
            last_group = group


def write_log(path: str | Path, chain: Chain, cases: int, seed: int = 1, shape: str = "plain",
              times: str = "iso", noise: float = 0.0, delimiter: str = ",",
              encoding: str = "utf-8", limit: int | None = None) -> int:
    """Write the log as CSV; the number of rows under the header. With `limit`, at most that
    many rows (the last case may be cut short: bench/mining.py's logs of exactly N events)."""
    count = -1
    with open(path, "w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        for row in rows(chain, cases, seed, shape, times, noise):
            if count == limit:
                break
            writer.writerow(row)
            count += 1
    return count
