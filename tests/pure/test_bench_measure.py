"""The benchmark scripts' shared helpers (bench/measure.py): whole processes run, stopped and
capped as the scripts rely on, Markdown tables and sizes printed as the scripts printed them.
Nothing here asserts a speed: each child is a tiny Python process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.measure import (
    ROOT,
    best_process,
    child_environment,
    file_size,
    machine,
    markdown_table,
    run_process,
)

PYTHON = [sys.executable, "-c"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return child_environment(tmp_path)


def test_a_process_is_run_to_its_end_with_what_it_printed(env: dict[str, str]) -> None:
    code = "import sys; print('out'); print('one', file=sys.stderr); print('two', file=sys.stderr); sys.exit(3)"
    outcome = run_process([*PYTHON, code], env, timeout=60)
    assert (outcome.status, outcome.out, outcome.err) == (3, "out\n", "one\ntwo\n")
    assert outcome.said == "one" and not outcome.timed_out
    assert outcome.seconds > 0 and outcome.peak_kb > 1000  # a Python process: megabytes
    with pytest.raises(RuntimeError, match=r"failed \(3\): two$"):  # the last line of stderr
        run_process([*PYTHON, code], env, timeout=60, check=True)


def test_until_stops_the_clock_at_a_line_and_kills_the_process(env: dict[str, str]) -> None:
    code = "import time; print('ready 42', flush=True); time.sleep(600)"
    outcome = run_process([*PYTHON, code], env, timeout=60, until="ready", check=True)
    assert outcome.out == "ready 42\n" and outcome.status == -9 and not outcome.timed_out
    with pytest.raises(RuntimeError, match="ended without 'ready'"):
        run_process([*PYTHON, "print('done')"], env, timeout=60, until="ready")


def test_the_time_limit_kills_a_process_that_hangs(env: dict[str, str]) -> None:
    outcome = run_process([*PYTHON, "import time; time.sleep(600)"], env, timeout=0.5)
    assert outcome.timed_out and outcome.status == -9


def test_the_memory_cap_refuses_what_is_over_it(env: dict[str, str]) -> None:
    # 2 GB asked for under a 1 GB address-space cap: MemoryError, exit status 1.
    code = "b = bytearray(2 * 2**30)"
    outcome = run_process([*PYTHON, code], env, timeout=60, memory_cap=2**30)
    assert outcome.status == 1 and "MemoryError" in outcome.err


def test_best_process_keeps_the_last_output_and_calls_before_each_run(
        env: dict[str, str], tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    counter.write_text("")
    code = f"import pathlib; p = pathlib.Path({str(counter)!r}); print(len(p.read_text()))"
    best = best_process([*PYTHON, code], env, 3, timeout=60,
                        before_each=lambda: counter.write_text(counter.read_text() + "x"))
    assert best.out == "3\n"  # three runs, each after one more call of before_each


def test_the_child_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("DISPLAY", ":0")
    env = child_environment(tmp_path, drop=("DISPLAY",), QT_QPA_PLATFORM="offscreen")
    assert "PYTHONDONTWRITEBYTECODE" not in env and "DISPLAY" not in env
    assert env["PYTHONPATH"] == str(ROOT) and env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "pycache")


def test_markdown_tables_and_sizes_as_the_scripts_print_them() -> None:
    assert markdown_table(["process", "seconds"], [("floor", "0.68"), ("ours", 1.5)], "lr") == [
        "| process | seconds |", "| --- | ---: |", "| floor | 0.68 |", "| ours | 1.5 |"]
    with pytest.raises(ValueError, match="does not fit 2 columns"):
        markdown_table(["a", "b"], [], "l")
    # 1,363,149 bytes / 1,048,576 = 1.3 MB; 14,336 / 1,024 = 14 KB
    assert (file_size(1_363_149), file_size(14_336)) == ("1.3 MB", "14 KB")
    lines = machine(["networkx 3"])
    assert lines[0].startswith("- CPU: ") and " cores (nproc); RAM " in lines[0]
    assert lines[1].startswith("- ") and lines[1].endswith("; networkx 3") and "Python " in lines[1]
