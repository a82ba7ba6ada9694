"""Build VSM Studio as a self-contained folder that runs with no Python on the machine.

    pip install -e '.[bundle]'
    python packaging/build.py

makes, with PyInstaller and packaging/vsm-studio.spec:

- dist/vsm-studio/: the editor (`vsm-editor`) and the command line (`vsm`) over one shared set
  of libraries (_internal/), with the templates, examples, documents and icons under
  _internal/vsm/resources/ where vsm.files.bundled finds them; on Linux also install.sh and the
  menu entry, MIME type and icons it registers (packaging/install-linux.sh);
- on macOS also dist/VSM Studio.app, which opens .vsm files from the Finder;
- dist/vsm-studio-<version>-<platform>.tar.gz (Linux, macOS) or .zip (Windows) of the folder;

then, unless --no-smoke, runs the bundle's `vsm` from a temporary folder with a bare PATH and no
PYTHONPATH or PYTHONHOME (templates, new, report, export to pptx, png and pdf), checks that the
editor starts and stays up, and prints the sizes and the start times against this environment's
`vsm`.
Exit status 0 built (and passed), 1 the build or a check failed, 2 this environment cannot build
(one line saying what to install). packaging/README.md tells the rest (installers, signing).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import bundle_inputs as inputs

ROOT = inputs.ROOT
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
SPEC = ROOT / "packaging" / "vsm-studio.spec"
INSTALL_SCRIPT = ROOT / "packaging" / "install-linux.sh"
EXE = ".exe" if inputs.system() == "windows" else ""
INSTALL_HINT = "pip install -e '.[bundle]'"


class BuildError(Exception):
    """A step failed; the message says which and why, in one line."""


def environment_problem() -> str | None:
    """Why this Python cannot build the bundle, or None."""
    try:
        importlib.metadata.version("vsm-studio")
        spec = importlib.util.find_spec("vsm")
    except (importlib.metadata.PackageNotFoundError, ModuleNotFoundError):
        return f"the project is not installed in this Python ({sys.executable}): {INSTALL_HINT}"
    if spec is None or spec.origin is None or ROOT not in Path(spec.origin).resolve().parents:
        return (f"this Python's vsm is not this checkout's ({spec.origin if spec else 'none'}): "
                f"{INSTALL_HINT} from {ROOT}")
    try:
        version = importlib.metadata.version("pyinstaller")
    except importlib.metadata.PackageNotFoundError:
        return f"PyInstaller is not installed in this Python ({sys.executable}): {INSTALL_HINT}"
    if int(version.split(".")[0]) < 6:
        return f"PyInstaller {version} is too old (6 or newer): {INSTALL_HINT}"
    missing = [str(path.relative_to(ROOT)) for path in inputs.required_inputs()
               if not path.is_file()]
    if missing:
        return (f"missing {', '.join(missing)}: the icons come from packaging/icons.py, the "
                "menu entry and MIME type from packaging/linux/ (see packaging/README.md)")
    return None


# ---------------------------------------------------------------- build


def build(trim: bool) -> Path:
    """Run PyInstaller on the spec; the folder it made."""
    folder = DIST / inputs.FOLDER
    env = {**os.environ, "VSM_BUNDLE_TRIM": "1" if trim else "0"}
    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / "pyinstaller.log"
    print(f"building {folder.relative_to(ROOT)} with PyInstaller (log: {log.relative_to(ROOT)})",
          flush=True)
    with open(log, "w", encoding="utf-8") as out:
        done = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(DIST),
             "--workpath", str(WORK), str(SPEC)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
        raise BuildError(f"PyInstaller failed (exit {done.returncode}); see {log}")
    for name, _target, _console in inputs.entry_points():
        if not (folder / f"{name}{EXE}").is_file():
            raise BuildError(f"PyInstaller made no {name}{EXE} in {folder}")
    check_resources(folder)
    if inputs.system() == "linux":
        add_linux_integration(folder)
    return folder


def check_resources(folder: Path) -> None:
    """The bundle's vsm/resources/ holds exactly setup.py's bundled files, as the wheel does."""
    internal = folder / "_internal"
    expected = {place for place, _source in inputs.bundled_files()}
    root = internal / "vsm" / "resources"
    found = {path.relative_to(internal).as_posix() for path in root.rglob("*") if path.is_file()}
    if expected != found:
        raise BuildError(f"{root}: missing {sorted(expected - found)}, "
                         f"unexpected {sorted(found - expected)}")
    print(f"bundled files: {len(found)} under _internal/vsm/resources/, as in the wheel")


def add_linux_integration(folder: Path) -> None:
    """install.sh and what it registers: share/applications, share/mime, share/icons."""
    share = folder / "share"
    shutil.rmtree(share, ignore_errors=True)
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(inputs.DESKTOP_FILE, share / "applications" / inputs.DESKTOP_FILE.name)
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copyfile(inputs.MIME_FILE, share / "mime" / "packages" / "vsm-studio.xml")
    for theme_folder, icon in inputs.linux_icons():
        target = share / "icons" / "hicolor" / theme_folder / "apps" / f"vsm-studio{icon.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icon, target)
    shutil.copyfile(INSTALL_SCRIPT, folder / "install.sh")
    (folder / "install.sh").chmod(0o755)


def archive(folder: Path) -> Path:
    """dist/vsm-studio-<version>-<platform>.tar.gz (.zip on Windows) holding the folder as
    vsm-studio-<version>/ (symbolic links kept as links)."""
    top = f"{inputs.FOLDER}-{inputs.version()}"
    stem = DIST / f"{top}-{inputs.platform_tag()}"
    if inputs.system() == "windows":
        path = stem.with_name(stem.name + ".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    out.write(file, f"{top}/{file.relative_to(folder).as_posix()}")
    else:
        path = stem.with_name(stem.name + ".tar.gz")
        with tarfile.open(path, "w:gz") as out:
            out.add(folder, arcname=top)
    print(f"archive: {path.relative_to(ROOT)}")
    return path


# ---------------------------------------------------------------- smoke test


def bare_environment(home: Path) -> dict[str, str]:
    """A bare environment: no PATH to any Python, no PYTHONPATH or PYTHONHOME, Qt offscreen."""
    env = {"PATH": str(Path("/nonexistent")), "HOME": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(home)}
    if inputs.system() == "windows":  # a Windows process needs these to start at all
        env.update({name: os.environ[name] for name in ("SYSTEMROOT", "WINDIR")
                    if name in os.environ})
        env.update({name: str(home) for name in ("TEMP", "TMP", "USERPROFILE", "APPDATA",
                                                 "LOCALAPPDATA")})
    return env


def smoke_test(folder: Path) -> None:
    """The bundle's `vsm` and `vsm-editor` run from a temporary folder with a bare environment."""
    vsm = folder / f"vsm{EXE}"
    with tempfile.TemporaryDirectory(prefix="vsm-smoke-") as temporary:
        here = Path(temporary)
        env = bare_environment(here)

        def run(*args: str, makes: str | None = None, expect: str = "") -> str:
            """Run the bundle's vsm; it must exit 0, print `expect` and write `makes`."""
            shown = "vsm " + " ".join(args)
            done = subprocess.run([str(vsm), *args], cwd=here, env=env, capture_output=True,
                                  text=True, timeout=300)
            if done.returncode != 0:
                raise BuildError(f"smoke test: `{shown}` exited {done.returncode}: "
                                 f"{done.stderr.strip() or done.stdout.strip()}")
            if expect not in done.stdout:
                raise BuildError(f"smoke test: `{shown}` printed no {expect!r}: {done.stdout}")
            made = sorted(path.name for path in here.glob(makes)) if makes else []
            if makes and not made:
                raise BuildError(f"smoke test: `{shown}` wrote no {makes}")
            lines = done.stdout.strip().splitlines()
            said = f"{lines[0]}" + (f" (+{len(lines) - 1} lines)" if len(lines) > 1 else "")
            print(f"  ok  {shown}  -> " + (", ".join(made) if made else said), flush=True)
            return done.stdout

        print(f"smoke test in {here}, PATH={env['PATH']}, no PYTHONPATH/PYTHONHOME:")
        run("--version", expect=inputs.version())
        listed = run("templates").splitlines()
        if not listed:
            raise BuildError("smoke test: `vsm templates` listed no template")
        first = listed[0].split()[0]
        run("new", "--template", first, "x.vsm", makes="x.vsm")
        run("report", "x.vsm", expect="Lead time")
        run("export", "x.vsm", "-o", "x.pptx", makes="x.pptx")
        run("export", "x.vsm", "-o", "x.png", makes="x*.png")  # one file per map
        run("export", "x.vsm", "-o", "x.pdf", makes="x.pdf")  # written by a child process
        editor_stays_up(folder / f"vsm-editor{EXE}", here / "x.vsm", env)
        if inputs.system() == "macos":  # the .app finds its bundled files too
            app_vsm = DIST / f"{inputs.APP_NAME}.app" / "Contents" / "MacOS" / "vsm"
            done = subprocess.run([str(app_vsm), "templates"], cwd=here, env=env,
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0 or not done.stdout.strip():
                raise BuildError(f"smoke test: {app_vsm} templates failed: {done.stderr}")
            print(f"  ok  {app_vsm.relative_to(DIST)} templates")


def editor_stays_up(editor: Path, document: Path, env: dict[str, str], seconds: float = 5) -> None:
    """The editor opens `document` offscreen and is still running after `seconds`."""
    with open(document.with_suffix(".editor.log"), "w+", encoding="utf-8") as log:
        process = subprocess.Popen([str(editor), str(document)], cwd=document.parent, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            print(f"  ok  vsm-editor {document.name}  -> still running after {seconds:g} s "
                  "(offscreen), stopped", flush=True)
            return
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        log.seek(0)
        output = log.read().strip()[-2000:]
    raise BuildError(f"smoke test: vsm-editor exited {process.returncode} within {seconds:g} s: "
                     f"{output}")


# ---------------------------------------------------------------- figures


def size_of(path: Path) -> int:
    """Bytes in a file, or in a folder's files (symbolic links not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def median_start(command: list[str], env: dict[str, str], cwd: Path, runs: int = 5) -> float:
    """Median wall time of `runs` runs of `command`, after one run not counted."""
    times = []
    for index in range(runs + 1):
        start = time.perf_counter()
        # no timeout: with one, subprocess polls the child every 50 ms and the times show it
        subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        if index:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def figures(folder: Path, packed: Path) -> None:
    """Sizes of the bundle and its archive beside this environment's; start times of `vsm
    --version` and `vsm templates`, bundle against this environment's console script."""
    print(f"size: folder {megabytes(size_of(folder))}, archive {megabytes(size_of(packed))} "
          f"({packed.name}); this Python environment {megabytes(size_of(Path(sys.prefix)))} "
          f"({sys.prefix}, build and test tools included)")
    venv_vsm = Path(sys.executable).parent / f"vsm{EXE}"
    if not venv_vsm.is_file():
        print(f"start time: no {venv_vsm} to compare with")
        return
    with tempfile.TemporaryDirectory(prefix="vsm-time-") as temporary:
        here = Path(temporary)
        bare = bare_environment(here)
        venv_env = {**bare, "PATH": os.environ.get("PATH", "")}
        for args in (["--version"], ["templates"]):
            bundled = median_start([str(folder / f"vsm{EXE}"), *args], bare, here)
            venv = median_start([str(venv_vsm), *args], venv_env, here)
            print(f"start time, vsm {' '.join(args)} (median of 5): bundle {bundled:.3f} s, "
                  f"venv {venv:.3f} s")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="packaging/build.py",
        description="Build dist/vsm-studio/ (vsm and vsm-editor, no Python needed) and its "
                    "archive, then smoke-test it.")
    parser.add_argument("--no-smoke", action="store_true",
                        help="build and archive only: no smoke test, no figures")
    parser.add_argument("--no-trim", action="store_true",
                        help="keep everything PyInstaller collects (to compare sizes)")
    parser.add_argument("--archive-only", action="store_true",
                        help="only remake the archive of dist/vsm-studio/ (after signing it)")
    args = parser.parse_args(argv)
    problem = environment_problem()
    if problem is not None:
        print(f"packaging/build.py: {problem}", file=sys.stderr)
        return 2
    try:
        if args.archive_only:
            folder = DIST / inputs.FOLDER
            if not (folder / f"vsm{EXE}").is_file():
                raise BuildError(f"no {folder} to archive: build it first")
            args.no_smoke = True
        else:
            folder = build(trim=not args.no_trim)
        packed = archive(folder)
        if not args.no_smoke:
            smoke_test(folder)
            figures(folder, packed)
    except (BuildError, subprocess.SubprocessError, OSError) as error:
        print(f"packaging/build.py: {error}", file=sys.stderr)
        return 1
    print(f"done: {folder.relative_to(ROOT)} and {packed.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
