"""Form fields for what stakeholders ask (issue 18), used by the property pane.

- `OptionalDurationField`: a time that may be empty (a step's or the map's target): blank means
  none; shown as a duration ("3d", "4h 30m").
- `OptionalNumberField`: a number that may be empty (a step's hourly rate).
- `PracticesField`: ITIL 4's 34 practices in their three groups, a checklist with a search line;
  each tick commits the step's practices (one command).
- `TeamRatesField`: a small table of the map's teams (every team named on a step, and every team
  with a rate) and their hourly rate; committing a cell sets the map's team rates as a whole.
- `ExperienceField`: the measured experience score: none, CSAT % or a 1–5 survey average, with
  the number of responses.

Like every form field (ui.panels.common.Field) each commits through one document verb; a value
the model refuses is shown under the field ("Not accepted: ...") and nothing changes.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.panels.common import Apply, Field, LineField, TextField, duration_text
from vsm.errors import ModelError
from vsm.model import PRACTICE_GROUPS, PRACTICES, Experience
from vsm.model.practices import PRACTICE_GROUP_LABELS
from vsm.model.records import EXPERIENCE_SCALES

CODE_ROLE = Qt.ItemDataRole.UserRole
NO_SCORE = "none"
SCALE_CHOICES = {NO_SCORE: "Not measured", "csat": "CSAT (% satisfied)",
                 "survey": "Survey average (1–5)"}


def number_text(value: float | None) -> str:
    """A number as people type it ('62.5', '80'); '' for None."""
    return "" if value is None else f"{value:g}"


class OptionalDurationField(LineField):
    """A time that may be empty: blank is None, else shown as duration_text() ('3d 4h'). The
    text as shown commits nothing, so a rounded display never rounds the model's value."""

    def __init__(self, editor: QLineEdit, read: Callable[[], float | None], apply: Apply) -> None:
        super().__init__(editor, read, apply)
        self._shown = ""

    def show_value(self, value: Any) -> None:
        self._shown = "" if value is None else duration_text(float(value))
        super().show_value(self._shown)

    def commit(self) -> bool:
        if self.value().strip() == self._shown:
            self.error.clear()
            self.show_value(self._read())
            return True
        return super().commit()


class OptionalNumberField(LineField):
    """A number that may be empty (blank: None), e.g. an hourly rate."""

    def show_value(self, value: Any) -> None:
        super().show_value(value if isinstance(value, str) else number_text(value))


class PracticesField(Field):
    """The ITIL 4 practices of a step: a searchable checklist grouped as ITIL 4 groups them.
    Ticking or unticking one commits the step's practices (new ones after those already there, in
    the order ticked)."""

    def __init__(self, read: Callable[[], tuple[str, ...]], apply: Apply) -> None:
        holder = QWidget()
        holder.setObjectName("practices")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("practices_summary")
        self.search = QLineEdit()
        self.search.setObjectName("practices_search")
        self.search.setPlaceholderText("Find a practice…")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("practices_list")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setMinimumHeight(150)
        self.tree.setMaximumHeight(260)
        self.tree.setToolTip("ITIL 4's 34 management practices involved in this step; tick "
                             "every one that applies")
        self.items: dict[str, QTreeWidgetItem] = {}
        for group, codes in PRACTICE_GROUPS.items():
            parent = QTreeWidgetItem(self.tree, [PRACTICE_GROUP_LABELS[group]])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for code, label in codes.items():
                item = QTreeWidgetItem(parent, [label])
                item.setData(0, CODE_ROLE, code)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                self.items[code] = item
        self.tree.expandAll()
        layout.addWidget(self.summary)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        super().__init__(holder, read, apply)
        self.container.setFocusProxy(self.search)
        self._codes: tuple[str, ...] = ()
        self._showing = False
        self.tree.itemChanged.connect(self._on_item_changed)
        self.search.textChanged.connect(self.filter)

    def value(self) -> tuple[str, ...]:
        ticked = {code for code, item in self.items.items()
                  if item.checkState(0) == Qt.CheckState.Checked}
        kept = [code for code in self._codes if code in ticked]
        return tuple(kept + [code for code in PRACTICES if code in ticked and code not in kept])

    def show_value(self, value: Any) -> None:
        self._codes = tuple(value)
        self._showing = True
        try:
            for code, item in self.items.items():
                item.setCheckState(0, Qt.CheckState.Checked if code in self._codes
                                   else Qt.CheckState.Unchecked)
        finally:
            self._showing = False
        self.summary.setText(
            "None chosen" if not self._codes else
            f"{len(self._codes)} chosen: " + ", ".join(PRACTICES[c] for c in self._codes))

    def tick(self, code: str, on: bool = True) -> None:
        """Tick (or untick) one practice, as a click would: commits."""
        self.items[code].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def filter(self, text: str) -> None:
        """Show only the practices whose label contains `text` (case ignored), and their groups."""
        needle = text.strip().casefold()
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            shown = 0
            for row in range(group.childCount()):
                child = group.child(row)
                hide = bool(needle) and needle not in child.text(0).casefold()
                child.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if not self._showing and item.data(0, CODE_ROLE):
            self.commit()


class TeamRatesField(Field):
    """The hourly rate of each team of the map: a two-column table (team, rate). The teams are
    those named on the map's steps and those with a rate; a blank rate removes the team's rate.
    Editing a rate commits all of them (one command)."""

    def __init__(self, read: Callable[[], dict[str, float]], teams: Callable[[], list[str]],
                 currency: Callable[[], str], apply: Apply) -> None:
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("team_rates")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setMinimumHeight(90)
        self.table.setToolTip("What an hour of each team's work costs; the steps of a team "
                              "cost visits × process time × people × rate. A step's own rate "
                              "overrides its team's. Leave a rate empty for none.")
        super().__init__(self.table, read, apply)
        self._teams = teams
        self._currency = currency
        self._showing = False
        self.table.itemChanged.connect(self._on_item_changed)

    def rows(self) -> list[tuple[str, str]]:
        """(team, rate text) of each row, as shown."""
        return [(self.table.item(row, 0).text(), self.table.item(row, 1).text())
                for row in range(self.table.rowCount())]

    def value(self) -> dict[str, Any]:
        return {team: text.strip() for team, text in self.rows() if text.strip()}

    def show_value(self, value: Any) -> None:
        rates: dict[str, float] = dict(value)
        known = {team.casefold() for team in rates}
        teams = list(rates) + [t for t in self._teams() if t.casefold() not in known]
        self._showing = True
        try:
            self.table.setHorizontalHeaderLabels(["Team", f"Rate ({self._currency()} / h)"])
            self.table.setRowCount(len(teams))
            for row, team in enumerate(sorted(teams, key=str.casefold)):
                name = QTableWidgetItem(team)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                rate = QTableWidgetItem(number_text(rates.get(team)))
                rate.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                rate.setToolTip(f"{team}: {self._currency()} per hour (empty: no rate)")
                self.table.setItem(row, 0, name)
                self.table.setItem(row, 1, rate)
        finally:
            self._showing = False
        height = self.table.horizontalHeader().height() + 4 + sum(
            self.table.rowHeight(row) for row in range(self.table.rowCount()))
        self.table.setFixedHeight(max(90, min(height, 260)))

    def set_rate(self, team: str, text: str) -> None:
        """Type a rate for a team shown in the table, as a user would: commits."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == team:
                self.table.item(row, 1).setText(text)
                return
        raise KeyError(team)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if not self._showing and item.column() == 1:
            self.commit()  # refused: what was typed stays, the reason shows under the table


class ExperienceField(Field):
    """The map's measured experience: a scale (not measured, CSAT %, survey 1–5), the score and
    the responses behind it; changing the scale or leaving a line commits."""

    def __init__(self, read: Callable[[], Experience | None], apply: Apply) -> None:
        holder = QWidget()
        holder.setObjectName("experience")
        layout = QHBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scale = QComboBox()
        self.scale.setObjectName("experience_scale")
        for key, label in SCALE_CHOICES.items():
            self.scale.addItem(label, key)
        self.score = QLineEdit()
        self.score.setObjectName("experience_score")
        self.score.setPlaceholderText("score")
        self.score.setToolTip("CSAT: percent of satisfied responses (0–100); survey: the average "
                              "score from 1 to 5")
        self.responses = QLineEdit()
        self.responses.setObjectName("experience_responses")
        self.responses.setPlaceholderText("responses")
        self.responses.setToolTip("How many responses the score comes from (empty: unknown)")
        layout.addWidget(self.scale, 2)
        layout.addWidget(self.score, 1)
        layout.addWidget(self.responses, 1)
        super().__init__(holder, read, apply)
        self.container.setFocusProxy(self.scale)
        self._note = ""
        self.scale.activated.connect(lambda _index: self.commit())
        self.score.editingFinished.connect(self._line_finished)
        self.responses.editingFinished.connect(self._line_finished)

    def value(self) -> Experience | None:
        scale = self.scale.currentData()
        if scale == NO_SCORE:
            return None
        score_text = self.score.text().strip().replace(",", ".")
        if not score_text:
            raise ModelError(f"a {EXPERIENCE_SCALES[scale]} score is needed (e.g. "
                             + ("78" if scale == "csat" else "4.2") + ")")
        try:
            score = float(score_text)
        except ValueError:
            raise ModelError(f"the score must be a number, not {score_text!r}") from None
        responses_text = self.responses.text().strip()
        responses: Any = None
        if responses_text:
            try:
                responses = int(responses_text.replace(",", "").replace(" ", ""))
            except ValueError:
                raise ModelError("responses must be a whole number, not "
                                 f"{responses_text!r}") from None
        return Experience(scale, score, responses, self._note)

    def show_value(self, value: Any) -> None:
        scale = NO_SCORE if value is None else value.scale
        self.scale.setCurrentIndex(self.scale.findData(scale))
        self.score.setText("" if value is None else f"{value.score:g}")
        self.responses.setText("" if value is None or value.responses is None
                               else str(value.responses))
        self._note = "" if value is None else value.note
        self.score.setModified(False)
        self.responses.setModified(False)
        for line in (self.score, self.responses):
            line.setEnabled(value is not None)

    def being_edited(self) -> bool:
        return any(line.hasFocus() and line.isModified() for line in (self.score, self.responses))

    def _line_finished(self) -> None:
        if self.score.isModified() or self.responses.isModified():
            self.commit()

    def commit(self) -> bool:
        if self.scale.currentData() != NO_SCORE:
            for line in (self.score, self.responses):
                line.setEnabled(True)
            if not self.score.text().strip() and self._read() is None:
                self.error.clear()  # a scale just chosen: wait for the score
                self.score.setFocus()
                return True
        return super().commit()


# ---------------------------------------------------------------- the rows of the property pane

Reader = Callable[[str], Callable[[], Any]]
Setter = Callable[[str], Apply]


def _line(fields: dict[str, Field], key: str, kind: type[LineField], read: Callable[[], Any],
          apply: Apply, placeholder: str, tip: str) -> LineField:
    editor = QLineEdit()
    editor.setObjectName(key)
    editor.setPlaceholderText(placeholder)
    editor.setToolTip(tip)
    field = kind(editor, read, apply)
    fields[key] = field
    return field


def add_step_rows(form: QFormLayout, fields: dict[str, Field], read: Reader,
                  apply: Setter) -> None:
    """The step's target time, hourly rate, ITIL 4 practices and information and technology,
    as rows of the step form (`read(key)` / `apply(key)`: the pane's reader and setter)."""
    target = _line(fields, "target_time", OptionalDurationField, read("target_time"),
                   apply("target_time"), "none", "The step's own target lead time (wait + "
                   "process), e.g. 4h or 1d; empty for none")
    form.addRow("Tar&get time", target.container)
    rate = _line(fields, "hourly_rate", OptionalNumberField, read("hourly_rate"),
                 apply("hourly_rate"), "the team's rate", "What an hour of this step's work "
                 "costs; overrides the team's rate (map settings). Empty: the team's.")
    form.addRow("Hourly &rate", rate.container)
    practices = PracticesField(read("practices"), apply("practices"))
    fields["practices"] = practices
    label = QLabel("ITIL 4 p&ractices")
    label.setBuddy(practices.search)
    form.addRow(label)  # the checklist takes the form's whole width: the names stay whole
    form.addRow(practices.container)
    editor = QPlainTextEdit()
    editor.setObjectName("information")
    editor.setTabChangesFocus(True)
    editor.setToolTip("The information and technology the step uses (systems, tools, data); "
                      "saved when you leave the field")
    editor.setMinimumHeight(50)
    editor.setMaximumHeight(90)
    information = TextField(editor, read("information"), apply("information"))
    fields["information"] = information
    form.addRow("&Information && technology", information.container)


def add_map_rows(form: QFormLayout, fields: dict[str, Field], map_: Callable[[], Any],
                 apply: Setter, teams: Callable[[], list[str]]) -> None:
    """The map's target lead time, measured experience, currency and team rates, as rows of the
    map form."""
    target = _line(fields, "target_lead_time", OptionalDurationField,
                   lambda: map_().target_lead_time, apply("target_lead_time"), "none",
                   "The lead time promised to stakeholders, e.g. 5d; the metrics say whether "
                   "the map meets it. Empty for none.")
    form.addRow("Target &lead time", target.container)
    experience = ExperienceField(lambda: map_().experience, apply("experience"))
    fields["experience"] = experience
    form.addRow("E&xperience", experience.container)
    currency = _line(fields, "currency", LineField, lambda: map_().currency, apply("currency"),
                     "€", "The sign or code costs are shown with (€, $, GBP)")
    form.addRow("C&urrency", currency.container)
    rates = TeamRatesField(lambda: map_().team_rates, teams, lambda: map_().currency,
                           apply("team_rates"))
    fields["team_rates"] = rates
    form.addRow("Team &rates", rates.container)
