"""ValueStreamMap: with Project (vsm.model.project), the only place that changes the model.

Pure Python, no Qt. Every change goes through one mutating method of ValueStreamMap or Project,
which validates the value (vsm.model.field_rules, vsm.model.kaizen) and then emits a past-tense
event (vsm.model.events) to the subscribers: the editor's scene and panels, the analysis
scheduler. The records the map holds (Step, Flow, Kaizen, Thresholds) are vsm.model.records.
"""

from __future__ import annotations

from collections.abc import Callable, KeysView, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

from vsm.errors import ModelError
from vsm.model.bulk import BulkEdits
from vsm.model.events import (
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    MapChanged,
    Observable,
    StepAdded,
    StepChanged,
    StepRemoved,
)
from vsm.model.field_rules import (
    STEP_FIELDS,
    clean_flow_figures,
    clean_percent,
    clean_step_fields,
    clean_step_value,
    finite,
    one_of,
)
from vsm.model.kaizen import KaizenHolder
from vsm.model.limits import ID_SUSPECT, MAX_ID_LENGTH, MAX_TEXT_LENGTH, clean_text, shown
from vsm.model.measured import clean_count, clean_flow_mined, clean_measured
from vsm.model.records import (
    Experience,
    Flow,
    Kaizen,
    Measured,
    Step,
    Thresholds,
    ValueStreamDescription,
    check_id,
    inserted,
    new_id,
)
from vsm.model.stakeholders import (
    DEFAULT_CURRENCY,
    STAKEHOLDER_SETTINGS,
    clean_stakeholder_setting,
)
from vsm.model.variability import RANGE_FIELDS, RANGES, check_ranges

MAP_KINDS: dict[str, str] = {"current": "Current state", "future": "Future state"}
DEMAND_PERIODS = ("day", "week", "month")


FLOW_FIELDS = ("source", "target", "kind", "share", "probability")
FLOW_EDITABLE = ("kind", "share", "probability")
RANGED = frozenset((*RANGES, *RANGE_FIELDS))  # the fields a time range is checked against
DEFAULT_REWORK_PERCENT = 10.0  # a flow switched to rework starts here; people then edit it
MAP_FIELDS = ("name", "kind", "description", "demand", "demand_period", "thresholds", "measured",
              "target_lead_time", "experience", "currency", "team_rates", "itil")


class ValueStreamMap(KaizenHolder, BulkEdits, Observable):
    """A value stream in one state (current or future): steps, flows, kaizen bursts and settings.

    The kaizen methods (kaizens, add_kaizen, remove_kaizen, set_kaizen_field...) come from
    vsm.model.kaizen.KaizenHolder; the changes of many items at once (remove_items,
    restore_items, batch) from vsm.model.bulk.BulkEdits.
    """

    def __init__(
        self,
        name: str = "Current state",
        kind: str = "current",
        description: str = "",
        demand: float | None = None,
        demand_period: str = "week",
        thresholds: Thresholds | None = None,
        id: str | None = None,
        measured: Measured | None = None,
        target_lead_time: float | None = None,
        experience: Experience | None = None,
        currency: str = DEFAULT_CURRENCY,
        team_rates: Mapping[str, float] | None = None,
        itil: ValueStreamDescription | None = None,
    ) -> None:
        super().__init__()
        self.id = new_id() if id is None else check_id(id, f"map {shown(name)}")
        self.name = name
        self.kind = kind
        self.description = description
        self.demand = demand
        self.demand_period = demand_period
        self.thresholds = thresholds or Thresholds()
        self.measured = measured  # where a mined map's figures come from (vsm.model.measured)
        # What stakeholders ask (vsm.model.stakeholders): the target lead time (minutes), the
        # measured experience score, the currency and hourly rate of each team, and the value
        # stream's ITIL 4 description (trigger, outcome, value, stakeholders).
        self.target_lead_time = target_lead_time
        self.experience = experience
        self.currency = currency
        self.team_rates: dict[str, float] = dict(team_rates or {})
        self.itil = itil if itil is not None else ValueStreamDescription()
        self._steps: dict[str, Step] = {}
        self._flows: dict[str, Flow] = {}
        self._flows_from: dict[str, dict[str, Flow]] = {}  # source step id -> its flows by id
        self._kaizens: dict[str, Kaizen] = {}
        self._batch_depth = 0  # vsm.model.bulk.BulkEdits.batch
        for name_ in ("name", "description", "kind", "demand", "demand_period", "thresholds",
                      "measured", "target_lead_time", "experience", "currency", "team_rates",
                      "itil"):
            setattr(self, name_, self.clean_setting(name_, getattr(self, name_)))

    # ------------------------------------------------------------ reading

    @property
    def steps(self) -> list[Step]:
        """The steps in their stored order."""
        return list(self._steps.values())

    @property
    def flows(self) -> list[Flow]:
        """The flows in their stored order."""
        return list(self._flows.values())

    @property
    def step_ids(self) -> KeysView[str]:
        """The steps' ids in their stored order: a live, read-only view (a look-up in it is
        one in C, where has_step is a call: Select all on 20,000 steps asks for each)."""
        return self._steps.keys()

    @property
    def flow_ids(self) -> KeysView[str]:
        """The flows' ids in their stored order: a live, read-only view."""
        return self._flows.keys()

    def step(self, step_id: str) -> Step:
        """The step with this id; ModelError if there is none."""
        try:
            return self._steps[step_id]
        except KeyError:
            raise ModelError(f"map {self.name!r} has no step with id {step_id!r}") from None

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id; ModelError if there is none."""
        try:
            return self._flows[flow_id]
        except KeyError:
            raise ModelError(f"map {self.name!r} has no flow with id {flow_id!r}") from None

    def has_flow(self, flow_id: str) -> bool:
        return flow_id in self._flows

    def flows_of(self, step_id: str) -> list[Flow]:
        """Every flow into or out of the step, in stored order."""
        return [f for f in self._flows.values() if step_id in (f.source, f.target)]

    def step_index(self, step_id: str) -> int:
        return list(self._steps).index(step_id)

    def flow_index(self, flow_id: str) -> int:
        return list(self._flows).index(flow_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValueStreamMap):
            return NotImplemented
        return self.snapshot() == other.snapshot()

    __hash__ = None  # type: ignore[assignment]

    def snapshot(self) -> tuple:
        """Everything that defines the map, as plain comparable values (order included)."""
        return (
            self.id, self.name, self.kind, self.description, self.demand, self.demand_period,
            self.thresholds, tuple(self._steps.values()), tuple(self._flows.values()),
            tuple(self._kaizens.values()), self.measured, self.target_lead_time, self.experience,
            self.currency, tuple(self.team_rates.items()), self.itil,
        )

    def __repr__(self) -> str:
        return f"ValueStreamMap({self.name!r}, {len(self._steps)} steps, {len(self._flows)} flows)"

    # ------------------------------------------------------------ changing steps

    def add_step(self, step: Step, index: int | None = None) -> Step:
        """Insert a step (at `index`, default at the end); its fields are validated first."""
        step_id = step.id
        if not (type(step_id) is str and step_id.strip() and len(step_id) <= MAX_ID_LENGTH
                and not ID_SUSPECT.search(step_id)):
            check_id(step_id, f"step {shown(step.name)}")
        if step_id in self._steps:
            raise ModelError(f"map {self.name!r} already has a step with id {step_id!r}")
        step.__dict__.update(clean_step_fields(step.__dict__))
        self._steps = inserted(self._steps, step_id, step, index)
        if self._listeners:  # nobody listens while a file is loaded: no event object at all
            appended = index is None or index >= len(self._steps) - 1  # no O(n) index lookup
            self._emit(StepAdded(step, len(self._steps) - 1 if appended else self.step_index(step_id)))
        return step

    def remove_step(self, step_id: str) -> tuple[Step, int, list[tuple[Flow, int]],
                                                 list[tuple[Kaizen, int]]]:
        """Remove a step, every flow touching it and every kaizen attached to it.

        Returns the step, its index, the removed flows and the removed kaizens with their indices
        (ascending), which is all an undo needs: add_step(step, index), then add_flow(flow, i) for
        each flow and add_kaizen(kaizen, i) for each kaizen.
        """
        step = self.step(step_id)
        removed_kaizens = self._remove_kaizens_of(step_id)
        removed_flows = [(f, self.flow_index(f.id)) for f in self.flows_of(step_id)]
        for flow, _ in reversed(removed_flows):
            self.remove_flow(flow.id)
        index = self.step_index(step_id)
        del self._steps[step_id]
        self._emit(StepRemoved(step, index))
        return step, index, removed_flows, removed_kaizens

    def set_step_field(self, step_id: str, name: str, value: Any) -> Any:
        """Set one field of a step after validating it; return the old value."""
        step = self.step(step_id)
        value = self.clean_step_field(step_id, name, value)
        old = getattr(step, name)
        if old == value:
            return old
        setattr(step, name, value)
        self._emit(StepChanged(step, name))
        return old

    def clean_step_field(self, step_id: str, name: str, value: Any) -> Any:
        """The value set_step_field would store (normalised: "1h 30m" -> 90.0), checked with
        the step's other fields (a time range around its times); ModelError if it would refuse
        it. The map is not changed."""
        step = self.step(step_id)
        if name not in STEP_FIELDS:
            raise ModelError(f"steps have no field {name!r}")
        value = clean_step_value(step.name, name, value)
        if name in RANGED and getattr(step, name) != value:  # only times can leave their range
            check_ranges(step.name, {**{n: getattr(step, n) for n in STEP_FIELDS}, name: value})
        return value

    def check_new(self, steps: list[Step], flows: Sequence[Flow] = ()) -> None:
        """Raise ModelError if adding these steps, then these flows, would be refused (what a
        paste or a new connected step adds in one go). The map and the records are not changed."""
        new: dict[str, Step] = {}
        for step in steps:
            check_id(step.id, f"step {shown(step.name)}")
            if step.id in self._steps or step.id in new:
                raise ModelError(f"map {self.name!r} already has a step with id {step.id!r}")
            clean_step_fields(dict(step.__dict__))
            new[step.id] = step
        added: list[Flow] = []
        for flow in flows:
            check_id(flow.id, f"a flow of map {self.name!r}")
            if flow.id in self._flows or any(f.id == flow.id for f in added):
                raise ModelError(f"map {self.name!r} already has a flow with id {flow.id!r}")
            self._check_flow(flow, steps=new, others=added)
            added.append(flow)

    # ------------------------------------------------------------ changing flows

    def add_flow(self, flow: Flow, index: int | None = None) -> Flow:
        """Insert a flow between two steps of this map after validating it."""
        flow_id = flow.id
        if not (type(flow_id) is str and flow_id.strip() and len(flow_id) <= MAX_ID_LENGTH
                and not ID_SUSPECT.search(flow_id)):
            check_id(flow_id, f"a flow of map {self.name!r}")
        if flow_id in self._flows:
            raise ModelError(f"map {self.name!r} already has a flow with id {flow_id!r}")
        self._check_flow(flow)
        self._flows = inserted(self._flows, flow_id, flow, index)
        self._flows_from.setdefault(flow.source, {})[flow_id] = flow
        if self._listeners:
            appended = index is None or index >= len(self._flows) - 1
            self._emit(FlowAdded(flow, len(self._flows) - 1 if appended else self.flow_index(flow_id)))
        return flow

    def remove_flow(self, flow_id: str) -> tuple[Flow, int]:
        """Remove a flow; return it and its index."""
        flow = self.flow(flow_id)
        index = self.flow_index(flow_id)
        del self._flows[flow_id]
        del self._flows_from[flow.source][flow_id]
        self._emit(FlowRemoved(flow, index))
        return flow, index

    def set_flow_field(self, flow_id: str, name: str, value: Any) -> Any:
        """Set one field of a flow (kind, share, probability); return the old value.

        Switching the kind drops the figure that no longer applies (a rework flow has no share).
        """
        old = getattr(self.flow(flow_id), name, None)
        candidate = self.preview_flow_field(flow_id, name, value)
        self.set_flow_state(flow_id, candidate.kind, candidate.share, candidate.probability)
        return old

    def preview_flow_field(self, flow_id: str, name: str, value: Any) -> Flow:
        """The flow as it would be after set_flow_field, validated; the map is not changed."""
        flow = self.flow(flow_id)
        if name not in FLOW_EDITABLE:
            raise ModelError(f"flows have no editable field {name!r}")
        candidate = replace(flow, **{name: value})
        if name == "kind":  # drop the figure that no longer applies; new rework starts at 10 %
            rework = value == "rework"
            candidate = replace(candidate, share=None if rework else flow.share,
                                probability=(flow.probability or DEFAULT_REWORK_PERCENT) if rework
                                else None)
        self._check_flow(candidate, ignore=flow.id)
        return candidate

    def set_flow_state(self, flow_id: str, kind: str, share: float | None,
                       probability: float | None) -> None:
        """Set kind, share and probability together, validated as a whole (what undo needs)."""
        flow = self.flow(flow_id)
        candidate = replace(flow, kind=kind, share=share, probability=probability)
        self._check_flow(candidate, ignore=flow.id)
        changed = [n for n in FLOW_EDITABLE if getattr(flow, n) != getattr(candidate, n)]
        for name in changed:
            setattr(flow, name, getattr(candidate, name))
        for name in changed:
            self._emit(FlowChanged(flow, name))

    def set_flow_cases(self, flow_id: str, cases: int | None) -> int | None:
        """Set the measured cases of a flow (vsm mine --update); return the old value."""
        return self._set_flow_measure(flow_id, "cases", cases, clean_count)

    def set_flow_mined(self, flow_id: str, mined: Any) -> Any:
        """Set a flow's mined snapshot (vsm mine --update); return the old value."""
        return self._set_flow_measure(flow_id, "mined", mined, clean_flow_mined)

    def _set_flow_measure(self, flow_id: str, name: str, value: Any,
                          clean: Callable[[Any, str], Any]) -> Any:
        """Set a flow's measured `name` ("cases" or "mined") to `value` as `clean` checks it;
        FlowChanged when it changes; return the old value."""
        flow = self.flow(flow_id)
        value = clean(value, f"flow {flow.source!r} -> {flow.target!r}: {name}")
        old = getattr(flow, name)
        if old != value:
            setattr(flow, name, value)
            self._emit(FlowChanged(flow, name))
        return old

    def _check_flow(self, flow: Flow, ignore: str | None = None,
                    steps: dict[str, Step] | None = None, others: Sequence[Flow] = ()) -> None:
        """Refuse a flow whose steps are missing, whose figures do not fit its kind, or which
        repeats a flow of the same kind between the same steps. `steps` and `others`: steps and
        flows about to be added with it (check_new, which must leave the flow as it is)."""
        source = self._steps.get(flow.source) or (steps or {}).get(flow.source)
        target = self._steps.get(flow.target) or (steps or {}).get(flow.target)
        if source is None or target is None:
            missing = flow.source if source is None else flow.target
            raise ModelError(f"map {self.name!r}: a flow refers to step {missing!r}, which is not in the map")
        kind, share, probability = flow.kind, flow.share, flow.probability
        if not (kind == "normal" and flow.source != flow.target and probability is None and (
                share is None or (type(share) is float and 0.0 < share <= 100.0))
                or kind == "rework" and share is None and type(probability) is float
                and 0.0 < probability <= 100.0):  # the fast path: already clean and valid
            clean_flow_figures(replace(flow) if steps is not None else flow,
                               f"flow {source.name!r} -> {target.name!r}")
        if flow.cases is not None and type(flow.cases) is not int:
            cases = clean_count(flow.cases, f"flow {source.name!r} -> {target.name!r}: cases")
            if steps is None:
                flow.cases = cases
        elif flow.cases is not None:
            clean_count(flow.cases, f"flow {source.name!r} -> {target.name!r}: cases")
        if flow.mined is not None:
            mined = clean_flow_mined(flow.mined, f"flow {source.name!r} -> {target.name!r}: mined")
            if steps is None:
                flow.mined = mined
        same_source = [*self._flows_from.get(flow.source, {}).values(),
                       *(f for f in others if f.source == flow.source)]
        for other in same_source:
            if other.id != ignore and other.target == flow.target and other.kind == flow.kind:
                raise ModelError(f"flow {source.name!r} -> {target.name!r}: there is already such a flow")

    # ------------------------------------------------------------ map settings

    def set_field(self, name: str, value: Any) -> Any:
        """Set a map setting (one of MAP_FIELDS: name, kind, description, demand, demand_period,
        thresholds, measured, target_lead_time, experience, currency, team_rates, itil); return
        the old value. team_rates is replaced as a whole (a new dict each time)."""
        if name not in MAP_FIELDS:
            raise ModelError(f"maps have no setting {name!r}")
        value = self.clean_setting(name, value)
        old = getattr(self, name)
        if old == value:
            return old
        setattr(self, name, value)
        self._emit(MapChanged(name))
        return old

    def clean_setting(self, name: str, value: Any) -> Any:
        """Validate one map setting; return the normalised value or raise ModelError."""
        if name not in MAP_FIELDS:
            raise ModelError(f"maps have no setting {name!r}")
        what = f"map {shown(self.name)}: {name.replace('_', ' ')}"
        if name == "kind" and value not in MAP_KINDS:
            raise ModelError(f"{what} must be 'current' or 'future', not {shown(value)}")
        if name == "demand" and value is not None:
            value = finite(value, what)
            if value <= 0:
                raise ModelError(f"{what} must be more than 0")
        if name == "demand_period":
            one_of(value, DEMAND_PERIODS, what)
        if name == "thresholds":
            if not isinstance(value, Thresholds):
                raise ModelError(f"{what} must be Thresholds")
            value = Thresholds(**{
                item.name: clean_percent(getattr(value, item.name), f"{what}: {item.name}",
                                         upper_inclusive=True)
                for item in fields(Thresholds)})
        if name == "measured":
            value = clean_measured(value, what)
        if name == "name":
            value = clean_text(value, what)
        if name == "description":
            value = clean_text(value, what, multiline=True, limit=MAX_TEXT_LENGTH)
        if name in STAKEHOLDER_SETTINGS:
            value = clean_stakeholder_setting(name, value, f"map {shown(self.name)}")
        return value
