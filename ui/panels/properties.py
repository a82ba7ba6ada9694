"""The property pane: a form for the selected step, flow or kaizen, or the map's settings.

Every field commits on its own (Return or leaving a line, choosing in a list, leaving the notes)
through one verb of the document (set_step_field, set_flow_field, set_map_field,
set_kaizen_field), i.e. one undo step. A value the model refuses is shown in red with a warning
icon under the field, the typed text stays and nothing changes. The form follows the model: undo, the table and the canvas update it, except
the field the user is typing in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.panels.common import (
    DURATION_FIELDS,
    ComboField,
    DurationField,
    Field,
    LineField,
    MapPanel,
    TextField,
    form_in,
    heading,
    percent_text,
    step_text,
)
from ui.panels.kaizen_form import KaizenPage
from ui.panels.measured_cells import measured_label
from ui.panels.stakeholder_fields import add_map_rows, add_step_rows
from vsm.analysis import FLAG_LABELS
from vsm.analysis.flags import PCA_MEANING
from vsm.model import (
    ACTIVITIES,
    DEMAND_PERIODS,
    FLOW_KINDS,
    MAP_KINDS,
    PERFORMERS,
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    MapChanged,
    Step,
    StepAdded,
    StepChanged,
    StepRemoved,
    clean_percent,
)
from vsm.model.durations import format_duration
from vsm.model.events import KaizenAdded, KaizenRemoved, step_changes
from vsm.model.measured import counts_words

if TYPE_CHECKING:
    from ui.document.document import Document

THRESHOLD_LABELS = {
    "long_wait_percent": "Long wait from (% of lead time)",
    "low_pca_percent": "Low %C&A below (%)",
    "rework_percent": "Rework from (%)",
    "over_capacity_percent": "Over capacity from (% utilised)",
}


# The kinds of events batch_ended follows once per batch (or that change nothing the pane shows).
_FOLLOWED_ONCE = frozenset({StepAdded, StepRemoved, FlowAdded, FlowRemoved, KaizenAdded,
                            KaizenRemoved})
_NAMED = frozenset({"team", "name"})  # another step's fields the pane follows (lists of them)


class PropertiesPanel(MapPanel):
    """Edit the one selected step, flow or kaizen, or the map's settings when there is no such
    selection.

    Use: `PropertiesPanel(document)`, then `set_map(map_)` and
    `set_selection(step_ids, flow_ids, kaizen_ids)`.
    """

    def build(self) -> None:
        self.step_ids: list[str] = []
        self.flow_ids: list[str] = []
        self.kaizen_ids: list[str] = []
        self.step_fields: dict[str, Field] = {}
        self.flow_fields: dict[str, Field] = {}
        self.map_fields: dict[str, Field] = {}
        self.stack = QStackedWidget()
        self.step_page = self._build_step_page()
        self.flow_page = self._build_flow_page()
        self.map_page = self._build_map_page()
        self.kaizen_page = KaizenPage(lambda: self.map,
                                      lambda: self.kaizen_ids[0] if self.kaizen_ids else None,
                                      self._set_kaizen_field)
        self.kaizen_fields = self.kaizen_page.fields
        for page in (self.map_page, self.step_page, self.flow_page, self.kaizen_page):
            self.stack.addWidget(page)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setEnabled(False)

    # ------------------------------------------------------------ building

    def _line(self, fields: dict[str, Field], key: str, read: Callable[[], Any],
              apply: Callable[[Any], object], placeholder: str = "", tip: str = "") -> LineField:
        editor = QLineEdit()
        editor.setPlaceholderText(placeholder)
        editor.setToolTip(tip)
        editor.setObjectName(key)
        kind = DurationField if key in DURATION_FIELDS else LineField
        field = kind(editor, read, apply)
        fields[key] = field
        return field

    def _combo(self, fields: dict[str, Field], key: str, choices: dict[str, str],
               read: Callable[[], Any], apply: Callable[[Any], object]) -> ComboField:
        editor = QComboBox()
        editor.setObjectName(key)
        field = ComboField(editor, choices, read, apply)
        fields[key] = field
        return field

    def _text(self, fields: dict[str, Field], key: str, read: Callable[[], Any],
              apply: Callable[[Any], object], tip: str) -> TextField:
        editor = QPlainTextEdit()
        editor.setObjectName(key)
        editor.setTabChangesFocus(True)
        editor.setToolTip(tip)
        editor.setMinimumHeight(60)
        editor.setMaximumHeight(120)
        field = TextField(editor, read, apply)
        fields[key] = field
        return field

    def _build_step_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        self.step_title = heading()
        outer.addWidget(self.step_title)
        form = form_in(outer)
        f = self.step_fields

        def line(key: str, label: str, placeholder: str = "", tip: str = "") -> None:
            field = self._line(f, key, self._step_reader(key), self._step_setter(key),
                               placeholder, tip)
            form.addRow(label, field.container)

        def combo(key: str, label: str, choices: dict[str, str]) -> None:
            field = self._combo(f, key, choices, self._step_reader(key), self._step_setter(key))
            form.addRow(label, field.container)

        line("name", "&Name")
        combo("activity", "&Activity", ACTIVITIES)
        line("team", "&Team", "e.g. Service desk", "Who does the step; handoffs are counted "
             "between teams")
        self.team_model = QStringListModel(self)
        completer = QCompleter(self.team_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        f["team"].editor.setCompleter(completer)
        combo("performer", "P&erformer", PERFORMERS)
        duration_tip = "Minutes, or e.g. 45m, 1h 30m, 1.5h, 2d 4h, 1w"
        line("process_time", "&Process time", "e.g. 1h 30m", "Hands-on time. " + duration_tip)
        line("wait_time", "&Wait time", "e.g. 2h", "Time queued before the step starts. "
             + duration_tip)
        line("pca", "%&C&&A", "1–100", f"Percent complete and accurate: {PCA_MEANING} "
             "(1–100)")
        line("people", "Peop&le", "e.g. 2", "People involved in the step")
        add_step_rows(form, f, self._step_reader, self._step_setter)
        notes = self._text(f, "notes", self._step_reader("notes"), self._step_setter("notes"),
                           "Sources, assumptions; saved when you leave the field")
        form.addRow("N&otes", notes.container)
        self.step_measured = measured_label()
        form.addRow("Measured", self.step_measured)
        self._step_form = form
        self.step_info = QLabel()
        self.step_info.setWordWrap(True)
        self.step_info.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.step_info)
        outer.addStretch(1)
        return page

    def _build_flow_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        self.flow_title = heading()
        outer.addWidget(self.flow_title)
        form = form_in(outer)
        f = self.flow_fields
        kind = self._combo(f, "kind", FLOW_KINDS, lambda: self._flow().kind,
                           self._flow_setter("kind"))
        form.addRow("&Kind", kind.container)
        share = self._line(f, "share", lambda: percent_text(self._flow().share),
                           self._flow_setter("share", empty_is_none=True), "none",
                           "Alternative routes: the percent of work taking this flow. Leave "
                           "empty when all outgoing flows happen together.")
        form.addRow("&Share (%)", share.container)
        probability = self._line(f, "probability", lambda: percent_text(self._flow().probability),
                                 self._flow_setter("probability", empty_is_none=True), "e.g. 20",
                                 "Percent of the work sent back to the earlier step")
        form.addRow("&Probability (%)", probability.container)
        self.flow_measured = measured_label()
        form.addRow("Measured", self.flow_measured)
        self._flow_form = form
        self.flow_hint = QLabel()
        self.flow_hint.setWordWrap(True)
        outer.addWidget(self.flow_hint)
        outer.addStretch(1)
        return page

    def _build_map_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        self.hint = QLabel("Select a step to edit it")
        self.hint.setWordWrap(True)
        font = self.hint.font()
        font.setItalic(True)
        self.hint.setFont(font)
        outer.addWidget(self.hint)
        outer.addWidget(heading("Value stream"))
        f = self.map_fields
        title = self._line(f, "project_name",
                           lambda: self.document.project.name if self.document else "",
                           lambda value: self.document.rename_project(value),
                           tip="The value stream's name: the deck's title, page titles and the "
                               "default file names")
        form_in(outer).addRow("&Title", title.container)
        outer.addWidget(heading("Map settings"))
        form = form_in(outer)
        name = self._line(f, "name", lambda: self.map.name, self._map_setter("name"))
        form.addRow("&Name", name.container)
        kind = self._combo(f, "kind", MAP_KINDS, lambda: self.map.kind, self._map_setter("kind"))
        form.addRow("&Kind", kind.container)
        description = self._text(f, "description", lambda: self.map.description,
                                  self._map_setter("description"), "What the map covers")
        form.addRow("&Description", description.container)
        demand = self._line(f, "demand", lambda: percent_text(self.map.demand),
                            self._map_setter("demand"), "none", "Items arriving per period")
        period = self._combo(f, "demand_period", {p: f"per {p}" for p in DEMAND_PERIODS},
                             lambda: self.map.demand_period, self._map_setter("demand_period"))
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(demand.container, 1)
        row_layout.addWidget(period.container, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("D&emand", row)
        for key, label in THRESHOLD_LABELS.items():
            field = self._line(f, key, lambda key=key: percent_text(getattr(self.map.thresholds, key)),
                               self._threshold_setter(key), tip="When the analysis flags a step")
            form.addRow(label, field.container)
        outer.addWidget(heading("Targets, experience and cost"))
        add_map_rows(form_in(outer), f, lambda: self.map, self._map_setter,
                     lambda: self.team_model.stringList())
        outer.addStretch(1)
        return page

    # ------------------------------------------------------------ readers and apply functions

    def _set_kaizen_field(self, kaizen_id: str, field: str, value: Any) -> None:
        self.document.set_kaizen_field(self.map.id, kaizen_id, field, value)

    def _step(self) -> Step:
        return self.map.step(self.step_ids[0])

    def _flow(self) -> Any:
        return self.map.flow(self.flow_ids[0])

    def _step_reader(self, name: str) -> Callable[[], Any]:
        return lambda: step_text(name, getattr(self._step(), name))

    def _step_setter(self, name: str) -> Callable[[Any], object]:
        return lambda value: self.document.set_step_field(self.map.id, self.step_ids[0], name,
                                                          value)

    def _flow_setter(self, name: str, empty_is_none: bool = False) -> Callable[[Any], object]:
        def apply(value: Any) -> object:
            if empty_is_none and not str(value).strip():
                value = None
            return self.document.set_flow_field(self.map.id, self.flow_ids[0], name, value)
        return apply

    def _map_setter(self, name: str) -> Callable[[Any], object]:
        def apply(value: Any) -> object:
            if name == "demand" and not str(value).strip():
                value = None
            return self.document.set_map_field(self.map.id, name, value)
        return apply

    def _threshold_setter(self, key: str) -> Callable[[Any], object]:
        def apply(value: Any) -> object:
            what = f"map {self.map.name!r}: {THRESHOLD_LABELS[key].lower()}"
            percent = clean_percent(value, what, upper_inclusive=True)
            thresholds = replace(self.map.thresholds, **{key: percent})
            return self.document.set_map_field(self.map.id, "thresholds", thresholds)
        return apply

    # ------------------------------------------------------------ selection and refresh

    def set_selection(self, step_ids: list[str], flow_ids: list[str],
                      kaizen_ids: list[str] = ()) -> None:
        """Show the form for what is selected on the canvas (or in the table)."""
        if (list(step_ids), list(flow_ids), list(kaizen_ids)) == (
                self.step_ids, self.flow_ids, self.kaizen_ids):
            return  # the same selection again: leave what is being typed alone
        self._commit_pending()
        self.step_ids = list(step_ids)
        self.flow_ids = list(flow_ids)
        self.kaizen_ids = list(kaizen_ids)
        self._show_page()

    def current_page(self) -> str:
        """Which form is shown: "step", "flow", "kaizen" or "map"."""
        return {id(self.step_page): "step", id(self.flow_page): "flow",
                id(self.kaizen_page): "kaizen"}.get(id(self.stack.currentWidget()), "map")

    def map_shown(self) -> None:
        self.step_ids, self.flow_ids, self.kaizen_ids = [], [], []
        self.setEnabled(self.map is not None)
        self._update_teams()
        self._show_page()

    def _commit_pending(self) -> None:
        for field in self._fields_of_page():
            if field.being_edited():
                field.commit()

    def _fields_of_page(self) -> list[Field]:
        page = self.current_page()
        fields = {"step": self.step_fields, "flow": self.flow_fields,
                  "kaizen": self.kaizen_fields}.get(page, self.map_fields)
        return list(fields.values())

    def _show_page(self) -> None:
        if self.map is None:
            self.step_ids, self.flow_ids, self.kaizen_ids = [], [], []
        else:
            self.step_ids = list(filter(self.map.has_step, self.step_ids))
            self.flow_ids = list(filter(self.map.has_flow, self.flow_ids))
            self.kaizen_ids = list(filter(self.map.has_kaizen, self.kaizen_ids))
        if len(self.step_ids) == 1 and not self.kaizen_ids:
            self.stack.setCurrentWidget(self.step_page)
        elif not self.step_ids and not self.kaizen_ids and len(self.flow_ids) == 1:
            self.stack.setCurrentWidget(self.flow_page)
        elif not self.step_ids and not self.flow_ids and len(self.kaizen_ids) == 1:
            self.stack.setCurrentWidget(self.kaizen_page)
            self.kaizen_page.refill_steps()
        else:
            count = len(self.step_ids) + len(self.flow_ids) + len(self.kaizen_ids)
            self.hint.setText("Select a step to edit it" if count == 0 else
                              f"{count} items selected. Select a single step to edit it.")
            self.stack.setCurrentWidget(self.map_page)
        if self.map is not None:
            for field in self._fields_of_page():
                field.refresh(force=True)
            self._update_titles()

    def set_document(self, document: Document | None) -> None:
        """Follow another document; the value stream's title follows its renames (and undo)."""
        if self.document is not None:
            self.document.project_renamed.disconnect(self._on_project_renamed)
        super().set_document(document)
        if document is not None:
            document.project_renamed.connect(self._on_project_renamed)

    def _on_project_renamed(self) -> None:
        self.map_fields["project_name"].refresh(force=True)

    def _update_titles(self) -> None:
        page = self.current_page()
        if page == "kaizen":
            self.kaizen_page.update_title()
        elif page == "step":
            step = self._step()
            self.step_title.setText(f"Step: {step.name}")
            self._step_form.setRowVisible(self.step_measured, step.cases is not None)
            if step.cases is not None:
                self.step_measured.setText(counts_words(step.cases, step.visits))
            self._update_step_info()
        elif page == "flow":
            flow = self._flow()
            self.flow_title.setText(f"{FLOW_KINDS[flow.kind]}: {self.map.step(flow.source).name} "
                                    f"→ {self.map.step(flow.target).name}")
            self._flow_form.setRowVisible(self.flow_measured, flow.cases is not None)
            if flow.cases is not None:
                self.flow_measured.setText(counts_words(flow.cases, what="took this route"))
            rework = flow.kind == "rework"
            self.flow_fields["share"].editor.setEnabled(not rework)
            self.flow_fields["probability"].editor.setEnabled(rework)
            self.flow_hint.setText(
                "Rework: work sent back to an earlier step with this probability." if rework else
                "Give every outgoing flow of a step a share (adding up to 100%) when they are "
                "alternative routes; leave all empty when they all happen.")

    def _update_step_info(self) -> None:
        step = self._step()
        lines = [f"Lead time of the step: {format_duration(step.lead_time)} "
                 f"(wait {format_duration(step.wait_time)} + process "
                 f"{format_duration(step.process_time)})"]
        analysis = self.analysis()
        if analysis is not None and analysis.ok:
            saving = analysis.savings.get(step.id, 0.0)
            flags = [FLAG_LABELS[f] for f in analysis.flags.get(step.id, [])]
            if saving > 0:
                lines.append(f"Removing its wait saves {format_duration(saving)} of lead time.")
            lines.append("Flags: " + (", ".join(flags) if flags else "none"))
        self.step_info.setText("\n".join(lines))

    def _update_teams(self) -> None:
        teams = sorted({s.team for s in self.map.steps if s.team} if self.map else set(),
                       key=str.casefold)
        if teams != self.team_model.stringList():
            self.team_model.setStringList(teams)
            if self.map is not None and self.current_page() == "map":
                self.map_fields["team_rates"].refresh()

    # ------------------------------------------------------------ model events

    def map_event(self, event: object) -> None:
        page = self.current_page()
        if isinstance(event, KaizenRemoved):
            if event.kaizen.id in self.kaizen_ids:
                self.kaizen_ids.remove(event.kaizen.id)
                self._show_page()
            return
        if page == "kaizen":
            self.kaizen_page.map_event(event)
        if isinstance(event, (StepAdded, StepRemoved)) or (
                isinstance(event, StepChanged) and event.field == "team"):
            self._update_teams()
        if isinstance(event, (StepRemoved, FlowRemoved)):
            removed = event.step.id if isinstance(event, StepRemoved) else event.flow.id
            if removed in self.step_ids or removed in self.flow_ids:
                self.step_ids = [s for s in self.step_ids if s != removed]
                self.flow_ids = [f for f in self.flow_ids if f != removed]
                self._show_page()
        elif isinstance(event, StepChanged) and page == "step" and event.step.id == self.step_ids[0]:
            if event.field in self.step_fields:
                self.step_fields[event.field].refresh()
            self._update_titles()
        elif isinstance(event, StepChanged) and page == "flow" and event.field == "name":
            self._update_titles()
        elif isinstance(event, FlowChanged) and page == "flow" and event.flow.id == self.flow_ids[0]:
            for field in self.flow_fields.values():
                field.refresh()
            self._update_titles()
        elif isinstance(event, MapChanged) and page == "map":
            keys = THRESHOLD_LABELS if event.field == "thresholds" else (
                (event.field, "team_rates") if event.field == "currency" else (event.field,))
            for key in keys:
                if key in self.map_fields:
                    self.map_fields[key].refresh()

    def batch_ended(self, events: list[object]) -> None:
        """Many items came or went at once: the teams, the kaizen form's steps and the selection
        shown follow once, not once per item (each a pass over the map); of thousands of other
        events (an undo's flows put back, an auto-layout's moves) only those about what the
        pane shows reach map_event."""
        shown = self.step_ids[0] if self.step_ids else None
        kinds = set(map(type, events))  # a look at each kind, not at each event
        teams = steps_came_or_went = StepAdded in kinds or StepRemoved in kinds
        if not kinds <= _FOLLOWED_ONCE:  # a delete, its undo, a paste: nothing per event
            for event in (step_changes(events, _NAMED, shown)  # moves only: 40,000, in C
                          if kinds - _FOLLOWED_ONCE == {StepChanged} else [
                              e for e in events if type(e) not in _FOLLOWED_ONCE and (
                                  type(e) is not StepChanged or e.field in _NAMED
                                  or e.step.id == shown)]):  # type: ignore[attr-defined]
                if type(event) is StepChanged and event.step.id != shown:  # type: ignore[attr-defined]
                    if event.field == "team":  # type: ignore[attr-defined]
                        teams = True  # once for the batch (each a pass over the map)
                    else:  # a name (another step's position, times...: nothing shown here)
                        self.map_event(event)
                else:
                    self.map_event(event)
        if teams:
            self._update_teams()
        if steps_came_or_went and self.current_page() == "kaizen":
            self.kaizen_page.refill_steps()
            self.kaizen_page.update_title()
        if not kinds.isdisjoint((StepRemoved, FlowRemoved, KaizenRemoved)):
            self._show_page()

    def analysis_updated(self) -> None:
        if self.current_page() == "step":
            self._update_step_info()
