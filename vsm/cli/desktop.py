"""`vsm desktop install` and `vsm desktop uninstall`: register VSM Studio with a Linux desktop
for a user who installed it with pip, so that .vsm files open in it by a double-click and the
editor has its icon in the menus.

`install` writes, under the user's data folder ($XDG_DATA_HOME, by default ~/.local/share), the
files the freedesktop.org specifications read:

- applications/vsm-studio.desktop: the menu entry; its Exec line is the absolute path of the
  `vsm-editor` script beside this Python (else this Python with `-m ui.app`);
- mime/packages/vsm-studio.xml: the file type application/x-vsm-studio (shared-mime-info): the
  glob *.vsm, and the content an SQLite file with our application id (vsm.files.vsm_file);
- icons/hicolor/<size>x<size>/apps/vsm-studio.png and icons/hicolor/scalable/apps/vsm-studio.svg.

It then refreshes the desktop's caches with update-mime-database and update-desktop-database
and makes VSM Studio the default for the type with `xdg-mime default`, each where the program is
installed. It prints one line per file written and per program run or missing. `uninstall`
removes exactly those files (and the folders it leaves empty) and refreshes the caches again.

The menu entry and the file type are also in packaging/linux/ for system packages; they are made
by `desktop_entry("vsm-editor")` and `mime_package()` here (a test keeps them the same). On
Windows and macOS the installers register the file type; the command says so and exits with 2.
Files are written through vsm.files.atomic, all or nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vsm.cli.common import EXIT_OK, CommandError

APP_ID = "vsm-studio"
MIME_TYPE = "application/x-vsm-studio"
DESKTOP_FILE = f"{APP_ID}.desktop"
EDITOR_SCRIPT = "vsm-editor"
WM_CLASS = "VSM Studio"  # the class Qt gives the windows on X11: the application name
PROGRAM_TIMEOUT = 60.0  # seconds a cache refresh may take before it is given up
EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')  # an Exec argument with one of these is quoted


# ---------------------------------------------------------------- what is written


def desktop_entry(command: str) -> str:
    """The menu entry (freedesktop.org Desktop Entry) that starts the editor with `command`,
    already quoted for an Exec line (see `exec_command`); the file to open follows it."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=VSM Studio",
        "GenericName=Value Stream Editor",
        "Comment=Draw, analyse, compare and present value streams",
        f"Exec={command} %f",
        f"Icon={APP_ID}",
        "Terminal=false",
        "StartupNotify=true",
        f"StartupWMClass={WM_CLASS}",
        f"MimeType={MIME_TYPE};",
        "Categories=Office;ProjectManagement;",
        "Keywords=value stream;VSM;lean;ITIL;flow efficiency;kaizen;",
        ""])


def mime_package() -> str:
    """The shared-mime-info package that defines the .vsm file type."""
    from vsm.files.vsm_file import APPLICATION_ID

    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- The VSM Studio file type: a .vsm file is an SQLite database whose application id",
        '     (bytes 68 to 71, big-endian) reads "VSM1" (vsm/files/vsm_file.py). -->',
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
        f'  <mime-type type="{MIME_TYPE}">',
        "    <comment>VSM Studio value stream</comment>",
        '    <sub-class-of type="application/vnd.sqlite3"/>',
        f'    <icon name="{APP_ID}"/>',
        '    <glob pattern="*.vsm"/>',
        '    <magic priority="60">',
        '      <match type="string" offset="0" value="SQLite format 3\\000">',
        f'        <match type="big32" offset="68" value="0x{APPLICATION_ID:08x}"/>',
        "      </match>",
        "    </magic>",
        "  </mime-type>",
        "</mime-info>",
        ""])


def exec_command(python: str | Path | None = None) -> str:
    """The Exec command that starts the installed editor: the absolute path of the `vsm-editor`
    script beside `python` (this one by default), else `python -m ui.app`; each argument quoted
    as the Desktop Entry specification asks."""
    python = Path(python or sys.executable)
    folder = python.parent  # not resolved: a virtual environment's python is a link out of it
    for name in (EDITOR_SCRIPT, f"{EDITOR_SCRIPT}.exe"):
        script = folder / name
        if script.is_file() and os.access(script, os.X_OK):
            return exec_argument(str(script.absolute()))
    return " ".join(exec_argument(part) for part in (str(python.absolute()), "-m", "ui.app"))


def exec_argument(argument: str) -> str:
    """One argument of an Exec line: quoted if it holds a reserved character, with its quotes,
    backquotes, dollars and backslashes escaped; percent signs doubled; then the backslashes
    doubled again, as every string value of a desktop entry escapes them."""
    argument = argument.replace("%", "%%")
    if any(character in EXEC_RESERVED for character in argument):
        escaped = "".join(f"\\{c}" if c in '"`$\\' else c for c in argument)
        argument = f'"{escaped}"'
    return argument.replace("\\", "\\\\")


def data_home() -> Path:
    """$XDG_DATA_HOME if it is set to an absolute path, else ~/.local/share (the XDG Base
    Directory specification ignores a relative one)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def installed_files(home: Path) -> dict[Path, Callable[[], bytes]]:
    """Every file `install` writes under `home`, with what it holds (read when asked)."""
    from vsm.files.bundled import ICON_SIZES, icon_path

    files: dict[Path, Callable[[], bytes]] = {
        home / "applications" / DESKTOP_FILE: lambda: desktop_entry(exec_command()).encode(),
        home / "mime" / "packages" / f"{APP_ID}.xml": lambda: mime_package().encode(),
    }
    for size in ICON_SIZES:
        files[home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = \
            _reader(icon_path(size))
    files[home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"] = \
        _reader(icon_path())
    return files


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: the bundled icon cannot be read "
                               f"({error.strerror or error}); reinstall VSM Studio") from None
    return read


# ---------------------------------------------------------------- install and uninstall


def install(home: Path) -> list[str]:
    """Write the entry, the file type and the icons under `home`, refresh the desktop's caches
    and make VSM Studio the default for .vsm files; one line for each thing done."""
    from vsm.files.atomic import write_atomically

    contents = [(path, read()) for path, read in installed_files(home).items()]
    for path, _ in contents:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(contents)
    lines = [f"Wrote {path}" for path, _ in contents]
    lines += refresh(home)
    lines.append(run_program(["xdg-mime", "default", DESKTOP_FILE, MIME_TYPE],
                             f"made VSM Studio the default for {MIME_TYPE}"))
    return lines


def uninstall(home: Path) -> list[str]:
    """Remove what `install` wrote under `home` (and the folders that leaves empty), then
    refresh the desktop's caches; one line for each thing done."""
    lines = []
    for path in installed_files(home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise CommandError(f"{path}: cannot be removed: {error.strerror or error}") from None
        lines.append(f"Removed {path}")
        _remove_empty_folders(path.parent, home)
    if not lines:
        return [f"Nothing to remove: VSM Studio is not registered under {home}"]
    return lines + refresh(home)


def _remove_empty_folders(folder: Path, home: Path) -> None:
    """Remove `folder` and its parents up to (not including) `home` while they are empty."""
    while folder != home and home in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty, or not ours to remove
            return
        folder = folder.parent


def refresh(home: Path) -> list[str]:
    """Rebuild the MIME database and the desktop entries' cache under `home`."""
    return [run_program(["update-mime-database", str(home / "mime")],
                        "updated the MIME database"),
            run_program(["update-desktop-database", str(home / "applications")],
                        "updated the desktop entries' cache")]


def run_program(command: list[str], done: str) -> str:
    """Run `command` if its program is installed; one line saying what happened. A missing or
    failing program is reported, never raised: the files are in place either way, and the
    desktop reads them at the next login."""
    program = shutil.which(command[0])
    if program is None:
        return f"Skipped {command[0]}: not installed (the desktop reads the files at next login)"
    try:
        result = subprocess.run([program, *command[1:]], capture_output=True, text=True,
                                timeout=PROGRAM_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{command[0]} did not run: {error}"
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        return f"{command[0]} failed (exit {result.returncode}): {said[0] if said else ''}"
    return f"Ran {' '.join(command)}: {done}"


# ---------------------------------------------------------------- the command


def add_desktop(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "desktop", parents=[common], help="register with the Linux desktop (menu, icon, .vsm)",
        description="Register VSM Studio with a Linux desktop for this user: a menu entry, the "
                    "icon, and the .vsm file type opening in the editor. Files go under "
                    "$XDG_DATA_HOME (default ~/.local/share). On Windows and macOS the "
                    "installers do this.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("install", parents=[common], help="write the entry, file type and icons",
                       description="Write the menu entry, the .vsm file type and the icons, "
                                   "refresh the desktop's caches and make VSM Studio the "
                                   "default for .vsm files.")
    actions.add_parser("uninstall", parents=[common], help="remove what install wrote",
                       description="Remove the files `vsm desktop install` wrote.")
    parser.set_defaults(run=_run_desktop)


def _run_desktop(args: argparse.Namespace) -> int:
    if sys.platform.startswith(("win32", "cygwin", "darwin")):
        raise CommandError("`vsm desktop` is for Linux desktops; on Windows and macOS the "
                           "VSM Studio installer registers the .vsm file type")
    home = data_home()
    lines = install(home) if args.action == "install" else uninstall(home)
    for line in lines:
        print(line)
    return EXIT_OK
