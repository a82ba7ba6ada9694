"""The metrics pane answers what stakeholders ask (issue 18): the target beside the lead time
(met / missed in words; with ranges the chance of meeting it and P85 against it), the experience
score, who holds the work (a stacked bar by performer or team, with a legend in minutes and %),
the time waiting on vendors, the cost per item / period / month, what a step to change is worth,
and the Automation candidates dock.

The map (tests/pure/test_stakeholder_analysis.py's line):
  A  internal, team Desk, 2 people: wait 30, process 10
  B  vendor, team V:                wait 120, process 60
  C  customer, no team:             wait 0, process 5
  lead time = 40 + 180 + 5 = 225 min = 3h 45m
  by performer: internal 40 (40/225 = 17.8 %), vendor 180 (80.0 %), customer 5 (2.2 %)
  waiting on vendors: B's wait 120 = 2h (120/225 = 53.3 % of the lead time)
Rates Desk €60/h, V €90/h; demand 20 per week (a month: 20 x 10,400 / 2,400 = 86.667 items):
  cost per item = A 1 x 10/60 h x 2 x 60 = 20 + B 1 x 1 h x 1 x 90 = 90 -> €110.00 (C unpriced)
  per week = 110 x 20 = €2,200; per month = 110 x 86.667 = €9,533.33
  automation: B 1 h/item x 86.667 = 86.7 h/month (x 90 = €7,800/month);
              A 1/3 h/item -> 28.9 h/month (x 60 = €1,733.33/month); C 5/60 h -> 7.2 h/month
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.maps import make_map
from ui.document import processes
from ui.document.document import Document
from ui.panels import count_jobs
from ui.panels.metrics import MetricsPanel
from ui.panels.stakeholder_metrics import AutomationPanel
from vsm.model import Experience, Project


def line_map():
    map_ = make_map({"A": (30, 10, 100, {"team": "Desk", "people": 2}),
                     "B": (120, 60, 100, {"team": "V", "performer": "vendor"}),
                     "C": (0, 5, 100, {"performer": "customer"})},
                    [("A", "B"), ("B", "C")], name="Now")
    map_.set_field("team_rates", {"Desk": 60, "V": 90})
    map_.set_field("demand", 20)
    map_.set_field("demand_period", "week")
    return map_


@pytest.fixture
def doc(qtbot) -> Document:
    return Document(Project("Test", [line_map()]))


def metrics_for(qtbot, doc: Document) -> MetricsPanel:
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    qtbot.waitUntil(lambda: metrics.figure_text("lead_time") == "3h 45m", timeout=2000)
    return metrics


def test_target_met_or_missed_in_words(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    map_ = doc.project.maps[0]
    assert metrics.targets.target.isHidden()  # no target: nothing said
    doc.set_map_field(map_.id, "target_lead_time", "4h")  # 240 >= 225: met, 15m under
    qtbot.waitUntil(lambda: not metrics.targets.target.isHidden(), timeout=2000)
    assert metrics.targets.plain == "Target 4h: ✔ met, 15m under"
    assert "<b>" not in metrics.targets.target.text()
    doc.set_map_field(map_.id, "target_lead_time", "3h")  # 225 - 180 = 45m over
    qtbot.waitUntil(lambda: "missed" in metrics.targets.plain, timeout=2000)
    assert metrics.targets.plain == "Target 3h: ✘ missed by 45m"
    assert "<b>Target 3h" in metrics.targets.target.text()  # missed: in bold, and in words
    doc.set_step_field(map_.id, "B", "target_time", "2h")  # B takes 120 + 60 = 3h
    qtbot.waitUntil(lambda: "steps over" in metrics.targets.plain, timeout=2000)
    assert metrics.targets.plain == ("Target 3h: ✘ missed by 45m\n"
                                     "steps over their target: B (3h > 2h)")


@pytest.mark.parametrize("target, expected", [
    # B's process time 50 .. 70 (most likely 60): every run's lead time is 215 .. 235 minutes
    ("4h", "Target 4h: ✔ met, 15m under\n100% chance of meeting it · P85 "),  # all <= 240
    ("3h 20m", "Target 3h 20m: ✘ missed by 25m\n0% chance of meeting it · P85 "),  # all > 200
])
def test_with_ranges_the_chance_and_p85(qtbot, doc, target, expected):
    map_ = doc.project.maps[0]
    map_.set_step_field("B", "process_time_min", 50)
    map_.set_step_field("B", "process_time_max", 70)
    metrics = metrics_for(qtbot, doc)
    doc.set_map_field(map_.id, "target_lead_time", target)
    qtbot.waitUntil(lambda: "chance" in metrics.targets.plain, timeout=10000)
    text = metrics.targets.plain
    assert text.startswith(expected)
    assert text.endswith("✔ within the target" if target == "4h" else "✘ over the target")


def test_experience_beside_the_lead_time(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    assert metrics.targets.experience.isHidden()
    doc.set_map_field(doc.project.maps[0].id, "experience", Experience("survey", 3.9, 57))
    qtbot.waitUntil(lambda: not metrics.targets.experience.isHidden(), timeout=2000)
    assert metrics.targets.experience.text() == "Experience: Survey 3.9 of 5 (57 responses)"


def test_who_holds_the_work_and_the_cost(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    section = metrics.stakeholders
    assert section.legend_lines() == ["Internal team 40m (17.8%)", "Vendor 3h (80.0%)",
                                      "Customer 5m (2.2%)"]
    assert [s.colour for s in section.bar.segments] == ["#0072B2", "#E69F00", "#CC79A7"]
    assert section.vendor.text() == "Waiting on vendors: 2h (53.3% of the lead time)"
    assert section.cost_label.text() == ("Cost per item: €110.00 · per week: €2,200.00 · per "
                                         "month: €9,533.33\nnot priced (no rate): C")
    section.by_team.setChecked(True)  # teams, longest first: V 180, Desk 40, no team 5
    assert section.legend_lines() == ["V 3h (80.0%)", "Desk 40m (17.8%)", "No team 5m (2.2%)"]


def test_steps_to_change_say_what_their_saving_is_worth(qtbot):
    # A (Desk, €60/h: wait 0, process 30) -> B (wait 240, process 30), half of B's work back
    # to A (rework 50 %): visits 1 / (1 - 0.5) = 2 each; cost per item 2 x 0.5 h x 60 x 2 = 120.
    # Without the rework: 1 visit each -> 60. B is flagged for rework: worth 120 - 60 = €60/item
    map_ = make_map({"A": (0, 30, 100, {"team": "Desk"}), "B": (240, 30, 100, {"team": "Desk"})},
                    [("A", "B"), ("B", "A", {"kind": "rework", "probability": 50})])
    map_.set_field("team_rates", {"Desk": 60})
    doc = Document(Project("Rework", [map_]))
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    qtbot.waitUntil(lambda: metrics.steps_to_change.count() > 0
                    and "B" in metrics.steps_to_change.item(0).text(), timeout=2000)
    rows = [metrics.steps_to_change.item(i).text() for i in range(metrics.steps_to_change.count())]
    b_row = next(row for row in rows if row.split(". ", 1)[1].startswith("B"))
    assert "(worth €60.00/item)" in b_row


def test_automation_candidates_dock(qtbot, doc):
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_map(doc.project.maps[0])
    qtbot.waitUntil(lambda: panel.list.model().rowCount() == 3, timeout=2000)
    assert panel.lines() == ["1. B — 86.7 h/month freed (€7,800.00/month) · vendor",
                             "2. A — 28.9 h/month freed (€1,733.33/month) · internal team",
                             "3. C — 7.2 h/month freed · customer"]
    first = panel.list.model().index(0, 0)
    qtbot.waitUntil(lambda: panel.list.visualRect(first).isValid())  # laid out
    with qtbot.waitSignal(panel.steps_selected) as picked:
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                         pos=panel.list.visualRect(first).center())
    assert picked.args == [["B"]]
    assert panel.list.currentIndex().row() == 0
    with qtbot.waitSignal(panel.steps_selected) as picked:  # the keyboard: down, then Enter
        qtbot.keyClick(panel.list, Qt.Key.Key_Down)
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert picked.args == [["A"]]


def test_the_automation_list_never_recounts_the_worth_of_the_steps_to_change(
        qtbot, doc, monkeypatch):
    # The worth recounts the visits once per step sending work back (2 s at 1,000 steps, on the
    # GUI thread after every edit); the dock shows the candidates only, so it never asks for it.
    import vsm.analysis.cost as cost

    def no_worth(*_args):
        raise AssertionError("the automation list asked for the worth of the steps to change")

    monkeypatch.setattr(cost, "_saving_worth", no_worth)
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_map(doc.project.maps[0])
    assert panel.lines()[0] == "1. B — 86.7 h/month freed (€7,800.00/month) · vendor"



def test_a_map_whose_visits_cannot_be_counted_says_so_never_no_steps(qtbot, doc, monkeypatch):
    # The visits of a map can be beyond counting (the 20,000-step benchmark map: too many
    # combinations of alternative routes at once): the cost is None, and the list said "No steps
    # yet." of a map of 20,000 steps. It says why now; "No steps yet." is said of an empty map
    # (its analysis' one problem), which read "Not computed: the map has problems.".
    import ui.panels.stakeholder_metrics as stakeholder_metrics

    monkeypatch.setattr(stakeholder_metrics, "cost_of", lambda *_args, **_kwargs: None)
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    map_ = doc.project.maps[0]
    panel.set_map(map_)
    assert panel.lines() == [stakeholder_metrics.VISITS_UNCOUNTED]
    assert panel.lines()[0].startswith("Not computed: how often each step is passed cannot be")
    doc.remove(map_.id, [step.id for step in map_.steps])
    qtbot.waitUntil(lambda: panel.lines() == ["No steps yet."], timeout=2000)

def test_a_hidden_automation_list_waits_until_it_is_shown(qtbot, doc, monkeypatch):
    # The candidates walk every branch of the map (0.5 s at 5,000 steps without a demand); the
    # dock is a tab behind the step table, so it computes only when it can be seen.
    import ui.panels.stakeholder_metrics as stakeholder_metrics

    computed = []
    real_cost_of = stakeholder_metrics.cost_of
    monkeypatch.setattr(stakeholder_metrics, "cost_of",
                        lambda *a, **k: computed.append(1) or real_cost_of(*a, **k))
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(doc.project.maps[0])
    doc.set_step_field(doc.project.maps[0].id, "A", "wait_time", 99)
    qtbot.wait(100)  # the analysis of the edit arrives
    assert computed == [] and panel.list.model().rowCount() == 0
    panel.show()
    qtbot.waitExposed(panel)
    assert computed == [1] and panel.list.model().rowCount() == 3


def test_without_demand_a_costly_map_counts_the_candidates_off_this_thread_never_stale(
        qtbot, doc, monkeypatch):
    # Without demand the candidates need a walk of the whole map (1 s at 5,000 steps): for a map
    # the live analysis counts costly (its threshold lowered to one step) it runs on a worker,
    # the list saying "Updating" meanwhile, and a count a newer analysis superseded never shows
    # (here the first count is under way when the edit comes: it finishes, and is dropped).
    # Per item (no demand): B 1 x 60/60 h x 1 person = 1.00 h; A 1 x 10/60 h x 2 = 0.33 h;
    # after A's process time is set to 120: A 120/60 x 2 = 4.00 h.
    import threading

    import ui.panels.stakeholder_metrics as stakeholder_metrics

    map_id = doc.project.maps[0].id
    doc.live.async_steps = 1
    doc.set_map_field(map_id, "demand", None)
    doc.analysis(map_id)  # the first analysis, on this thread
    gate, on_main_thread = threading.Event(), []
    real_cost_of = count_jobs.cost_of

    def counting(*args, **kwargs):
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        if len(on_main_thread) == 1:
            gate.wait(10)  # the first count is held until the edit has been made
        return real_cost_of(*args, **kwargs)

    monkeypatch.setattr(count_jobs, "cost_of", counting)
    monkeypatch.setattr(processes, "SEPARATE", False)  # the gate above is in this process
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    shown: list[str] = []  # the first line of every count shown
    show = panel._show_cost
    monkeypatch.setattr(panel, "_show_cost", lambda cost, lines=None, **kwargs: (
        shown.append(lines[0][1] if lines else ""), show(cost, lines, **kwargs)))
    panel.set_map(doc.project.maps[0])
    assert panel.lines() == [stakeholder_metrics.COUNTING]
    qtbot.waitUntil(lambda: len(on_main_thread) == 1)  # the first count is under way
    first = panel._count
    doc.set_step_field(map_id, "A", "process_time", 120)
    qtbot.waitUntil(lambda: panel._count > first)  # the edit's analysis asked for a new count
    gate.set()  # the first count's result (B first) arrives now: superseded, never shown
    qtbot.waitUntil(lambda: panel.lines()[0] == "1. A — 4.00 h per item freed · internal team",
                    timeout=5000)
    assert panel.lines()[:2] == ["1. A — 4.00 h per item freed · internal team",
                                 "2. B — 1.00 h per item freed · vendor"]
    assert shown == ["1. A — 4.00 h per item freed · internal team"]
    assert on_main_thread == [False, False]


def test_a_long_automation_list_is_replaced_in_one_reset_and_stays_when_nothing_changed(qtbot):
    # Clearing 4,000 candidates made as QListWidgetItems took 8 ms at 5,000 steps (and adding
    # them 0.1-0.3 s, a slice per turn) in the turn the analysis came: the rows are a list the
    # view reads, replaced in one reset, never a row at a time. An edit of a wait frees no
    # hours (hours = visits x process time x people): the rows stay as they are.
    # 4,000 steps in a line, step i taking i + 1 minutes: ranked from the last step down.
    count = 4000
    names = [f"S{i}" for i in range(count)]
    map_ = make_map({name: (0, i + 1, 100) for i, name in enumerate(names)},
                    list(zip(names, names[1:])))
    map_.set_field("demand", 20)
    doc = Document(Project("Long", [map_]))
    doc.live.async_steps = doc.live.measured_steps = count + 1  # all on this thread, here
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_map(map_)
    assert len(panel.lines()) == count and panel.lines()[0].startswith(f"1. S{count - 1} — ")
    resets, rows_changed = [], []
    rows = panel.list.model()
    rows.modelReset.connect(lambda: resets.append(1))
    for signal in (rows.rowsInserted, rows.rowsRemoved, rows.dataChanged):
        signal.connect(lambda *_args: rows_changed.append(1))
    doc.set_step_field(map_.id, "S0", "process_time", 10 * count)  # S0 now frees the most
    qtbot.waitUntil(lambda: panel.lines()[0].startswith("1. S0 — "), timeout=10_000)
    assert len(panel.lines()) == count  # all of them at once, in the analysis' turn
    assert resets == [1] and rows_changed == []
    doc.set_step_field(map_.id, "S1", "wait_time", 99)
    qtbot.waitUntil(lambda: doc.analysis(map_.id).lead_time == 99 + 10 * count
                    + count * (count + 1) // 2 - 1, timeout=10_000)
    qtbot.wait(50)
    assert resets == [1] and rows_changed == []


def test_a_costly_maps_cost_and_worth_come_from_a_worker_saying_updating_meanwhile(
        qtbot, monkeypatch):
    # The worth of the steps to change recounts the visits once per step sending work back (2 s
    # at 1,000 steps on the GUI thread): for a map the live analysis counts costly (threshold
    # lowered to one step) the cost is computed on a worker. The map of the test above: B is
    # worth 120 - 60 = €60/item; cost per item 2 visits x 0.5 h x €60 x 2 steps = €120.
    import threading

    import ui.panels.stakeholder_metrics as stakeholder_metrics

    map_ = make_map({"A": (0, 30, 100, {"team": "Desk"}), "B": (240, 30, 100, {"team": "Desk"})},
                    [("A", "B"), ("B", "A", {"kind": "rework", "probability": 50})])
    map_.set_field("team_rates", {"Desk": 60})
    doc = Document(Project("Rework", [map_]))
    doc.live.async_steps = 1
    gate, on_main_thread = threading.Event(), []
    real_cost_of = count_jobs.cost_of

    def costing(*args, **kwargs):
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        gate.wait(10)
        return real_cost_of(*args, **kwargs)

    monkeypatch.setattr(count_jobs, "cost_of", costing)
    monkeypatch.setattr(processes, "SEPARATE", False)  # the gate above is in this process
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    assert metrics.stakeholders.cost_label.text() == stakeholder_metrics.COST_UPDATING
    assert "worth" not in metrics.steps_to_change.item(0).text()  # not yet: never a stale one
    gate.set()
    qtbot.waitUntil(lambda: "(worth €60.00/item)" in metrics.steps_to_change.item(0).text(),
                    timeout=5000)
    assert metrics.stakeholders.cost_label.text().startswith("Cost per item: €120.00")
    assert on_main_thread and not any(on_main_thread)


def _rework_map_document() -> Document:
    # A, B at the Desk (€60/h), 30 min each, B sending half the work back to A: 2 visits each.
    map_ = make_map({"A": (0, 30, 100, {"team": "Desk"}), "B": (240, 30, 100, {"team": "Desk"})},
                    [("A", "B"), ("B", "A", {"kind": "rework", "probability": 50})])
    map_.set_field("team_rates", {"Desk": 60})
    doc = Document(Project("Rework", [map_]))
    doc.live.async_steps = 1  # costly: its counts leave the GUI thread
    return doc


def test_a_costly_maps_cost_and_candidates_are_counted_in_the_second_process(qtbot):
    # A worker thread still held the GUI thread's interpreter (undoing a step's removal at 5,000
    # steps blocked the window 406 ms, 29 ms with the counts in another process). Cost per item
    # 2 visits x 0.5 h x 1 person x €60 x 2 steps = €120; B is worth 120 - 60 = €60/item (A's
    # visits drop from 2 to 1 without the rework: 1 x 0.5 x 60 + 1 x 0.5 x 60 = €60).
    import os

    doc = _rework_map_document()
    map_ = doc.project.maps[0]
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    qtbot.waitUntil(lambda: "(worth €60.00/item)" in metrics.steps_to_change.item(0).text(),
                    timeout=30_000)  # the first job starts the process
    assert metrics.stakeholders.cost_label.text().startswith("Cost per item: €120.00")
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_map(map_)
    # 2 visits x 30 min = 1.00 h per item each; the list in map order when the hours tie.
    qtbot.waitUntil(lambda: panel.lines()[:1] == ["1. A — 1.00 h per item freed · internal team"],
                    timeout=30_000)
    child = processes.shared("counts").pid
    assert child is not None and child != os.getpid()


def test_a_count_superseded_before_it_started_never_runs(qtbot):
    # While the counts process is busy, two edits make two counts: the first, stale before it
    # starts, is cancelled; only the newest is counted and shown. After A's process time is
    # set to 90: A 2 visits x 90/60 h = 3.00 h per item, B 2 x 30/60 = 1.00 h.
    import time

    doc = _rework_map_document()
    map_ = doc.project.maps[0]
    panel = AutomationPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    busy = processes.shared("counts").submit(time.sleep, 2)
    panel.set_map(map_)
    first = panel._counting
    assert first is not None and not first.done()
    doc.set_step_field(map_.id, "A", "process_time", 90)
    qtbot.waitUntil(lambda: panel._counting is not first, timeout=5000)
    assert first.cancelled() and not busy.done()
    qtbot.waitUntil(lambda: panel.lines()[:1] == ["1. A — 3.00 h per item freed · internal team"],
                    timeout=30_000)
    assert panel.lines()[1] == "2. B — 1.00 h per item freed · internal team"
