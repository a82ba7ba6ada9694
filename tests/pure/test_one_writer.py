"""One writer for every file (vsm.files.atomic), with one behaviour whatever the format and
whoever runs it: a read-only file is refused and left as it is, a symbolic link is followed
(the file it points to is replaced, the link stays), and the temporary files a crash leaves are
removed by the next write in that folder once their process is surely gone (never those of a
live process). Also: an unknown --map names a bounded list of maps.

The tests run as root here, where chmod does not stop a write: a file with no write bit at all
is refused whoever runs the program (so these tests hold for root too), and a file this user may
not write (owned by another user) is tested by making os.access say so.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vsm.cli.main import main
from vsm.errors import FileFormatError
from vsm.export.deck import export_pptx
from vsm.export.plan_csv import write_plan_csv
from vsm.files import atomic
from vsm.files.formats import save_json, save_project_any
from vsm.files.locks import this_process
from vsm.files.step_tables import export_csv, export_xlsx
from vsm.files.vsm_file import open_project
from vsm.model import Flow, Project, Step, ValueStreamMap

ROOT = Path(__file__).resolve().parents[2]
OLD = b"the old content"


def sample(name: str = "Sample") -> Project:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Alpha", wait_time=30, process_time=10, id="a"))
    map_.add_step(Step("Beta", wait_time=60, process_time=20, id="b"))
    map_.add_flow(Flow("a", "b"))
    return Project(name, [map_])


def _ids(project: Project) -> list[str]:
    return [project.maps[0].id]


# Every writer of vsm/, by the suffix it writes: (suffix, write(path)).
WRITERS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "vsm": (".vsm", lambda path: save_project_any(sample(), path)),
    "json": (".json", lambda path: save_project_any(sample(), path)),
    "pptx": (".pptx", lambda path: export_pptx(sample(), path)),
    "csv": (".csv", lambda path: (lambda p: export_csv(p, path, _ids(p)))(sample())),
    "xlsx": (".xlsx", lambda path: (lambda p: export_xlsx(p, path, _ids(p)))(sample())),
    "plan csv": (".csv", lambda path: write_plan_csv([], path)),
    "pictures": (".png", lambda path: atomic.write_atomically([(path, b"\x89PNG new")])),
}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# ---------------------------------------------------------------- read-only files


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_every_writer_refuses_a_file_marked_read_only(tmp_path, writer):
    suffix, write = WRITERS[writer]
    target = tmp_path / f"out{suffix}"
    target.write_bytes(OLD)
    target.chmod(0o444)
    with pytest.raises(FileFormatError, match="the file is read-only") as caught:
        write(target)
    assert caught.value.path == target
    assert target.read_bytes() == OLD and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_every_writer_refuses_a_file_this_user_may_not_write(tmp_path, writer, monkeypatch):
    """A mode-644 file of another user: os.access says no (as it does for an ordinary user)."""
    suffix, write = WRITERS[writer]
    target = tmp_path / f"out{suffix}"
    target.write_bytes(OLD)
    real_access = os.access
    monkeypatch.setattr(atomic.os, "access", lambda path, mode, **kw: (
        False if Path(path) == target and mode == os.W_OK else real_access(path, mode, **kw)))
    with pytest.raises(FileFormatError, match="read-only"):
        write(target)
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_every_writer_follows_a_link_and_keeps_it(tmp_path, writer):
    """The link's target is replaced in ITS folder; the link and its folder keep no temporary."""
    suffix, write = WRITERS[writer]
    elsewhere = tmp_path / "elsewhere"
    here = tmp_path / "here"
    elsewhere.mkdir()
    here.mkdir()
    real = elsewhere / f"real{suffix}"
    real.write_bytes(OLD)
    real.chmod(0o640)
    link = here / f"link{suffix}"
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != OLD and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in here.iterdir()) == [link.name]
    assert sorted(p.name for p in elsewhere.iterdir()) == [real.name]


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_a_link_to_a_read_only_file_is_refused_too(tmp_path, writer):
    suffix, write = WRITERS[writer]
    real = tmp_path / f"real{suffix}"
    real.write_bytes(OLD)
    real.chmod(0o444)
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    with pytest.raises(FileFormatError, match="read-only") as caught:
        write(link)
    assert caught.value.path == link  # named as the user named it
    assert real.read_bytes() == OLD and link.is_symlink()


def test_a_loop_of_links_a_pipe_and_a_folder_are_refused(tmp_path):
    loop_a, loop_b = tmp_path / "a.json", tmp_path / "b.json"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    with pytest.raises(FileFormatError, match="a loop of links"):
        save_json(sample(), loop_a)
    assert loop_a.is_symlink() and loop_b.is_symlink()
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.csv"
        os.mkfifo(pipe)
        with pytest.raises(FileFormatError, match="not a plain file"):
            write_plan_csv([], pipe)
        assert stat.S_ISFIFO(pipe.lstat().st_mode)
    (tmp_path / "folder.vsm").mkdir()
    with pytest.raises(FileFormatError, match="a folder has that name"):
        save_project_any(sample(), tmp_path / "folder.vsm")
    assert leftovers(tmp_path) == []


def test_a_writable_file_is_still_replaced_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(OLD)
    target.chmod(0o600)
    save_json(sample("New"), target)
    assert b'"New"' in target.read_bytes() and stat.S_IMODE(target.stat().st_mode) == 0o600


# ---------------------------------------------------------------- the command line


def _cli_cases(folder: Path) -> dict[str, list[str]]:
    project = folder / "in.json"
    table = folder / "table.csv"
    return {
        "convert to json": ["convert", str(folder / "in.vsm"), "{out}.json"],
        "convert to vsm": ["convert", str(project), "{out}.vsm"],
        "export pptx": ["export", str(project), "-o", "{out}.pptx"],
        "export csv": ["export", str(project), "--format", "csv", "--map", "Current state",
                       "-o", "{out}.csv"],
        "export xlsx": ["export", str(project), "--format", "xlsx", "-o", "{out}.xlsx"],
        "plan -o": ["plan", str(project), "-o", "{out}.csv"],
        "import --force json": ["import", str(table), "-o", "{out}.json", "--force"],
        "import --force vsm": ["import", str(table), "-o", "{out}.vsm", "--force"],
        "new --force": ["new", "--template", "{template}", "--force", "{out}.vsm"],
    }


CLI_CASES = list(_cli_cases(Path("x")))


@pytest.fixture
def inputs(tmp_path) -> Path:
    save_json(sample(), tmp_path / "in.json")
    save_project_any(sample(), tmp_path / "in.vsm")
    project = sample()
    export_csv(project, tmp_path / "table.csv", _ids(project))
    return tmp_path


def _template_id(capsys) -> str:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    return next(line.split()[0] for line in out.splitlines() if line.strip())


@pytest.mark.parametrize("case", CLI_CASES)
def test_every_command_refuses_a_read_only_output_with_exit_2(inputs, case, capsys):
    template = _template_id(capsys) if case == "new --force" else ""
    args = _cli_cases(inputs)[case]
    out = inputs / "out"
    args = [a.format(out=out, template=template) for a in args]
    target = Path(next(a for a in args if a.startswith(str(out))))
    target.write_bytes(OLD)
    target.chmod(0o444)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"vsm: error: {target}: cannot write here: the file is read-only" in err
    assert "Traceback" not in err
    assert target.read_bytes() == OLD and leftovers(inputs) == []


@pytest.mark.parametrize("case", CLI_CASES)
def test_every_command_writes_through_a_link(inputs, case, capsys):
    template = _template_id(capsys) if case == "new --force" else ""
    args = _cli_cases(inputs)[case]
    out = inputs / "out"
    args = [a.format(out=out, template=template) for a in args]
    link = Path(next(a for a in args if a.startswith(str(out))))
    (inputs / "real").mkdir()
    real = inputs / "real" / f"target{link.suffix}"
    real.write_bytes(OLD)
    link.symlink_to(real)
    assert main(args) == 0, capsys.readouterr().err
    assert link.is_symlink() and real.read_bytes() != OLD and leftovers(inputs) == []


# ---------------------------------------------------------------- temporary files after a crash


def dead_process() -> tuple[int, int | None]:
    """The pid (and start ticks) of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid, None


def planted(folder: Path, name: str, pid: int, *, start: int | None = None,
            host: str | None = None, boot: str | None = None, size: int = 1000) -> Path:
    """A temporary file as a writer of process `pid` names it (see vsm.files.atomic)."""
    me = this_process()
    host_hash = atomic._host_hash(host if host is not None else me.host)
    boot_prefix = atomic._boot_prefix(me.boot_id) if boot is None else boot
    path = folder / f".{name}.{pid}-{start or 0}-{host_hash}-{boot_prefix}-0123abcd.tmp"
    path.write_bytes(b"\0" * size)
    return path


def test_a_temporary_name_carries_the_process_and_fits_a_file_name():
    name = atomic.temporary_name("doc.vsm")
    assert name.startswith(f".doc.vsm.{os.getpid()}-") and name.endswith(".tmp")
    assert atomic._TEMPORARY.search(name) and atomic._TEMPORARY.search(name + "-journal")
    long = atomic.temporary_name("ü" * 200 + ".vsm")  # 404 bytes of name
    assert len((long + "-journal").encode()) <= 255 and atomic._TEMPORARY.search(long)


def test_a_crash_during_save_leaves_temporaries_the_next_save_removes(tmp_path):
    """A real crash: a child process killed while SQLite writes its temporary file."""
    target = tmp_path / "doc.vsm"
    save_project_any(sample(), target)
    child = subprocess.Popen([sys.executable, "-c", (
        "import os, sys, sqlite3\n"
        "import vsm.files.vsm_file as f\n"
        "real = f.write_project\n"
        "def crash(db, project):\n"
        "    real(db, project)\n"
        "    os._exit(9)\n"  # mid-transaction: the temporary file and its journal stay
        "f.write_project = crash\n"
        "from tests.pure.test_one_writer import sample\n"
        f"f.save_project(sample('Crashed'), {str(target)!r})\n")], cwd=ROOT)
    assert child.wait(timeout=60) == 9
    left = leftovers(tmp_path)
    assert left and any(name.endswith(".tmp") for name in left)
    assert all(f".doc.vsm.{child.pid}-" in name for name in left)
    assert any(name.endswith("-journal") for name in left)
    save_project_any(sample("Next"), target)  # the next save in that folder
    assert leftovers(tmp_path) == []
    assert open_project(target).name == "Next"


def test_only_temporaries_of_processes_surely_gone_are_removed(tmp_path):
    me = this_process()
    dead, _ = dead_process()
    gone = planted(tmp_path, "a.vsm", dead)
    gone_journal = gone.with_name(gone.name + "-journal")
    gone_journal.write_bytes(b"journal")
    earlier_boot = planted(tmp_path, "b.vsm", os.getpid(), start=me.process_start,
                           boot="00000000" if me.boot_id else "0")
    mine = planted(tmp_path, "c.vsm", os.getpid(), start=me.process_start)  # a save under way
    parent = planted(tmp_path, "d.vsm", os.getppid())  # another live process
    elsewhere = planted(tmp_path, "e.vsm", dead, host="colleagues-laptop")  # cannot be checked
    reused = planted(tmp_path, "f.vsm", os.getpid(), start=(me.process_start or 0) + 1)
    unrelated = tmp_path / ".notes.tmp"
    unrelated.write_text("the user's own")
    removed = atomic.remove_stale_temporaries(tmp_path)
    expected = {gone, gone_journal}
    if me.boot_id:
        expected.add(earlier_boot)  # the computer restarted since: that process is gone
    if me.process_start:
        expected.add(reused)  # the pid now belongs to another program
    assert set(removed) == expected
    for kept in (mine, parent, elsewhere, unrelated):
        assert kept.exists()


def test_a_temporary_of_a_live_process_survives_writes_in_its_folder(tmp_path):
    """Another process saving in the same folder right now: its temporary file is never touched."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        theirs = planted(tmp_path, "doc.vsm", child.pid)
        for _ in range(3):
            save_json(sample(), tmp_path / "doc.json")
        assert theirs.exists()
    finally:
        child.kill()
        child.wait()
    save_json(sample(), tmp_path / "doc.json")  # gone now
    assert not theirs.exists()


def test_temporaries_of_older_versions_are_removed_only_when_old_and_beside_their_file(tmp_path):
    (tmp_path / "doc.vsm").write_bytes(OLD)
    old = tmp_path / ".doc.vsm.1a2b3c4d.tmp"
    fresh = tmp_path / ".doc.vsm.5e6f7a8b.tmp"
    orphan = tmp_path / ".gone.vsm.1a2b3c4d.tmp"  # no doc beside it: perhaps not ours
    for path in (old, fresh, orphan):
        path.write_bytes(b"x")
    day_and_more = time.time() - atomic.OLD_TEMPORARY_AGE - 60
    os.utime(old, (day_and_more, day_and_more))
    os.utime(orphan, (day_and_more, day_and_more))
    assert atomic.remove_stale_temporaries(tmp_path) == [old]


def test_cleaning_a_large_folder_examines_only_temporaries(tmp_path, monkeypatch):
    for n in range(3000):
        (tmp_path / f"file {n}.txt").touch()
    (tmp_path / ".a.json.1-2-3-4.tmp").touch()  # named like a temporary: examined
    (tmp_path / ".hidden").touch()  # hidden but no ".tmp": not examined
    examined: list[str] = []
    monkeypatch.setattr(atomic, "_left_by_the_dead",
                        lambda folder, entry: examined.append(entry.name) or False)
    assert atomic.remove_stale_temporaries(tmp_path) == []
    assert examined == [".a.json.1-2-3-4.tmp"]  # 1 of 3,002 entries: no stat, no process check


# ---------------------------------------------------------------- every write goes through it


WRITES = re.compile(r"""\bopen\([^)\n]*["'](?:w|a|x)b?\+?["']|\.write_bytes\(|\.write_text\("""
                    r"""|os\.replace\(|os\.rename\(|shutil\.(?:copy|move)|\bQSaveFile\b|\bQFile\("""
                    r"""|setOutputFileName\(|O_CREAT""")
ALLOWED = {
    "vsm/files/atomic.py",  # the writer itself
    "vsm/files/locks.py",  # lock files: created whole with O_EXCL, never replacing a file
}


def test_no_module_writes_a_file_but_the_one_writer():
    offenders = []
    for folder in ("vsm", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WRITES.search(line.split("#", 1)[0]):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


# ---------------------------------------------------------------- an unknown --map


def test_an_unknown_map_names_a_bounded_list(tmp_path, capsys):
    maps = [ValueStreamMap(f"{n:02d} " + "long name " * 45) for n in range(30)]
    path = tmp_path / "many.json"
    save_json(Project("Many", maps), path)
    # 5 names of at most 40 characters, quoted, with the unknown name cut to 40 as well:
    # about 5 x 44 + 40 + 60 characters of text, well under 400.
    for args in (["report", str(path), "--map", "nope"],
                 ["export", str(path), "--map", "nope", "-o", str(tmp_path / "x.pptx")],
                 ["compare", str(path), "--from", "nope", "--to", "nope"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and len(err) < 400, err[:300]
        assert "no map named 'nope'" in err and "… and 25 more" in err
        assert "'00 long name long name" in err and "'05 " not in err  # 30 maps: 5 named
    assert main(["report", str(path), "--map", "x" * 100_000]) == 2
    assert len(capsys.readouterr().err) < 400
