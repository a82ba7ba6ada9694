"""A victim for test_crash_recovery: edits a document through the editor's own code until killed.

Usage: python crash_child.py DOCUMENT STEPS [SAVE_EVERY]

With VSM_DATA_DIR pointing at a scratch folder, it saves a new document with STEPS steps to
DOCUMENT (which locks it), prints "ready", then, with the Qt event loop running (so the autosave
timer fires as in the editor), pushes one SetStepFieldCommand after another, renaming the first
step "edit-<n>", and moves the others around every tenth edit. After each edit it prints
"t=<time.monotonic()> n=<n>", flushed, and every SAVE_EVERY edits it saves the document (the Save
command's code path). It never stops by itself: the test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.document.document import Document, new_project  # noqa: E402
from vsm.model import Flow, Step  # noqa: E402

EDIT_INTERVAL_MS = 5


def main() -> None:
    document_path = Path(sys.argv[1])
    steps = int(sys.argv[2])
    save_every = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    app = QApplication([])
    project = new_project("Crash test")
    map_ = project.maps[0]
    for index in range(steps):
        map_.add_step(Step(f"step {index}", wait_time=index, process_time=5, x=index * 150.0,
                           notes="x" * 200))
    for source, target in zip(map_.steps, map_.steps[1:]):
        map_.add_flow(Flow(source.id, target.id))
    document = Document(project)
    document.save(document_path)
    first = map_.steps[0].id
    count = 0

    def edit() -> None:
        nonlocal count
        count += 1
        document.set_step_field(map_.id, first, "name", f"edit-{count}")
        if count % 10 == 0:
            document.move(map_.id, {s.id: (s.x, s.y + 1) for s in map_.steps[1:]})
        print(f"t={time.monotonic():.6f} n={count}", flush=True)
        if save_every and count % save_every == 0:
            document.save()

    timer = QTimer()
    timer.setInterval(EDIT_INTERVAL_MS)
    timer.timeout.connect(edit)
    timer.start()
    print(f"ready t={time.monotonic():.6f}", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
