"""Tooltips built when they are shown, not when the item is built or its data changes.

A map of thousands of steps would otherwise format thousands of rich-text tooltips on every
build and every analysis, for the one the user may hover. An item with a lazy tooltip implements
`tooltip_text()`; its Python `toolTip()` returns that text, and the scene calls `sync_tooltips`
from its help event so Qt's own tooltip logic (which reads the C++ tooltip) finds the same text.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QGraphicsItem


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
