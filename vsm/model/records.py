"""The records a map is made of: Step, Flow, Kaizen, Thresholds, the map's Experience score and
ITIL 4 ValueStreamDescription, and their ids.

Plain dataclasses with defaults and no behaviour beyond a derived figure; the rules for their
values are in vsm.model.field_rules (steps, flows) and vsm.model.kaizen (kaizens), and the map
that holds them (vsm.model.maps) is the only place that changes them. Ids are stable strings:
uuid4 hex for new records, imported ids kept as they are (within the limits of
vsm.model.limits).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from vsm.model.limits import check_id_text


def new_id() -> str:
    """A new stable id."""
    return uuid.uuid4().hex


def check_id(value: Any, what: str) -> str:
    """An id must be non-empty text within the limits of ids (vsm.model.limits); return it or
    raise ModelError naming `what`."""
    return check_id_text(value, what)


@dataclass
class Step:
    """One step of a value stream. Times are minutes; pca is percent complete and accurate."""

    name: str = "New step"
    activity: str = "deliver_support"
    team: str = ""
    performer: str = "internal"
    process_time: float = 0.0
    wait_time: float = 0.0
    pca: float = 100.0
    people: float = 1.0
    notes: str = ""
    x: float = 0.0
    y: float = 0.0
    origin: str | None = None
    # Variability (optional): the range around the most likely times above, for the Monte Carlo
    # simulation (vsm.analysis.montecarlo). None: the bound equals the most likely value.
    process_time_min: float | None = None
    process_time_max: float | None = None
    wait_time_min: float | None = None
    wait_time_max: float | None = None
    id: str = field(default_factory=new_id)
    # Measured (optional, set by vsm mine): the cases and visits of the event log behind the
    # step's figures, and `mined`, the figure fields as mining set them ((field, value) pairs in
    # MINED_FIELDS order), so a refresh can tell the figures the user has edited since.
    cases: int | None = None
    visits: int | None = None
    mined: tuple[tuple[str, float | None], ...] | None = None
    # What stakeholders ask (issue 18), after the measured fields so that the .vsm file's
    # checksum can leave them out at their defaults (vsm.files.vsm_file): an optional target lead
    # time for the step (minutes), an hourly rate overriding the team's, the ITIL 4 practices
    # involved (codes of vsm.model.practices) and the information and technology used.
    target_time: float | None = None
    hourly_rate: float | None = None
    practices: tuple[str, ...] = ()
    information: str = ""

    @property
    def lead_time(self) -> float:
        """The step's own lead time: wait before it plus its process time."""
        return self.wait_time + self.process_time


def route_percent(value: float) -> str:
    """A share or rework probability as a flow's label shows it: one decimal at most ('52.9%',
    '7.4%', '100%'); a value that one decimal would round to 0 or 100 without being it gets the
    decimals it needs ('0.04%', '99.96%'), so no label claims all or nothing wrongly."""
    for decimals in range(1, 7):
        rounded = round(value, decimals)
        if rounded == value or rounded not in (0.0, 100.0):
            return f"{rounded:g}%"
    return f"{value:g}%"


@dataclass
class Flow:
    """Work passing from one step to another.

    kind "normal": an ordinary flow; `share` (percent) is set when the source's outgoing ordinary
    flows are alternative routes. kind "rework": work sent back to an earlier step with
    `probability` (percent, more than 0 and at most 100: docs/analysis.md, "Rework that goes
    anywhere back").
    """

    source: str
    target: str
    kind: str = "normal"
    share: float | None = None
    probability: float | None = None
    id: str = field(default_factory=new_id)
    cases: int | None = None  # measured: the cases of the event log that took this route
    # measured: the share and probability as mining set them ((field, value) pairs in
    # FLOW_MINED_FIELDS order), so a refresh can tell the figures the user has edited since
    mined: tuple[tuple[str, float | None], ...] | None = None


@dataclass(frozen=True)
class Measured:
    """Where a mined map's figures come from (vsm mine): the log's file name, the window of its
    events (ISO 8601 UTC texts), its cases and events, the lead time measured from the log
    (percentiles, minutes; None where not measured) and the statistic the step times use."""

    source: str = ""
    start: str | None = None
    end: str | None = None
    cases: int = 0
    events: int = 0
    lead_time_p50: float | None = None
    lead_time_p85: float | None = None
    lead_time_p95: float | None = None
    statistic: str = "median"


EXPERIENCE_SCALES: dict[str, str] = {"csat": "CSAT", "survey": "Survey average"}


@dataclass(frozen=True)
class Experience:
    """A measured experience score of the value stream: `scale` "csat" (percent satisfied,
    0 to 100) or "survey" (an average from 1 to 5), with the number of responses behind it when
    known and a note (where and when it was measured). Rules: vsm.model.stakeholders."""

    scale: str = "csat"
    score: float = 0.0
    responses: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ValueStreamDescription:
    """The value stream as ITIL 4 describes it: the demand that triggers it, the outcome it
    creates, the value for the consumer and the stakeholders involved (texts; empty: not
    described). Rules: vsm.model.stakeholders."""

    trigger: str = ""
    outcome: str = ""
    value: str = ""
    stakeholders: str = ""

    def __bool__(self) -> bool:
        return any((self.trigger, self.outcome, self.value, self.stakeholders))


@dataclass
class Thresholds:
    """When the analysis flags a step. Percentages, settable per map."""

    long_wait_percent: float = 10.0
    low_pca_percent: float = 80.0
    rework_percent: float = 10.0
    over_capacity_percent: float = 85.0  # utilisation above this flags a step (vsm.analysis.capacity)


@dataclass
class Kaizen:
    """One improvement idea: what, which waste it removes, who, by when, and how far it got."""

    title: str = "New improvement"
    description: str = ""
    waste: str = "waiting"
    owner: str = ""
    due: str | None = None
    status: str = "idea"
    expected_saving_minutes: float = 0.0
    step_id: str | None = None
    x: float = 0.0
    y: float = 0.0
    id: str = field(default_factory=new_id)


def inserted(items: dict, key: str, value: Any, index: int | None) -> dict:
    """A copy of `items` with key: value inserted at `index` (None: at the end)."""
    if index is None or index >= len(items):
        items[key] = value
        return items
    pairs = list(items.items())
    pairs.insert(max(index, 0), (key, value))
    return dict(pairs)
