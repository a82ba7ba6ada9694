"""An edit shows on the canvas before its figures are computed: the document analyses one turn
of the event loop later, after the canvas has painted (bench/run.py measures the times)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from bench.generate import synthetic_map
from ui.document.document import Document
from ui.window.main_window import MainWindow
from vsm.model import Project


class Order(QObject):
    """Records "paint" for each paint of the watched widget."""

    def __init__(self, widget, events: list[str]) -> None:
        super().__init__(widget)
        self.events = events
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.events.append("paint")
        return False


def test_the_canvas_paints_an_edit_before_the_analysis_runs(qtbot):
    # A map of 300 steps (bench/generate.py): on the example's 12 the analysis is quick enough
    # that the paint already came first.
    document = Document(Project("Bench", [synthetic_map(300)]))
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    map_ = window.current_map()
    view = window.current_view()
    events: list[str] = []
    Order(view.viewport(), events)
    document.analysis_changed.connect(lambda _id: events.append("analysis"))
    path = document.analysis(map_.id).critical_path
    step = next(map_.step(v) for v in path if map_.step(v).wait_time > 0)
    document.set_step_field(map_.id, step.id, "wait_time", step.wait_time + 600)
    application = QApplication.instance()
    for _ in range(100):  # turns of the event loop, as the editor's own loop takes them
        application.processEvents()
        if "analysis" in events:
            break
    assert "paint" in events[:events.index("analysis")]
    document.undo_stack.setClean()  # closing must not ask about the edit
    window.close()
    document.close()
