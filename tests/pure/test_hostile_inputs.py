"""Hostile inputs, each built here: broken characters, notes of locks and working copies that no
editor wrote, and numbers and text the exports cannot carry. Each is refused or cleaned at the
boundary, with a message naming the place, and never reaches a crash further on."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from vsm.cli.main import main
from vsm.errors import FileFormatError
from vsm.files import locks as locking
from vsm.files.formats import load_json, project_from_dict, save_json
from vsm.files.locks import DamagedNote, LockedError, Owner, acquire, lock_path, read_owner
from vsm.files.working_copies import WorkingCopy, damaged, list_working_copies, orphans
from vsm.model import ModelError, Project, Step, ValueStreamMap
from vsm.model.durations import MAX_MINUTES, DurationError, parse_duration
from vsm.model.limits import MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_POSITION, MAX_TEXT_LENGTH
from vsm.model.records import Kaizen

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"
# What XML 1.0 (slides, pictures, worksheets) can hold: anything else breaks an export.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CONTROLS = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9F]))


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, document: dict, name: str = "hostile.json") -> Path:
    """The document as a JSON file, escapes as they are (json.dumps writes "\\ud800" as is)."""
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="ascii")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(FileFormatError) as caught:
        load_json(path)
    return str(caught.value)


def every_text(project: Project) -> list[str]:
    texts = [project.name, project.id]
    for map_ in project.maps:
        texts += [map_.name, map_.description, map_.id]
        for step in map_.steps:
            texts += [step.name, step.team, step.notes, step.id, step.origin or ""]
        for kaizen in map_.kaizens:
            texts += [kaizen.title, kaizen.description, kaizen.owner, kaizen.id]
        texts += [flow.id for flow in map_.flows]
    return texts


# ---------------------------------------------------------------- 1. a lone surrogate


def _first_step(document: dict) -> dict:
    return document["maps"][0]["steps"][0]


SURROGATE_PLACES = [
    ("step name", lambda d: _first_step(d).update(name="Log \ud800"),
     "map 'Current state', step 'report': name holds a broken character at character 5"),
    ("step notes", lambda d: _first_step(d).update(notes="\udfff"),
     "step 'User reports the outage': notes holds a broken character at character 1"),
    ("step team", lambda d: _first_step(d).update(team="a\udc80"),
     "step 'User reports the outage': team holds a broken character"),
    ("step id", lambda d: _first_step(d).update(id="x\ud800"),
     "step 'User reports the outage': its id holds a broken character"),
    ("map name", lambda d: d["maps"][0].update(name="\ud800"),
     "map 1: name holds a broken character"),
    ("map description", lambda d: d["maps"][0].update(description="\ud800"),
     "map 'Current state': description holds a broken character"),
    ("project name", lambda d: d.update(name="Restore \udbff"),
     "the project's name holds a broken character at character 9"),
    ("kaizen title", lambda d: d["maps"][1]["kaizens"][0].update(title="\ud800 fix"),
     "kaizen 1: title holds a broken character"),
    ("kaizen owner", lambda d: d["maps"][1]["kaizens"][0].update(owner="\ud800"),
     "owner holds a broken character"),
    ("flow id", lambda d: d["maps"][0]["flows"][0].update(id="\ud800"),
     "its id holds a broken character"),
]


@pytest.mark.parametrize("place, plant, message", SURROGATE_PLACES,
                         ids=[p[0] for p in SURROGATE_PLACES])
def test_a_lone_surrogate_is_refused_at_load_naming_the_place(tmp_path, place, plant, message):
    document = example()
    plant(document)
    path = write(tmp_path, document)
    assert json.loads(path.read_text())  # valid JSON: the escape is legal there
    text = refusal(path)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text
    assert "Traceback" not in text and "UnicodeEncodeError" not in text


@pytest.mark.parametrize("command", [["report"], ["plan"], ["compare"],
                                     ["convert", "OUT.vsm"], ["convert", "OUT.json"]])
def test_the_command_line_says_where_the_broken_character_is(tmp_path, capsys, command):
    document = example()
    _first_step(document)["name"] = "Log \ud800"
    path = write(tmp_path, document)
    args = [command[0], str(path), *(str(tmp_path / a) for a in command[1:])]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("vsm: error: ") and "step 'report': name holds a broken" in err
    assert "internal error" not in err and not list(tmp_path.glob("OUT*"))


def test_the_model_refuses_a_surrogate_from_any_entry_point():
    map_ = ValueStreamMap()
    step = map_.add_step(Step("Log", id="log"))
    with pytest.raises(ModelError, match="step 'Log': name holds a broken character"):
        map_.set_step_field("log", "name", "L\ud800g")  # the editor's path
    with pytest.raises(ModelError, match="notes holds a broken character"):
        map_.clean_step_field("log", "notes", "\ud800")
    with pytest.raises(ModelError, match="step 'A': team holds a broken character"):
        map_.add_step(Step("A", team="\udc00"))  # a step table's path
    with pytest.raises(ModelError, match="the project's name holds a broken character"):
        Project("P").set_name("\ud800")
    with pytest.raises(ModelError, match="kaizen 'K': description holds a broken character"):
        map_.add_kaizen(Kaizen("K", description="\ud800"))
    assert step.name == "Log" and map_.kaizens == []


# ---------------------------------------------------------------- 2. notes of locks and copies


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "change.vsm"
    path.write_bytes(b"content")
    return path


def valid_owner(**changes) -> dict:
    data = {"host": socket.gethostname(), "user": "anna", "pid": 4242,
            "since": "2026-03-01T09:15:00+01:00", "boot_id": None, "process_start": None}
    data.update(changes)
    return data


BAD_OWNER_FIELDS = [
    {"pid": 2**31}, {"pid": 2**40}, {"pid": 2**63}, {"pid": 10**30}, {"pid": 0}, {"pid": -1},
    {"pid": "4242"}, {"pid": True}, {"pid": 4242.0}, {"host": ""}, {"host": "h" * 10_000},
    {"host": "laptop\nanna"}, {"host": 5}, {"user": "u\x00"}, {"user": None},
    {"since": "yesterday"}, {"since": 5}, {"since": "2026-03-01T09:15:00" * 10},
    {"boot_id": 5}, {"boot_id": "b" * 1000}, {"process_start": -1}, {"process_start": 2**70},
    {"process_start": "1"},
]


@pytest.mark.parametrize("fields", BAD_OWNER_FIELDS, ids=[str(f)[:40] for f in BAD_OWNER_FIELDS])
def test_an_owner_field_out_of_range_is_a_damaged_note(fields):
    with pytest.raises(DamagedNote, match=next(iter(fields))):
        Owner.from_dict(valid_owner(**fields))


@pytest.mark.parametrize("fields", BAD_OWNER_FIELDS, ids=[str(f)[:40] for f in BAD_OWNER_FIELDS])
def test_a_damaged_lock_is_respected_while_fresh_then_replaced_with_a_message(document, fields):
    file = lock_path(document)
    file.write_text(json.dumps(valid_owner(**fields)))
    assert read_owner(document) is None
    with pytest.raises(LockedError, match="being opened by another program"):
        acquire(document)  # fresh: perhaps being written right now
    old = time.time() - 2 * locking.UNREADABLE_GRACE_SECONDS
    os.utime(file, (old, old))
    with acquire(document) as lock:
        assert lock.held and read_owner(document) == lock.owner
        assert lock.replaced is not None and str(file) in lock.replaced
        assert next(iter(fields)) in lock.replaced


def test_a_huge_pid_of_this_computer_is_never_sent_to_the_system(document):
    data = valid_owner(pid=2**40)
    lock_path(document).write_text(json.dumps(data))
    old = time.time() - 60
    os.utime(lock_path(document), (old, old))
    with acquire(document) as lock:  # no OverflowError: damaged, replaced
        assert lock.held
    owner = Owner(**{**valid_owner(), "pid": 2**40})  # even if one is built by hand
    assert locking.process_exists(owner.pid) is False


def test_a_lock_larger_than_any_lock_is_damaged(document):
    file = lock_path(document)
    file.write_bytes(b" " * (locking.MAX_NOTE_BYTES + 1))
    old = time.time() - 60
    os.utime(file, (old, old))
    assert read_owner(document) is None
    with acquire(document) as lock:
        assert lock.held and "larger than" in lock.replaced


def test_a_folder_at_the_lock_path_is_a_lock_that_cannot_be_taken(document):
    folder = lock_path(document)
    folder.mkdir()
    with pytest.raises(LockedError) as caught:
        acquire(document)
    assert caught.value.path == document and caught.value.owner is None
    assert f"cannot be locked: {folder} is a folder" in caught.value.reason
    assert folder.is_dir() and document.read_bytes() == b"content"


def test_a_link_at_the_lock_path_is_a_lock_that_cannot_be_taken(document, tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text(json.dumps(valid_owner(pid=1, host="another")))
    lock_path(document).symlink_to(target)
    with pytest.raises(LockedError, match="is a symbolic link"):
        acquire(document)
    assert read_owner(document) is None


# A named pipe would block a plain read for ever: these run in a process of their own, with a
# time limit, so that a regression fails instead of hanging the run.
PIPE_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from vsm.files.locks import LockedError, acquire, lock_path
    from vsm.files.working_copies import damaged, orphans
    document = Path(sys.argv[1])
    os.mkfifo(lock_path(document))
    try:
        acquire(document)
    except LockedError as error:
        print("locked:", error.reason)
    folder = document.parent / "copies"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    (folder / "pipe.vsm").write_bytes(b"edits")
    print("orphans:", orphans(folder), [d.database.name for d in damaged(folder)])
""")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_as_a_note_never_blocks(document):
    done = subprocess.run([sys.executable, "-c", PIPE_CHILD, str(document)], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert f"locked: cannot be locked: {lock_path(document)} is a named pipe" in done.stdout
    assert "orphans: [] ['pipe.vsm']" in done.stdout


def sidecar(directory: Path, name: str = "c0ffee", database: bool = True, **fields) -> Path:
    data = {"format": "vsm-working-copy", "version": 1, "original_path": "/docs/change.vsm",
            "project_name": "Change", "last_edit": "2026-03-01T09:20:00+01:00",
            "started": "2026-03-01T09:15:00+01:00",
            **{k: v for k, v in valid_owner().items() if k != "since"}}
    data.update(fields)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data))
    if database:
        path.with_suffix(".vsm").write_bytes(b"edits")
    return path


BAD_SIDECAR_FIELDS = [
    {"pid": 2**40}, {"pid": 2**31}, {"pid": -5}, {"host": "h" * 300}, {"started": "soon"},
    {"original_path": "/docs/a\x00b.vsm"}, {"original_path": "/" + "d" * 5000},
    {"original_path": 5}, {"original_path": ""}, {"project_name": "\ud800"},
    {"project_name": "P" * (MAX_NAME_LENGTH + 1)}, {"project_name": "a\nb"}, {"last_edit": "now"},
    {"last_edit": 5}, {"version": True}, {"version": 0},
]


@pytest.mark.parametrize("fields", BAD_SIDECAR_FIELDS,
                         ids=[str(f)[:40] for f in BAD_SIDECAR_FIELDS])
def test_a_damaged_working_copy_note_is_left_alone_and_listed(tmp_path, fields):
    path = sidecar(tmp_path, **fields)
    before = path.read_bytes()
    with pytest.raises(DamagedNote, match=next(iter(fields)).replace("started", "since")):
        WorkingCopy.read(path)
    assert list_working_copies(tmp_path) == [] and orphans(tmp_path) == []  # never raises
    [found] = damaged(tmp_path)
    assert found.database == path.with_suffix(".vsm") and found.sidecar == path
    assert path.read_bytes() == before and found.database.read_bytes() == b"edits"


def test_only_damaged_notes_beside_a_copy_are_listed(tmp_path):
    sidecar(tmp_path, "nothing", database=False, pid=2**40)
    sidecar(tmp_path, "newer", version=99)  # a newer version's: not ours to judge
    sidecar(tmp_path, "fine")
    assert damaged(tmp_path) == []
    assert [c.id for c in list_working_copies(tmp_path)] == ["fine"]


def test_a_working_copy_of_a_file_with_an_undecodable_name_keeps_its_path(tmp_path):
    name = os.fsdecode(b"caf\xe9.vsm")  # Latin-1 bytes in a UTF-8 system: held as a surrogate
    original = tmp_path / name
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Log", id="log"))
    copy = WorkingCopy.new(original, "Change", tmp_path / "copies")
    copy.write(Project("Change", [map_]), original)  # the note used to fail to encode
    [read] = list_working_copies(tmp_path / "copies")
    assert read.original == original and read.load().maps[0].step("log").name == "Log"


# ---------------------------------------------------------------- 3. numbers and text


@pytest.mark.parametrize("where, value, message", [
    ("x", 1e300, "step 'User reports the outage': x must be from -10,000,000 to 10,000,000"),
    ("y", -1e8, "y must be from -10,000,000 to 10,000,000 (scene units), not -1e+08"),
    ("x", 10**400, "x is too large"),
    ("process_time", 1.7e308, "process time: too long a time: 1.7e+308"),
    ("wait_time", "1000000000000w", "wait time: too long a time"),
    ("wait_time", "1m " * 1000, "wait time: not a duration"),
    ("process_time_max", 2e9, "process time max: too long a time"),
    ("name", "N" * 10_000_000, "step 'report': name is 10,000,000 characters long; at most 500"),
    ("notes", "n" * (MAX_TEXT_LENGTH + 1), "notes is 20,001 characters long; at most 20,000"),
    ("team", "t" * (MAX_NAME_LENGTH + 1), "team is 501 characters long"),
    ("id", "i" * (MAX_ID_LENGTH + 1), "its id is 257 characters long; at most 256"),
    ("id", "log\x00", "its id 'log\\x00' holds a control character"),
    ("origin", "o\x07", "origin: its id 'o\\x07' holds a control character"),
])
def test_values_no_export_can_carry_are_refused_at_load(tmp_path, where, value, message):
    document = example()
    _first_step(document)[where] = value
    text = refusal(write(tmp_path, document))
    assert message in text and len(text) < 400  # a huge value is never echoed whole


@pytest.mark.parametrize("where, value, message", [
    (("x",), 1e300, "kaizen 'Pre-approve standard fixes': x must be from"),
    (("title",), "T" * 600, "kaizen 1: title is 600 characters long"),
    (("description",), "d" * 20_001, "description is 20,001 characters long"),
    (("expected_saving",), 1e300, "expected saving: too long a time"),
])
def test_kaizen_values_no_export_can_carry_are_refused_at_load(tmp_path, where, value, message):
    document = example()
    kaizen = document["maps"][1]["kaizens"][0]
    kaizen["title"] = "Pre-approve standard fixes"
    kaizen[where[0]] = value
    assert message in refusal(write(tmp_path, document))


def test_the_limits_themselves_are_accepted_and_written_back(tmp_path):
    document = example()
    step = _first_step(document)
    step.update(x=MAX_POSITION, y=-MAX_POSITION, name="N" * MAX_NAME_LENGTH,
                notes="n" * MAX_TEXT_LENGTH, process_time=MAX_MINUTES, id="i" * MAX_ID_LENGTH)
    for flow in document["maps"][0]["flows"]:
        for end in ("from", "to"):
            if flow[end] == "report":
                flow[end] = "i" * MAX_ID_LENGTH
    project = load_json(write(tmp_path, document))
    save_json(project, tmp_path / "again.json")
    assert load_json(tmp_path / "again.json") == project


def test_control_characters_are_removed_and_line_breaks_kept_where_allowed(tmp_path):
    document = example()
    step = _first_step(document)
    step.update(name=f"User\treports{CONTROLS}\r\nthe outage", team="Service\x0bdesk\x1b",
                notes=f"line 1\r\nline 2\rline 3\tend{CONTROLS}\ufffe\uffff")
    document["maps"][0]["description"] = "a\x00b\r\nc"
    document["name"] = "Restore\x07 a live\nservice"
    kaizen = document["maps"][1]["kaizens"][0]
    kaizen.update(title="Pre-\x01approve", owner="Change\x1fmanager", description="x\x0cy")
    project = load_json(write(tmp_path, document))
    step = project.maps[0].step("report")
    assert step.name == "User reports the outage" and step.team == "Service desk"
    assert step.notes == "line 1\nline 2\nline 3\tend"
    assert project.maps[0].description == "ab\nc"
    assert project.name == "Restore a live service"
    kaizen = project.maps[1].kaizens[0]
    assert (kaizen.title, kaizen.owner, kaizen.description) == ("Pre-approve", "Changemanager",
                                                                "xy")
    assert not [text for text in every_text(project) if NOT_XML.search(text)]
    save_json(project, tmp_path / "clean.json")
    assert load_json(tmp_path / "clean.json") == project


def test_the_editor_path_cleans_and_refuses_like_the_loader():
    map_ = ValueStreamMap()
    map_.add_step(Step("Log", id="log"))
    assert map_.clean_step_field("log", "name", "  Log\nit\x00 ") == "Log it"
    assert map_.clean_step_field("log", "notes", "a\r\nb\x07") == "a\nb"
    for field, value, message in [("x", 1e8, "x must be from"), ("y", float("nan"), "finite"),
                                  ("people", 10**400, "people must be a finite number"),
                                  ("pca", 10**400, "pca must be a finite number"),
                                  ("wait_time", 10**400, "wait time: not a duration"),
                                  ("name", "N" * 501, "name is 501 characters long")]:
        with pytest.raises(ModelError, match=message):
            map_.set_step_field("log", field, value)
    with pytest.raises(ModelError, match="x must be from"):
        map_.add_kaizen(Kaizen("K", x=-2e7))
    with pytest.raises(ModelError, match="name is 501 characters long"):
        ValueStreamMap("M" * 501)
    with pytest.raises(ModelError, match="the project's name is 501 characters long"):
        Project("P").clean_name("P" * 501)
    assert Project("P").clean_name("  A\tB ") == "A B"


def test_durations_are_bounded_so_sums_stay_finite():
    assert parse_duration(MAX_MINUTES) == MAX_MINUTES
    for value in (MAX_MINUTES * 1.01, 10**400, "2000000w", "1" * 200):
        with pytest.raises(DurationError):
            parse_duration(value)


def test_the_worst_map_within_the_limits_is_analysed_and_exported(tmp_path, capsys):
    """Every step at the longest times and the farthest positions: figures stay finite, and
    the deck and the step tables are written."""
    document = example()
    for number, step in enumerate(document["maps"][0]["steps"]):
        step.update(process_time=MAX_MINUTES, wait_time=MAX_MINUTES, name=f"{number}" + "W" * 400,
                    x=MAX_POSITION if number % 2 else -MAX_POSITION, y=MAX_POSITION)
    path = write(tmp_path, document)
    assert main(["report", str(path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert "inf" not in json.dumps(figures).lower() and "nan" not in json.dumps(figures).lower()
    for suffix in ("pptx", "xlsx"):
        assert main(["export", str(path), "-o", str(tmp_path / f"out.{suffix}")]) == 0
    assert main(["export", str(path), "--map", "Current state",
                 "-o", str(tmp_path / "out.csv")]) == 0


def test_text_from_json_with_control_characters_exports_to_worksheets_and_slides(tmp_path):
    document = example()
    _first_step(document).update(name="Log\x0b\x01 it", notes="a\x00b")
    path = write(tmp_path, document)
    for suffix in ("xlsx", "pptx"):
        assert main(["export", str(path), "-o", str(tmp_path / f"out.{suffix}")]) == 0


def test_pictures_of_text_with_control_characters_are_well_formed(tmp_path):
    pytest.importorskip("PySide6")
    from xml.dom import minidom

    document = example()
    _first_step(document).update(name="Log\x0b\x01 it", notes="a\x00b")
    document["maps"][0]["steps"][1]["x"] = MAX_POSITION
    path = write(tmp_path, document)
    out = tmp_path / "map.svg"
    code = ("import sys; from vsm.cli.main import main; "
            "sys.exit(main(['export', sys.argv[1], '--map', 'Current state', '-o', sys.argv[2]]))")
    done = subprocess.run([sys.executable, "-c", code, str(path), str(out)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    minidom.parse(str(out))  # well-formed XML


def test_a_step_table_row_with_control_characters_imports_clean(tmp_path):
    table = tmp_path / "steps.csv"
    table.write_text('name,next,notes\nLog\x0bit,Fix,"a\r\nb\x1bc"\nFix,,\n', encoding="utf-8")
    out = tmp_path / "steps.json"
    assert main(["import", str(table), "-o", str(out)]) == 0
    project = load_json(out)
    assert [s.name for s in project.maps[0].steps] == ["Log it", "Fix"]
    assert project.maps[0].steps[0].notes == "a\nbc"


def test_a_message_never_echoes_a_huge_value():
    huge = "x" * 5_000_000
    for action in (lambda: ValueStreamMap().add_step(Step(huge)),
                   lambda: ValueStreamMap().add_step(Step("A", activity=huge)),
                   lambda: ValueStreamMap(kind=huge),
                   lambda: project_from_dict({"format": huge}),
                   lambda: project_from_dict({"format": "vsm-json", "version": 1, "maps": [
                       {"steps": [{"id": "a", "name": "A"}], "flows": [{"from": huge, "to": "a"}]}
                   ]})):
        with pytest.raises((ModelError, FileFormatError)) as caught:
            action()
        assert len(str(caught.value)) < 600


def test_an_owner_round_trips_through_its_check():
    owner = locking.this_process()
    assert Owner.from_dict(owner.to_dict()) == owner
    assert Owner.from_dict(replace(owner, pid=locking.MAX_PID).to_dict()).pid == locking.MAX_PID
