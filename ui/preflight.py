"""Before Qt starts on Linux: is there a display, and are the X11 libraries Qt's xcb plugin needs
installed? Qt itself aborts (exit 134) with "reinstalling the application may fix this" when a
library is missing; `display_problem()` says instead, in one line, what to install.

No Qt is loaded here: the plugin's file is found from PySide6's folder and its libraries are
listed with `ldd`, whose "not found" lines name exactly what is missing. A library's Debian and
Ubuntu package is its name and major version ("libxcb-cursor.so.0" → "libxcb-cursor0",
"libxkbcommon-x11.so.0" → "libxkbcommon-x11-0").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)
_SONAME = re.compile(r"^(lib[\w+.-]*?)\.so\.(\d+)")


def package_of(library: str) -> str:
    """The Debian/Ubuntu package of a shared library's file name ("libxcb-icccm.so.4" →
    "libxcb-icccm4"); the name itself when it does not look like one."""
    match = _SONAME.match(library)
    if match is None:
        return library
    name, major = match.group(1).lower(), match.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries `ldd` could not find, in its order, each once."""
    found: list[str] = []
    for library in _NOT_FOUND.findall(ldd_output):
        if library not in found:
            found.append(library)
    return found


def xcb_plugin() -> Path | None:
    """Qt's xcb platform plugin inside the installed PySide6, if it is there."""
    try:
        import PySide6  # the package only: no Qt library is loaded by this
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def display_problem(environ: Mapping[str, str] | None = None,
                    platform: str | None = None) -> str | None:
    """What stops the editor from opening a window on this Linux machine, in one line with what
    to do; None when nothing does (or on another system, or with another Qt platform)."""
    environ = os.environ if environ is None else environ
    if (platform or sys.platform) != "linux":
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: not the xcb plugin
    if not chosen and environ.get("WAYLAND_DISPLAY"):
        return None  # Qt picks its Wayland plugin
    if not environ.get("DISPLAY"):
        return ("no display to open the editor on (DISPLAY is not set): run it in a desktop "
                "session, or use the vsm commands, which need none")
    plugin, ldd = xcb_plugin(), shutil.which("ldd")
    if plugin is None or ldd is None:
        return None  # nothing to check with: let Qt try
    try:
        output = subprocess.run([ldd, str(plugin)], capture_output=True, text=True,
                                timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_libraries(output)
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(package_of(library) for library in missing))
    return (f"the editor needs the X11 libraries {', '.join(missing)}, which are not "
            f"installed; on Debian or Ubuntu: sudo apt-get install {packages}")
