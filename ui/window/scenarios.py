"""Future states and kaizen bursts in the main window: the actions behind the menus.

- Map > Create Future State (and the tab's context menu): a copy of the current map whose steps
  remember the step they came from (`origin`), without the kaizens of the map it was copied from,
  as one undoable edit (Document.create_future_state); the new tab is shown.
- Edit > Add Kaizen Burst: a burst above the selected step, or free in the middle of the view.
- View > Compare Maps…: the compare dialog (ui.dialogs.compare), one per window.
- View > Improvement Plan: the plan dock (ui.panels.plan); double-clicking a row shows the kaizen.
- Double-clicking a burst (or creating one) selects it and puts the cursor in its title in the
  property pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from ui.window.shell import Shell
from vsm.model import ValueStreamMap

if TYPE_CHECKING:
    from ui.dialogs.compare import CompareDialog


class ScenarioController(QObject):
    """Future states, kaizens, the compare view and the plan for one main window."""

    def __init__(self, shell: Shell, properties: PropertiesPanel, properties_dock: QDockWidget,
                 plan_dock: QDockWidget) -> None:
        super().__init__(shell.window())
        self.shell = shell
        self.properties = properties
        self.properties_dock = properties_dock
        self.plan_dock = plan_dock
        self.compare: CompareDialog | None = None

    def set_document(self, document: Document | None) -> None:
        """A new document in the window (None: it closes): the compare view belonged to the
        old one."""
        if self.compare is not None:
            self.compare.detach()
            self.compare.close()
            self.compare.deleteLater()
            self.compare = None

    # ------------------------------------------------------------ future states

    def create_future_state(self) -> ValueStreamMap | None:
        """Add a future state of the current map (one undo step) and show it."""
        map_ = self.shell.tabs.current_map()
        if map_ is None:
            return None
        future = self.shell.document.create_future_state(map_.id)
        self.shell.tabs.show_map(future.id)
        self.shell.show_status(
            f"Created {future.name!r} from {map_.name!r}: change it, and the metrics show the "
            "difference. Rename it in the Map menu.", 8000)
        return future

    # ------------------------------------------------------------ kaizens

    def add_kaizen_burst(self) -> str | None:
        """A new burst on the current map (attached to the one selected step, else free)."""
        view = self.shell.tabs.current_view()
        kaizen_id = view.add_kaizen() if view is not None else None
        if kaizen_id is not None:
            self.edit_kaizen(kaizen_id)
        return kaizen_id

    def select_kaizen(self, map_id: str, kaizen_id: str) -> None:
        """Show the map, select the kaizen and scroll to it (the plan's double-click)."""
        self.shell.tabs.show_map(map_id)
        view = self.shell.tabs.views.get(map_id)
        if view is not None and kaizen_id in view.scene().item_for_kaizen:
            view.scene().select_steps([], [], [kaizen_id])
            view.centre_on_kaizen(kaizen_id)
            view.setFocus(Qt.FocusReason.OtherFocusReason)

    def edit_kaizen(self, kaizen_id: str) -> None:
        """Select the kaizen on the current canvas and put the cursor in its title."""
        view = self.shell.tabs.current_view()
        if view is None or kaizen_id not in view.scene().item_for_kaizen:
            return
        if view.scene().selected_kaizen_ids() != [kaizen_id]:
            view.scene().select_steps([], [], [kaizen_id])
        self.properties_dock.show()
        self.properties_dock.raise_()
        title = self.properties.kaizen_fields["title"].editor
        QTimer.singleShot(0, lambda: (title.setFocus(Qt.FocusReason.OtherFocusReason),
                                      title.selectAll()))

    # ------------------------------------------------------------ views

    def show_compare(self) -> CompareDialog:
        """Open (or bring forward) the compare view of this window's document."""
        if self.compare is None:
            from ui.dialogs.compare import CompareDialog  # on first use: the window starts faster

            self.compare = CompareDialog(self.shell.document, self.shell.window())
        self.compare.show()
        self.compare.raise_()
        self.compare.activateWindow()
        return self.compare

    def show_plan(self) -> None:
        """Show the improvement plan dock."""
        self.plan_dock.show()
        self.plan_dock.raise_()
