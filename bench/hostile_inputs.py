"""Hostile and damaged inputs against the `vsm` command line: `.venv/bin/python bench/hostile_inputs.py`.

Re-runs the families of attack of the issue "Hostile and damaged inputs" as a user would: every
input is built in a temporary folder (with the builders the tests already have: the catalogue of
tests/helpers/bad_files.py, the planted SQL of tests/pure/test_hostile_vsm.py, the broken
characters and numbers of tests/pure/test_hostile_inputs.py, the zip bombs and hostile tables of
tests/pure/test_hostile_sheets.py and bench/hostile_sheets.py, the temporaries of
tests/pure/test_one_writer.py), then each command runs in a process of its own,
`python -c "import sys; from vsm.cli.main import main; sys.exit(main())" ARGS`, with a time
limit (TIMEOUT, 60 s: killed after it) and a memory cap (RLIMIT_AS, 3 GB), and its peak resident
memory is the kernel's figure for that one process (ru_maxrss from os.wait4). This parent imports
nothing of the app: the inputs are built by a child (`--build DIR`) and the outputs checked by
another (`--check SPEC`), so that a child's ru_maxrss (which starts at its parent's size) is its
own. Run it as root to also run the read-only and link cases as an ordinary user: it creates the
user `benchuser` (useradd -M) once and runs those children with setpriv as that user, keeping
only the capability to read and search folders (CAP_DAC_READ_SEARCH: the interpreter lives under
/root, which that user may not enter); writing is checked as for any user. Options: --family N
(repeat) runs only those families; --flips N changes the number of bit flips (50).

What "held" means, for one command on one input:

- an input that must be refused: exit status 2; exactly one line on stderr, naming the input file
  (the output file for a write that must fail); no "Traceback", "Exception ignored" or "internal
  error" anywhere; the input byte for byte as it was; no file created in its folder (no output,
  no temporary) and an existing target unchanged; finished within the time limit;
- an input that must load (control characters that are cleaned, exactly 20,000 steps, files at
  the limits): exit status 0, the outputs written (and, where checked, well formed: the SVG
  parsed by xml.etree, the XLSX opened by openpyxl, every XML part of the deck parsed), no
  temporary left, the input unchanged, within the time limit;
- numbers and characters exports cannot take (family 8): either of the above;
- a bit flip (family 5): refused with one line, or read with figures identical to the
  original's (the flip was in unused space); a changed report, a crash or a hang fails;
- a link (family 6): written through, the link kept and still pointing where it did, the file
  it points to replaced and keeping its permissions, no temporary left on either side;
- temporaries (family 7): those of dead processes (and an old version's, a day old, beside its
  file) removed, those of a live process, another computer and the user's own kept.

Prints one row per family (tried, held, failed, worst seconds, worst peak MB), the details of
every failure (input, command, what was expected and what happened), then every spreadsheet
case of family 1 with its peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.measure import (  # noqa: E402
    Outcome,
    build_in_child,
    child_environment,
    file_size,
    own_peak_kb,
    run_process,
)

TIMEOUT = 60.0  # seconds: a command still running then is killed (a hang, or a bomb that got in)
MEMORY_CAP = 3 * 2**30  # RLIMIT_AS of every command
USER = "benchuser"  # the ordinary user of the read-only and link cases (family 6)
CLI = [sys.executable, "-c", "import sys; from vsm.cli.main import main; sys.exit(main())"]
OLD = b"the old content"
FLIPS = 50
SEED = 20_260_301
ONE_MAP = "Current state"
UNWANTED = ("Traceback", "Exception ignored", "internal error")

FAMILIES = {
    "1": "spreadsheet bombs & hostile tables",
    "2": ".vsm files with planted SQL",
    "2b": "damaged & foreign files (catalogue)",
    "3": "lone surrogates in vsm-json",
    "4": "lock files & working-copy notes",
    "5": "single-bit flips of a .vsm",
    "6": "read-only & linked targets",
    "7": "temporaries left by a crash",
    "8": "numbers & characters exports can't take",
    "10": "smaller cases",
}


# ---------------------------------------------------------------- running one command


@dataclass
class Try:
    """One command on one input, judged."""

    family: str
    input: str
    command: str
    problems: list[str]
    outcome: Outcome
    expect: str
    size: int = 0

    @property
    def held(self) -> bool:
        return not self.problems

    @property
    def said(self) -> str:
        return self.outcome.said[:160]


def run_command(command: list[str], cwd: Path, env: dict[str, str]) -> Outcome:
    """Run `command` with the time limit and memory cap; its peak memory from os.wait4."""
    return run_process(command, env, cwd=cwd, timeout=TIMEOUT, memory_cap=MEMORY_CAP)


def state(path: Path) -> tuple:
    """What must not change about a path: a file's bytes (or its size and time when large) and
    mode, a link's target, another kind's mode; None when missing."""
    try:
        status = path.lstat()
    except FileNotFoundError:
        return ("missing",)
    if stat.S_ISLNK(status.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISREG(status.st_mode):
        if status.st_size > 64 * 2**20:
            return ("file", status.st_size, status.st_mtime_ns, status.st_mode)
        with open(path, "rb") as file:  # in chunks: this process stays small (see the module)
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        return ("file", digest, status.st_mode, status.st_uid)
    return ("other", status.st_mode, status.st_size)


def listing(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


def _shown(args: list[str]) -> str:
    text = "vsm " + " ".join(shlex.quote(a if len(a) <= 60 else a[:20] + f"…({len(a):,} chars)")
                             for a in args)
    return text if len(text) <= 140 else text[:139] + "…"


# ---------------------------------------------------------------- the bench


@dataclass
class Bench:
    scratch: Path
    env: dict[str, str]
    user_env: dict[str, str] | None
    user_ids: tuple[int, int] | None
    tries: list[Try] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def command(self, args: list[str], user: bool) -> list[str]:
        if not user:
            return [*CLI, *args]
        assert self.user_ids is not None
        uid, gid = self.user_ids
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *CLI, *args]

    def run(self, family: str, label: str, args: list[str], cwd: Path, *, expect: str,
            names: str = "", watch: Iterable[Path] = (), outputs: Iterable[str] = (),
            folders: Iterable[Path] = (), user: bool = False, check: bool = False,
            extra: Callable[[Outcome, set[str]], list[str]] | None = None,
            keep: bool = False, max_line: int | None = None) -> Try:
        """Run `vsm ARGS` in `cwd` and judge it (see the module's docstring).

        expect: "refuse" (exit 2 and one line naming `names`), "load" (exit 0, each pattern of
        `outputs` matched by a new file of `cwd`) or "either" (judged by its exit status).
        `watch` must not change, nor may the listings of `folders` (besides `cwd`) for a refusal.
        `check` sends the new files to the checker child; `extra` adds problems of its own.
        New files are removed afterwards unless `keep`."""
        watch = list(watch)
        folders = [cwd, *folders]
        before_states = {path: state(path) for path in watch}
        before_lists = {folder: listing(folder) for folder in folders}
        outcome = run_command(self.command(args, user), cwd, self.user_env if user else self.env)
        new = listing(cwd) - before_lists[cwd]
        problems: list[str] = []
        if outcome.timed_out:
            problems.append(f"still running after {TIMEOUT:.0f} s: killed")
        everything = outcome.out + outcome.err
        for word in UNWANTED:
            if word in everything:
                problems.append(f"printed {word!r}: "
                                + _first_with(everything, word)[:200])
        for path, before in before_states.items():
            if state(path) != before:
                problems.append(f"{path.name} changed ({before[0]} → {state(path)[0]})")
        judged = expect
        if expect == "either":
            judged = "refuse" if outcome.status == 2 else "load"
        if judged == "refuse":
            lines = outcome.err.splitlines()
            if outcome.status != 2:
                problems.append(f"exit {outcome.status}, expected 2")
            if len(lines) != 1 or not outcome.err.endswith("\n"):
                problems.append(f"{len(lines)} lines on stderr, expected 1")
            if names and not any(names in line for line in lines[:1]):
                problems.append(f"the error line does not name {names}")
            if max_line is not None and lines and len(lines[0]) >= max_line:
                problems.append(f"the error line is {len(lines[0]):,} characters long "
                                f"(expected < {max_line})")
            for folder in folders:
                created = listing(folder) - before_lists[folder]
                gone = before_lists[folder] - listing(folder)
                if created:
                    problems.append(f"created {sorted(created)} in {folder.name}/")
                if gone:
                    problems.append(f"removed {sorted(gone)} from {folder.name}/")
        else:
            if outcome.status != 0:
                problems.append(f"exit {outcome.status}, expected 0: "
                                + (outcome.err.strip().splitlines() or [""])[0][:200])
            for pattern in outputs:
                if not any(Path(name).match(pattern) for name in new):
                    problems.append(f"no {pattern} written")
            left = sorted(name for name in new if ".tmp" in name)
            if left:
                problems.append(f"temporaries left: {left}")
            if check and outcome.status == 0:
                problems += self.check({"files": [os.fspath(cwd / name) for name in sorted(new)
                                                  if ".tmp" not in name]})
        if extra is not None:
            problems += extra(outcome, new)
        if not keep:
            for name in new:
                _remove(cwd / name)
        size = 0
        attempt = Try(family, label, _shown(args), problems, outcome, expect, size)
        self.tries.append(attempt)
        return attempt

    def check(self, spec: dict[str, Any]) -> list[str]:
        """The checker child's problems with the files of `spec` (see check())."""
        done = subprocess.run([sys.executable, os.fspath(Path(__file__).resolve()), "--check",
                               json.dumps(spec)], capture_output=True, text=True, cwd=ROOT,
                              env=self.env, timeout=600)
        if done.returncode != 0:
            return [f"the checker failed: {done.stderr.strip()[-300:]}"]
        return json.loads(done.stdout)

    def note(self, family: str, text: str) -> None:
        self.notes.setdefault(family, []).append(text)


def _first_with(text: str, word: str) -> str:
    return next((line.strip() for line in text.splitlines() if word in line), "")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def project_commands(file: str, map_name: str = ONE_MAP, compare: list[str] | None = None,
                     ) -> list[tuple[list[str], list[str]]]:
    """report, convert (to .json), compare (a map with itself unless `compare`), plan, and
    export to pptx, csv (--map), xlsx, svg and png: (args, outputs)."""
    between = ["--from", map_name, "--to", map_name] if compare is None else compare
    return [(["report", file], []),
            (["convert", file, "x.json"], ["x.json"]),
            (["compare", file, *between], []),
            (["plan", file], []),
            (["export", file, "-o", "x.pptx"], ["x.pptx"]),
            (["export", file, "--map", map_name, "-o", "x.csv"], ["x.csv"]),
            (["export", file, "-o", "x.xlsx"], ["x.xlsx"]),
            (["export", file, "-o", "x.svg"], ["x*.svg"]),
            (["export", file, "-o", "x.png"], ["x*.png"])]


def export_commands(file: str, map_name: str) -> list[tuple[list[str], list[str]]]:
    """report and every export format: (args, outputs)."""
    return [(["report", file], []),
            (["export", file, "-o", "x.pptx"], ["x.pptx"]),
            (["export", file, "--map", map_name, "-o", "x.csv"], ["x.csv"]),
            (["export", file, "-o", "x.xlsx"], ["x.xlsx"]),
            (["export", file, "-o", "x.svg"], ["x*.svg"]),
            (["export", file, "-o", "x.png"], ["x*.png"]),
            (["export", file, "-o", "x.pdf"], ["x.pdf"]),
            (["export", file, "--format", "a3", "-o", "x-a3.pdf"], ["x-a3.pdf"])]


# ---------------------------------------------------------------- family 1: tables


def family_1(bench: Bench, manifest: dict[str, Any]) -> None:
    folder = bench.scratch / "f1"
    for case in manifest["1"]:
        path = folder / case["file"]
        attempt = bench.run("1", case["file"], ["import", case["file"], "-o", "out.vsm"], folder,
                            expect=case["expect"], names=case["file"], watch=[path],
                            outputs=["out.vsm"])
        attempt.size = case["size"]


# ---------------------------------------------------------------- families 2, 2b, 3: loading


def family_files(bench: Bench, manifest: dict[str, Any], family: str) -> None:
    folder = bench.scratch / f"f{family}"
    for case in manifest[family]:
        path = folder / case["file"]
        for args, outputs in project_commands(case["file"], compare=case.get("compare")):
            bench.run(family, case["file"], args, folder, expect=case["expect"],
                      names=case["file"], watch=[path], outputs=outputs)


# ---------------------------------------------------------------- family 4: locks and notes


def family_4(bench: Bench, manifest: dict[str, Any]) -> None:
    data = bench.scratch / "data" / "working-copies"
    notes = sorted(data.iterdir()) if data.is_dir() else []
    for case in manifest["4"]:
        folder = bench.scratch / "f4" / case["folder"]
        watch = [folder / "doc.vsm", *(folder / name for name in case["watch"]), *notes]
        for args, outputs in [(["report", "doc.vsm"], []),
                              (["convert", "doc.vsm", "x.json"], ["x.json"]),
                              (["export", "doc.vsm", "-o", "x.pptx"], ["x.pptx"])]:
            bench.run("4", case["about"], args, folder, expect="load", watch=watch,
                      outputs=outputs)
    bench.note("4", "the command line takes no lock and reads no working copy (vsm/cli imports "
                    "neither vsm.files.locks nor vsm.files.working_copies): the runs above show "
                    "it unaffected by hostile notes beside the document and in the data folder; "
                    "reading them is covered by tests only: " + ", ".join(manifest["4 tests"]))


# ---------------------------------------------------------------- family 5: bit flips


def family_5(bench: Bench, manifest: dict[str, Any], flips: int) -> None:
    folder = bench.scratch / "f5"
    original = folder / "original.vsm"
    reference = bench.run("5", "original.vsm", ["report", "original.vsm"], folder, expect="load")
    bench.tries.remove(reference)
    if reference.outcome.status != 0:
        bench.note("5", f"the original does not report: {reference.said}")
        return
    data = original.read_bytes()
    rng = random.Random(SEED)
    positions = sorted(rng.sample(range(len(data)), flips))
    def same_figures(outcome: Outcome, new: set[str]) -> list[str]:
        if outcome.status == 0 and outcome.out != reference.outcome.out:
            return ["read with figures other than the original's (changed silently)"]
        return []

    counts = {"refused": 0, "by the checksum": 0, "identical": 0, "changed": 0, "crashed": 0}
    for number, position in enumerate(positions):
        bit = rng.randrange(8)
        name = f"flip-{number:02d}.vsm"
        changed = bytearray(data)
        changed[position] ^= 1 << bit
        (folder / name).write_bytes(bytes(changed))

        attempt = bench.run("5", f"{name} (byte {position:,} bit {bit})", ["report", name],
                            folder, expect="either", names=name, watch=[folder / name],
                            extra=same_figures)
        (folder / name).unlink()
        if attempt.outcome.status == 2 and attempt.held:
            counts["refused"] += 1
            counts["by the checksum"] += "changed outside VSM Studio" in attempt.outcome.err
        elif attempt.outcome.status == 0 and attempt.held:
            counts["identical"] += 1
        elif attempt.outcome.status == 0:
            counts["changed"] += 1
        else:
            counts["crashed"] += 1
    bench.note("5", f"{flips} flips of {original.name} ({len(data):,} bytes, seed {SEED}): "
                    f"{counts['refused']} refused with one line ({counts['by the checksum']} of "
                    f"them by the checksum), {counts['identical']} read identical, "
                    f"{counts['changed']} changed silently, {counts['crashed']} crashed, hung or "
                    "said more than one line")


# ---------------------------------------------------------------- family 6: read-only, links


def write_commands() -> list[tuple[str, list[str], str]]:
    """(what, args, the target's name) of every command that writes a file."""
    return [("convert to json", ["convert", "in.vsm", "out.json"], "out.json"),
            ("convert to vsm", ["convert", "in.json", "out.vsm"], "out.vsm"),
            *[(f"export {f}", ["export", "in.json", "-o", f"out.{f}"], f"out.{f}")
              for f in ("pptx", "xlsx", "svg", "png", "pdf")],
            ("export csv", ["export", "in.json", "--map", ONE_MAP, "-o", "out.csv"], "out.csv"),
            ("export a3", ["export", "in.json", "--format", "a3", "-o", "out-a3.pdf"],
             "out-a3.pdf"),
            ("plan -o", ["plan", "in.json", "-o", "plan.csv"], "plan.csv"),
            ("import --force json", ["import", "table.csv", "-o", "out.json", "--force"],
             "out.json"),
            ("import --force vsm", ["import", "table.csv", "-o", "out.vsm", "--force"], "out.vsm")]


def _chown_tree(folder: Path, ids: tuple[int, int] | None) -> None:
    if ids is None:
        return
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, *ids)


def family_6(bench: Bench) -> None:
    seed = bench.scratch / "f6seed"
    ids = bench.user_ids
    scenarios = [("root, mode 444", False, "read-only"), ("root, link", False, "link")]
    if ids is not None:
        scenarios += [(f"{USER}, own file mode 444", True, "read-only"),
                      (f"{USER}, root's file mode 644", True, "foreign"),
                      (f"{USER}, link", True, "link"),
                      (f"{USER}, link to a mode-444 file", True, "link to read-only")]
        bench.note("6", f"the {USER} cases ran as uid {ids[0]} through setpriv (--reuid, "
                        "--clear-groups), keeping only CAP_DAC_READ_SEARCH so that it could reach "
                        "the interpreter under /root (reading and searching folders; writing is "
                        "checked as for any user). Root's mode-444 case is refused too: the "
                        "writer refuses a file without any write bit whoever runs it")
    else:
        bench.note("6", f"no ordinary user ({USER}): run as root with setpriv available to run "
                        "the cases of an ordinary user; only root's were run")
    for number, (who, as_user, kind) in enumerate(scenarios):
        for index, (_what, args, target_name) in enumerate(write_commands()):
            case = bench.scratch / "f6" / f"{number}-{index}"
            here = case / "here"
            real_folder = case / "real"
            here.mkdir(parents=True)
            real_folder.mkdir()
            for name in ("in.json", "in.vsm", "table.csv"):
                shutil.copy(seed / name, here / name)
            target = here / target_name
            real = real_folder / f"target{target.suffix}"
            _chown_tree(case, ids if as_user else None)
            label = f"{who}: {target_name}"
            if kind in ("read-only", "foreign"):
                target.write_bytes(OLD)
                if kind == "read-only":
                    os.chown(target, *(ids if as_user and ids else (0, 0)))
                    target.chmod(0o444)
                else:
                    os.chown(target, 0, 0)
                    target.chmod(0o644)
                bench.run("6", label, args, here, expect="refuse", names=target_name,
                          watch=[target, here / args[1]], user=as_user)
                continue
            real.write_bytes(OLD)
            real.chmod(0o444 if kind == "link to read-only" else 0o640)
            if as_user and ids is not None:
                os.chown(real, *ids)
            target.symlink_to(real)
            if as_user and ids is not None:
                os.lchown(target, *ids)
            if kind == "link to read-only":
                bench.run("6", label + " → ../real (444)", args, here, expect="refuse",
                          names=target_name, watch=[target, real], folders=[real_folder],
                          user=as_user)
                continue

            def through(outcome: Outcome, new: set[str], target: Path = target,
                        real: Path = real, real_folder: Path = real_folder) -> list[str]:
                problems = []
                if not target.is_symlink() or os.readlink(target) != os.fspath(real):
                    problems.append("the link was not kept")
                if real.read_bytes() == OLD:
                    problems.append("the file the link points to was not replaced")
                if stat.S_IMODE(real.stat().st_mode) != 0o640:
                    problems.append(f"its mode became {stat.S_IMODE(real.stat().st_mode):o}")
                if sorted(os.listdir(real_folder)) != [real.name]:
                    problems.append(f"left in its folder: {sorted(os.listdir(real_folder))}")
                if new:
                    problems.append(f"created beside the link: {sorted(new)}")
                return problems

            bench.run("6", label + " → ../real", args, here, expect="load", user=as_user,
                      watch=[here / args[1]], extra=through)


# ---------------------------------------------------------------- family 7: temporaries


def family_7(bench: Bench, manifest: dict[str, Any]) -> None:
    for case in manifest["7"]:
        folder = bench.scratch / "f7" / case["folder"]

        def tidied(outcome: Outcome, new: set[str], case: dict[str, Any] = case,
                   folder: Path = folder) -> list[str]:
            there = listing(folder)
            problems = [f"not removed: {name} ({why})" for name, why in case["removed"].items()
                        if name in there]
            problems += [f"removed: {name} ({why})" for name, why in case["kept"].items()
                         if name not in there]
            return problems

        bench.run("7", f"{case['folder']}: {len(case['removed'])} stale and "
                       f"{len(case['kept'])} live temporaries", case["args"], folder,
                  expect="load", outputs=[case["output"]], extra=tidied,
                  watch=[folder / "a.json", *(folder / name for name in case["kept"])])


# ---------------------------------------------------------------- family 8: exports


def family_8(bench: Bench, manifest: dict[str, Any]) -> None:
    folder = bench.scratch / "f8"
    for case in manifest["8"]:
        path = folder / case["file"]
        expect = case["expect"]
        outcomes = []
        for args, outputs in export_commands(case["file"], case["map"]):

            top = listing(bench.scratch)

            def outside(outcome: Outcome, new: set[str], top: set[str] = top) -> list[str]:
                strays = sorted(listing(bench.scratch) - top)
                return [f"wrote outside its folder: {strays}"] if strays else []

            attempt = bench.run("8", case["file"], args, folder, expect=expect,
                                names=case["file"], watch=[path], outputs=outputs, check=True,
                                extra=outside)
            outcomes.append("refused" if attempt.outcome.status == 2 else
                            "loaded" if attempt.outcome.status == 0 else
                            f"exit {attempt.outcome.status}")
        shown = sorted(set(outcomes))
        said = (bench.tries[-1].outcome.err.splitlines() or [""])[0]
        bench.note("8", f"{case['file']}: {', '.join(shown)}"
                        + (f" ({said[:260]})" if shown == ["refused"] else ""))


# ---------------------------------------------------------------- family 10: smaller cases


def family_10(bench: Bench, manifest: dict[str, Any]) -> None:
    folder = bench.scratch / "f10"
    info = manifest["10"]
    # Review(2): export a step table, import it, compare steps and flows
    for map_name, stem in (("Mixed", "mixed"), ("Test map", "lone")):
        bench.run("10", f"review.json, map {map_name!r}",
                  ["export", "review.json", "--map", map_name, "-o", f"{stem}.csv"], folder,
                  expect="load", outputs=[f"{stem}.csv"], watch=[folder / "review.json"],
                  keep=True)

        def same(outcome: Outcome, new: set[str], map_name: str = map_name,
                 stem: str = stem) -> list[str]:
            if outcome.status != 0:
                return []
            return bench.check({"roundtrip": {"project": os.fspath(folder / "review.json"),
                                              "map": map_name,
                                              "back": os.fspath(folder / f"{stem}.json")}})

        bench.run("10", f"{stem}.csv (exported from map {map_name!r})",
                  ["import", f"{stem}.csv", "-o", f"{stem}.json"], folder, expect="load",
                  outputs=[f"{stem}.json"], watch=[folder / f"{stem}.csv"], extra=same)
        (folder / f"{stem}.csv").unlink()
    # 20,000 steps and one more
    for name, expect in (("steps-20000.csv", "load"), ("steps-20001.csv", "refuse")):
        bench.run("10", name, ["import", name, "-o", "out.vsm"], folder, expect=expect,
                  names=name, watch=[folder / name], outputs=["out.vsm"])
    big = bench.run("10", "big.json (20,000 steps)",
                    ["export", "big.json", "--map", info["big map"], "-o", "big.csv"], folder,
                    expect="load", outputs=["big.csv"], watch=[folder / "big.json"])
    bench.note("10", f"20,000-step CSV export: {big.outcome.seconds:.1f} s, "
                     f"{big.outcome.peak_kb / 1024:.0f} MB")
    # a 10 MB step name
    for args in (["report", "huge-name.json"], ["export", "huge-name.json", "-o", "x.pptx"]):
        bench.run("10", "huge-name.json (a 10 MB step name)", args, folder, expect="refuse",
                  names="huge-name.json", watch=[folder / "huge-name.json"], max_line=500)
    # an unknown map among 1,000 long names
    for args in (["report", "many.json", "--map", "nope"],
                 ["export", "many.json", "--map", "nope", "-o", "x.pptx"],
                 ["compare", "many.json", "--from", "nope", "--to", "nope"],
                 ["report", "many.json", "--map", "x" * 100_000]):
        bench.run("10", "many.json (1,000 maps of 455-character names)", args, folder,
                  expect="refuse", watch=[folder / "many.json"], max_line=500)
    # a folder at the lock path
    lock_folder = bench.scratch / "f10lock"
    for args, outputs in [(["report", "doc.vsm"], []),
                          (["convert", "doc.vsm", "x.json"], ["x.json"]),
                          (["export", "doc.vsm", "-o", "x.pptx"], ["x.pptx"])]:
        bench.run("10", f"doc.vsm with a folder at {info['lock']}", args, lock_folder,
                  expect="load", outputs=outputs,
                  watch=[lock_folder / "doc.vsm", lock_folder / info["lock"]])
    bench.note("10", f"a folder at the lock path ({info['lock']}): the command line takes no "
                     "lock, so it is unaffected (see the three runs); the editor's refusal is "
                     "covered by test_a_folder_at_the_lock_path_is_a_lock_that_cannot_be_taken")


# ---------------------------------------------------------------- building the inputs (a child)


def build(folder: Path, live_pid: int) -> None:
    """Write every input under `folder` and `folder`/manifest.json (run as `--build DIR`)."""
    manifest: dict[str, Any] = {}
    for name in ("f1", "f2", "f2b", "f3", "f4", "f5", "f6seed", "f7", "f8", "f10", "f10lock",
                 "data"):
        (folder / name).mkdir()
    manifest["1"] = build_tables(folder / "f1")
    manifest["2"] = build_planted(folder / "f2")
    manifest["2b"] = build_catalogue(folder / "f2b")
    manifest["3"] = build_surrogates(folder / "f3")
    manifest["4"], manifest["4 tests"] = build_notes(folder / "f4", folder / "data")
    build_flip_original(folder / "f5")
    build_write_seeds(folder / "f6seed")
    manifest["7"] = build_temporaries(folder / "f7", live_pid)
    manifest["8"] = build_exports(folder / "f8")
    manifest["10"] = build_smaller(folder / "f10", folder / "f10lock")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def build_tables(folder: Path) -> list[dict[str, Any]]:
    """Family 1: the workbooks and CSV files of tests/pure/test_hostile_sheets.py and
    bench/hostile_sheets.py, at the real limits (none monkeypatched)."""
    import zipfile
    import zlib

    from bench import hostile_sheets as bs
    from tests.pure import test_hostile_sheets as hs
    from vsm.files import sheet_limits as limits

    parts = bs._base(folder)  # base.xlsx: the table of the tests (name, next; Log, Close)
    cases: list[tuple[str, str, str]] = [("base.xlsx", "load", "the base table")]
    bs.floor_table(folder)
    cases.append(("floor.xlsx", "load", "200 steps"))
    bs.shared_strings_bomb(folder, parts)
    cases.append(("sharedstrings-bomb.xlsx", "refuse", "1,024 MB of shared strings"))
    bs.wide_dimension(folder, parts)
    cases.append(("wide-dimension.xlsx", "load", "A1:XFD20001 over 20,000 steps"))
    bs.blank_rows(folder, parts)
    cases.append(("blank-rows.xlsx", "refuse", "5,000,000 blank rows"))

    def book(name: str, expect: str, about: str, changes: dict[str, Any]) -> None:
        hs.workbook(folder / name, parts, changes)
        cases.append((name, expect, about))

    # a real bomb whose zip declares a harmless size: the reader must stop at the size declared
    body = b"".join([b"<si><t>" + b"a" * 32_760 + b"</t></si>"] * 32)
    head = f'<sst xmlns="{hs.MAIN}"><si><t>name</t></si><si><t>Log</t></si>'.encode()
    bomb = hs.repeated(head, body, 1024, b"</sst>")
    lying = hs.Packed(bomb.data, 1_000_000, bomb.crc)
    book("lying-size-bomb.xlsx", "refuse", "1,024 MB of strings declared as 1 MB",
         hs.with_strings(parts, lying))
    for part in (hs.STRINGS, hs.SHEET, "xl/styles.xml", "xl/workbook.xml", hs.WORKBOOK_RELS):
        changes = hs.with_strings(parts, hs.string_table(["name", "Log"])) \
            if part == hs.STRINGS else {}
        raw = changes[part] if part in changes else parts[part]
        book(f"ratio-bomb-{part.replace('/', '_')}.xlsx", "refuse", "2 MB of spaces, 1,000:1",
             {**changes, part: hs.with_comment(raw, b" " * 2 * 2**20)})
    raw = hs.with_comment(parts["xl/styles.xml"], hs.random_text(limits.MAX_SMALL_PART_BYTES))
    book("big-styles.xlsx", "refuse", "styles of 8 MB and more (random hex)",
         {"xl/styles.xml": raw})
    strings = ["name", "Log", *[os.urandom(16_000).hex() for _ in range(
        limits.MAX_TEXT_CHARACTERS // 32_000 + 50)]]
    book("text-budget.xlsx", "refuse", "65 M characters of shared strings (random hex)",
         hs.with_strings(parts, hs.string_table(strings)))
    blanks = "".join(f'<c r="{c}{{n}}" s="1"/>' for c in "ABCDEFGHIJKLMNOPQRSTU")
    rows = hs.HEADER_ROW + "".join(f'<row r="{n}">{blanks.format(n=n)}</row>'
                                   for n in range(2, limits.MAX_ROWS_READ + 1))
    book("cells-budget.xlsx", "refuse", "2.1 M blank styled cells",
         {hs.SHEET: hs.sheet(parts, rows)})
    book("wide-dimension-3-rows.xlsx", "load", "A1:XFD20000 over three rows",
         {hs.SHEET: hs.sheet(parts, hs.table_data(parts), dimension="A1:XFD20000")})
    for numbered in (True, False):
        blank = (f'<row r="{n}"/>' if numbered else "<row/>" for n in range(2, 100_003))
        book(f"blank-100001{'-r' if numbered else ''}.xlsx", "refuse", "100,001 rows read",
             {hs.SHEET: hs.sheet(parts, hs.HEADER_ROW + "".join(blank))})
    blank_at = "".join(f'<row r="{n}"/>' for n in range(4, 100_001))
    book("blank-100000.xlsx", "load", "100,000 rows read, the limit",
         {hs.SHEET: hs.sheet(parts, hs.table_data(parts) + blank_at)})
    for number, expect in ((100_000, "load"), (1_048_576, "refuse")):
        rows = (f'{hs.HEADER_ROW}<row r="2">{hs.cell("A2", "Log")}</row><row r="{number}">'
                f'{hs.cell(f"A{number}", "Late")}</row>')
        book(f"late-row-{number}.xlsx", expect, f"a value on row {number:,}",
             {hs.SHEET: hs.sheet(parts, rows)})
    for reference, expect in (("CV2", "load"), ("XFD2", "refuse")):
        rows = f'{hs.HEADER_ROW}<row r="2">{hs.cell("A2", "Log")}{hs.cell(reference, "far")}</row>'
        book(f"far-column-{reference}.xlsx", expect, f"a value in {reference}",
             {hs.SHEET: hs.sheet(parts, rows)})
    for kind, xml in hs.LONG_CELLS.items():
        book(f"long-cell-{kind.replace(' ', '-')}.xlsx", "refuse", "32,768 characters",
             {hs.SHEET: hs.sheet(parts, f'{hs.HEADER_ROW}<row r="2">{xml}</row>')})
    text = "x" * limits.MAX_CELL_CHARACTERS  # in a column without a header: read, not used
    rows = f'{hs.HEADER_ROW}<row r="2">{hs.cell("A2", "Log")}{hs.cell("C2", text)}</row>'
    book("cell-at-limit.xlsx", "load", "32,767 characters in C2 (no header)",
         {hs.SHEET: hs.sheet(parts, rows)})
    table = f'<sst xmlns="{hs.MAIN}"><si><t>name</t></si><si><t>{hs.LONG}</t></si></sst>'
    book("long-shared-string.xlsx", "refuse", "a shared string of 32,768 characters",
         hs.with_strings(parts, table.encode()))
    extra = {f"xl/media/image{n}.png": b"" for n in range(limits.MAX_ZIP_ENTRIES)}
    book("zip-entries.xlsx", "refuse", f"{limits.MAX_ZIP_ENTRIES + len(parts):,} files", extra)
    for dtd_name, (root, declarations, reference) in hs.DTDS.items():
        for part in (hs.SHEET, hs.STRINGS, "xl/workbook.xml", "xl/styles.xml",
                     hs.WORKBOOK_RELS, "_rels/.rels"):
            changes = dict(hs.with_strings(parts, hs.string_table(["name", "Log"])))
            if part == hs.SHEET:
                changes[hs.SHEET] = hs.sheet(parts, f'{hs.HEADER_ROW}<row r="2"><c r="A2" '
                                                    f't="inlineStr"><is><t>{reference}</t></is>'
                                                    '</c></row>')
            elif part == hs.STRINGS:
                changes[hs.STRINGS] = hs.string_table(["name", "Log"]).replace(
                    b">Log<", reference.encode())
            raw = changes[part] if part in changes else parts[part]
            at = raw.index(b"?>") + 2 if raw.startswith(b"<?xml") else 0
            changes[part] = raw[:at] + f"<!DOCTYPE {root} [{declarations}]>".encode() + raw[at:]
            book(f"dtd-{dtd_name.replace(' ', '-')}-{part.replace('/', '_')}.xlsx", "refuse",
                 f"{dtd_name} in {part}", changes)
    book("missing-sheet.xlsx", "refuse", "the sheet's part is missing", {hs.SHEET: None})
    for number in ("abc", "1e400", "-5", "٣"):
        rows = f'{hs.HEADER_ROW}<row r="{number}">{hs.cell("A2", "Log")}</row>'
        book(f"row-number-{number}.xlsx", "refuse", f"row r={number!r}",
             {hs.SHEET: hs.sheet(parts, rows)})
    import bz2

    raw = parts[hs.SHEET]
    for method, data in ((zipfile.ZIP_BZIP2, bz2.compress(raw)), (99, raw)):
        book(f"method-{method}.xlsx", "refuse", f"compression method {method}",
             {hs.SHEET: hs.Packed(data, len(raw), zlib.crc32(raw), method)})
    hs._steps_xlsx(folder / "steps-20000.xlsx", limits.MAX_STEPS, parts)
    cases.append(("steps-20000.xlsx", "load", "20,000 steps"))
    hs._steps_xlsx(folder / "steps-20001.xlsx", limits.MAX_STEPS + 1, parts)
    cases.append(("steps-20001.xlsx", "refuse", "20,001 steps"))

    def text_file(name: str, expect: str, about: str, content: str) -> None:
        (folder / name).write_text(content, encoding="utf-8")
        cases.append((name, expect, about))

    text_file("far-column.csv", "refuse", "a value in column 101",
              "name\nLog" + "," * 99 + "\nFar" + "," * 100 + "x\n")
    text_file("long-cell.csv", "refuse", "a cell of 32,768 characters", f"name,notes\nLog,{hs.LONG}\n")
    text_file("long-row.csv", "refuse", "a row of 1,000,001 characters",
              "name,notes\nLog,short\nBig," + "y" * limits.MAX_RECORD_CHARACTERS + "\n")
    cells = ",".join(['"' + "z" * 8_999 + '\n"'] * 120)
    text_file("multiline-record.csv", "refuse", "one record of 1,080,360 characters on 121 lines",
              f"name,notes\nLog,short\n{cells}\nClose,\n")
    lines = "\n".join(["w" * 4_000] * 50)
    text_file("long-cell-50-lines.csv", "refuse", "a cell of 200,000 characters on 50 lines",
              f'name,notes\nLog,"{lines}"\n')
    text_file("control-characters.csv", "load", "control characters in cells",
              'name,next,notes\nLog\x0bit,Fix,"a\r\nb\x1bc"\nFix,,\n')
    with open(folder / "huge-sparse.csv", "wb") as file:
        file.write(b"name\nLog\n")
        file.truncate(2**30)
    cases.append(("huge-sparse.csv", "refuse", "1 GB (sparse)"))
    for suffix in (".csv", ".xlsx"):
        os.mkfifo(folder / f"fifo{suffix}")
        cases.append((f"fifo{suffix}", "refuse", "a named pipe"))
        (folder / f"zero{suffix}").symlink_to("/dev/zero")
        cases.append((f"zero{suffix}", "refuse", "a link to /dev/zero"))
    return [{"file": name, "expect": expect, "about": about,
             "size": (folder / name).lstat().st_size if (folder / name).is_file() else 0}
            for name, expect, about in cases]


def build_planted(folder: Path) -> list[dict[str, Any]]:
    """Family 2: files of schema versions 1 to 3 and current ones with SQL planted, contents
    changed behind the checksum, and files that must still open."""
    from tests.pure import test_hostile_vsm as hv

    cases: list[dict[str, Any]] = []
    for version in (1, 2, 3):
        for kind, sql in hv.TRIGGERS.items():
            path = hv.old_file(folder / f"v{version}-trigger-{kind}.vsm", version)
            hv.run_sql(path, "CREATE TRIGGER planted AFTER INSERT ON _sqlite_migrations BEGIN "
                             f"{sql} END")
            cases.append({"file": path.name, "expect": "refuse"})
    path = hv.old_file(folder / "v2-default-randomblob.vsm", 2)
    hv.run_sql(path, "DROP TABLE _sqlite_migrations",
               "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
               "name TEXT, applied_at TEXT, junk BLOB DEFAULT (randomblob(300000000)))",
               "INSERT INTO _sqlite_migrations (migration_set, name, applied_at, junk) VALUES "
               "('vsm', '0001_initial', 'x', x'00'), ('vsm', '0002_kaizens', 'x', x'00')")
    cases.append({"file": path.name, "expect": "refuse"})
    for kind, (plant, _words) in hv.PLANTED.items():
        path = hv.current_file(folder / f"current-{kind.replace(' ', '-')}.vsm")
        plant(path)
        cases.append({"file": path.name, "expect": "refuse"})
    for number, sql in enumerate([  # test_a_content_changed_outside_is_refused_with_the_project_read
            "UPDATE steps SET wait_time = 5536 WHERE id = 's1'",
            "UPDATE steps SET name = 'Step 1 è' WHERE id = 's1'",
            "UPDATE steps SET position = 99 WHERE id = 's0'",
            "DELETE FROM flows WHERE id = 'f3'",
            "UPDATE maps SET demand = 13.5",
            "UPDATE project SET name = 'Other'"]):
        path = hv.current_file(folder / f"changed-{number}.vsm")
        hv.run_sql(path, sql)
        cases.append({"file": path.name, "expect": "refuse"})
    path = hv.current_file(folder / "checksum-missing.vsm")
    hv.run_sql(path, "DELETE FROM metadata")
    cases.append({"file": path.name, "expect": "refuse"})
    path = hv.current_file(folder / "value-17MB.vsm")
    hv.run_sql(path, "UPDATE steps SET notes = hex(zeroblob(8500000)) WHERE id = 's1'")
    cases.append({"file": path.name, "expect": "refuse"})
    for version in (1, 2, 3):
        path = hv.old_file(folder / f"v{version}-clean.vsm", version)
        cases.append({"file": path.name, "expect": "load"})
    path = hv.old_file(folder / "v1-forged-history.vsm", 1)
    hv.run_sql(path, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES "
                     "('vsm', '0002_kaizens', 'x'), ('vsm', '0003_variability_capacity', 'x')")
    cases.append({"file": path.name, "expect": "load"})
    path = hv.current_file(folder / "current-clean.vsm")
    cases.append({"file": path.name, "expect": "load"})
    path = hv.current_file(folder / "current-extra-column.vsm")
    hv.run_sql(path, "ALTER TABLE steps ADD COLUMN extra TEXT")
    cases.append({"file": path.name, "expect": "load"})
    return cases


def build_catalogue(folder: Path) -> list[dict[str, Any]]:
    """Family 2b: every damaged and foreign file of tests/helpers/bad_files.CATALOGUE."""
    from tests.helpers.bad_files import CATALOGUE

    for name, make, _words in CATALOGUE:
        make(folder / name)
    return [{"file": name, "expect": "refuse"} for name, _make, _words in CATALOGUE]


def build_surrogates(folder: Path) -> list[dict[str, Any]]:
    """Family 3: the example project with a lone surrogate in each kind of text."""
    from tests.pure import test_hostile_inputs as hi

    cases = []
    for place, plant, _message in hi.SURROGATE_PLACES:
        document = hi.example()
        plant(document)
        path = hi.write(folder, document, f"surrogate-{place.replace(' ', '-')}.json")
        cases.append({"file": path.name, "expect": "refuse", "compare": []})
    return cases


def build_notes(folder: Path, data: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Family 4: documents with hostile lock files beside them, and damaged working-copy notes
    in the data folder ($VSM_DATA_DIR) of the commands."""
    from tests.pure import test_hostile_inputs as hi
    from tests.pure import test_hostile_vsm as hv
    from vsm.files import locks

    cases = []

    def document(name: str, about: str) -> Path:
        (folder / name).mkdir()
        path = hv.current_file(folder / name / "doc.vsm")
        cases.append({"folder": name, "about": about, "watch": [locks.lock_path(path).name]})
        return path

    path = document("huge-pid", "a lock of this computer naming pid 2**40")
    locks.lock_path(path).write_text(json.dumps(hi.valid_owner(pid=2**40)))
    path = document("oversized", "a lock larger than any lock")
    locks.lock_path(path).write_bytes(b" " * (locks.MAX_NOTE_BYTES + 1))
    path = document("pipe", "a named pipe at the lock path")
    os.mkfifo(locks.lock_path(path))
    path = document("zero", "a link to /dev/zero at the lock path")
    locks.lock_path(path).symlink_to("/dev/zero")
    copies = data / "working-copies"
    copies.mkdir(parents=True)
    hi.sidecar(copies, "huge", pid=2**40)
    hi.sidecar(copies, "broken", project_name="\ud800")
    os.mkfifo(copies / "pipe.json")
    (copies / "pipe.vsm").write_bytes(b"edits")
    document("copies", "damaged working-copy notes in the data folder")
    cases[-1]["watch"] = []
    names = ["test_an_owner_field_out_of_range_is_a_damaged_note",
             "test_a_damaged_lock_is_respected_while_fresh_then_replaced_with_a_message",
             "test_a_huge_pid_of_this_computer_is_never_sent_to_the_system",
             "test_a_lock_larger_than_any_lock_is_damaged",
             "test_a_folder_at_the_lock_path_is_a_lock_that_cannot_be_taken",
             "test_a_link_at_the_lock_path_is_a_lock_that_cannot_be_taken",
             "test_a_named_pipe_as_a_note_never_blocks",
             "test_a_damaged_working_copy_note_is_left_alone_and_listed",
             "test_only_damaged_notes_beside_a_copy_are_listed",
             "test_a_working_copy_of_a_file_with_an_undecodable_name_keeps_its_path"]
    tests = [f"tests/pure/test_hostile_inputs.py::{name}" for name in names if hasattr(hi, name)]
    return cases, tests


def build_flip_original(folder: Path) -> None:
    """Family 5: the 40-step sample of test_hostile_vsm, saved (with its checksum)."""
    from tests.pure import test_hostile_vsm as hv

    hv.current_file(folder / "original.vsm")


def build_write_seeds(folder: Path) -> None:
    """Family 6: the inputs of test_one_writer's command-line cases."""
    from tests.pure import test_one_writer as ow
    from vsm.files.formats import save_json, save_project_any
    from vsm.files.step_tables import export_csv

    save_json(ow.sample(), folder / "in.json")
    save_project_any(ow.sample(), folder / "in.vsm")
    project = ow.sample()
    export_csv(project, folder / "table.csv", [project.maps[0].id])


def build_temporaries(folder: Path, live_pid: int) -> list[dict[str, Any]]:
    """Family 7: beside a document x.vsm, the temporaries a crash leaves (of a dead process, with
    its journal; of an older version, a day old), a live process's, another computer's, the
    user's own; then a command that writes into that folder."""
    from tests.pure import test_one_writer as ow
    from vsm.files import atomic
    from vsm.files.formats import save_json, save_project_any

    dead, _ = ow.dead_process()
    cases = []
    for name, args, output in (("convert-vsm", ["convert", "a.json", "x.vsm"], "x.vsm"),
                               ("convert-json", ["convert", "a.json", "y.json"], "y.json"),
                               ("export-pptx", ["export", "a.json", "-o", "y.pptx"], "y.pptx")):
        here = folder / name
        here.mkdir()
        save_json(ow.sample(), here / "a.json")
        if output != "x.vsm":
            save_project_any(ow.sample(), here / "x.vsm")
        gone = ow.planted(here, "x.vsm", dead)
        journal = gone.with_name(gone.name + "-journal")
        journal.write_bytes(b"journal")
        aged = here / ".x.vsm.1a2b3c4d.tmp"
        aged.write_bytes(b"x")
        old = time.time() - atomic.OLD_TEMPORARY_AGE - 60
        os.utime(aged, (old, old))
        fresh = here / ".x.vsm.5e6f7a8b.tmp"
        fresh.write_bytes(b"x")
        live = ow.planted(here, "x.vsm", live_pid)
        other = ow.planted(here, "x.vsm", dead, host="colleagues-laptop")
        own = here / ".notes.tmp"
        own.write_text("the user's own")
        removed = {gone.name: "a dead process's", journal.name: "its journal"}
        if output != "x.vsm":
            removed[aged.name] = "an old version's, a day old, beside x.vsm"
        kept = {live.name: "a live process's", other.name: "another computer's",
                own.name: "the user's own", fresh.name: "an old version's, fresh"}
        if output == "x.vsm":  # x.vsm is written now: the aged one was beside no file before
            kept[aged.name] = "an old version's, a day old, x.vsm not there yet"
        cases.append({"folder": name, "args": args, "output": output, "removed": removed,
                      "kept": kept})
    return cases


def build_exports(folder: Path) -> list[dict[str, Any]]:
    """Family 8: the example project with numbers and characters the exports cannot carry."""
    import math

    from tests.pure import test_hostile_inputs as hi
    from vsm.errors import FileFormatError
    from vsm.files.formats import load_json
    from vsm.model.durations import MAX_MINUTES
    from vsm.model.limits import MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_POSITION, MAX_TEXT_LENGTH

    cases = []

    def case(name: str, change: Callable[[dict], None]) -> None:
        document = hi.example()
        change(document)
        path = folder / f"{name}.json"
        path.write_text(json.dumps(document), encoding="ascii")
        try:
            project = load_json(path)
        except FileFormatError:
            map_name, expect = ONE_MAP, "either"
        else:
            map_name, expect = project.maps[0].name, "either"
        cases.append({"file": path.name, "expect": expect, "map": map_name})

    def step(**values: Any) -> Callable[[dict], None]:
        return lambda d: d["maps"][0]["steps"][0].update(values)

    def kaizen(**values: Any) -> Callable[[dict], None]:
        return lambda d: d["maps"][1]["kaizens"][0].update(values)

    case("x-1e300", step(x=1e300))
    case("y-minus-1e8", step(y=-1e8))
    case("y-minus-inf", step(y=-math.inf))
    case("x-nan", step(x=math.nan))
    case("x-10e400", step(x=10**400))
    case("process-time-1e308", step(process_time=1e308))
    case("process-time-1.7e308", step(process_time=1.7e308))
    case("wait-time-1e12-weeks", step(wait_time="1000000000000w"))
    case("process-time-max-2e9", step(process_time_max=2e9))
    case("people-10e400", step(people=10**400))
    case("pca-1e300", step(pca=1e300))
    case("kaizen-x-1e300", kaizen(x=1e300))
    case("kaizen-saving-1e300", kaizen(expected_saving=1e300))
    case("step-id-nul", step(id="log\x00"))

    def controls(document: dict) -> None:
        first = document["maps"][0]["steps"][0]
        first.update(name=f"User\treports{hi.CONTROLS}\r\nthe outage",
                     team="Service\x0bdesk\x1b",
                     notes=f"line 1\r\nline 2\rline 3\tend{hi.CONTROLS}\ufffe\uffff")
        document["maps"][0]["description"] = "a\x00b\r\nc"
        document["name"] = "Restore\x07 a live\nservice"
        document["maps"][1]["kaizens"][0].update(title="Pre-\x01approve",
                                                 owner="Change\x1fmanager", description="x\x0cy")

    case("control-characters", controls)

    def map_names(document: dict) -> None:
        document["maps"][0]["name"] = "Current\x00\x1f state\x07\ufffe"
        document["maps"][1]["name"] = "../../../evil/\x85name"

    case("control-characters-in-map-names", map_names)

    def limits(document: dict) -> None:  # test_the_limits_themselves_are_accepted_and_written_back
        first = document["maps"][0]["steps"][0]
        first.update(x=MAX_POSITION, y=-MAX_POSITION, name="N" * MAX_NAME_LENGTH,
                     notes="n" * MAX_TEXT_LENGTH, process_time=MAX_MINUTES,
                     id="i" * MAX_ID_LENGTH)
        for flow in document["maps"][0]["flows"]:
            for end in ("from", "to"):
                if flow[end] == "report":
                    flow[end] = "i" * MAX_ID_LENGTH

    case("at-the-limits", limits)

    def worst(document: dict) -> None:  # test_the_worst_map_within_the_limits_is_analysed...
        for number, each in enumerate(document["maps"][0]["steps"]):
            each.update(process_time=MAX_MINUTES, wait_time=MAX_MINUTES,
                        name=f"{number}" + "W" * 400,
                        x=MAX_POSITION if number % 2 else -MAX_POSITION, y=MAX_POSITION)

    case("worst-within-the-limits", worst)
    return cases


def build_smaller(folder: Path, lock_folder: Path) -> dict[str, Any]:
    """Family 10: names like a share, 20,000 and 20,001 steps, a 20,000-step map, a 10 MB step
    name, 1,000 maps of long names, a folder at the lock path."""
    from bench.generate import synthetic_document
    from tests.helpers.maps import make_map, rework, share
    from tests.pure import test_hostile_inputs as hi
    from tests.pure import test_hostile_sheets as hs
    from tests.pure import test_hostile_vsm as hv
    from vsm.files import locks
    from vsm.files.formats import save_json
    from vsm.files.sheet_limits import MAX_STEPS
    from vsm.model import Project, ValueStreamMap

    # test_names_that_look_like_a_share_keep_their_name_and_links
    one = {"A": (0, 1), "Review (2)": (0, 1), "Done": (0, 1)}
    lone = make_map(one, [("A", "Review (2)"), ("Review (2)", "Done"),
                          ("Done", "Review (2)", rework(10))])
    steps = {"Start": (0, 1), "Review": (0, 1), "Review(2)": (0, 1), "Review (2)": (0, 1),
             "End": (0, 1)}
    mixed = make_map(steps, [
        ("Start", "Review", share(2)), ("Start", "Review (2)", share(98)),
        ("Review", "Review(2)"), ("Review (2)", "End"), ("Review(2)", "End"),
        ("Review", "Review (2)", rework(20)),
        ("End", "Review (2)", rework(10)), ("End", "Review(2)", rework(5))], name="Mixed")
    save_json(Project("P", [mixed, lone]), folder / "review.json")
    hs._steps_csv(folder / "steps-20000.csv", MAX_STEPS)
    hs._steps_csv(folder / "steps-20001.csv", MAX_STEPS + 1)
    document = synthetic_document(20_000)
    (folder / "big.json").write_text(json.dumps(document), encoding="utf-8")
    document = hi.example()
    document["maps"][0]["steps"][0]["name"] = "N" * 10_000_000
    hi.write(folder, document, "huge-name.json")
    maps = [ValueStreamMap(f"{n:03d} " + "long name " * 45) for n in range(1000)]
    save_json(Project("Many", maps), folder / "many.json")
    path = hv.current_file(lock_folder / "doc.vsm")
    locks.lock_path(path).mkdir()
    return {"big map": document_map_name(folder / "big.json"),
            "lock": locks.lock_path(path).name}


def document_map_name(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["maps"][0]["name"]


# ---------------------------------------------------------------- checking outputs (a child)


def check(spec: dict[str, Any]) -> list[str]:
    """Problems with written files (run as `--check SPEC`): SVG parsed by xml.etree, XLSX
    opened by openpyxl (every cell read), every XML part of a deck parsed and the deck opened by
    python-pptx, PNG and PDF signatures, CSV read; `roundtrip`: the imported map's steps and
    flows are those of the exported one."""
    import csv
    import xml.etree.ElementTree as ElementTree
    import zipfile

    problems = []
    for name in spec.get("files", []):
        path = Path(name)
        suffix = path.suffix.lower()
        try:
            if suffix == ".svg":
                ElementTree.parse(path)
            elif suffix == ".xlsx":
                import openpyxl

                workbook = openpyxl.load_workbook(path)
                for sheet in workbook.worksheets:
                    for _row in sheet.iter_rows(values_only=True):
                        pass
            elif suffix == ".pptx":
                import pptx

                with zipfile.ZipFile(path) as archive:
                    for part in archive.namelist():
                        if part.endswith((".xml", ".rels")):
                            ElementTree.fromstring(archive.read(part))
                pptx.Presentation(os.fspath(path))
            elif suffix == ".png":
                if not path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
                    raise ValueError("not a PNG")
            elif suffix == ".pdf":
                if not path.read_bytes().startswith(b"%PDF"):
                    raise ValueError("not a PDF")
            elif suffix == ".csv":
                with open(path, encoding="utf-8-sig", newline="") as file:
                    list(csv.reader(file))
        except Exception as error:  # any failure to read back is what is reported
            problems.append(f"{path.name} is not well formed: {type(error).__name__}: "
                            f"{' '.join(str(error).split())[:200]}")
    if "roundtrip" in spec:
        from tests.pure.test_hostile_sheets import view
        from vsm.files.formats import load_project

        trip = spec["roundtrip"]
        exported = next(m for m in load_project(trip["project"]).maps if m.name == trip["map"])
        back = load_project(trip["back"]).maps[0]
        if view(back) != view(exported):
            problems.append(f"the map read back differs: {view(back)} != {view(exported)}")
    return problems


# ---------------------------------------------------------------- the report


def table(bench: Bench, families: list[str]) -> list[str]:
    """One row per family: inputs tried, commands run (tried), held, failed, inputs with a
    failure, the slowest command's seconds and the largest peak memory."""
    lines = [f"{'family':<44} {'inputs':>6} {'tried':>5} {'held':>5} {'failed':>6} "
             f"{'(inputs)':>8} {'worst s':>7} {'worst peak MB':>13}"]
    for family in [*families, "all"]:
        tries = [t for t in bench.tries if family in ("all", t.family)]
        inputs = {t.input for t in tries}
        failed_inputs = {t.input for t in tries if not t.held}
        held = sum(t.held for t in tries)
        worst_s = max((t.outcome.seconds for t in tries), default=0.0)
        worst_mb = max((t.outcome.peak_kb for t in tries), default=0) / 1024
        title = "all" if family == "all" else f"{family} {FAMILIES[family]}"
        lines.append(f"{title:<44} {len(inputs):>6} {len(tries):>5} {held:>5} "
                     f"{len(tries) - held:>6} {len(failed_inputs):>8} {worst_s:>7.2f} "
                     f"{worst_mb:>13.0f}")
    return lines


def worst(bench: Bench, families: list[str]) -> list[str]:
    """Which command was the slowest and which the largest, per family."""
    lines = ["Slowest and largest command of each family:"]
    for family in families:
        tries = [t for t in bench.tries if t.family == family]
        if not tries:
            continue
        slow = max(tries, key=lambda t: t.outcome.seconds)
        big = max(tries, key=lambda t: t.outcome.peak_kb)
        lines.append(f"- {family}: {slow.outcome.seconds:.2f} s {slow.input}: `{slow.command}`; "
                     f"{big.outcome.peak_kb / 1024:.0f} MB {big.input}: `{big.command}`")
    return lines


def failures(bench: Bench) -> list[str]:
    failed = [t for t in bench.tries if not t.held]
    if not failed:
        return ["Failures: none."]
    lines = [f"Failures ({len(failed)}):"]
    for attempt in failed:
        lines.append(f"- [{attempt.family}] {attempt.input}: `{attempt.command}` (expected: "
                     f"{attempt.expect}) → exit {attempt.outcome.status}, "
                     f"{attempt.outcome.seconds:.2f} s, {attempt.outcome.peak_kb / 1024:.0f} MB; "
                     + "; ".join(attempt.problems))
        if attempt.said:
            lines.append(f"    said: {attempt.said}")
    return lines


def bombs(bench: Bench, manifest: dict[str, Any]) -> list[str]:
    about = {case["file"]: case["about"] for case in manifest["1"]}
    lines = [f"{'table':<50} {'size':>9} {'expect':>6} {'exit':>4} {'s':>6} {'peak MB':>7}  "
             "held  first line said"]
    for attempt in (t for t in bench.tries if t.family == "1"):
        shown = file_size(attempt.size)
        said = attempt.said.replace("vsm: error: ", "")
        lines.append(f"{attempt.input:<50} {shown:>9} {attempt.expect:>6} "
                     f"{attempt.outcome.status:>4} {attempt.outcome.seconds:>6.2f} "
                     f"{attempt.outcome.peak_kb / 1024:>7.0f}  {'yes ' if attempt.held else 'NO  '}"
                     f"  {said[:110]}")
        lines.append(f"{'':<4}({about[attempt.input]})")
    return lines


# ---------------------------------------------------------------- main


def _ordinary_user() -> tuple[int, int] | None:
    """The uid and gid of USER, created if missing; None unless root with setpriv."""
    import pwd

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        done = subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", USER],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return None
        entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def _environment(scratch: Path, who: str, ids: tuple[int, int] | None) -> dict[str, str]:
    home = scratch / f"home-{who}"
    env = child_environment(
        home, drop=("DISPLAY", "WAYLAND_DISPLAY"), QT_QPA_PLATFORM="offscreen",
        HOME=os.fspath(home), XDG_CONFIG_HOME=os.fspath(home / "config"),
        XDG_CACHE_HOME=os.fspath(home / "cache"), XDG_RUNTIME_DIR=os.fspath(home / "runtime"),
        VSM_DATA_DIR=os.fspath(scratch / "data"), XDG_DATA_HOME=os.fspath(home / "share"))
    for name in ("pycache", "config", "cache", "runtime", "share"):
        (home / name).mkdir(parents=True, exist_ok=True)
    (home / "runtime").chmod(0o700)
    if ids is not None:
        env.update(USER=USER, LOGNAME=USER)
        _chown_tree(home, ids)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--family", action="append", choices=list(FAMILIES),
                        help="run only this family (repeat for several)")
    parser.add_argument("--flips", type=int, default=FLIPS, help=f"bit flips (default {FLIPS})")
    parser.add_argument("--build", nargs=2, metavar=("DIR", "PID"), help=argparse.SUPPRESS)
    parser.add_argument("--check", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(Path(args.build[0]), int(args.build[1]))
        return 0
    if args.check:
        print(json.dumps(check(json.loads(args.check))))
        return 0
    families = args.family or list(FAMILIES)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vsm-hostile-inputs-") as name:
        scratch = Path(name)
        scratch.chmod(0o711)  # the ordinary user goes through to the folders given to it
        ids = _ordinary_user()
        env = _environment(scratch, "root", None)
        user_env = _environment(scratch, USER, ids) if ids is not None else None
        live = subprocess.Popen(["sleep", "3600"])  # the live process of family 7
        try:
            build_in_child(Path(__file__).resolve(),
                           [os.fspath(scratch), str(live.pid)], env)
            built = time.perf_counter() - started
            manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
            (scratch / "data").chmod(0o755)
            bench = Bench(scratch, env, user_env, ids)
            warm = scratch / "f6seed"  # compile every module once, for root and for the user
            for user, its_env in [(False, env), (True, user_env)]:
                if its_env is None:
                    continue
                home = Path(its_env["HOME"])
                for suffix in ("pptx", "png", "xlsx"):
                    run_command(bench.command(["export", "in.json", "-o",
                                               os.fspath(home / f"warm.{suffix}")], user),
                                warm, its_env)
                run_command(bench.command(["import", "table.csv", "-o",
                                           os.fspath(home / "warm.vsm")], user), warm, its_env)
            if "1" in families:
                family_1(bench, manifest)
            for family in ("2", "2b", "3"):
                if family in families:
                    family_files(bench, manifest, family)
            if "4" in families:
                family_4(bench, manifest)
            if "5" in families:
                family_5(bench, manifest, args.flips)
            if "6" in families:
                family_6(bench)
            if "7" in families:
                family_7(bench, manifest)
            if "8" in families:
                family_8(bench, manifest)
            if "10" in families:
                family_10(bench, manifest)
        finally:
            live.kill()
            live.wait()
        elapsed = time.perf_counter() - started
        own = own_peak_kb() / 1024
        print(f"# Hostile and damaged inputs against `vsm` (Python {sys.version.split()[0]}; "
              f"each command in its own process, {TIMEOUT:.0f} s limit, "
              f"{MEMORY_CAP / 2**30:.0f} GB address-space cap; inputs built in {built:.0f} s, "
              f"{elapsed:.0f} s in all; this process's peak {own:.0f} MB; ordinary user: "
              f"{USER if ids is not None else 'none'})")
        print()
        print("\n".join(table(bench, families)))
        print("(inputs: distinct inputs; tried: commands run on them; held / failed: commands; "
              "(inputs): inputs with a failed command)")
        print()
        print("\n".join(worst(bench, families)))
        print()
        print("\n".join(failures(bench)))
        for family in families:
            notes = bench.notes.get(family, [])
            if len(notes) == 1:
                print(f"\nFamily {family}: {notes[0]}")
            elif notes:
                print(f"\nFamily {family}:")
                print("\n".join(f"- {text}" for text in notes))
        if "1" in families:
            print("\nFamily 1, every table (`vsm import TABLE -o out.vsm`), peak memory of the "
                  "command:")
            print("\n".join(bombs(bench, manifest)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
