"""Every kind of bad file: one clear message naming it, never a traceback, the file untouched.

The same catalogue goes through the loader the editor uses (`vsm.files.formats.load_project`) and the
command line (`vsm report FILE`: one line on stderr, exit status 2). The editor's dialog is tested
in tests/e2e/test_file_safety.py. Spreadsheets have their own tests.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsm.files.vsm_file as storage
from tests.helpers.bad_files import CATALOGUE, IDS, make_truncated, sample, valid_vsm
from vsm.cli.main import main as cli_main
from vsm.errors import FileFormatError
from vsm.files.formats import load_project, save_json
from vsm.files.vsm_file import open_project
from vsm.model import Project


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=CATALOGUE, ids=IDS)
def bad_file(request, tmp_path: Path) -> tuple[Path, str]:
    name, make, words = request.param
    folder = tmp_path / "attachments"
    folder.mkdir()
    path = folder / name
    make(path)
    return path, words


def test_the_loader_names_the_file_and_the_problem(bad_file) -> None:
    path, words = bad_file
    before = digest(path), sorted(path.parent.iterdir())
    with pytest.raises(FileFormatError) as caught:
        load_project(path)
    message = str(caught.value)
    assert path.name in message and words in message
    assert "\n" not in message and "Traceback" not in message
    assert (digest(path), sorted(path.parent.iterdir())) == before


def test_the_cli_prints_one_line_and_exits_with_2(bad_file, capsys) -> None:
    path, words = bad_file
    before = digest(path), sorted(path.parent.iterdir())
    assert cli_main(["report", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("vsm: error: ") and path.name in lines[0] and words in lines[0]
    assert (digest(path), sorted(path.parent.iterdir())) == before


def test_the_cli_as_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "broken.vsm"
    make_truncated(path)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "vsm", "report", str(path)], cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "broken.vsm" in result.stderr
    assert "Traceback" not in result.stderr


def test_any_exception_inside_the_vsm_reader_becomes_our_error(tmp_path, monkeypatch) -> None:
    path = valid_vsm(tmp_path / "fine.vsm")

    def explode(_db):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(storage, "read_project", explode)
    with pytest.raises(FileFormatError, match="fine.vsm: damaged file: RuntimeError"):
        open_project(path)


def test_a_file_that_vanishes_while_opening_is_our_error(tmp_path, monkeypatch) -> None:
    path = valid_vsm(tmp_path / "usb.vsm")
    real_connect = sqlite3.connect

    def pulled_out(*args, **kwargs):
        path.unlink()
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(storage.sqlite3, "connect", pulled_out)
    with pytest.raises(FileFormatError, match="usb.vsm"):
        open_project(path)


# ---------------------------------------------------------------- bit flips, the editor's loader


@lru_cache(maxsize=None)
def valid_bytes(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"valid{suffix}"
        (valid_vsm if suffix == ".vsm" else lambda p: save_json(sample(), p))(path)
        return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from([".vsm", ".json"]), data=st.data())
def test_bit_flipped_files_open_or_fail_cleanly_and_quickly(suffix: str, data) -> None:
    content = bytearray(valid_bytes(suffix))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(content) - 1), st.integers(0, 7)),
                               min_size=1, max_size=6))
    for index, bit in flips:
        content[index] ^= 1 << bit
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(content))))
    content = bytes(content if cut is None else content[:cut])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"attachment{suffix}"
        path.write_bytes(content)
        started = time.monotonic()
        try:
            result = load_project(path)
        except FileFormatError as error:
            assert path.name in str(error) and "\n" not in str(error)
        else:
            assert isinstance(result, Project)
        assert time.monotonic() - started < 5, "a bad file must never hang the loader"
        assert path.read_bytes() == content
        assert [p.name for p in Path(folder).iterdir()] == [path.name]
