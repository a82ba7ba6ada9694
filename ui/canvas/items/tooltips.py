"""Tooltips built when they are shown, not when the item is built or its data changes, and the
texts of a step's and a measured count's tooltips.

A map of thousands of steps would otherwise format thousands of rich-text tooltips on every
build and every analysis, for the one the user may hover. An item with a lazy tooltip implements
`tooltip_text()`; its Python `toolTip()` returns that text, and the scene calls `sync_tooltips`
from its help event so Qt's own tooltip logic (which reads the C++ tooltip) finds the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtWidgets import QGraphicsItem

from vsm.analysis.flags import PCA_MEANING
from vsm.model import PERFORMERS, Step
from vsm.model.durations import format_duration
from vsm.model.measured import LOW_CONFIDENCE_CASES, low_confidence


class LazyToolTip:
    """Mixin for a QGraphicsItem whose tooltip text is computed on demand."""

    def tooltip_text(self) -> str:
        """The tooltip as the user would see it now (rich text)."""
        raise NotImplementedError

    def toolTip(self) -> str:  # noqa: N802 - mirrors QGraphicsItem.toolTip for Python callers
        """The current tooltip text (the same Qt shows on hover)."""
        return self.tooltip_text()

    def sync_tooltip(self) -> None:
        """Hand the current text to Qt, which shows the C++ tooltip."""
        text = self.tooltip_text()
        if QGraphicsItem.toolTip(self) != text:
            QGraphicsItem.setToolTip(self, text)


def sync_tooltips(items: Iterable[QGraphicsItem]) -> None:
    """Bring the tooltips of these items (those under the mouse) up to date before Qt shows one."""
    for item in items:
        if isinstance(item, LazyToolTip):
            item.sync_tooltip()


def cases_tooltip(cases: int, what: str) -> str:
    """The tooltip's words for a measured count (vsm mine), low confidence said."""
    plural = "s" if cases != 1 else ""
    text = f"<br>Measured: {cases:,} case{plural} {what}"
    if low_confidence(cases):
        text += (f" — fewer than {LOW_CONFIDENCE_CASES}, so a low-confidence figure "
                 "(drawn dotted)")
    return text


def step_tooltip(step: Step) -> str:
    """A step's tooltip: its name, who does it, its times, %C&A, measured counts and notes."""
    lines = [f"<b>{escape(step.name, quote=False)}</b>",
             escape(" · ".join(filter(None, [step.team, PERFORMERS.get(step.performer, "")])),
                    quote=False),
             f"Wait before it: {format_duration(step.wait_time)}; process time: "
             f"{format_duration(step.process_time)}; lead time: {format_duration(step.lead_time)}",
             f"%C&A (complete and accurate) {step.pca:g}%: {PCA_MEANING}"]
    if step.cases is not None:
        visits = (f" ({step.visits:,} visit{'s' if step.visits != 1 else ''})"
                  if step.visits is not None else "")
        lines.append(cases_tooltip(step.cases, "visited it" + visits).removeprefix("<br>"))
    if step.notes:
        lines.append(f"<i>{escape(step.notes, quote=False)}</i>")
    return "<br>".join(line for line in lines if line)
