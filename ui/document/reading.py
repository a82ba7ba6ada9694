"""Reading a large file off the GUI thread (issue 19): the project and the first analysis of
each of its maps, so that opening a 5,000-step map never blocks the window for the read (0.2 s)
nor for the first figures (0.3 s).

`read_file` runs on a worker thread and touches no Qt object: it reads the project (a file
whose content does not match its checksum is read anyway, `changed` saying so, for the window
to ask) and analyses every map with its own vsm.analysis.Analyser, which the document then
keeps (Document.from_read) so the next edit reuses what it found; it also copies every record
for the workers' snapshots (ui.document.snapshots.RecordCopies: the first snapshot of a
20,000-step map copied 48,000 records on the GUI thread, 65 ms, when its panels were filled). `read_on_a_worker` runs it
on a thread and hands the outcome (a FileRead, or the exception) to a method on the GUI thread
through ui.document.handoff.

The cycle collector is paused while a file is read (ui.document.collector): the read makes about
23 objects a step (450,000 at 20,000 steps), none of them garbage, and each full collection it
set off walked all of them on the worker, holding the interpreter the GUI thread needs for every
call Qt makes into Python (100-185 ms each, three or four an open). When the window froze what
it showed (ui.window.heap: a large document is open), what the read made is frozen with it
(`gc.freeze`), as the window would freeze the new document once shown: no later collection walks
it, it is freed by reference counting like everything frozen (a dropped read holds no cycle),
and the window gives it back with the rest when it closes. Otherwise it is left to the collector,
which walks it once instead of three or four times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ui.document.collector import collector_paused
from ui.document.handoff import Receiver
from ui.document.snapshots import MapRecords, RecordCopies
from vsm.analysis import Analyser, MapAnalysis
from vsm.analysis.pane_figures import PaneFigures, pane_figures
from vsm.errors import FileFormatError
from vsm.files.formats import load_project
from vsm.model import Project

READ_IN_BACKGROUND_BYTES = 300_000  # files this large are read on a worker: about 850 steps
# of .vsm (350 bytes a step), 1,000 of vsm-json; reading and analysing a smaller one takes
# under ~60 ms, and it opens at once, as the tests and users expect


@dataclass
class FirstAnalysis:
    """A map's first analysis, made on the worker, and the Analyser that made it."""

    analyser: Analyser
    analysis: MapAnalysis
    seconds: float
    figures: PaneFigures | None = None  # the metrics pane's, of the same analysis
    copies: RecordCopies | None = None  # the map's records copied for snapshots


@dataclass
class FileRead:
    """What a worker read of a file: its project and the first analysis of each map (by id).
    `changed`: the file's content does not match its checksum (vsm.files.vsm_file.ContentChanged;
    the window asks whether to open it anyway)."""

    path: Path
    project: Project
    analyses: dict[str, FirstAnalysis] = field(default_factory=dict)
    changed: FileFormatError | None = None


def read_in_background(path: Path) -> bool:
    """Whether the file is large enough to be read on a worker (READ_IN_BACKGROUND_BYTES); a
    file that cannot be measured is read at once (its error shows as before)."""
    try:
        return path.stat().st_size >= READ_IN_BACKGROUND_BYTES
    except OSError:
        return False


def read_file(path: Path, freeze: bool | None = False) -> FileRead:
    """Read the project at `path` and analyse each of its maps (any thread; no Qt), the
    collector paused meanwhile; with `freeze` (None: if the window keeps what it shows frozen
    when the read ends), what was read is frozen with it (collector_paused).

    FileFormatError (or OSError) as load_project raises it, except a file whose content does not
    match its checksum: it is read, with `changed` set."""
    with collector_paused(freeze):
        return _read(path)


def _read(path: Path) -> FileRead:
    """read_file's work."""
    from vsm.files.vsm_file import ContentChanged  # what load_project loads for a .vsm anyway

    changed: FileFormatError | None = None
    try:
        project = load_project(path)
    except ContentChanged as error:
        project, changed = error.project, error
    read = FileRead(path, project, changed=changed)
    for map_ in project.maps:
        analyser = Analyser()
        started = time.perf_counter()
        analysis = analyser.analyse(map_)
        seconds = time.perf_counter() - started
        copies = RecordCopies()
        MapRecords.of(map_, copies=copies)  # fills `copies`: the project is not shared yet
        read.analyses[map_.id] = FirstAnalysis(analyser, analysis, seconds,
                                               pane_figures(map_, analysis), copies)
    return read


def read_on_a_worker(path: Path, done: Callable[[object], None],
                     freeze: bool | None = False) -> threading.Thread:
    """Read the file at `path` on a thread of its own (read_file, with `freeze`); `done(outcome)`,
    a method of an object of the GUI thread, gets the FileRead or the exception that stopped it,
    on the GUI thread, unless its object is gone by then (ui.document.handoff)."""
    receiver = Receiver(done)  # never a Qt object on the worker

    def job() -> None:
        try:
            outcome: object = read_file(path, freeze)
        except Exception as error:  # noqa: BLE001 - shown to the user on the GUI thread
            outcome = error
        receiver.send(outcome)

    thread = threading.Thread(target=job, name="vsm-open", daemon=True)
    thread.start()
    return thread
