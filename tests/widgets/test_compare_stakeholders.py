"""The compare view shows what stakeholders ask current -> future (issue 18): the target met or
missed, the experience, the cost per item and the wait on vendors, following edits.

Current (tests/pure/test_stakeholder_deck.py's line): A (Desk: 30 + 10, 2 people) -> B (vendor
V: 120 + 60) -> C (customer: 0 + 5), lead 225 min; target 3h: missed. The future's B waits 30:
lead 40 + 90 + 5 = 135 <= 180: met. Cost per item €110 in both (waits cost nothing); waiting
on vendors 2h -> 30m.
"""

from __future__ import annotations

from tests.helpers.maps import make_map
from ui.document.document import Document
from vsm.model import Experience, Project
from vsm.model.duplicate import future_state_of


def project() -> Project:
    current = make_map({"A": (30, 10, 100, {"team": "Desk", "people": 2}),
                        "B": (120, 60, 100, {"team": "V", "performer": "vendor"}),
                        "C": (0, 5, 100, {"performer": "customer"})},
                       [("A", "B"), ("B", "C")], name="Now")
    for index, step in enumerate(current.steps):
        current.set_step_field(step.id, "x", 240.0 * index)
    current.set_field("team_rates", {"Desk": 60, "V": 90})
    current.set_field("target_lead_time", "3h")
    current.set_field("experience", Experience("csat", 71, 412))
    future = future_state_of(current, "Next")
    b = next(step for step in future.steps if step.name == "B")
    future.set_step_field(b.id, "wait_time", 30)
    return Project("Payroll", [current, future])


def test_compare_shows_attainment_experience_cost(make_window, qtbot):
    window = make_window(Document(project(), autosave=False))
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    assert dialog.row_texts("Target lead time") == ["Target lead time", "✘ missed (3h)",
                                                    "✔ met (3h)", "missed → met", ""]
    assert dialog.row_texts("Cost per item") == ["Cost per item", "€110.00", "€110.00",
                                                 "+€0.00 (+0.0%)", ""]
    assert dialog.row_texts("Waiting on vendors") == ["Waiting on vendors", "2h", "30m",
                                                      "-1h 30m", ""]
    # the future state was copied with the score; a new survey then changes it
    assert dialog.row_texts("Experience") == ["Experience", "CSAT 71%", "CSAT 71%", "+0 pts", ""]
    future = window.document.project.maps[1]
    window.document.set_map_field(future.id, "experience", Experience("csat", 84, 120))
    qtbot.waitUntil(lambda: dialog.row_texts("Experience")[2] == "CSAT 84%", timeout=3000)
    assert dialog.row_texts("Experience") == ["Experience", "CSAT 71%", "CSAT 84%", "+13 pts", ""]
    # every row fits without a scroll bar
    table = dialog.table
    assert table.verticalScrollBar().maximum() == 0
