"""The headline figures of the metrics panel (ui.panels.metrics) and the card that shows one:
a caption over a large value with its tooltip, greyed and captioned "(last valid)" while the map
has a blocking problem, and under it the change against the map a future state was copied from;
and the words those use (`percent`, `delta_words`), which the presentation view shares.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from vsm.analysis.compare import METRICS, MetricDelta, format_delta

FIGURES = {  # the headline figures, by key, and their captions
    "lead_time": "Lead time",
    "process_time": "Process time",
    "flow_efficiency": "Flow efficiency",
    "rolled_pca": "Rolled %C&A",
    "steps": "Steps",
}
DELTA_KEYS = {  # figure -> its key in vsm.analysis.compare.METRICS
    "lead_time": "lead_time_minutes",
    "process_time": "process_time_minutes",
    "flow_efficiency": "flow_efficiency_percent",
    "rolled_pca": "rolled_pca_percent",
    "steps": "step_count",
}
STALE_CAPTION = " (last valid)"
STALE_TIP = "Last valid figures: the map has a problem now, so they are not computed.\n"


def percent(value: float | None) -> str:
    """A percentage for a headline figure, '–' when not computed."""
    return "–" if value is None else f"{value:.1f}%"


class Figure(QFrame):
    """A caption over a large value; both carry the figure's tooltip."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(0)
        self.name = caption
        self.stale = False  # the last valid value, greyed: the map has a blocking problem now
        self.caption = QLabel(caption)
        self.value = QLabel("–")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delta = QLabel()
        self.delta.setWordWrap(True)
        self.delta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delta.hide()
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.delta)

    def set(self, value: str, tip: str) -> None:
        """Show `value` with its tooltip (which says so when the value is stale)."""
        if self.stale and tip:
            tip = STALE_TIP + tip
        self.value.setText(value)
        self.setToolTip(tip)
        self.value.setToolTip(tip)
        self.value.setAccessibleName(f"{self.caption.text()}: {value}")

    def set_stale(self, stale: bool) -> None:
        """Grey the value and caption it "(last valid)" while it stands in for a blocked one."""
        if stale == self.stale:
            return
        self.stale = stale
        self.caption.setText(self.name + (STALE_CAPTION if stale else ""))
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self.value.setStyleSheet(f"color: {muted};" if stale else "")

    def set_delta(self, text: str, tip: str = "") -> None:
        """The change against the origin map under the value; hidden when `text` is empty."""
        self.delta.setText(text)
        self.delta.setToolTip(tip)
        self.delta.setVisible(bool(text))


def delta_words(key: str, metric: MetricDelta, origin_name: str) -> tuple[str, str]:
    """The change of one figure for people, and its tooltip: '-15h 4m (-63.5%) vs Current
    state', '+20.6 pts vs Current state'; "" when a figure is missing."""
    if metric.delta is None:
        return "", ""
    text = format_delta(key, MetricDelta(metric.from_, metric.to, metric.delta, None))
    if METRICS[key][1] == "minutes" and metric.delta and metric.delta_percent is not None:
        text += f" ({metric.delta_percent:+.1f}%)"
    label = METRICS[key][0]
    tip = (f"{label} of {origin_name}, the map this future state was copied from, compared "
           f"with this map: {format_delta(key, metric)}")
    return f"{text} vs {origin_name}", tip
