"""The Import Event Log dialog offers every option of `vsm mine`: the work, vendor and customer
patterns with the command line's defaults written in, the pruning of rare routes and steps
(defaults: nothing pruned), and "(none)" as the group, which leaves the log's group out (it no
longer falls back to the recognised group column). Options `vsm mine` would refuse keep the
dialog open with the reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from ui.dialogs.event_log import NONE, EventLogDialog, preview_rows
from vsm.mining.mine import DEFAULT_CUSTOMER, DEFAULT_VENDOR, DEFAULT_WORK, mine_log

INCIDENTS = Path(__file__).parent.parent / "pure" / "mining_logs" / "servicenow_incident.csv"


def _dialog(qtbot) -> EventLogDialog:
    dialog = EventLogDialog(INCIDENTS, preview_rows(INCIDENTS))
    qtbot.addWidget(dialog)
    return dialog


def test_the_command_lines_defaults_are_shown_and_given(qtbot):
    dialog = _dialog(qtbot)
    assert dialog.patterns["work"].text() == DEFAULT_WORK
    assert dialog.patterns["vendor"].text() == DEFAULT_VENDOR
    assert dialog.patterns["customer"].text() == DEFAULT_CUSTOMER
    assert (dialog.min_share.value(), dialog.min_cases.value()) == (0.0, 1)
    options = dialog.options()
    assert (options.work, options.vendor, options.customer) == (DEFAULT_WORK, DEFAULT_VENDOR,
                                                                DEFAULT_CUSTOMER)
    assert (options.min_share, options.min_cases) == (0.0, 1)
    dialog.patterns["vendor"].clear()  # empty: the default, as without --vendor
    assert dialog.options().vendor == DEFAULT_VENDOR


def test_the_options_chosen_reach_the_mining(qtbot):
    dialog = _dialog(qtbot)
    dialog.patterns["work"].setText("^Active$")
    dialog.patterns["vendor"].setText("Network")
    dialog.patterns["customer"].setText("Awaiting User")
    dialog.min_share.lineEdit().selectAll()  # typed as a user types: select, replace
    QTest.keyClicks(dialog.min_share.lineEdit(), "5")
    dialog.min_cases.lineEdit().selectAll()
    QTest.keyClicks(dialog.min_cases.lineEdit(), "3")
    dialog.min_share.interpretText()
    dialog.min_cases.interpretText()
    options = dialog.options()
    assert (options.work, options.vendor, options.customer) == ("^Active$", "Network",
                                                                "Awaiting User")
    assert (options.min_share, options.min_cases) == (5.0, 3)
    assert mine_log(INCIDENTS, options).summary["cases"] > 0  # the mining takes them


def test_none_as_the_group_leaves_the_logs_group_out(qtbot):
    dialog = _dialog(qtbot)
    group = dialog.combos["group"]
    assert group.currentText() == "assignment_group"  # recognised
    with_group = mine_log(INCIDENTS, dialog.options()).project.maps[0]
    assert any(step.team for step in with_group.steps)
    group.setCurrentIndex(group.findText(NONE))
    options = dialog.options()
    assert options.group == ""
    without = mine_log(INCIDENTS, options).project.maps[0]
    # before, "(none)" gave group=None and the mining recognised assignment_group again
    assert [step.team for step in without.steps] == [""] * len(without.steps)


def test_options_vsm_mine_refuses_keep_the_dialog_open(qtbot):
    dialog = _dialog(qtbot)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.patterns["work"].setText("In (Progress")  # not a regular expression
    ok.click()
    assert dialog.isVisible() and dialog.result() == 0
    assert "--work" in dialog.problem.text() and dialog.problem.isVisible()
    dialog.patterns["work"].setText("In Progress")
    dialog.combos["group"].setCurrentIndex(dialog.combos["group"].findText(NONE))
    dialog.by_group.setChecked(True)  # steps by group with no group
    ok.click()
    assert dialog.isVisible() and "group column" in dialog.problem.text()
    dialog.by_activity.setChecked(True)
    ok.click()
    assert not dialog.isVisible() and dialog.result() == 1
