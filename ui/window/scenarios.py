"""Future states and kaizen bursts in the main window: the actions behind the menus.

- Map > Create Future State (and the tab's context menu): a copy of the current map whose steps
  remember the step they came from (`origin`), without the kaizens of the map it was copied from,
  as one undoable AddMapCommand; the new tab is shown.
- Edit > Add Kaizen Burst: a burst above the selected step, or free in the middle of the view.
- View > Compare Maps…: the compare dialog (ui.dialogs.compare), one per window.
- View > Improvement Plan: the plan dock (ui.panels.plan); double-clicking a row shows the kaizen.
- Double-clicking a burst (or creating one) selects it and puts the cursor in its title in the
  property pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu

from ui.document.commands import AddMapCommand
from ui.document.document import Document
from vsm.model.duplicate import duplicate_map
from vsm.model import ValueStreamMap

if TYPE_CHECKING:
    from ui.dialogs.compare import CompareDialog
    from ui.window.main_window import MainWindow


def future_state_of(map_: ValueStreamMap, name: str) -> ValueStreamMap:
    """A future state copied from `map_`: new ids, every step's origin the step it was copied
    from, flows kept, kaizens left behind (they belong to the map they were written for)."""
    future = duplicate_map(map_, name, kind="future", keep_origin=True)
    for kaizen in future.kaizens:
        future.remove_kaizen(kaizen.id)
    return future


def unused_name(base: str, taken: set[str]) -> str:
    """`base`, or `base 2`, `base 3`... whichever no map has yet."""
    if base not in taken:
        return base
    return next(f"{base} {n}" for n in range(2, len(taken) + 3) if f"{base} {n}" not in taken)


class ScenarioController(QObject):
    """Future states, kaizens, the compare view and the plan for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
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
        window = self.window
        map_ = window.current_map()
        if map_ is None:
            return None
        project = window.document.project
        future = future_state_of(map_, unused_name("Future state",
                                                   {m.name for m in project.maps}))
        window.document.push(AddMapCommand(project, future, text="Create future state"))
        window.show_map(future.id)
        window.statusBar().showMessage(
            f"Created {future.name!r} from {map_.name!r}: change it, and the metrics show the "
            "difference. Rename it in the Map menu.", 8000)
        return future

    def tab_menu(self, position: QPoint) -> None:
        """The context menu of a map's tab: that map's actions."""
        bar = self.window.tabs.tabBar()
        menu = self.build_tab_menu(bar.tabAt(position))
        if menu is not None:
            menu.exec(bar.mapToGlobal(position))

    def build_tab_menu(self, index: int) -> QMenu | None:
        """Show the tab's map and return its menu (None when no tab is there)."""
        if index < 0:
            return None
        self.window.tabs.setCurrentIndex(index)
        actions = self.window.actions_
        menu = QMenu(self.window)
        for action in (actions.create_future, None, actions.rename_map, actions.duplicate_map,
                       actions.delete_map, None, actions.compare):
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    # ------------------------------------------------------------ kaizens

    def add_kaizen_burst(self) -> str | None:
        """A new burst on the current map (attached to the one selected step, else free)."""
        view = self.window.current_view()
        kaizen_id = view.add_kaizen() if view is not None else None
        if kaizen_id is not None:
            self.edit_kaizen(kaizen_id)
        return kaizen_id

    def select_kaizen(self, map_id: str, kaizen_id: str) -> None:
        """Show the map, select the kaizen and scroll to it (the plan's double-click)."""
        window = self.window
        window.show_map(map_id)
        view = window.views.get(map_id)
        if view is not None and kaizen_id in view.scene().item_for_kaizen:
            view.scene().select_steps([], [], [kaizen_id])
            view.centre_on_kaizen(kaizen_id)
            view.setFocus(Qt.FocusReason.OtherFocusReason)

    def edit_kaizen(self, kaizen_id: str) -> None:
        """Select the kaizen on the current canvas and put the cursor in its title."""
        window = self.window
        view = window.current_view()
        if view is None or kaizen_id not in view.scene().item_for_kaizen:
            return
        if view.scene().selected_kaizen_ids() != [kaizen_id]:
            view.scene().select_steps([], [], [kaizen_id])
        window.properties_dock.show()
        window.properties_dock.raise_()
        title = window.properties.kaizen_fields["title"].editor
        QTimer.singleShot(0, lambda: (title.setFocus(Qt.FocusReason.OtherFocusReason),
                                      title.selectAll()))

    # ------------------------------------------------------------ views

    def show_compare(self) -> CompareDialog:
        """Open (or bring forward) the compare view of this window's document."""
        if self.compare is None:
            from ui.dialogs.compare import CompareDialog  # on first use: the window starts faster

            self.compare = CompareDialog(self.window.document, self.window)
        self.compare.show()
        self.compare.raise_()
        self.compare.activateWindow()
        return self.compare

    def show_plan(self) -> None:
        """Show the improvement plan dock."""
        dock = self.window.plan_dock
        dock.show()
        dock.raise_()
