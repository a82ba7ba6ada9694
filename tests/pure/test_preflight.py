"""Before Qt aborts on Linux: no display, or X11 libraries missing, is said in one line with the
packages to install (ui.preflight; no Qt loaded)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import ui.preflight as preflight
from ui.preflight import display_problem, missing_libraries, package_of

ROOT = Path(__file__).resolve().parents[2]
LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f8b)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibX11-xcb.so.1 => /lib/x86_64-linux-gnu/libX11-xcb.so.1 (0x00007f8b)
"""


@pytest.mark.parametrize("library, package", [
    ("libxcb-cursor.so.0", "libxcb-cursor0"), ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"), ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libX11-xcb.so.1", "libx11-xcb1"), ("libdbus-1.so.3", "libdbus-1-3"),
    ("something odd", "something odd")])
def test_the_debian_package_of_a_library(library, package):
    assert package_of(library) == package


def test_missing_libraries_are_read_from_ldd_once_each_in_order():
    assert missing_libraries(LDD) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4",
                                      "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]


def test_missing_libraries_name_the_packages_to_install(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(preflight, "xcb_plugin", lambda: plugin)
    monkeypatch.setattr(preflight.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(preflight.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, LDD, ""))
    problem = display_problem({"DISPLAY": ":0"}, "linux")
    assert problem == (
        "the editor needs the X11 libraries libxcb-cursor.so.0, libxcb-icccm.so.4, "
        "libxcb-keysyms.so.1, libxkbcommon-x11.so.0, which are not installed; on Debian or "
        "Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
        "libxkbcommon-x11-0")


def test_no_display_is_said_and_other_platforms_pass():
    assert "DISPLAY is not set" in display_problem({}, "linux")
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "win32") is None


def test_what_this_machine_lacks_is_on_the_readme_apt_line():
    # Whatever X11 library Qt's xcb plugin misses here, the README's apt line installs it (a
    # fresh machine may lack them: the tests run headless, so that is no failure in itself).
    if not preflight.xcb_plugin() or not preflight.shutil.which("ldd"):
        pytest.skip("no xcb plugin or ldd to check with")
    problem = display_problem({"DISPLAY": ":0"}, "linux")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    apt_line = readme.split("sudo apt-get install ", 1)[1].split("`", 1)[0].split()
    asked = problem.split("sudo apt-get install ", 1)[1].split() if problem else []
    assert set(asked) <= set(apt_line), problem


@pytest.mark.skipif(importlib.util.find_spec("PySide6") is None,
                    reason="without PySide6 `vsm edit` says so first (test_cli_without_qt)")
def test_vsm_edit_without_a_display_exits_2_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no DISPLAY, no Qt platform
    result = subprocess.run([sys.executable, "-m", "vsm", "edit"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "vsm edit: no display to open the editor on (DISPLAY is not set): run it in a desktop "
        "session, or use the vsm commands, which need none"]
